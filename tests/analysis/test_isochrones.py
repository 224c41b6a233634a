"""Walking isochrones on real OSM extracts, checked against an independent Dijkstra."""

from __future__ import annotations

import json
import math
from itertools import pairwise

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree
from support.paths import EXTRACTS

from sozialraum.analysis.isochrones import isochrone_polygons_m, isochrones
from sozialraum.analysis.walking import SLOW_SPEED_KMH, build_walk_network
from sozialraum.errors import InvalidInput

MINUTES = (5, 10, 15)
SPEED_KMH = 4.5
REACH_M = 40.0
#: A start point near the middle of each extract (lon, lat) and a rough bbox (W, S, E, N).
PLACES = {
    "neuss-innenstadt": ((6.6835, 51.2001), (6.66, 51.17, 6.71, 51.23)),
    "karlsruhe-neureut-kirchfeld": ((8.3932, 49.0487), (8.37, 49.02, 8.43, 49.08)),
}
TO_METRIC = Transformer.from_crs(4326, 25832, always_xy=True)
TO_LONLAT = Transformer.from_crs(25832, 4326, always_xy=True)


def budget_m(minutes, speed_kmh=SPEED_KMH) -> float:
    return minutes * speed_kmh * 1000 / 60


@pytest.fixture(scope="module", params=list(PLACES))
def area(request):
    """Network, start point and independent network distances (incl. snap) of every node."""
    network = build_walk_network(EXTRACTS[request.param])
    (lon, lat), bbox = PLACES[request.param]
    x, y = TO_METRIC.transform(lon, lat)
    straight = np.hypot(network.xs_m - x, network.ys_m - y)
    start_node = int(np.argmin(straight))
    snap = float(straight[start_node])
    lengths = nx.single_source_dijkstra_path_length(
        nx.from_scipy_sparse_array(network.matrix), start_node, weight="weight"
    )
    distance = np.full(network.nodes, np.inf)
    distance[list(lengths)] = snap + np.fromiter(lengths.values(), float)
    bands = isochrone_polygons_m(
        network,
        x,
        y,
        minutes=MINUTES,
        speed_kmh=SPEED_KMH,
        max_snap_m=250.0,
        reach_m=REACH_M,
    )
    return {
        "network": network,
        "lon": lon,
        "lat": lat,
        "x": x,
        "y": y,
        "snap": snap,
        "distance": distance,
        "bands": bands,
        "bbox": bbox,
    }


def test_one_band_per_minute_value_smallest_first(area):
    assert [m for m, _ in area["bands"]] == list(MINUTES)
    for _, band in area["bands"]:
        assert band.geom_type in ("Polygon", "MultiPolygon")
        assert shapely.is_valid(band) and not band.is_empty
    # the start point itself is in the smallest band
    assert shapely.contains_xy(area["bands"][0][1], area["x"], area["y"])


def test_bands_are_nested_and_grow(area):
    bands = [band for _, band in area["bands"]]
    for smaller, larger in pairwise(bands):
        assert shapely.difference(smaller, larger).area <= 1e-6 * smaller.area
        assert shapely.contains(shapely.buffer(larger, 0.01), smaller)
        assert larger.area > 1.5 * smaller.area


def test_nodes_within_the_budget_are_inside(area):
    network, distance = area["network"], area["distance"]
    for minutes, band in area["bands"]:
        near = distance <= budget_m(minutes) - 1
        assert near.sum() > 20
        assert shapely.contains_xy(band, network.xs_m[near], network.ys_m[near]).all()


def test_the_way_to_the_front_door_is_inside(area):
    """Points ``reach_m`` - 3 m from a reached node (buffer arcs and simplification) are inside."""
    network, distance = area["network"], area["distance"]
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    offset = REACH_M - 3
    for minutes, band in area["bands"]:
        near = np.flatnonzero(distance <= budget_m(minutes) - 1)
        xs = (network.xs_m[near, None] + offset * np.cos(angles)).ravel()
        ys = (network.ys_m[near, None] + offset * np.sin(angles)).ravel()
        assert shapely.contains_xy(band, xs, ys).all()


