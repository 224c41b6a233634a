"""Basemaps of the real extracts: they decode, hold the schema's layers, street names at
zoom 16, house numbers from zoom 17 only, and no tile outside the area."""

from __future__ import annotations

import gzip
import math

import mapbox_vector_tile
import osmium
import pytest
import shapely
from pyproj import Transformer
from support.tiles import raw_rings, surveyor_area, tile_box_4326, tile_of

from sozialraum.basemap import BasemapArchive, build_basemap

# Streets looked up in the raw files (most ways of these names, SOURCES.md's main streets)
STREETS = {
    "dortmund-aplerbeck": "Köln-Berliner Straße",
    "neuss-innenstadt": "Rheydter Straße",
    "karlsruhe-neureut-kirchfeld": "Neureuter Querallee",
    "dreieich-dreieichenhain": "Koberstädter Straße",
}
# Layers each extract has inside its area (checked against the raw tags below)
ALWAYS = {"roads", "paths", "buildings", "housenumbers", "boundary"}
LAYERS = {
    "dortmund-aplerbeck": ALWAYS | {"rail", "green", "landuse", "waterways", "water", "places"},
    "neuss-innenstadt": ALWAYS | {"rail", "green", "landuse", "forest", "waterways"},
    "karlsruhe-neureut-kirchfeld": ALWAYS
    | {"rail", "green", "landuse", "forest", "water", "waterways", "places"},
    "dreieich-dreieichenhain": ALWAYS
    | {"rail", "green", "landuse", "forest", "water", "waterways", "places"},
}
NAMES = sorted(STREETS)
TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
HALF = math.pi * 6378137.0


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def all_layers(archive: BasemapArchive) -> dict[str, set[int]]:
    """Layer name -> zooms it appears in, over every tile."""
    seen: dict[str, set[int]] = {}
    for z, x, y in archive.coordinates():
        for name in decode(archive.tile(z, x, y)):
            seen.setdefault(name, set()).add(z)
    return seen


def tile_coords(lon: float, lat: float, z: int, x: int, y: int) -> tuple[float, float]:
    """A lon/lat point in the tile's coordinates (extent 4096, y down), via pyproj."""
    mx, my = TO_3857.transform(lon, lat)
    size = 2 * HALF / (1 << z)
    return (mx - (-HALF + x * size)) / size * 4096, ((HALF - y * size) - my) / size * 4096


@pytest.mark.parametrize("name", NAMES)
def test_archive_decodes_with_the_layers_of_its_extract(built, name):
    b = built[name]
    with BasemapArchive(b.path) as archive:
        assert archive.header["min_zoom"] == 12 and archive.header["max_zoom"] == 18
        meta = archive.metadata()
        seen = all_layers(archive)
    assert set(seen) == LAYERS[name]
    assert {layer["id"] for layer in meta["vector_layers"]} == LAYERS[name]
    assert meta["attribution"] == "© OpenStreetMap-Mitwirkende"
    assert seen["buildings"] == {14, 15, 16, 17, 18}
    assert seen["housenumbers"] == {17, 18}
    assert seen["roads"] == set(range(12, 19))
    assert b.stats.tiles == sum(z.tiles for z in b.stats.zooms.values())
    assert b.stats.bytes == b.path.stat().st_size


@pytest.mark.parametrize("name", NAMES)
def test_extract_has_the_expected_layers_in_its_raw_tags(built, name):
    """The layer lists above are what the raw file has inside the area (guards the list)."""
    b = built[name]
    area = b.area
    found = set()
    keys = osmium.filter.KeyFilter("waterway", "railway", "natural", "landuse", "leisure", "place")
    for obj in osmium.FileProcessor(str(b.osm)).with_locations().with_filter(keys):
        if obj.is_node():
            points = [(obj.lon, obj.lat)] if obj.location.valid() else []
        elif obj.is_way():
            points = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        else:
            continue
        if not points or not shapely.intersects(area, shapely.multipoints(points)):
            continue
        t = obj.tags
        if t.get("railway") in ("rail", "tram", "light_rail", "subway", "narrow_gauge"):
            found.add("rail")
        if t.get("waterway") in ("river", "stream", "canal", "ditch", "drain"):
            found.add("waterways")
        if t.get("natural") == "water":
            found.add("water")
        if t.get("landuse") == "forest" or t.get("natural") == "wood":
            found.add("forest")
        if t.get("leisure") in ("park", "playground", "garden", "pitch"):
            found.add("green")
        if t.get("landuse") in ("residential", "commercial", "retail", "industrial"):
            found.add("landuse")
        if obj.is_node() and t.get("place") in ("suburb", "quarter", "neighbourhood", "village"):
            found.add("places")
    optional = {"rail", "waterways", "water", "forest", "green", "landuse", "places"}
    assert found <= LAYERS[name] & optional
    # kinds not looked up here (grass, meadow, ... basin) may add a layer, never remove one
    assert found >= (LAYERS[name] & optional) - {"water", "green", "landuse", "forest"}


