"""Fictional support offers of the demo area (names, numbers and addresses are made up).

They cover the finder's cases: a job-coaching project for severely disabled jobseekers
funded by the Integrationsamt (no job needed) next to job assistance that needs an existing
job, offers with an age limit for young people under 25 (U25) and for people from 50
(50plus), for refugees and single parents, a region-wide phone line, one offer not checked
for over a year and one that has ended.
"""

from __future__ import annotations

from datetime import date

from sozialraum.demo.geometry import lonlat
from sozialraum.model.notes import add_months

#: Marks in the area metadata that the demo offers were added (they are added once).
META_FLAG = "demo_offers"


def _offer(key: str, x: float | None, y: float | None, checked_months_ago: int | None, **fields):
    return key, x, y, checked_months_ago, fields


_OFFERS = (
    _offer(
        "jobcoaching-inklusiv",
        430.0,
        520.0,
        2,
        name="Jobcoaching inklusiv",
        provider="Unternehmensverband Musterstadt e. V.",
        funders=["integrationsamt"],
        legal_bases=["sgb9"],
        target_groups=["schwerbehinderte"],
        eligibility=[
            "schwerbehinderung_anerkannt",
            "kein_arbeitsverhaeltnis_erforderlich",
            "kostenlos",
        ],
        topics=["arbeit"],
        description="Ein Jobcoach begleitet Sie bei der Suche nach Arbeit: Bewerbungen, "
        "Praktikum, Gespräche mit Betrieben und Hilfe in den ersten Monaten im neuen Job. "
        "Gefördert vom Integrationsamt aus der Ausgleichsabgabe.",
        phone="01234 5678-10",
        email="jobcoaching@example.org",
        web="https://example.org/jobcoaching",
        opening_hours="Mo–Do 9–15 Uhr und nach Vereinbarung",
        languages=["de", "leicht"],
        address="Hauptstraße 12, 45901 Musterstadt",
    ),
    _offer(
        "arbeitsassistenz",
        980.0,
        680.0,
        3,
        name="Arbeitsassistenz und Begleitung am Arbeitsplatz",
        provider="Integrationsfachdienst Musterstadt",
        funders=["integrationsamt"],
        legal_bases=["sgb9"],
        target_groups=["schwerbehinderte"],
        eligibility=["schwerbehinderung_anerkannt", "arbeitsverhaeltnis_erforderlich"],
        topics=["arbeit"],
        description="Beratung und Begleitung, damit Sie Ihren Arbeitsplatz behalten: "
        "Gespräche mit dem Betrieb, Hilfsmittel, Arbeitsassistenz.",
        phone="01234 5678-20",
        email="ifd@example.org",
        opening_hours="Mo–Fr 8–16 Uhr",
        address="Rathausplatz 3, 45902 Musterstadt",
    ),
    _offer(
        "jugendberufsagentur",
        760.0,
        640.0,
        1,
        name="Jugendberufsagentur Musterstadt",
        provider="Jobcenter, Agentur für Arbeit und Jugendamt Musterstadt",
        funders=["jobcenter", "agentur", "kommune"],
        legal_bases=["sgb2", "sgb3", "sgb8"],
        target_groups=["jugendliche"],
        max_age_years=24,
        topics=["arbeit", "ausbildung"],
        eligibility=["kostenlos"],
        description="Alles unter einem Dach für junge Menschen unter 25 (U25): Berufsberatung, "
        "Ausbildungssuche, Hilfe bei Anträgen.",
        phone="01234 5678-30",
        web="https://example.org/jba",
        opening_hours="Mo–Fr 8–12 Uhr, Do 14–18 Uhr",
        languages=["de", "en", "tr", "ar"],
        address="Schulstraße 5, 45902 Musterstadt",
    ),
    _offer(
        "migrationsberatung",
        300.0,
        900.0,
        4,
        name="Migrationsberatung für Erwachsene",
        provider="Wohlfahrtsverband Musterstadt",
        funders=["bund"],
        legal_bases=["asylblg", "sgb2"],
        target_groups=["zugewanderte", "gefluechtete"],
        topics=["beratung", "sprache"],
        eligibility=["kostenlos"],
        description="Beratung zu Aufenthalt, Sprachkursen, Anerkennung von Abschlüssen und "
        "Behördenbriefen.",
        phone="01234 5678-40",
        email="migration@example.org",
        opening_hours="Di und Do 9–13 Uhr",
        languages=["de", "ar", "uk", "ru", "fa"],
        address="Kirchweg 8, 45901 Musterstadt",
    ),
    _offer(
        "schuldnerberatung",
        1200.0,
        300.0,
        5,
        name="Schuldner- und Insolvenzberatung",
        provider="Stadt Musterstadt, Sozialamt",
        funders=["kommune"],
        legal_bases=["sgb2", "sgb12"],
        topics=["geld"],
        eligibility=["kostenlos"],
        description="Hilfe bei Schulden: Überblick verschaffen, mit Gläubigern reden, "
        "Pfändungsschutzkonto, Insolvenz.",
        phone="01234 5678-50",
        opening_hours="Mo 13–17 Uhr, Mi 9–12 Uhr",
        address="Mühlenweg 21, 45903 Musterstadt",
    ),
    _offer(
        "alleinerziehende",
        600.0,
        250.0,
        6,
        name="Treff für Alleinerziehende",
        provider="Familienzentrum Mühlenviertel",
        funders=["kommune", "esf"],
        legal_bases=["sgb8"],
        target_groups=["alleinerziehende"],
        topics=["familie", "begegnung"],
        eligibility=["kostenlos"],
        description="Offener Treff mit Kinderbetreuung, Beratung zu Kita, Unterhalt und "
        "Wiedereinstieg in den Beruf.",
        phone="01234 5678-60",
        opening_hours="Mi 9–11:30 Uhr",
        address="Mühlenweg 4, 45903 Musterstadt",
    ),
    _offer(
        "sozialtelefon",
        None,
        None,
        2,
        name="Sozialberatung am Telefon",
        provider="Stadt Musterstadt",
        funders=["kommune"],
        topics=["beratung", "geld", "wohnen"],
        eligibility=["kostenlos"],
        description="Erste Hilfe bei Fragen zu Geld, Wohnung und Anträgen – am Telefon, "
        "auf Wunsch in Leichter Sprache.",
        phone="01234 5678-00",
        opening_hours="Mo–Fr 8–18 Uhr",
        languages=["de", "leicht"],
        region_wide=True,
    ),
    _offer(
        "bewerbung-50plus",
        1100.0,
        800.0,
        15,
        name="Bewerbungswerkstatt 50plus",
        provider="Bildungswerk Musterstadt",
        funders=["jobcenter"],
        legal_bases=["sgb2"],
        target_groups=["aeltere", "langzeitarbeitslose"],
        min_age_years=50,
        eligibility=["rechtskreis_sgb2", "ohne_arbeitsverhaeltnis"],
        topics=["arbeit"],
        description="Bewerbungen schreiben, Vorstellungsgespräche üben, Computerkurs.",
        phone="01234 5678-70",
        address="Hauptstraße 40, 45902 Musterstadt",
    ),
    _offer(
        "sprachlotsen",
        350.0,
        700.0,
        3,
        name="Sprachlotsen (Projekt beendet)",
        provider="Nachbarschaftsverein Nord",
        funders=["esf"],
        target_groups=["gefluechtete"],
        topics=["sprache"],
        description="Ehrenamtliche begleiten zu Terminen und übersetzen.",
        phone="01234 5678-80",
        languages=["de", "ar", "ti"],
        address="Lindenallee 2, 45901 Musterstadt",
        ended=True,
    ),
)


