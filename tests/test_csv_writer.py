"""One CSV writer for every export (issue 26, finding 5): cells with either delimiter, a
quote or a line break are quoted whatever the file's delimiter, and every piece of a cell
between ``;`` and ``,`` that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.data import noted_address

from sozialraum.services.exports import csv_line, csv_text, formula_safe, undo_formula_guard
from sozialraum.services.mailbox_check import check_table, result_csv
from sozialraum.services.uploads import read_address_csv

PACKAGE = Path(__file__).resolve().parents[1] / "sozialraum"


def _fields(text: str, delimiter: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    return [field for row in rows for field in row]


def _runs_as_formula(field: str) -> bool:
    """A formula sign first, after any spaces, tabs or line breaks."""
    return field.lstrip(" \t\r\n").startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("a;=1+1", "a;'=1+1"),
        ('a, =HYPERLINK("http://x";B2)', 'a, \'=HYPERLINK("http://x";B2)'),
        ("x;+49 211 1;@SUM(A1)", "x;'+49 211 1;'@SUM(A1)"),
        ("-3", "'-3"),
        ("Mo-Fr 9-12, Sa 10-12", "Mo-Fr 9-12, Sa 10-12"),
        ("12-14", "12-14"),
        ("Lindenstraße", "Lindenstraße"),
    ],
)
def test_formulas_are_neutralised_per_piece(cell, safe):
    assert formula_safe(cell) == safe
    assert undo_formula_guard(safe) == cell


@pytest.mark.parametrize("delimiter", [";", ","])
def test_cells_with_either_delimiter_a_quote_or_a_line_break_are_quoted(delimiter):
    line = csv_line(["a;b", "c,d", 'sagt "hallo"', "zwei\nZeilen", "schlicht"], delimiter)
    assert line.startswith(f'"a;b"{delimiter}"c,d"{delimiter}')
    assert line.endswith(f'{delimiter}"zwei\nZeilen"{delimiter}schlicht\r\n')
    assert f'{delimiter}"sagt ""hallo"""{delimiter}' in line
    assert _fields(line, delimiter) == ["a;b", "c,d", 'sagt "hallo"', "zwei\nZeilen", "schlicht"]
    # split on the other delimiter, a quoted cell keeps its own delimiter inside
    other = ";" if delimiter == "," else ","
    assert _fields(line, other)[0].startswith("a;b" if delimiter == ";" else 'a;b,"c,d"')


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet=' ;,"\n\r=+-@\tab1', max_size=12), min_size=2, max_size=5),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([";", ","]),
)
def test_no_cell_runs_as_a_formula_with_either_separator(rows, delimiter):
    text = csv_text(["Spalte"] * 5, rows, delimiter=delimiter)
    for reader in (";", ","):
        assert not [f for f in _fields(text, reader) if _runs_as_formula(f)], text
    # and read with its own delimiter, every cell comes back as written (minus the guard)
    back = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    back = back[1:]
    assert [[undo_formula_guard(c) for c in row] for row in back] == rows


def test_the_mailbox_list_result_quotes_the_other_delimiter(demo_store, demo_area):
    """The pen test: a ','-list with '=1+1' after a ';' and an =HYPERLINK pulling other
    cells; opened with ';' (the German default) nothing may evaluate."""
    props = noted_address(demo_store, "fehlt")[1]["properties"]
    data = (
        "street,housenumber,Bemerkung,Zeichen\r\n"
        f'{props["street"]},{props["housenumber"]},"x;=1+1","=HYPERLINK(""http://a"";C2)"\r\n'
    ).encode()
    table = read_address_csv(data, 100)
    assert table.delimiter == ","
    results, _counts = check_table(demo_store, demo_area, table)
    text = result_csv(table, results)
    for reader in (";", ","):
        fields = _fields(text, reader)
        assert not [f for f in fields if _runs_as_formula(f)], (reader, fields)
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=","))[1]
    assert row[2] == "x;'=1+1" and row[3] == '\'=HYPERLINK("http://a";C2)'
    assert row[-3] == "hoch"  # the check itself is unchanged


def test_every_csv_the_package_writes_goes_through_the_one_writer():
    """No module writes CSV on its own (csv.writer/DictWriter) beside
    sozialraum.services.exports."""
    writers = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"csv\.(writer|DictWriter)\(", line)
    ]
    assert writers == []
