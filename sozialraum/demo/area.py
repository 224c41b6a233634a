"""The demo area "Musterstadt-Nord": its field notes and walk, and :func:`install_demo`.

Everything here is invented: streets, addresses, resources, districts and field notes
(the map itself is built by :mod:`sozialraum.demo.osm`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from sozialraum.demo.geometry import HEIGHT_M, WIDTH_M, lonlat
from sozialraum.demo.osm import SEED, build_osm, write_demo_osm

DEMO_AREA = "musterstadt-nord"
DEMO_TITLE = "Musterstadt-Nord (fiktiv)"


_MAILBOX_TEXTS = {
    "vorhanden": "Briefkastenanlage am Eingang vorhanden und beschriftet.",
    "fehlt": "Keine Briefkastenanlage am Haus gefunden.",
    "defekt": "Briefkastenanlage beschädigt, mehrere Klappen schließen nicht.",
    "ohne_namen": "Briefkästen vorhanden, aber überwiegend ohne Namensschild.",
    "hausverwaltung": "Aushang: Briefkastenschlüssel nur über die Hausverwaltung.",
    "post_zurueck": "Laut Zustellung geht Post an dieses Haus häufig zurück.",
}
# (category, text, name of the resource the note is placed at or "" for a random spot)
_NOTES = (
    ("beobachtung", "Gehweg an der Baustelle ist für Rollstühle kaum passierbar.", ""),
    ("beobachtung", "Abends ist der Platz vor dem Kiosk belebt.", "Kiosk am Mühlenbach"),
    ("beobachtung", "Viele Hauseingänge ohne Klingelschilder in dieser Häuserzeile.", ""),
    ("ressource", "Gemeindesaal kann für Gruppentreffen gebucht werden.", "Kirche Sankt Anna"),
    ("ressource", "Öffentlicher Bücherschrank neben der Haltestelle.", "Rathausplatz"),
    ("rolle", "Pfarrer der Gemeinde bietet Raum für Treffen.", "Evangelische Friedenskirche"),
    ("rolle", "Hausmeisterin der Schule hängt Aushänge für das Viertel aus.", "Lindenschule"),
    ("rolle", "Apotheke nimmt Flyer für Beratungsangebote an.", "Linden-Apotheke"),
    ("angebot", "Offenes Frühstück mittwochs von 9 bis 11 Uhr.", "Stadtteilzentrum Nord"),
    ("angebot", "Kostenlose Hausaufgabenhilfe dienstags.", "Katholische Bücherei Sankt Anna"),
    ("angebot", "Sprachcafé Deutsch als Zweitsprache.", "Nachbarschaftstreff Mühlenviertel"),
    ("problem", "Unterführung schlecht beleuchtet, wird abends gemieden.", ""),
    ("problem", "Zaun beschädigt, Tor schließt nicht.", "Spielplatz Lindenhof"),
    ("problem", "Nächster Geldautomat nur außerhalb des Viertels.", ""),
    ("treffpunkt", "Bank am Spielplatz: nachmittags Treffpunkt von Eltern.", "Spielplatz Am Anger"),
    ("treffpunkt", "Vor dem Eingang treffen sich morgens ältere Menschen.", "Frischemarkt Nord"),
    ("treffpunkt", "Am Wochenende Treffpunkt für Jugendliche.", "Spielplatz Bolzwiese"),
    ("ressource", "Kostenloses WLAN und Drucker für alle.", "Stadtteilbibliothek Nord"),
)  # fmt: skip


def _demo_review(draw: float, observed_on: date) -> dict:
    """Review state of a demo note.

    A fifth drafts, a third submitted, the rest released by the demo lead (four-eyes: the demo
    caseworker wrote them).
    """
    if draw < 0.2:
        return {"review_state": "entwurf"}
    submitted = {"at": f"{observed_on.isoformat()}T09:00:00+00:00", "by": "demo-fachkraft",
                 "action": "einreichen", "from": "entwurf", "to": "eingereicht"}  # fmt: skip
    if draw < 0.55:
        return {"review_state": "eingereicht", "review_log": [submitted]}
    released_on = (observed_on + timedelta(days=2)).isoformat()
    released = {**submitted, "at": f"{released_on}T10:00:00+00:00", "by": "demo-leitung",
                "action": "freigeben", "from": "eingereicht", "to": "freigegeben"}  # fmt: skip
    return {"review_state": "freigegeben", "review_log": [submitted, released]}


def demo_notes(today: date | None = None) -> list[dict]:
    """Return the fictional field notes of the demo district.

    Parameters
    ----------
    today : datetime.date, optional
        The install day: notes are observed 10 to 170 days before it and expire by
        their category's default, so a freshly installed demo never shows expired notes.

    Returns
    -------
    list of dict
        30 GeoJSON ``Feature`` dicts with ``Point`` geometry ``[lon, lat]`` in
        degrees (EPSG:4326), all inside the demo bounds. 12 are mailbox notes
        (category ``"briefkasten"``) placed at the address they describe; the
        last note refers to an OSM resource via ``osm_ref``. Same result for the same day.
    """
    from sozialraum.model.addresses import address_key
    from sozialraum.model.notes import DEFAULT_NOTE_CATEGORIES, default_expiry

    today = today or date.today()
    categories = {c.id: c for c in DEFAULT_NOTE_CATEGORIES}

    osm = build_osm()
    rng = random.Random(SEED + 1)
    statuses = sorted(_MAILBOX_TEXTS)
    notes = []

    def feature(lon: float, lat: float, category: str, text: str, **extra) -> None:
        observed_on = today - timedelta(days=rng.randint(10, 170))
        props = {
            "category": category,
            "text": text,
            "observed_on": observed_on.isoformat(),
            "expires_on": default_expiry(categories[category], observed_on).isoformat(),
            "author": "demo-fachkraft",
            "team": "Team Nord",
            **_demo_review(rng.random(), observed_on),
            **extra,
        }
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        notes.append({"type": "Feature", "geometry": geometry, "properties": props})

    for k, addr in enumerate(rng.sample(osm.addresses, 12)):
        status = statuses[k % len(statuses)]
        street, number, postcode = addr["street"], addr["housenumber"], addr["postcode"]
        link = {"address_key": address_key(street, number, postcode)}
        text = _MAILBOX_TEXTS[status]
        feature(addr["lon"], addr["lat"], "briefkasten", text, mailbox_status=status, **link)
    by_name = {r["name"]: r for r in osm.resources}
    for category, text, place in _NOTES[:-1]:
        if place:  # a few metres next to the named place
            lon, lat = by_name[place]["lon"] + 0.00005, by_name[place]["lat"] + 0.00003
        else:
            lon, lat = lonlat(rng.uniform(80.0, WIDTH_M - 80.0), rng.uniform(80.0, HEIGHT_M - 80.0))
        feature(round(lon, 7), round(lat, 7), category, text)
    category, text, place = _NOTES[-1]
    library = by_name[place]
    feature(library["lon"], library["lat"], category, text, osm_ref=library["ref"])
    return notes


def demo_walk(store, today: date | None = None) -> dict:
    """Plan the demo walk in Nord-West.

    From the town hall square past the places where caseworkers meet people, with two addresses to
    check for mailboxes.

    Returns
    -------
    dict
        The stored walk (GeoJSON Feature with a MultiPoint of its stops, EPSG:4326).
    """
    from sozialraum.model.notes import load_note_categories
    from sozialraum.model.privacy import load_privacy_guard
    from sozialraum.model.roles import Role
    from sozialraum.services.notes import Actor, NoteRules
    from sozialraum.services.walks import create_walk

    today = today or date.today()
    resources = store.query(DEMO_AREA, "resources", district="r1")
    wanted = ("pharmacy", "bakery", "place_of_worship", "post_box", "community_centre", "stop")
    picks = []
    for category in wanted:
        found = [r for r in resources if category in r["properties"]["categories"]]
        if found:
            picks.append({"kind": "resource", "ref": found[0]["id"]})
    mailbox = [
        n for n in store.query(DEMO_AREA, "notes", category="briefkasten")
        if n["properties"].get("district") == "r1"
    ][:2]  # fmt: skip
    picks += [{"kind": "note", "ref": n["id"]} for n in mailbox]
    details = {
        "title": "Erkundung Nord-West",
        "walk_on": (today + timedelta(days=7)).isoformat(),
        "district": "r1",
        "purpose": "Orte für Aushänge finden, Ansprechpersonen kennenlernen, "
        "Briefkästen mit Hinweisen prüfen.",
        "participants": "2 Fachkräfte, Quartiersmanagement",
    }
    rules = NoteRules(load_note_categories(), load_privacy_guard())
    actor = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    return create_walk(store, DEMO_AREA, details, picks, actor=actor, rules=rules, today=today)


#: Which team is responsible for which demo district.
DEMO_TEAMS = {"Nord-West": "Team Nord", "Nord-Ost": "Team Nord", "Mühlenviertel": "Team Mühle"}

#: The generated demo file shipped in the project's data/ folder.
DEMO_OSM_FILE = Path(__file__).resolve().parents[2] / "data" / f"{DEMO_AREA}.osm"


def install_demo(
    store, osm_file: Path | None = None, *, actor: str = "demo", categories=None
) -> bool:
    """Import the demo area into ``store`` and add its field notes and offers, unless it exists.

    Parameters
    ----------
    store : sozialraum.store.Store
        Target store.
    osm_file : pathlib.Path, optional
        The demo OSM XML; written by :func:`write_demo_osm` when missing.

    Returns
    -------
    bool
        True if the area was built, False if it was already there.
    """
    import shutil

    from sozialraum.demo.offers import install_demo_offers
    from sozialraum.osm.importer import import_area
    from sozialraum.services.areas import assign_team
    from sozialraum.services.notes import district_at
    from sozialraum.settings import today

    if DEMO_AREA in store.areas():
        if store.read_meta(DEMO_AREA).get("fictional"):
            install_demo_offers(store, DEMO_AREA, today=today(), actor=actor)  # older demos
            _demo_basemap(store, osm_file or DEMO_OSM_FILE, actor)  # demos from before it
            return False
        shutil.rmtree(store.area_dir(DEMO_AREA))  # an interrupted build: start again
    osm_file = osm_file or DEMO_OSM_FILE
    if not osm_file.exists():
        write_demo_osm(osm_file)
    import_area(store, DEMO_AREA, osm_file=osm_file, actor=actor, categories=categories)
    for district, team in DEMO_TEAMS.items():
        assign_team(store, DEMO_AREA, district, team, actor=actor)
    for note in demo_notes():
        lon, lat = note["geometry"]["coordinates"]
        district = district_at(store, DEMO_AREA, lon, lat)
        if district:
            note["properties"].update(district=district["id"], team=district["team"])
        store.add(DEMO_AREA, "notes", note, actor=actor)
    demo_walk(store)
    install_demo_offers(store, DEMO_AREA, today=today(), actor=actor)
    meta = store.read_meta(DEMO_AREA)  # "fictional" last: it marks the build as complete
    store.write_meta(DEMO_AREA, {**meta, "title": DEMO_TITLE, "fictional": True}, actor=actor)
    return True


def _demo_basemap(store, osm_file, actor: str) -> None:
    """Build the basemap of a demo area made before there was one (from the demo OSM file)."""
    from sozialraum.osm.import_basemap import basemap_path, try_build

    if basemap_path(store, DEMO_AREA).exists():
        return
    if not osm_file.exists():
        write_demo_osm(osm_file)
    result = try_build(store, DEMO_AREA, osm_file)
    meta = store.read_meta(DEMO_AREA)
    store.write_meta(
        DEMO_AREA, {**meta, "basemap": result.summary(meta.get("basemap"))}, actor=actor
    )