def _street_points(osm, street: str, area) -> list[tuple[float, float]]:
    points = []
    for way in osmium.FileProcessor(str(osm), osmium.osm.WAY | osmium.osm.NODE).with_locations():
        if way.is_way() and way.tags.get("name") == street and "highway" in way.tags:
            points += [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    return [p for p in points if area.contains(shapely.Point(p))]


@pytest.mark.parametrize("name", NAMES)
def test_known_street_is_named_at_zoom_16(built, name):
    b = built[name]
    points = _street_points(b.osm, STREETS[name], b.area)
    assert points, "the street lies in the area"
    lon, lat = points[len(points) // 2]
    x, y = tile_of(lon, lat, 16)
    with BasemapArchive(b.path) as archive:
        roads = decode(archive.tile(16, x, y))["roads"]["features"]
    named = [f for f in roads if f["properties"].get("name") == STREETS[name]]
    assert named, f"{STREETS[name]} in tile 16/{x}/{y}"
    # the street's node lies on the drawn line: within the simplification tolerance below
    # the top zoom (4 tile units, 0.6 m at zoom 16) plus rounding
    line = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in named])
    assert line.distance(shapely.Point(tile_coords(lon, lat, 16, x, y))) <= 5.0
    assert named[0]["properties"]["kind"] in {
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "unclassified",
        "living_street",
        "pedestrian",
    }


