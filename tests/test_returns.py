"""Returned-mail records: import (CSV, CLI), privacy, idempotence, evidence, purge."""

from __future__ import annotations

from datetime import date

import pytest
from support.returns import add_houses, post_office_export

from sozialraum import settings
from sozialraum.cli import main
from sozialraum.model.notes import add_months
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.services.columns import CsvProblem
from sozialraum.services.mailbox_check import check_table
from sozialraum.services.mailbox_returns import (
    ReturnsProblem,
    active_returns,
    import_returns,
    purge_expired_returns,
    read_returns,
    return_evidence,
    rewrite_free_text_reasons,
    withdraw_return,
)
from sozialraum.services.uploads import parse_day, read_address_csv

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
    assert records[one["key"]]["reason"] == "unbekannt"
    assert records[one["key"]]["reason_label"] == "Empfänger unbekannt"
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
        f"{_day(1, today)};Nirgendwostraße;1;verzogen\n"
        f"31.11.{today.year};{good['street']};{good['housenumber']};verzogen\n"
    ).encode()
    records, report = read_returns(demo_store, AREA, data, guard=GUARD, today=today)
    assert len(records) == 1
    problems = {p.row: p.german for p in report.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert [p.row for p in report.problems] == sorted(problems), "notices in row order"
    assert problems[7] == f"Zeile 7: Den 31.11.{today.year} gibt es nicht."
    assert "Zukunft" in problems[3] and "kein Datum" in problems[4]
    assert "Älter als 12 Monate" in problems[5]
    assert "Adresse nicht übernommen" in problems[6]


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
    assert "2 rows: 1 record added, 0 already known, 1 skipped" in result.output
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


# -- issue 25: near-miss streets, reason columns, fixed reasons, withdrawal ----------------


def _risk(store, key_props, today):
    table = read_address_csv(
        f"Straße;Hausnummer\n{key_props['street']};{key_props['housenumber']}\n".encode()
    )
    (result,), _ = check_table(store, AREA, table, today=today)
    return result.assessment.risk


def _data_files(store) -> bytes:
    return b"".join(p.read_bytes() for p in store.data_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_near_miss_streets_are_skipped_with_their_candidates(demo_store, today, encoding):
    houses = add_houses(demo_store)
    (exact,) = _unknown_addresses(demo_store, 1)
    data = post_office_export(today, exact).encode(encoding)
    report = import_returns(demo_store, AREA, data, today=today, actor="t")
    assert (report.rows, report.added, report.problems) == (3, 1, [])
    (stored,) = demo_store.query(AREA, "returns")
    assert stored["properties"]["address_key"] == exact["key"]
    assert stored["properties"]["matched"] == "exact"
    fuzzy, ambiguous = report.skipped
    assert (fuzzy.row, fuzzy.kind, fuzzy.kind_label) == (2, "fuzzy", "ähnlich")
    assert [c["label"] for c in fuzzy.candidates] == ["Waldstraße 16, 45903 Musterstadt"]
    assert fuzzy.acceptable and fuzzy.typed == "Wallstraße 16, 45903 Musterstadt"
    assert (ambiguous.row, ambiguous.kind) == (4, "ambiguous") and not ambiguous.acceptable
    labels = [c["label"] for c in ambiguous.candidates]
    assert "Sahlstraße 4, 45903 Musterstadt" in labels
    assert "Saalstraße 4, 45903 Musterstadt" in labels
    assert "Rückläufer" not in str(fuzzy.reason_label) and fuzzy.reason_label == "verzogen"
    # the unrelated house is not marked "hoch"
    assert _risk(demo_store, houses["Waldstraße 16"]["properties"], today) == "unbekannt"
    # the report names which column was read for what
    assert report.columns_german.startswith(
        "Grund aus Spalte „Grund“, Datum aus „Datum“, Adresse aus „Straße“, „Hausnummer“, "
        "„PLZ“, „Ort“"
    )
    assert report.unread == [("Vermerk", "keine bekannten Rücklaufgründe")]
    assert report.ignored_columns == ["Sendungsnummer", "Empfänger", "Vermerk"]


def test_a_chosen_candidate_is_recorded_only_if_it_is_one_of_the_rows(demo_store, today):
    houses = add_houses(demo_store)
    (exact,) = _unknown_addresses(demo_store, 1)
    data = post_office_export(today, exact).encode("cp1252")
    import_returns(demo_store, AREA, data, today=today, actor="t")
    wrong = {2: houses["Saalstraße 4"]["id"]}  # a candidate of row 4, not of row 2
    for choices in (wrong, {3: exact["key"]}, {2: "n1"}, {9: houses["Waldstraße 16"]["id"]}):
        with pytest.raises(ReturnsProblem):
            import_returns(demo_store, AREA, data, today=today, actor="t", choices=choices)
    assert len(demo_store.query(AREA, "returns")) == 1  # nothing was recorded
    saal = houses["Saalstraße 4"]
    report = import_returns(demo_store, AREA, data, today=today, actor="t", choices={4: saal["id"]})
    assert (report.added, report.known, report.chosen) == (1, 1, 1)
    assert [s.row for s in report.skipped] == [2]  # not chosen: still skipped
    chosen = next(
        r["properties"] for r in demo_store.query(AREA, "returns")
        if r["properties"]["matched"] == "chosen"
    )  # fmt: skip
    assert chosen["address_key"] == saal["properties"]["key"] and chosen["reason"] == "verzogen"
    assert _risk(demo_store, saal["properties"], today) == "hoch"
    assert _risk(demo_store, houses["Sahlstraße 4"]["properties"], today) == "unbekannt"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Anna Schnabelsberger verzogen", "verzogen"),
        ("Empfänger Schnabelsberger, Anna unbekannt", "unbekannt"),
        ("verzogen nach Offenbacher Str. 5, Langen", "verzogen"),
        ("Briefkasten ohne Namen", "briefkasten_ohne_namen"),
        ("Annahme verweigert", "sonstiges"),
        ("", "unzustellbar"),
    ],
)
def test_reasons_are_kept_only_as_one_of_the_fixed_set(demo_store, today, text, key):
    (house,) = _unknown_addresses(demo_store, 1)
    data = (
        f"Datum;Straße;Hausnummer;Grund\n{_day(1, today)};{house['street']};"
        f"{house['housenumber']};{text}\n"
    ).encode("cp1252")
    import_returns(demo_store, AREA, data, today=today, actor="t")
    (record,) = demo_store.query(AREA, "returns")
    assert record["properties"]["reason"] == key
    stored = _data_files(demo_store)
    for word in ("Schnabelsberger", "Offenbacher", "verweigert"):
        assert word.encode() not in stored


