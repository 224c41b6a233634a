"""The batch mailbox check: CSV in (encodings, delimiters, columns), evidence, risk, CSV out;
bad input gets clear messages; nothing of an uploaded list is stored or logged."""

from __future__ import annotations

import csv
import io
import logging
import shutil
from datetime import timedelta

import pytest
from pyproj import Transformer
from support.data import noted_address
from support.paths import EXTRACTS

from sozialraum import settings
from sozialraum.analysis.nearby import AddressPoints
from sozialraum.cli import main
from sozialraum.errors import InvalidInput
from sozialraum.model.mailbox import UNRELEASED
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.osm.importer import import_area
from sozialraum.services.columns import CsvProblem
from sozialraum.services.mailbox_check import (
    ADDED_COLUMNS,
    check_one,
    check_table,
    result_csv,
    result_record,
)
from sozialraum.services.notes import Actor, NoteRules, create_note
from sozialraum.services.uploads import read_address_csv
from sozialraum.store import GeoJSONStore

AREA = "musterstadt-nord"


def _rows(text: str, delimiter=";"):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_risky_address_is_flagged_with_evidence(demo_store):
    address = noted_address(demo_store, "fehlt")[1]["properties"]
    safe = noted_address(demo_store, "vorhanden")[1]["properties"]
    data = (
        "Aktenzeichen-intern;Straße;Hausnummer;PLZ\n"
        f"X-1;{address['street'].replace('straße', 'str.')};{address['housenumber']};\n"
        f"X-2;{safe['street']};{safe['housenumber']};{safe['postcode']}\n"
        "X-3;Nirgendwostraße;1;\n"
    ).encode("cp1252")
    table = read_address_csv(data)
    results, counts = check_table(demo_store, AREA, table)
    assert counts["hoch"] == 1 and counts["niedrig"] == 1 and counts["unbekannt"] == 1
    rows = _rows(result_csv(table, results))
    header = rows[0]
    assert header[:4] == ["Aktenzeichen-intern", "Straße", "Hausnummer", "PLZ"]
    assert header[4:] == list(ADDED_COLUMNS)
    first = dict(zip(header, rows[1], strict=True))
    assert first["Aktenzeichen-intern"] == "X-1"  # extra columns pass through
    assert first["match_kind"] in ("exact", "normalised") and first["risk"] == "hoch"
    assert first["mailbox_status"] == "fehlt" and "Fachkraft" in first["reasons"]
    assert "Postzustellungsurkunde" in first["action"]
    assert dict(zip(header, rows[3], strict=True))["match_kind"] == "none"


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        ('\ufeffAdresse,Ref\n"Lindenstraße 12, 45903",1\n'.encode(), ","),
        (b"street;housenumber;postcode;city\nLindenstr.;12;45903;Musterstadt\n", ";"),
        ("Anschrift\nLindenstraße 12\n".encode("cp1252"), ";"),
    ],
)
def test_encodings_delimiters_and_column_styles(demo_store, data, delimiter):
    table = read_address_csv(data)
    assert table.delimiter == delimiter
    results, _ = check_table(demo_store, AREA, table)
    assert results[0].match.kind in ("exact", "normalised")
    assert results[0].match.feature["properties"]["housenumber"] == "12"


def test_formula_cells_are_neutralised(demo_store):
    table = read_address_csv(b"Ref;Adresse\n=cmd|' /C calc'!A0;@SUM(1)\n")
    text = result_csv(table, check_table(demo_store, AREA, table)[0])
    row = _rows(text)[1]
    assert row[0].startswith("'=") and row[1].startswith("'@")


@pytest.mark.parametrize(
    ("data", "english", "german"),
    [
        (b"", "empty", "leer"),
        (b"\x00\x01\x02\x03PK\x03\x04", "binary", "Binärdaten"),
        (b"Name;Telefon\nA;1\n", "cannot tell which column is the street", "Keine Spalte"),
        (b"Adresse\n", "no address rows", "keine Adressen"),
    ],
)
def test_bad_files_get_clear_messages(data, english, german):
    with pytest.raises(CsvProblem) as info:
        read_address_csv(data)
    assert english in info.value.message and german in info.value.german