def _address_nodes(osm, area, limit=5) -> list[tuple[float, float, str]]:
    found = []
    for node in osmium.FileProcessor(str(osm), osmium.osm.NODE):
        number = node.tags.get("addr:housenumber")
        if number and node.location.valid() and area.contains(shapely.Point(node.lon, node.lat)):
            found.append((node.lon, node.lat, number))
    step = max(1, len(found) // limit)
    return found[::step][:limit]


@pytest.mark.parametrize("name", NAMES)
def test_house_numbers_at_zoom_17_and_not_at_16(built, name):
    b = built[name]
    nodes = _address_nodes(b.osm, b.area)
    assert nodes
    with BasemapArchive(b.path) as archive:
        for lon, lat, number in nodes:
            x, y = tile_of(lon, lat, 17)
            layers = decode(archive.tile(17, x, y))
            points = [  # a feature may be a multipoint (the same number twice)
                p
                for f in layers["housenumbers"]["features"]
                if f["properties"]["housenumber"] == number
                for p in shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
            ]
            want = tile_coords(lon, lat, 17, x, y)
            assert any(math.dist(p, want) <= 1.0 for p in points), (number, want, points)
            x16, y16 = tile_of(lon, lat, 16)
            assert "housenumbers" not in decode(archive.tile(16, x16, y16))
        for z, x, y in archive.coordinates():
            if z < 17:
                assert "housenumbers" not in decode(archive.tile(z, x, y))


@pytest.mark.parametrize("name", NAMES)
def test_no_tile_outside_the_area_and_every_tile_inside(built, name):
    b = built[name]
    with BasemapArchive(b.path) as archive:
        stored = set(archive.coordinates())
        # a tile next to the area is not there (404 for the endpoint)
        west, south, east, north = b.area.bounds
        x, y = tile_of(east, (south + north) / 2, 16)
        assert archive.get(16, x + 2, y) is None
        assert archive.get(11, *tile_of(west, north, 11)) is None
    for z, x, y in stored:
        tile = tile_box_4326(z, x, y)
        assert b.area.intersects(tile) and not b.area.touches(tile), (z, x, y)
    for z in (12, 16):
        x0, y0 = tile_of(west, north, z)
        x1, y1 = tile_of(east, south, z)
        want = {(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
        assert {t for t in stored if t[0] == z} == want


@pytest.mark.parametrize("name", NAMES)
def test_features_are_clipped_to_the_area_with_a_small_margin(built, name):
    """Nothing is drawn far outside the area: every coordinate of every z14 tile lies
    within the area plus 60 m (margin 30 m, simplification)."""
    b = built[name]
    lat = (b.area.bounds[1] + b.area.bounds[3]) / 2
    reach = shapely.buffer(b.area, 60 / 111_000 / math.cos(math.radians(lat)))
    with BasemapArchive(b.path) as archive:
        for z, x, y in archive.coordinates():
            if z != 14:
                continue
            size = 2 * HALF / (1 << z)
            inv = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
            for layer_name, layer in decode(archive.tile(z, x, y)).items():
                if layer_name == "boundary":
                    continue
                for f in layer["features"]:
                    geom = shapely.geometry.shape(f["geometry"])
                    coords = shapely.get_coordinates(geom)
                    mx = -HALF + x * size + coords[:, 0] / 4096 * size
                    my = HALF - y * size - coords[:, 1] / 4096 * size
                    lon, lat_ = inv.transform(mx, my)
                    outside = ~shapely.contains_xy(reach, lon, lat_)
                    assert not outside.any(), (layer_name, f["properties"])


def test_stored_tiles_are_gzip_mvt(built):
    b = built["dortmund-aplerbeck"]
    with BasemapArchive(b.path) as archive:
        z, x, y = next(iter(archive.coordinates()))
        stored = archive.get(z, x, y)
        assert stored[:2] == b"\x1f\x8b"
        assert gzip.decompress(stored) == archive.tile(z, x, y)


@pytest.mark.parametrize("name", NAMES)
def test_a_page_view_at_zoom_16_stays_under_1_mb(built, name):
    """A 1920x1080 screen of 256-px tiles needs at most 9 x 6 tiles: the heaviest such
    window of stored (gzip) zoom-16 tiles stays under 1 MB."""
    b = built[name]
    with BasemapArchive(b.path) as archive:
        sizes = {(x, y): len(archive.get(z, x, y)) for z, x, y in archive.coordinates() if z == 16}
    heaviest = max(
        sum(sizes.get((x + i, y + j), 0) for i in range(9) for j in range(6)) for x, y in sizes
    )
    assert heaviest < 1_000_000


@pytest.mark.parametrize("name", NAMES)
def test_every_geometry_is_valid_and_wound_as_mvt_wants(built, name):
    """Every polygon decodes to a valid (multi)polygon whose rings start with an exterior
    of positive surveyor's area (MVT 2.1, 4.3.4.4); every line has two distinct points."""
    b = built[name]
    polygons = 0
    with BasemapArchive(b.path) as archive:
        for z, x, y in archive.coordinates():
            data = archive.tile(z, x, y)
            raw = mapbox_vector_tile.Mapbox.vector_tile_pb2.tile()
            raw.ParseFromString(data)
            for layer in raw.layers:
                for feature in layer.features:
                    if feature.type == 3:
                        rings = raw_rings(list(feature.geometry))
                        assert surveyor_area(rings[0]) > 0, (layer.name, z, x, y)
                        polygons += 1
            for layer_name, layer in decode(data).items():
                for f in layer["features"]:
                    geom = shapely.geometry.shape(f["geometry"])
                    assert geom.is_valid, (layer_name, z, x, y, shapely.is_valid_reason(geom))
                    if geom.geom_type.endswith("LineString"):
                        assert geom.length > 0
    assert polygons > 0


def test_the_demo_area_gets_streets_with_names(tmp_path):
    """The fictional demo area's generated OSM file makes a basemap with named streets."""
    from support.paths import ROOT

    osm = ROOT / "data" / "musterstadt-nord.osm"
    points = [(n.lon, n.lat) for n in osmium.FileProcessor(str(osm), osmium.osm.NODE)]
    area = shapely.envelope(shapely.multipoints(points))
    stats = build_basemap(osm, area, tmp_path / "basemap.pmtiles")
    names = set()
    with BasemapArchive(tmp_path / "basemap.pmtiles") as archive:
        for z, x, y in archive.coordinates():
            if z == 16:
                layers = decode(archive.tile(z, x, y))
                names |= {f["properties"].get("name") for f in layers["roads"]["features"]}
                assert "buildings" in layers
    assert {"Hauptstraße", "Bahnhofstraße", "Am Anger"} <= names
    assert stats.tiles > 0
