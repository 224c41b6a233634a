"""The ``sozialraum`` command. Every command takes ``--data-dir`` (or SOZIALRAUM_DATA_DIR)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sozialraum import settings
from sozialraum.cli._common import Group, console, data_dir_option, write_output
from sozialraum.cli.accounts import users
from sozialraum.cli.backup import backup, restore
from sozialraum.cli.notes import notes
from sozialraum.cli.offers import offers
from sozialraum.model.categories import load_categories
from sozialraum.model.mailbox import RISK_LEVELS


def _store(data_dir: Path | None):
    from sozialraum.store import open_store

    return open_store(settings.data_dir(data_dir))


def _categories():
    return load_categories(settings.instance_path() / "categories.toml")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sozialraum")
def main():
    """sozialraum: Sozialraum maps for caseworkers (OSM resources, addresses, notes)."""
    settings.restrict_umask()  # every file a command writes: 0600, every folder 0700


@main.command("import")
@data_dir_option
@click.option(
    "--osm-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Local OSM file: .osm, .osm.gz, .osm.bz2 or .osm.pbf.",
)
@click.option(
    "--place", help='Place name to download via Overpass, e.g. "Mülheim an der Ruhr, Styrum".'
)
@click.option("--area", required=True, help="Area name (lower-case letters, digits, - and _).")
@click.option(
    "--clip",
    "clip_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="GeoJSON polygon: keep only what lies inside.",
)
@click.option("--bbox", help="W,S,E,N in degrees: clip a file, or download this box online.")
@click.option(
    "--districts",
    "districts_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="GeoJSON polygons of the districts (Sozialräume), named by the property 'name'.",
)
@click.option(
    "--replace-districts",
    is_flag=True,
    help="Replace stored districts that --districts changes; notes and walks are re-assigned.",
)
@click.option("--title", help='Display title of the area, e.g. "Dreieich – Dreieichenhain".')
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_command(
    data_dir,
    osm_file,
    place,
    area,
    clip_file,
    bbox,
    districts_file,
    replace_districts,
    title,
    quiet,
):
    """Import resources, addresses and districts of an area from OSM.

    From a file (clipped to --clip or --bbox), or online with --place or --bbox.
    Re-importing updates resources and addresses by OSM id; field notes are kept, and so
    are the districts and their teams unless --districts gives new ones. Districts that
    change are refused with a summary until --replace-districts is given.
    """
    from sozialraum.osm.importer import DistrictsChanged, import_area, parse_bbox
    from sozialraum.settings import ImportSettings

    if osm_file is None and place is None and bbox is None:
        raise click.UsageError("give --osm-file FILE, --place NAME or --bbox W,S,E,N")
    if osm_file is not None and place is not None:
        raise click.UsageError("give either --osm-file or --place, not both")
    if place is not None and bbox is not None:
        raise click.UsageError("give either --place or --bbox, not both")
    box = parse_bbox(bbox) if bbox else None
    store = _store(data_dir)
    table = _categories()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} objects"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=True,
    )
    try:
        with progress:
            task = progress.add_task("Start", total=None)
            report = import_area(
                store,
                area,
                osm_file=osm_file,
                place=place,
                bbox=box,
                clip_file=clip_file,
                districts_file=districts_file,
                categories=table,
                settings=ImportSettings.from_env(),
                replace_districts=replace_districts,
                title=title,
                actor=_actor(),
                step=lambda name: progress.update(task, description=name),
                tick=lambda n: progress.update(task, completed=n),
            )
    except DistrictsChanged as exc:
        console.print("the districts file changes the districts of this area:", highlight=False)
        for line in exc.changes.describe():
            console.print(f"  {escape(line)}", highlight=False)
        raise click.ClickException(
            "nothing was imported: run again with --replace-districts to replace the districts "
            "(notes and walks are re-assigned; team assignments of removed districts end)"
        ) from None
    summary = Table(title=f"Import of area '{area}' ({report.seconds:.1f} s)")
    summary.add_column("category")
    summary.add_column("id")
    summary.add_column("count", justify="right")
    for cat in table:
        summary.add_row(cat.label, cat.id, str(report.counts.get(cat.id, 0)))
    summary.add_section()
    summary.add_row("Adressen", "addresses", str(report.addresses))
    summary.add_row("Bezirke", "districts", str(report.districts))
    console.print(summary)
    for layer, change in report.changes.items():
        console.print(
            f"{layer}: {change['added']} added, {change['updated']} updated, "
            f"{change['removed']} removed, {change['unchanged']} unchanged"
        )
    if report.districts_kept:
        console.print("districts and team assignments kept (no --districts given)")
    if report.simplification is not None:
        console.print(report.simplification.describe(), highlight=False)
    _print_reassignment(report)
    if report.unplaced:
        console.print(f"[yellow]{report.unplaced} objects had no usable geometry and were skipped")
    if report.orphaned_notes:
        console.print(
            f"[yellow]{len(report.orphaned_notes)} field notes link to OSM objects that"
            " vanished; they were kept and flagged (see 'areas show')."
        )


def _print_reassignment(report) -> None:
    changes, moved = report.district_changes, report.reassignment
    if report.districts_kept and moved is not None and (moved.notes or moved.walks):
        console.print(
            f"[yellow]re-assigned {moved.notes} notes and {moved.walks} walks that pointed to "
            "a vanished district",
            highlight=False,
        )
    if changes is None or moved is None or not changes.any:
        return
    console.print("districts replaced:", highlight=False)
    for line in changes.describe():
        console.print(f"  {escape(line)}", highlight=False)
    console.print(f"re-assigned: {moved.notes} notes, {moved.walks} walks", highlight=False)
    for district, team in sorted(moved.teams_dropped.items()):
        console.print(
            f"[yellow]team '{team}' of removed district {district} is no longer assigned",
            highlight=False,
        )
    if moved.outside:
        console.print(
            f"[yellow]{len(moved.outside)} outside every district (see 'areas show'):",
            highlight=False,
        )
        for item in moved.outside:
            console.print(
                f"  {item['layer']} {item['id']} {escape(item['label'])}", highlight=False
            )


@main.group()
def areas():
    """List and inspect imported areas."""


@areas.command("list")
@data_dir_option
def areas_list(data_dir):
    """List all areas with source, import time and counts."""
    store = _store(data_dir)
    names = store.areas()
    if not names:
        console.print("no areas yet: run 'sozialraum import' or 'sozialraum demo'")
        return
    table = Table()
    for column in (
        "area",
        "title",
        "source",
        "imported",
        "resources",
        "addresses",
        "districts",
        "status",
    ):
        table.add_column(column)
    for name in names:
        meta = store.read_meta(name)
        source = meta.get("source", {})
        status = []
        if meta.get("import_in_progress"):
            status.append("import unfinished")
        if meta.get("orphaned_notes"):
            status.append(f"{len(meta['orphaned_notes'])} notes flagged")
        table.add_row(
            name,
            meta.get("title", name),
            source.get("file") or source.get("place") or str(source.get("bbox")),
            meta.get("imported_at", ""),
            str(meta.get("resources", 0)),
            str(meta.get("addresses", 0)),
            str(meta.get("districts", 0)),
            ", ".join(status) or "ok",
        )
    console.print(table)


@areas.command("show")
@data_dir_option
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the metadata as JSON.")
def areas_show(data_dir, name, as_json):
    """Show one area: source, import time, bbox, counts per category id, addresses, districts."""
    store = _store(data_dir)
    meta = store.read_meta(name)
    if as_json:
        click.echo(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True))
        return
    console.print(f"[bold]{meta.get('title', name)}[/bold] ({name})")
    console.print(f"source: {meta.get('source')}")
    console.print(f"imported: {meta.get('imported_at')}")
    console.print(f"bbox (W,S,E,N): {meta.get('bbox')}")
    table = Table()
    table.add_column("category id")
    table.add_column("count", justify="right")
    for cat_id, count in meta.get("counts", {}).items():
        table.add_row(cat_id, str(count))
    console.print(table)
    console.print(f"addresses: {meta.get('addresses')}  districts: {meta.get('districts')}")
    orphaned = meta.get("orphaned_notes") or []
    if orphaned:
        console.print(
            f"[yellow]notes linked to vanished OSM objects: "
            f"{', '.join(o['note'] for o in orphaned)}"
        )
    outside = meta.get("outside_districts") or []
    if outside:
        console.print(
            "[yellow]outside every district since the last change of districts: "
            + ", ".join(f"{o['layer']} {o['id']}" for o in outside),
            highlight=False,
        )


@main.group()
def audit():
    """Check the audit logs; seal them; rotate the audit key."""


@audit.command("verify")
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
@click.option(
    "--require-key",
    is_flag=True,
    help="A log without keyed entries fails too (use after 'sozialraum audit seal').",
)
def audit_verify(data_dir, area_names, require_key):
    """Verify the keyed hash chain of the audit logs; exit status 1 if any log was changed.

    Keyed entries are checked with the audit key (AUDIT_KEY_FILE, default
    <instance>/audit_key, and its retired keys beside it); the output names the key ids.
    """
    store = _store(data_dir)
    click.echo(f"checking with {store.audit_keys.describe()}")
    failed = False
    for name in area_names or store.areas():
        result = store.verify_audit(name, require_keyed=require_key)
        if result.ok:
            keyed = (
                f"keyed with audit key {', '.join(result.key_ids)}"
                if result.key_ids
                else "NOT KEYED"
            )
            click.echo(f"{name}: ok ({result.entries} entries, {keyed})")
            for note in result.notes:
                click.echo(f"{name}: note: {note}")
        else:
            failed = True
            for problem in result.problems:
                click.echo(f"{name}: FAILED: {problem}", err=True)
    if failed:
        sys.exit(1)


@audit.command("seal")
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
def audit_seal(data_dir, area_names):
    """Append a keyed entry to every audit log that verifies (creates the key if missing).

    Run once after upgrading: the entries written before the audit key existed are then
    anchored by a keyed entry, and 'audit verify --require-key' holds.
    """
    store = _store(data_dir)
    failed = False
    for name in area_names or store.areas():
        result = store.verify_audit(name)
        if not result.ok:
            failed = True
            click.echo(f"{name}: not sealed: {'; '.join(result.problems)}", err=True)
            continue
        entry = store.seal_audit(name, actor=_actor())
        click.echo(f"{name}: sealed with audit key {entry['kid']} (entry {entry['seq']})")
    if failed:
        sys.exit(1)


@audit.command("rotate-key")
@data_dir_option
def audit_rotate_key(data_dir):
    """Retire the audit key, create a new one and seal every area with it.

    The old key stays beside the new one as <key file>.<key id>: it still checks the
    entries and backups it signed. Keep it (and back it up apart from the data).
    """
    store = _store(data_dir)
    old, new = store.audit_keys.rotate()
    if old:
        click.echo(f"retired audit key {old} (kept as {store.audit_keys.path}.{old})")
    click.echo(f"new audit key {new} in {store.audit_keys.path}")
    for name in store.areas():
        entry = store.seal_audit(name, actor=_actor())
        click.echo(f"{name}: sealed with audit key {entry['kid']} (entry {entry['seq']})")


@main.command()
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
@click.option("--dry-run", is_flag=True, help="Only count the expired notes; delete nothing.")
def purge(data_dir, area_names, dry_run):
    """Delete expired field notes for good, with all their earlier versions.

    A note expires after its "expires_on" day (default: 12 months for mailbox
    observations, 24 for others). Expired notes are already hidden from maps, API and
    exports; this removes them from the files. The audit log records the note ids and
    the count, never their content. Run it daily (e.g. from cron or a systemd timer).
    """
    from sozialraum.services.mailbox_returns import expired_return_ids, purge_expired_returns
    from sozialraum.services.notes import expired_note_ids, purge_expired

    store = _store(data_dir)
    today = settings.today()
    for name in area_names or store.areas():
        if dry_run:
            count = len(expired_note_ids(store, name, today=today))
            returns = len(expired_return_ids(store, name, today=today))
            click.echo(
                f"{name}: {count} expired notes and {returns} expired returned-mail records "
                "would be deleted"
            )
        else:
            count = purge_expired(store, name, today=today, actor=_actor())
            returns = purge_expired_returns(store, name, today=today, actor=_actor())
            click.echo(
                f"{name}: {count} expired notes and {returns} expired returned-mail records deleted"
            )


@main.command("check-addresses")
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

    store = _store(data_dir)
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
    click.echo(f"checked {len(results):,} addresses: {summary}; wrote {output}")


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


@main.command("import-returns")
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

    store = _store(data_dir)
    store.read_meta(area)
    guard = load_privacy_guard(settings.instance_path() / "privacy_rules.toml")
    report = run_import(
        store, area, input_file.read_bytes(), today=settings.today(), actor=_actor(),
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
        click.echo(f"... and {len(lines) - 50} more skipped rows", err=True)
    if report.ignored_columns:
        click.echo(f"columns not read: {', '.join(report.ignored_columns)}")
    accepted = f" ({report.chosen:,} accepted fuzzy)" if report.chosen else ""
    click.echo(
        f"{report.rows:,} rows: {report.added:,} records added{accepted}, "
        f"{report.known:,} already known, {len(lines):,} skipped"
    )


_UNREAD = {
    "leer": "empty",
    "weniger passende Gründe": "fewer known reasons",
    "keine bekannten Rücklaufgründe": "no known reasons",
}


@main.group("returns")
def returns_group():
    """Returned-mail records (Rückläufer): withdraw a wrong one, clean up old reasons."""


@returns_group.command("withdraw")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.argument("record_id")
@click.option("--reason", required=True, help="Why the record is wrong (no personal data).")
def returns_withdraw(data_dir, area, record_id, reason):
    """Withdraw a wrong returned-mail record (a lead's decision; audited): it stops
    counting as mailbox evidence at once and a re-import does not bring it back."""
    from sozialraum.model.privacy import load_privacy_guard
    from sozialraum.services.mailbox_returns import withdraw_return

    store = _store(data_dir)
    store.read_meta(area)
    guard = load_privacy_guard(settings.instance_path() / "privacy_rules.toml")
    withdraw_return(
        store, area, record_id, reason=reason, guard=guard, actor=_actor(),
        today=settings.today(),
    )  # fmt: skip
    click.echo(f"{area}: returned-mail record {record_id} withdrawn")


@returns_group.command("rewrite-reasons")
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Area name (default: every area).")
def returns_rewrite_reasons(data_dir, area_names):
    """Replace the free-text reasons of records imported before reasons were mapped by
    their fixed-set key (one time; reading maps them anyway)."""
    from sozialraum.services.mailbox_returns import rewrite_free_text_reasons

    store = _store(data_dir)
    for name in area_names or store.areas():
        count = rewrite_free_text_reasons(store, name, actor=_actor())
        click.echo(f"{name}: {count} returned-mail reasons rewritten")


@main.group()
def districts():
    """List districts and assign the teams responsible for them."""


@districts.command("list")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
def districts_list(data_dir, area):
    """List the districts of an area with their team."""
    from sozialraum.services.areas import district_summaries

    store = _store(data_dir)
    table = Table()
    for column in ("id", "name", "team", "addresses"):
        table.add_column(column)
    for d in district_summaries(store, area, _categories()):
        table.add_row(d["id"], d["name"], d["team"] or "-", str(d["addresses"]))
    console.print(table)


@districts.command("assign")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.argument("district")
@click.argument("team", required=False)
@click.option("--remove", is_flag=True, help="Remove the district's team instead.")
def districts_assign(data_dir, area, district, team, remove):
    """Make TEAM responsible for DISTRICT (its id or name)."""
    from sozialraum.services.areas import assign_team

    if (team is None) != remove:
        raise click.UsageError("give a TEAM, or --remove")
    store = _store(data_dir)
    district_id = assign_team(
        store,
        area,
        district,
        None if remove else team,
        actor=_actor(),
        known_teams=_account_teams(data_dir),
    )
    if remove:
        click.echo(f"{district_id}: no team")
        return
    stored = store.read_meta(area)["teams"][district_id]
    if stored != " ".join(team.split()):
        click.echo(f"{district_id}: {stored} (existing team {stored!r}, entered as {team!r})")
    else:
        click.echo(f"{district_id}: {stored}")


def _account_teams(data_dir) -> set[str]:
    """Teams of the user accounts (none when there is no account file yet)."""
    from sozialraum.accounts import USERS_FILE, UserStore, accounts_dir

    path = accounts_dir(settings.data_dir(data_dir)) / USERS_FILE
    if not path.is_file():
        return set()
    return {user.team for user in UserStore(path).list() if user.team}


@main.command()
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.option("--slow", is_flag=True, help="Slow walking profile (3 km/h instead of 4.5 km/h).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the profile as CSV (';', decimal comma, UTF-8 with BOM); '-' for stdout.",
)
def profile(data_dir, area, slow, csv_file):
    """District profile: resources per district and per 1,000 addresses, share of addresses
    within 10 minutes on foot of a pharmacy, post office, doctor and Kita, and addresses more
    than 1,000 m on foot from a post box."""
    from sozialraum.analysis.profile import profile_csv, profile_table
    from sozialraum.analysis.walk import DEFAULT_SPEED_KMH, SLOW_SPEED_KMH
    from sozialraum.services.areas import area_profile

    store, table = _store(data_dir), _categories()
    speed = SLOW_SPEED_KMH if slow else DEFAULT_SPEED_KMH
    rows = area_profile(store, area, table, speed=speed)
    if csv_file is not None:
        text = profile_csv(rows, table)
        if str(csv_file) == "-":
            click.echo(text, nl=False)
            return
        write_output(csv_file, text.encode("utf-8"))
        click.echo(f"wrote {csv_file} ({len(rows) - 1} districts)")
        return
    header, body = profile_table(rows, table)
    shown = 4 + sum(1 for h in header if h.startswith(("Anteil", "Adressen >")))
    out = Table(title=f"{area}: walking at {speed:g} km/h (full table: --csv)")
    for name in header[:shown]:
        out.add_column(name, overflow="fold")
    for line in body:
        out.add_row(*("-" if v is None else str(v) for v in line[:shown]))
    console.print(out)


@main.command()
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.option("--district", help="District id or name (default: every district).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the street tables as CSV (';', UTF-8 with BOM); '-' for stdout.",
)
def coverage(data_dir, area, district, output):
    """Street coverage: per district, the streets with a field note or a walk stop in the last
    12 months (within 30 m), the last visit and its age class."""
    from sozialraum.services.coverage import coverage_csv, district_coverage

    results = district_coverage(_store(data_dir), area, today=settings.today(), district=district)
    if output is not None:
        text = coverage_csv(results)
        if str(output) == "-":
            click.echo(text, nl=False)
            return
        write_output(output, text.encode("utf-8"))
        streets = sum(r.streets_total for r in results)
        click.echo(f"wrote {output} ({len(results)} districts, {streets} streets)")
        return
    out = Table(title=f"{area}: streets visited in the last 12 months (streets: -o FILE)")
    for name in ("district", "streets", "visited", "street km", "covered km", "covered %"):
        out.add_column(name, overflow="fold")
    for result in results:
        share = result.covered_share_pct
        out.add_row(
            result.name,
            str(result.streets_total),
            str(result.streets_visited),
            f"{result.length_m / 1000:.1f}",
            f"{result.covered_length_m / 1000:.1f}",
            "-" if share is None else f"{share:.0f}",
        )
    console.print(out)


@main.command()
@data_dir_option
def demo(data_dir):
    """Build the fictional demo area "Musterstadt-Nord" and its demo users if missing."""
    from sozialraum.accounts import accounts_dir
    from sozialraum.accounts.demo import install_demo_users
    from sozialraum.demo.area import DEMO_AREA, install_demo

    store = _store(data_dir)
    if install_demo(store, actor=_actor(), categories=_categories()):
        click.echo(f"demo area '{DEMO_AREA}' built")
    else:
        click.echo(f"demo area '{DEMO_AREA}' exists")
    logins = install_demo_users(accounts_dir(settings.data_dir(data_dir)))
    click.echo("demo logins (public, for trying the app only):")
    for name, role, password in logins:
        click.echo(f"  {role:<11} {name:<16} password: {password}")


@main.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Worker processes (1: waitress; more: gunicorn, one process per worker).",
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(data_dir, host, port, workers, threads):
    """Start the web app with a production server (waitress, or gunicorn with --workers)."""
    from sozialraum.web import create_app
    from sozialraum.web.server import serve as run_server

    config = {"DATA_DIR": str(settings.data_dir(data_dir))}
    app = create_app(config)  # a damaged data file stops here with a clear message
    if app.config["READ_ONLY"]:
        click.echo("warning: the data folder is read-only; the app runs read-only", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"sozialraum läuft auf http://{shown}:{port}/  (Strg+C beendet)")
    run_server(app, host=host, port=port, workers=workers, threads=threads)


main.add_command(users)
main.add_command(offers)
main.add_command(backup)
main.add_command(restore)
main.add_command(notes)

if __name__ == "__main__":
    main()
