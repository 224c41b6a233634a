"""Reading uploaded CSV lists (no Flask).

The parsing the mailbox check, returned mail and the offers import share.

Files are decoded (UTF-8 with or without BOM, or Windows-1252; binary junk refused), split
by their delimiter (``;`` or ``,``) and, for address lists, their columns decided
(:mod:`sozialraum.services.columns`). Uploaded lists are processed in memory only. Errors
carry an English message (CLI, API ``detail``) and a German one (``german``, for the web
pages); neither repeats a row's content.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sozialraum.analysis.matching import AddressMatcher, Match
from sozialraum.services.columns import (
    ColumnMapping,
    CsvProblem,
    column_key,
    detect,
    mapping_from_names,
)

#: Most rows an address list may hold (the mailbox check's limit).
MAX_ROWS = 100_000
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")


@dataclass
class RowProblem:
    """A row that was not imported: its number in the file (header = 1) and why."""

    row: int
    english: str
    german: str


def parse_day(text: str) -> date | None:
    """``2026-10-01``, ``01.10.2026`` or ``1.10.26``; ``None`` if it is none of these."""
    text = (text or "").strip()
    found = _GERMAN_DATE.match(text)
    try:
        if found:
            day, month, year = (int(v) for v in found.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        return date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def impossible_day(text: str) -> str | None:
    """The text when it is written like a day that does not exist (``31.11.2026``)."""
    text = (text or "").strip()
    found = _GERMAN_DATE.match(text) or re.match(r"^(\d{4})-(\d{2})-(\d{2})$", text)
    if found and parse_day(text) is None:
        return text
    return None


def find_column(header: list[str], aliases: set[str]) -> int | None:
    """Index of the first column whose name is one of ``aliases``, or ``None``.

    Names are compared with case, umlauts and punctuation folded.
    """
    for i, name in enumerate(header):
        if column_key(name) in aliases:
            return i
    return None


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1252; binary junk is refused."""
    if not data.strip():
        raise CsvProblem("the file is empty", "Die Datei ist leer.")
    sample = data[:65536]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100:
        raise CsvProblem(
            "this is not a CSV text file (binary content)",
            "Das ist keine CSV-Textdatei (die Datei enthält Binärdaten). Bitte als CSV speichern.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class TooManyRows(CsvProblem):
    """A list longer than allowed (HTTP 413 in the API)."""

    status = 413


@dataclass
class AddressTable:
    """A parsed address list: header, rows, delimiter and which columns hold what.

    ``mapping`` is ``None`` until the columns are known, see :func:`read_table`.
    """

    header: list[str]
    rows: list[list[str]]
    delimiter: str
    mapping: ColumnMapping | None = None

    @property
    def columns(self) -> dict[str, int]:
        """Role → column index (a combined column serves several roles)."""
        return dict(self.mapping.columns) if self.mapping else {}


def read_table(data: bytes, max_rows: int = MAX_ROWS) -> AddressTable:
    """Parse a list without deciding its columns yet.

    UTF-8 with or without BOM, or Windows-1252; ``;`` or ``,``.

    Raises
    ------
    CsvProblem
        Empty, binary, not CSV, too many rows, no rows (English and German messages).
    """
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem("the file is empty", "Die Datei ist leer.") from None
    except csv.Error:
        raise CsvProblem("the file is not valid CSV", "Die Datei ist keine gültige CSV.") from None
    rows = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            if len(rows) > max_rows:
                raise TooManyRows(
                    f"too many rows: at most {max_rows:,}",
                    f"Zu viele Zeilen: höchstens {max_rows:,}.".replace(",", "."),
                )
    except csv.Error:
        raise CsvProblem("the file is not valid CSV", "Die Datei ist keine gültige CSV.") from None
    if not rows:
        raise CsvProblem("the file has no address rows", "Die Datei enthält keine Adressen.")
    return AddressTable(header, rows, delimiter)


def read_address_csv(
    data: bytes, max_rows: int = MAX_ROWS, columns: str | ColumnMapping | None = None
) -> AddressTable:
    """Parse an address list and decide its columns (see :mod:`sozialraum.services.columns`).

    Parameters
    ----------
    data : bytes
        The file.
    max_rows : int
        At most this many rows.
    columns : str or ColumnMapping, optional
        The columns named by the user (a ``--columns`` value such as
        ``street=Straße,housenumber=Hausnummer,postcode=PLZ,city=Ort``, or a mapping);
        detected from header and cells when not given.

    Raises
    ------
    CsvProblem
        Empty, binary, too many rows; :class:`~sozialraum.services.columns.ColumnProblem` when the
        columns are unclear (two could be the house number, or none fits).
    """
    table = read_table(data, max_rows)
    if isinstance(columns, ColumnMapping):
        table.mapping = columns
    elif columns:
        table.mapping = mapping_from_names(columns, table.header, table.rows)
    else:
        table.mapping = detect(table.header, table.rows).require()
    return table


def address_values(table: AddressTable) -> list[tuple[str, ...]]:
    """Per row the address as ``(street, housenumber, postcode, city)``.

    See :meth:`~sozialraum.services.columns.ColumnMapping.values`.
    """
    if table.mapping is None:
        raise ValueError("the columns of the table are not known yet")
    return table.mapping.all_values(table.rows)


def match_address(matcher: AddressMatcher, values: tuple[str | None, ...]) -> Match:
    """Match ``(street, housenumber, postcode, city)`` or ``(line,)``."""
    return matcher.match(*values) if len(values) == 4 else matcher.match_line(values[0] or "")
