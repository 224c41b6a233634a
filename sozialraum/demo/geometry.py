"""The demo area's local grid: metres east and north of its south-west corner.

The fictional town lies around lon 6.95, lat 51.43 (EPSG:4326) and covers about
1.6 km × 1.2 km. Geometry is laid out in local metres (x east, y north, origin at the
south-west corner) and converted to WGS 84 with a fixed scale, so the output is the same
on every run and machine. Shared by the OSM file (:mod:`sozialraum.demo.osm`), the notes
(:mod:`sozialraum.demo.area`) and the offers (:mod:`sozialraum.demo.offers`).
"""

from __future__ import annotations

_LON0, _LAT0 = 6.9385, 51.4246  # south-west corner, degrees (EPSG:4326)
#: Extent of the demo area in metres (east-west, north-south).
WIDTH_M, HEIGHT_M = 1600.0, 1200.0
_M_PER_DEG_LON, _M_PER_DEG_LAT = 69_430.0, 111_250.0  # at 51.43° N


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Local metres to (lon, lat) in degrees, EPSG:4326, rounded to 7 decimals.

    Parameters
    ----------
    x, y : float
        Metres east and north of the demo area's south-west corner.
    """
    return round(_LON0 + x / _M_PER_DEG_LON, 7), round(_LAT0 + y / _M_PER_DEG_LAT, 7)


def demo_bounds() -> tuple[float, float, float, float]:
    """Return the demo area's bounds ``(min_lon, min_lat, max_lon, max_lat)`` in EPSG:4326."""
    return (*lonlat(0.0, 0.0), *lonlat(WIDTH_M, HEIGHT_M))
