"""Column detection of address lists (sozialraum.services.columns): by header meaning and by the
cells; running numbers, customer numbers, names and dates are never taken; combined
columns are split; unclear lists stop with the candidate columns named; the CLI's
--columns and its one-line error."""

from __future__ import annotations

import csv
import io
import random

import pytest
from support.data import noted_address

from sozialraum.cli import main
from sozialraum.model.mailbox import known_return_reason
from sozialraum.services.columns import (
    ColumnProblem,
    CsvProblem,
    describe_returns,
    detect,
    detect_returns,
    header_kind,
    mapping_from_indices,
    mapping_from_names,
    split_postcode_city,
)
from sozialraum.services.uploads import read_address_csv

AREA = "musterstadt-nord"
HEADER = ["Nr", "Straße", "Hausnummer", "PLZ", "Ort"]


def _rows(count: int, numbers=None) -> list[list[str]]:
    """A municipal export: running number, street, house number (repeating), PLZ, Ort."""
    rng = random.Random(3)
    streets = ("Lindenstraße", "Am Kirchplatz", "Birkenweg", "Rosenstraße")
    return [
        [str(n), rng.choice(streets), str(rng.randint(1, 60)), "45903", "Musterstadt"]
        for n in (numbers or range(1, count + 1))
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Straße", "street"), ("Str.", "street"), ("STRASSE", "street"), ("street", "street"),
        ("Straßenname", "street"), ("Hausnummer", "housenumber"), ("Hausnr.", "housenumber"),
        ("HNr", "housenumber"), ("Haus-Nr.", "housenumber"), ("house_number", "housenumber"),
        ("Nr", "number?"), ("Nr.", "number?"), ("No.", "number?"),
        ("PLZ", "postcode"), ("Postleitzahl", "postcode"), ("zip", "postcode"),
        ("Ort", "city"), ("Wohnort", "city"), ("city", "city"),
        ("Straße und Hausnummer", "street+housenumber"), ("Straße Hausnr.", "street+housenumber"),
        ("Str./Nr.", "street+housenumber"), ("street_address", "street+housenumber"),
        ("PLZ Ort", "postcode+city"), ("PLZ/Ort", "postcode+city"), ("zip city", "postcode+city"),
        ("Anschrift", "address"), ("Adresse", "address"), ("Wohnanschrift", "address"),
        ("Lfd. Nr.", "running"), ("Pos.", "running"), ("laufende Nummer", "running"),
        ("Kundennummer", "id"), ("Kd.-Nr.", "id"), ("Aktenzeichen", "id"), ("BG-Nummer", "id"),
        ("ID", "id"), ("client", "id"), ("Name", "name"), ("Vorname", "name"),
        ("Geburtsdatum", "date"), ("geb.", "date"), ("date_of_birth", "date"),
        ("E-Mail-Adresse", "other"), ("Telefon", "other"), ("Ortsteil", None), ("", None),
        ("Hausnummernzusatz", "suffix"), ("HNr-Zusatz", "suffix"), ("housenumber_suffix", "suffix"),
        ("Zusatz", "suffix?"), ("Adresszusatz", "other"),
    ],
)  # fmt: skip
def test_header_meaning(name, kind):
    assert header_kind(name) == kind


@pytest.mark.parametrize("order", ["sorted", "shuffled", "from 40"])
def test_a_running_number_is_never_the_house_number(order):
    numbers = list(range(1, 31)) if order != "from 40" else list(range(40, 70))
    if order == "shuffled":
        random.Random(1).shuffle(numbers)
    rows = _rows(30, numbers)
    mapping = detect(HEADER, rows).require()
    assert mapping.names() == {
        "street": "Straße", "housenumber": "Hausnummer", "postcode": "PLZ", "city": "Ort"
    }  # fmt: skip
    assert [mapping.values(r)[1] for r in rows] == [r[2] for r in rows]
    assert "laufende Nummer" in detect(HEADER, rows).skipped[0]


def test_a_short_list_counting_up_is_a_running_number():
    rows = [["1", "Lindenstraße", "12"], ["2", "Birkenweg", "12"]]
    mapping = detect(["Nr", "Straße", "Hausnummer"], rows).require()
    assert mapping.names()["housenumber"] == "Hausnummer"
    with pytest.raises(ColumnProblem):  # 2, 7 could be house numbers: ask
        detect(["Nr", "Straße", "Hausnummer"], [rows[1], ["7", "A", "1"]]).require()


