"""Offers' vocabularies and fields (pure data).

Funders, legal bases, target groups, topics, languages, eligibility conditions, field names and
their German labels.
"""

from __future__ import annotations

from dataclasses import dataclass

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

#: Languages an offer's name and description may be given in besides German (the handout
#: languages, see :mod:`sozialraum.model.languages`): language code → field suffix
#: (``name_ar``, ``description_ar``; ``de_ls``: Leichte Sprache).
TEXT_LANGUAGES = {
    "de-LS": "de_ls",
    "en": "en",
    "ar": "ar",
    "uk": "uk",
    "tr": "tr",
    "ru": "ru",
    "fa": "fa",
}
#: German names of :data:`TEXT_LANGUAGES` (form labels, CSV headers).
TEXT_LANGUAGE_LABELS = {
    "de-LS": "Leichte Sprache",
    "en": "Englisch",
    "ar": "Arabisch",
    "uk": "Ukrainisch",
    "tr": "Türkisch",
    "ru": "Russisch",
    "fa": "Persisch",
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
    *(
        f"{field}_{suffix}"
        for suffix in TEXT_LANGUAGES.values()
        for field in ("name", "description")
    ),
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

#: German names of the translatable fields (see :data:`TEXT_LANGUAGES`).
FIELD_NAMES = {"name": "Name", "description": "Angebot"}

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
    **{
        f"{field}_{suffix}": f"{FIELD_NAMES[field]} ({TEXT_LANGUAGE_LABELS[code]})"
        for code, suffix in TEXT_LANGUAGES.items()
        for field in ("name", "description")
    },
}
