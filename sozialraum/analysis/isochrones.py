"""Walking isochrones: the area reachable on foot within a few minutes along the walk network.

A band is the reached part of every street (an edge partly reached contributes the stretch
reachable from each end: the time budget minus that end's network distance), plus the straight
way from the start point to its nearest network node, buffered by the stretch from the street
to a front door. Distances are metres along the network in EPSG:25832; the snap from the start
point to its nearest node counts against the budget. Results are GeoJSON in EPSG:4326.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import pairwise
from numbers import Real

import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse import triu
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import mapping

from sozialraum.analysis.nearby import project
from sozialraum.analysis.walking import DEFAULT_SPEED_KMH, MAX_SNAP_M, OUTSIDE_NETWORK, WalkNetwork
from sozialraum.errors import InvalidInput

DEFAULT_MINUTES = (5, 10, 15)
MAX_MINUTES = 60
SPEED_RANGE_KMH = (0.5, 10.0)
SIMPLIFY_M = 2.0


@lru_cache(maxsize=1)
def _to_lonlat() -> Transformer:
    return Transformer.from_crs(25832, 4326, always_xy=True)


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _check(minutes, speed_kmh) -> list[float]:
    try:
        values = list(minutes)
    except TypeError:
        raise InvalidInput("minutes must be a list of numbers") from None
    if not values or not all(_is_number(m) and 1 <= m <= MAX_MINUTES for m in values):
        raise InvalidInput(f"minutes must be numbers from 1 to {MAX_MINUTES}")
    if any(a >= b for a, b in pairwise(values)):
        raise InvalidInput("minutes must be in ascending order without repeats")
    low, high = SPEED_RANGE_KMH
    if not (_is_number(speed_kmh) and low <= speed_kmh <= high):
        raise InvalidInput(f"the walking speed must be from {low:g} to {high:g} km/h")
    return [int(m) if float(m).is_integer() else float(m) for m in values]  # plain JSON numbers


def isochrone_polygons_m(
    network: WalkNetwork,
    x_m: float,
    y_m: float,
    *,
    minutes=DEFAULT_MINUTES,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    max_snap_m: float = MAX_SNAP_M,
    reach_m: float = 40.0,
) -> list[tuple[float, shapely.Geometry]]:
    """Reachable areas around a point, in metres (EPSG:25832), smallest band first.

    Parameters
    ----------
    network : WalkNetwork
        The area's walk network (coordinates and lengths in metres, EPSG:25832).
    x_m, y_m : float
        The start point in metres (EPSG:25832).
    minutes : sequence of float
        Walking times in minutes, ascending, each from 1 to 60.
    speed_kmh : float
        Walking speed in km/h, from 0.5 to 10.
    max_snap_m : float
        Largest straight distance (metres) from the start point to the network.
    reach_m : float
        Buffer in metres around reached streets (the way from the street to a front door).

    Returns
    -------
    list of (float, shapely.Polygon or shapely.MultiPolygon)
        ``(minutes, area)`` per band in EPSG:25832, smallest first. Each area contains the
        smaller ones and is simplified by about 2 m.

    Raises
    ------
    InvalidInput
        Bad ``minutes`` or ``speed_kmh``, or the point is farther than ``max_snap_m`` from
        the network.
    """
    values = _check(minutes, speed_kmh)
    node, snap = network.snap_xy([x_m], [y_m])
    node, snap = int(node[0]), float(snap[0])
    if not snap <= max_snap_m:
        (reason,) = network.cut_off_reasons([x_m], [y_m], max_snap_m, snap_m=[snap])
        if reason == OUTSIDE_NETWORK:
            raise InvalidInput(
                "this point lies outside the imported walk network: the ways near it are not "
                "connected to it in the imported data (usually cut off at the edge of the "
                "imported area); import a larger area"
            )
        raise InvalidInput(f"this point is farther than {max_snap_m:g} m from any walkable way")
    metres_per_min = speed_kmh * 1000 / 60
    budgets = [m * metres_per_min for m in values]
    along = dijkstra(network.matrix, indices=node, limit=max(budgets[-1] - snap, 0.0))
    distance = snap + along  # inf beyond the largest budget
    edges = triu(network.matrix).tocoo()
    reached = np.isfinite(distance[edges.row]) | np.isfinite(distance[edges.col])
    a, b, length = edges.row[reached], edges.col[reached], edges.data[reached]
    pa = np.column_stack([network.xs_m[a], network.ys_m[a]])
    pb = np.column_stack([network.xs_m[b], network.ys_m[b]])
    start = np.array([x_m, y_m], float)
    start_node = np.array([network.xs_m[node], network.ys_m[node]])

    bands: list[tuple[float, shapely.Geometry]] = []
    previous = None
    for value, budget in zip(values, budgets, strict=True):
        from_a = np.clip(budget - distance[a], 0.0, length)
        from_b = np.clip(budget - distance[b], 0.0, length)
        whole = from_a + from_b >= length
        part_a = ~whole & (from_a > 0)
        part_b = ~whole & (from_b > 0)
        toward_b = (pb - pa) / length[:, None]
        segments = [
            np.stack([pa[whole], pb[whole]], axis=1),
            np.stack([pa[part_a], pa[part_a] + toward_b[part_a] * from_a[part_a, None]], axis=1),
            np.stack([pb[part_b], pb[part_b] - toward_b[part_b] * from_b[part_b, None]], axis=1),
        ]
        snap_reached = min(snap, budget) / snap if snap > 0 else 0.0
        segments.append(np.array([[start, start + (start_node - start) * snap_reached]]))
        lines = shapely.linestrings(np.concatenate(segments))
        pieces = shapely.buffer(np.append(lines, shapely.points(start)), reach_m)
        area = shapely.simplify(shapely.union_all(pieces), SIMPLIFY_M)
        if previous is not None:
            area = shapely.union(area, previous)  # nested even after simplifying
        bands.append((value, area))
        previous = area
    return bands


def _rounded(coordinates, decimals: int):
    if isinstance(coordinates[0], float | int):
        return [round(float(c), decimals) for c in coordinates]
    return [_rounded(c, decimals) for c in coordinates]


def isochrones(
    network: WalkNetwork,
    lon: float,
    lat: float,
    *,
    minutes=DEFAULT_MINUTES,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    max_snap_m: float = MAX_SNAP_M,
    reach_m: float = 40.0,
    decimals: int = 6,
) -> dict:
    """Walking isochrones around a point as a GeoJSON FeatureCollection (EPSG:4326).

    Parameters
    ----------
    network : WalkNetwork
        The area's walk network (EPSG:25832).
    lon, lat : float
        The start point in degrees (EPSG:4326).
    minutes : sequence of float
        Walking times in minutes, ascending, each from 1 to 60.
    speed_kmh : float
        Walking speed in km/h, from 0.5 to 10 (4.5 by default, 3.0 for a slow profile).
    max_snap_m : float
        Largest straight distance (metres) from the start point to the network.
    reach_m : float
        Buffer in metres around reached streets.
    decimals : int
        Longitudes and latitudes are rounded to this many decimals (6: about 0.1 m).

    Returns
    -------
    dict
        RFC 7946 FeatureCollection, one Polygon or MultiPolygon feature per band, largest
        first so smaller bands draw on top. Properties: ``walk_min`` (minutes as given),
        ``distance_m`` (the budget in whole metres) and ``speed_kmh``.

    Raises
    ------
    InvalidInput
        Bad coordinates, ``minutes`` or ``speed_kmh``, or the point is farther than
        ``max_snap_m`` from the network.
    """
    if not (_is_number(lon) and _is_number(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("lon/lat must be numbers within -180..180 and -90..90")
    xs, ys = project([lon], [lat])
    bands = isochrone_polygons_m(
        network,
        float(xs[0]),
        float(ys[0]),
        minutes=minutes,
        speed_kmh=speed_kmh,
        max_snap_m=max_snap_m,
        reach_m=reach_m,
    )
    transformer = _to_lonlat()
    features = []
    for value, area in reversed(bands):
        area = shapely.transform(area, lambda xy: np.column_stack(transformer.transform(*xy.T)))
        if not shapely.is_valid(area):  # reprojection can make near-touching rings cross
            area = shapely.buffer(area, 0)
        area = shapely.set_precision(area, 10.0**-decimals)  # rounds, keeps it valid
        area = shapely.orient_polygons(area)  # RFC 7946: exteriors counterclockwise
        geometry = mapping(area)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _rounded(geometry["coordinates"], decimals),
                },
                "properties": {
                    "walk_min": value,
                    "distance_m": round(value * speed_kmh * 1000 / 60),
                    "speed_kmh": float(speed_kmh),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