def demo_offers(today: date) -> list[dict]:
    """The demo offers as GeoJSON Features with fixed ids (points in EPSG:4326).

    Parameters
    ----------
    today : datetime.date
        Check dates and end dates are set relative to this day.
    """
    from sozialraum.model.offers import check_offer_input

    features = []
    for key, x, y, months, fields in _OFFERS:
        data = dict(fields)
        if data.pop("ended", False):
            data["valid_from"] = add_months(today, -24).isoformat()
            data["valid_to"] = add_months(today, -1).isoformat()
        if months is not None:
            data["checked_on"] = add_months(today, -months).isoformat()
            data["checked_by"] = "teamleitung"
        if x is not None:
            data["lon"], data["lat"] = lonlat(x, y)
        feature = check_offer_input(data, today).feature()
        feature["id"] = f"demo-{key}"
        features.append(feature)
    return features


def install_demo_offers(store, area: str, *, today: date, actor: str = "demo") -> int:
    """Add the demo offers to ``area`` once (marked in the metadata); returns how many."""
    meta = store.read_meta(area)
    if meta.get(META_FLAG):
        return 0
    added = store.add_many(area, "offers", demo_offers(today), actor=actor)
    store.write_meta(area, {**meta, META_FLAG: True}, actor=actor)
    return len(added)
