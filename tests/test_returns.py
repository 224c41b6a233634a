"""Returned-mail records: import (CSV, CLI), privacy, idempotence, evidence, purge."""

from __future__ import annotations

from datetime import date

import pytest

from sozialraum import settings
from sozialraum.cli import main
from sozialraum.mailbox_check import CsvProblem, check_table, read_address_csv
from sozialraum.model.notes import add_months
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.returns import (
    active_returns,
    import_returns,
    parse_day,
    purge_expired_returns,
    read_returns,
)

AREA = "musterstadt-nord"
GUARD = load_privacy_guard()


def _unknown_addresses(store, count):
    """Addresses of the demo area without any mailbox note."""
    noted = {n["properties"].get("address_key") for n in store.query(AREA, "notes")}
    found = [a["properties"] for a in store.query(AREA, "addresses")]
    return [a for a in found if a["key"] not in noted][:count]


def _day(months_ago: int, today: date) -> str:
    return add_months(today, -months_ago).strftime("%d.%m.%Y")


@pytest.fixture
def today():
    return settings.today()


def test_import_stores_day_address_reason_and_never_names(demo_store, today):
    one, two = _unknown_addresses(demo_store, 2)
    data = (
        "Name;Datum;Straße;Hausnummer;Grund\n"
        f"Erika Mustermann;{_day(1, today)};{one['street']};{one['housenumber']};"
        "Empfänger unbekannt\n"
        f"Max Beispiel;{add_months(today, -2).isoformat()};{two['street']};"
        f"{two['housenumber']};\n"
    ).encode("cp1252")
    report = import_returns(demo_store, AREA, data, guard=GUARD, today=today, actor="t")
    assert (report.rows, report.added, report.known, report.problems) == (2, 2, 0, [])
    assert report.ignored_columns == ["Name"]
    records = {r["properties"]["address_key"]: r["properties"] for r in active_returns(
        demo_store, AREA, today=today)}  # fmt: skip
    assert records[one["key"]]["reason"] == "Empfänger unbekannt"
    assert records[two["key"]]["reason"] == "unzustellbar"
    assert records[two["key"]]["returned_on"] == add_months(today, -2).isoformat()
    assert records[one["key"]]["expires_on"] == add_months(add_months(today, -1), 12).isoformat()
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"Mustermann" not in content and b"Beispiel" not in content
    again = import_returns(demo_store, AREA, data, guard=GUARD, today=today, actor="t")
    assert (again.added, again.known) == (0, 2)
    assert len(demo_store.query(AREA, "returns")) == 2


def test_returned_mail_makes_the_risk_high_then_medium(demo_store, today):
    recent, older = _unknown_addresses(demo_store, 2)
    data = (
        "Datum;Adresse;Grund\n"
        f"{_day(1, today)};{recent['street']} {recent['housenumber']};unzustellbar\n"
        f"{_day(8, today)};{older['street']} {older['housenumber']};unzustellbar\n"
    ).encode()
    import_returns(demo_store, AREA, data, guard=GUARD, today=today, actor="t")
    table = read_address_csv(
        (
            "Straße;Hausnummer\n"
            f"{recent['street']};{recent['housenumber']}\n"
            f"{older['street']};{older['housenumber']}\n"
        ).encode()
    )
    results, _ = check_table(demo_store, AREA, table, today=today)
    first, second = (r.assessment for r in results)
    assert first.risk == "hoch" and first.status == "post_zurueck"
    assert "Post kam in den letzten 6 Monaten zurück" in first.reasons[0]
    assert first.evidence[0].role == "Poststelle" and first.evidence[0].source == "rueckläufer"
    assert second.risk == "mittel" and "neu prüfen" in second.reasons[0]


def test_rows_that_cannot_be_kept_are_reported_not_stored(demo_store, today):
    (good,) = _unknown_addresses(demo_store, 1)
    future = add_months(today, 1).strftime("%d.%m.%Y")
    data = (
        "Datum;Straße;Hausnummer;Grund\n"
        f"{_day(1, today)};{good['street']};{good['housenumber']};verzogen\n"
        f"{future};{good['street']};{good['housenumber']};verzogen\n"
        f"gestern;{good['street']};{good['housenumber']};verzogen\n"
        f"{_day(13, today)};{good['street']};{good['housenumber']};verzogen\n"
        f"{_day(1, today)};{good['street']};{good['housenumber']};Rückruf 0171 1234567\n"
        f"{_day(1, today)};Nirgendwostraße;1;verzogen\n"
    ).encode()
    records, report = read_returns(demo_store, AREA, data, guard=GUARD, today=today)
    assert len(records) == 1
    problems = {p.row: p.german for p in report.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "Zukunft" in problems[3] and "kein Datum" in problems[4]
    assert "Älter als 12 Monate" in problems[5] and "Telefonnummer" in problems[6]
    assert "0171" not in problems[6]  # the matched text is never repeated
    assert "Adresse nicht übernommen" in problems[7]


def test_file_without_date_column_is_refused(demo_store, today):
    with pytest.raises(CsvProblem) as caught:
        read_returns(demo_store, AREA, b"Adresse\nLindenweg 1\n", guard=GUARD, today=today)
    assert "Datum" in caught.value.german and "date" in caught.value.message


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-10-01", date(2026, 10, 1)),
        ("01.10.2026", date(2026, 10, 1)),
        ("1.10.26", date(2026, 10, 1)),
        ("31.02.2026", None),
        ("", None),
        ("Oktober", None),
    ],
)
def test_parse_day(text, day):
    assert parse_day(text) == day