def test_two_columns_that_could_be_the_house_number_stop_the_check():
    rows = _rows(30)
    for i, row in enumerate(rows):  # "Nr" holds house numbers too (repeating, with gaps)
        row[0] = str(i % 7 + 2)
    with pytest.raises(ColumnProblem) as info:
        detect(HEADER, rows).require()
    assert info.value.role == "housenumber" and info.value.candidates == ["Nr", "Hausnummer"]
    assert info.value.message == (
        "cannot tell which column is the house number: 'Nr', 'Hausnummer' — name them with "
        "--columns street=Straße,housenumber=Hausnummer,postcode=PLZ,city=Ort"
    )
    assert "„Nr“, „Hausnummer“" in info.value.german and "benennen" in info.value.german


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (["Kundennummer", "Straße"], ["123A456789", "Lindenstraße"]),
        (["Name", "Geburtsdatum", "Anmerkung"], ["Anna Beispiel", "01.02.1980", "12"]),
        (["Lfd. Nr.", "Straße"], ["12", "Lindenstraße"]),
        (["Spalte 1", "Spalte 2"], ["Lindenstraße", "12"]),
    ],
)
def test_ids_names_dates_and_unknown_columns_are_never_taken(header, row):
    rows = [list(row) for _ in range(5)]
    with pytest.raises(ColumnProblem) as info:
        detect(header, rows).require()
    assert info.value.candidates == header  # names every column it saw
    assert "--columns street=" in info.value.message and "\n" not in info.value.message


@pytest.mark.parametrize(
    ("header", "row", "values"),
    [
        (["Kd.-Nr.", "Name", "Straße und Hausnummer", "PLZ Ort"],
         ["123A456789", "Ben Muster", "Lindenstraße 12 a", "45903 Musterstadt"],
         ("Lindenstraße 12 a", "", "45903", "Musterstadt")),
        (["Lfd", "Anschrift", "geb."], ["1", "Lindenstraße 12, 45903 Musterstadt", "01.02.1990"],
         ("Lindenstraße 12, 45903 Musterstadt", "", None, None)),
        (["Straße", "PLZ/Ort"], ["Lindenstr. 12", "45903"], ("Lindenstr. 12", "", "45903", None)),
        (["Spalte1", "Spalte2"], ["Lindenstraße 12", "45903 Musterstadt"],
         ("Lindenstraße 12", "", "45903", "Musterstadt")),
        (["street", "house_number", "zip", "city"], ["Lindenstr.", "12", "45903", "Musterstadt"],
         ("Lindenstr.", "12", "45903", "Musterstadt")),
    ],
)  # fmt: skip
def test_combined_columns_are_split(header, row, values):
    rows = [list(row) for _ in range(3)]
    assert detect(header, rows).require().values(rows[0]) == values


def test_a_suffix_column_is_joined_to_the_house_number():
    """ "12" and "a" in two columns is house 12a, never house 12."""
    header = ["Straße", "Hausnummer", "Zusatz", "PLZ"]
    rows = [["Lindenstraße", "12", "a", "45903"], ["Birkenweg", "4", "-6", ""],
            ["Birkenweg", "3", "", ""]]  # fmt: skip
    mapping = detect(header, rows).require()
    assert mapping.names()["suffix"] == "Zusatz"
    assert [v[1] for v in mapping.all_values(rows)] == ["12a", "4-6", "3"]
    combined = [["Lindenstraße 12", "a"], ["Birkenweg 3", ""]]
    mapping = detect(["Straße und Hausnummer", "HNr-Zusatz"], combined).require()
    assert [v[0] for v in mapping.all_values(combined)] == ["Lindenstraße 12a", "Birkenweg 3"]
    other = [["Lindenstraße", "12", "Hinterhaus"]] * 3  # an address addition: not read
    detection = detect(["Straße", "Hausnummer", "Zusatz"], other)
    assert "suffix" not in detection.require().columns
    assert detection.skipped == {2: "Adresszusatz"}


def test_split_postcode_city():
    assert split_postcode_city("41460 Neuss") == ("41460", "Neuss")
    assert split_postcode_city(" 41460, Neuss ") == ("41460", "Neuss")
    assert split_postcode_city("41460") == ("41460", "")
    assert split_postcode_city("Neuss") == ("", "Neuss")


