"""The stored reachability layer: built on import, stale data recomputed, damage detected."""

from __future__ import annotations

import numpy as np
import pytest
from support.paths import SHARED_OSM

from sozialraum.analysis.reachability import (
    NETWORK_ARTIFACT,
    REACHABILITY_ARTIFACT,
    AnalysisUnavailable,
    Reachability,
    current_reachability,
    load_network,
)
from sozialraum.analysis.walking import build_walk_network, nearest_by_category
from sozialraum.errors import NotFound, StorageError
from sozialraum.model.categories import load_categories
from sozialraum.osm.importer import import_area
from sozialraum.store import GeoJSONStore

NEUSS = SHARED_OSM / "neuss-innenstadt.osm"
TABLE = load_categories()


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    store = GeoJSONStore(tmp_path_factory.mktemp("reach"))
    import_area(store, "neuss", osm_file=NEUSS)
    return store


def test_import_stores_network_and_layer(imported):
    meta = imported.read_meta("neuss")
    network = load_network(imported, "neuss")
    assert meta["walk_network"] == {"nodes": network.nodes, "edges": network.edges}
    assert network.nodes > 1000
    folder = imported.data_dir / "neuss" / "analysis"
    assert (folder / NETWORK_ARTIFACT).is_file() and (folder / REACHABILITY_ARTIFACT).is_file()
    fresh = build_walk_network(NEUSS)
    assert np.array_equal(network.node_ids, fresh.node_ids)
    assert abs(network.matrix - fresh.matrix).max() < 1e-6


def test_stored_layer_equals_a_direct_computation(imported):
    layer = current_reachability(imported, "neuss", list(TABLE.ids))
    addresses = imported.query("neuss", "addresses")
    direct = nearest_by_category(
        load_network(imported, "neuss"),
        addresses,
        imported.query("neuss", "resources"),
        list(TABLE.ids),
    )
    assert len(layer.address_ids) == len(addresses) == 1454
    for feature in addresses[::50]:
        assert layer.for_address(feature["id"]) == direct[feature["id"]]


def test_round_trip_keeps_everything(imported):
    layer = current_reachability(imported, "neuss", list(TABLE.ids))
    again = Reachability.from_bytes(layer.to_bytes())
    assert again.category_ids == layer.category_ids and again.basis == layer.basis
    assert np.array_equal(again.resource, layer.resource)
    assert np.allclose(again.distance_m, layer.distance_m, equal_nan=True, atol=0.01)


def test_slow_profile_only_changes_minutes(imported):
    layer = current_reachability(imported, "neuss", list(TABLE.ids))
    address_id = str(layer.address_ids[10])
    normal, slow = layer.for_address(address_id), layer.for_address(address_id, 3.0)
    for category, entry in normal.items():
        if entry is None:
            assert slow[category] is None
            continue
        assert slow[category]["resource"] == entry["resource"]
        assert slow[category]["distance_m"] == entry["distance_m"]
        assert slow[category]["walk_min"] == pytest.approx(entry["walk_min"] * 1.5, abs=0.11)


def test_edited_resource_makes_the_layer_recompute(tmp_path):
    store = GeoJSONStore(tmp_path)
    import_area(store, "neuss", osm_file=NEUSS)
    before = current_reachability(store, "neuss", ["pharmacy"])
    pharmacy = store.query("neuss", "resources", category="pharmacy")[0]
    # the only pharmacy moves 0.01° north (about 1.1 km): every walk to it changes
    moved = {
        **pharmacy,
        "geometry": {
            "type": "Point",
            "coordinates": [
                pharmacy["geometry"]["coordinates"][0],
                pharmacy["geometry"]["coordinates"][1] + 0.01,
            ],
        },
    }
    store.update(
        "neuss",
        "resources",
        pharmacy["id"],
        moved,
        expected_version=pharmacy["properties"]["version"],
        actor="test",
    )
    after = current_reachability(store, "neuss", ["pharmacy"])
    assert after.basis["resources"] != before.basis["resources"]
    assert not np.allclose(after.distance_m, before.distance_m, equal_nan=True)
    # and the recomputed layer was saved: a fresh read needs no recomputation
    stored = Reachability.from_bytes(store.read_artifact("neuss", REACHABILITY_ARTIFACT))
    assert stored.basis == after.basis


def test_damaged_layer_is_rebuilt_and_damaged_network_is_an_error(tmp_path):
    store = GeoJSONStore(tmp_path)
    import_area(store, "neuss", osm_file=NEUSS)
    path = tmp_path / "neuss" / "analysis" / REACHABILITY_ARTIFACT
    path.write_bytes(b"not a zip file")
    layer = current_reachability(store, "neuss", ["kita"])
    assert len(layer.address_ids) == 1454
    assert Reachability.from_bytes(path.read_bytes()).category_ids == ["kita"]
    (tmp_path / "neuss" / "analysis" / NETWORK_ARTIFACT).write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(StorageError, match="walk network is damaged"):
        load_network(store, "neuss")


def test_area_without_walkable_ways_has_no_network(tmp_path):
    osm = tmp_path / "nowalk.osm"
    osm.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
        "<node id='1' lat='51.4' lon='6.9' version='1'><tag k='amenity' v='pharmacy'/>"
        "<tag k='addr:street' v='Weg'/><tag k='addr:housenumber' v='1'/></node>\n"
        "<node id='2' lat='51.401' lon='6.9' version='1'/>"
        "<node id='3' lat='51.402' lon='6.9' version='1'/>\n"
        "<way id='9' version='1'><nd ref='2'/><nd ref='3'/><tag k='highway' v='motorway'/></way>\n"
        "</osm>\n",
        encoding="utf-8",
    )
    store = GeoJSONStore(tmp_path / "data")
    import_area(store, "x", osm_file=NEUSS)  # a first import with a network …
    assert load_network(store, "x").nodes > 0
    import_area(store, "x", osm_file=osm)  # … is not left behind when the new data has none
    assert "no walkable ways" in store.read_meta("x")["walk_network"]["error"]
    with pytest.raises(AnalysisUnavailable, match="import it again"):
        current_reachability(store, "x", ["pharmacy"])
    with pytest.raises(NotFound):
        load_network(store, "gibtsnicht")
