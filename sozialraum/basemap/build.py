"""Build an area's basemap archive from its OSM file: :func:`build_basemap`."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from sozialraum.basemap import tiles as _tiles
from sozialraum.basemap.archive import write_archive
from sozialraum.basemap.reader import FIELDS, LAYERS, read_basemap_features
from sozialraum.errors import InvalidInput

#: Margin around the area polygon that features keep (metres on the ground).
MARGIN_M = 30.0
ATTRIBUTION = "© OpenStreetMap-Mitwirkende"


@dataclass
class ZoomStats:
    """Tiles of one zoom: count, stored (gzip) bytes, the largest tile and the median."""

    tiles: int = 0
    bytes: int = 0
    max_tile: int = 0
    sizes: list[int] = field(default_factory=list, repr=False)

    @property
    def median_tile(self) -> int:
        """The median stored (gzip) tile size in bytes; 0 without tiles."""
        return int(np.median(self.sizes)) if self.sizes else 0


@dataclass
class BasemapStats:
    """What :func:`build_basemap` built.

    Attributes
    ----------
    tiles : int
        Number of tiles stored.
    bytes : int
        Size of the archive file in bytes.
    seconds : float
        Wall-clock build time (reading, cutting, writing).
    features : int
        Features read from the OSM file (after clipping to the area).
    zooms : dict
        :class:`ZoomStats` per zoom.
    """

    tiles: int
    bytes: int
    seconds: float
    features: int
    zooms: dict[int, ZoomStats]


def _area(area_polygon_4326) -> BaseGeometry:
    geom = area_polygon_4326
    if isinstance(geom, dict):
        geom = shapely.geometry.shape(geom)
    if not isinstance(geom, BaseGeometry) or geom.is_empty:
        raise InvalidInput("the basemap needs an area polygon")
    geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        raise InvalidInput("the basemap area must be a polygon")
    geom = shapely.union_all(parts)
    west, south, east, north = geom.bounds
    if west < -180 or east > 180 or south < -_tiles.MAX_LAT or north > _tiles.MAX_LAT:
        raise InvalidInput("the basemap area must be in lon/lat degrees (EPSG:4326)")
    return geom


def build_basemap(
    osm_path: Path,
    area_polygon_4326,
    out_path: Path,
    *,
    minzoom: int = 12,
    maxzoom: int = 18,
) -> BasemapStats:
    """Build the basemap of an area as one PMTiles v3 archive of vector tiles.

    Parameters
    ----------
    osm_path : pathlib.Path
        The area's OSM file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).
    area_polygon_4326 : shapely (Multi)Polygon or GeoJSON geometry dict
        The area in EPSG:4326 (lon/lat degrees). Tiles exist only where it meets a tile;
        features are clipped to it plus a margin of ``MARGIN_M`` metres.
    out_path : pathlib.Path
        The archive, e.g. ``<data_dir>/<area>/basemap.pmtiles``; written to a temp file
        in the same folder and renamed into place when complete (an existing archive
        stays untouched if the build fails).
    minzoom, maxzoom : int
        Zoom range of the stored tiles (Web Mercator XYZ); the schema fixes 12..18.

    Returns
    -------
    BasemapStats
        Tile count, archive bytes, seconds, and per-zoom tile sizes.

    Raises
    ------
    sozialraum.basemap.reader.BasemapInputError
        The OSM file is missing, unsupported or unreadable.
    sozialraum.errors.InvalidInput
        The area is not a polygon in lon/lat degrees, or the zoom range is invalid.
    """
    started = time.perf_counter()
    if not 0 <= minzoom <= maxzoom <= 22:
        raise InvalidInput(f"invalid zoom range {minzoom}..{maxzoom}")
    area = _area(area_polygon_4326)
    lat = (area.bounds[1] + area.bounds[3]) / 2
    area_merc = _tiles.to_mercator(np.array([area]))[0]
    # metres on the ground to Mercator metres at this latitude
    clip_merc = area_merc.buffer(MARGIN_M / math.cos(math.radians(lat)), quad_segs=2)
    degrees = MARGIN_M / 111_000 / max(math.cos(math.radians(abs(lat) + 1)), 0.05)
    read_area = area.buffer(degrees * 2, quad_segs=2)  # generous: exact clip comes later
    features = read_basemap_features(Path(osm_path), read_area)
    boundary = shapely.get_parts(shapely.boundary(area))
    layers = features.layer + ["boundary"] * len(boundary)
    geoms = features.geometry + list(boundary)
    props = features.props + [{}] * len(boundary)
    minzooms = features.minzoom + [LAYERS["boundary"]] * len(boundary)
    table = _tiles.make_table(layers, geoms, props, minzooms, clip_merc)
    zooms = {z: ZoomStats() for z in range(minzoom, maxzoom + 1)}

    def generate() -> Iterator[tuple[int, bytes]]:
        for z in range(minzoom, maxzoom + 1):
            xs, ys, ids = _tiles.area_tiles(area_merc, z)
            stats = zooms[z]
            tiles = _tiles.zoom_tiles(table, z, xs, ys, maxzoom)
            for tile_id, (_, _, data) in zip(ids.tolist(), tiles, strict=True):
                stored = _tiles.compress(data)
                stats.tiles += 1
                stats.bytes += len(stored)
                stats.sizes.append(len(stored))
                stats.max_tile = max(stats.max_tile, len(stored))
                yield tile_id, stored

    present = set(layers)
    west, south, east, north = area.bounds
    metadata = {
        "name": Path(out_path).parent.name or "basemap",
        "attribution": ATTRIBUTION,
        "description": "Basemap built from the area's own OSM data (sozialraum, issue 20)",
        "format": "pbf",
        "type": "baselayer",
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, min(max(minzoom, 14), maxzoom)],
        "vector_layers": [
            {
                "id": name,
                "fields": FIELDS[name],
                "minzoom": max(minzoom, LAYERS[name]),
                "maxzoom": maxzoom,
            }
            for name in LAYERS
            if name in present
        ],
        "osm_data_date": features.data_date(),
    }
    center_zoom = min(max(minzoom, 14), maxzoom)
    bounds = (west, south, east, north)
    size = write_archive(Path(out_path), generate(), metadata, bounds, center_zoom)
    return BasemapStats(
        tiles=sum(s.tiles for s in zooms.values()),
        bytes=size,
        seconds=time.perf_counter() - started,
        features=len(table),
        zooms=zooms,
    )
