"""Taking a walk or a district along on the phone (issue 23): what to store for offline use.

Pure helpers without Flask: which basemap tiles cover a district, and the rules of the
device store (how long it is kept). The web layer (:mod:`sozialraum.web.offline`) turns them
into the URLs the browser stores; the browser does the storing itself, with the user's own
session, so it holds only what that user may read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from shapely import box
from shapely.geometry import shape
from shapely.prepared import prep

#: basemap zoom levels stored for offline use (street level: 14 = district, 18 = houses)
OFFLINE_ZOOMS = (14, 15, 16, 17, 18)
#: stored district data is deleted on the device after this many days
KEEP_DAYS = 14


def _tile_x(lon: float, z: int) -> int:
    n = 2**z
    return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))


def _tile_y(lat: float, z: int) -> int:
    n = 2**z
    lat = max(-85.0511, min(85.0511, lat))
    rad = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
    return min(n - 1, max(0, int(y)))


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north of a Web Mercator tile in degrees (EPSG:4326)."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tiles_covering(geometry: dict, zooms=OFFLINE_ZOOMS) -> Iterator[tuple[int, int, int]]:
    """The ``(z, x, y)`` tiles whose square touches a polygon, zoom by zoom.

    Parameters
    ----------
    geometry : dict
        A GeoJSON Polygon or MultiPolygon in EPSG:4326 (a district).
    zooms : iterable of int
        The Web Mercator zoom levels (default 14-18).

    Yields
    ------
    tuple of int
        ``(z, x, y)`` in the XYZ scheme of the basemap's URLs.
    """
    polygon = shape(geometry)
    if polygon.is_empty:
        return
    prepared = prep(polygon)
    west, south, east, north = polygon.bounds
    for z in zooms:
        for x in range(_tile_x(west, z), _tile_x(east, z) + 1):
            for y in range(_tile_y(north, z), _tile_y(south, z) + 1):
                if prepared.intersects(box(*tile_bounds(z, x, y))):
                    yield z, x, y
