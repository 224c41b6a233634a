"""The batch mailbox check: CSV in (encodings, delimiters, columns), evidence, risk, CSV out;
bad input gets clear messages; nothing of an uploaded list is stored or logged."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from conftest import noted_address

from sozialraum.cli import main
from sozialraum.mailbox_check import (
    ADDED_COLUMNS,
    CsvProblem,
    check_table,
    read_address_csv,
    result_csv,
)

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
    assert "checked 1 addresses: hoch 1" in result.output
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

    from sozialraum.mailbox_check import evidence_index

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
