"""Offer import and export: CSV and GeoJSON round trips, clear errors per row, all or nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sozialraum.demo.area import DEMO_AREA
from sozialraum.errors import Forbidden, TooLarge
from sozialraum.model import offers as offer_model
from sozialraum.model.roles import Role
from sozialraum.services import offers_io
from sozialraum.services.notes import Actor
from sozialraum.services.offers_io import (
    OffersFileProblem,
    export_csv,
    export_geojson,
    import_offers,
)

TODAY = date(2026, 11, 21)
LEAD = Actor("demo-leitung", Role.LEAD, "Team Nord")
HEADER = "Name;Träger;Förderer;Zielgruppen;Voraussetzungen;Angebot;Telefon;gebietsweit;Breite;Länge"


def run(store, text: str | bytes, filename="angebote.csv"):
    body = text.encode("utf-8") if isinstance(text, str) else text
    return import_offers(store, DEMO_AREA, body, filename, actor=LEAD, today=TODAY)


def offer_ids(store) -> set[str]:
    return {f["id"] for f in store.query(DEMO_AREA, "offers")}


def point(store) -> tuple[str, str]:
    lon, lat = store.query(DEMO_AREA, "addresses")[0]["geometry"]["coordinates"]
    return f"{lat}".replace(".", ","), f"{lon}".replace(".", ",")


def test_a_good_csv_adds_offers_and_a_second_import_changes_nothing(demo_store):
    lat, lon = point(demo_store)
    text = (
        f"{HEADER}\n"
        "Stadtteilmütter;Familienzentrum;Kommune | ESF;Familien mit Kindern;kostenlos;"
        f"Besuche bei Familien.;01234 1;nein;{lat};{lon}\n"
        "Pflegestützpunkt;Stadt;Kommune;pflegende Angehörige;;Beratung zur Pflege.;01234 2;ja;;\n"
    )
    before = offer_ids(demo_store)
    report = run(demo_store, text)
    assert report.problems == [] and report.rows == 2 and len(report.added) == 2
    added = [demo_store.get(DEMO_AREA, "offers", i) for i in report.added]
    mothers = next(f for f in added if f["properties"]["name"] == "Stadtteilmütter")
    assert mothers["properties"]["funders"] == ["kommune", "esf"]
    assert mothers["properties"]["target_groups"] == ["familien"]
    assert mothers["geometry"]["type"] == "Point"
    assert next(f for f in added if f is not mothers)["geometry"] is None
    again = run(demo_store, text)  # matched by name and provider
    assert (again.added, again.updated, again.unchanged) == ([], [], 2)
    assert offer_ids(demo_store) == before | set(report.added)


def test_a_bad_csv_reports_every_row_and_imports_nothing(demo_store):
    lat, lon = point(demo_store)
    text = (
        f"{HEADER}\n"
        f"Gut;Träger;Kommune;;;Beratung.;01234 1;nein;{lat};{lon}\n"  # row 2 is fine
        f"Lotto;Träger;Lottogesellschaft;;;Beratung.;01234 1;nein;{lat};{lon}\n"
        f";Träger;Kommune;;;Beratung.;01234 1;nein;{lat};{lon}\n"
        f"Ohne Kontakt;Träger;Kommune;;;Beratung.;;nein;{lat};{lon}\n"
        "Ohne Ort;Träger;Kommune;;;Beratung.;01234 1;nein;;\n"
        f"Studierende;Träger;Kommune;Studierende;;Beratung.;01234 1;nein;{lat};{lon}\n"
        f"Widerspruch;Träger;Kommune;;arbeitsverhaeltnis_erforderlich|ohne_arbeitsverhaeltnis;"
        f"Beratung.;01234 1;nein;{lat};{lon}\n"
        "Berlin;Träger;Kommune;;;Beratung.;01234 1;nein;52,5;13,4\n"
        f"Zu viel;Träger;Kommune;;;Beratung.;01234 1;nein;{lat};{lon};extra\n"
    )
    before = (demo_store.area_dir(DEMO_AREA) / "offers.geojson").read_bytes()
    report = run(demo_store, text)
    assert [p.row for p in report.problems] == [3, 4, 5, 6, 7, 8, 9, 10]
    german = [p.german for p in report.problems]
    assert german[0].startswith("Zeile 3: Förderer: „Lottogesellschaft“ ist unbekannt")
    assert german[1] == "Zeile 4: Name: bitte angeben."
    assert "Kontakt" in german[2] and "Punkt angeben" in german[3]
    assert "Zielgruppen: „Studierende“ ist unbekannt" in german[4]
    assert "schließen sich aus" in german[5] and "außerhalb des Gebiets" in german[6]
    assert german[7] == "Zeile 10: mehr Zellen als Spalten"
    assert report.problems[0].english.startswith("row 3: ")
    assert report.added == [] and report.updated == []
    assert (demo_store.area_dir(DEMO_AREA) / "offers.geojson").read_bytes() == before


@pytest.mark.parametrize(
    ("body", "german"),
    [
        (b"", "Die Datei ist leer."),
        (b"\x00\x01\x02binary" * 50, "keine CSV-Textdatei"),
        (b"Name;Trager;Farbe\nA;B;rot\n", "Unbekannte Spalten: Trager, Farbe"),
        (b"Name;Angebot\nA;B\n", "Es fehlen die Spalten: Träger"),
        ("Name;Träger;Name\nA;B;C\n".encode(), "doppelt"),
        ("Name;Träger\n".encode(), "keine Angebote"),
    ],
)
def test_files_that_cannot_be_read_say_why(demo_store, body, german):
    with pytest.raises(OffersFileProblem) as caught:
        run(demo_store, body)
    assert german in caught.value.german


def test_windows_1252_and_excel_dates_are_read(demo_store):
    text = (
        "Name;Träger;Förderer;Angebot;Telefon;gebietsweit;zuletzt geprüft am;geprüft von\n"
        "Mütterberatung;Gesundheitsamt;Kommune;Beratung für Mütter.;01234;ja;01.10.2026;"
        "Teamleitung\n"
    )
    report = run(demo_store, text.encode("cp1252"))
    props = demo_store.get(DEMO_AREA, "offers", report.added[0])["properties"]
    assert props["name"] == "Mütterberatung" and props["provider"] == "Gesundheitsamt"
    assert props["checked_on"] == "2026-10-01" and props["checked_by"] == "teamleitung"


def test_too_large_and_forbidden(demo_store):
    with pytest.raises(TooLarge):
        run(demo_store, b"x" * (offers_io.MAX_FILE_BYTES + 1))
    caseworker = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    with pytest.raises(Forbidden):
        import_offers(demo_store, DEMO_AREA, b"Name;Tr\n", "a.csv", actor=caseworker, today=TODAY)


def test_csv_export_round_trip_keeps_every_field(demo_store):
    features = demo_store.query(DEMO_AREA, "offers")
    text = export_csv(features, TODAY)
    header = text.lstrip("\ufeff").split("\r\n")[0].split(";")
    assert header[:4] == ["ID", "Name", "Träger", "Förderer"] and header[-1] == "Hinweise"
    assert "abgelaufen am" in text and "seit über 12 Monaten nicht geprüft" in text
    report = run(demo_store, text)
    assert (report.added, report.updated, report.unchanged) == ([], [], len(features))
    # edit one cell: exactly that offer is updated
    edited = text.replace("Mo 13–17 Uhr, Mi 9–12 Uhr", "Mo 13–18 Uhr")
    report = run(demo_store, edited)
    assert report.updated == ["demo-schuldnerberatung"] and report.unchanged == len(features) - 1
    assert demo_store.get(DEMO_AREA, "offers", "demo-schuldnerberatung")["properties"][
        "opening_hours"
    ] == ("Mo 13–18 Uhr")


def test_csv_export_neutralises_formulas_and_reads_them_back(demo_store):
    lat, lon = point(demo_store)
    text = f"{HEADER}\n=HYPERLINK(1);+Träger;Kommune;;;-Angebot;+49 1234;nein;{lat};{lon}\n"
    added = run(demo_store, text).added
    feature = demo_store.get(DEMO_AREA, "offers", added[0])
    exported = export_csv([feature], TODAY)
    assert ";'=HYPERLINK(1);'+Träger;" in exported and ";'+49 1234;" in exported
    again = run(demo_store, exported)
    assert again.unchanged == 1 and again.added == []


def test_geojson_round_trip_and_bad_geojson(demo_store):
    features = demo_store.query(DEMO_AREA, "offers")
    body = export_geojson(features)
    parsed = json.loads(body)
    region_wide = next(f for f in parsed["features"] if f["id"] == "demo-sozialtelefon")
    assert region_wide["geometry"] is None and "version" not in region_wide["properties"]
    report = run(demo_store, body, "angebote.geojson")
    assert report.unchanged == len(features) and report.problems == []
    new = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0]]},
             "properties": {}},
            {"type": "Feature", "geometry": None, "properties": {"name": "X"}},
            "kein Feature",
        ],
    }  # fmt: skip
    report = run(demo_store, json.dumps(new).encode(), "neu.geojson")
    assert [p.german for p in report.problems] == [
        "Objekt 1: nur Punkte oder null als Geometrie",
        "Objekt 2: Träger: bitte angeben.",
        "Objekt 3: kein GeoJSON-Feature",
    ]
    for bad, german in [
        (b'{"type": "FeatureCollection", "features": [], "features": []}', "kein gültiges"),
        (b'{"type": "FeatureCollection", "features": [NaN]}', "kein gültiges"),
        (b'{"type": "FeatureCollection", "crs": {}, "features": []}', "Koordinatensystem"),
        (b'{"type": "Feature"}', "FeatureCollection"),
        (b"[" * 100000 + b"]" * 100000, "kein gültiges"),
    ]:
        with pytest.raises(OffersFileProblem) as caught:
            run(demo_store, bad, "x.geojson")
        assert german in caught.value.german


def test_the_importer_is_an_editor_of_what_the_file_changes(demo_store):
    """Four-eyes: an offer the import adds or changes is unchecked until somebody else
    marks it as checked, whatever check date the file says; unchanged offers keep theirs."""
    from sozialraum.services import offers

    features = demo_store.query(DEMO_AREA, "offers")
    text = export_csv(features, TODAY)
    fine = "demo-jobcoaching-inklusiv"
    assert offers.list_offers(demo_store, DEMO_AREA, today=TODAY)  # demo offers exist
    before = demo_store.get(DEMO_AREA, "offers", fine)["properties"]
    assert "edited_by" not in before
    row = next(line for line in text.split("\r\n") if line.startswith(fine))
    phone = before["phone"]
    changed = row.replace(phone, "0800 111 222").replace(before["checked_on"], "2026-11-21")
    report = run(demo_store, text.replace(row, changed))
    assert report.updated == [fine] and report.unchanged == len(features) - 1
    props = demo_store.get(DEMO_AREA, "offers", fine)["properties"]
    assert props["edited_by"] == [LEAD.name] and props["checked_on"] == "2026-11-21"
    flags = offer_model.offer_flags(props, TODAY)
    assert flags["unchecked"] and not flags["handout"] and flags["changed"] == [LEAD.name]
    others = [f for f in demo_store.query(DEMO_AREA, "offers") if f["id"] != fine]
    assert all("edited_by" not in f["properties"] for f in others)  # unchanged: untouched
    again = run(demo_store, text.replace(row, changed))
    assert (again.added, again.updated) == ([], [])  # importing the same file twice: nothing
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        offers.mark_checked(
            demo_store, DEMO_AREA, fine, expected_version=2, actor=LEAD, today=TODAY
        )
    other = Actor("leitung-zwei", Role.LEAD, "Team Nord")
    offers.mark_checked(demo_store, DEMO_AREA, fine, expected_version=2, actor=other, today=TODAY)
    assert offer_model.offer_flags(demo_store.get(DEMO_AREA, "offers", fine)["properties"], TODAY)[
        "handout"
    ]


def test_age_limits_in_csv_import_and_export(demo_store):
    """ "Alter von"/"Alter bis" columns: whole years; exported and read back unchanged."""
    lat, lon = point(demo_store)
    header = f"{HEADER};Alter von;Alter bis"
    text = (
        f"{header}\n"
        f"U25-Coaching;Träger;Jobcenter;Jugendliche;;Coaching.;01234 1;nein;{lat};{lon};;24\n"
        f"Treff 50plus;Träger;Kommune;Ältere;;Treff.;01234 2;nein;{lat};{lon};50;\n"
    )
    report = run(demo_store, text)
    assert report.problems == [] and len(report.added) == 2
    added = {
        (f := demo_store.get(DEMO_AREA, "offers", i))["properties"]["name"]: f["properties"]
        for i in report.added
    }
    assert (added["U25-Coaching"]["min_age_years"], added["U25-Coaching"]["max_age_years"]) == (
        None,
        24,
    )
    assert added["Treff 50plus"]["min_age_years"] == 50
    exported = export_csv(demo_store.query(DEMO_AREA, "offers"), TODAY)
    columns = exported.lstrip("\ufeff").split("\r\n")[0].split(";")
    assert "Alter von" in columns and "Alter bis" in columns
    row = next(line for line in exported.split("\r\n") if "demo-jugendberufsagentur" in line)
    assert row.split(";")[columns.index("Alter bis")] == "24"
    again = run(demo_store, exported)
    assert (again.added, again.updated) == ([], [])
    bad = run(
        demo_store,
        f"{header}\nAlt;Träger;Kommune;;;Treff.;01234 2;nein;{lat};{lon};ab 50;\n"
        f"Verkehrt;Träger;Kommune;;;Treff.;01234 2;nein;{lat};{lon};50;24\n",
    )
    assert [p.german for p in bad.problems] == [
        "Zeile 2: Alter von: bitte eine ganze Zahl von 0 bis 120 (Jahre) angeben.",
        "Zeile 3: Alter bis: die Zahl liegt unter „Alter von“.",
    ]
    geojson = json.loads(export_geojson(demo_store.query(DEMO_AREA, "offers")))
    fifty = next(f for f in geojson["features"] if f["id"] == "demo-bewerbung-50plus")
    assert fifty["properties"]["min_age_years"] == 50


# --- German dates, places from addresses, offers missing from a re-import (issue 25) ---


def test_german_dates_are_read_like_iso_and_an_impossible_date_is_named(demo_store):
    header = "Name;Träger;Förderer;Angebot;Telefon;gebietsweit;gültig ab;gültig bis\n"
    good = (
        header
        + "Schuldnerberatung;Diakonie;Kommune;Beratung bei Schulden.;01234;ja;"
        + "1.10.2026;31.12.2027\n"
    )
    report = run(demo_store, good)
    assert report.problems == []
    props = demo_store.get(DEMO_AREA, "offers", report.added[0])["properties"]
    assert (props["valid_from"], props["valid_to"]) == ("2026-10-01", "2027-12-31")
    before = offer_ids(demo_store)
    bad = (
        header
        + "Schuldnerberatung;Diakonie;Kommune;Beratung bei Schulden.;01234;ja;"
        + "01.10.2026;31.12.2027\n"
        + "Mietschuldenhilfe;Stadt;Kommune;Hilfe bei Mietschulden.;01234;ja;01.10.2026;31.02.2026\n"
        + "Tafel;Tafel e. V.;Stiftung oder Spenden;Lebensmittel.;01234;ja;2026-02-30;\n"
        + "Kleiderkammer;DRK;Stiftung oder Spenden;Kleidung.;01234;ja;Oktober 2026;\n"
    )
    report = run(demo_store, bad)
    germans = [p.german for p in report.problems]
    assert germans == [
        "Zeile 3: gültig bis: den 31.02.2026 gibt es nicht.",
        "Zeile 4: gültig ab: den 2026-02-30 gibt es nicht.",
        "Zeile 5: gültig ab: „Oktober 2026“ ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).",
    ]
    assert offer_ids(demo_store) == before


def _street_and_number(store):
    props = store.query(DEMO_AREA, "addresses")[3]["properties"]
    feature = store.query(DEMO_AREA, "addresses")[3]
    return props["street"], props["housenumber"], feature["geometry"]["coordinates"]


def test_an_offer_with_an_address_but_no_point_is_placed_there(demo_store):
    street, number, (lon, lat) = _street_and_number(demo_store)
    header = "Name;Träger;Förderer;Angebot;Adresse;gebietsweit;Breite;Länge\n"
    # lower case and "str." for "straße": a normalised match counts
    typed = f"{street.lower().replace('straße', 'str.')} {number}"
    report = run(
        demo_store, header + f"Sprachcafé;Nachbarschaftshaus;Kommune;Deutsch üben.;{typed};nein;;\n"
    )
    assert report.problems == [] and report.placed == 1
    offer = demo_store.get(DEMO_AREA, "offers", report.added[0])
    assert offer["geometry"]["coordinates"] == pytest.approx([lon, lat])
    assert offer["properties"]["address"] == typed


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("Gibtesnichtweg 3", "nicht eindeutig gefunden"),
        ("{street} 9999", "Hausnummer"),
    ],
)
def test_an_address_that_is_not_exactly_in_the_area_is_a_row_problem(demo_store, address, reason):
    street, _number, _ = _street_and_number(demo_store)
    typed = address.format(street=street)
    header = "Name;Träger;Förderer;Angebot;Adresse;gebietsweit\n"
    before = offer_ids(demo_store)
    report = run(
        demo_store, header + f"Sprachcafé;Nachbarschaftshaus;Kommune;Deutsch üben.;{typed};nein\n"
    )
    (problem,) = report.problems
    assert problem.german.startswith(f"Zeile 2: Adresse: „{typed}“ wurde im Gebiet nicht eindeutig")
    assert reason in problem.german
    assert "bitte Breite und Länge angeben" in problem.german
    assert offer_ids(demo_store) == before


def test_offers_missing_from_a_reimported_export_are_reported_and_archived_only_on_request(
    demo_store,
):
    stored = sorted(demo_store.query(DEMO_AREA, "offers"), key=lambda f: f["id"])
    gone, kept = stored[0], stored[1:]
    text = export_csv(kept, TODAY)
    report = run(demo_store, text)
    assert report.problems == [] and report.archived == []
    assert report.missing == [
        {
            "id": gone["id"],
            "name": gone["properties"]["name"],
            "provider": gone["properties"]["provider"],
        }
    ]
    assert report.missing_text() == (
        f"nicht mehr in der Datei: {gone['properties']['name']} ({gone['properties']['provider']})"
    )
    # nothing silently deleted or changed
    assert demo_store.get(DEMO_AREA, "offers", gone["id"]) == gone
    body = text.encode("utf-8")
    report = import_offers(
        demo_store, DEMO_AREA, body, "angebote.csv", actor=LEAD, today=TODAY, archive_missing=True
    )
    assert report.archived == [gone["id"]] and report.updated == []
    archived = demo_store.get(DEMO_AREA, "offers", gone["id"])
    assert archived["properties"]["archived_on"] == TODAY.isoformat()
    assert archived["properties"]["name"] == gone["properties"]["name"]
    # archived ones are not missing again, and a row of them makes them active again
    assert run(demo_store, text).missing == []
    again = run(demo_store, export_csv(stored, TODAY))
    assert again.updated == [gone["id"]]
    assert "archived_on" not in demo_store.get(DEMO_AREA, "offers", gone["id"])["properties"]


def test_archived_offers_leave_finder_handouts_and_guide_but_stay_in_the_directory(demo_store):
    from sozialraum.model.offers import Situation
    from sozialraum.services import offers as services

    everything = services.list_offers(demo_store, DEMO_AREA, today=TODAY)
    handout = next(i for i in everything if i["flags"]["handout"] and i["offer"]["geometry"])
    offer_id = handout["offer"]["id"]
    assert services.archive_offers(demo_store, DEMO_AREA, [offer_id], actor=LEAD, today=TODAY) == [
        offer_id
    ]
    # twice is a no-op; a caseworker may not
    assert services.archive_offers(demo_store, DEMO_AREA, [offer_id], actor=LEAD, today=TODAY) == []
    with pytest.raises(Forbidden):
        services.archive_offers(
            demo_store, DEMO_AREA, [offer_id],
            actor=Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord"), today=TODAY,
        )  # fmt: skip
    listed = {i["offer"]["id"] for i in services.list_offers(demo_store, DEMO_AREA, today=TODAY)}
    assert offer_id not in listed and len(listed) == len(everything) - 1
    only = services.list_offers(
        demo_store, DEMO_AREA, today=TODAY, filters=services.OfferFilter(archived="nur")
    )
    assert [i["offer"]["id"] for i in only] == [offer_id]
    assert only[0]["flags"]["handout"] is False
    assert f"archiviert am {TODAY:%d.%m.%Y}" in only[0]["flags"]["labels"]
    found = services.find_offers(demo_store, DEMO_AREA, Situation(), today=TODAY)
    assert offer_id not in {i["offer"]["id"] for i in found["fits"] + found["others"]}
    address = demo_store.query(DEMO_AREA, "addresses")[0]
    nearby = services.nearby_offers(demo_store, DEMO_AREA, address, today=TODAY, limit=50)
    assert offer_id not in {i["offer"]["id"] for i in nearby}


def test_an_edit_keeps_an_archived_offer_archived(demo_store):
    from sozialraum.services import offers as services

    feature = demo_store.query(DEMO_AREA, "offers")[0]
    services.archive_offers(demo_store, DEMO_AREA, [feature["id"]], actor=LEAD, today=TODAY)
    archived = demo_store.get(DEMO_AREA, "offers", feature["id"])
    values = services.offer_form_values(archived)
    values["opening_hours"] = "Mo 9–12 Uhr"
    edited = services.update_offer(
        demo_store, DEMO_AREA, feature["id"], values,
        expected_version=archived["properties"]["version"], actor=LEAD, today=TODAY,
    )  # fmt: skip
    assert edited["properties"]["opening_hours"] == "Mo 9–12 Uhr"
    assert edited["properties"]["archived_on"] == TODAY.isoformat()