def test_the_whole_export_keeps_no_names_and_no_free_text(demo_store, today):
    add_houses(demo_store)
    (exact,) = _unknown_addresses(demo_store, 1)
    data = post_office_export(today, exact).encode("utf-8")
    report = import_returns(
        demo_store, AREA, data, today=today, actor="t", accept_fuzzy=[2], guard=GUARD
    )
    (notice,) = report.notices  # "Anna Schnabelsberger verzogen": a first name and a name
    assert notice.row == 2 and "vorname_name" in notice.english
    assert "gespeichert wird nur „verzogen“" in notice.german
    assert "Schnabelsberger" not in notice.english + notice.german
    stored = _data_files(demo_store)
    for word in ("Schnabelsberger", "Nowak", "RR100200300DE", "Offenbacher", "Wallstraße"):
        assert word.encode() not in stored
    reasons = sorted(r["properties"]["reason"] for r in demo_store.query(AREA, "returns"))
    assert reasons == ["unbekannt", "verzogen"]


def test_the_reason_column_is_chosen_by_content_when_grund_holds_codes(demo_store, today):
    """ "Grund" holds the post office's codes, "Vermerk" the words: the reason is read from
    "Vermerk" and the report says so."""
    one, two = _unknown_addresses(demo_store, 2)
    data = (
        "Datum;Straße;Hausnummer;Grund;Vermerk\n"
        f"{_day(1, today)};{one['street']};{one['housenumber']};07;Briefkasten defekt\n"
        f"{_day(1, today)};{two['street']};{two['housenumber']};02;Empfänger verzogen\n"
    ).encode("cp1252")
    report = import_returns(demo_store, AREA, data, today=today, actor="t")
    assert report.columns_german.startswith("Grund aus Spalte „Vermerk“")
    assert report.columns.startswith("reason from 'Vermerk'")
    assert report.unread == [("Grund", "keine bekannten Rücklaufgründe")]
    reasons = {r["properties"]["address_key"]: r["properties"]["reason"]
               for r in demo_store.query(AREA, "returns")}  # fmt: skip
    assert reasons == {one["key"]: "briefkasten_defekt", two["key"]: "verzogen"}


def test_older_records_with_free_text_are_mapped_on_read_and_rewritten(demo_store, today):
    (house,) = _unknown_addresses(demo_store, 1)
    import_returns(
        demo_store, AREA,
        f"Datum;Straße;Hausnummer\n{_day(1, today)};{house['street']};{house['housenumber']}\n"
        .encode(), today=today, actor="t",
    )  # fmt: skip
    (record,) = demo_store.query(AREA, "returns")
    old = {**record, "id": "rlalt", "properties": {
        k: v for k, v in record["properties"].items() if k not in ("version", "updated_at")
    } | {"reason": "Frau Schnabelsberger unbekannt verzogen"}}  # fmt: skip
    demo_store.add_many(AREA, "returns", [old], actor="t")
    shown = {r["id"]: r["properties"] for r in active_returns(demo_store, AREA, today=today)}
    assert (shown["rlalt"]["reason"], shown["rlalt"]["reason_label"]) == ("verzogen", "verzogen")
    assert return_evidence(old).detail == "Rückläufer: verzogen"
    assert rewrite_free_text_reasons(demo_store, AREA, actor="t") == 1
    assert b"Schnabelsberger" not in (demo_store.data_dir / AREA / "returns.geojson").read_bytes()
    assert demo_store.get(AREA, "returns", "rlalt")["properties"]["reason"] == "verzogen"
    assert rewrite_free_text_reasons(demo_store, AREA, actor="t") == 0


