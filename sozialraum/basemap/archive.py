"""PMTiles v3 archives of the basemap: written atomically, read one tile at a time."""

from __future__ import annotations

import gzip
import json
import mmap
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from pmtiles.tile import (
    Compression,
    TileType,
    deserialize_directory,
    deserialize_header,
    find_tile,
    tileid_to_zxy,
    zxy_to_tileid,
)
from pmtiles.writer import Writer

from sozialraum.errors import InvalidInput, StorageError

HEADER_BYTES = 127
MAX_DEPTH = 4  # root plus leaf levels, as the PMTiles spec allows


class BasemapArchiveError(StorageError):
    """A basemap archive is missing, truncated, corrupt or not a vector-tile PMTiles file."""


def write_archive(
    path: Path,
    tiles: Iterable[tuple[int, bytes]],
    metadata: dict,
    bounds: tuple[float, float, float, float],
    center_zoom: int,
) -> int:
    """Write a PMTiles v3 archive atomically; return its size in bytes.

    Parameters
    ----------
    path : pathlib.Path
        Target file; replaced only when the archive is complete (temp file in the same
        folder, fsync, ``os.replace``, fsync of the folder; mode 600). On any error the
        old file stays and the temp file is removed.
    tiles : iterable of (int, bytes)
        PMTiles tile ids in ascending order with gzip-compressed MVT bytes.
    metadata : dict
        The JSON metadata (name, attribution, vector_layers, ...).
    bounds : tuple of float
        (west, south, east, north) in EPSG:4326 degrees.
    center_zoom : int
        The zoom a viewer starts at.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".tmp-{path.name}.", suffix=".tmp", dir=path.parent
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            writer = Writer(out)
            count = 0
            for tile_id, data in tiles:
                writer.write_tile(tile_id, data)
                count += 1
            if count == 0:
                raise InvalidInput("no tiles: the area is empty")
            west, south, east, north = bounds
            writer.finalize(
                {
                    "tile_type": TileType.MVT,
                    "tile_compression": Compression.GZIP,
                    "min_lon_e7": int(west * 1e7),
                    "min_lat_e7": int(south * 1e7),
                    "max_lon_e7": int(east * 1e7),
                    "max_lat_e7": int(north * 1e7),
                    "center_zoom": center_zoom,
                    "center_lon_e7": int((west + east) / 2 * 1e7),
                    "center_lat_e7": int((south + north) / 2 * 1e7),
                },
                metadata,
            )
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)  # mode 600 from mkstemp, like every file the app writes
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return path.stat().st_size


class BasemapArchive:
    """Read tiles from a basemap PMTiles archive (memory-mapped, directories cached).

    Opening checks the header (magic, spec version 3, MVT tiles, offsets inside the
    file) and raises :class:`BasemapArchiveError` for anything else. The archive keeps
    the file it opened: an archive replaced meanwhile (``os.replace``) is read as it was
    until the object is closed and opened again, never as a mix of both
    (:meth:`is_current` tells when to reopen). Reading is thread-safe.

    Parameters
    ----------
    path : pathlib.Path
        The ``basemap.pmtiles`` file.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            with self.path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                size = stat.st_size
                if size < HEADER_BYTES:
                    raise BasemapArchiveError(f"basemap archive truncated: {self.path.name}")
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            raise BasemapArchiveError(f"basemap archive missing: {self.path.name}") from None
        except OSError as exc:
            raise BasemapArchiveError(
                f"basemap archive unreadable: {self.path.name} ({exc.strerror})"
            ) from None
        self.size = size
        #: which file this is (inode and modification time): an ETag part for tiles, and
        #: what :meth:`is_current` compares
        self.identity = f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{size:x}"
        try:
            self.header = deserialize_header(self._map[:HEADER_BYTES])
        except Exception:  # pmtiles raises its own classes and decoding errors
            self.close()
            raise BasemapArchiveError(f"not a PMTiles v3 archive: {self.path.name}") from None
        self._directories: dict[tuple[int, int], list] = {}
        try:
            self._check_header()
            self._directory(self.header["root_offset"], self.header["root_length"])
        except BasemapArchiveError:
            self.close()
            raise

    def _check_header(self) -> None:
        h = self.header
        if h["tile_type"] != TileType.MVT:
            raise BasemapArchiveError(f"not a vector-tile archive: {self.path.name}")
        if h["internal_compression"] != Compression.GZIP:
            raise BasemapArchiveError(f"unsupported directory compression: {self.path.name}")
        for part in ("root", "metadata", "leaf_directory", "tile_data"):
            end = h[f"{part}_offset"] + h[f"{part}_length"]
            if end > self.size:
                raise BasemapArchiveError(
                    f"basemap archive truncated or corrupt ({part}): {self.path.name}"
                )

    def _directory(self, offset: int, length: int) -> list:
        key = (offset, length)
        found = self._directories.get(key)
        if found is None:
            if offset + length > self.size:
                raise BasemapArchiveError(f"basemap directory outside the file: {self.path.name}")
            data = self._map[offset : offset + length]
            try:
                found = deserialize_directory(data)  # gzip (checked in the header)
            except Exception:
                raise BasemapArchiveError(f"basemap directory corrupt: {self.path.name}") from None
            self._directories[key] = found
        return found

    def metadata(self) -> dict:
        """The archive's JSON metadata (name, attribution, vector_layers, bounds, ...)."""
        h = self.header
        data = self._map[h["metadata_offset"] : h["metadata_offset"] + h["metadata_length"]]
        try:
            if h["internal_compression"] == Compression.GZIP:
                data = gzip.decompress(data)
            return json.loads(data)
        except (OSError, EOFError, zlib.error, ValueError):
            raise BasemapArchiveError(f"basemap metadata corrupt: {self.path.name}") from None

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The tile z/x/y as stored (gzip-compressed MVT), or ``None`` outside the area.

        This is what an HTTP endpoint sends as it is, with ``Content-Encoding: gzip``.
        """
        if not (self.header["min_zoom"] <= z <= self.header["max_zoom"]):
            return None
        if not (0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        tile_id = zxy_to_tileid(z, x, y)
        h = self.header
        offset, length = h["root_offset"], h["root_length"]
        for _ in range(MAX_DEPTH):
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length > 0:
                start = h["tile_data_offset"] + entry.offset
                if start + entry.length > self.size:
                    raise BasemapArchiveError(f"basemap tile outside the file: {self.path.name}")
                return self._map[start : start + entry.length]
            offset, length = h["leaf_directory_offset"] + entry.offset, entry.length
        raise BasemapArchiveError(f"basemap directories too deep: {self.path.name}")

    def coordinates(self) -> Iterator[tuple[int, int, int]]:
        """Every stored tile as (z, x, y), in tile id order."""
        h = self.header

        def walk(offset: int, length: int, depth: int) -> Iterator[tuple[int, int, int]]:
            if depth >= MAX_DEPTH:
                raise BasemapArchiveError(f"basemap directories too deep: {self.path.name}")
            for entry in self._directory(offset, length):
                if entry.run_length > 0:
                    for i in range(entry.run_length):
                        yield tileid_to_zxy(entry.tile_id + i)
                else:
                    leaf = h["leaf_directory_offset"] + entry.offset
                    yield from walk(leaf, entry.length, depth + 1)

        return walk(h["root_offset"], h["root_length"], 0)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile z/x/y as uncompressed MVT bytes, or ``None`` outside the area."""
        data = self.get(z, x, y)
        if data is None:
            return None
        if self.header["tile_compression"] != Compression.GZIP:
            return data
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise BasemapArchiveError(f"basemap tile corrupt: {self.path.name}") from None

    def is_current(self) -> bool:
        """Whether the path still names the file this object reads.

        ``False`` after a rebuild replaced it, or when it is gone: then open the archive again.
        """
        try:
            stat = self.path.stat()
        except OSError:
            return False
        return f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}" == self.identity

    def close(self) -> None:
        """Release the memory map."""
        mapped = getattr(self, "_map", None)
        if mapped is not None and not mapped.closed:
            mapped.close()

    def __enter__(self) -> BasemapArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
