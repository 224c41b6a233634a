"""Walk routes on real extracts: along the streets, never shorter than the straight line,
within 2× of it for nearby stops on one street, and a short proposed order."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest
from support.paths import EXTRACTS

from sozialraum.analysis import route
from sozialraum.analysis.nearby import project
from sozialraum.analysis.walking import build_walk_network
from sozialraum.errors import InvalidInput
from sozialraum.osm.importer import import_area


@pytest.fixture(scope="module", params=["neuss-innenstadt", "dortmund-aplerbeck"])
def area(request, tmp_path_factory):
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(tmp_path_factory.mktemp("route"))
    path = EXTRACTS[request.param]
    import_area(store, "a", osm_file=path)
    network = build_walk_network(path)
    addresses = store.query("a", "addresses")
    xs, ys = project(
        [f["geometry"]["coordinates"][0] for f in addresses],
        [f["geometry"]["coordinates"][1] for f in addresses],
    )
    # addresses at the street front (the stop point within 15 m of a street segment)
    snapped = route._snap_to_segments(network, xs, ys)[3] < 15
    kept = [a for a, ok in zip(addresses, snapped, strict=True) if ok]
    return network, kept, xs[snapped], ys[snapped]


def _same_street_pairs(addresses, xs, ys, count=40, max_m=300.0):
    by_street: dict[str, list[int]] = {}
    for i, a in enumerate(addresses):
        by_street.setdefault(a["properties"]["street"], []).append(i)
    rng = random.Random(7)
    pairs = []
    for members in by_street.values():
        for a, b in itertools.combinations(members[:12], 2):
            straight = float(np.hypot(xs[a] - xs[b], ys[a] - ys[b]))
            if 80 <= straight <= max_m:
                pairs.append((a, b, straight))
    rng.shuffle(pairs)
    return pairs[:count]


def test_route_follows_streets_and_is_at_least_the_straight_line(area):
    network, addresses, xs, ys = area
    pairs = _same_street_pairs(addresses, xs, ys)
    assert len(pairs) >= 20
    graph = nx.Graph()
    coo = network.matrix.tocoo()
    graph.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    node_xy = set(zip(network.xs_m.tolist(), network.ys_m.tolist(), strict=True))
    ratios = []
    for a, b, straight in pairs:
        pxs, pys = np.array([xs[a], xs[b]]), np.array([ys[a], ys[b]])
        matrix = route.stop_matrix(network, pxs, pys)
        walked = matrix.distance_m[0, 1]
        assert walked >= straight - 1e-6
        ratios.append(walked / straight)
        # the same length from networkx, independently
        independent = min(
            matrix.end_m[0, i]
            + nx.shortest_path_length(graph, matrix.ends[0, i], matrix.ends[1, j], weight="weight")
            + matrix.end_m[1, j]
            for i in range(2)
            for j in range(2)
        )
        assert walked == pytest.approx(independent, rel=1e-9) or walked < independent
        # the drawn leg is made of network nodes, and its length is the walked length
        leg = route.route_xy(network, matrix, [0, 1], pxs, pys)[0]
        assert all(p in node_xy for p in leg[2:-2])
        drawn = sum(float(np.hypot(p[0] - q[0], p[1] - q[1])) for p, q in itertools.pairwise(leg))
        assert drawn == pytest.approx(walked, rel=1e-6)
    # nearby stops on one street: within 2x of the straight line, but for the odd real detour
    # (a street name shared by two branches, a house reached from the back)
    assert np.median(ratios) < 1.6
    assert np.mean(np.array(ratios) <= 2.0) >= 0.9, sorted(ratios)[-5:]


def test_proposed_order_of_25_stops_is_short(area):
    network, addresses, xs, ys = area
    rng = np.random.default_rng(3)
    picks = rng.choice(len(addresses), 25, replace=False)
    matrix = route.stop_matrix(network, xs[picks], ys[picks])
    order = route.propose_order(matrix.distance_m)
    assert order[0] == 0 and sorted(order) == list(range(25))
    entered = route.path_length_m(matrix.distance_m, range(25))
    proposed = route.path_length_m(matrix.distance_m, order)
    assert proposed < 0.6 * entered  # random entry order: the proposal is much shorter
    # 2-opt leaves no improving reversal
    for i in range(1, 24):
        for j in range(i + 1, 25):
            candidate = order[:i] + order[i : j + 1][::-1] + order[j + 1 :]
            assert route.path_length_m(matrix.distance_m, candidate) >= proposed - 1e-6


def test_small_walks_get_the_best_order(area):
    network, addresses, xs, ys = area
    rng = np.random.default_rng(11)
    for _ in range(5):
        picks = rng.choice(len(addresses), 7, replace=False)
        distance_m = route.stop_matrix(network, xs[picks], ys[picks]).distance_m
        best = min(
            route.path_length_m(distance_m, (0, *rest))
            for rest in itertools.permutations(range(1, 7))
        )
        proposed = route.path_length_m(distance_m, route.propose_order(distance_m))
        assert proposed <= 1.1 * best


def test_points_on_a_line_are_walked_in_line():
    positions = [0.0, 500.0, 100.0, 400.0, 200.0, 300.0]
    distance_m = np.abs(np.subtract.outer(positions, positions))
    assert [positions[i] for i in route.propose_order(distance_m)] == sorted(positions)


def test_unconnected_stops_go_last():
    distance_m = np.array(
        [[0, 10, np.inf, 20], [10, 0, np.inf, 10], [np.inf, np.inf, 0, np.inf], [20, 10, np.inf, 0]]
    )
    assert route.propose_order(distance_m) == [0, 1, 3, 2]


def test_stops_far_from_any_way_and_too_many_stops_are_refused(area):
    network = area[0]
    x, y = float(network.xs_m[0]), float(network.ys_m[0])
    with pytest.raises(InvalidInput, match="Station 2 liegt mehr als 250 m"):
        route.stop_matrix(network, [x, x + 5000], [y, y + 5000])
    with pytest.raises(InvalidInput, match="höchstens 40"):
        route.stop_matrix(network, [x] * 41, [y] * 41)


def test_a_stop_on_a_street_cut_off_by_the_extract_is_outside_the_imported_network():
    """Neuss: the north end of Düsseldorfer Straße is not connected to the network inside the
    extract; a stop there is told apart from a stop far from every way."""
    network = build_walk_network(EXTRACTS["neuss-innenstadt"])
    (cut_x,), (cut_y,) = project([6.697375], [51.218672])  # Düsseldorfer Straße 174
    x, y = float(network.xs_m[0]), float(network.ys_m[0])
    with pytest.raises(InvalidInput) as refused:
        route.stop_matrix(network, [x, cut_x, x + 5000], [y, cut_y, y + 5000])
    message = refused.value.message
    assert message.startswith("Station 3 liegt mehr als 250 m von jedem erfassten Weg entfernt")
    assert "Station 2 liegt außerhalb des importierten Wegenetzes" in message
    assert "das Gebiet größer importieren" in message
