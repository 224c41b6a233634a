"""Area commands: ``sozialraum import``, ``areas list|show`` and ``districts list|assign``.

``import`` reads an offline file or downloads online.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sozialraum.cli._common import (
    cli_actor,
    console,
    counted,
    data_dir_option,
    instance_categories,
    open_data_store,
)


@click.command("import")
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
@click.option(
    "--title",
    help='Display title of the area, e.g. "Dreieich – Dreieichenhain" (kept by later imports; '
    'default: the --place, else the area name in words, "neuss-nord" -> "Neuss Nord").',
)
@click.option(
    "--team",
    help="Team responsible for every district that has none yet (existing teams keep theirs).",
)
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
    team,
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
    if team is not None and not 1 <= len(" ".join(team.split())) <= 60:
        raise click.UsageError("--team: a team name has 1 to 60 characters")
    box = parse_bbox(bbox) if bbox else None
    store = open_data_store(data_dir)
    table = instance_categories()
    progress = _progress(quiet)
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
                actor=cli_actor(),
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
    _print_import_report(area, report, table)
    if team is not None:
        _assign_new_districts(store, area, team, data_dir)


def _assign_new_districts(store, area: str, team: str, data_dir) -> None:
    """Give every district without a team the --team of the import, and say which."""
    from sozialraum.services.areas import assign_team_to_unassigned

    assigned = assign_team_to_unassigned(
        store, area, team, actor=cli_actor(), known_teams=_account_teams(data_dir)
    )
    stored = store.read_meta(area).get("teams") or {}
    if assigned:
        names = ", ".join(assigned)
        districts = counted(len(assigned), "district")
        click.echo(f"team {stored[assigned[0]]!r} assigned to {districts}: {names}")
    else:
        click.echo("team: every district already has a team (unchanged)")


def _progress(quiet: bool) -> Progress:
    """The import's spinner on stderr: current step, objects read, time (off with --quiet)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} objects"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=True,
    )


def _print_import_report(area: str, report, table) -> None:
    """The import's summary.

    Counts per category, changes per layer, what was kept or skipped.
    """
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
        console.print(
            f"[yellow]{counted(report.unplaced, 'object')} had no usable geometry and were skipped"
        )
    if report.orphaned_notes:
        console.print(
            f"[yellow]{counted(len(report.orphaned_notes), 'field note')} "
            f"{'links' if len(report.orphaned_notes) == 1 else 'link'} to OSM objects that"
            " vanished; they were kept and flagged (see 'areas show')."
        )
    _print_basemap(report.basemap)


def _print_basemap(result) -> None:
    """The basemap step: tiles and size, or a warning (the import itself succeeded)."""
    if result is None:
        return
    if result.stats is not None:
        console.print(
            f"basemap: {counted(result.stats.tiles, 'tile')}, {result.stats.bytes / 1e6:.2f} MB "
            f"({result.stats.seconds:.1f} s)",
            highlight=False,
        )
        return
    console.print(
        f"[yellow]warning: the basemap was not built ({escape(result.error or '')}); "
        "the import is complete and an earlier basemap stays in place. "
        "Retry with 'sozialraum basemap build'.",
        highlight=False,
    )


def _print_reassignment(report) -> None:
    changes, moved = report.district_changes, report.reassignment
    if report.districts_kept and moved is not None and (moved.notes or moved.walks):
        console.print(
            f"[yellow]re-assigned {counted(moved.notes, 'note')} and "
            f"{counted(moved.walks, 'walk')} that pointed to a vanished district",
            highlight=False,
        )
    if changes is None or moved is None or not changes.any:
        return
    console.print("districts replaced:", highlight=False)
    for line in changes.describe():
        console.print(f"  {escape(line)}", highlight=False)
    console.print(
        f"re-assigned: {counted(moved.notes, 'note')}, {counted(moved.walks, 'walk')}",
        highlight=False,
    )
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


@click.group()
def areas():
    """List and inspect imported areas."""


@areas.command("list")
@data_dir_option
def areas_list(data_dir):
    """List all areas with source, import time and counts."""
    store = open_data_store(data_dir)
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
            status.append(f"{counted(len(meta['orphaned_notes']), 'note')} flagged")
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
    store = open_data_store(data_dir)
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
    _show_basemap(store, name, meta)
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


def _show_basemap(store, name: str, meta: dict) -> None:
    """The basemap line of ``areas show``: size and tile count of the archive itself."""
    from sozialraum.osm.import_basemap import archive_info

    info = archive_info(store, name)
    error = (meta.get("basemap") or {}).get("error")
    if info is None:
        console.print("basemap: none (run 'sozialraum basemap build')", highlight=False)
    elif "error" in info:
        console.print(f"[red]basemap: unreadable ({escape(info['error'])})", highlight=False)
    else:
        console.print(
            f"basemap: {info['bytes'] / 1e6:.2f} MB "
            f"({counted(info['bytes'], 'byte', grouped=True)}), "
            f"{counted(info['tiles'], 'tile', grouped=True)}, "
            f"zoom {info['minzoom']}-{info['maxzoom']}",
            highlight=False,
        )
    if error:
        console.print(f"[yellow]last basemap build failed: {escape(error)}", highlight=False)


@click.group()
def districts():
    """List districts and assign the teams responsible for them."""


@districts.command("list")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
def districts_list(data_dir, area):
    """List the districts of an area with their team."""
    from sozialraum.services.areas import district_summaries

    store = open_data_store(data_dir)
    table = Table()
    for column in ("id", "name", "team", "addresses"):
        table.add_column(column)
    for d in district_summaries(store, area, instance_categories()):
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
    store = open_data_store(data_dir)
    before = dict(store.read_meta(area).get("teams") or {})
    district_id = assign_team(
        store,
        area,
        district,
        None if remove else team,
        actor=cli_actor(),
        known_teams=_account_teams(data_dir),
    )
    previous = before.get(district_id)
    was = f" (was: {previous})" if previous else ""
    if remove:
        click.echo(f"{district_id}: no team{was}")
        return
    stored = store.read_meta(area)["teams"][district_id]
    was = was if previous != stored else " (unchanged)"
    if stored != " ".join(team.split()):
        click.echo(f"{district_id}: {stored} (existing team {stored!r}, entered as {team!r}){was}")
    else:
        click.echo(f"{district_id}: {stored}{was}")


def _account_teams(data_dir) -> set[str]:
    """Teams of the user accounts (none when there are no accounts yet)."""
    from sozialraum.cli.accounts import cli_accounts

    return {user.team for user in cli_accounts(data_dir).users.list() if user.team}