def test_a_withdrawn_record_counts_nowhere_at_once(demo_store, today):
    (house,) = _unknown_addresses(demo_store, 1)
    data = (
        f"Datum;Straße;Hausnummer;Grund\n{_day(1, today)};{house['street']};"
        f"{house['housenumber']};verzogen\n"
    ).encode()
    import_returns(demo_store, AREA, data, today=today, actor="t")
    (record,) = demo_store.query(AREA, "returns")
    assert _risk(demo_store, house, today) == "hoch"
    for reason, word in (
        ("  ", "reason is required"),
        ("Frau Schnabelsberger rief an", "personal"),
    ):
        with pytest.raises(ReturnsProblem, match=word):
            withdraw_return(demo_store, AREA, record["id"], reason=reason, guard=GUARD,
                            actor="lead", today=today)  # fmt: skip
    assert _risk(demo_store, house, today) == "hoch"
    withdraw_return(demo_store, AREA, record["id"], reason="Falsche Hausnummer zugeordnet",
                    guard=GUARD, actor="lead", today=today)  # fmt: skip
    assert _risk(demo_store, house, today) == "unbekannt"
    assert active_returns(demo_store, AREA, today=today) == []
    props = demo_store.get(AREA, "returns", record["id"])["properties"]
    assert (props["withdrawn_by"], props["withdrawn_on"]) == ("lead", today.isoformat())
    (entry,) = [e for e in demo_store.changes(AREA, "returns") if e.get("id") == record["id"]]
    assert entry["transition"] == "withdrawn" and entry["actor"] == "lead"
    again = import_returns(demo_store, AREA, data, today=today, actor="t")
    assert (again.added, again.known) == (0, 1)  # a re-import does not bring it back
    assert _risk(demo_store, house, today) == "unbekannt"
    with pytest.raises(ReturnsProblem, match="already"):
        withdraw_return(demo_store, AREA, record["id"], reason="nochmal", guard=GUARD,
                        actor="lead", today=today)  # fmt: skip


def test_cli_accepts_fuzzy_rows_only_when_named_and_single(runner, demo_store, tmp_path, today):
    houses = add_houses(demo_store)
    (exact,) = _unknown_addresses(demo_store, 1)
    source = tmp_path / "rueck.csv"
    source.write_bytes(post_office_export(today, exact).encode("cp1252"))
    args = ["import-returns", "--data-dir", str(demo_store.data_dir), str(source), "--area", AREA]
    for rows, line in (
        ("4", "--accept-fuzzy: row 4 is ambiguous with 3 candidates, not a fuzzy match with "
              "one candidate; nothing was imported"),
        ("3", "--accept-fuzzy: row 3 is not a skipped fuzzy match"),
        ("2,x", "expected row numbers such as 3,7"),
    ):  # fmt: skip
        result = runner.invoke(main, [*args, "--accept-fuzzy", rows])
        assert result.exit_code != 0 and line in result.output, result.output
        assert demo_store.query(AREA, "returns") == []
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert ("read: reason from 'Grund', date from 'Datum', address from 'Straße', "
            "'Hausnummer', 'PLZ', 'Ort'") in result.output  # fmt: skip
    assert "column 'Vermerk' not read as the reason (no known reasons)" in result.output
    assert ("skipped row 2: fuzzy match for 'Wallstraße 16, 45903 Musterstadt', not recorded; "
            "candidates: Waldstraße 16, 45903 Musterstadt (accept with --accept-fuzzy 2)"
            ) in result.output  # fmt: skip
    assert "skipped row 4: ambiguous address" in result.output
    assert "3 rows: 1 record added, 0 already known, 2 skipped" in result.output
    assert "Schnabelsberger" not in result.output
    result = runner.invoke(main, [*args, "--accept-fuzzy", "2"])
    assert result.exit_code == 0, result.output
    assert "3 rows: 1 record added (1 accepted fuzzy), 1 already known, 1 skipped" in (
        result.output
    )
    keys = {r["properties"]["address_key"] for r in demo_store.query(AREA, "returns")}
    assert keys == {exact["key"], houses["Waldstraße 16"]["properties"]["key"]}
