"""Tests for the fictional demo district generator (sozialraum.demo.area)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import osmium
import pytest
from shapely.geometry import Point, Polygon
from shapely.ops import unary_union

from sozialraum.demo import area as demo
from sozialraum.demo import osm as demo_osm
from sozialraum.model.addresses import address_key

REQUIRED_TAGS = [
    {"shop": "bakery"},
    {"shop": "hairdresser"},
    {"amenity": "pharmacy"},
    {"amenity": "place_of_worship", "religion": "christian"},
    {"amenity": "post_box", "operator": "Deutsche Post"},
    {"amenity": "post_office"},
    {"shop": "convenience", "post_office": "post_partner"},
    {"shop": "supermarket", "post_office": "post_partner"},
    {"amenity": "doctors"},
    {"amenity": "doctors", "healthcare": "doctor"},
    {"amenity": "school"},
    {"amenity": "kindergarten"},
    {"amenity": "childcare"},
    {"amenity": "social_facility", "social_facility": "shelter"},
    {"amenity": "social_facility", "social_facility": "group_home"},
    {"amenity": "community_centre"},
    {"amenity": "library"},
    {"shop": "supermarket"},
    {"highway": "bus_stop"},
    {"railway": "halt"},
    {"amenity": "townhall"},
    {"office": "government"},
    {"office": "employment_agency", "name": "Jobcenter Musterstadt"},
    {"leisure": "playground"},
]
MAILBOX_STATUS = {"vorhanden", "fehlt", "defekt", "ohne_namen", "hausverwaltung", "post_zurueck"}


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory) -> Path:
    return demo_osm.write_demo_osm(tmp_path_factory.mktemp("demo") / "demo.osm")


@pytest.fixture(scope="module")
def parsed(osm_file):
    """Tags and locations of all objects, read with pyosmium (areas assembled)."""
    objects, areas = [], []
    for obj in osmium.FileProcessor(str(osm_file)).with_locations().with_areas():
        tags = {tag.k: tag.v for tag in obj.tags}
        if obj.is_area():
            if not obj.from_way():
                rings = [[(n.lon, n.lat) for n in ring] for ring in obj.outer_rings()]
                areas.append((tags, rings))
            continue
        if obj.is_node():
            where = (obj.location.lon, obj.location.lat)
        elif obj.is_way():
            where = (obj.nodes[0].lon, obj.nodes[0].lat)
        else:
            where = None
        objects.append((obj.type_str(), obj.id, tags, where))
    return objects, areas


def _bounds(osm_file):
    b = ET.parse(osm_file).getroot().find("bounds").attrib
    return tuple(float(b[k]) for k in ("minlon", "minlat", "maxlon", "maxlat"))


def test_deterministic_and_atomic(tmp_path):
    first = demo_osm.write_demo_osm(tmp_path / "a.osm")
    second = demo_osm.write_demo_osm(tmp_path / "b.osm")
    assert first == tmp_path / "a.osm"
    assert first.read_bytes() == second.read_bytes()
    demo_osm.write_demo_osm(first)  # overwriting works and leaves no temp files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.osm", "b.osm"]
    assert demo.demo_notes() == demo.demo_notes()


def test_xml_structure(osm_file):
    root = ET.parse(osm_file).getroot()
    assert root.tag == "osm"
    assert root.get("version") == "0.6"
    assert root.get("generator") == "sozialraum-demo"
    kinds = [child.tag for child in root]
    assert kinds[0] == "bounds"
    order = {"node": 0, "way": 1, "relation": 2}
    ranks = [order[k] for k in kinds[1:]]
    assert ranks == sorted(ranks)
    for kind in order:
        elements = root.findall(kind)
        ids = [int(e.get("id")) for e in elements]
        assert ids == sorted(set(ids))
        for element in elements:
            assert element.get("version") == "1"
            assert element.get("timestamp") == "2026-01-01T00:00:00Z"
    for node in root.findall("node"):
        assert len(node.get("lat").split(".")[1]) == 7
        assert len(node.get("lon").split(".")[1]) == 7
    min_lon, min_lat, max_lon, max_lat = _bounds(osm_file)
    assert 6.93 < min_lon < 6.95 < max_lon < 6.97
    assert 51.42 < min_lat < 51.43 < max_lat < 51.44
    node_ids = {int(n.get("id")) for n in root.findall("node")}
    for way in root.findall("way"):
        assert all(int(nd.get("ref")) in node_ids for nd in way.findall("nd"))


def test_special_characters_survive(parsed):
    objects, _ = parsed
    names = {tags.get("name") for _, _, tags, _ in objects}
    assert demo_osm.TRICKY_NAME in names
    assert demo_osm.BACKSLASH_NAME in names
    assert any(
        tags.get("shop") == "bakery" and tags["name"] == demo_osm.TRICKY_NAME
        for _, _, tags, _ in objects
        if "name" in tags
    )


def test_streets(parsed):
    objects, _ = parsed
    streets = {
        tags["name"]
        for kind, _, tags, _ in objects
        if kind == "w" and "highway" in tags and "name" in tags
    }
    assert len(streets) >= 32
    highways = {
        tags["highway"] for kind, _, tags, _ in objects if kind == "w" and "highway" in tags
    }
    assert {"residential", "tertiary", "living_street"} <= highways


def test_street_network_is_connected(osm_file):
    import networkx as nx

    graph = nx.Graph()
    for way in ET.parse(osm_file).getroot().findall("way"):
        if any(t.get("k") == "highway" for t in way.findall("tag")):
            refs = [nd.get("ref") for nd in way.findall("nd")]
            graph.add_edges_from(itertools.pairwise(refs))
    assert graph.number_of_nodes() > 50
    assert nx.is_connected(graph)


def test_addresses(parsed):
    objects, _ = parsed
    streets = {tags["name"] for kind, _, tags, _ in objects if kind == "w" and "highway" in tags}
    addresses = [tags for _, _, tags, _ in objects if "addr:street" in tags]
    assert all("addr:housenumber" in t for t in addresses)
    assert len(addresses) >= 1600
    pairs = [(t["addr:street"], t["addr:housenumber"]) for t in addresses]
    assert len(pairs) == len(set(pairs))
    assert {t["addr:street"] for t in addresses} <= streets
    assert all(t["addr:city"] == "Musterstadt" for t in addresses)
    assert {t["addr:postcode"] for t in addresses} == {"45901", "45902", "45903"}
    numbers = [t["addr:housenumber"] for t in addresses]
    assert any(n[-1] == "a" for n in numbers)
    assert any(" " in n for n in numbers)
    assert any("-" in n for n in numbers)
    buildings = [t for t in addresses if "building" in t and "name" not in t]
    plain = [t for t in addresses if "building" not in t and "name" not in t]
    assert 0.6 < len(buildings) / (len(buildings) + len(plain)) < 0.8


def test_address_keys_unique(parsed):
    objects, _ = parsed
    keys = [
        address_key(t["addr:street"], t["addr:housenumber"], t["addr:postcode"])
        for _, _, t, _ in objects
        if "addr:street" in t
    ]
    assert len(keys) == len(set(keys))


def test_building_ways_closed(osm_file):
    root = ET.parse(osm_file).getroot()
    for way in root.findall("way"):
        if any(t.get("k") == "building" for t in way.findall("tag")):
            refs = [nd.get("ref") for nd in way.findall("nd")]
            assert len(refs) == 5
            assert refs[0] == refs[-1]


@pytest.mark.parametrize("wanted", REQUIRED_TAGS, ids=lambda t: ",".join(map("=".join, t.items())))
def test_resource_tags_present(parsed, wanted):
    objects, _ = parsed
    hits = [tags for _, _, tags, _ in objects if all(tags.get(k) == v for k, v in wanted.items())]
    assert hits
    assert len(hits) <= 12


def test_resource_extras(parsed):
    objects, _ = parsed
    tagged = [tags for _, _, tags, _ in objects]
    post_boxes = [t for t in tagged if t.get("amenity") == "post_box"]
    assert all("name" not in t and "collection_times" in t for t in post_boxes)
    assert any("opening_hours" in t for t in tagged)
    assert any("wheelchair" in t for t in tagged)
    assert any(t.get("phone", "").startswith("+49 201 ") for t in tagged)
    assert any(t.get("website", "").startswith("https://example.org/") for t in tagged)
    assert any("amenity" in t and "addr:street" in t for t in tagged)
    assert any(t.get("building") and t.get("amenity") == "school" for t in tagged)


def test_districts_tile_the_area(parsed, osm_file):
    objects, areas = parsed
    assert sorted(tags["name"] for tags, _ in areas) == ["Mühlenviertel", "Nord-Ost", "Nord-West"]
    for tags, rings in areas:
        assert tags["boundary"] == "administrative"
        assert tags["admin_level"] == "10"
        assert tags["note"] == "Fiktives Demogebiet"
        assert len(rings) == 1
    polygons = [Polygon(rings[0]) for _, rings in areas]
    union = unary_union(polygons)
    min_lon, min_lat, max_lon, max_lat = _bounds(osm_file)
    box = Polygon([(min_lon, min_lat), (max_lon, min_lat), (max_lon, max_lat), (min_lon, max_lat)])
    assert union.symmetric_difference(box).area < 1e-12
    assert sum(p.area for p in polygons) == pytest.approx(box.area, rel=1e-9)
    points = [where for _, _, tags, where in objects if "addr:street" in tags]
    assert all(union.contains(Point(p)) for p in points)


def test_osmnx_reads_file(osm_file):
    import osmnx as ox

    features = ox.features_from_xml(osm_file, tags={"amenity": True, "shop": True})
    assert len(features) >= 50
    assert demo_osm.TRICKY_NAME in set(features["name"].dropna())


def test_notes(osm_file, parsed):
    notes = demo.demo_notes()
    assert 25 <= len(notes) <= 35
    min_lon, min_lat, max_lon, max_lat = _bounds(osm_file)
    categories = {"beobachtung", "ressource", "rolle", "angebot", "problem", "treffpunkt"}
    for note in notes:
        assert note["type"] == "Feature"
        assert note["geometry"]["type"] == "Point"
        lon, lat = note["geometry"]["coordinates"]
        assert min_lon < lon < max_lon
        assert min_lat < lat < max_lat
        props = note["properties"]
        assert props["category"] in categories | {"briefkasten"}
        assert props["author"] == "demo-fachkraft"
        assert props["team"] == "Team Nord"
        assert props["review_state"] in {"eingereicht", "entwurf", "freigegeben"}
        if props["review_state"] == "freigegeben":  # four-eyes: released by someone else
            assert props["review_log"][-1]["by"] not in (props["author"], None)
        observed_on = date.fromisoformat(props["observed_on"])
        assert 10 <= (date.today() - observed_on).days <= 170
        assert date.fromisoformat(props["expires_on"]) > date.today()
        assert props["text"] and "+49" not in props["text"]
    states = [n["properties"]["review_state"] for n in notes]
    assert {"eingereicht", "entwurf", "freigegeben"} <= set(states)  # viewers see some
    mailbox = [n for n in notes if n["properties"]["category"] == "briefkasten"]
    assert len(mailbox) >= 10
    assert all(n["properties"]["mailbox_status"] in MAILBOX_STATUS for n in mailbox)
    assert all(n["properties"].get("address_key") for n in mailbox)
    objects, _ = parsed
    refs = {f"{kind}{osm_id}" for kind, osm_id, tags, _ in objects if "name" in tags}
    linked = [n for n in notes if "osm_ref" in n["properties"]]
    assert len(linked) == 1
    assert linked[0]["properties"]["osm_ref"] in refs


def test_mailbox_notes_match_addresses(parsed):
    objects, _ = parsed
    keys = {
        address_key(t["addr:street"], t["addr:housenumber"], t["addr:postcode"])
        for _, _, t, _ in objects
        if "addr:street" in t
    }
    for note in demo.demo_notes():
        if note["properties"]["category"] == "briefkasten":
            assert note["properties"]["address_key"] in keys
