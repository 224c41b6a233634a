"""The basemap's ground (buildings, water, green, forest) for server-drawn, printed maps.

The printed walk sheet and Wegweiser draw their maps as SVG in metres (EPSG:25832). This module
reads the same vector tiles the interactive maps show from the area's basemap archive and hands
back their polygons in EPSG:25832, so paper and screen show the same ground under the streets.
"""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape as to_shape

from sozialraum.basemap.archive import BasemapArchive
from sozialraum.basemap.tiles import EXTENT, HALF, tile_bounds, tile_size

#: The polygon layers drawn on paper, back to front.
GROUND_LAYERS = ("landuse", "forest", "green", "water", "buildings")
#: Zoom whose tiles printed maps read (buildings are in the tiles from zoom 14).
PRINT_ZOOM = 16
#: At most this many tiles are read for one map (a sheet spans a few hundred metres).
MAX_TILES = 64

_TO_25832 = Transformer.from_crs(3857, 25832, always_xy=True)
_TO_3857 = Transformer.from_crs(25832, 3857, always_xy=True)


def ground_in_box(
    archive: BasemapArchive,
    west_m: float,
    south_m: float,
    east_m: float,
    north_m: float,
    *,
    zoom: int = PRINT_ZOOM,
) -> dict[str, shapely.Geometry]:
    """The basemap's ground polygons inside a box given in metres (EPSG:25832).

    Parameters
    ----------
    archive : BasemapArchive
        The area's basemap.
    west_m, south_m, east_m, north_m : float
        The box in metres, EPSG:25832 (e.g. a printed map's view box).
    zoom : int
        The tile zoom to read (default :data:`PRINT_ZOOM`).

    Returns
    -------
    dict
        Layer name (one of :data:`GROUND_LAYERS`) → Polygon or MultiPolygon in metres
        (EPSG:25832), clipped to the box; a layer with nothing in the box is missing. Empty
        when the box lies outside the basemap or spans more than :data:`MAX_TILES` tiles.

    Raises
    ------
    BasemapArchiveError
        The archive or one of its tiles is damaged.
    """
    box = shapely.box(west_m, south_m, east_m, north_m)
    corners_x, corners_y = [west_m, east_m, east_m, west_m], [south_m, south_m, north_m, north_m]
    xs, ys = _TO_3857.transform(corners_x, corners_y)
    size = tile_size(zoom)
    x0, x1 = int((min(xs) + HALF) // size), int((max(xs) + HALF) // size)
    y0, y1 = int((HALF - max(ys)) // size), int((HALF - min(ys)) // size)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES:
        return {}
    parts: dict[str, list] = {name: [] for name in GROUND_LAYERS}
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            data = archive.tile(zoom, x, y)
            if not data:
                continue
            for name, geoms in _tile_polygons(data, zoom, x, y).items():
                parts[name].extend(geoms)
    ground = {}
    for name in GROUND_LAYERS:
        if parts[name]:
            merged = shapely.intersection(shapely.union_all(parts[name]), box)
            if not merged.is_empty:
                ground[name] = merged
    return ground


def _tile_polygons(data: bytes, z: int, x: int, y: int) -> dict[str, list]:
    """The ground layers' polygons of one tile, in metres (EPSG:25832)."""
    decoded = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    minx, _, maxx, maxy = (float(v) for v in tile_bounds(z, np.array(x), np.array(y)))
    scale = (maxx - minx) / EXTENT

    def to_metres(coords: np.ndarray) -> np.ndarray:
        mx = minx + coords[:, 0] * scale
        my = maxy - coords[:, 1] * scale
        ex, ey = _TO_25832.transform(mx, my)
        return np.column_stack([ex, ey])

    found: dict[str, list] = {}
    for name in GROUND_LAYERS:
        layer = decoded.get(name)
        if not layer:
            continue
        geoms = []
        for feature in layer["features"]:
            geometry = feature["geometry"]
            if geometry["type"] not in ("Polygon", "MultiPolygon"):
                continue
            shape = shapely.make_valid(to_shape(geometry))
            geoms.append(shapely.transform(shape, to_metres))
        if geoms:
            found[name] = geoms
    return found
