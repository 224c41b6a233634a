"""Importing returned-mail records from an uploaded list.

Read the rows, match the addresses (sure matches recorded, fuzzy ones only when chosen) and write
the records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from sozialraum.analysis.matching import MATCH_LABELS
from sozialraum.model.mailbox import (
    RETURN_REASONS,
    RETURNED_MAIL_KEEP_MONTHS,
    known_return_reason,
    return_reason,
)
from sozialraum.model.notes import add_months
from sozialraum.model.privacy import PrivacyGuard, german_list
from sozialraum.services.columns import CsvProblem, describe_returns, detect_returns
from sozialraum.services.mailbox_returns.records import LAYER, ReturnsProblem
from sozialraum.services.uploads import (
    RowProblem,
    address_values,
    impossible_day,
    match_address,
    parse_day,
    read_address_csv,
)
from sozialraum.store.base import Store

#: Match kinds recorded without asking.
SURE_KINDS = ("exact", "normalised")


@dataclass
class SkippedRow:
    """A row whose address matched only fuzzily or ambiguously.

    It is not recorded unless one of its candidates is chosen.

    Attributes
    ----------
    row : int
        Its number in the file (header = 1).
    kind : str
        ``fuzzy`` or ``ambiguous`` (see :data:`~sozialraum.analysis.matching.MATCH_KINDS`).
    why : str
        The matcher's German reason.
    candidates : list of dict
        ``id`` and ``label`` ("Bahnstraße 10, 12345 Musterstadt") per candidate address.
    returned_on : str
        The row's day (ISO 8601).
    reason : str
        The row's reason key (:data:`~sozialraum.model.mailbox.RETURN_REASONS`).
    typed : str
        The address as the file gives it (shown to choose; never stored).
    """

    row: int
    kind: str
    why: str
    candidates: list[dict]
    returned_on: str
    reason: str
    typed: str = ""

    @property
    def kind_label(self) -> str:
        """The match kind in German (ähnlich, mehrdeutig)."""
        return MATCH_LABELS[self.kind]

    @property
    def reason_label(self) -> str:
        """The reason in German."""
        return RETURN_REASONS[self.reason]

    @property
    def english(self) -> str:
        """One English line (CLI) naming the candidates."""
        names = "; ".join(c["label"] for c in self.candidates)
        how = "fuzzy match" if self.kind == "fuzzy" else "ambiguous address"
        hint = f" (accept with --accept-fuzzy {self.row})" if self.acceptable else ""
        return f"row {self.row}: {how} for '{self.typed}', not recorded; candidates: {names}{hint}"

    @property
    def acceptable(self) -> bool:
        """Whether ``--accept-fuzzy`` may take this row (fuzzy, one candidate)."""
        return self.kind == "fuzzy" and len(self.candidates) == 1


@dataclass
class ReturnsReport:
    """What an import did.

    ``problems`` are rows that cannot be kept; ``notices`` rows whose reason text looked
    like personal data (only its fixed-set key was kept); ``skipped`` are rows with a fuzzy or
    ambiguous address and their candidates; ``chosen`` counts rows recorded at a chosen
    candidate; ``columns`` / ``columns_german`` say which column was read for what;
    ``unread`` names the columns that could hold the reason but were not read (and why).
    """

    rows: int = 0
    added: int = 0
    known: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notices: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    chosen: int = 0
    columns: str = ""
    columns_german: str = ""
    unread: list[tuple[str, str]] = field(default_factory=list)


def _record_id(key: str, day: date, reason: str) -> str:
    digest = hashlib.sha256(f"{key}\n{day.isoformat()}\n{reason}".encode()).hexdigest()
    return "rl" + digest[:20]


def _row_problem(number: int, english: str, german: str) -> RowProblem:
    return RowProblem(number, f"row {number}: {english}", f"Zeile {number}: {german}")


def _candidate(feature: dict) -> dict:
    props = feature["properties"]
    label = f"{props['street']} {props['housenumber']}"
    place = " ".join(p for p in (props.get("postcode"), props.get("city")) if p)
    return {"id": feature["id"], "label": f"{label}, {place}" if place else label}


def _typed(address: tuple) -> str:
    street, *rest = (*address, None, None, None)[:4]
    number, postcode, city = rest
    line = " ".join(p for p in (street, number) if p)
    place = " ".join(p for p in (postcode, city) if p)
    return (f"{line}, {place}" if place else line)[:120]


def _record(feature: dict, day: date, reason: str, how: str) -> dict:
    props = feature["properties"]
    key = props["key"]
    record_id = _record_id(key, day, reason)
    return {
        "type": "Feature",
        "id": record_id,
        "geometry": feature["geometry"],
        "properties": {
            "address_key": key,
            "street": props["street"],
            "housenumber": props["housenumber"],
            "postcode": props.get("postcode", ""),
            "returned_on": day.isoformat(),
            "reason": reason,
            "matched": how,
            "expires_on": add_months(day, RETURNED_MAIL_KEEP_MONTHS).isoformat(),
        },
    }


def read_returns(
    store: Store,
    area: str,
    data: bytes,
    *,
    today: date,
    guard: PrivacyGuard | None = None,
    columns: str | None = None,
    choices: Mapping[int, str] | None = None,
    accept_fuzzy: Collection[int] = (),
) -> tuple[list[dict], ReturnsReport]:
    """Parse and match a returned-mail CSV; returns the records to store and a report.

    Columns: a day (``Datum``/``Rücklaufdatum``/``date``), the address (street/housenumber/
    postcode/city or one ``Adresse`` column, detected as for the mailbox check, see
    :mod:`sozialraum.services.columns`, or named in ``columns`` as for ``--columns``) and optionally
    a reason (``Grund``, ``Rücksendegrund``, ``Vermerk``, ``Bemerkung``, ``Hinweis``:
    chosen by name and content, see :func:`sozialraum.services.columns.detect_returns`), stored only
    as a key of :data:`~sozialraum.model.mailbox.RETURN_REASONS`. Records are Point
    features at the matched address (EPSG:4326).

    Parameters
    ----------
    choices : mapping, optional
        Row number → id of the address chosen for a skipped (fuzzy or ambiguous) row; the
        id must be one of that row's candidates.
    accept_fuzzy : collection of int
        Row numbers whose single fuzzy candidate is accepted (CLI ``--accept-fuzzy``).
    guard : PrivacyGuard, optional
        The data-protection rules: a reason text that looks like personal data is reported
        as a notice (row number and what it seemed to contain, never the text). The text
        is not kept either way, only its key.

    Raises
    ------
    CsvProblem
        The file as a whole cannot be read (no day column, empty, binary, too many rows,
        unclear address or date columns).
    ReturnsProblem
        A choice names a row that was not skipped or an address that is not one of its
        candidates; an ``accept_fuzzy`` row is not a fuzzy match with one candidate.
        Nothing is recorded then.
    """
    from sozialraum.services import areas as services

    table = read_address_csv(data, columns=columns)
    found = detect_returns(table.header, table.rows, known_return_reason)
    day_col, reason_col = found.date, found.reason
    if day_col is None:
        raise CsvProblem(
            "no date column: name it date (or Datum)",
            "Keine Spalte mit dem Datum des Rücklaufs gefunden. Bitte die Spalte „Datum“ nennen.",
        )
    used = {day_col, reason_col, *table.columns.values()}
    english, german = describe_returns(table.header, table.mapping, found)
    report = ReturnsReport(
        rows=len(table.rows),
        ignored_columns=[h for i, h in enumerate(table.header) if i not in used],
        columns=english,
        columns_german=german,
        unread=[(table.header[i], why) for i, why in sorted(found.unread.items())],
    )
    matcher = services.address_matcher(store, area)
    oldest = add_months(today, -RETURNED_MAIL_KEEP_MONTHS)
    records: dict[str, dict] = {}
    waiting: dict[int, tuple[SkippedRow, list[dict]]] = {}
    rows = zip(table.rows, address_values(table), strict=True)
    for number, (row, address) in enumerate(rows, start=2):

        def cell(index, row=row):
            return row[index].strip() if index is not None and index < len(row) else ""

        day = parse_day(cell(day_col))
        if day is None and (impossible := impossible_day(cell(day_col))):
            report.problems.append(_row_problem(
                number, f"there is no day {impossible}", f"Den {impossible} gibt es nicht.",
            ))  # fmt: skip
            continue
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
        reason = return_reason(cell(reason_col))
        found_data = guard.findings(cell(reason_col)) if guard is not None else []
        if found_data:
            ids = ", ".join(rule.id for rule in found_data)
            what = german_list(list(dict.fromkeys(rule.label for rule in found_data)))
            report.notices.append(_row_problem(
                number, f"the reason seemed to contain personal data ({ids}); only "
                f"'{reason}' was kept",
                f"Der Grund enthielt anscheinend {what} (persönliche Daten); gespeichert wird "
                f"nur „{RETURN_REASONS[reason]}“.",
            ))  # fmt: skip
        match = match_address(matcher, address)
        if match.kind in SURE_KINDS and match.feature is not None:
            record = _record(match.feature, day, reason, match.kind)
            records.setdefault(record["id"], record)
            continue
        features = [match.feature] if match.feature is not None else match.candidates
        if match.kind in ("fuzzy", "ambiguous") and features:
            skipped = SkippedRow(
                number, match.kind, match.reason or "Adresse nicht eindeutig gefunden.",
                [_candidate(f) for f in features], day.isoformat(), reason, _typed(address),
            )  # fmt: skip
            waiting[number] = (skipped, features)
            continue
        why = match.reason or "Adresse nicht gefunden."
        report.problems.append(
            _row_problem(number, "address not found", f"Adresse nicht übernommen – {why}")
        )
    picked = _picked(waiting, choices or {}, accept_fuzzy)
    for number, (skipped, features) in waiting.items():
        if number not in picked:
            report.skipped.append(skipped)
            continue
        feature = next(f for f in features if f["id"] == picked[number])
        day = date.fromisoformat(skipped.returned_on)
        record = _record(feature, day, skipped.reason, "chosen")
        records.setdefault(record["id"], record)
        report.chosen += 1
    return list(records.values()), report


def _picked(
    waiting: Mapping[int, tuple[SkippedRow, list[dict]]],
    choices: Mapping[int, str],
    accept_fuzzy: Collection[int],
) -> dict[int, str]:
    """Row → chosen address id, checked against the rows' candidates."""
    picked: dict[int, str] = {}
    for number in sorted(set(accept_fuzzy)):
        if number not in waiting:
            raise ReturnsProblem(
                f"--accept-fuzzy: row {number} is not a skipped fuzzy match (only rows listed "
                "as 'fuzzy match ... accept with --accept-fuzzy' can be accepted); nothing was "
                "imported",
                f"Zeile {number} ist keine übersprungene ähnliche Adresse.",
            )
        skipped, features = waiting[number]
        if not skipped.acceptable:
            raise ReturnsProblem(
                f"--accept-fuzzy: row {number} is {skipped.kind} with {len(features)} "
                f"candidate{'' if len(features) == 1 else 's'}, not a fuzzy match with one "
                "candidate; nothing was imported",
                f"Zeile {number} hat mehrere mögliche Adressen.",
            )
        picked[number] = features[0]["id"]
    for number, address_id in choices.items():
        if number not in waiting:
            raise ReturnsProblem(
                f"row {number} has no address to choose",
                f"Zeile {number}: Für diese Zeile gibt es keine Auswahl (andere Datei?). "
                "Nichts wurde übernommen.",
            )
        if address_id not in {f["id"] for f in waiting[number][1]}:
            raise ReturnsProblem(
                f"row {number}: the chosen address is not one of its candidates",
                f"Zeile {number}: Die gewählte Adresse gehört nicht zu den Vorschlägen dieser "
                "Zeile. Nichts wurde übernommen.",
            )
        picked[number] = address_id
    return picked


def import_returns(
    store: Store,
    area: str,
    data: bytes,
    *,
    today: date,
    actor: str,
    guard: PrivacyGuard | None = None,
    columns: str | None = None,
    choices: Mapping[int, str] | None = None,
    accept_fuzzy: Collection[int] = (),
) -> ReturnsReport:
    """Import a returned-mail CSV into the area's ``returns`` layer.

    See :func:`read_returns` for ``columns``, ``choices`` and ``accept_fuzzy``.

    Records already stored (also withdrawn ones) are counted as ``known``; the audit log
    records the count only.
    """
    records, report = read_returns(
        store, area, data, today=today, guard=guard, columns=columns, choices=choices,
        accept_fuzzy=accept_fuzzy,
    )  # fmt: skip
    added = store.add_many(area, LAYER, records, actor=actor)
    report.added, report.known = len(added), len(records) - len(added)
    return report
