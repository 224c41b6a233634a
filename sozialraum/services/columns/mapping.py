"""Which column serves which address role.

The mapping, and mappings named by the user (column names or numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sozialraum.services.columns.kinds import (
    ADDRESS_PARTS,
    POSTCODE_CELL,
    POSTCODE_CITY_CELL,
    ROLES,
    SUFFIX_CELL,
    ColumnProblem,
    profile,
)


@dataclass(frozen=True)
class ColumnMapping:
    """Role → column index of a list (see the module text for combined columns).

    Attributes
    ----------
    header : tuple of str
        The list's column names.
    columns : dict
        ``street`` always; ``housenumber``, ``suffix`` (letters or range end joined to the
        number), ``postcode``, ``city`` when the list has them.
    reasons : dict
        Per role, in German, why this column (shown in the web mapping step).
    """

    header: tuple[str, ...]
    columns: Mapping[str, int]
    reasons: Mapping[str, str] = field(default_factory=dict)

    def used(self) -> set[int]:
        """The indices of the columns that hold address parts."""
        return set(self.columns.values())

    def names(self) -> dict[str, str]:
        """Role → column name."""
        return {role: self.header[i] for role, i in self.columns.items()}

    def option(self) -> str:
        """The mapping as a ``--columns`` value (``street=Straße,housenumber=Nr``)."""
        return ",".join(f"{role}={name}" for role, name in self.names().items())

    def values(self, row: Sequence[str]) -> tuple[str, str, str | None, str | None]:
        """The address of one row as ``(street, housenumber, postcode, city)``.

        For :meth:`~sozialraum.analysis.matching.AddressMatcher.match`: a combined column is passed
        as the street with an empty house number (the matcher splits it), a "PLZ Ort" column is
        split here.
        """
        return self.all_values([row])[0]

    def all_values(
        self, rows: Sequence[Sequence[str]]
    ) -> list[tuple[str, str, str | None, str | None]]:
        """:meth:`values` of every row (the column decisions are made once)."""
        cols = self.columns
        street = cols["street"]
        number = cols.get("housenumber")
        number = None if number == street else number
        suffix = cols.get("suffix")
        whole_line = cols.get("postcode") == street or cols.get("city") == street
        postcode = cols.get("postcode")
        postcode = None if postcode == street else postcode
        city = cols.get("city")
        split = postcode is not None and city == postcode
        city = None if city in (street, postcode) else city
        out = []
        for row in rows:
            width = len(row)
            pc = row[postcode].strip() if postcode is not None and postcode < width else ""
            town = row[city].strip() if city is not None and city < width else ""
            if split:
                pc, town = split_postcode_city(pc)
            place = row[street].strip() if street < width else ""
            house = row[number].strip() if number is not None and number < width else ""
            if suffix is not None and suffix < width and row[suffix].strip():
                if number is not None:
                    house = join_suffix(house, row[suffix].strip())
                elif not whole_line:  # "Lindenstr. 12" + "a"
                    place = join_suffix(place, row[suffix].strip())
            out.append((place, house, pc or None, town or None))
        return out


def join_suffix(number: str, suffix: str) -> str:
    """A house number with the cell of a suffix column.

    ``("12", "a")`` → ``"12a"``, ``("12", "-14")`` → ``"12-14"``; anything else is joined with a
    space (the matcher then finds no such house rather than a wrong one).
    """
    if not number:
        return ""
    if SUFFIX_CELL.fullmatch(suffix):
        return number + suffix.replace(" ", "")
    return f"{number} {suffix}"


def split_postcode_city(text: str) -> tuple[str, str]:
    """``"41460 Neuss"`` → ``("41460", "Neuss")``; a cell without postcode is the city."""
    found = POSTCODE_CITY_CELL.fullmatch(text.strip())
    if found:
        return found.group(1), found.group(2).strip(" ,")
    text = text.strip()
    return (text, "") if POSTCODE_CELL.fullmatch(text) else ("", text)


GERMAN_COLUMN_HINT = "Bitte die Spalten eindeutig benennen (z. B. Straße, Hausnummer, PLZ, Ort)."


def quoted_names(names: Sequence[str]) -> str:
    """Column names for English messages: ``'a', 'b'``."""
    return ", ".join(f"'{n}'" for n in names)


def german_quoted_names(names: Sequence[str]) -> str:
    """Column names for German messages: ``„a“, „b“``."""
    return ", ".join(f"„{n}“" for n in names)


def has_address(columns: Mapping[str, int], profiles) -> bool:
    """Whether ``columns`` (role → index) locate an address.

    A street and a house number, or a street column whose cells carry the number.
    """
    if "street" not in columns:
        return False
    if "housenumber" in columns:
        return True
    street = profiles[columns["street"]]  # a street column whose cells carry the number
    return street.share("street+housenumber") + street.share("address") >= 0.5


def mapping_from_names(
    text: str, header: Sequence[str], rows: Sequence[Sequence[str]] | None = None
) -> ColumnMapping:
    """A mapping from a ``--columns`` value.

    For example ``street=Straße,housenumber=Hausnummer,postcode=PLZ,city=Ort``
    (``address=Anschrift`` for one column with the whole address; the same column for street and
    housenumber is a combined column). Names are compared as written, then case-insensitively.

    Raises
    ------
    ColumnProblem
        Unknown role or column, no street, or (with ``rows``) no house number anywhere.
    """
    header = tuple(header)
    choice: dict[str, int] = {}
    for part in (p for p in text.split(",") if p.strip()):
        role, sep, name = part.partition("=")
        role, name = role.strip().lower(), name.strip()
        if not sep or role not in (*ROLES, "address"):
            raise ColumnProblem(
                "--columns: expected role=column with role one of street, housenumber, "
                f"suffix, postcode, city, address; got '{part.strip()}'",
                "Unbekannte Zuordnung.",
                None,
                list(header),
            )
        index = _find_name(name, header)
        for target in ADDRESS_PARTS if role == "address" else (role,):
            if role == "address" and target in choice:
                continue
            choice[target] = index
    return mapping_from_indices(choice, header, rows)


def _find_name(name: str, header: Sequence[str]) -> int:
    for i, column in enumerate(header):
        if column.strip() == name:
            return i
    folded = [i for i, column in enumerate(header) if column.strip().lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    raise ColumnProblem(
        f"--columns: no column '{name}'; columns: {quoted_names(header)}",
        f"Keine Spalte „{name}“.",
        None,
        list(header),
    )


def mapping_from_indices(
    choice: Mapping[str, int | None],
    header: Sequence[str],
    rows: Sequence[Sequence[str]] | None = None,
) -> ColumnMapping:
    """A mapping chosen by the user (web mapping step, ``--columns``): role → index.

    Raises
    ------
    ColumnProblem
        No street, an index outside the header, one column for two parts other than the
        combined forms (street with others, postcode+city), or (checked when ``rows`` are
        given) no house number column while the street cells carry no numbers either.
    """
    header = tuple(header)
    columns = {role: i for role, i in choice.items() if role in ROLES and i is not None}
    if any(not 0 <= i < len(header) for i in columns.values()):
        raise ColumnProblem("no such column", "Diese Spalte gibt es nicht.", None, list(header))
    if "street" not in columns:
        raise ColumnProblem(
            "name the street column (street=...)",
            "Bitte die Spalte mit der Straße wählen.",
            "street",
            list(header),
        )
    for i in set(columns.values()):  # one column for several parts: a combined column
        shared = {role for role, j in columns.items() if j == i}
        combined = "street" in shared or shared == {"postcode", "city"}
        if len(shared) > 1 and ("suffix" in shared or not combined):
            raise ColumnProblem(
                f"column '{header[i]}' named for two parts",
                f"Die Spalte „{header[i]}“ ist zwei Teilen zugeordnet.",
                sorted(shared)[0],
                [header[i]],
            )
    if rows is not None and "housenumber" not in columns:
        street = profile(
            columns["street"],
            header[columns["street"]],
            [r[columns["street"]] if columns["street"] < len(r) else "" for r in rows],
        )
        if not has_address({"street": street.index}, {street.index: street}):
            raise ColumnProblem(
                f"name the house number column (housenumber=...): '{header[street.index]}' "
                "holds no house numbers",
                "Bitte die Spalte mit der Hausnummer wählen (die Spalte der Straße enthält "
                "keine Hausnummern).",
                "housenumber",
                list(header),
            )
    reasons = {role: "von Hand zugeordnet" for role in columns}
    return ColumnMapping(header, columns, reasons)
