"""Checking an offer as entered and normalising it (:func:`check_offer_input`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sozialraum.errors import InvalidInput
from sozialraum.model.offers.ages import parse_age
from sozialraum.model.offers.parsing import (
    parse_day_field,
    parse_ids,
    parse_point,
    parse_text,
    parse_yes_no,
)
from sozialraum.model.offers.vocabulary import (
    CHECKED_BY_ROLES,
    CONDITIONS,
    FIELD_LABELS,
    FIELDS,
    LIST_FIELDS,
    MAX_NAME_CHARS,
    MAX_SHORT_CHARS,
    MAX_TEXT_CHARS,
    TEXT_LANGUAGES,
)

_PHONE = re.compile(r"^[0-9+()/ .\-]{3,40}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_WEB = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s<>\"']*)?$")


@dataclass(frozen=True)
class OfferInput:
    """A checked offer: properties (JSON-ready) and its point (``None``: region-wide).

    Attributes
    ----------
    properties : dict
        Keys of :data:`FIELDS`; dates as ISO strings, lists of ids.
    lon, lat : float or None
        Degrees (EPSG:4326); both ``None`` for a region-wide offer.
    """

    properties: dict
    lon: float | None
    lat: float | None

    def feature(self) -> dict:
        """The offer as a GeoJSON Feature (null geometry when region-wide)."""
        geometry = (
            None if self.lon is None else {"type": "Point", "coordinates": [self.lon, self.lat]}
        )
        return {"type": "Feature", "geometry": geometry, "properties": dict(self.properties)}


def check_offer_input(data: Mapping, today: date) -> OfferInput:
    """Check an offer as entered (form, JSON, CSV row, GeoJSON properties) and normalise it.

    Parameters
    ----------
    data : mapping
        Keys of :data:`FIELDS` plus ``lon``/``lat`` (degrees, EPSG:4326). Lists may be
        given as lists or as text separated by ``|``, ``,`` or ``;``, by id or German label.
        Either a point or ``region_wide`` true, not both.
    today : datetime.date
        ``checked_on`` may not lie after it.

    Returns
    -------
    OfferInput

    Raises
    ------
    InvalidInput
        With a German message naming the field and the first problem.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("Das Angebot muss ein JSON-Objekt sein.")
    unknown = sorted(set(data) - {*FIELDS, "lon", "lat"})
    if unknown:
        raise InvalidInput(f"Unbekannte Felder: {', '.join(map(str, unknown))[:200]}")
    props: dict = {
        "name": parse_text(data.get("name"), "name", MAX_NAME_CHARS, required=True),
        "provider": parse_text(data.get("provider"), "provider", MAX_NAME_CHARS, required=True),
    }
    props.update(_checked_lists(data))
    props["description"] = parse_text(
        data.get("description"), "description", MAX_TEXT_CHARS, required=True
    )
    props["eligibility_note"] = parse_text(
        data.get("eligibility_note"), "eligibility_note", MAX_SHORT_CHARS
    )
    props.update(_checked_ages(data))
    props["opening_hours"] = parse_text(data.get("opening_hours"), "opening_hours", MAX_SHORT_CHARS)
    props.update(_checked_contact(data))
    lon, lat, props["region_wide"] = _checked_place(data)
    props.update(_checked_dates(data, today))
    props.update(_checked_translations(data))
    return OfferInput(props, lon, lat)


def _checked_translations(data: Mapping) -> dict:
    """Name and description in the other handout languages (optional, as written by people).

    Only the texts given are kept (``name_ar``, ``description_ar``, …, see
    :data:`TEXT_LANGUAGES`); an offer without them prints its German text on handouts.
    """
    props = {}
    for suffix in TEXT_LANGUAGES.values():
        for field, limit in (("name", MAX_NAME_CHARS), ("description", MAX_TEXT_CHARS)):
            key = f"{field}_{suffix}"
            text = parse_text(data.get(key), key, limit)
            if text:
                props[key] = text
    return props


