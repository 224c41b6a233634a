"""Mailbox commands: the mailbox check of a list and returned mail.

``check-addresses`` (the mailbox check of a list), ``import-returns`` and ``returns
withdraw|rewrite-reasons`` (returned mail).
"""

from __future__ import annotations

from pathlib import Path

import click

from sozialraum import settings
from sozialraum.cli._common import (
    cli_actor,
    counted,
    data_dir_option,
    open_data_store,
    write_output,
)
from sozialraum.model.mailbox import RISK_LEVELS


@click.command("check-addresses")
@data_dir_option
@click.argument("input_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Result CSV (the input with the check's columns added).",
)
@click.option("--area", required=True, help="Area name.")
@click.option(
    "--columns",
    "columns",
    metavar="ROLE=COLUMN,...",
    help="Name the address columns instead of detecting them, e.g. "
    "street=Straße,housenumber=Hausnummer,postcode=PLZ,city=Ort (one column for two "
    "parts: a combined column; address=Anschrift for one address column).",
)
def check_addresses(data_dir, input_file, output, area, columns):  # fmt: skip
    """Flag addresses where post may not arrive (mailbox status, risk, suggested action).

    INPUT_FILE is a CSV (UTF-8 or Windows-1252, ';' or ',') up to 100,000 rows. Its
    address columns are detected by name and content (German or English, abbreviated:
    Straße/Str./street, Hausnummer/Hausnr./HNr, PLZ/zip, Ort/city, combined ones such as
    "Straße und Hausnummer", "PLZ Ort" or one Anschrift column); running numbers,
    customer numbers, names and dates are never taken. If that is unclear the command
    stops and asks for --columns. The output has the same rows and columns plus
    match_kind, match_score, matched_street, matched_housenumber, matched_postcode,
    mailbox_status, risk, reasons, action. The list is processed in memory: nothing of it
    is stored or logged.
    """
    from sozialraum.analysis.matching import AddressMatcher
    from sozialraum.model.mailbox import load_actions
    from sozialraum.services.mailbox_check import check_table, result_csv
    from sozialraum.services.uploads import read_address_csv

    store = open_data_store(data_dir)
    store.read_meta(area)
    if output.resolve() == input_file.resolve():
        raise click.ClickException("the output must not overwrite the input")
    data = input_file.read_bytes()
    table = read_address_csv(data, columns=columns)
    actions = load_actions(settings.instance_path() / "mailbox_rules.toml")
    matcher = AddressMatcher(store.query(area, "addresses"))  # one run: no cache needed
    results, counts = check_table(store, area, table, actions=actions, matcher=matcher)
    body = result_csv(table, results).encode("utf-8")
    write_output(output, body)
    read = ", ".join(f"{role}={table.header[i]!r}" for role, i in table.columns.items())
    click.echo(f"columns: {read}")  # which columns were read as the address (no cell content)
    summary = ", ".join(f"{level} {counts.get(level, 0):,}" for level in RISK_LEVELS)
    click.echo(
        f"checked {counted(len(results), 'address', 'addresses', grouped=True)}: {summary}; "
        f"wrote {output}"
    )


def _row_numbers(ctx, param, value: str | None) -> tuple[int, ...]:
    """``"3,7"`` → ``(3, 7)`` (row numbers as the import lists them, header = 1)."""
    if not value:
        return ()
    numbers = []
    for part in value.split(","):
        part = part.strip()
        if not part.isascii() or not part.isdigit() or not 2 <= int(part) <= 10_000_000:
            raise click.BadParameter(f"expected row numbers such as 3,7; got '{part}'")
        numbers.append(int(part))
    return tuple(numbers)


