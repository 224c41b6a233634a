"""Detecting the columns of a returned-mail list: the return date and the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sozialraum.services.columns.kinds import DATE_CELL, SAMPLE_ROWS, CsvProblem, column_key
from sozialraum.services.columns.mapping import ColumnMapping, german_quoted_names, quoted_names

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
            share = sum(bool(DATE_CELL.fullmatch(c)) for c in cells) / len(cells) if cells else 0
            dated.append((share < 0.5, RETURN_DATE_NAMES[key], i))
    date_index = None
    if dated:
        best = min(d[:2] for d in dated)
        chosen = [d[2] for d in dated if d[:2] == best]
        if len(chosen) > 1:
            names = [header[i] for i in chosen]
            raise CsvProblem(
                f"cannot tell which column is the date of the return: {quoted_names(names)}; "
                "rename one of them",
                "Unklar, welche Spalte das Datum des Rücklaufs enthält: "
                f"{german_quoted_names(names)}. Bitte eine davon umbenennen.",
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
    """Which column was read for what, in English and German.

    ``reason from 'Grund', date from 'Datum', address from 'Straße', 'Hausnummer'`` / ``Grund aus
    Spalte „Grund“, Datum aus „Datum“, Adresse aus „Straße“, „Hausnummer“``.
    """
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
    english.append(f"address from {quoted_names(address)}")
    german.append(f"Adresse aus {german_quoted_names(address)}")
    return ", ".join(english), ", ".join(german)