def test_the_snap_counts_against_the_budget(area):
    """From a point 120–200 m off the network: the way there is inside, the budget shrinks."""
    network = area["network"]
    grid = np.arange(-2000, 2001, 25.0)
    xs, ys = (c.ravel() for c in np.meshgrid(area["x"] + grid, area["y"] + grid))
    snaps, nodes = cKDTree(np.column_stack([network.xs_m, network.ys_m])).query(
        np.column_stack([xs, ys])
    )
    ok = np.flatnonzero((snaps > 120) & (snaps < 200))
    pick = ok[np.argmin(np.hypot(xs[ok] - area["x"], ys[ok] - area["y"]))]
    x, y, snap, node = xs[pick], ys[pick], snaps[pick], int(nodes[pick])
    bands = isochrone_polygons_m(
        network, x, y, minutes=MINUTES, speed_kmh=SPEED_KMH, max_snap_m=250.0, reach_m=REACH_M
    )
    graph = nx.from_scipy_sparse_array(network.matrix)
    lengths = nx.single_source_dijkstra_path_length(graph, node, weight="weight")
    distance = np.full(network.nodes, np.inf)
    distance[list(lengths)] = snap + np.fromiter(lengths.values(), float)
    way = np.linspace(0, 1, 20)
    way_x, way_y = x + way * (network.xs_m[node] - x), y + way * (network.ys_m[node] - y)
    for minutes, band in bands:
        assert shapely.contains_xy(band, way_x, way_y).all()
        budget = budget_m(minutes)
        near = distance <= budget - 1
        assert shapely.contains_xy(band, network.xs_m[near], network.ys_m[near]).all()
        # without the snap, nodes up to the full budget would be reached; they are not
        beyond = (distance - snap <= budget - 1) & (distance >= budget + REACH_M + 5)
        inside = shapely.contains_xy(band, network.xs_m[beyond], network.ys_m[beyond])
        assert beyond.sum() > 10 and inside.mean() < 0.2
    with pytest.raises(InvalidInput, match="farther than 100 m"):
        isochrone_polygons_m(
            network, x, y, minutes=MINUTES, speed_kmh=SPEED_KMH, max_snap_m=100.0, reach_m=REACH_M
        )


def test_partly_reached_edges_count_up_to_the_budget(area):
    """Points along an edge reached from one end within the budget are inside."""
    network, distance = area["network"], area["distance"]
    edges = network.matrix.tocoo()
    for minutes, band in area["bands"]:
        a, b, length = edges.row, edges.col, edges.data
        left = budget_m(minutes) - 1 - distance[a]  # metres still to walk at node a
        partly = (left > 0) & (left < length) & (distance[b] > budget_m(minutes) + 1)
        assert partly.sum() > 5
        fraction = left[partly] / length[partly]
        a, b = a[partly], b[partly]
        xs = network.xs_m[a] + fraction * (network.xs_m[b] - network.xs_m[a])
        ys = network.ys_m[a] + fraction * (network.ys_m[b] - network.ys_m[a])
        assert shapely.contains_xy(band, xs, ys).all()


def test_nodes_out_of_reach_are_outside(area):
    """A node is outside if no reached street point is within ``reach_m`` of it.

    Every point of a band lies within ``reach_m`` (plus 2 m simplification) of a street point
    reached from some node ``a`` with network distance ``d_a``; that point is at most
    ``budget - d_a`` from ``a``. So a node ``v`` with ``d_a + |v - a| >= budget + reach_m + 5``
    for every reached ``a`` (and more than ``snap + reach_m + 5`` from the start) is outside.
    Among them are all nodes whose network distance is that large, unless a reached street
    passes within ``reach_m`` of them (e.g. a parallel street without a short connection).
    """
    network, distance = area["network"], area["distance"]
    for minutes, band in area["bands"]:
        budget = budget_m(minutes)
        limit = budget + REACH_M + 5
        reached = np.flatnonzero(distance <= budget)
        # outside this disc the bound holds by the triangle inequality; check everything in it
        disc = np.flatnonzero(np.hypot(network.xs_m - area["x"], network.ys_m - area["y"]) < limit)
        gap = np.hypot(
            network.xs_m[disc, None] - network.xs_m[reached],
            network.ys_m[disc, None] - network.ys_m[reached],
        )
        bound = (distance[reached] + gap).min(axis=1)
        from_start = np.hypot(network.xs_m[disc] - area["x"], network.ys_m[disc] - area["y"])
        far = (bound >= limit) & (from_start >= min(area["snap"], budget) + REACH_M + 5)
        assert far.sum() > 20  # not vacuous: many nodes inside the straight-line disc qualify
        assert not shapely.contains_xy(band, network.xs_m[disc[far]], network.ys_m[disc[far]]).any()
        # all nodes that far along the network are outside, except those near reached streets
        by_network = distance >= limit
        inside = shapely.contains_xy(band, network.xs_m, network.ys_m)
        assert (by_network & inside).sum() <= 0.05 * by_network.sum()


def test_bands_stay_within_the_straight_line_disc(area):
    for minutes, band in area["bands"]:
        radius = budget_m(minutes) + REACH_M
        assert band.area <= math.pi * radius**2
        xy = shapely.get_coordinates(band)
        assert np.hypot(xy[:, 0] - area["x"], xy[:, 1] - area["y"]).max() <= radius + 0.01


def test_slow_profile_reaches_less(area):
    slow = isochrone_polygons_m(
        area["network"],
        area["x"],
        area["y"],
        minutes=MINUTES,
        speed_kmh=SLOW_SPEED_KMH,
        max_snap_m=250.0,
        reach_m=REACH_M,
    )
    for (_, fast_band), (_, slow_band) in zip(area["bands"], slow, strict=True):
        assert slow_band.area < 0.9 * fast_band.area
    # 15 minutes at 3 km/h and 10 minutes at 4.5 km/h are both 750 m
    assert slow[2][1].area == pytest.approx(area["bands"][1][1].area, rel=0.01)