def test_purge_deletes_expired_records_only(demo_store, today):
    one, two = _unknown_addresses(demo_store, 2)
    data = (
        "Datum;Straße;Hausnummer\n"
        f"{_day(11, today)};{one['street']};{one['housenumber']}\n"
        f"{_day(1, today)};{two['street']};{two['housenumber']}\n"
    ).encode()
    import_returns(demo_store, AREA, data, guard=GUARD, today=today, actor="t")
    later = add_months(today, 2)
    assert purge_expired_returns(demo_store, AREA, today=later, actor="t") == 1
    (left,) = demo_store.query(AREA, "returns")
    assert left["properties"]["address_key"] == two["key"]


def test_cli_import_returns(runner, demo_store, tmp_path, today):
    one, two = _unknown_addresses(demo_store, 2)
    source = tmp_path / "rueck.csv"
    source.write_text(
        "Datum,Straße,Hausnummer,Aktenzeichen\n"
        f"{_day(1, today)},{one['street']},{one['housenumber']},AZ-0815\n"
        f"{_day(1, today)},Nirgendwostraße,{two['housenumber']},AZ-0816\n",
        encoding="utf-8",
    )
    args = ["import-returns", "--data-dir", str(demo_store.data_dir), str(source)]
    result = runner.invoke(main, [*args, "--area", AREA])
    assert result.exit_code == 0, result.output
    assert "2 rows: 1 records added, 0 already known, 1 skipped" in result.output
    assert "skipped row 3: address not found" in result.output
    assert "columns not read: Aktenzeichen" in result.output
    assert "AZ-0815" not in result.output
    for path in demo_store.data_dir.rglob("*"):
        if path.is_file():
            assert b"AZ-0815" not in path.read_bytes()
    source.write_bytes(b"\x00\x01\x02")
    result = runner.invoke(main, [*args, "--area", AREA])
    assert result.exit_code == 1 and "not a CSV text file" in result.output


def test_add_many_is_idempotent_and_audits_the_count_only(store):
    feature = {
        "type": "Feature",
        "id": "rl1",
        "geometry": {"type": "Point", "coordinates": [7.0, 51.0]},
        "properties": {"address_key": "x|1|", "returned_on": "2026-10-01",
                       "expires_on": "2027-10-01", "reason": "geheimer Grund"},
    }  # fmt: skip
    store.write_meta("a", {"name": "a"}, actor="t")
    assert store.add_many("a", "returns", [feature, feature], actor="t") == ["rl1"]
    assert store.add_many("a", "returns", [feature], actor="t") == []
    log = (store.data_dir / "a" / "audit.jsonl").read_text(encoding="utf-8")
    assert "add_many" in log and "geheimer Grund" not in log


def test_returns_read_the_address_columns_like_the_mailbox_check(runner, demo_store, tmp_path,
                                                                 today):  # fmt: skip
    """A Poststelle export with a running number and a Kundennummer: the house number is
    read from "Hausnummer", never from "Nr"; unclear columns stop the import and
    --columns settles them."""
    houses = _unknown_addresses(demo_store, 3)
    lines = ["Nr;Kundennummer;Datum;Straße;Hausnummer"] + [
        f"{n};123A45678{n};{_day(1, today)};{h['street']};{h['housenumber']}"
        for n, h in enumerate(houses, start=1)
    ]
    records, report = read_returns(demo_store, AREA, "\n".join(lines).encode("cp1252"),
                                   guard=GUARD, today=today)  # fmt: skip
    assert sorted(r["properties"]["address_key"] for r in records) == sorted(
        h["key"] for h in houses
    )
    assert report.ignored_columns == ["Nr", "Kundennummer"]
    unclear = ["Nr;Datum;Straße;Hausnummer"] + [
        f"{n};{_day(1, today)};{h['street']};{h['housenumber']}"
        for n, h in zip((4, 9, 4), houses, strict=True)
    ]
    source = tmp_path / "rueck.csv"
    source.write_text("\n".join(unclear) + "\n", encoding="utf-8")
    args = ["import-returns", "--data-dir", str(demo_store.data_dir), str(source), "--area", AREA]
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and demo_store.query(AREA, "returns") == []
    assert "cannot tell which column is the house number: 'Nr', 'Hausnummer'" in result.output
    result = runner.invoke(main, [*args, "--columns", "street=Straße,housenumber=Hausnummer"])
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 records added" in result.output
