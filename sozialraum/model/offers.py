"""Support offers (Angebote): vocabularies, checking an offer, eligibility and matching (pure).

An offer is a support service in the region — e.g. a job-coaching project for severely
disabled jobseekers run by an employers' association and funded by the Integrationsamt from
the Ausgleichsabgabe. It has a place (a point, lon/lat degrees, EPSG:4326) or is region-wide
(no point). Offers describe services and their providers, never clients.

The finder matches a person's *situation* (target groups, legal circuit, languages,
employment, recognised disability, topics, age) against offers. The situation is an in-memory
object: it is never stored or logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sozialraum.errors import InvalidInput
from sozialraum.model import review
from sozialraum.model.notes import add_months

#: Funders (Förderer): id → German label.
FUNDERS = {
    "integrationsamt": "Integrationsamt (Ausgleichsabgabe)",
    "jobcenter": "Jobcenter",
    "agentur": "Agentur für Arbeit",
    "kommune": "Kommune",
    "esf": "ESF (Europäischer Sozialfonds)",
    "land": "Land",
    "bund": "Bund",
    "rentenversicherung": "Deutsche Rentenversicherung",
    "krankenkasse": "Krankenkasse",
    "stiftung": "Stiftung oder Spenden",
    "sonstige": "sonstige",
}

#: Legal bases (Rechtsgrundlage of the offer, also the person's legal circuit): id → label.
LEGAL_BASES = {
    "sgb2": "SGB II (Bürgergeld)",
    "sgb3": "SGB III (Arbeitsförderung)",
    "sgb8": "SGB VIII (Kinder- und Jugendhilfe)",
    "sgb9": "SGB IX (Rehabilitation und Teilhabe)",
    "sgb12": "SGB XII (Sozialhilfe)",
    "asylblg": "AsylbLG",
}

#: Target groups (Zielgruppen): id → label.
TARGET_GROUPS = {
    "schwerbehinderte": "schwerbehinderte Menschen",
    "gefluechtete": "Geflüchtete",
    "jugendliche": "Jugendliche und junge Erwachsene",
    "alleinerziehende": "Alleinerziehende",
    "langzeitarbeitslose": "Langzeitarbeitslose",
    "aeltere": "Ältere",
    "familien": "Familien mit Kindern",
    "zugewanderte": "Zugewanderte",
    "wohnungslose": "Wohnungslose",
    "pflegende": "pflegende Angehörige",
}

#: Target groups that follow from a person's age: id → (from, to) in whole years, inclusive,
#: ``None`` for open. "Jugendliche und junge Erwachsene" are young people under 27 (§ 7 SGB
#: VIII); "Ältere" are people from 50, as in the labour market's "50plus". An age given in the
#: finder puts the person into these groups even when they are not ticked; an offer's own age
#: limit (``min_age_years``/``max_age_years``) is checked separately and strictly.
TARGET_GROUP_AGES: dict[str, tuple[int | None, int | None]] = {
    "jugendliche": (None, 26),
    "aeltere": (50, None),
}

#: Bounds of an age in years (offers' age limits and the finder's age).
MIN_AGE_YEARS = 0
MAX_AGE_YEARS = 120

#: Topics (Themen) an offer helps with: id → label.
TOPICS = {
    "arbeit": "Arbeit und Beruf",
    "ausbildung": "Schule und Ausbildung",
    "sprache": "Deutsch lernen",
    "familie": "Familie und Kinder",
    "wohnen": "Wohnen",
    "geld": "Geld und Schulden",
    "gesundheit": "Gesundheit und Pflege",
    "beratung": "Beratung im Alltag",
    "begegnung": "Begegnung und Freizeit",
}

#: Languages an offer can be used in: id → label.
LANGUAGES = {
    "de": "Deutsch",
    "leicht": "Leichte Sprache",
    "dgs": "Gebärdensprache (DGS)",
    "en": "Englisch",
    "ar": "Arabisch",
    "tr": "Türkisch",
    "uk": "Ukrainisch",
    "ru": "Russisch",
    "pl": "Polnisch",
    "ro": "Rumänisch",
    "bg": "Bulgarisch",
    "fa": "Persisch (Farsi/Dari)",
    "ku": "Kurdisch",
    "ti": "Tigrinya",
    "so": "Somali",
    "fr": "Französisch",
    "es": "Spanisch",
    "sq": "Albanisch",
}

#: Roles that may be named as "checked by" (never a person's name).
CHECKED_BY_ROLES = {
    "teamleitung": "Teamleitung",
    "fachkraft": "Fachkraft",
    "sozialplanung": "Sozialplanung",
    "verwaltung": "Verwaltung",
    "traeger": "Träger (Selbstauskunft)",
}

#: Months after the last check an offer counts as unchecked (flagged, left out of handouts).
CHECK_MONTHS = 12

MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 2000
MAX_SHORT_CHARS = 300


@dataclass(frozen=True)
class Condition:
    """An eligibility condition of an offer.

    Attributes
    ----------
    id : str
    label : str
        For caseworkers (e.g. "anerkannte Schwerbehinderung erforderlich").
    plain : str
        Plain German for the citizen's handout.
    fact : str or None
        The situation fact it checks (``employed``, ``disability_recognised``, ``circuits``);
        ``None``: informational, always met.
    needs : object
        The value the fact must have (for ``circuits``: the circuit that must be among them).
    """

    id: str
    label: str
    plain: str
    fact: str | None
    needs: object = None


CONDITIONS: dict[str, Condition] = {
    c.id: c
    for c in (
        Condition(
            "schwerbehinderung_anerkannt",
            "anerkannte Schwerbehinderung erforderlich (GdB ab 50 oder Gleichstellung)",
            "Sie brauchen einen Schwerbehinderten-Ausweis oder eine Gleichstellung.",
            "disability_recognised",
            True,
        ),
        Condition(
            "arbeitsverhaeltnis_erforderlich",
            "bestehendes Arbeitsverhältnis erforderlich",
            "Sie brauchen eine Arbeitsstelle.",
            "employed",
            True,
        ),
        Condition(
            "ohne_arbeitsverhaeltnis",
            "nur für Menschen ohne Arbeitsverhältnis",
            "Das Angebot ist für Menschen ohne Arbeitsstelle.",
            "employed",
            False,
        ),
        Condition(
            "kein_arbeitsverhaeltnis_erforderlich",
            "kein Arbeitsverhältnis erforderlich",
            "Sie brauchen keine Arbeitsstelle.",
            None,
        ),
        Condition(
            "rechtskreis_sgb2",
            "nur bei Bezug von Bürgergeld (SGB II)",
            "Sie bekommen Bürgergeld vom Jobcenter.",
            "circuits",
            "sgb2",
        ),
        Condition(
            "rechtskreis_sgb3",
            "nur für Kundinnen und Kunden der Agentur für Arbeit (SGB III)",
            "Sie sind bei der Agentur für Arbeit gemeldet.",
            "circuits",
            "sgb3",
        ),
        Condition(
            "rechtskreis_sgb12",
            "nur bei Sozialhilfe (SGB XII)",
            "Sie bekommen Sozialhilfe.",
            "circuits",
            "sgb12",
        ),
        Condition(
            "rechtskreis_asylblg",
            "nur bei Leistungen nach dem AsylbLG",
            "Sie bekommen Leistungen nach dem Asylbewerberleistungsgesetz.",
            "circuits",
            "asylblg",
        ),
        Condition(
            "kostenlos",
            "kostenlos",
            "Das Angebot kostet nichts.",
            None,
        ),
    )
}

#: Property names of an offer (GeoJSON properties, CSV columns in this order).
FIELDS = (
    "name",
    "provider",
    "funders",
    "legal_bases",
    "target_groups",
    "eligibility",
    "eligibility_note",
    "min_age_years",
    "max_age_years",
    "description",
    "topics",
    "phone",
    "email",
    "web",
    "opening_hours",
    "languages",
    "address",
    "region_wide",
    "valid_from",
    "valid_to",
    "checked_on",
    "checked_by",
)

#: The fields that make an offer's statement (with its point): a change to any of them
#: puts the offer back to "to check". The check fields record when and by which role it
#: was last verified; they are no content.
CONTENT_FIELDS = tuple(f for f in FIELDS if f not in ("checked_on", "checked_by"))
#: The offer property that lists who changed the content since the last check.
EDITORS_FIELD = "edited_by"
#: The day an offer was archived (ISO); archived offers are left out of the finder,
#: handouts and maps and shown in the directory only with its filter.
ARCHIVED_FIELD = "archived_on"

#: Fields holding lists of ids, with their vocabularies and German names.
LIST_FIELDS: dict[str, tuple[dict[str, str], str]] = {
    "funders": (FUNDERS, "Förderer"),
    "legal_bases": (LEGAL_BASES, "Rechtsgrundlage"),
    "target_groups": (TARGET_GROUPS, "Zielgruppen"),
    "eligibility": ({k: c.label for k, c in CONDITIONS.items()}, "Voraussetzungen"),
    "topics": (TOPICS, "Themen"),
    "languages": (LANGUAGES, "Sprachen"),
}

#: German names of the fields (form labels, CSV headers, error messages).
FIELD_LABELS = {
    "name": "Name",
    "provider": "Träger",
    "funders": "Förderer",
    "legal_bases": "Rechtsgrundlage",
    "target_groups": "Zielgruppen",
    "eligibility": "Voraussetzungen",
    "eligibility_note": "Voraussetzungen (Hinweis)",
    "min_age_years": "Alter von",
    "max_age_years": "Alter bis",
    "description": "Angebot",
    "topics": "Themen",
    "phone": "Telefon",
    "email": "E-Mail",
    "web": "Web",
    "opening_hours": "Öffnungszeiten",
    "languages": "Sprachen",
    "address": "Adresse",
    "region_wide": "gebietsweit",
    "valid_from": "gültig ab",
    "valid_to": "gültig bis",
    "checked_on": "zuletzt geprüft am",
    "checked_by": "geprüft von",
    "lon": "Länge",
    "lat": "Breite",
}

_PHONE = re.compile(r"^[0-9+()/ .\-]{3,40}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_WEB = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s<>\"']*)?$")


def _short(value: object, name: str, limit: int, *, required: bool = False) -> str:
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


def _ids(value: object, name: str) -> list[str]:
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


def _day(value: object, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return parse_offer_day(value, FIELD_LABELS[name])


def parse_age(value: object, label: str) -> int | None:
    """A whole number of years from 0 to 120 (form text, CSV cell or JSON number).

    Parameters
    ----------
    value : object
        ``None`` or ``""``: not given. Text may have spaces and a trailing "Jahre".
    label : str
        German name for the message.

    Returns
    -------
    int or None

    Raises
    ------
    InvalidInput
        German message for anything but a whole number of years in range.
    """
    message = (
        f"{label}: bitte eine ganze Zahl von {MIN_AGE_YEARS} bis {MAX_AGE_YEARS} (Jahre) angeben."
    )
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(message)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = re.sub(r"\s*jahren?\s*$", "", value.strip(), flags=re.IGNORECASE)
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,3}", text):
            raise InvalidInput(message)
        value = int(text)
    if not isinstance(value, int) or not MIN_AGE_YEARS <= value <= MAX_AGE_YEARS:
        raise InvalidInput(message)
    return value


def age_limit_text(min_age_years: int | None, max_age_years: int | None) -> str:
    """An age limit in German words ("unter 25 Jahren", "ab 50 Jahren", "von 18 bis 26
    Jahren"); ``""`` without a limit. Both bounds are whole years, inclusive."""
    if min_age_years is None and max_age_years is None:
        return ""
    if min_age_years is None:
        return f"unter {max_age_years + 1} Jahren"
    if max_age_years is None:
        return f"ab {min_age_years} Jahren"
    if min_age_years == max_age_years:
        return f"mit {min_age_years} Jahren"
    return f"von {min_age_years} bis {max_age_years} Jahren"


def _age_limit(properties: Mapping) -> tuple[int | None, int | None]:
    """An offer's stored age limit (a damaged value counts as no limit)."""

    def whole(value):
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return whole(properties.get("min_age_years")), whole(properties.get("max_age_years"))


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    if isinstance(value, str) and value.strip().casefold() in ("ja", "yes", "true", "1", "x"):
        return True
    if isinstance(value, str) and value.strip().casefold() in ("nein", "no", "false", "0"):
        return False
    raise InvalidInput(f"{FIELD_LABELS[name]}: bitte ja oder nein angeben.")


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


def _point(data: Mapping) -> tuple[float | None, float | None]:
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
        "name": _short(data.get("name"), "name", MAX_NAME_CHARS, required=True),
        "provider": _short(data.get("provider"), "provider", MAX_NAME_CHARS, required=True),
    }
    for name in LIST_FIELDS:
        props[name] = _ids(data.get(name), name)
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
    props["description"] = _short(
        data.get("description"), "description", MAX_TEXT_CHARS, required=True
    )
    props["eligibility_note"] = _short(
        data.get("eligibility_note"), "eligibility_note", MAX_SHORT_CHARS
    )
    for name in ("min_age_years", "max_age_years"):
        props[name] = parse_age(data.get(name), FIELD_LABELS[name])
    if (
        props["min_age_years"] is not None
        and props["max_age_years"] is not None
        and props["max_age_years"] < props["min_age_years"]
    ):
        raise InvalidInput("Alter bis: die Zahl liegt unter „Alter von“.")
    props["opening_hours"] = _short(data.get("opening_hours"), "opening_hours", MAX_SHORT_CHARS)
    props["address"] = _short(data.get("address"), "address", MAX_SHORT_CHARS)
    for name, pattern in (("phone", _PHONE), ("email", _EMAIL), ("web", _WEB)):
        value = _short(data.get(name), name, 300)
        if value and not pattern.match(value):
            raise InvalidInput(f"{FIELD_LABELS[name]}: „{value[:60]}“ ist keine gültige Angabe.")
        props[name] = value
    if not (props["phone"] or props["email"] or props["web"] or props["address"]):
        raise InvalidInput("Kontakt: bitte Telefon, E-Mail, Web oder Adresse angeben.")
    lon, lat = _point(data)
    region_wide = _bool(data.get("region_wide"), "region_wide")
    if region_wide and lon is not None:
        raise InvalidInput("Ort: ein gebietsweites Angebot hat keinen Punkt auf der Karte.")
    if not region_wide and lon is None:
        raise InvalidInput("Ort: bitte einen Punkt angeben oder „gebietsweit“ wählen.")
    props["region_wide"] = region_wide
    valid_from = _day(data.get("valid_from"), "valid_from")
    valid_to = _day(data.get("valid_to"), "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise InvalidInput("gültig bis: das Datum liegt vor „gültig ab“.")
    checked_on = _day(data.get("checked_on"), "checked_on")
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
    props.update(
        valid_from=valid_from.isoformat() if valid_from else None,
        valid_to=valid_to.isoformat() if valid_to else None,
        checked_on=checked_on.isoformat() if checked_on else None,
        checked_by=checked_by or None,
    )
    return OfferInput(props, lon, lat)


# --- flags ---------------------------------------------------------------------------


def _iso(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def offer_editors(properties: Mapping) -> list[str]:
    """Everyone who wrote or changed an offer's content since it was last marked as
    checked (``edited_by``; offers written before it existed: nobody recorded)."""
    editors = properties.get(EDITORS_FIELD)
    if not isinstance(editors, list):
        return []
    return [name for name in editors if isinstance(name, str)]


def content_changed(before: Mapping | None, after: Mapping) -> bool:
    """Whether two versions of an offer (GeoJSON Features) differ in content.

    Compares :data:`CONTENT_FIELDS` (missing and empty are equal) and the point;
    ``before`` ``None`` (a new offer) always differs.
    """
    if before is None:
        return True
    return review.content_changed(before, after, CONTENT_FIELDS)


def editors_after(before: Mapping | None, after: Mapping, editor: str) -> list[str]:
    """``edited_by`` of ``after`` when ``editor`` writes it over ``before`` (Features).

    A content change adds the editor; otherwise the editors stay.
    """
    editors = offer_editors((before or {}).get("properties") or {})
    if content_changed(before, after) and editor not in editors:
        editors.append(editor)
    return editors


def check_due(properties: Mapping) -> date | None:
    """The day from which an offer counts as unchecked (``None``: never checked)."""
    checked = _iso(properties.get("checked_on"))
    return add_months(checked, CHECK_MONTHS) if checked else None


def offer_flags(properties: Mapping, today: date) -> dict:
    """What is wrong with an offer today.

    Returns
    -------
    dict
        ``ended`` (past ``valid_to``), ``not_yet`` (before ``valid_from``), ``unchecked``
        (never checked, last checked more than :data:`CHECK_MONTHS` ago, or changed since
        the last check), ``changed`` (who changed the content since the last check:
        another person must mark it as checked — four-eyes), ``archived`` (the day it was
        archived, ISO, or ``None``), ``labels`` (German texts for those) and ``handout``
        (whether it may go on a citizen's handout: neither ended, unchecked nor archived).
    """
    archived = _iso(properties.get(ARCHIVED_FIELD))
    valid_to, valid_from = _iso(properties.get("valid_to")), _iso(properties.get("valid_from"))
    due = check_due(properties)
    ended = valid_to is not None and valid_to < today
    not_yet = valid_from is not None and valid_from > today
    changed = offer_editors(properties)
    unchecked = due is None or due <= today or bool(changed)
    labels = []
    if archived:
        labels.append(f"archiviert am {archived:%d.%m.%Y}")
    if ended:
        labels.append(f"abgelaufen am {valid_to:%d.%m.%Y}")
    if not_yet:
        labels.append(f"beginnt am {valid_from:%d.%m.%Y}")
    if unchecked:
        labels.append(
            "noch nie geprüft"
            if due is None
            else f"seit über {CHECK_MONTHS} Monaten nicht geprüft "
            f"(zuletzt {_iso(properties['checked_on']):%d.%m.%Y})"
            if due <= today
            else f"geändert von {', '.join(changed)}, noch nicht von einer zweiten Person geprüft"
        )
    return {
        "ended": ended,
        "not_yet": not_yet,
        "unchecked": unchecked,
        "changed": changed,
        "archived": archived.isoformat() if archived else None,
        "labels": labels,
        "handout": not ended and not unchecked and not archived,
    }


# --- the finder ----------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """A person's situation as ticked in the finder; held in memory only, never stored.

    Attributes
    ----------
    target_groups, circuits, languages, topics : frozenset of str
        Ids from :data:`TARGET_GROUPS`, :data:`LEGAL_BASES`, :data:`LANGUAGES`,
        :data:`TOPICS`. Empty: not asked (no filter).
    employed : bool or None
        Has a job (``None``: unknown).
    disability_recognised : bool or None
        Recognised severe disability (GdB ≥ 50) or equal status (``None``: unknown).
    age_years : int or None
        Age in whole years (``None``: unknown). Offers with an age limit are then listed
        to clarify, never simply fitting.
    """

    target_groups: frozenset = field(default_factory=frozenset)
    circuits: frozenset = field(default_factory=frozenset)
    languages: frozenset = field(default_factory=frozenset)
    topics: frozenset = field(default_factory=frozenset)
    employed: bool | None = None
    disability_recognised: bool | None = None
    age_years: int | None = None

    def age_groups(self) -> frozenset:
        """Target groups the age puts the person into (:data:`TARGET_GROUP_AGES`)."""
        if self.age_years is None:
            return frozenset()
        return frozenset(
            group
            for group, (low, high) in TARGET_GROUP_AGES.items()
            if (low is None or self.age_years >= low) and (high is None or self.age_years <= high)
        )


def _tri(value: object, name: str) -> bool | None:
    if value in (None, "", "offen", "unbekannt"):
        return None
    if value in (True, "ja", "yes", "true", "1"):
        return True
    if value in (False, "nein", "no", "false", "0"):
        return False
    raise InvalidInput(f"{name}: bitte ja, nein oder offen angeben.")


def situation_from(data: Mapping) -> Situation:
    """Build a :class:`Situation` from form or JSON values; :class:`InvalidInput` on bad ids.

    ``data`` keys: ``target_groups``, ``circuits``, ``languages``, ``topics`` (lists of ids)
    and ``employed``, ``disability_recognised`` (``ja``/``nein``/``offen`` or booleans) and
    ``age_years`` (whole years 0–120 as a number or text; empty: unknown).
    """
    vocabularies = {
        "target_groups": (TARGET_GROUPS, "Zielgruppen"),
        "circuits": (LEGAL_BASES, "Rechtskreis"),
        "languages": (LANGUAGES, "Sprachen"),
        "topics": (TOPICS, "Anliegen"),
    }
    sets = {}
    for key, (vocabulary, label) in vocabularies.items():
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{label}: bitte eine Liste angeben.")
        bad = [v for v in value if v not in vocabulary]
        if bad:
            raise InvalidInput(f"{label}: „{bad[0][:40]}“ ist unbekannt.")
        sets[key] = frozenset(value)
    return Situation(
        **sets,
        employed=_tri(data.get("employed"), "Arbeitsverhältnis"),
        disability_recognised=_tri(data.get("disability_recognised"), "Schwerbehinderung"),
        age_years=parse_age(data.get("age_years"), "Alter"),
    )


def condition_state(condition: Condition, situation: Situation) -> str:
    """``"erfuellt"``, ``"nicht_erfuellt"`` or ``"offen"`` (the situation does not say)."""
    if condition.fact is None:
        return "erfuellt"
    if condition.fact == "circuits":
        if not situation.circuits:
            return "offen"
        return "erfuellt" if condition.needs in situation.circuits else "nicht_erfuellt"
    value = getattr(situation, condition.fact)
    if value is None:
        return "offen"
    return "erfuellt" if value == condition.needs else "nicht_erfuellt"


@dataclass
class Match:
    """How one offer fits a situation.

    Attributes
    ----------
    fits : bool
        Nothing rules it out (target group, language, topic, eligibility, end date).
    reasons : list of str
        Why it fits, in German.
    to_check : list of str
        Conditions the situation does not answer ("bitte klären").
    misses : list of str
        Why it does not fit (empty when ``fits``).
    score : int
        How many things speak for it (target groups, topics, circuit, languages).
    """

    fits: bool
    reasons: list[str]
    to_check: list[str]
    misses: list[str]
    score: int


def _labels(ids: Iterable[str], vocabulary: Mapping[str, str]) -> str:
    return ", ".join(vocabulary[i] for i in ids if i in vocabulary)


def match_offer(properties: Mapping, situation: Situation, today: date) -> Match:
    """Match one offer's properties against a situation.

    Rules: an offer with target groups needs one of them in the situation, ticked or implied
    by the age (:data:`TARGET_GROUP_AGES`; an offer without any is open to all); an offer's
    age limit must hold for the age (unknown age: listed to clarify); ticked topics and
    languages need one in common (an offer without languages is in German); every
    eligibility condition must not contradict the situation (unanswered ones are listed to
    clarify); offers past ``valid_to`` do not fit. The legal
    basis never excludes: a person in SGB II may use an SGB IX offer unless a condition
    restricts it to a legal circuit.
    """
    reasons: list[str] = []
    misses: list[str] = []
    to_check: list[str] = []
    score = 0
    groups = [g for g in properties.get("target_groups") or [] if g in TARGET_GROUPS]
    if groups:
        common = [g for g in groups if g in situation.target_groups]
        by_age = [g for g in groups if g in situation.age_groups() and g not in common]
        if common or by_age:
            reasons.append(
                "Zielgruppe: "
                + ", ".join(
                    [TARGET_GROUPS[g] for g in common]
                    + [f"{TARGET_GROUPS[g]} (nach dem Alter)" for g in by_age]
                )
            )
            score += 2 * len(common) + 2 * len(by_age)
        else:
            misses.append("nur für: " + _labels(groups, TARGET_GROUPS))
    low, high = _age_limit(properties)
    limit = age_limit_text(low, high)
    if not groups:  # with an age limit "offen für alle" would contradict the age line below
        reasons.append("offen für alle Zielgruppen" if limit else "offen für alle")
    if limit:
        if situation.age_years is None:
            to_check.append(f"Alter: nur für Menschen {limit}")
        elif (low is None or situation.age_years >= low) and (
            high is None or situation.age_years <= high
        ):
            reasons.append(f"Alter passt: für Menschen {limit}")
            score += 1
        else:
            misses.append(f"Alter passt nicht: nur für Menschen {limit}")
    if situation.topics:
        topics = [t for t in properties.get("topics") or [] if t in TOPICS]
        common = [t for t in topics if t in situation.topics]
        if common:
            reasons.append("Anliegen: " + _labels(common, TOPICS))
            score += 2 * len(common)
        else:
            misses.append("hilft bei anderem: " + (_labels(topics, TOPICS) or "ohne Angabe"))
    if situation.languages:
        languages = [x for x in properties.get("languages") or ["de"] if x in LANGUAGES]
        common = [x for x in languages if x in situation.languages]
        if common:
            reasons.append("Sprache: " + _labels(common, LANGUAGES))
            score += 1
        else:
            misses.append("nur in: " + _labels(languages, LANGUAGES))
    bases = [b for b in properties.get("legal_bases") or [] if b in LEGAL_BASES]
    common = [b for b in bases if b in situation.circuits]
    if common:
        reasons.append("Rechtskreis: " + _labels(common, LEGAL_BASES))
        score += 1
    for condition_id in properties.get("eligibility") or []:
        condition = CONDITIONS.get(condition_id)
        if condition is None:
            continue
        state = condition_state(condition, situation)
        if state == "erfuellt":
            reasons.append(
                condition.label if condition.fact is None else f"erfüllt: {condition.label}"
            )
        elif state == "offen":
            to_check.append(condition.label)
        else:
            misses.append(f"Voraussetzung fehlt: {condition.label}")
    flags = offer_flags(properties, today)
    if flags["ended"]:
        misses.append(flags["labels"][0])
    return Match(not misses, reasons, to_check, misses, score)


def plain_conditions(properties: Mapping) -> list[str]:
    """The offer's eligibility conditions and age limit in plain German (for the citizen's
    handout; the offer's limit, never the person's age)."""
    texts = [CONDITIONS[c].plain for c in properties.get("eligibility") or [] if c in CONDITIONS]
    limit = age_limit_text(*_age_limit(properties))
    if limit:
        texts.append(f"Das Angebot ist für Menschen {limit}.")
    return texts
