"""The archive file: replaced atomically, and a clear error for a broken one."""

from __future__ import annotations

import shutil

import pytest
import shapely

from sozialraum.basemap import (
    BasemapArchive,
    BasemapArchiveError,
    BasemapInputError,
    build_basemap,
)
from sozialraum.basemap import tiles as tiles_module
from sozialraum.errors import InvalidInput, StorageError

NAME = "dortmund-aplerbeck"


def test_failed_build_leaves_the_old_archive_and_no_temp_file(built, tmp_path, monkeypatch):
    b = built[NAME]
    folder = tmp_path / "area"
    folder.mkdir()
    target = folder / "basemap.pmtiles"
    shutil.copy(b.path, target)
    before = target.read_bytes()
    real = tiles_module.zoom_tiles
    calls = []

    def failing(table, z, xs, ys, maxzoom):
        calls.append(z)
        if z == 16:  # after zooms 12..15 have been written to the temp file
            raise RuntimeError("disk on fire")
        yield from real(table, z, xs, ys, maxzoom)

    monkeypatch.setattr(tiles_module, "zoom_tiles", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_basemap(b.osm, b.area, target)
    assert calls == [12, 13, 14, 15, 16]
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["basemap.pmtiles"]


def test_rebuild_replaces_the_file_and_open_readers_keep_their_version(built, tmp_path):
    b = built[NAME]
    target = tmp_path / "basemap.pmtiles"
    shutil.copy(b.path, target)
    old = BasemapArchive(target)
    z, x, y = next(iter(old.coordinates()))
    old_tile = old.get(z, x, y)
    # a smaller area: fewer tiles
    west, south, east, north = b.area.bounds
    smaller = shapely.box(west, south, (west + east) / 2, north)
    stats = build_basemap(b.osm, smaller, target)
    new = BasemapArchive(target)
    assert stats.tiles < b.stats.tiles
    assert len(list(new.coordinates())) == stats.tiles
    assert old.get(z, x, y) == old_tile  # the open reader still reads its complete file
    assert len(list(old.coordinates())) == b.stats.tiles
    assert not old.is_current() and new.is_current()
    assert old.identity != new.identity
    old.close()
    new.close()
    assert [p.name for p in tmp_path.iterdir()] == ["basemap.pmtiles"]


@pytest.mark.parametrize(
    "damage",
    ["missing", "empty", "garbage", "truncated", "wrong version", "directory", "tile type"],
)
def test_a_broken_archive_raises_a_clear_error(built, tmp_path, damage):
    data = bytearray(built[NAME].path.read_bytes())
    path = tmp_path / "basemap.pmtiles"
    if damage == "empty":
        data = b""
    elif damage == "garbage":
        data = b"<html>not found</html>" * 20
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "wrong version":
        data[7] = 2
    elif damage == "directory":
        data[127:160] = b"\x00" * 33  # the root directory's gzip header and first bytes
    elif damage == "tile type":
        data[99] = 2  # PNG
    if damage != "missing":
        path.write_bytes(bytes(data))
    with pytest.raises(BasemapArchiveError) as caught:
        BasemapArchive(path).get(12, 0, 0)
    assert isinstance(caught.value, StorageError)  # the web layer answers 503, never 500
    assert "basemap.pmtiles" in caught.value.message


def test_a_corrupt_tile_raises_the_same_error(built, tmp_path):
    b = built[NAME]
    with BasemapArchive(b.path) as archive:
        offset = archive.header["tile_data_offset"]
    data = bytearray(b.path.read_bytes())
    data[offset : offset + 40] = b"\xff" * 40  # every gzip member starts somewhere after this
    path = tmp_path / "basemap.pmtiles"
    path.write_bytes(bytes(data))
    with BasemapArchive(path) as archive, pytest.raises(BasemapArchiveError):
        for z, x, y in archive.coordinates():
            archive.tile(z, x, y)


def test_bad_input_to_the_build(tmp_path, built):
    with pytest.raises(BasemapInputError):
        build_basemap(tmp_path / "missing.osm", built[NAME].area, tmp_path / "b.pmtiles")
    with pytest.raises(InvalidInput):
        build_basemap(built[NAME].osm, shapely.LineString([(7, 51), (8, 52)]), tmp_path / "b")
    with pytest.raises(InvalidInput):  # metres, not degrees
        build_basemap(
            built[NAME].osm, shapely.box(390000, 5700000, 391000, 5701000), tmp_path / "b"
        )
    assert not list(tmp_path.iterdir())
