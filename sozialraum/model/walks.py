"""Walks (Sozialraumerkundungen): input checks and the checklist per stop (pure).

A walk belongs to a district; its stops are resources, addresses, notes or free points
(lon/lat degrees, EPSG:4326), kept in the order the walk takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sozialraum.errors import InvalidInput

STOP_KINDS = ("resource", "address", "note", "point")
MAX_TITLE_CHARS = 120
MAX_PURPOSE_CHARS = 1000
MAX_PARTICIPANTS_CHARS = 300
MAX_LABEL_CHARS = 120

#: What to look at, per stop: by resource category, for addresses, for notes, else default.
CHECKLISTS: dict[str, tuple[str, ...]] = {
    "address": (
        "Briefkasten vorhanden?",
        "Namen dran?",
        "Klingelschilder vollständig?",
        "Post über Hausverwaltung?",
    ),
    "post_box": ("Leerungszeiten aushängend?", "Gut erreichbar (Stufen, Licht)?"),
    "post_office": ("Öffnungszeiten?", "Aushang möglich?", "Ansprechperson / Rolle?"),
    "place_of_worship": ("Ansprechperson / Rolle?", "Räume für Gruppen?", "Aushang möglich?"),
    "social_facility": ("Angebote und Zeiten?", "Ansprechperson / Rolle?", "Barrierefrei?"),
    "community_centre": ("Angebote und Zeiten?", "Räume für Gruppen?", "Aushang möglich?"),
    "stop": ("Linien und Takt?", "Barrierefrei?", "Beleuchtung?"),
    "playground": ("Zustand?", "Wer ist hier (Rollen)?", "Treffpunkt?"),
    "note": ("Noch aktuell?", "Was hat sich geändert?"),
    "briefkasten": (
        "Briefkasten noch so wie notiert?",
        "Namen dran?",
        "Post über Hausverwaltung?",
    ),
    "default": ("Aushang möglich?", "Ansprechperson / Rolle?", "Treffpunkt?"),
}


def checklist(kind: str, categories: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The checklist of a stop: by its first category with a list, else by kind."""
    for category in categories:
        if category in CHECKLISTS:
            return CHECKLISTS[category]
    if kind in ("address", "note"):
        return CHECKLISTS[kind]
    return CHECKLISTS["default"]


@dataclass(frozen=True)
class WalkInput:
    """A walk's details as a user entered them, checked."""

    title: str
    walk_on: date
    district: str
    purpose: str
    participants: str


def _text(data: Mapping, key: str, label: str, limit: int, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}: bitte Text eingeben.")
    value = " ".join(value.split()) if key != "purpose" else value.strip()
    if required and not value:
        raise InvalidInput(f"{label}: bitte ausfüllen.")
    if len(value) > limit:
        raise InvalidInput(f"{label}: höchstens {limit} Zeichen.")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):  # NUL, escape codes
        raise InvalidInput(f"{label}: enthält Steuerzeichen.")
    return value


def check_walk_input(data: Mapping) -> WalkInput:
    """Check a walk's title, date (``walk_on``, ISO), district, purpose and participants.

    Raises
    ------
    InvalidInput
        With a German message naming the field.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("Der Rundgang muss ein JSON-Objekt sein.")
    title = _text(data, "title", "Titel", MAX_TITLE_CHARS, required=True)
    raw_day = data.get("walk_on")
    if not isinstance(raw_day, str) or not raw_day.strip():
        raise InvalidInput("Datum: bitte angeben (JJJJ-MM-TT).")
    try:
        walk_on = date.fromisoformat(raw_day.strip())
    except ValueError:
        raise InvalidInput("Datum: bitte im Format JJJJ-MM-TT angeben.") from None
    district = data.get("district")
    if not isinstance(district, str) or not district:
        raise InvalidInput("Bezirk: bitte wählen.")
    return WalkInput(
        title=title,
        walk_on=walk_on,
        district=district,
        purpose=_text(data, "purpose", "Anlass", MAX_PURPOSE_CHARS),
        participants=_text(data, "participants", "Teilnehmende (Rollen)", MAX_PARTICIPANTS_CHARS),
    )
