"""The mailbox check: match addresses, gather evidence, assess the delivery risk (no Flask).

Uploaded lists are processed in memory only: nothing of them is written to the data
folder, the audit log or any log. Errors carry an English message (CLI, API ``detail``)
and a German one (``german``, for the web pages); neither repeats a row's content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sozialraum import settings
from sozialraum.analysis.matching import MATCH_LABELS, AddressMatcher, Match
from sozialraum.model.addresses import address_key
from sozialraum.model.mailbox import (
    OSM_EVIDENCE_MONTHS,
    STATUSES,
    Assessment,
    Evidence,
    assess,
    load_actions,
)
from sozialraum.model.notes import MAILBOX_CATEGORY, add_months
from sozialraum.model.review import STATES as REVIEW_LABELS
from sozialraum.services.exports import csv_line, csv_row
from sozialraum.services.uploads import AddressTable, address_values, match_address
from sozialraum.store.base import Store

#: Whether the reader may see a note, given its properties (see ``fieldnotes.visible``).
NoteFilter = Callable[[Mapping], bool]

#: Columns the check adds to a CSV (stable names, documented in the README).
ADDED_COLUMNS = (
    "match_kind",
    "match_score",
    "matched_street",
    "matched_housenumber",
    "matched_postcode",
    "mailbox_status",
    "risk",
    "reasons",
    "action",
)


def evidence_index(
    store: Store, area: str, today: date, visible: NoteFilter | None = None
) -> dict[str, list[Evidence]]:
    """Evidence per address key: mailbox observations and returned-mail records of the area.

    Mailbox observations are field notes; OSM letterboxes are on the address itself, see
    :func:`osm_evidence`.

    ``visible`` (a note's properties → bool) says which notes the reader may see (their
    own team's; released ones for viewers): the others still count for the risk, but
    without their text or id. An expired observation still counts (it makes the risk
    "mittel") but without its text: expired notes are not shown anywhere. A note not
    released yet counts too; its evidence carries the review state.

    Evidence about a house is found however it was recorded: an observation without an
    address (set on the map before every mailbox note had to name one, and not yet tied
    by ``sozialraum notes tie-addresses``) counts for the nearest address within
    ``fieldnotes.TIE_RADIUS_M`` metres, the rule new notes are tied by.
    """
    from sozialraum.services.mailbox_returns import LAYER as RETURNS
    from sozialraum.services.mailbox_returns import is_withdrawn, return_evidence

    index: dict[str, list[Evidence]] = {}
    for record in store.query(area, RETURNS):
        if is_withdrawn(record):
            continue  # a lead withdrew it: a wrong record counts nowhere
        index.setdefault(record["properties"]["address_key"], []).append(return_evidence(record))
    for note in store.query(area, "notes", category=MAILBOX_CATEGORY):
        props = note["properties"]
        key, status = props.get("address_key"), props.get("mailbox_status")
        if not status or props.get("review_state") == "archiviert":
            continue  # an archived observation was set aside by the team's lead
        key = key or _untied_key(store, area, note)
        if not key:
            continue
        try:
            observed = date.fromisoformat(props["observed_on"])
            expires = date.fromisoformat(props["expires_on"]) if props.get("expires_on") else None
        except ValueError:
            continue
        # expired evidence is kept: it makes the risk "mittel" (re-check), see assess();
        # a note the reader may not see (another team's, a draft for viewers) still counts
        # for the risk of a letter, but without its text and without a link to it
        shown = visible is None or visible(props)
        text = props.get("text", "") if shown and (expires is None or expires >= today) else ""
        index.setdefault(key, []).append(
            Evidence(
                status, observed, "notiz", "Fachkraft", expires, text,
                note["id"] if shown else None, props.get("review_state") or "entwurf",
            )
        )  # fmt: skip
    return index


def _untied_key(store: Store, area: str, note: dict) -> str | None:
    """The key of the nearest address within ``TIE_RADIUS_M`` of a note without one."""
    from sozialraum.services.notes import TIE_RADIUS_M, nearest_addresses

    lon, lat = note["geometry"]["coordinates"][:2]
    found = nearest_addresses(store, area, lon, lat, radius_m=TIE_RADIUS_M, limit=1)
    return found[0]["key"] if found else None


def osm_evidence(props: dict) -> list[Evidence]:
    """An OSM letterbox on an address (``letter_box_on`` set at import) as evidence."""
    if not props.get("letter_box_on"):
        return []
    seen = date.fromisoformat(props["letter_box_on"])
    return [
        Evidence(
            "vorhanden", seen, "osm", "OpenStreetMap", add_months(seen, OSM_EVIDENCE_MONTHS),
            "In OpenStreetMap als Briefkasten (amenity=letter_box) eingetragen.",
            props.get("letter_box_ref"),
        )
    ]  # fmt: skip


@dataclass
class CheckResult:
    """One checked address: the match, (if matched) the assessment and all its evidence."""

    match: Match
    assessment: Assessment | None
    evidence: list[Evidence] = field(default_factory=list)


def check_address(evidence, match: Match, today: date, actions, memo=None) -> CheckResult:
    """Assess a matched address (unmatched ones get no assessment).

    ``memo`` (a dict kept by the caller for one list) holds the assessment per address, so
    an address that appears in many rows is assessed once.
    """
    if match.feature is None:
        return CheckResult(match, None)
    props = match.feature["properties"]
    key = props.get("key") or address_key(
        props["street"], props["housenumber"], props.get("postcode")
    )
    if memo is not None and key in memo:
        return CheckResult(match, *memo[key])
    known = [*evidence.get(key, []), *osm_evidence(props)]
    communal = props.get("communal") or False
    found = assess(known, today, communal=communal, actions=actions)
    assessed = (found, sorted(known, key=lambda e: e.observed_on, reverse=True))
    if memo is not None:
        memo[key] = assessed
    return CheckResult(match, *assessed)


def added_values(result: CheckResult) -> list[object]:
    """The values of :data:`ADDED_COLUMNS` for one row."""
    match, found = result.match, result.assessment
    props = match.feature["properties"] if match.feature else {}
    if found is None:
        reasons = match.reason or "Adresse nicht eindeutig gefunden."
        risk, status, action = "unbekannt", "", "Adresse prüfen (nicht eindeutig gefunden)."
    else:
        reasons, risk = " ".join(found.reasons), found.risk
        status, action = found.status_label, found.action
    return [
        match.kind,
        match.score,
        props.get("street", ""),
        props.get("housenumber", ""),
        props.get("postcode", ""),
        status,
        risk,
        reasons,
        action,
    ]


def _area_matcher(store: Store, area: str) -> AddressMatcher:
    from sozialraum.services import areas as services

    return services.address_matcher(store, area)


def check_inputs(
    store: Store,
    area: str,
    inputs: list[tuple],
    *,
    actions=None,
    today=None,
    matcher=None,
    visible: NoteFilter | None = None,
):
    """Check addresses given as :func:`match_address` tuples.

    Returns the results in input order and the counts per risk level. Each distinct input is matched
    and assessed once (lists repeat addresses: several clients per house).

    ``matcher`` defaults to the area's cached :class:`AddressMatcher`; ``visible``
    filters the notes the reader may see (see :func:`evidence_index`).
    """
    today = today or settings.today()
    actions = actions or load_actions()
    matcher = matcher or _area_matcher(store, area)
    evidence = evidence_index(store, area, today, visible)
    memo: dict = {}
    results, counts = [], Counter()
    seen: dict[tuple, CheckResult] = {}
    for values in inputs:
        result = seen.get(values)
        if result is None:
            match = match_address(matcher, values)
            result = seen[values] = check_address(evidence, match, today, actions, memo)
        results.append(result)
        counts[result.assessment.risk if result.assessment else "unbekannt"] += 1
    return results, counts


def check_table(store: Store, area: str, table: AddressTable, **options):
    """Check every row of a list (see :func:`check_inputs` for options and result)."""
    return check_inputs(store, area, address_values(table), **options)


def result_csv(table: AddressTable, results: list[CheckResult], labels: bool = False) -> str:
    """The same CSV with :data:`ADDED_COLUMNS` appended (UTF-8 with BOM, same delimiter).

    Written by :func:`sozialraum.services.exports.csv_line` like every export (cells with either
    delimiter, a quote or a line break quoted; formulas neutralised per piece), extra columns pass
    through.

    ``labels`` (the web page's German download) adds ``match_label`` after
    ``match_kind``: the kind in German (genau, normalisiert, ähnlich, mehrdeutig, keine);
    ``match_kind`` itself stays machine-readable.
    """
    names = list(ADDED_COLUMNS)
    if labels:
        names.insert(1, "match_label")
    delimiter = table.delimiter
    lines = ["\ufeff", csv_line([*table.header, *names], delimiter)]
    width = len(table.header)
    added: dict[int, str] = {}  # per result: repeated rows share one (check_table)
    for row, result in zip(table.rows, results, strict=True):
        cells = row if len(row) == width else [*row, *[""] * (width - len(row))]
        if id(result) not in added:
            values = added_values(result)
            if labels:
                values.insert(1, MATCH_LABELS[result.match.kind])
            added[id(result)] = delimiter + csv_row(values, delimiter) + "\r\n"
        lines.append(csv_row(cells, delimiter) + added[id(result)])
    return "".join(lines)


def check_one(
    store: Store,
    area: str,
    *,
    line: str | None = None,
    address_id: str | None = None,
    actions=None,
    today: date | None = None,
    visible: NoteFilter | None = None,
) -> CheckResult:
    """Check one address given as a line or by its id in the area (a chosen suggestion).

    Nothing of it is stored or logged; ``visible`` as for :func:`evidence_index`.
    """
    today = today or settings.today()
    actions = actions or load_actions()
    if address_id is not None:
        match = Match("exact", 100, store.get(area, "addresses", address_id))
    else:
        match = match_address(_area_matcher(store, area), (line or "",))
    return check_address(evidence_index(store, area, today, visible), match, today, actions)


SOURCE_LABELS = {"notiz": "Notiz", "rueckläufer": "Rückläufer", "osm": "OpenStreetMap"}


def _address_record(feature: dict) -> dict:
    props = feature["properties"]
    label = f"{props['street']} {props['housenumber']}"
    if props.get("postcode") or props.get("city"):
        label += ", " + " ".join(p for p in (props.get("postcode"), props.get("city")) if p)
    return {
        "id": feature["id"],
        "street": props["street"],
        "housenumber": props["housenumber"],
        "postcode": props.get("postcode"),
        "city": props.get("city"),
        "label": label,
    }


def evidence_record(evidence: Evidence, today: date, contradicting: bool = False) -> dict:
    """One piece of evidence, JSON-ready (dates ISO 8601, labels in German).

    ``review_state`` is the review state of a note (``None`` for returned mail and OSM,
    which are not reviewed); ``unreleased`` is true for a note a lead has not released:
    it counts for the risk all the same.
    """
    return {
        "status": evidence.status,
        "status_label": STATUSES.get(evidence.status, evidence.status),
        "observed_on": evidence.observed_on.isoformat(),
        "expires_on": evidence.expires_on.isoformat() if evidence.expires_on else None,
        "expired": evidence.expired(today),
        "contradicting": contradicting,
        "source": evidence.source,
        "source_label": SOURCE_LABELS.get(evidence.source, evidence.source),
        "role": evidence.role,
        "detail": evidence.detail,
        "ref": evidence.ref,
        "review_state": evidence.review_state,
        "review_state_label": REVIEW_LABELS.get(evidence.review_state),
        "unreleased": evidence.unreleased,
    }


def result_record(result: CheckResult, today: date) -> dict:
    """A checked address, JSON-ready.

    Match, matched address, candidates, status, risk, reasons, action, communal accommodation,
    whether the risk rests on a note not released yet (``unreleased``) and every piece of evidence
    (newest first).
    """
    match, found = result.match, result.assessment
    record = {
        "match_kind": match.kind,
        "match_label": MATCH_LABELS[match.kind],
        "match_score": match.score,
        "match_reason": match.reason or None,
        "matched": _address_record(match.feature) if match.feature else None,
        "candidates": [_address_record(f) for f in match.candidates],
    }
    if found is None:
        return {
            **record,
            "mailbox_status": None,
            "mailbox_status_label": None,
            "risk": "unbekannt",
            "reasons": [match.reason or "Adresse nicht eindeutig gefunden."],
            "action": "Adresse prüfen (nicht eindeutig gefunden).",
            "communal": None,
            "unreleased": False,
            "evidence": [],
        }
    against = {id(e) for e in found.contradicting}
    return {
        **record,
        "mailbox_status": found.status,
        "mailbox_status_label": found.status_label,
        "risk": found.risk,
        "reasons": found.reasons,
        "action": found.action,
        "communal": match.feature["properties"].get("communal"),
        "unreleased": found.unreleased,
        "evidence": [evidence_record(e, today, id(e) in against) for e in result.evidence],
    }
