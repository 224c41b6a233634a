"""Returned-mail records (Rückläufer): import from a CSV and use them as mailbox evidence.

A record holds the address (matched to the area), the day the letter came back, a short
reason and an expiry (:data:`~sozialraum.model.mailbox.RETURNED_MAIL_KEEP_MONTHS` months) —
never a name: other columns of the file (names, case numbers) are not read at all. Rows
that do not match an address confidently are reported, not stored. Re-importing the same
file adds nothing (a record's id is derived from address, day and reason).
No Flask here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from sozialraum.mailbox_check import (
    CsvProblem,
    address_values,
    find_column,
    match_address,
    read_address_csv,
)
from sozialraum.model.mailbox import RETURNED_MAIL_KEEP_MONTHS, Evidence
from sozialraum.model.notes import add_months
from sozialraum.model.privacy import PrivacyGuard, german_list
from sozialraum.store.base import Store

LAYER = "returns"
MAX_REASON_CHARS = 200
DEFAULT_REASON = "unzustellbar"
DATE_COLUMNS = {"date", "datum", "ruecklaufdatum", "eingang", "eingangsdatum", "returnedon"}
REASON_COLUMNS = {"reason", "grund", "ruecklaufgrund", "vermerk", "bemerkung"}
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")


@dataclass
class RowProblem:
    """A row that was not imported: its number in the file (header = 1) and why."""

    row: int
    english: str
    german: str


@dataclass
class ReturnsReport:
    """What an import did."""

    rows: int = 0
    added: int = 0
    known: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


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


def _record_id(key: str, day: date, reason: str) -> str:
    digest = hashlib.sha256(f"{key}\n{day.isoformat()}\n{reason}".encode()).hexdigest()
    return "rl" + digest[:20]


def _row_problem(number: int, english: str, german: str) -> RowProblem:
    return RowProblem(number, f"row {number}: {english}", f"Zeile {number}: {german}")


def read_returns(
    store: Store,
    area: str,
    data: bytes,
    *,
    guard: PrivacyGuard,
    today: date,
    columns: str | None = None,
) -> tuple[list[dict], ReturnsReport]:
    """Parse and match a returned-mail CSV; returns the records to store and a report.

    Columns: a day (``Datum``/``date``), the address (street/housenumber/postcode/city or
    one ``Adresse`` column, detected as for the mailbox check, see
    :mod:`sozialraum.columns`, or named in ``columns`` as for ``--columns``) and
    optionally a reason (``Grund``/``reason``). Records are Point features at the matched
    address (EPSG:4326).

    Raises
    ------
    CsvProblem
        The file as a whole cannot be read (no day column, empty, binary, too many rows,
        unclear address columns).
    """
    from sozialraum import areas as services

    table = read_address_csv(data, columns=columns)
    day_col = find_column(table.header, DATE_COLUMNS)
    reason_col = find_column(table.header, REASON_COLUMNS)
    if day_col is None:
        raise CsvProblem(
            "no date column: name it date (or Datum)",
            "Keine Spalte mit dem Datum des Rücklaufs gefunden. Bitte die Spalte „Datum“ nennen.",
        )
    used = {day_col, reason_col, *table.columns.values()}
    report = ReturnsReport(
        rows=len(table.rows),
        ignored_columns=[h for i, h in enumerate(table.header) if i not in used],
    )
    matcher = services.address_matcher(store, area)
    oldest = add_months(today, -RETURNED_MAIL_KEEP_MONTHS)
    records: dict[str, dict] = {}
    rows = zip(table.rows, address_values(table), strict=True)
    for number, (row, address) in enumerate(rows, start=2):

        def cell(index, row=row):
            return row[index].strip() if index is not None and index < len(row) else ""

        day = parse_day(cell(day_col))
        if day is None:
            report.problems.append(_row_problem(
                number, "the date is missing or not a date (use 2026-10-01 or 01.10.2026)",
                "Das Datum fehlt oder ist kein Datum (z. B. 01.10.2026).",
            ))  # fmt: skip
            continue
        if day > today:
            report.problems.append(
                _row_problem(number, "the date is in the future", "Das Datum liegt in der Zukunft.")
            )
            continue
        if day < oldest:
            report.problems.append(_row_problem(
                number, f"older than {RETURNED_MAIL_KEEP_MONTHS} months, not kept",
                f"Älter als {RETURNED_MAIL_KEEP_MONTHS} Monate – wird nicht mehr gespeichert.",
            ))  # fmt: skip
            continue
        reason = " ".join(cell(reason_col).split())[:MAX_REASON_CHARS] or DEFAULT_REASON
        found = guard.findings(reason)
        if found:
            what = german_list(list(dict.fromkeys(rule.label for rule in found)))
            ids = ", ".join(rule.id for rule in found)
            report.problems.append(_row_problem(
                number, f"the reason seems to contain personal data ({ids})",
                f"Der Grund enthält anscheinend {what}; Rückläufer werden ohne persönliche "
                "Daten gespeichert.",
            ))  # fmt: skip
            continue
        match = match_address(matcher, address)
        if match.feature is None:
            why = match.reason or "Adresse nicht eindeutig gefunden."
            kind = "ambiguous" if match.kind == "ambiguous" else "not found"
            report.problems.append(
                _row_problem(number, f"address {kind}", f"Adresse nicht übernommen – {why}")
            )
            continue
        props = match.feature["properties"]
        key = props["key"]
        record_id = _record_id(key, day, reason)
        records[record_id] = {
            "type": "Feature",
            "id": record_id,
            "geometry": match.feature["geometry"],
            "properties": {
                "address_key": key,
                "street": props["street"],
                "housenumber": props["housenumber"],
                "postcode": props.get("postcode", ""),
                "returned_on": day.isoformat(),
                "reason": reason,
                "expires_on": add_months(day, RETURNED_MAIL_KEEP_MONTHS).isoformat(),
            },
        }
    return list(records.values()), report


def import_returns(
    store: Store,
    area: str,
    data: bytes,
    *,
    guard: PrivacyGuard,
    today: date,
    actor: str,
    columns: str | None = None,
) -> ReturnsReport:
    """Import a returned-mail CSV into the area's ``returns`` layer (see :func:`read_returns`,
    also for ``columns``).

    Records already stored are counted as ``known``; the audit log records the count only.
    """
    records, report = read_returns(store, area, data, guard=guard, today=today, columns=columns)
    added = store.add_many(area, LAYER, records, actor=actor)
    report.added, report.known = len(added), len(records) - len(added)
    return report


def active_returns(store: Store, area: str, *, today: date) -> list[dict]:
    """Returned-mail records that have not expired, newest first."""
    records = [
        r for r in store.query(area, LAYER) if r["properties"]["expires_on"] >= today.isoformat()
    ]
    return sorted(records, key=lambda r: r["properties"]["returned_on"], reverse=True)


def expired_return_ids(store: Store, area: str, *, today: date) -> list[str]:
    """Ids of records past their expiry (to purge)."""
    return [
        r["id"]
        for r in store.query(area, LAYER)
        if r["properties"]["expires_on"] < today.isoformat()
    ]


def purge_expired_returns(store: Store, area: str, *, today: date, actor: str) -> int:
    """Delete expired returned-mail records for good; returns how many."""
    ids = expired_return_ids(store, area, today=today)
    return store.purge(area, LAYER, ids, actor=actor) if ids else 0


def return_evidence(record: dict) -> Evidence:
    """A record as mailbox evidence (status ``post_zurueck``, role "Poststelle")."""
    props = record["properties"]
    return Evidence(
        "post_zurueck",
        date.fromisoformat(props["returned_on"]),
        "rueckläufer",
        "Poststelle",
        date.fromisoformat(props["expires_on"]),
        f"Rückläufer: {props.get('reason') or DEFAULT_REASON}",
        record["id"],
    )
