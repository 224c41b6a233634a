"""Report commands: ``sozialraum profile`` and ``sozialraum coverage``.

``profile`` is the district profile, ``coverage`` shows which streets were walked.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from sozialraum import settings
from sozialraum.cli._common import (
    console,
    counted,
    data_dir_option,
    instance_categories,
    open_data_store,
    write_output,
)


@click.command()
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
    """District profile: resources and walking distances per district.

    Resources per district and per 1,000 addresses, share of addresses within 10 minutes on foot of
    a pharmacy, post office, doctor and Kita, and addresses more than 1,000 m on foot from a post
    box.
    """
    from sozialraum.analysis.profile import profile_table
    from sozialraum.analysis.walking import DEFAULT_SPEED_KMH, SLOW_SPEED_KMH
    from sozialraum.services.areas import area_profile
    from sozialraum.services.exports import profile_csv

    store, table = open_data_store(data_dir), instance_categories()
    speed = SLOW_SPEED_KMH if slow else DEFAULT_SPEED_KMH
    rows = area_profile(store, area, table, speed=speed)
    if csv_file is not None:
        text = profile_csv(rows, table)
        if str(csv_file) == "-":
            click.echo(text, nl=False)
            return
        write_output(csv_file, text.encode("utf-8"))
        click.echo(f"wrote {csv_file} ({counted(len(rows) - 1, 'district')})")
        return
    header, body = profile_table(rows, table)
    shown = 4 + sum(1 for h in header if h.startswith(("Anteil", "Adressen >")))
    out = Table(title=f"{area}: walking at {speed:g} km/h (full table: --csv)")
    for name in header[:shown]:
        out.add_column(name, overflow="fold")
    for line in body:
        out.add_row(*("-" if v is None else str(v) for v in line[:shown]))
    console.print(out)


@click.command()
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
    """Street coverage: per district, the streets visited in the last 12 months.

    A street counts as visited with a field note or a walk stop within 30 m; shown with the last
    visit and its age class.
    """
    from sozialraum.services.coverage import coverage_csv, district_coverage

    results = district_coverage(
        open_data_store(data_dir), area, today=settings.today(), district=district
    )
    if output is not None:
        text = coverage_csv(results)
        if str(output) == "-":
            click.echo(text, nl=False)
            return
        write_output(output, text.encode("utf-8"))
        streets = sum(r.streets_total for r in results)
        click.echo(
            f"wrote {output} ({counted(len(results), 'district')}, {counted(streets, 'street')})"
        )
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
