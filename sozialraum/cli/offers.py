"""The ``sozialraum offers`` commands: list, import, export.

The command line acts with administrator rights (like every ``sozialraum`` command that
writes); the audit log records ``cli:<user>``.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from rich.table import Table

from sozialraum import settings
from sozialraum.cli._common import Group, console, counted, data_dir_option, write_output

__all__ = ["offers"]

area_option = click.option("--area", required=True, help="Area name.")


def _store(data_dir: Path | None):
    from sozialraum.store import open_store

    return open_store(settings.data_dir(data_dir))


def _actor():
    from sozialraum.model.roles import Role
    from sozialraum.services.notes import Actor

    try:
        name = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        name = "cli"
    return Actor(name, Role.ADMIN, None)


@click.group(cls=Group)
def offers():
    """Support offers (Angebote): list, import and export."""


@offers.command("list")
@data_dir_option
@area_option
@click.option("--flagged", is_flag=True, help="Only offers that ended or need a check.")
def offers_list(data_dir, area, flagged):
    """List the offers of an area with their flags (ended, not checked for 12 months)."""
    from sozialraum.services.offers import OfferFilter, list_offers

    store = _store(data_dir)
    store.read_meta(area)
    items = list_offers(
        store,
        area,
        today=settings.today(),
        filters=OfferFilter(flag="pruefen" if flagged else ""),
    )
    table = Table(title=f"{area}: {counted(len(items), 'offer')}")
    for name in ("id", "name", "provider", "place", "last checked", "flags"):
        table.add_column(name, overflow="fold")
    for item in items:
        props = item["offer"]["properties"]
        table.add_row(
            item["offer"]["id"],
            props["name"],
            props["provider"],
            "region-wide" if props.get("region_wide") else "point",
            props.get("checked_on") or "never",
            "; ".join(item["flags"]["labels"]),
        )
    console.print(table)


@offers.command("import")
@data_dir_option
@area_option
@click.argument("input_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--archive-missing",
    is_flag=True,
    help="Archive stored offers the file no longer holds (else they are only listed).",
)
def offers_import(data_dir, area, input_file, archive_missing):
    """Import offers from a CSV or GeoJSON file (all or nothing).

    CSV: ';' or ',', UTF-8 or Windows-1252, German column names (Name, Träger, Förderer,
    Rechtsgrundlage, Zielgruppen, Voraussetzungen, Angebot, Themen, Telefon, E-Mail, Web,
    Öffnungszeiten, Sprachen, Adresse, gebietsweit, gültig ab, gültig bis, zuletzt geprüft
    am, geprüft von, Breite, Länge) and an optional ID; lists separated by '|'. GeoJSON
    (.geojson/.json): a FeatureCollection of Points or null geometries with the export's
    property names. Rows with an ID, or with the name and provider of one stored offer,
    update it; others are added. A row with an address but no coordinates is placed at
    that address if it matches exactly. If any row has a problem, every problem is listed
    and nothing is imported. Stored offers missing from the file are listed; with
    --archive-missing they are archived (hidden from finder, handouts and maps).
    """
    from sozialraum.services.offers_io import import_offers

    store = _store(data_dir)
    store.read_meta(area)
    report = import_offers(
        store,
        area,
        input_file.read_bytes(),
        input_file.name,
        actor=_actor(),
        today=settings.today(),
        archive_missing=archive_missing,
    )
    if report.problems:
        for problem in report.problems[:100]:
            click.echo(problem.english, err=True)
        if len(report.problems) > 100:
            click.echo(f"... and {counted(len(report.problems) - 100, 'more problem')}", err=True)
        raise click.ClickException(
            f"{len(report.problems)} of {counted(report.rows, 'row')} "
            f"{'has' if len(report.problems) == 1 else 'have'} problems; nothing imported"
        )
    click.echo(
        f"{counted(report.rows, 'offer')}: {len(report.added)} added, "
        f"{len(report.updated)} updated, "
        f"{report.unchanged} unchanged"
        + (f", {report.placed} placed at their address" if report.placed else "")
    )
    if report.missing:
        names = "; ".join(f"{m['id']} {m['name']} ({m['provider']})" for m in report.missing)
        if report.archived:
            click.echo(f"no longer in the file, archived: {names}")
        else:
            click.echo(
                f"no longer in the file: {names}; kept as they are - "
                "import again with --archive-missing to archive them"
            )


@offers.command("export")
@data_dir_option
@area_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Target file: .csv (German spreadsheets) or .geojson; '-' writes CSV to stdout.",
)
def offers_export(data_dir, area, output):
    """Export the offers of an area as CSV or GeoJSON (EPSG:4326)."""
    from sozialraum.services.offers import LAYER
    from sozialraum.services.offers_io import export_csv, export_geojson

    store = _store(data_dir)
    store.read_meta(area)
    features = sorted(store.query(area, LAYER), key=lambda f: f["id"])
    if str(output) == "-":
        click.echo(export_csv(features, settings.today()), nl=False)
        return
    if output.suffix.lower() in (".geojson", ".json"):
        body = export_geojson(features)
    else:
        body = export_csv(features, settings.today()).encode("utf-8")
    write_output(output, body)
    click.echo(f"wrote {output} ({counted(len(features), 'offer')})")
