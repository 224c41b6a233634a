"""One spelling per team: team names compared by a normalised key (no Flask).

"Süd", "sued", "SÜD" and "Süd  " are one team: the key folds case, collapses spaces and
writes umlauts as ``ae``/``oe``/``ue`` (``ß`` as ``ss``). Wherever a team name is entered
(accounts, district teams), :func:`resolve_team` returns the spelling already in use.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sozialraum.errors import InvalidInput

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def clean_team(name: str) -> str:
    """The name as it is stored: NFC, inner whitespace collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def team_key(name: str) -> str:
    """The key two spellings of one team share.

    Casefolded, spaces collapsed, umlauts written out (``"Team  Süd"`` and ``"team sued"`` give
    ``"team sued"``).
    """
    return clean_team(name).casefold().translate(_UMLAUTS)


def resolve_team(name: str, existing: Iterable[str]) -> str:
    """The spelling to store for ``name``: the existing team it equals, else ``name`` cleaned.

    Parameters
    ----------
    name : str
        The team name as entered.
    existing : iterable of str
        Team names already in use (accounts, district teams).

    Returns
    -------
    str
        The existing spelling when exactly one existing team has the same key (or the
        cleaned name when it is itself in use or new).

    Raises
    ------
    InvalidInput
        When several existing spellings share the key (a hint names them).
    """
    clean = clean_team(name)
    key = team_key(clean)
    matches = sorted({t for t in existing if t and team_key(t) == key})
    if not matches or clean in matches:
        return clean
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(repr(t) for t in matches)
    raise InvalidInput(
        f"team {clean!r} matches several existing teams ({names}): use one of them",
        f"„{clean}“ passt zu mehreren Teams ({names}): bitte eines davon wählen.",
    )
