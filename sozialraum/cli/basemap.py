"""Basemap command: ``sozialraum basemap build`` rebuilds an area's own basemap (issue 20)."""

from __future__ import annotations

from pathlib import Path

import click

from sozialraum.cli._common import cli_actor, console, counted, data_dir_option, open_data_store


@click.group()
def basemap():
    """The area's own basemap (vector tiles built from its OSM data)."""


@basemap.command("build")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.option(
    "--osm-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="OSM file to build from (default: the file of the last import).",
)
def basemap_build(data_dir, area, osm_file):
    """Rebuild <area>/basemap.pmtiles alone (atomically: the old one stays on failure).

    Without --osm-file the file of the last import is read (an online import keeps its
    OSM data in the area folder). The tiles cover the area's districts (else its bbox).
    """
    from sozialraum.osm.import_basemap import BasemapResult, build_area_basemap

    store = open_data_store(data_dir)
    meta = store.read_meta(area)
    entry = dict(meta.get("basemap") or {})
    if osm_file is None:
        known = entry.get("osm_file")
        if not known:
            raise click.ClickException(f"area {area!r} has no known OSM file: give --osm-file FILE")
        osm_file = Path(known)
    if not osm_file.exists():
        raise click.ClickException(f"OSM file not found: {osm_file} (give --osm-file FILE)")
    stats = build_area_basemap(store, area, osm_file)
    meta = store.read_meta(area)  # again: the app may have changed it meanwhile
    meta["basemap"] = BasemapResult(stats=stats, osm_file=osm_file).summary()
    store.write_meta(area, meta, actor=cli_actor())
    console.print(
        f"basemap of area '{area}': {counted(stats.tiles, 'tile')}, {stats.bytes / 1e6:.2f} MB "
        f"({stats.seconds:.1f} s)",
        highlight=False,
    )
