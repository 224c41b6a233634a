"""What a column of an uploaded list holds, judged by its header and its cells.

The address roles, header words, cell patterns and the per-column profile.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sozialraum.errors import InvalidInput

#: The parts of an address a list can hold, in order.
ROLES = ("street", "housenumber", "suffix", "postcode", "city")


#: The parts one address column ("Anschrift") holds.
ADDRESS_PARTS = ("street", "housenumber", "postcode", "city")


#: German names of the roles (web mapping step).
ROLE_LABELS = {"street": "Straße", "housenumber": "Hausnummer", "suffix": "Zusatz zur Hausnummer",
               "postcode": "PLZ", "city": "Ort"}  # fmt: skip


ROLE_WORDS = {"street": "street", "housenumber": "house number",
               "suffix": "house number suffix", "postcode": "postcode", "city": "city"}  # fmt: skip


GERMAN_ACCUSATIVE = {"street": "die Straße", "housenumber": "die Hausnummer",
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


SKIP_WHY = {
    "running": ("a running number", "laufende Nummer"),
    "id": ("an id or customer number", "Kunden-/Fallnummer"),
    "name": ("a name", "Name"),
    "date": ("a date", "Datum"),
    "other": ("not an address", "keine Adresse"),
}


# Cell patterns.
_HN_CELL = re.compile(r"\d{1,4}\s*[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}\s*[a-zA-Z]?)?")


POSTCODE_CELL = re.compile(r"\d{5}")


POSTCODE_CITY_CELL = re.compile(r"(\d{5})[\s,]+(\D.*)")


_STREET_HN_CELL = re.compile(
    r"[^\W\d_][^\d]*?\.?\s*\d{1,4}\s*[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}\s*[a-zA-Z]?)?"
)


_ADDRESS_CELL = re.compile(rf"{_STREET_HN_CELL.pattern}\s*,?\s*\d{{5}}(?:[\s,]+\D.*)?")


DATE_CELL = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}.*")


_ID_CELL = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9/_-]{6,}|\d{6,}")


_TEXT_CELL = re.compile(r"[^\d]+")


SUFFIX_CELL = re.compile(r"[A-Za-z]{1,2}|[-/]\s*\d{1,4}\s*[A-Za-z]?")


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
        """The English message with another way to name the columns than ``--columns``.

        For example the API's ``columns`` parameter.
        """
        problem = self.message.split(" — name them with --columns ", 1)[0]
        problem = problem.replace("--columns: ", "columns: ")
        return f"{problem} — name them with {how}{self.suggestion}" if self.suggestion else problem


def column_key(name: str) -> str:
    """A column name folded for matching: lower case, umlauts spelled out, letters only."""
    text = name.strip().lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe")
    return re.sub(r"[^a-z]", "", text.replace("ü", "ue"))


def header_kind(name: str) -> str | None:
    """What a column name means, or ``None`` (unknown).

    A role (``street``, ``housenumber``, ``suffix``, ``postcode``, ``city``), a combined one
    (``street+housenumber``, ``postcode+city``, ``address``), ``number?`` (a bare "Nr": house number
    or running number, the cells decide), ``suffix?`` (a bare "Zusatz": a house-number suffix or an
    address addition, the cells decide), or a column that is never an address part (``running``,
    ``id``, ``name``, ``date``, ``other``).
    """
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
    """What one column looks like.

    Its name's meaning and the shares of its cells that look like each kind of value.
    """

    index: int
    name: str
    header: str | None
    filled: int = 0
    shares: dict[str, float] = field(default_factory=dict)
    running: bool = False

    def share(self, kind: str) -> float:
        """The share (0–1) of the sampled cells that look like ``kind``; 0.0 if none do."""
        return self.shares.get(kind, 0.0)

    @property
    def content(self) -> str | None:
        """The kind most cells are, or ``None`` (mixed or empty).

        One of running, date, id, postcode, postcode+city, address, street+housenumber, housenumber,
        text.
        """
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
    """Whether the cells are running numbers rather than house numbers.

    Running numbers count up row by row, or (three or more) are all different and close to a
    run (1, 2, 3 … or 40, 41 … in any order): house numbers repeat and leave gaps; running
    numbers do neither.
    """
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
        "housenumber": _HN_CELL, "postcode": POSTCODE_CELL, "postcode+city": POSTCODE_CITY_CELL,
        "street+housenumber": _STREET_HN_CELL, "address": _ADDRESS_CELL, "date": DATE_CELL,
        "id": _ID_CELL, "text": _TEXT_CELL, "suffix": SUFFIX_CELL,
    }  # fmt: skip
    for kind, pattern in patterns.items():
        found.shares[kind] = sum(bool(pattern.fullmatch(v)) for v in sample) / len(sample)
    found.running = _is_running(values)
    return found
