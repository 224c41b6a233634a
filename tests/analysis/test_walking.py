"""Walking distances on real OSM extracts: network, nearest resources, cut-off addresses."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from support.paths import EXTRACTS

from sozialraum.analysis.nearby import project
from sozialraum.analysis.walking import (
    CUT_OFF_HINTS,
    CUT_OFF_TEXTS,
    OFF_WAYS,
    OUTSIDE_NETWORK,
    SLOW_SPEED_KMH,
    WalkNetwork,
    build_walk_network,
    nearest_arrays,
    nearest_by_category,
    network_from_ways,
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


# -- why an address is cut off -----------------------------------------------------------------
#: Addresses farther than 250 m from the network in the real extracts, and why. In Neuss the
#: north end of Düsseldorfer Straße (and Heerdterbuschstraße) is a piece of streets whose
#: connection to the rest lies outside the extract: it is not part of the network. In
#: Karlsruhe three addresses at the far rim of the data have no walkable way within 250 m.
CUT_OFF = {
    "neuss-innenstadt": {
        ("Düsseldorfer Straße", "174"): OUTSIDE_NETWORK,
        ("Düsseldorfer Straße", "174a"): OUTSIDE_NETWORK,
        ("Düsseldorfer Straße", "182"): OUTSIDE_NETWORK,
        ("Düsseldorfer Straße", "184"): OUTSIDE_NETWORK,
        ("Düsseldorfer Straße", "186a"): OUTSIDE_NETWORK,
        ("Düsseldorfer Straße", "99-101"): OUTSIDE_NETWORK,
        ("Heerdterbuschstraße", "8"): OUTSIDE_NETWORK,
    },
    "karlsruhe-neureut-kirchfeld": {
        ("Sportplatzweg", "1"): OFF_WAYS,
        ("Kanalweg", "1"): OFF_WAYS,
        ("Kanalweg", "2"): OFF_WAYS,
    },
    "dortmund-aplerbeck": {},
}


def test_cut_off_addresses_of_real_extracts_say_why(area, request):
    network, addresses, resources, _ = area
    found = nearest_arrays(network, addresses, resources, ["stop"])
    reasons = {}
    for k, feature in enumerate(addresses):
        if found.cut_off[k]:
            props = feature["properties"]
            reasons[props["street"], props["housenumber"]] = (
                OUTSIDE_NETWORK if found.outside[k] else OFF_WAYS
            )
        else:
            assert not found.outside[k]
    assert reasons == CUT_OFF[request.node.callspec.params["area"]]
    # the same answer point by point
    xs_m, ys_m = project(*zip(*(f["geometry"]["coordinates"] for f in addresses), strict=True))
    by_point = network.cut_off_reasons(xs_m, ys_m)
    assert sorted(r for r in by_point if r) == sorted(reasons.values())


def _node(ref: int, east_m: float, north_m: float) -> tuple[int, float, float]:
    """A node ``east_m``/``north_m`` metres from a fictional point in Musterstadt."""
    return ref, 7.0 + east_m / 70_000, 51.0 + north_m / 111_200


def test_a_street_cut_at_the_edge_of_the_data_is_outside_not_off_the_ways():
    """Fictional streets: "Randweg" lost a node (the extract's edge cut it), so its far part
    is a piece of its own; an address on it is outside the imported network, an address in
    the fields far from every way is off the ways, one on the main street is joined."""
    main = [_node(i, 100 * i, 0) for i in range(1, 6)]  # Hauptstraße, 400 m east–west
    cross = [main[2], _node(21, 300, -150)]  # Querweg, joined at Hauptstraße 3
    edge = [main[-1], None, _node(31, 500, 600), _node(32, 500, 800)]  # Randweg, cut
    network = network_from_ways([main, cross, edge])
    assert network.nodes == 6 and len(network.piece_xs_m) == 2
    points = {
        "Randweg 7": (510, 700),  # 10 m from the cut piece, about 600 m from the network
        "Feldhof 1": (-900, 900),  # nothing within 250 m
        "Hauptstraße 3": (300, 15),
        "Randweg 1": (510, 120),  # the first metres of Randweg: joined to Hauptstraße
    }
    xs, ys = project(*zip(*(_node(0, e, n)[1:] for e, n in points.values()), strict=True))
    assert dict(zip(points, network.cut_off_reasons(xs, ys), strict=True)) == {
        "Randweg 7": OUTSIDE_NETWORK,
        "Feldhof 1": OFF_WAYS,
        "Hauptstraße 3": None,
        "Randweg 1": None,
    }
    # the pieces survive storing; a network stored before them says "off the ways"
    again = WalkNetwork.from_bytes(network.to_bytes())
    assert again.cut_off_reasons(xs, ys) == network.cut_off_reasons(xs, ys)
    old = WalkNetwork(network.matrix, network.node_ids, network.xs_m, network.ys_m)
    assert old.cut_off_reasons(xs, ys) == [OFF_WAYS, OFF_WAYS, None, None]
    assert CUT_OFF_TEXTS[OUTSIDE_NETWORK].startswith(
        "Diese Adresse liegt außerhalb des importierten Wegenetzes."
    )
    assert "am Rand des importierten Gebiets abgeschnitten" in CUT_OFF_HINTS[OUTSIDE_NETWORK]
    assert "Gebiet größer importieren" in CUT_OFF_HINTS[OUTSIDE_NETWORK]
    assert CUT_OFF_TEXTS[OFF_WAYS].startswith("Diese Adresse liegt abseits der erfassten Wege.")
