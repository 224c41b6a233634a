"""Tile contents and MVT encoding on a small OSM file made here: names, zoom rules,
geometry in tile coordinates, winding order, and agreement with mapbox_vector_tile."""

from __future__ import annotations

import math

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from support.tiles import raw_rings, surveyor_area, tile_of

from sozialraum.basemap import BasemapArchive, build_basemap, mvt

TO_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
HALF = math.pi * 6378137.0
D = 0.0004  # about 28 m east-west, 44 m north-south


def _corner() -> tuple[float, float]:
    """South-west corner of the building: centred in a zoom-18 tile that lies well inside
    its zoom-16 tile, so that every feature below shares the tiles the tests read."""
    x16, y16 = tile_of(7.0, 51.0, 16)
    n = 1 << 18
    cx, cy = 4 * x16 + 1.5, 4 * y16 + 1.5
    lon = cx / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * cy / n))))
    return lon - D / 2, lat - D / 2


LON, LAT = _corner()

NODES = {
    # building (multipolygon relation with a courtyard)
    1: (LON, LAT),
    2: (LON + D, LAT),
    3: (LON + D, LAT + D),
    4: (LON, LAT + D),
    5: (LON + D / 4, LAT + D / 4),
    6: (LON + 3 * D / 4, LAT + D / 4),
    7: (LON + 3 * D / 4, LAT + 3 * D / 4),
    8: (LON + D / 4, LAT + 3 * D / 4),
    # street with a German name, a service road, a footway
    10: (LON - 5 * D, LAT - D),
    11: (LON + 5 * D, LAT - D),
    12: (LON - 5 * D, LAT + 2 * D),
    13: (LON + 5 * D, LAT + 2 * D),
    14: (LON - 5 * D, LAT + 3 * D),
    15: (LON + 5 * D, LAT + 3 * D),
    # address node
    20: (LON + 2 * D, LAT + D / 2),
}


