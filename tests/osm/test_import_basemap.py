"""The basemap step of the import, ``sozialraum basemap build``, ``areas show``, the demo
area's basemap, and backup/restore of ``basemap.pmtiles`` (issue 20)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import mapbox_vector_tile
import pytest
from shapely.geometry import box
from support.fake_overpass import FakeOverpass
from support.paths import EXTRACTS

from sozialraum.basemap import BasemapArchive, BasemapInputError
from sozialraum.cli import main
from sozialraum.demo.area import DEMO_AREA, DEMO_OSM_FILE
from sozialraum.osm import import_basemap
from sozialraum.osm.import_basemap import OVERPASS_OSM_NAME, basemap_path, build_area_basemap
from sozialraum.osm.importer import import_area
from sozialraum.settings import ImportSettings
from sozialraum.store import GeoJSONStore
from sozialraum.store.backup import backup_area
from sozialraum.store.restore import restore_area

NEUSS = EXTRACTS["neuss-innenstadt"]
APLERBECK = EXTRACTS["dortmund-aplerbeck"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _layers_at(path: Path, zoom: int) -> set[str]:
    found: set[str] = set()
    with BasemapArchive(path) as archive:
        for z, x, y in archive.coordinates():
            if z == zoom:
                found |= set(mapbox_vector_tile.decode(archive.tile(z, x, y)))
    return found


@pytest.fixture(scope="module")
def neuss(tmp_path_factory):
    store = GeoJSONStore(tmp_path_factory.mktemp("neuss"))
    report = import_area(store, "neuss", osm_file=NEUSS)
    return store, report


def test_file_import_builds_the_basemap_after_the_layers(neuss):
    store, report = neuss
    path = basemap_path(store, "neuss")
    assert report.basemap.error is None and report.basemap.stats.tiles > 100
    meta = store.read_meta("neuss")["basemap"]
    assert meta["tiles"] == report.basemap.stats.tiles and meta["bytes"] == path.stat().st_size
    assert meta["osm_file"] == str(NEUSS.resolve())
    assert (path.stat().st_mode & 0o777) == 0o600
    assert {"roads", "buildings", "boundary"} <= _layers_at(path, 16)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_failed_basemap_build_warns_and_keeps_import_and_old_archive(tmp_path, monkeypatch):
    store = GeoJSONStore(tmp_path)
    import_area(store, "apl", osm_file=APLERBECK)
    path = basemap_path(store, "apl")
    before = _digest(path)

    def broken(*args, **kwargs):
        raise BasemapInputError("cannot read the OSM file for the basemap")

    monkeypatch.setattr(import_basemap, "build_basemap", broken)
    report = import_area(store, "apl", osm_file=APLERBECK)

    assert report.addresses > 0  # the import itself went through
    assert "cannot read" in report.basemap.error
    meta = store.read_meta("apl")
    assert "import_in_progress" not in meta
    assert "cannot read" in meta["basemap"]["error"] and meta["basemap"]["tiles"] > 0
    assert _digest(path) == before  # the old archive stays


def test_build_that_dies_midway_leaves_no_half_archive(tmp_path, monkeypatch):
    store = GeoJSONStore(tmp_path)
    import_area(store, "apl", osm_file=APLERBECK)
    path = basemap_path(store, "apl")
    before = _digest(path)
    from sozialraum.basemap import build as build_module

    real = build_module._tiles.zoom_tiles

    def dies_at_zoom_15(table, z, *args):
        if z == 15:
            raise MemoryError("out of memory at zoom 15")
        return real(table, z, *args)

    monkeypatch.setattr(build_module._tiles, "zoom_tiles", dies_at_zoom_15)
    report = import_area(store, "apl", osm_file=APLERBECK)

    assert "MemoryError" in report.basemap.error
    assert _digest(path) == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_online_import_keeps_the_osm_data_and_builds_the_basemap(tmp_path):
    store = GeoJSONStore(tmp_path)
    with FakeOverpass(APLERBECK) as fake:
        settings = ImportSettings(
            overpass_url=f"{fake.url}/api", nominatim_url=f"{fake.url}/nominatim/", timeout_s=5
        )
        report = import_area(store, "apl", bbox=(7.52, 51.48, 7.58, 51.51), settings=settings)
        basemap_queries = [q for q in fake.requests if "nwr(" in q]
    assert len(basemap_queries) == 1 and "[out:json]" in basemap_queries[0]
    assert report.basemap.error is None, report.basemap.error
    source = store.area_dir("apl") / OVERPASS_OSM_NAME
    assert source.exists() and gzip.decompress(source.read_bytes()).startswith(b"<?xml")
    assert store.read_meta("apl")["basemap"]["osm_file"] == str(source.resolve())
    assert {"roads", "buildings"} <= _layers_at(basemap_path(store, "apl"), 16)


def test_online_basemap_failure_only_warns(tmp_path, monkeypatch):
    from sozialraum.errors import OverpassUnavailable
    from sozialraum.osm import overpass

    def unavailable(*args, **kwargs):
        raise OverpassUnavailable("the server is overloaded (HTTP 429)")

    monkeypatch.setattr(overpass, "fetch_basemap_elements", unavailable)
    store = GeoJSONStore(tmp_path)
    with FakeOverpass(APLERBECK) as fake:
        settings = ImportSettings(
            overpass_url=f"{fake.url}/api", nominatim_url=f"{fake.url}/nominatim/", timeout_s=5
        )
        report = import_area(store, "apl", bbox=(7.52, 51.48, 7.58, 51.51), settings=settings)
    assert report.addresses > 0 and "429" in report.basemap.error
    assert not basemap_path(store, "apl").exists()


def test_demo_area_has_its_basemap_with_street_names(demo_store):
    path = basemap_path(demo_store, DEMO_AREA)
    names = set()
    with BasemapArchive(path) as archive:
        for z, x, y in archive.coordinates():
            if z == 16:
                roads = mapbox_vector_tile.decode(archive.tile(z, x, y)).get("roads")
                names |= {f["properties"].get("name") for f in (roads or {}).get("features", [])}
    assert len(names - {None}) >= 3


def test_cli_basemap_build_and_areas_show(runner, tmp_path):
    data = str(tmp_path / "d")
    result = runner.invoke(
        main,
        ["import", "--data-dir", data, "--quiet", "--area", "apl", "--osm-file", str(APLERBECK)],
    )
    assert result.exit_code == 0, result.output
    assert "basemap:" in result.output and "tiles" in result.output
    path = tmp_path / "d" / "apl" / "basemap.pmtiles"
    path.unlink()

    result = runner.invoke(main, ["areas", "show", "apl", "--data-dir", data])
    assert "basemap: none" in result.output

    result = runner.invoke(main, ["basemap", "build", "--area", "apl", "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert "tiles" in result.output and path.exists()

    result = runner.invoke(main, ["areas", "show", "apl", "--data-dir", data])
    with BasemapArchive(path) as archive:
        tiles = sum(1 for _ in archive.coordinates())
    assert f"{tiles:,} tiles" in result.output
    assert f"{path.stat().st_size:,} bytes" in result.output

    result = runner.invoke(
        main,
        ["basemap", "build", "--area", "apl", "--data-dir", data, "--osm-file", str(NEUSS)],
    )
    assert result.exit_code == 0, result.output  # another file: built (here: almost empty)
    meta = json.loads(
        runner.invoke(main, ["areas", "show", "apl", "--data-dir", data, "--json"]).output
    )
    assert meta["basemap"]["osm_file"] == str(NEUSS.resolve())

    path.write_bytes(b"kaputt" * 100)
    result = runner.invoke(main, ["areas", "show", "apl", "--data-dir", data])
    assert result.exit_code == 0 and "unreadable" in result.output

    result = runner.invoke(
        main,
        ["basemap", "build", "--area", "apl", "--data-dir", data, "--osm-file", "/nope.osm"],
    )
    assert result.exit_code == 1 and "not found" in result.output


def test_cli_basemap_build_without_known_file_asks_for_one(runner, demo_store):
    meta = demo_store.read_meta(DEMO_AREA)
    meta.pop("basemap")
    demo_store.write_meta(DEMO_AREA, meta, actor="test")
    result = runner.invoke(
        main, ["basemap", "build", "--area", DEMO_AREA, "--data-dir", str(demo_store.data_dir)]
    )
    assert result.exit_code == 1 and "--osm-file" in result.output


def test_backup_and_restore_carry_the_basemap(demo_store, tmp_path):
    path = basemap_path(demo_store, DEMO_AREA)
    before = path.read_bytes()
    report = backup_area(demo_store, DEMO_AREA, tmp_path / "backup.tar.gz")
    west, south, east, north = demo_store.read_meta(DEMO_AREA)["bbox"]
    build_area_basemap(
        demo_store, DEMO_AREA, DEMO_OSM_FILE, box(west, south, (west + east) / 2, north)
    )
    assert path.read_bytes() != before

    restore_area(demo_store, report.path, replace=True)

    assert path.read_bytes() == before
    with BasemapArchive(path) as archive:
        assert archive.get(*next(archive.coordinates())) is not None