def _checked_lists(data: Mapping) -> dict:
    """The list fields.

    At least one funder, German if no language, no contradicting employment conditions.
    """
    props = {name: parse_ids(data.get(name), name) for name in LIST_FIELDS}
    if not props["funders"]:
        raise InvalidInput("Förderer: bitte mindestens einen angeben.")
    if not props["languages"]:
        props["languages"] = ["de"]
    employed = {c for c in props["eligibility"] if CONDITIONS[c].fact == "employed"}
    if len(employed) > 1:
        raise InvalidInput(
            "Voraussetzungen: „bestehendes Arbeitsverhältnis erforderlich“ und „nur für "
            "Menschen ohne Arbeitsverhältnis“ schließen sich aus."
        )
    return props


def _checked_ages(data: Mapping) -> dict:
    """The age limit in whole years (``max_age_years`` not below ``min_age_years``)."""
    props = {
        name: parse_age(data.get(name), FIELD_LABELS[name])
        for name in ("min_age_years", "max_age_years")
    }
    if (
        props["min_age_years"] is not None
        and props["max_age_years"] is not None
        and props["max_age_years"] < props["min_age_years"]
    ):
        raise InvalidInput("Alter bis: die Zahl liegt unter „Alter von“.")
    return props


def _checked_contact(data: Mapping) -> dict:
    """Address, phone, e-mail and web; at least one of them."""
    props = {"address": parse_text(data.get("address"), "address", MAX_SHORT_CHARS)}
    for name, pattern in (("phone", _PHONE), ("email", _EMAIL), ("web", _WEB)):
        value = parse_text(data.get(name), name, 300)
        if value and not pattern.match(value):
            raise InvalidInput(f"{FIELD_LABELS[name]}: „{value[:60]}“ ist keine gültige Angabe.")
        props[name] = value
    if not (props["phone"] or props["email"] or props["web"] or props["address"]):
        raise InvalidInput("Kontakt: bitte Telefon, E-Mail, Web oder Adresse angeben.")
    return props


def _checked_place(data: Mapping) -> tuple[float | None, float | None, bool]:
    """The point (degrees, EPSG:4326) or region-wide: exactly one of them."""
    lon, lat = parse_point(data)
    region_wide = parse_yes_no(data.get("region_wide"), "region_wide")
    if region_wide and lon is not None:
        raise InvalidInput("Ort: ein gebietsweites Angebot hat keinen Punkt auf der Karte.")
    if not region_wide and lon is None:
        raise InvalidInput("Ort: bitte einen Punkt angeben oder „gebietsweit“ wählen.")
    return lon, lat, region_wide


def _checked_dates(data: Mapping, today: date) -> dict:
    """Validity and the last check (ISO days; a check not after ``today``, by a role)."""
    valid_from = parse_day_field(data.get("valid_from"), "valid_from")
    valid_to = parse_day_field(data.get("valid_to"), "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise InvalidInput("gültig bis: das Datum liegt vor „gültig ab“.")
    checked_on = parse_day_field(data.get("checked_on"), "checked_on")
    if checked_on and checked_on > today:
        raise InvalidInput("zuletzt geprüft am: das Datum liegt in der Zukunft.")
    checked_by = data.get("checked_by") or ""
    if checked_by and checked_by not in CHECKED_BY_ROLES:
        by_label = {v.casefold(): k for k, v in CHECKED_BY_ROLES.items()}
        checked_by = by_label.get(str(checked_by).strip().casefold())
        if checked_by is None:
            raise InvalidInput(
                "geprüft von: bitte eine Rolle angeben ("
                + ", ".join(CHECKED_BY_ROLES.values())
                + "), keinen Namen."
            )
    if checked_on and not checked_by:
        raise InvalidInput("geprüft von: bitte die Rolle angeben, die geprüft hat.")
    return {
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_to": valid_to.isoformat() if valid_to else None,
        "checked_on": checked_on.isoformat() if checked_on else None,
        "checked_by": checked_by or None,
    }
