"""Mailbox status from evidence, delivery risk and suggested action (pure, no I/O but the rules).

Evidence about an address's letterbox comes from mailbox observations (field notes),
imported returned-mail records and OSM ``amenity=letter_box``. The current status is the
latest unexpired evidence; recent evidence that contradicts it makes the status
``widersprüchlich`` with both shown. The risk level and its reasons follow fixed rules
(the issue's); the suggested action per level comes from ``mailbox_rules.toml`` next to this
module, which a municipality overrides with ``instance/mailbox_rules.toml``. The tool
advises; it decides nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sozialraum.errors import ConfigError
from sozialraum.model.notes import add_months

# the return reasons lived here before; "X as X" keeps them importable from this module
from sozialraum.model.return_reasons import (
    DEFAULT_RETURN_REASON as DEFAULT_RETURN_REASON,
)
from sozialraum.model.return_reasons import RETURN_REASONS
from sozialraum.model.return_reasons import known_return_reason as known_return_reason
from sozialraum.model.return_reasons import return_reason as return_reason
from sozialraum.model.return_reasons import return_reason_label as return_reason_label

#: Statuses (id → German label).
STATUSES: dict[str, str] = {
    "vorhanden": "vorhanden",
    "fehlt": "fehlt",
    "defekt": "defekt",
    "ohne_namen": "ohne Namen",
    "hausverwaltung": "über Hausverwaltung",
    "post_zurueck": "Post kam zurück",
    "unbekannt": "unbekannt",
    "widerspruechlich": "widersprüchlich",
}
RISK_LEVELS = ("hoch", "mittel", "niedrig", "unbekannt")
#: How a reason marks evidence from a note that is not released yet (four-eyes review).
UNRELEASED = "noch nicht freigegeben"
HIGH_STATUSES = {"fehlt", "defekt", "ohne_namen"}
#: Evidence within this many months of each other that disagrees is a contradiction.
CONTRADICTION_MONTHS = 6
RETURNED_MAIL_MONTHS = 6
VERIFIED_MONTHS = 12
DEFAULT_RULES_FILE = Path(__file__).with_name("mailbox_rules.toml")
#: An OSM letterbox (``amenity=letter_box``) counts as current for this many months after
#: its ``check_date``/``survey:date`` or last edit.
OSM_EVIDENCE_MONTHS = 24
#: Returned-mail records are kept (and count as evidence) for this many months.
RETURNED_MAIL_KEEP_MONTHS = 12
#: OSM tags that mark communal accommodation, with the German label shown as the reason.
COMMUNAL_TAGS: dict[tuple[str, str], str] = {
    ("social_facility", "shelter"): "Notunterkunft",
    ("social_facility:for", "refugee"): "Unterkunft für Geflüchtete",
    ("social_facility:for", "migrant"): "Unterkunft für Geflüchtete",
    ("amenity", "refugee_site"): "Unterkunft für Geflüchtete",
    ("refugee", "yes"): "Unterkunft für Geflüchtete",
    ("building", "dormitory"): "Wohnheim",
}


def communal_label(tags: dict[str, str]) -> str | None:
    """The kind of communal accommodation an OSM object is (German), or ``None``.

    Shelters (``social_facility=shelter``), refugee housing (``social_facility:for=refugee``
    or ``migrant``, ``amenity=refugee_site``, ``refugee=yes``) and ``building=dormitory``.
    A shelter for refugees is named as refugee housing.
    """
    found = [
        label
        for (key, value), label in COMMUNAL_TAGS.items()
        if value in (tags.get(key) or "").split(";")
    ]
    if "Unterkunft für Geflüchtete" in found:
        return "Unterkunft für Geflüchtete"
    return found[0] if found else None


def osm_filter_tags() -> dict[str, list[str]]:
    """The OSM tags of mailbox evidence as an osmnx ``tags`` filter (online import)."""
    tags: dict[str, list[str]] = {"amenity": ["letter_box"]}
    for key, value in COMMUNAL_TAGS:
        tags.setdefault(key, []).append(value)
    return tags


def is_letter_box(tags: dict[str, str]) -> bool:
    """Whether an OSM object is a house's own letterbox (``amenity=letter_box``)."""
    return tags.get("amenity") == "letter_box"


