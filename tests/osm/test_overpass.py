"""Online import (osmnx → Overpass/Nominatim) against a local fake server with real OSM data.

Never touches the internet: every URL is 127.0.0.1. The fake server answers with
the elements of the Dortmund-Aplerbeck extract (© OpenStreetMap contributors, ODbL).
"""

from __future__ import annotations

import socket

import osmnx
import pytest
from shapely.geometry import box, shape
from support.fake_overpass import PLACE_POLYGON, FakeOverpass, load_elements, select_elements
from support.paths import EXTRACTS

from sozialraum.errors import OsmImportError, OverpassUnavailable
from sozialraum.osm.importer import import_area
from sozialraum.settings import ImportSettings
from sozialraum.store import GeoJSONStore

OSM_FILE = EXTRACTS["dortmund-aplerbeck"]
BBOX = (7.52, 51.48, 7.58, 51.51)  # contains every node of the extract
#: Counts from /work/shared/osm/SOURCES.md (pyosmium pass over the whole file).
EXPECTED_COUNTS = {
    "bakery": 2,
    "hairdresser": 3,
    "pharmacy": 1,
    "place_of_worship": 2,
    "doctor": 1,
    "social_facility": 1,
}
EXPECTED_ADDRESSES = 97


def settings_for(url: str, timeout_s: float = 5) -> ImportSettings:
    return ImportSettings(
        overpass_url=f"{url}/api", nominatim_url=f"{url}/nominatim/", timeout_s=timeout_s
    )


def feature_ids(store: GeoJSONStore, area: str, layer: str) -> list[str]:
    return [feature["id"] for feature in store.query(area, layer)]


@pytest.fixture(autouse=True)
def process_state_restored():
    """Every test: osmnx's global changes (DNS patch, settings) are undone afterwards."""
    getaddrinfo = socket.getaddrinfo
    names = ("overpass_url", "nominatim_url", "requests_timeout", "use_cache", "requests_kwargs")
    before = {name: getattr(osmnx.settings, name) for name in names}
    yield
    assert socket.getaddrinfo is getaddrinfo
    assert {name: getattr(osmnx.settings, name) for name in names} == before


@pytest.fixture
def fake():
    with FakeOverpass(OSM_FILE) as server:
        yield server


@pytest.fixture(scope="module")
def file_import(tmp_path_factory):
    """The same extract imported from the file with the same bbox (the reference)."""
    store = GeoJSONStore(tmp_path_factory.mktemp("file-import"))
    import_area(store, "x", osm_file=OSM_FILE, bbox=BBOX)
    return store


def test_fake_answers_like_overpass_with_the_ways_nodes():
    elements, _ = load_elements(str(OSM_FILE))
    query = (
        "[out:json][timeout:5];((way['addr:housenumber'](poly:'51.4 7.5 51.6 7.5 51.6 7.6');"
        "(._;>;););(node['shop'='bakery'](poly:'51.4 7.5 51.6 7.5 51.6 7.6');(._;>;);););out;"
    )

    answer = select_elements(elements, query)

    ways = [e for e in answer if e["type"] == "way"]
    node_ids = {e["id"] for e in answer if e["type"] == "node"}
    assert ways and all("addr:housenumber" in w["tags"] for w in ways)
    assert all(set(w["nodes"]) <= node_ids for w in ways)
    bakeries = [e for e in answer if e.get("tags", {}).get("shop") == "bakery"]
    assert bakeries and all(e["type"] == "node" for e in bakeries)
    assert len(answer) < len(elements)