def test_named_columns():
    header = ["Nr", "Straße", "Hausnummer", "PLZ", "Ort"]
    mapping = mapping_from_names("street=Straße,housenumber=Hausnummer,postcode=plz", header)
    assert mapping.columns == {"street": 1, "housenumber": 2, "postcode": 3}
    assert mapping.option() == "street=Straße,housenumber=Hausnummer,postcode=PLZ"
    one = mapping_from_names("address=Anschrift", ["Nr", "Anschrift"])
    assert one.columns == {"street": 1, "housenumber": 1, "postcode": 1, "city": 1}
    with pytest.raises(ColumnProblem, match="no column 'Hnr'; columns: 'Nr', 'Straße'"):
        mapping_from_names("street=Straße,housenumber=Hnr", header)
    with pytest.raises(ColumnProblem, match="expected role=column"):
        mapping_from_names("strasse=Straße", header)
    with pytest.raises(ColumnProblem, match="name the street column"):
        mapping_from_indices({"housenumber": 2}, header)
    with pytest.raises(ColumnProblem, match="named for two parts"):
        mapping_from_indices({"street": 1, "housenumber": 2, "postcode": 2}, header)
    with pytest.raises(ColumnProblem, match="named for two parts"):
        mapping_from_indices({"street": 1, "housenumber": 2, "suffix": 2}, header)
    with pytest.raises(ColumnProblem, match="no such column"):
        mapping_from_indices({"street": 7}, header)


def test_read_address_csv_detects_or_takes_the_named_columns():
    rows = _rows(5)
    rows[0][0] = "40"  # not a run any more: "Nr" could be a house number
    text = "\r\n".join(";".join(r) for r in [HEADER, *rows]) + "\r\n"
    with pytest.raises(ColumnProblem):
        read_address_csv(text.encode("cp1252"))
    table = read_address_csv(text.encode("cp1252"), columns="street=Straße,housenumber=Nr")
    assert table.columns == {"street": 1, "housenumber": 0}
    assert isinstance(ColumnProblem("a", "b", None, []), CsvProblem)


def _cli(runner, demo_store, source, target, *extra):
    return runner.invoke(
        main,
        ["check-addresses", "--data-dir", str(demo_store.data_dir), str(source),
         "-o", str(target), "--area", AREA, *extra],
    )  # fmt: skip


def test_cli_takes_the_house_number_not_the_running_number(runner, demo_store, tmp_path):
    """The reported failure: Nr;Straße;Hausnummer;PLZ;Ort in cp1252 took the running
    number as the house number and reported another house as certain."""
    noted = noted_address(demo_store, "fehlt")[1]["properties"]
    addresses = [a["properties"] for a in demo_store.query(AREA, "addresses")][:6]
    lines = ["Nr;Straße;Hausnummer;PLZ;Ort"] + [
        f"{i};{a['street']};{a['housenumber']};{a.get('postcode') or ''};{a.get('city') or ''}"
        for i, a in enumerate([noted, *addresses], start=1)
    ]
    source = tmp_path / "liste.csv"
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    target = tmp_path / "ergebnis.csv"
    result = _cli(runner, demo_store, source, target)
    assert result.exit_code == 0, result.output
    # the command says which columns it read, so the detection can be checked without the web
    assert (
        "columns: street='Straße', housenumber='Hausnummer', postcode='PLZ', city='Ort'\n"
        in result.output
    )
    out = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert [r["matched_housenumber"] for r in out] == [r["Hausnummer"] for r in out]
    assert {r["match_kind"] for r in out} <= {"exact", "normalised"}
    assert out[0]["risk"] == "hoch"


def test_cli_stops_with_one_line_and_takes_columns(runner, demo_store, tmp_path):
    address = next(a["properties"] for a in demo_store.query(AREA, "addresses"))
    lines = ["Nr;Straße;Hausnummer"] + [
        f"{n};{address['street']};{address['housenumber']}" for n in (3, 9, 3, 5)
    ]
    source = tmp_path / "liste.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "ergebnis.csv"
    result = _cli(runner, demo_store, source, target)
    assert result.exit_code == 1 and not target.exists()
    assert result.output.count("\n") == 1
    assert (
        "cannot tell which column is the house number: 'Nr', 'Hausnummer' — name them with "
        "--columns street=Straße,housenumber=Hausnummer" in result.output
    )
    result = _cli(runner, demo_store, source, target, "--columns",
                  "street=Straße,housenumber=Hausnummer")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert {r["matched_housenumber"] for r in out} == {address["housenumber"]}
    assert "match_label" not in out[0]  # the CLI's CSV stays machine-readable
    result = _cli(runner, demo_store, source, target, "--columns", "street=Straße,hnr=Nr")
    assert result.exit_code == 1 and "expected role=column" in result.output


