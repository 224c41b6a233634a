"""Field notes: categories, mailbox statuses, review states, expiry and input checks (pure).

A field note is a caseworker's observation at a point (lon/lat, EPSG:4326), optionally
linked to an address (by its normalised ``address_key``) or a resource (``osm_ref``).
Notes describe places, never clients: text is checked by :mod:`sozialraum.model.privacy`.

Note categories are configurable per municipality with ``note_categories.toml`` in the
instance folder (same pattern as ``categories.toml``)::

    [[category]]             # add a needle-method pin
    id = "lieblingsspielplatz"
    label = "Lieblingsspielplatz"
    kind = "needle"
    expiry_months = 24
    recheck_months = 12      # flagged for a re-check this long after the observation
    release_required = false # viewers see it before a lead released it

    [[category]]             # change the expiry of mailbox observations
    id = "briefkasten"
    expiry_months = 6

    [[category]]             # remove one
    id = "treffpunkt_jugendliche"
    enabled = false

``recheck_months`` (default 12, mailbox observations 6) is when a note is due for a
re-check; it stays visible until it expires. ``release_required`` (default true) hides
notes of the category from viewers until a team lead released them (four-eyes review).

``kind`` is ``note`` (an observation), ``needle`` (a pin of the needle method of a
Sozialraumanalyse) or ``mailbox`` (a mailbox observation with a status; only the
built-in ``briefkasten`` category has this kind).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sozialraum.errors import ConfigError, InvalidInput
from sozialraum.model._tables import IdTable, read_entries

MAX_TEXT_CHARS = 2000
MAX_EXPIRY_MONTHS = 60
#: How far back an observation date may lie (years).
MAX_OBSERVED_AGE_YEARS = 10

KINDS = ("note", "needle", "mailbox")
MAILBOX_CATEGORY = "briefkasten"

_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class NoteCategory:
    """A note category.

    Id, German label, kind, default expiry and re-check (months), map colour, and whether viewers
    only see released notes of it.
    """

    id: str
    label: str
    kind: str = "note"
    expiry_months: int = 24
    colour: str = "#555555"
    recheck_months: int = 12
    release_required: bool = True


DEFAULT_NOTE_CATEGORIES: tuple[NoteCategory, ...] = (
    NoteCategory("beobachtung", "Beobachtung", colour="#1f77b4"),
    NoteCategory("ressource", "Ressource", colour="#2ca02c"),
    NoteCategory("rolle", "Schlüsselperson/Rolle", colour="#9467bd"),
    NoteCategory("angebot", "Angebot", colour="#17becf"),
    NoteCategory("problem", "Problem/Barriere", colour="#d62728"),
    NoteCategory("treffpunkt", "Treffpunkt", colour="#ff7f0e"),
    NoteCategory(MAILBOX_CATEGORY, "Briefkasten", "mailbox", 12, "#b8860b", recheck_months=6),
    NoteCategory("lieblingsort", "Lieblingsort", "needle", colour="#e377c2"),
    NoteCategory("angstraum", "Angstraum", "needle", colour="#7f7f7f"),
    NoteCategory("treffpunkt_jugendliche", "Treffpunkt Jugendlicher", "needle", colour="#bcbd22"),
)

#: Mailbox statuses (id → German label) in the order the form offers them.
MAILBOX_STATUSES: dict[str, str] = {
    "vorhanden": "vorhanden",
    "fehlt": "fehlt",
    "defekt": "defekt",
    "ohne_namen": "ohne Namen",
    "hausverwaltung": "Post über Hausverwaltung",
    "post_zurueck": "Post kam zurück",
}

#: Review states a caseworker sets when writing a note; the four-eyes review
#: (:mod:`sozialraum.model.review`) moves it on. Editing a released note submits it again.
REVIEW_STATES: dict[str, str] = {"entwurf": "Entwurf", "eingereicht": "Eingereicht"}


class NoteCategories(IdTable):
    """The note categories of a municipality, in display order.

    Parameters
    ----------
    categories : iterable of NoteCategory
        Categories; ids must be unique and exactly one has kind ``mailbox``.
    """

    def __init__(self, categories: Iterable[NoteCategory]):
        super().__init__(categories, "note category")

    def labels(self) -> dict[str, str]:
        """``{id: German label}``."""
        return {c.id: c.label for c in self}


def _apply_override(base: dict[str, NoteCategory], entry: Mapping, source: Path) -> None:
    where = f"{source}: note category {entry.get('id')!r}"
    cat_id = entry.get("id")
    if not isinstance(cat_id, str) or not _ID.match(cat_id):
        raise ConfigError(f"{where}: 'id' must be lower-case letters, digits and _")
    unknown = set(entry) - {
        "id",
        "label",
        "kind",
        "expiry_months",
        "recheck_months",
        "release_required",
        "colour",
        "enabled",
    }
    if unknown:
        raise ConfigError(f"{where}: unknown fields {sorted(unknown)}")
    if entry.get("enabled", True) is False:
        if cat_id == MAILBOX_CATEGORY:
            raise ConfigError(f"{where}: mailbox observations cannot be switched off")
        base.pop(cat_id, None)
        return
    current = base.get(cat_id) or NoteCategory(cat_id, "")
    changes: dict = {}
    if "label" in entry:
        if not isinstance(entry["label"], str) or not 1 <= len(entry["label"].strip()) <= 60:
            raise ConfigError(f"{where}: 'label' must be a text of 1 to 60 characters")
        changes["label"] = entry["label"].strip()
    elif not current.label:
        raise ConfigError(f"{where}: a new category needs a 'label'")
    if "kind" in entry:
        kind = entry["kind"]
        if kind not in ("note", "needle") or (cat_id == MAILBOX_CATEGORY and kind != "mailbox"):
            raise ConfigError(f"{where}: 'kind' must be 'note' or 'needle'")
        changes["kind"] = kind
    for key in ("expiry_months", "recheck_months"):
        if key in entry:
            months = entry[key]
            if isinstance(months, bool) or not isinstance(months, int):
                raise ConfigError(f"{where}: '{key}' must be a whole number")
            if not 1 <= months <= MAX_EXPIRY_MONTHS:
                raise ConfigError(f"{where}: '{key}' must be 1 to {MAX_EXPIRY_MONTHS}")
            changes[key] = months
    if "release_required" in entry:
        if not isinstance(entry["release_required"], bool):
            raise ConfigError(f"{where}: 'release_required' must be true or false")
        changes["release_required"] = entry["release_required"]
    if "colour" in entry:
        if not isinstance(entry["colour"], str) or not _COLOUR.match(entry["colour"]):
            raise ConfigError(f"{where}: 'colour' must look like #1f77b4")
        changes["colour"] = entry["colour"]
    base[cat_id] = replace(current, **changes)


def load_note_categories(override_file: Path | None = None) -> NoteCategories:
    """Return the default note categories, changed by ``override_file`` if it exists.

    Parameters
    ----------
    override_file : pathlib.Path, optional
        A TOML file with ``[[category]]`` entries (see the module docstring).

    Returns
    -------
    NoteCategories

    Raises
    ------
    ConfigError
        If the file is unreadable or an entry is invalid (the message names it).
    """
    base = {cat.id: cat for cat in DEFAULT_NOTE_CATEGORIES}
    if override_file is None or not override_file.exists():
        return NoteCategories(base.values())
    for entry in read_entries(override_file, "category", "note category file"):
        _apply_override(base, entry, override_file)
    return NoteCategories(base.values())


def add_months(day: date, months: int) -> date:
    """Return ``day`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_expiry(category: NoteCategory, observed_on: date) -> date:
    """The day a note of ``category`` observed on ``observed_on`` expires by default."""
    return add_months(observed_on, category.expiry_months)


def recheck_due(properties: Mapping, categories: NoteCategories) -> date | None:
    """The day a note is due for a re-check.

    Observation plus its category's ``recheck_months``; ``None`` without a readable observation
    date.
    """
    try:
        observed_on = date.fromisoformat(properties.get("observed_on"))
    except (TypeError, ValueError):
        return None
    category = properties.get("category")
    months = categories[category].recheck_months if category in categories else 12
    return add_months(observed_on, months)


def is_stale(properties: Mapping, categories: NoteCategories, today: date) -> bool:
    """Whether a note is past its re-check day (archived notes never are)."""
    due = recheck_due(properties, categories)
    return due is not None and due < today and properties.get("review_state") != "archiviert"


def is_expired(properties: Mapping, today: date) -> bool:
    """Return whether a note has expired (its ``expires_on`` lies before ``today``).

    A note without a readable ``expires_on`` (older data) never expires.
    """
    value = properties.get("expires_on")
    if not isinstance(value, str):
        return False
    try:
        return date.fromisoformat(value) < today
    except ValueError:
        return False


def parse_day(value: object, field: str) -> date:
    """Parse an ISO date (``YYYY-MM-DD``); :class:`InvalidInput` (German) otherwise."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: bitte ein Datum im Format JJJJ-MM-TT angeben")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: „{value[:20]}“ ist kein gültiges Datum (JJJJ-MM-TT)"
        ) from None


#: The fields a user enters for a note, besides the point (``lon``, ``lat``).
INPUT_FIELDS = (
    "category",
    "text",
    "observed_on",
    "expires_on",
    "review_state",
    "mailbox_status",
    "address_id",
    "resource_id",
)


@dataclass(frozen=True)
class NoteInput:
    """A note as a user entered it, checked; point in lon/lat degrees (EPSG:4326)."""

    lon: float
    lat: float
    category: str
    text: str
    observed_on: date
    expires_on: date
    review_state: str
    mailbox_status: str | None = None
    address_id: str | None = None
    resource_id: str | None = None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("Bitte einen Text eingeben.")
    text = value.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("Bitte einen Text eingeben.")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"Der Text ist zu lang ({len(text):,} Zeichen, höchstens {MAX_TEXT_CHARS:,}).".replace(
                ",", "."
            )
        )
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InvalidInput("Der Text enthält Steuerzeichen.")
    return text


def _coordinate(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidInput(f"{name}: bitte eine Zahl angeben")
    if not low <= value <= high:
        raise InvalidInput(f"{name} muss zwischen {low} und {high} liegen")
    return float(value)


_REF = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _optional_ref(value: object, name: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _REF.match(value):
        raise InvalidInput(f"{name}: ungültige Kennung")
    return value


def check_note_input(data: Mapping, categories: NoteCategories, today: date) -> NoteInput:
    """Check a note entered by a user and fill in defaults.

    Parameters
    ----------
    data : mapping
        ``lon``, ``lat`` (degrees, EPSG:4326), ``category``, ``text``; optional
        ``observed_on`` (ISO date, default ``today``), ``expires_on`` (default by
        category), ``review_state`` (default ``entwurf``), ``mailbox_status`` (required
        for mailbox observations), ``address_id``, ``resource_id``.
    categories : NoteCategories
        The municipality's note categories.
    today : datetime.date
        The current day (observation dates may not lie after it).

    Returns
    -------
    NoteInput

    Raises
    ------
    InvalidInput
        With a German message naming the first problem.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("Die Notiz muss ein JSON-Objekt sein.")
    unknown = sorted(set(data) - {"lon", "lat", *INPUT_FIELDS})
    if unknown:
        raise InvalidInput(f"Unbekannte Felder: {', '.join(unknown)[:200]}")
    lon = _coordinate(data.get("lon"), "lon", -180, 180)
    lat = _coordinate(data.get("lat"), "lat", -90, 90)
    category_id = data.get("category")
    if not isinstance(category_id, str) or category_id not in categories:
        raise InvalidInput(
            f"Unbekannte Kategorie; möglich sind: {', '.join(categories.labels().values())}"
        )
    category = categories[category_id]
    text = _text(data.get("text"))
    observed_on = (
        parse_day(data["observed_on"], "Beobachtet am") if data.get("observed_on") else today
    )
    if observed_on > today:
        raise InvalidInput("Beobachtet am: das Datum liegt in der Zukunft.")
    if observed_on < add_months(today, -12 * MAX_OBSERVED_AGE_YEARS):
        raise InvalidInput(
            f"Beobachtet am: das Datum liegt mehr als {MAX_OBSERVED_AGE_YEARS} Jahre zurück."
        )
    if data.get("expires_on"):
        expires_on = parse_day(data["expires_on"], "Gültig bis")
        if expires_on <= observed_on:
            raise InvalidInput("Gültig bis: das Datum muss nach dem Beobachtungsdatum liegen.")
        if expires_on > add_months(observed_on, MAX_EXPIRY_MONTHS):
            raise InvalidInput(
                f"Gültig bis: höchstens {MAX_EXPIRY_MONTHS} Monate nach der Beobachtung."
            )
    else:
        expires_on = default_expiry(category, observed_on)
    review_state = data.get("review_state") or "entwurf"
    if review_state not in REVIEW_STATES:
        raise InvalidInput("Status: möglich sind Entwurf oder Eingereicht.")
    status = data.get("mailbox_status") or None
    if category.kind == "mailbox":
        if status not in MAILBOX_STATUSES:
            raise InvalidInput(
                "Briefkasten: bitte einen Zustand wählen ("
                + ", ".join(MAILBOX_STATUSES.values())
                + ")."
            )
    elif status is not None:
        raise InvalidInput("Einen Briefkasten-Zustand gibt es nur bei der Kategorie Briefkasten.")
    return NoteInput(
        lon=lon,
        lat=lat,
        category=category_id,
        text=text,
        observed_on=observed_on,
        expires_on=expires_on,
        review_state=review_state,
        mailbox_status=status,
        address_id=_optional_ref(data.get("address_id"), "address_id"),
        resource_id=_optional_ref(data.get("resource_id"), "resource_id"),
    )