def test_too_many_rows():
    data = ("Adresse\n" + "Lindenstraße 12\n" * 11).encode()
    with pytest.raises(CsvProblem, match="at most 10"):
        read_address_csv(data, max_rows=10)


def test_cli_checks_and_never_stores_or_logs_the_list(runner, demo_store, tmp_path, caplog):
    address = noted_address(demo_store, "defekt")[1]["properties"]
    secret = "Intern-4711-Geheim"
    source = tmp_path / "liste.csv"
    source.write_text(
        f"Ref;Straße;Hausnummer\n{secret};{address['street']};{address['housenumber']}\n",
        encoding="utf-8",
    )
    target = tmp_path / "ergebnis.csv"
    before = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    with caplog.at_level(logging.DEBUG):
        result = runner.invoke(
            main,
            ["check-addresses", "--data-dir", str(demo_store.data_dir), str(source),
             "-o", str(target), "--area", AREA],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "checked 1 address: hoch 1" in result.output
    assert secret in target.read_text(encoding="utf-8-sig")
    assert secret not in caplog.text and secret not in result.output
    after = {p: p.stat().st_mtime_ns for p in demo_store.data_dir.rglob("*") if p.is_file()}
    assert after == before  # nothing in the data folder was written
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes()


def test_cli_errors_are_english_and_write_nothing(runner, demo_store, tmp_path):
    source = tmp_path / "kaputt.csv"
    source.write_bytes(b"\x00\x00junk")
    target = tmp_path / "out.csv"
    args = ["--data-dir", str(demo_store.data_dir), str(source), "-o", str(target)]
    result = runner.invoke(main, ["check-addresses", *args, "--area", AREA])
    assert result.exit_code == 1 and "not a CSV text file" in result.output
    assert not target.exists()
    result = runner.invoke(main, ["check-addresses", *args, "--area", "gibtsnicht"])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_an_archived_observation_is_no_evidence(demo_store):
    note, address = noted_address(demo_store, "fehlt")
    props = address["properties"]
    table = read_address_csv(
        f"Straße;Hausnummer\n{props['street']};{props['housenumber']}\n".encode()
    )
    assert check_table(demo_store, AREA, table)[1]["hoch"] == 1
    archived = {**note, "properties": {**note["properties"], "review_state": "archiviert"}}
    demo_store.update(
        AREA, "notes", note["id"], archived, expected_version=note["properties"]["version"],
        actor="test",
    )  # fmt: skip
    results, counts = check_table(demo_store, AREA, table)
    assert counts["hoch"] == 0 and note["id"] not in str(results[0])


def test_evidence_keeps_expired_notes_without_text_and_honours_the_reader(demo_store):
    from datetime import date, timedelta

    from sozialraum.services.mailbox_check import evidence_index

    area = "musterstadt-nord"
    note, _ = noted_address(demo_store, "fehlt")
    key, today = note["properties"]["address_key"], date.today()
    expired = demo_store.get(area, "notes", note["id"])
    expired["properties"]["text"] = "Abgelaufen und geheim."
    expired["properties"]["expires_on"] = (today - timedelta(days=1)).isoformat()
    version = expired["properties"]["version"]
    demo_store.update(area, "notes", note["id"], expired, expected_version=version, actor="t")
    evidence = [e for e in evidence_index(demo_store, area, today)[key] if e.ref == note["id"]]
    assert len(evidence) == 1 and evidence[0].status == "fehlt"
    assert "geheim" not in evidence[0].detail
    hidden = evidence_index(demo_store, area, today, visible=lambda props: False)
    assert note["id"] not in {e.ref for items in hidden.values() for e in items}


# -- evidence from the house, however it was recorded (real extract) ------------------


NEUSS = "neuss-innenstadt"
_TO_M = Transformer.from_crs(4326, 25832, always_xy=True)
_TO_DEG = Transformer.from_crs(25832, 4326, always_xy=True)


@pytest.fixture(scope="module")
def neuss_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neuss")
    import_area(GeoJSONStore(folder), NEUSS, osm_file=EXTRACTS[NEUSS])
    return folder


@pytest.fixture
def neuss(neuss_dir, tmp_path):
    shutil.copytree(neuss_dir, tmp_path / "data")
    return GeoJSONStore(tmp_path / "data")


def _moved(lon, lat, east_m, north_m=0.0):
    x, y = _TO_M.transform(lon, lat)
    return _TO_DEG.transform(x + east_m, y + north_m)


def _lonely_address(store, min_gap_m=10.0):
    """A real address whose nearest other address is at least ``min_gap_m`` away."""
    addresses = store.query(NEUSS, "addresses")
    points = AddressPoints(addresses)
    for feature in addresses:
        lon, lat = feature["geometry"]["coordinates"]
        near = points.nearest(lon, lat, radius_m=min_gap_m, limit=2)
        if len(near) == 1:
            return feature
    raise AssertionError("no lonely address in the extract")


def _far_point(store, address, clear_m=15.0):
    """A point near ``address`` with no address within ``clear_m`` metres."""
    points = AddressPoints(store.query(NEUSS, "addresses"))
    lon, lat = address["geometry"]["coordinates"]
    for distance_m in (20, 25, 30, 40):
        for east, north in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            x, y = _moved(lon, lat, east * distance_m, north * distance_m)
            if not points.nearest(x, y, radius_m=clear_m, limit=1):
                return x, y
    raise AssertionError("no free point near the address")


def _rules():
    return NoteRules(load_note_categories(), load_privacy_guard())


CASEWORKER = Actor("fachkraft-a", Role.CASEWORKER, "Team A")


def test_a_map_note_next_to_a_house_is_evidence_for_that_house(neuss):
    # the bug: a note set on the map 2 m from a house was tied to no address, so the
    # mailbox check said "Keine Belege" for that house
    today = settings.today()
    address = _lonely_address(neuss)
    lon, lat = _moved(*address["geometry"]["coordinates"], 2.0, 1.0)
    note = create_note(
        neuss, NEUSS,
        {"lon": lon, "lat": lat, "category": "briefkasten", "mailbox_status": "fehlt",
         "text": "Kein Briefkasten an der Haustür."},
        actor=CASEWORKER, rules=_rules(), today=today,
    )  # fmt: skip
    props = note["properties"]
    assert props["address_id"] == address["id"]
    assert props["address_key"] == address["properties"]["key"]
    assert note["geometry"]["coordinates"] == [round(lon, 7), round(lat, 7)]  # point kept
    result = check_one(neuss, NEUSS, address_id=address["id"], today=today)
    assert result.assessment.risk == "hoch"
    record = result_record(result, today)
    assert record["unreleased"] is True
    assert [e["review_state"] for e in record["evidence"]] == ["entwurf"]
    assert (
        record["evidence"][0]["unreleased"] is True and record["evidence"][0]["ref"] == note["id"]
    )
    assert UNRELEASED in record["reasons"][0]
    # the same in the CSV a list check writes
    label = f"{address['properties']['street']};{address['properties']['housenumber']}"
    table = read_address_csv(f"Straße;Hausnummer\n{label}\n".encode())
    row = dict(zip(*_rows(result_csv(table, check_table(neuss, NEUSS, table)[0])), strict=True))
    assert row["risk"] == "hoch" and UNRELEASED in row["reasons"]


def test_a_mailbox_note_far_from_every_address_is_refused(neuss):
    address = _lonely_address(neuss)
    lon, lat = _far_point(neuss, address)
    before = len(neuss.query(NEUSS, "notes"))
    with pytest.raises(InvalidInput, match="im Umkreis von 15 m"):
        create_note(
            neuss, NEUSS,
            {"lon": lon, "lat": lat, "category": "briefkasten", "mailbox_status": "defekt",
             "text": "Briefkasten defekt."},
            actor=CASEWORKER, rules=_rules(), today=settings.today(),
        )  # fmt: skip
    assert len(neuss.query(NEUSS, "notes")) == before
    # other categories keep their free point
    note = create_note(
        neuss, NEUSS, {"lon": lon, "lat": lat, "category": "treffpunkt", "text": "Bank."},
        actor=CASEWORKER, rules=_rules(), today=settings.today(),
    )  # fmt: skip
    assert "address_id" not in note["properties"]


def _legacy_note(store, lon, lat, status, text, observed_days_ago=20):
    """A mailbox note as the map form wrote it before this fix: a point, no address."""
    observed = settings.today() - timedelta(days=observed_days_ago)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
        "properties": {
            "category": "briefkasten",
            "mailbox_status": status,
            "text": text,
            "observed_on": observed.isoformat(),
            "expires_on": (observed + timedelta(days=365)).isoformat(),
            "review_state": "eingereicht",
            "author": "fachkraft-a",
            "team": "Team A",
            "district": None,
        },
    }
    return store.add(NEUSS, "notes", feature, actor="test")