@click.command("import-returns")
@data_dir_option
@click.argument("input_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--area", required=True, help="Area name.")
@click.option(
    "--columns",
    "columns",
    metavar="ROLE=COLUMN,...",
    help="Name the address columns instead of detecting them (as for check-addresses).",
)
@click.option(
    "--accept-fuzzy",
    "accept_fuzzy",
    metavar="ROWS",
    callback=_row_numbers,
    help="Record these rows (e.g. 3,7) at their single fuzzy candidate, as listed by a "
    "previous run; refused unless each is a fuzzy match with exactly one candidate.",
)
def import_returns(data_dir, input_file, area, columns, accept_fuzzy):
    """Import returned-mail records (Rückläufer) as mailbox evidence.

    INPUT_FILE is a CSV (UTF-8 or Windows-1252, ';' or ',') with a date column (Datum,
    Rücklaufdatum or date: 2026-10-01 or 01.10.2026), the address (columns detected as for
    check-addresses, or named with --columns) and optionally a reason (Grund,
    Rücksendegrund, Vermerk, Bemerkung or Hinweis: chosen by name and content). The reason
    is stored only as one of unbekannt, verzogen, briefkasten_fehlt, briefkasten_defekt,
    briefkasten_ohne_namen, unzustellbar, sonstiges; its text is never kept, nor are
    other columns (names, case numbers). Only exact or normalised address matches are
    recorded: fuzzy or ambiguous rows are listed with their candidates and skipped
    (--accept-fuzzy takes single fuzzy candidates); records older than 12 months are
    skipped. Importing the same file twice adds nothing.
    """
    from sozialraum.model.privacy import load_privacy_guard
    from sozialraum.services.mailbox_returns import import_returns as run_import

    store = open_data_store(data_dir)
    store.read_meta(area)
    guard = load_privacy_guard(settings.instance_path() / "privacy_rules.toml")
    report = run_import(
        store, area, input_file.read_bytes(), today=settings.today(), actor=cli_actor(),
        guard=guard, columns=columns, accept_fuzzy=accept_fuzzy,
    )  # fmt: skip
    click.echo(f"read: {report.columns}")
    for name, why in report.unread:
        click.echo(f"column '{name}' not read as the reason ({_UNREAD.get(why, why)})")
    lines = sorted(
        [(p.row, f"skipped {p.english}") for p in report.problems]
        + [(r.row, f"skipped {r.english}") for r in report.skipped]
    )
    for _, line in lines[:50]:
        click.echo(line, err=True)
    for notice in report.notices[:50]:
        click.echo(f"note {notice.english}", err=True)
    if len(lines) > 50:
        click.echo(f"... and {counted(len(lines) - 50, 'more skipped row')}", err=True)
    if report.ignored_columns:
        click.echo(f"columns not read: {', '.join(report.ignored_columns)}")
    accepted = f" ({report.chosen:,} accepted fuzzy)" if report.chosen else ""
    click.echo(
        f"{counted(report.rows, 'row', grouped=True)}: "
        f"{counted(report.added, 'record', grouped=True)} added{accepted}, "
        f"{report.known:,} already known, {len(lines):,} skipped"
    )


_UNREAD = {
    "leer": "empty",
    "weniger passende Gründe": "fewer known reasons",
    "keine bekannten Rücklaufgründe": "no known reasons",
}


@click.group("returns")
def returns_group():
    """Returned-mail records (Rückläufer): withdraw a wrong one, clean up old reasons."""


@returns_group.command("withdraw")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.argument("record_id")
@click.option("--reason", required=True, help="Why the record is wrong (no personal data).")
def returns_withdraw(data_dir, area, record_id, reason):
    """Withdraw a wrong returned-mail record (a lead's decision; audited).

    It stops counting as mailbox evidence at once and a re-import does not bring it back.
    """
    from sozialraum.model.privacy import load_privacy_guard
    from sozialraum.services.mailbox_returns import withdraw_return

    store = open_data_store(data_dir)
    store.read_meta(area)
    guard = load_privacy_guard(settings.instance_path() / "privacy_rules.toml")
    withdraw_return(
        store, area, record_id, reason=reason, guard=guard, actor=cli_actor(),
        today=settings.today(),
    )  # fmt: skip
    click.echo(f"{area}: returned-mail record {record_id} withdrawn")


@returns_group.command("rewrite-reasons")
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Area name (default: every area).")
def returns_rewrite_reasons(data_dir, area_names):
    """Replace the free-text reasons of older records by their fixed-set key.

    For records imported before reasons were mapped; one time (reading maps them anyway).
    """
    from sozialraum.services.mailbox_returns import rewrite_free_text_reasons

    store = open_data_store(data_dir)
    for name in area_names or store.areas():
        count = rewrite_free_text_reasons(store, name, actor=cli_actor())
        click.echo(f"{name}: {counted(count, 'returned-mail reason')} rewritten")
