"""Walking distances on real OSM extracts: network, nearest resources, cut-off addresses."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from conftest import EXTRACTS

from sozialraum.analysis.nearby import project
from sozialraum.analysis.walk import (
    SLOW_SPEED_KMH,
    build_walk_network,
    nearest_by_category,
    walkable,
)
from sozialraum.osm.importer import import_area

CATEGORIES = ["pharmacy", "post_box", "bakery", "doctor", "stop", "kita"]


@pytest.fixture(
    scope="module", params=["neuss-innenstadt", "karlsruhe-neureut-kirchfeld", "dortmund-aplerbeck"]
)
def area(request, tmp_path_factory):
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(tmp_path_factory.mktemp("walk"))
    path = EXTRACTS[request.param]
    import_area(store, "a", osm_file=path)
    network = build_walk_network(path)
    addresses, resources = store.query("a", "addresses"), store.query("a", "resources")
    result = nearest_by_category(network, addresses, resources, CATEGORIES)
    return network, addresses, resources, result


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "footway"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk_link"}, False),
        ({"highway": "primary", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True),
        ({"building": "yes"}, False),
    ],
)
def test_walkable(tags, expected):
    assert walkable(tags) is expected


def test_network_is_one_connected_part_in_metres(area):
    network = area[0]
    graph = nx.from_scipy_sparse_array(network.matrix)
    assert nx.is_connected(graph) and network.nodes > 50
    # edge lengths are metres between projected node coordinates
    rows, cols = network.matrix.nonzero()
    lengths = np.asarray(network.matrix[rows, cols]).ravel()
    direct = np.hypot(
        network.xs_m[rows] - network.xs_m[cols], network.ys_m[rows] - network.ys_m[cols]
    )
    assert np.allclose(lengths, np.maximum(direct, 1e-6))


def test_distances_never_below_the_straight_line(area):
    _, addresses, resources, result = area
    by_id = {f["id"]: f for f in resources}
    checked = 0
    for feature in addresses:
        for category in CATEGORIES:
            found = result[feature["id"]][category]
            if found is None:
                continue
            target = by_id[found["resource"]]
            xs, ys = project(
                [feature["geometry"]["coordinates"][0], target["geometry"]["coordinates"][0]],
                [feature["geometry"]["coordinates"][1], target["geometry"]["coordinates"][1]],
            )
            straight_m = float(np.hypot(xs[0] - xs[1], ys[0] - ys[1]))
            assert found["distance_m"] >= straight_m - 1  # rounding to whole metres
            checked += 1
    assert checked > 0


def test_a_resources_own_address_is_about_zero(area):
    _, addresses, resources, result = area
    address_ids = {f["id"] for f in addresses}
    own = [
        r
        for r in resources
        if r["id"] in address_ids and set(r["properties"]["categories"]) & set(CATEGORIES)
    ]
    for resource in own:
        for category in set(resource["properties"]["categories"]) & set(CATEGORIES):
            found = result[resource["id"]][category]
            if found is not None:
                assert found["distance_m"] <= 1


def test_results_agree_with_a_plain_dijkstra_per_address(area):
    network, addresses, resources, result = area
    graph = nx.from_scipy_sparse_array(network.matrix)
    a_node, a_snap = network.snap_xy(
        *project(
            [f["geometry"]["coordinates"][0] for f in addresses],
            [f["geometry"]["coordinates"][1] for f in addresses],
        )
    )
    r_node, r_snap = network.snap_xy(
        *project(
            [f["geometry"]["coordinates"][0] for f in resources],
            [f["geometry"]["coordinates"][1] for f in resources],
        )
    )
    members = [i for i, f in enumerate(resources) if "stop" in f["properties"]["categories"]]
    for k in range(0, len(addresses), max(1, len(addresses) // 15)):
        lengths = nx.single_source_dijkstra_path_length(graph, int(a_node[k]), weight="weight")
        candidates = [
            a_snap[k] + lengths[int(r_node[i])] + r_snap[i]
            for i in members
            if int(r_node[i]) in lengths and int(r_node[i]) != int(a_node[k])
        ]
        found = result[addresses[k]["id"]]["stop"]
        if not candidates or found is None:
            continue
        assert found["distance_m"] <= round(min(candidates)) + 1


def test_results_are_stable_across_runs(area):
    network, addresses, resources, result = area
    again = nearest_by_category(network, addresses, resources, CATEGORIES)
    assert again == result


def test_slow_profile_takes_longer(area):
    network, addresses, resources, result = area
    slow = nearest_by_category(
        network, addresses[:50], resources, ["stop"], speed_kmh=SLOW_SPEED_KMH
    )
    for feature in addresses[:50]:
        fast, slower = result[feature["id"]]["stop"], slow[feature["id"]]["stop"]
        if fast:
            assert slower["distance_m"] == fast["distance_m"]
            assert slower["walk_min"] == pytest.approx(fast["walk_min"] * 1.5, abs=0.11)


def test_an_address_cut_off_from_the_network_is_reported(area):
    network, addresses, resources, _ = area
    lon, lat = addresses[0]["geometry"]["coordinates"]
    lonely = {
        "type": "Feature",
        "id": "n1",
        "geometry": {"type": "Point", "coordinates": [lon + 0.05, lat + 0.05]},
        "properties": {"street": "Einödweg", "housenumber": "1"},
    }
    result = nearest_by_category(network, [lonely, addresses[0]], resources, CATEGORIES)
    assert result["n1"] == dict.fromkeys(CATEGORIES)
    assert any(result[addresses[0]["id"]][c] is not None for c in CATEGORIES)


def test_no_walkable_ways_is_a_clear_error(tmp_path):
    from sozialraum.errors import OsmImportError

    path = tmp_path / "leer.osm"
    path.write_text('<osm version="0.6"><node id="1" lat="51" lon="7" version="1"/></osm>')
    with pytest.raises(OsmImportError, match="no walkable ways"):
        build_walk_network(path)
