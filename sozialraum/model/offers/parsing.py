"""Parsing an offer's fields as entered (forms, JSON, CSV cells), with German messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from sozialraum.errors import InvalidInput
from sozialraum.model.offers.vocabulary import FIELD_LABELS, LIST_FIELDS


def parse_text(value: object, name: str, limit: int, *, required: bool = False) -> str:
    """A text field trimmed (``""`` if empty).

    :class:`InvalidInput` (German) if required and missing, not text, longer than ``limit``
    characters or holding control characters.
    """
    label = FIELD_LABELS[name]
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{label}: bitte angeben.")
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}: bitte einen Text angeben.")
    text = value.replace("\r\n", "\n").strip()
    if required and not text:
        raise InvalidInput(f"{label}: bitte angeben.")
    if len(text) > limit:
        raise InvalidInput(f"{label}: zu lang ({len(text)} Zeichen, höchstens {limit}).")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InvalidInput(f"{label}: enthält Steuerzeichen.")
    return text


def label_lookup(vocabulary: Mapping[str, str]) -> dict[str, str]:
    """Case-folded ids, labels and short labels (before " (") → id, for typed input."""
    lookup = {}
    for key, label in vocabulary.items():
        for form in (label.split(" (")[0], label, key):
            lookup[form.casefold()] = key
    return lookup


def parse_ids(value: object, name: str) -> list[str]:
    """The ids of list field ``name`` (:data:`LIST_FIELDS`).

    Given as a list or as text split by ``|``, ``,`` or ``;``, by id or German label; duplicates
    dropped, order kept.
    """
    vocabulary, label = LIST_FIELDS[name]
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[|,;]", value)]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{label}: bitte eine Liste angeben.")
    by_label = label_lookup(vocabulary)
    found: list[str] = []
    for item in value:
        key = item.strip()
        if not key:
            continue
        resolved = key if key in vocabulary else by_label.get(key.casefold())
        if resolved is None:
            raise InvalidInput(
                f"{label}: „{key[:40]}“ ist unbekannt; möglich sind: "
                + ", ".join(vocabulary.values())
            )
        if resolved not in found:
            found.append(resolved)
    return found


_GERMAN_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_offer_day(value: object, label: str) -> date:
    """A day as German ``TT.MM.JJJJ`` (``1.10.2026`` too) or ISO ``JJJJ-MM-TT``.

    Raises
    ------
    InvalidInput
        A German message: for a day that does not exist (``31.02.2026``) it names the
        date ("gültig bis: den 31.02.2026 gibt es nicht"), otherwise the two formats.
    """
    text = value.strip() if isinstance(value, str) else ""
    german, iso = _GERMAN_DAY.match(text), _ISO_DAY.match(text)
    if german:
        day, month, year = (int(v) for v in german.groups())
    elif iso:
        year, month, day = (int(v) for v in iso.groups())
    else:
        shown = f"„{text[:20]}“" if text else "das Feld"
        raise InvalidInput(f"{label}: {shown} ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{label}: den {text} gibt es nicht.") from None


def parse_day_field(value: object, name: str) -> date | None:
    """Field ``name`` as a day (see :func:`parse_offer_day`); ``None`` if empty."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return parse_offer_day(value, FIELD_LABELS[name])


def parse_yes_no(value: object, name: str) -> bool:
    """Field ``name`` as yes/no (``ja``/``nein`` and the like; empty: no)."""
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    if isinstance(value, str) and value.strip().casefold() in ("ja", "yes", "true", "1", "x"):
        return True
    if isinstance(value, str) and value.strip().casefold() in ("nein", "no", "false", "0"):
        return False
    raise InvalidInput(f"{FIELD_LABELS[name]}: bitte ja oder nein angeben.")


def parse_point(data: Mapping) -> tuple[float | None, float | None]:
    """``lon``/``lat`` of ``data`` as degrees (EPSG:4326, six decimals).

    ``(None, None)`` if both are empty; :class:`InvalidInput` (German) for text that is no number or
    out of range.
    """
    lon, lat = data.get("lon"), data.get("lat")
    if lon in (None, "") and lat in (None, ""):
        return None, None
    values = []
    for value, name, low, high in ((lon, "lon", -180, 180), (lat, "lat", -90, 90)):
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                raise InvalidInput(f"{FIELD_LABELS[name]}: bitte eine Zahl angeben.") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InvalidInput(f"{FIELD_LABELS[name]}: bitte eine Zahl angeben.")
        if not low <= value <= high:
            raise InvalidInput(f"{FIELD_LABELS[name]} muss zwischen {low} und {high} liegen.")
        values.append(round(float(value), 6))
    return values[0], values[1]
