"""Which columns of an address list hold the street, house number, postcode and city.

Municipal exports name their columns in many ways (``Straße``, ``Str.``, ``Hausnr.``,
``HNr``, ``Haus-Nr.``, ``house_number``, ``PLZ/Ort``, ``Anschrift``…) and carry other
columns that look similar: running numbers (``Nr``, ``Lfd. Nr.``), customer or case
numbers, names, birth dates. :func:`detect` reads the header *and* the cells: a column is
taken for a role only if its name means that role (or, for unnamed combined columns, its
cells are unmistakably addresses), and running numbers, ids, names and dates are never
taken. Where two columns could hold the same part, or nothing fits, it does not guess:
:meth:`Detection.require` raises :class:`ColumnProblem` naming the candidate columns, and
the caller asks the user (``--columns`` in the CLI, the mapping step on the web page).

A :class:`ColumnMapping` maps each role to a column index; one column may serve several
roles: ``street`` and ``housenumber`` on the same column is a combined column ("Straße und
Hausnummer"), ``postcode`` and ``city`` on the same column is "PLZ Ort", and all four on
one column is a one-line address ("Anschrift"). No Flask, no I/O: used by the mailbox
check (:mod:`sozialraum.services.mailbox_check`) and the returned-mail import
(:mod:`sozialraum.services.mailbox_returns`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sozialraum.errors import InvalidInput

#: The parts of an address a list can hold, in order.
ROLES = ("street", "housenumber", "suffix", "postcode", "city")
#: The parts one address column ("Anschrift") holds.
ADDRESS_PARTS = ("street", "housenumber", "postcode", "city")
#: German names of the roles (web mapping step).
ROLE_LABELS = {"street": "Straße", "housenumber": "Hausnummer", "suffix": "Zusatz zur Hausnummer",
               "postcode": "PLZ", "city": "Ort"}  # fmt: skip
_ROLE_WORDS = {"street": "street", "housenumber": "house number",
               "suffix": "house number suffix", "postcode": "postcode", "city": "city"}  # fmt: skip
_GERMAN_ACCUSATIVE = {"street": "die Straße", "housenumber": "die Hausnummer",
                      "suffix": "den Zusatz zur Hausnummer", "postcode": "die PLZ",
                      "city": "den Ort"}  # fmt: skip
#: Cells read per column to judge its content (from the top of the list).
SAMPLE_ROWS = 500

# Header vocabulary, matched against the folded name (lower case, umlauts spelled out,
# letters and digits only: "Haus-Nr." -> "hausnr", "PLZ/Ort" -> "plzort").
_STREET = r"(?:strasse|str|strassenname|strname|street|streetname)"
_NUMBER_STRONG = r"(?:hausnummer|hausnr|hausno|hnr|hsnr|hnummer|housenumber|housenr|houseno)"
_NUMBER_WEAK = r"(?:nr|no|nummer|number|num)"
_AND = r"(?:und|and|u)?"
_POSTCODE = r"(?:plz|postleitzahl|zip|zipcode|postcode|postalcode)"
_CITY = r"(?:ort|stadt|wohnort|gemeinde|city|town)"
_SUFFIX = r"(?:zusatz|suffix|addition|buchstabe)"
_HEADER_PATTERNS = (
    ("other", re.compile(r"(?:adress|address|anschrift|wohn|strassen?)\w*zusatz\w*")),
    ("suffix", re.compile(
        rf"(?:{_NUMBER_STRONG}|{_NUMBER_WEAK}|haus)\w*{_SUFFIX}|{_SUFFIX}\w*"
        rf"(?:{_NUMBER_STRONG}|{_NUMBER_WEAK})")),
    ("suffix?", re.compile(_SUFFIX)),
    ("street+housenumber", re.compile(
        rf"{_STREET}{_AND}(?:{_NUMBER_STRONG}|{_NUMBER_WEAK})|adresszeile\d?|addressline\d?"
        r"|streetaddress")),
    ("postcode+city", re.compile(rf"{_POSTCODE}{_AND}{_CITY}")),
    ("street", re.compile(_STREET)),
    ("housenumber", re.compile(_NUMBER_STRONG)),
    ("number?", re.compile(_NUMBER_WEAK)),
    ("postcode", re.compile(_POSTCODE)),
    ("city", re.compile(_CITY)),
    ("address", re.compile(
        r"(?:wohn|post|melde|zustell|voll|vollstaendige|full|postal)?"
        r"(?:anschrift|adresse|addresse|address)")),
    ("running", re.compile(
        r"(?:lfd|laufend|laufende|lauf)\w*|\w*(?:lfd|laufend)|pos|position|zeile|zeilennr"
        r"|row|rownumber|index|idx|seq|sequence|serial|serialno|sn|nrlaufend")),
)  # fmt: skip
_ID = re.compile(
    r"(?:kund|kd|akten|az$|fall|bg|vorgang|customer|client|klient|ref|id$|pers|versich"
    r"|mitglied|antrag|case|buchung|konto|vertrag|\w+(?:nr|nummer|number|no|id)$)"
)
_NAME = re.compile(r".*(?:name|empfaenger|adressat|recipient|vorname|person|anrede)")
_DATE = re.compile(r".*(?:datum|geburt|gebdat|date|dob|birth)|geb|geboren|geburtstag")
_MAIL = re.compile(r"mail|telefon|phone|^tel$|fax|iban|handy|mobil")
_SKIP_WHY = {
    "running": ("a running number", "laufende Nummer"),
    "id": ("an id or customer number", "Kunden-/Fallnummer"),
    "name": ("a name", "Name"),
    "date": ("a date", "Datum"),
    "other": ("not an address", "keine Adresse"),
}

# Cell patterns.
_HN_CELL = re.compile(r"\d{1,4}\s*[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}\s*[a-zA-Z]?)?")
_PC_CELL = re.compile(r"\d{5}")
_PC_CITY_CELL = re.compile(r"(\d{5})[\s,]+(\D.*)")
_STREET_HN_CELL = re.compile(
    r"[^\W\d_][^\d]*?\.?\s*\d{1,4}\s*[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}\s*[a-zA-Z]?)?"
)
_ADDRESS_CELL = re.compile(rf"{_STREET_HN_CELL.pattern}\s*,?\s*\d{{5}}(?:[\s,]+\D.*)?")
_DATE_CELL = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}.*")
_ID_CELL = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9/_-]{6,}|\d{6,}")
_TEXT_CELL = re.compile(r"[^\d]+")
_SUFFIX_CELL = re.compile(r"[A-Za-z]{1,2}|[-/]\s*\d{1,4}\s*[A-Za-z]?")


class CsvProblem(InvalidInput):
    """A list that cannot be read or checked; ``german`` is the message for the web pages."""

    def __init__(self, message: str, german: str):
        super().__init__(message)
        self.german = german


class ColumnProblem(CsvProblem):
    """The columns of a list cannot be told apart safely: the user has to name them.

    Attributes
    ----------
    role : str or None
        The part that is unclear (``housenumber``…), ``None`` when nothing fits.
    candidates : list of str
        The column names that could be it (or every column, when nothing fits).
    """

    def __init__(
        self,
        message: str,
        german: str,
        role: str | None,
        candidates: list[str],
        suggestion: str = "",
    ):
        super().__init__(message, german)
        self.role = role
        self.candidates = candidates
        #: a ``--columns`` value that names the columns (detected, first candidates)
        self.suggestion = suggestion

    def hint(self, how: str) -> str:
        """The English message with another way to name the columns than ``--columns``
        (e.g. the API's ``columns`` parameter)."""
        problem = self.message.split(" — name them with --columns ", 1)[0]
        problem = problem.replace("--columns: ", "columns: ")
        return f"{problem} — name them with {how}{self.suggestion}" if self.suggestion else problem


def column_key(name: str) -> str:
    """A column name folded for matching: lower case, umlauts spelled out, letters only."""
    text = name.strip().lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe")
    return re.sub(r"[^a-z]", "", text.replace("ü", "ue"))


def header_kind(name: str) -> str | None:
    """What a column name means: a role (``street``, ``housenumber``, ``suffix``,
    ``postcode``, ``city``), a combined one (``street+housenumber``, ``postcode+city``,
    ``address``), ``number?`` (a bare "Nr": house number or running number, the cells
    decide), ``suffix?`` (a bare "Zusatz": a house-number suffix or an address addition, the
    cells decide), a column that is never an address part (``running``, ``id``, ``name``,
    ``date``, ``other``), or ``None`` (unknown)."""
    key = column_key(name)
    if not key:
        return None
    if _MAIL.search(key):
        return "other"
    for kind, pattern in _HEADER_PATTERNS:
        if pattern.fullmatch(key):
            return kind
    if _DATE.fullmatch(key):
        return "date"
    if _NAME.fullmatch(key):
        return "name"
    if _ID.match(key):
        return "id"
    return None


@dataclass
class ColumnProfile:
    """What one column looks like: its name's meaning and the shares of its cells that
    look like each kind of value."""

    index: int
    name: str
    header: str | None
    filled: int = 0
    shares: dict[str, float] = field(default_factory=dict)
    running: bool = False

    def share(self, kind: str) -> float:
        return self.shares.get(kind, 0.0)

    @property
    def content(self) -> str | None:
        """The kind most cells are: running, date, id, postcode, postcode+city, address,
        street+housenumber, housenumber, text — or ``None`` (mixed or empty)."""
        if not self.filled:
            return None
        if self.running:
            return "running"
        for kind, least in (("date", 0.8), ("postcode", 0.8), ("postcode+city", 0.8),
                            ("address", 0.6), ("housenumber", 0.8), ("id", 0.8),
                            ("street+housenumber", 0.6), ("text", 0.8)):  # fmt: skip
            if self.share(kind) >= least:
                return kind
        return None


def _is_running(values: list[str]) -> bool:
    """Whole numbers counting up row by row, or (three or more) all different and close to
    a run (1, 2, 3 … or 40, 41 … in any order): house numbers repeat and leave gaps;
    running numbers do neither."""
    if len(values) < 2 or not all(v.isdigit() and len(v) <= 7 for v in values):
        return False
    numbers = [int(v) for v in values]
    if all(b == a + 1 for a, b in itertools.pairwise(numbers)):
        return True  # counting up row by row, even in a list of two
    if len(numbers) < 3 or len(set(numbers)) != len(numbers):
        return False
    return max(numbers) - min(numbers) + 1 <= len(numbers) * 1.1 + 1


def profile(index: int, name: str, cells: Sequence[str]) -> ColumnProfile:
    """Profile one column from its name and its cells (see :class:`ColumnProfile`)."""
    values = [c.strip() for c in cells if c and c.strip()]
    found = ColumnProfile(index, name, header_kind(name), len(values))
    if not values:
        return found
    sample = values[:SAMPLE_ROWS]
    patterns = {
        "housenumber": _HN_CELL, "postcode": _PC_CELL, "postcode+city": _PC_CITY_CELL,
        "street+housenumber": _STREET_HN_CELL, "address": _ADDRESS_CELL, "date": _DATE_CELL,
        "id": _ID_CELL, "text": _TEXT_CELL, "suffix": _SUFFIX_CELL,
    }  # fmt: skip
    for kind, pattern in patterns.items():
        found.shares[kind] = sum(bool(pattern.fullmatch(v)) for v in sample) / len(sample)
    found.running = _is_running(values)
    return found


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
        """The address of one row as ``(street, housenumber, postcode, city)`` for
        :meth:`~sozialraum.analysis.matching.AddressMatcher.match`: a combined column is
        passed as the street with an empty house number (the matcher splits it), a
        "PLZ Ort" column is split here."""
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
    """A house number with the cell of a suffix column: ``("12", "a")`` → ``"12a"``,
    ``("12", "-14")`` → ``"12-14"``; anything else is joined with a space (the matcher then
    finds no such house rather than a wrong one)."""
    if not number:
        return ""
    if _SUFFIX_CELL.fullmatch(suffix):
        return number + suffix.replace(" ", "")
    return f"{number} {suffix}"


def split_postcode_city(text: str) -> tuple[str, str]:
    """``"41460 Neuss"`` → ``("41460", "Neuss")``; a cell without postcode is the city."""
    found = _PC_CITY_CELL.fullmatch(text.strip())
    if found:
        return found.group(1), found.group(2).strip(" ,")
    text = text.strip()
    return (text, "") if _PC_CELL.fullmatch(text) else ("", text)


_GERMAN_HINT = "Bitte die Spalten eindeutig benennen (z. B. Straße, Hausnummer, PLZ, Ort)."


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _german_quoted(names: Sequence[str]) -> str:
    return ", ".join(f"„{n}“" for n in names)


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
        """Street and house number are known (separately or combined) and nothing is
        ambiguous."""
        return not self.ambiguous and _has_address(self.columns, self.profiles)

    def suggestion(self) -> str:
        """A ``--columns`` value to name the columns: the detected ones, the first
        candidate where unclear, placeholders where nothing fits."""
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
        """The mapping, or :class:`ColumnProblem` (one English line naming the columns
        and the ``--columns`` option; a German message for the web)."""
        hint = f"name them with --columns {self.suggestion()}"
        for role in ROLES:
            if role in self.ambiguous:
                names = [self.header[i] for i in self.ambiguous[role]]
                raise ColumnProblem(
                    f"cannot tell which column is the {_ROLE_WORDS[role]}: {_quoted(names)} — "
                    + hint,
                    f"Unklar, welche Spalte {_GERMAN_ACCUSATIVE[role]} enthält: "
                    f"{_german_quoted(names)}. {_GERMAN_HINT}",
                    role,
                    names,
                    self.suggestion(),
                )
        if not self.complete:
            missing = "street" if "street" not in self.columns else "housenumber"
            raise ColumnProblem(
                f"cannot tell which column is the {_ROLE_WORDS[missing]}; columns: "
                f"{_quoted(self.header)} — {hint}",
                f"Keine Spalte für {_GERMAN_ACCUSATIVE[missing]} erkannt (Spalten: "
                f"{_german_quoted(self.header)}). {_GERMAN_HINT}",
                None,
                list(self.header),
                self.suggestion(),
            )
        return ColumnMapping(self.header, dict(self.columns), dict(self.reasons))


def _has_address(columns: Mapping[str, int], profiles) -> bool:
    if "street" not in columns:
        return False
    if "housenumber" in columns:
        return True
    street = profiles[columns["street"]]  # a street column whose cells carry the number
    return street.share("street+housenumber") + street.share("address") >= 0.5


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
    """(roles, German reason, named) a column can fill, or ``None``. ``named`` is False for
    a column taken by its cells alone."""
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
    if p.header in _SKIP_WHY:
        return _SKIP_WHY[p.header][1]
    if p.header == "number?" and p.content != "housenumber":
        return _SKIP_WHY["running"][1] if p.running else "keine Hausnummern"
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
    if lone and _has_address({"street": street}, profiles):
        columns["housenumber"] = street
        reasons["housenumber"] = "in der Spalte der Straße"
    return Detection(header, columns, reasons, ambiguous, skipped, profiles)


def mapping_from_names(
    text: str, header: Sequence[str], rows: Sequence[Sequence[str]] | None = None
) -> ColumnMapping:
    """A mapping from a ``--columns`` value: ``street=Straße,housenumber=Hausnummer,
    postcode=PLZ,city=Ort`` (``address=Anschrift`` for one column with the whole address;
    the same column for street and housenumber is a combined column). Names are compared
    as written, then case-insensitively.

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
        f"--columns: no column '{name}'; columns: {_quoted(header)}",
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
        if not _has_address({"street": street.index}, {street.index: street}):
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


# -- the date and the reason of a returned-mail list ---------------------------------------

#: Names of a return's date column, by priority (0 first): a name that says "returned"
#: wins over a bare "Datum".
RETURN_DATE_NAMES = {
    "ruecklaufdatum": 0, "ruecksendedatum": 0, "ruecklauf": 0, "ruecklaufam": 0,
    "eingangsdatum": 0, "eingang": 0, "returnedon": 0, "returndate": 0,
    "datum": 1, "date": 1,
}  # fmt: skip
#: Names of a column that may hold the reason, by priority (0 first).
REASON_NAMES = {
    "grund": 0, "ruecklaufgrund": 0, "ruecksendegrund": 0, "reason": 0, "returnreason": 0,
    "unzustellbarkeitsgrund": 0, "vermerk": 1, "postvermerk": 1, "zustellvermerk": 1,
    "bemerkung": 2, "bemerkungen": 2, "hinweis": 2, "hinweise": 2, "anmerkung": 2,
    "kommentar": 2,
}  # fmt: skip
#: Share of a column's filled cells that must name a known reason for its content to count.
REASON_CONTENT_SHARE = 0.5


@dataclass(frozen=True)
class ReturnColumns:
    """The date and reason columns of a returned-mail list (see :func:`detect_returns`).

    Attributes
    ----------
    date : int or None
        Index of the date column.
    reason : int or None
        Index of the column the reason is read from (``None``: the list has none).
    reasons : dict
        ``date``/``reason`` → German reason for the choice.
    unread : dict
        Index → German reason why a column that could hold the reason was not read.
    """

    date: int | None
    reason: int | None
    reasons: Mapping[str, str] = field(default_factory=dict)
    unread: Mapping[int, str] = field(default_factory=dict)


def _cells(rows: Sequence[Sequence[str]], index: int) -> list[str]:
    return [
        row[index].strip() for row in rows[:SAMPLE_ROWS] if index < len(row) and row[index].strip()
    ]


def detect_returns(
    header: Sequence[str], rows: Sequence[Sequence[str]], known_reason
) -> ReturnColumns:
    """Detect the date and the reason column of a returned-mail list by name *and* content.

    The date: among the columns named as a return's date, one whose cells are dates
    first, then a name that says "returned" (``Rücklaufdatum``, ``Eingang``…) before a bare
    ``Datum``/``date``; never a birth date or any other date column. The reason: among
    ``Grund``/``Rücksendegrund``/``reason``, then ``Vermerk``, then ``Bemerkung``/
    ``Hinweis``, the column whose cells name a known reason (at least
    :data:`REASON_CONTENT_SHARE` of its filled cells) wins, by that priority and then by
    share; when no column's cells do, the highest-priority filled column is read
    (its texts then map to "sonstiges"). The others are reported as unread.

    Parameters
    ----------
    header, rows : sequence
        The list's column names and rows.
    known_reason : callable
        Text → reason key or ``None`` (see
        :func:`sozialraum.model.mailbox.known_return_reason`).

    Raises
    ------
    CsvProblem
        Two columns of the same priority both hold dates (the user must rename one).
    """
    keys = [column_key(name) for name in header]
    why: dict[str, str] = {}
    dated = []
    for i, key in enumerate(keys):
        if key in RETURN_DATE_NAMES:
            cells = _cells(rows, i)
            share = sum(bool(_DATE_CELL.fullmatch(c)) for c in cells) / len(cells) if cells else 0
            dated.append((share < 0.5, RETURN_DATE_NAMES[key], i))
    date_index = None
    if dated:
        best = min(d[:2] for d in dated)
        chosen = [d[2] for d in dated if d[:2] == best]
        if len(chosen) > 1:
            names = [header[i] for i in chosen]
            raise CsvProblem(
                f"cannot tell which column is the date of the return: {_quoted(names)}; "
                "rename one of them",
                f"Unklar, welche Spalte das Datum des Rücklaufs enthält: {_german_quoted(names)}. "
                "Bitte eine davon umbenennen.",
            )
        date_index = chosen[0]
        why["date"] = "am Spaltennamen erkannt" + ("" if best[0] else ", Inhalt Datumsangaben")
    options = []
    for i, key in enumerate(keys):
        if key in REASON_NAMES and i != date_index:
            cells = _cells(rows, i)
            share = sum(known_reason(c) is not None for c in cells) / len(cells) if cells else 0.0
            options.append((i, REASON_NAMES[key], share, len(cells)))
    reason_index = None
    unread: dict[int, str] = {}
    by_content = [o for o in options if o[2] >= REASON_CONTENT_SHARE]
    if by_content:
        reason_index = min(by_content, key=lambda o: (o[1], -o[2]))[0]
        why["reason"] = "Spaltenname und Inhalt: bekannte Rücklaufgründe"
    else:
        filled = [o for o in options if o[3]]
        if filled:
            reason_index = min(filled, key=lambda o: o[1])[0]
            why["reason"] = "am Spaltennamen erkannt (Inhalt: keine bekannten Gründe)"
        elif options:
            reason_index = min(options, key=lambda o: o[1])[0]
            why["reason"] = "am Spaltennamen erkannt (leer)"
    for i, _, share, filled in options:
        if i != reason_index:
            unread[i] = (
                "leer" if not filled else
                "weniger passende Gründe" if share >= REASON_CONTENT_SHARE else
                "keine bekannten Rücklaufgründe"
            )  # fmt: skip
    return ReturnColumns(date_index, reason_index, why, unread)


def describe_returns(
    header: Sequence[str], mapping: ColumnMapping, found: ReturnColumns
) -> tuple[str, str]:
    """Which column was read for what, in English and German: ``reason from 'Grund', date
    from 'Datum', address from 'Straße', 'Hausnummer'`` / ``Grund aus Spalte „Grund“, Datum
    aus „Datum“, Adresse aus „Straße“, „Hausnummer“``."""
    address = [header[i] for i in sorted(mapping.used())]
    english, german = [], []
    if found.reason is not None:
        english.append(f"reason from '{header[found.reason]}'")
        german.append(f"Grund aus Spalte „{header[found.reason]}“")
    else:
        english.append("no reason column (reason: unzustellbar)")
        german.append("keine Spalte mit dem Grund (Grund: unzustellbar)")
    if found.date is not None:
        english.append(f"date from '{header[found.date]}'")
        german.append(f"Datum aus „{header[found.date]}“")
    english.append(f"address from {_quoted(address)}")
    german.append(f"Adresse aus {_german_quoted(address)}")
    return ", ".join(english), ", ".join(german)