def _osm_xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in NODES.items():
        if nid == 20:
            lines.append(f'<node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">')
            lines.append('<tag k="addr:housenumber" v="12a"/><tag k="addr:street" v="Weg"/>')
            lines.append("</node>")
        else:
            lines.append(f'<node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')

    def way(wid, refs, tags):
        lines.append(f'<way id="{wid}" version="1">')
        lines.extend(f'<nd ref="{r}"/>' for r in refs)
        lines.extend(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append("</way>")

    way(100, [1, 2, 3, 4, 1], {})
    way(101, [5, 8, 7, 6, 5], {})
    way(102, [10, 11], {"highway": "residential", "name": "Rue X", "name:de": "X-Straße"})
    way(103, [12, 13], {"highway": "service"})
    way(104, [14, 15], {"highway": "footway", "name": "Uferweg"})
    lines.append('<relation id="200" version="1">')
    lines.append('<member type="way" ref="100" role="outer"/>')
    lines.append('<member type="way" ref="101" role="inner"/>')
    lines.append('<tag k="type" v="multipolygon"/><tag k="building" v="yes"/>')
    lines.append("</relation>")
    lines.append("</osm>")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    osm = folder / "small.osm"
    osm.write_text(_osm_xml(), encoding="utf-8")
    area = shapely.box(LON - 4 * D, LAT - 2 * D, LON + 4 * D, LAT + 4 * D)
    out = folder / "area" / "basemap.pmtiles"
    stats = build_basemap(osm, area, out)
    archive = BasemapArchive(out)
    yield archive, stats
    archive.close()


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def tile_coords(lon, lat, z, x, y):
    mx, my = TO_3857.transform(lon, lat)
    size = 2 * HALF / (1 << z)
    return (mx - (-HALF + x * size)) / size * 4096, ((HALF - y * size) - my) / size * 4096


def layers_at(archive, z) -> dict:
    x, y = tile_of(LON + D / 2, LAT + D / 2, z)
    return decode(archive.tile(z, x, y))


def test_german_name_wins_and_roads_carry_it(small):
    archive, _ = small
    roads = layers_at(archive, 16)["roads"]["features"]
    names = {f["properties"].get("name") for f in roads}
    assert "X-Straße" in names and "Rue X" not in names


def test_zoom_rules(small):
    archive, _ = small
    z13, z14 = layers_at(archive, 13), layers_at(archive, 14)
    assert "buildings" not in z13 and "paths" not in z13
    assert {f["properties"]["kind"] for f in z13["roads"]["features"]} == {"residential"}
    assert "buildings" in z14 and "paths" in z14
    assert {f["properties"]["kind"] for f in z14["roads"]["features"]} == {"residential", "service"}
    assert "housenumbers" not in layers_at(archive, 16)
    numbers = layers_at(archive, 17)["housenumbers"]["features"]
    assert [f["properties"] for f in numbers] == [{"housenumber": "12a", "street": "Weg"}]
    assert "boundary" in z13


def test_building_geometry_and_winding_in_tile_coordinates(small):
    archive, _ = small
    z = 18
    x, y = tile_of(LON + D / 2, LAT + D / 2, z)
    data = archive.tile(z, x, y)
    layers = decode(data)
    (building,) = layers["buildings"]["features"]
    geom = shapely.geometry.shape(building["geometry"])
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
    want_outer = [tile_coords(*NODES[n], z, x, y) for n in (1, 2, 3, 4)]
    want_inner = [tile_coords(*NODES[n], z, x, y) for n in (5, 6, 7, 8)]
    for want, ring in ((want_outer, geom.exterior), (want_inner, geom.interiors[0])):
        got = shapely.get_coordinates(ring)
        for point in want:
            assert np.min(np.hypot(*(got - point).T)) <= 0.75
    # raw protobuf: exterior ring positive area by the surveyor's formula, hole negative
    tile = mapbox_vector_tile.Mapbox.vector_tile_pb2.tile()
    tile.ParseFromString(data)
    (layer,) = [layer for layer in tile.layers if layer.name == "buildings"]
    assert layer.extent == 4096 and layer.version == 2
    outer, inner = raw_rings(list(layer.features[0].geometry))
    assert surveyor_area(outer) > 0 > surveyor_area(inner)


def _tile_geometries():
    return [
        (
            mvt.POLYGON,
            shapely.Polygon(
                [(10, 10), (900, 15), (880, 700), (12, 690)],
                [[(100, 100), (200, 100), (200, 200), (100, 200)]],
            ),
        ),
        (
            mvt.POLYGON,
            shapely.MultiPolygon(
                [shapely.box(1000, 1000, 1500, 1400), shapely.box(2000, 2000, 2100, 2500)]
            ),
        ),
        (mvt.LINE, shapely.LineString([(-64, 300), (500, 310.4), (500, 310.2), (4160, 4000)])),
        (mvt.LINE, shapely.MultiLineString([[(0, 0), (10, 10)], [(20, 20), (30, 50)]])),
        (mvt.POINT, shapely.Point(4095, 17)),
        (mvt.POINT, shapely.MultiPoint([(1, 2), (3, 4)])),
    ]


# mapbox_vector_tile's own quantize step still calls shapely.ops.transform
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_vectorised_encoder_agrees_with_mapbox_vector_tile():
    """The same shapes in Web Mercator metres of a tile: mapbox_vector_tile.encode with
    quantize_bounds = the tile's bounds, and our encoder, decode to the same features."""
    minx, miny, size = 751_000.0, 6_620_000.0, 611.5
    bounds = (minx, miny, minx + size, miny + size)
    unit = size / 4096

    def to_merc(coords):  # y-down tile units -> metres
        return np.column_stack([minx + coords[:, 0] * unit, miny + size - coords[:, 1] * unit])

    shapes = _tile_geometries()
    features = [
        {"geometry": shapely.transform(g, to_merc), "properties": {"i": i, "kind": "k"}}
        for i, (_, g) in enumerate(shapes)
    ]
    theirs = mapbox_vector_tile.encode(
        [{"name": "t", "features": features}],
        default_options={"quantize_bounds": bounds, "extents": 4096},
    )
    kinds = np.array([k for k, _ in shapes])
    geoms = np.array([g for _, g in shapes], dtype=object)
    geoms = shapely.set_coordinates(geoms, np.rint(shapely.get_coordinates(geoms)))
    polygons = kinds == mvt.POLYGON
    geoms[polygons] = mvt.orient_for_mvt(geoms[polygons])
    commands = mvt.packed_geometries(geoms, kinds)
    writer = mvt.TileWriter()
    writer.add_layer(
        "t",
        [
            (k, c, {"i": i, "kind": "k"})
            for i, (k, c) in enumerate(zip(kinds, commands, strict=True))
        ],
    )
    ours = writer.serialize()
    a = decode(theirs)["t"]["features"]
    b = decode(ours)["t"]["features"]
    assert len(a) == len(b) == len(shapes)
    for fa, fb in zip(a, b, strict=True):
        assert fa["properties"] == fb["properties"]
        assert fa["type"] == fb["type"]
        assert shapely.geometry.shape(fa["geometry"]).equals(shapely.geometry.shape(fb["geometry"]))


def test_degenerate_shapes_are_left_out():
    geoms = np.array(
        [
            shapely.Polygon([(5, 5), (5, 5), (5, 5), (5, 5)]),
            shapely.LineString([(3, 3), (3, 3)]),
            shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)]),
        ],
        dtype=object,
    )
    commands = mvt.encode_geometries(geoms, np.array([mvt.POLYGON, mvt.LINE, mvt.POLYGON]))
    assert commands[0] is None and commands[1] is None
    assert commands[2] is not None and commands[2][-1] == 15  # ClosePath


def test_varints_at_the_byte_boundaries():
    values = np.array([0, 1, 127, 128, 300, 16383, 16384, 2**21, 2**28 - 1, 2**28, 2**32 - 1])
    data, offset = mvt.varints(values)
    decoded, pos = [], 0
    while pos < len(data):
        value, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        decoded.append(value)
    assert decoded == values.tolist()
    assert offset.tolist()[-1] == len(data) and offset.tolist()[:4] == [0, 1, 2, 3]


def test_collector_fed_from_another_pass_gives_the_same_features(tmp_path):
    """The import's own pass (other filters, every object) can feed the collector."""
    import osmium

    from sozialraum.basemap.reader import BasemapCollector, read_basemap_features

    osm = tmp_path / "small.osm"
    osm.write_text(_osm_xml(), encoding="utf-8")
    area = shapely.box(LON - 4 * D, LAT - 2 * D, LON + 4 * D, LAT + 4 * D)
    collector = BasemapCollector()
    for obj in osmium.FileProcessor(str(osm)).with_locations().with_areas():
        collector.add(obj)
    fed = collector.features(area)
    read = read_basemap_features(osm, area)
    assert fed.layer == read.layer and fed.props == read.props
    assert all(a.equals(b) for a, b in zip(fed.geometry, read.geometry, strict=True))
    assert sorted(set(fed.layer)) == ["buildings", "housenumbers", "paths", "roads"]