def osm_evidence_date(tags: dict[str, str], last_edit: date | None) -> date | None:
    """When an OSM letterbox was last confirmed; ``None`` if nothing is known.

    ``check_date``, ``survey:date`` or the object's last edit (in that order).
    """
    for key in ("check_date", "survey:date"):
        try:
            return date.fromisoformat((tags.get(key) or "").strip()[:10])
        except ValueError:
            continue
    return last_edit


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence about a letterbox.

    Attributes
    ----------
    status : str
        A key of :data:`STATUSES` (not ``unbekannt``/``widerspruechlich``).
    observed_on : datetime.date
        When it was seen or recorded.
    source : str
        ``notiz`` (mailbox observation), ``rueckläufer`` (returned mail) or ``osm``.
    role : str
        Who recorded it, as a role ("Fachkraft", "Poststelle", "OpenStreetMap").
    expires_on : datetime.date or None
        After this day the evidence no longer counts as current.
    detail : str
        A short German description (e.g. the note text or the return reason).
    ref : str or None
        Id of the note or record.
    review_state : str or None
        The review state of a note (``entwurf``, ``eingereicht``, ``freigegeben``,
        ``rueckfrage``); ``None`` for evidence that is not reviewed (returned mail, OSM).
    """

    status: str
    observed_on: date
    source: str
    role: str
    expires_on: date | None = None
    detail: str = ""
    ref: str | None = None
    review_state: str | None = None

    def expired(self, today: date) -> bool:
        """Whether the evidence is past its expiry on ``today``."""
        return self.expires_on is not None and self.expires_on < today

    @property
    def unreleased(self) -> bool:
        """Whether this is a note a lead has not released yet.

        It counts all the same; every place that shows a risk based on it says so
        (:data:`UNRELEASED`).
        """
        return self.review_state is not None and self.review_state != "freigegeben"


@dataclass(frozen=True)
class Assessment:
    """Status, risk, reasons and suggested action for one address."""

    status: str
    risk: str
    reasons: list[str]
    action: str
    evidence: list[Evidence] = field(default_factory=list)
    contradicting: list[Evidence] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        """The status in German."""
        return STATUSES[self.status]

    @property
    def unreleased(self) -> bool:
        """Whether the risk rests on a note not released yet (a reason says so)."""
        return any(UNRELEASED in reason for reason in self.reasons)


def _agree(a: str, b: str) -> bool:
    """Whether two statuses say the same about delivery.

    A returned letter agrees with a missing, broken or unnamed box.
    """
    problems = HIGH_STATUSES | {"post_zurueck", "hausverwaltung"}
    if a == b:
        return True
    return a in problems and b in problems and "hausverwaltung" not in (a, b)


def current_status(evidence: Iterable[Evidence], today: date) -> tuple[str, list, list]:
    """The current status: the latest unexpired evidence, or ``widerspruechlich``.

    Returns
    -------
    tuple
        ``(status, current evidence (newest first), contradicting evidence)``.
    """
    valid = sorted(
        (e for e in evidence if not e.expired(today)),
        key=lambda e: e.observed_on,
        reverse=True,
    )
    if not valid:
        return "unbekannt", [], []
    latest = valid[0]
    window = add_months(latest.observed_on, -CONTRADICTION_MONTHS)
    recent = [e for e in valid if e.observed_on >= window]
    against = [e for e in recent if not _agree(e.status, latest.status)]
    if against:
        return "widerspruechlich", [latest], against
    return latest.status, valid, []


def _label_day(day: date) -> str:
    """A day in German notation (``TT.MM.JJJJ``)."""
    return day.strftime("%d.%m.%Y")


#: How :func:`sozialraum.services.mailbox_returns.return_evidence` starts the detail of a
#: returned letter.
RETURNED_DETAIL_PREFIX = "Rückläufer: "


def _returned_reason(evidence: Evidence) -> str | None:
    """The fixed-set label of a returned letter's reason (never any other text)."""
    if evidence.source != "rueckläufer":
        return None
    label = evidence.detail.removeprefix(RETURNED_DETAIL_PREFIX)
    return label if label in RETURN_REASONS.values() else None


def _who(evidence: Evidence) -> str:
    """The evidence's role, with :data:`UNRELEASED` for a note not released yet."""
    return f"{evidence.role}, {UNRELEASED}" if evidence.unreleased else evidence.role


def assess(
    evidence: Iterable[Evidence],
    today: date,
    *,
    communal: bool | str = False,
    actions: dict[str, str] | None = None,
) -> Assessment:
    """Status, risk level with reasons in words, and the suggested action.

    Rules: **hoch** for fehlt, defekt, ohne Namen, or returned mail within 6 months;
    **mittel** for an unknown status in communal accommodation, contradicting evidence,
    or evidence past its expiry (also returned mail 6–12 months ago, post via the caretaker);
    **niedrig** for a mailbox seen present within 12 months; else **unbekannt** (also a
    mailbox last seen more than 12 months ago whose evidence has not expired yet).

    Parameters
    ----------
    evidence : iterable of Evidence
        Everything known about the address.
    today : datetime.date
        The day of the check.
    communal : bool or str
        The address is communal accommodation (OSM shelter/refugee housing, dormitory);
        a text names its kind (see :func:`communal_label`).
    actions : dict, optional
        Suggested action per risk level (default: :func:`load_actions`).
    """
    evidence = list(evidence)
    actions = actions or load_actions()
    status, current, against = current_status(evidence, today)
    returned = [
        e
        for e in evidence
        if e.status == "post_zurueck" and e.observed_on >= add_months(today, -RETURNED_MAIL_MONTHS)
    ]
    reasons = _high_risk_reasons(status, current, returned)
    if reasons:
        risk = "hoch"
    else:
        expired = [e for e in evidence if e.expired(today)]
        risk, reasons = _lower_risk(status, current, against, expired, communal, today)
    return Assessment(status, risk, reasons, actions[risk], current, against)