def test_untied_old_notes_count_for_the_nearest_house_and_are_tied_once(neuss, runner):
    address = _lonely_address(neuss)
    near = _legacy_note(neuss, *_moved(*address["geometry"]["coordinates"], 0, 3.0), "fehlt",
                        "Klingelschild fehlt, kein Einwurf.")  # fmt: skip
    far_point = _far_point(neuss, address)
    far = _legacy_note(neuss, *far_point, "defekt", "Briefkasten Klappe lose XYZ-geheim.")
    today = settings.today()
    # before the command: the evidence is found from the house anyway (nearest within 15 m)
    result = result_record(check_one(neuss, NEUSS, address_id=address["id"], today=today), today)
    assert result["risk"] == "hoch" and result["evidence"][0]["ref"] == near["id"]
    assert result["evidence"][0]["review_state"] == "eingereicht"

    args = ["notes", "tie-addresses", "--data-dir", str(neuss.data_dir), "--area", NEUSS]
    dry = runner.invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would tie 1 mailbox note" in dry.output and "1 has no address within 15 m" in dry.output
    assert neuss.get(NEUSS, "notes", near["id"])["properties"]["version"] == 1  # nothing written

    done = runner.invoke(main, args)
    assert done.exit_code == 0, done.output
    assert f"{NEUSS}: tied 1 mailbox note " in done.output
    line = next(x for x in done.output.splitlines() if far["id"] in x)
    distance_m = float(line.split("nearest address ")[1].removesuffix(" m"))
    assert 15.0 < distance_m < 60.0
    assert "XYZ-geheim" not in done.output and "Klingelschild" not in done.output  # never text
    tied = neuss.get(NEUSS, "notes", near["id"])["properties"]
    assert tied["address_id"] == address["id"] and tied["version"] == 2
    assert tied["address_key"] == address["properties"]["key"]
    assert tied["review_state"] == "eingereicht" and tied["text"] == near["properties"]["text"]
    history = neuss.history(NEUSS, "notes", near["id"])
    assert [h["action"] for h in history] == ["add", "update"]
    assert history[-1]["actor"].startswith("cli")
    assert "address_id" not in neuss.get(NEUSS, "notes", far["id"])["properties"]

    again = runner.invoke(main, args)  # once: a second run ties nothing new
    assert "tied 0 mailbox notes" in again.output
    assert neuss.get(NEUSS, "notes", near["id"])["properties"]["version"] == 2


def test_tie_command_refuses_an_unknown_area(neuss, runner):
    args = ["notes", "tie-addresses", "--data-dir", str(neuss.data_dir), "--area", "gibtsnicht"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1


def test_tie_leaves_a_note_changed_meanwhile_alone(neuss, monkeypatch):
    from sozialraum.errors import VersionConflict
    from sozialraum.services.notes import tie_mailbox_notes

    address = _lonely_address(neuss)
    note = _legacy_note(neuss, *_moved(*address["geometry"]["coordinates"], 1.0), "fehlt", "x")

    def edited_meanwhile(*args, **kwargs):
        raise VersionConflict("changed", 2)

    monkeypatch.setattr(neuss, "update", edited_meanwhile)
    report = tie_mailbox_notes(neuss, NEUSS, actor="t", categories=load_note_categories())
    assert report.changed == [note["id"]] and report.tied == [] and report.untied == []
