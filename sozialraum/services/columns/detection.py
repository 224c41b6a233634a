"""Detecting the address columns of a list from its header and cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sozialraum.services.columns.kinds import (
    ADDRESS_PARTS,
    GERMAN_ACCUSATIVE,
    ROLE_WORDS,
    ROLES,
    SAMPLE_ROWS,
    SKIP_WHY,
    ColumnProblem,
    ColumnProfile,
    header_kind,
    profile,
)
from sozialraum.services.columns.mapping import (
    GERMAN_COLUMN_HINT,
    ColumnMapping,
    german_quoted_names,
    has_address,
    quoted_names,
)


@dataclass
class Detection:
    """The result of :func:`detect`.

    Attributes
    ----------
    header : tuple of str
    columns : dict
        Role → index for every role that was found without doubt.
    reasons : dict
        Role → German reason for the choice.
    ambiguous : dict
        Role → indices of the columns that could all be it (the user must choose).
    skipped : dict
        Index → German reason why a column was never considered (running number…).
    profiles : list of ColumnProfile
    """

    header: tuple[str, ...]
    columns: dict[str, int]
    reasons: dict[str, str]
    ambiguous: dict[str, list[int]]
    skipped: dict[int, str]
    profiles: list[ColumnProfile]

    @property
    def complete(self) -> bool:
        """Whether street and house number are known and nothing is ambiguous.

        Street and house number may be given separately or combined.
        """
        return not self.ambiguous and has_address(self.columns, self.profiles)

    def suggestion(self) -> str:
        """A ``--columns`` value to name the columns.

        The detected ones, the first candidate where unclear, placeholders where nothing fits.
        """
        parts = []
        for role in ROLES:
            if role in self.columns:
                parts.append(f"{role}={self.header[self.columns[role]]}")
            elif role in self.ambiguous:
                named = [i for i in self.ambiguous[role] if self.profiles[i].header == role]
                parts.append(f"{role}={self.header[(named or self.ambiguous[role])[0]]}")
            elif role in ("street", "housenumber"):
                parts.append(f"{role}=...")
        return ",".join(parts)

    def require(self) -> ColumnMapping:
        """The mapping, or :class:`ColumnProblem`.

        The problem has one English line naming the columns and the ``--columns`` option, and a
        German message for the web.
        """
        hint = f"name them with --columns {self.suggestion()}"
        for role in ROLES:
            if role in self.ambiguous:
                names = [self.header[i] for i in self.ambiguous[role]]
                raise ColumnProblem(
                    f"cannot tell which column is the {ROLE_WORDS[role]}: {quoted_names(names)} — "
                    + hint,
                    f"Unklar, welche Spalte {GERMAN_ACCUSATIVE[role]} enthält: "
                    f"{german_quoted_names(names)}. {GERMAN_COLUMN_HINT}",
                    role,
                    names,
                    self.suggestion(),
                )
        if not self.complete:
            missing = "street" if "street" not in self.columns else "housenumber"
            raise ColumnProblem(
                f"cannot tell which column is the {ROLE_WORDS[missing]}; columns: "
                f"{quoted_names(self.header)} — {hint}",
                f"Keine Spalte für {GERMAN_ACCUSATIVE[missing]} erkannt (Spalten: "
                f"{german_quoted_names(self.header)}). {GERMAN_COLUMN_HINT}",
                None,
                list(self.header),
                self.suggestion(),
            )
        return ColumnMapping(self.header, dict(self.columns), dict(self.reasons))


# header kind -> the roles a column of that kind fills
_FILLS = {
    "street": ("street",),
    "housenumber": ("housenumber",),
    "number?": ("housenumber",),
    "postcode": ("postcode",),
    "city": ("city",),
    "street+housenumber": ("street", "housenumber"),
    "postcode+city": ("postcode", "city"),
    "address": ADDRESS_PARTS,
    "suffix": ("suffix",),
}


def _roles_of(p: ColumnProfile) -> tuple[tuple[str, ...], str, bool] | None:
    """(roles, German reason, named) a column can fill, or ``None``.

    ``named`` is False for a column taken by its cells alone.
    """
    content, kind = p.content, p.header
    if kind in ("running", "id", "name", "date", "other"):
        return None
    if kind == "suffix" or (kind == "suffix?" and p.share("suffix") >= 0.9):
        return ("suffix",), "Spaltenname, Inhalt Buchstaben zur Hausnummer", True
    if kind == "suffix?":
        return None  # "Zusatz" with other cells: an address addition, not read
    if kind == "number?":
        if content == "housenumber":
            return ("housenumber",), "Spaltenname „Nr“, Inhalt Hausnummern", True
        return None  # a bare "Nr" with running numbers or anything else is never taken
    if kind in ("street", "street+housenumber", "address"):
        if content == "address":  # the cells carry the whole address
            return _FILLS["address"], "Inhalt: ganze Anschriften", True
        if content == "street+housenumber" or kind == "street+housenumber":
            return _FILLS["street+housenumber"], "Inhalt: Straße mit Hausnummer", True
        if kind == "address":
            return _FILLS["address"], "Spaltenname: Anschrift", True
        return ("street",), "am Spaltennamen erkannt", True
    if kind in ("postcode", "postcode+city", "city"):
        if content == "postcode+city" or kind == "postcode+city":
            return _FILLS["postcode+city"], "PLZ und Ort in einer Spalte", True
        return _FILLS[kind], "am Spaltennamen erkannt", True
    if kind == "housenumber":
        return ("housenumber",), "am Spaltennamen erkannt", True
    # an unknown name: only cells that are unmistakably addresses count
    if content == "address":
        return _FILLS["address"], "Inhalt: ganze Anschriften", False
    if content == "street+housenumber" and p.share("street+housenumber") >= 0.9:
        return _FILLS["street+housenumber"], "Inhalt: Straße mit Hausnummer", False
    if content == "postcode+city":
        return _FILLS["postcode+city"], "Inhalt: PLZ und Ort", False
    return None


def _skip_reason(p: ColumnProfile) -> str | None:
    if p.header in SKIP_WHY:
        return SKIP_WHY[p.header][1]
    if p.header == "number?" and p.content != "housenumber":
        return SKIP_WHY["running"][1] if p.running else "keine Hausnummern"
    if p.header == "suffix?" and p.filled and p.share("suffix") < 0.9:
        return "Adresszusatz"
    return None


def detect(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Detection:
    """Detect which columns hold street, house number, postcode and city.

    Parameters
    ----------
    header : sequence of str
        The column names.
    rows : sequence of sequence of str
        The rows (all of them: running numbers are recognised over the whole column).

    Returns
    -------
    Detection
        The roles found without doubt, the ambiguous ones with their candidate columns,
        and why other columns were skipped. Call :meth:`Detection.require` for a mapping.
    """
    header = tuple(header)
    top = rows[: SAMPLE_ROWS * 4]  # enough cells to judge; a bare "Nr" is read in full
    profiles = [
        profile(i, name, [row[i] if i < len(row) else "" for row in (
            rows if header_kind(name) in ("number?", None) else top)])
        for i, name in enumerate(header)
    ]  # fmt: skip
    offers: dict[str, list[tuple[int, str, bool, int]]] = {role: [] for role in ROLES}
    skipped: dict[int, str] = {}
    for p in profiles:
        why = _skip_reason(p)
        if why:
            skipped[p.index] = why
        found = _roles_of(p)
        if found is None:
            continue
        roles, reason, named = found
        for role in roles:
            offers[role].append((p.index, reason, named, len(roles)))
    columns, reasons, ambiguous = {}, {}, {}
    for role in ROLES:
        options = offers[role]
        if not options:
            continue
        # a column made for this part alone wins over a combined one ("Straße" over
        # "Anschrift"), a named column over one recognised by its cells
        best = min((width, not named) for _, _, named, width in options)
        chosen = [o for o in options if (o[3], not o[2]) == best]
        if len(chosen) > 1:
            ambiguous[role] = [o[0] for o in chosen]
            continue
        index, reason, _, _ = chosen[0]
        columns[role] = index
        reasons[role] = reason
    # a combined column chosen for the street brings its house number unless one was named
    street = columns.get("street")
    lone = street is not None and not {"housenumber"} & (columns.keys() | ambiguous.keys())
    if lone and has_address({"street": street}, profiles):
        columns["housenumber"] = street
        reasons["housenumber"] = "in der Spalte der Straße"
    return Detection(header, columns, reasons, ambiguous, skipped, profiles)