# -- returned-mail lists: the date and the reason column -----------------------------------

RETURNS_HEADER = ["Sendungsnummer", "Datum", "Empfänger", "Straße", "Hausnummer", "PLZ", "Ort",
                  "Vermerk", "Grund"]  # fmt: skip


def _returns_rows(vermerk: list[str], grund: list[str]) -> list[list[str]]:
    return [
        [f"RR1002003{i:02d}DE", f"0{i + 1}.11.2026", "Schnabelsberger, Anna", "Lindenstraße",
         str(i + 3), "45903", "Musterstadt", v, g]
        for i, (v, g) in enumerate(zip(vermerk, grund, strict=True))
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("vermerk", "grund", "chosen", "unread"),
    [
        # both carry reasons: "Grund" by the priority of its name
        (["Empfänger unbekannt", "verzogen", "unbekannt"], ["verzogen", "Briefkasten fehlt",
         "unzustellbar"], "Grund", ("Vermerk", "weniger passende Gründe")),
        # "Vermerk" generic, "Grund" the reasons: "Grund"
        (["Rücksendung"] * 3, ["verzogen", "unbekannt", "Briefkasten defekt"], "Grund",
         ("Vermerk", "keine bekannten Rücklaufgründe")),
        # "Grund" holds codes, "Vermerk" the reasons: the content decides
        (["Empfänger unbekannt", "verzogen", "BK ohne Namen"], ["01", "02", "07"], "Vermerk",
         ("Grund", "keine bekannten Rücklaufgründe")),
        # neither carries a known reason: the name decides ("Grund" first)
        (["Rücksendung"] * 3, ["01", "02", "07"], "Grund",
         ("Vermerk", "keine bekannten Rücklaufgründe")),
        # "Grund" empty: "Vermerk"
        (["verzogen", "unbekannt", "verzogen"], ["", "", ""], "Vermerk", ("Grund", "leer")),
    ],
)  # fmt: skip
def test_the_reason_column_by_name_and_content(vermerk, grund, chosen, unread):
    rows = _returns_rows(vermerk, grund)
    found = detect_returns(RETURNS_HEADER, rows, known_return_reason)
    assert RETURNS_HEADER[found.reason] == chosen
    assert RETURNS_HEADER[found.date] == "Datum"
    assert [(RETURNS_HEADER[i], why) for i, why in found.unread.items()] == [unread]
    mapping = detect(RETURNS_HEADER, rows).require()
    english, german = describe_returns(RETURNS_HEADER, mapping, found)
    assert german == (
        f"Grund aus Spalte „{chosen}“, Datum aus „Datum“, Adresse aus „Straße“, "
        "„Hausnummer“, „PLZ“, „Ort“"
    )
    assert english.startswith(f"reason from '{chosen}', date from 'Datum', address from")
    assert mapping.used().isdisjoint({found.reason, found.date, 0, 2})


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        (["Geburtsdatum", "Datum", "Straße"], ["01.02.1970", "01.11.2026", "Am Anger 3"], "Datum"),
        (["Datum", "Rücklaufdatum", "Straße"], ["01.10.2026", "01.11.2026", "Am Anger 3"],
         "Rücklaufdatum"),
        (["Versanddatum", "Straße"], ["01.10.2026", "Am Anger 3"], None),
        (["Hinweis", "Datum"], ["verzogen", "2026-11-01"], "Datum"),
        # an empty "Rücklaufdatum" next to a "Datum" with dates: the content decides
        (["Rücklaufdatum", "Datum", "Straße"], ["", "01.11.2026", "Am Anger 3"], "Datum"),
    ],
)  # fmt: skip
def test_the_date_column_of_a_return_is_never_a_birth_date(header, cells, expected):
    found = detect_returns(header, [cells], known_return_reason)
    assert (header[found.date] if found.date is not None else None) == expected


def test_two_plain_date_columns_are_refused_by_name():
    with pytest.raises(CsvProblem) as caught:
        detect_returns(["Datum", "Date", "Straße"], [["01.11.2026", "02.11.2026", "Am Anger 3"]],
                       known_return_reason)  # fmt: skip
    assert "'Datum', 'Date'" in caught.value.message and "„Datum“, „Date“" in caught.value.german