def _high_risk_reasons(status: str, current: list[Evidence], returned: list[Evidence]) -> list:
    """Why the risk is high (empty: it is not).

    A missing, broken or unnamed box, returned mail within :data:`RETURNED_MAIL_MONTHS`
    (``returned``).
    """
    reasons = []
    if status in HIGH_STATUSES:
        reasons.append(
            f"Briefkasten {STATUSES[status]} (festgestellt am {_label_day(current[0].observed_on)}"
            f", Quelle: {_who(current[0])})."
        )
    if returned:
        newest = max(returned, key=lambda e: e.observed_on)
        last = newest.observed_on
        pending = sum(e.unreleased for e in returned)
        marked = f"; {pending} davon {UNRELEASED}" if pending else ""
        why = _returned_reason(newest)
        reasons.append(
            f"Post kam in den letzten {RETURNED_MAIL_MONTHS} Monaten zurück "
            f"({len(returned)}×, zuletzt am {_label_day(last)}"
            f"{f', Grund: {why}' if why else ''}{marked})."
        )
    return reasons


def _lower_risk(
    status: str,
    current: list[Evidence],
    against: list[Evidence],
    expired: list[Evidence],
    communal: bool | str,
    today: date,
) -> tuple[str, list[str]]:
    """The risk level (mittel, niedrig or unbekannt) and its reason when it is not high."""
    if status == "widerspruechlich":
        return "mittel", [
            "Widersprüchliche Angaben: "
            + "; ".join(
                f"{STATUSES[e.status]} am {_label_day(e.observed_on)} ({_who(e)})"
                for e in [*current, *against]
            )
            + "."
        ]
    if status == "unbekannt" and communal:
        kind = f" ({communal})" if isinstance(communal, str) else ""
        return "mittel", [f"Gemeinschaftsunterkunft{kind} ohne bekannten Briefkasten-Zustand."]
    if status == "unbekannt" and expired:
        newest = max(expired, key=lambda e: e.observed_on)
        return "mittel", [
            f"Letzte Angabe ({STATUSES[newest.status]}, {_label_day(newest.observed_on)}, "
            f"{_who(newest)}) ist abgelaufen und müsste neu geprüft werden."
        ]
    if status == "unbekannt":
        return "unbekannt", ["Zu dieser Adresse ist nichts über den Briefkasten bekannt."]
    seen = _label_day(current[0].observed_on)
    if status == "vorhanden" and current[0].observed_on >= add_months(today, -VERIFIED_MONTHS):
        return "niedrig", [f"Briefkasten vorhanden (gesehen am {seen}, {_who(current[0])})."]
    if status == "vorhanden":  # seen, not expired, but longer ago than VERIFIED_MONTHS
        return "unbekannt", [
            f"Briefkasten zuletzt am {seen} gesehen "
            f"({_who(current[0])}, vor mehr als {VERIFIED_MONTHS} Monaten); für eine "
            "sichere Aussage neu prüfen."
        ]
    if status == "post_zurueck":
        return "mittel", [
            f"Post kam am {seen} zurück (vor mehr als "
            f"{RETURNED_MAIL_MONTHS} Monaten, {_who(current[0])}); Briefkasten neu prüfen."
        ]
    if status == "hausverwaltung":
        return "mittel", [
            f"Post wird über die Hausverwaltung verteilt (festgestellt am {seen}, "
            f"{_who(current[0])})."
        ]
    return "unbekannt", []


def load_actions(extra_file: Path | None = None) -> dict[str, str]:
    """The suggested action per risk level from the rules file(s).

    Raises
    ------
    ConfigError
        If a file is unreadable, a level unknown or an action empty.
    """
    actions: dict[str, str] = {}
    for path in (DEFAULT_RULES_FILE, extra_file):
        if path is None or not Path(path).exists():
            continue
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read mailbox rules {path}: {exc}") from None
        table = data.get("action", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: expected an [action] table")
        for level, text in table.items():
            if level not in RISK_LEVELS:
                raise ConfigError(f"{path}: unknown risk level {level!r}; use {RISK_LEVELS}")
            if not isinstance(text, str) or not text.strip():
                raise ConfigError(f"{path}: the action for {level!r} must be a non-empty text")
            actions[level] = text.strip()
    missing = [level for level in RISK_LEVELS if level not in actions]
    if missing:
        raise ConfigError(f"mailbox rules: no action for {missing}")
    return actions