def test_bbox_import_matches_the_extract_and_the_file_import(fake, tmp_path, file_import):
    store = GeoJSONStore(tmp_path)

    report = import_area(store, "aplerbeck", bbox=BBOX, settings=settings_for(fake.url))

    meta = store.read_meta("aplerbeck")
    assert {cat: meta["counts"][cat] for cat in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert meta["addresses"] == report.addresses == EXPECTED_ADDRESSES
    assert meta["source"]["kind"] == "overpass"
    resources = feature_ids(store, "aplerbeck", "resources")
    addresses = feature_ids(store, "aplerbeck", "addresses")
    assert len(addresses) == EXPECTED_ADDRESSES
    for ids in (resources, addresses):
        assert len(ids) == len(set(ids)), "an OSM object was imported twice"
    assert all(
        f["id"] == f"{f['properties']['osm_type'][0]}{f['properties']['osm_id']}"
        for f in store.query("aplerbeck", "addresses")
    )
    assert all(f["properties"]["street"] for f in store.query("aplerbeck", "addresses"))
    # the same objects (and so the same counts) as a file import of the same extract
    assert set(resources) == set(feature_ids(file_import, "x", "resources"))
    assert set(addresses) == set(feature_ids(file_import, "x", "addresses"))
    assert meta["counts"] == file_import.read_meta("x")["counts"]
    # the data's date is the server's osm3s.timestamp_osm_base (the fake sends the newest
    # object's time of the extract), not the import day
    assert meta["osm_data"] == {
        "date": "2026-07-14T13:49:37+00:00",
        "source": "overpass",
        "newest_object": None,
    }


def test_the_query_reached_the_fake_server(fake, tmp_path):
    import_area(GeoJSONStore(tmp_path), "aplerbeck", bbox=BBOX, settings=settings_for(fake.url))

    queries = fake.requests
    # resources and addresses, admin_level 9/10 boundaries, the ways of the walk network,
    # then everything in the box for the basemap (issue 20)
    assert len(queries) == 4
    assert queries[3].startswith("[out:json][timeout:5];(nwr(51.48")
    assert queries[0].startswith("[out:json][timeout:5]")
    assert "'admin_level'" in queries[1] and "'addr:housenumber'" not in queries[1]
    assert "['highway']" in queries[2] and "'addr:housenumber'" not in queries[2]
    assert "'addr:housenumber'" in queries[0]
    assert "['amenity'='pharmacy']" in queries[0]
    assert "(poly:'" in queries[0]
    assert fake.nominatim_requests == []


def test_place_import_uses_nominatim_and_clips_to_its_polygon(fake, tmp_path):
    bbox_store = GeoJSONStore(tmp_path / "bbox")
    import_area(bbox_store, "aplerbeck", bbox=BBOX, settings=settings_for(fake.url))
    store = GeoJSONStore(tmp_path / "place")

    report = import_area(
        store, "aplerbeck", place="Dortmund-Aplerbeck", settings=settings_for(fake.url)
    )

    assert [r["q"] for r in fake.nominatim_requests] == ["Dortmund-Aplerbeck"]
    assert fake.nominatim_requests[0]["format"] == "json"
    assert fake.nominatim_requests[0]["polygon_geojson"] == "1"
    meta = store.read_meta("aplerbeck")
    assert meta["source"] == {"kind": "overpass", "place": "Dortmund-Aplerbeck", "bbox": None}
    assert (
        0 < meta["addresses"] == report.addresses <= bbox_store.read_meta("aplerbeck")["addresses"]
    )
    place = box(*PLACE_POLYGON)
    for layer in ("resources", "addresses"):
        for feature in store.query("aplerbeck", layer):
            assert place.covers(shape(feature["geometry"])), feature["id"]
    assert meta["districts"] == 1
    [district] = store.query("aplerbeck", "districts")
    assert shape(district["geometry"]).equals(place)
    assert {f["properties"]["district"] for f in store.query("aplerbeck", "addresses")} == {
        district["id"]
    }


def test_unknown_place_is_an_import_error_naming_the_place(fake, tmp_path):
    with pytest.raises(OsmImportError, match="Nirgendwo") as caught:
        import_area(GeoJSONStore(tmp_path), "x", place="Nirgendwo", settings=settings_for(fake.url))

    assert not isinstance(caught.value, OverpassUnavailable)
    assert fake.requests == []


@pytest.mark.parametrize("mode", ["busy", "gateway"])
def test_overloaded_server_fails_at_once_without_retry(mode, tmp_path):
    with FakeOverpass(OSM_FILE, mode=mode) as server:
        with pytest.raises(OverpassUnavailable, match="--osm-file") as caught:
            import_area(GeoJSONStore(tmp_path), "x", bbox=BBOX, settings=settings_for(server.url))

        assert len(server.requests) == 1  # no retry (osmnx would wait 55 s)
    assert {"busy": "429", "gateway": "504"}[mode] in str(caught.value)


def test_error_answer_is_overpass_unavailable(tmp_path):
    with FakeOverpass(OSM_FILE, mode="error") as server:
        with pytest.raises(OverpassUnavailable, match="--osm-file"):
            import_area(GeoJSONStore(tmp_path), "x", bbox=BBOX, settings=settings_for(server.url))

        assert len(server.requests) == 1


def test_slow_server_times_out(tmp_path):
    with FakeOverpass(OSM_FILE, mode="slow", slow_s=3) as server:
        with pytest.raises(OverpassUnavailable, match="--osm-file") as caught:
            import_area(
                GeoJSONStore(tmp_path),
                "x",
                bbox=BBOX,
                settings=settings_for(server.url, timeout_s=1),
            )

        assert len(server.requests) == 1
    assert "Timeout" in str(caught.value)


def test_closed_port_is_overpass_unavailable(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # nothing listens on the port any more

    with pytest.raises(OverpassUnavailable, match="--osm-file") as caught:
        import_area(
            GeoJSONStore(tmp_path),
            "x",
            bbox=BBOX,
            settings=settings_for(f"http://127.0.0.1:{port}"),
        )

    assert "cannot reach" in str(caught.value)


def test_nothing_is_written_when_the_server_fails(tmp_path):
    store = GeoJSONStore(tmp_path)
    with FakeOverpass(OSM_FILE, mode="busy") as server, pytest.raises(OverpassUnavailable):
        import_area(store, "x", bbox=BBOX, settings=settings_for(server.url))

    assert "x" not in store.areas()


def test_area_without_data_is_an_import_error(fake, tmp_path):
    with pytest.raises(OsmImportError, match="no resources or addresses") as caught:
        import_area(
            GeoJSONStore(tmp_path),
            "x",
            bbox=(8.0, 52.0, 8.01, 52.01),
            settings=settings_for(fake.url),
        )

    assert not isinstance(caught.value, OverpassUnavailable)
    assert len(fake.requests) == 1


def test_server_side_timeout_remark_is_overpass_unavailable(tmp_path):
    with (
        FakeOverpass(OSM_FILE, mode="remark") as server,
        pytest.raises(OverpassUnavailable, match="--osm-file"),
    ):
        import_area(GeoJSONStore(tmp_path), "x", bbox=BBOX, settings=settings_for(server.url))


@pytest.fixture
def caller_settings():
    """osmnx settings of a caller that differ from the defaults (undone afterwards)."""
    names = ("overpass_url", "requests_timeout")
    saved = {name: getattr(osmnx.settings, name) for name in names}
    osmnx.settings.overpass_url = "http://127.0.0.1:9/caller"
    osmnx.settings.requests_timeout = 77
    yield
    for name, value in saved.items():
        setattr(osmnx.settings, name, value)


@pytest.mark.parametrize("mode", ["ok", "busy"])
def test_process_state_is_restored_to_the_callers_values(mode, tmp_path, caller_settings):
    getaddrinfo = socket.getaddrinfo

    with FakeOverpass(OSM_FILE, mode=mode) as server:
        try:
            import_area(GeoJSONStore(tmp_path), "x", bbox=BBOX, settings=settings_for(server.url))
        except OverpassUnavailable:
            assert mode == "busy"
        # osmnx used our server, not the caller's URL (a busy server ends after one request)
        assert len(server.requests) == (4 if mode == "ok" else 1)  # 4th: the basemap

    assert socket.getaddrinfo is getaddrinfo
    assert osmnx.settings.overpass_url == "http://127.0.0.1:9/caller"
    assert osmnx.settings.requests_timeout == 77


def test_online_import_takes_districts_from_osm_boundaries(tmp_path):
    """Overpass answers from the demo extract, whose three admin_level=10 boundaries are
    complete: the online import gets the same districts as the file import."""
    from sozialraum.demo.area import DEMO_OSM_FILE
    from sozialraum.demo.geometry import demo_bounds

    store = GeoJSONStore(tmp_path)
    with FakeOverpass(DEMO_OSM_FILE, mode="ok") as server:
        import_area(store, "demo", bbox=demo_bounds(), settings=settings_for(server.url))
    names = sorted(f["properties"]["name"] for f in store.query("demo", "districts"))
    assert names == ["Mühlenviertel", "Nord-Ost", "Nord-West"]
    assert all(f["properties"]["district"] for f in store.query("demo", "addresses"))


def test_online_import_builds_the_walk_network_like_a_file_import(fake, tmp_path, file_import):
    from sozialraum.analysis.reachability import current_reachability, load_network
    from sozialraum.analysis.walking import build_walk_network

    store = GeoJSONStore(tmp_path)
    import_area(store, "aplerbeck", bbox=BBOX, settings=settings_for(fake.url))

    online = load_network(store, "aplerbeck")
    from_file = build_walk_network(OSM_FILE)
    # the fake serves every way of the extract: the same walkable network, node for node
    assert online.nodes == from_file.nodes and online.edges == from_file.edges
    assert sorted(online.xs_m.round(2)) == sorted(from_file.xs_m.round(2))
    assert online.matrix.sum() == pytest.approx(from_file.matrix.sum())
    assert store.read_meta("aplerbeck")["walk_network"] == {
        "nodes": online.nodes,
        "edges": online.edges,
    }
    categories = ["bakery", "pharmacy", "stop"]
    online_layer = current_reachability(store, "aplerbeck", categories)
    file_layer = current_reachability(file_import, "x", categories)
    for address_id in online_layer.address_ids[:40]:
        assert online_layer.for_address(str(address_id)) == file_layer.for_address(str(address_id))


def test_online_import_stores_the_named_streets_like_a_file_import(fake, tmp_path, file_import):
    import shapely

    from sozialraum.analysis.streets import load_streets, read_streets

    store = GeoJSONStore(tmp_path)
    import_area(store, "aplerbeck", bbox=BBOX, settings=settings_for(fake.url))

    online = load_streets(store, "aplerbeck")
    from_file = read_streets(OSM_FILE)
    assert online.lines > 10 and "Köln-Berliner Straße" in online.names.tolist()
    # the fake serves every way of the extract: the same named streets, line for line
    assert online.names.tolist() == from_file.names.tolist()
    assert online.summary() == from_file.summary() == store.read_meta("aplerbeck")["streets"]
    assert shapely.length(online.lines_m()).sum() == pytest.approx(
        shapely.length(from_file.lines_m()).sum(), rel=1e-6
    )
    assert load_streets(file_import, "x").summary() == from_file.summary()


def test_online_import_without_a_server_data_time_says_unknown(fake, tmp_path, monkeypatch):
    from support import fake_overpass

    real = fake_overpass.load_elements
    monkeypatch.setattr(fake_overpass, "load_elements", lambda path: (real(path)[0], ""))
    store = GeoJSONStore(tmp_path)
    import_area(store, "aplerbeck", bbox=BBOX, settings=settings_for(fake.url))
    assert store.read_meta("aplerbeck")["osm_data"] == {
        "date": None,
        "source": None,
        "newest_object": None,
    }