def test_a_point_far_from_the_network_is_rejected(area):
    lon, lat = TO_LONLAT.transform(area["x"] + 5000, area["y"])
    with pytest.raises(InvalidInput, match="farther than 250 m from any walkable way") as info:
        isochrones(area["network"], lon, lat)
    assert info.value.status == 400
    assert f"{lon:.3f}" not in info.value.message and f"{lat:.3f}" not in info.value.message
    with pytest.raises(InvalidInput, match="farther than 100 m"):
        isochrone_polygons_m(
            area["network"],
            area["x"] + 5000,
            area["y"],
            minutes=MINUTES,
            speed_kmh=SPEED_KMH,
            max_snap_m=100.0,
            reach_m=REACH_M,
        )


@pytest.mark.parametrize(
    "minutes",
    [(), (0,), (0.5,), (61,), (5, 90), (10, 5), (5, 5), (-5, 10), ("5",), (True,), (math.nan,), 5],
)
def test_bad_minutes_are_rejected(area, minutes):
    with pytest.raises(InvalidInput, match="minutes"):
        isochrones(area["network"], area["lon"], area["lat"], minutes=minutes)


@pytest.mark.parametrize("speed", [0, 0.4, 10.5, -4.5, math.nan, math.inf, "4.5", None, True])
def test_bad_speeds_are_rejected(area, speed):
    with pytest.raises(InvalidInput, match="speed"):
        isochrones(area["network"], area["lon"], area["lat"], speed_kmh=speed)


@pytest.mark.parametrize(("lon", "lat"), [(200.0, 51.0), (6.7, -91.0), (math.nan, 51.0)])
def test_bad_coordinates_are_rejected(area, lon, lat):
    with pytest.raises(InvalidInput, match="lon/lat"):
        isochrones(area["network"], lon, lat)


def _rings(geometry: dict):
    polygons = [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    for polygon in polygons:
        yield from ((i == 0, ring) for i, ring in enumerate(polygon))


def test_feature_collection_is_rfc7946(area):
    result = isochrones(area["network"], area["lon"], area["lat"])
    assert json.loads(json.dumps(result)) == result  # plain JSON types only
    assert result["type"] == "FeatureCollection"
    assert [f["properties"] for f in result["features"]] == [
        {"walk_min": 15, "distance_m": 1125, "speed_kmh": 4.5},
        {"walk_min": 10, "distance_m": 750, "speed_kmh": 4.5},
        {"walk_min": 5, "distance_m": 375, "speed_kmh": 4.5},
    ]
    west, south, east, north = area["bbox"]
    areas = []
    for feature in result["features"]:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        for exterior, ring in _rings(geometry):
            assert len(ring) >= 4 and ring[0] == ring[-1]
            for lon, lat in ring:
                assert west < lon < east and south < lat < north
                assert round(lon, 6) == lon and round(lat, 6) == lat
            # right-hand rule: exteriors counterclockwise, holes clockwise
            assert shapely.is_ccw(shapely.linearrings(ring)) == exterior
        shape = shapely.geometry.shape(geometry)
        assert shapely.is_valid(shape)
        areas.append(shape)
    # largest first, each band contains the next (up to rounding)
    for larger, smaller in pairwise(areas):
        assert larger.area > smaller.area
        assert shapely.difference(smaller, larger).area <= 1e-4 * smaller.area
    assert shapely.contains_xy(areas[-1], area["lon"], area["lat"])


def test_feature_collection_matches_the_metre_geometry(area):
    result = isochrones(area["network"], area["lon"], area["lat"])
    for feature, (_, band) in zip(result["features"], reversed(area["bands"]), strict=True):
        shape = shapely.geometry.shape(feature["geometry"])
        metric = shapely.transform(
            shape, lambda xy: np.column_stack(TO_METRIC.transform(xy[:, 0], xy[:, 1]))
        )
        assert shapely.symmetric_difference(metric, band).area <= 0.001 * band.area


def test_other_minutes_and_speed(area):
    result = isochrones(area["network"], area["lon"], area["lat"], minutes=[3, 7.5], speed_kmh=6)
    assert [f["properties"] for f in result["features"]] == [
        {"walk_min": 7.5, "distance_m": 750, "speed_kmh": 6},
        {"walk_min": 3, "distance_m": 300, "speed_kmh": 6},
    ]


def test_output_is_deterministic(area):
    first = isochrones(area["network"], area["lon"], area["lat"])
    second = isochrones(area["network"], area["lon"], area["lat"])
    assert json.dumps(first) == json.dumps(second)


def test_a_point_on_a_street_cut_off_by_the_extract_says_so():
    network = build_walk_network(EXTRACTS["neuss-innenstadt"])
    x, y = TO_METRIC.transform(6.697375, 51.218672)  # Düsseldorfer Straße 174
    with pytest.raises(InvalidInput, match="outside the imported walk network"):
        isochrone_polygons_m(network, x, y, minutes=MINUTES, speed_kmh=SPEED_KMH)
    with pytest.raises(InvalidInput, match="farther than 250 m from any walkable way"):
        isochrone_polygons_m(network, x + 5000, y + 5000, minutes=MINUTES, speed_kmh=SPEED_KMH)
