"""The basemap's ground polygons for printed maps, read back from the archives in EPSG:25832."""

from __future__ import annotations

from functools import partial
from xml.etree import ElementTree

import osmium
import pytest
import shapely
from pyproj import Transformer

from sozialraum.analysis.walking import build_walk_network
from sozialraum.basemap import BasemapArchive
from sozialraum.basemap.ground import GROUND_LAYERS, MAX_TILES, ground_in_box
from sozialraum.maps.overview_svg import Marker, overview_svg

TO_M = Transformer.from_crs(4326, 25832, always_xy=True)


def _buildings_m(osm, box_m) -> shapely.Geometry:
    """The building outlines of the OSM file inside a box (EPSG:25832), straight from the file."""
    outlines = []
    for area in (
        osmium.FileProcessor(str(osm)).with_areas().with_filter(osmium.filter.KeyFilter("building"))
    ):
        if not area.is_area():
            continue
        for ring in area.outer_rings():
            lons = [n.lon for n in ring]
            lats = [n.lat for n in ring]
            xs, ys = TO_M.transform(lons, lats)
            outlines.append(shapely.Polygon(zip(xs, ys, strict=True)))
    return shapely.intersection(shapely.union_all(shapely.make_valid(outlines)), box_m)


@pytest.mark.parametrize("name", ["neuss-innenstadt", "dreieich-dreieichenhain"])
def test_ground_matches_the_buildings_of_the_extract(built, name):
    area = built[name].area
    cx, cy = TO_M.transform(area.centroid.x, area.centroid.y)
    box_m = shapely.box(cx - 250, cy - 250, cx + 250, cy + 250)
    with BasemapArchive(built[name].path) as archive:
        ground = ground_in_box(archive, *box_m.bounds)
    assert set(ground) <= set(GROUND_LAYERS) and "buildings" in ground
    drawn = ground["buildings"]
    assert drawn.within(box_m.buffer(0.01))
    truth = _buildings_m(built[name].osm, box_m)
    # the same buildings (simplified on the tile grid): nearly the same footprint
    overlap = shapely.intersection(drawn, truth).area
    assert overlap / truth.area > 0.9 and overlap / drawn.area > 0.9


def test_a_box_outside_the_basemap_or_too_large_gives_no_ground(built):
    with BasemapArchive(built["neuss-innenstadt"].path) as archive:
        assert ground_in_box(archive, 0, 5_000_000, 500, 5_000_500) == {}
        x, y = TO_M.transform(6.685, 51.2)
        side_m = 600 * (MAX_TILES + 1)  # z16 tiles are about 600 m wide here
        assert ground_in_box(archive, x, y, x + side_m, y + side_m) == {}


def test_printed_map_draws_the_ground_under_the_streets(built):
    network = build_walk_network(built["neuss-innenstadt"].osm)
    x, y = TO_M.transform(6.686, 51.2)
    marker = Marker(x, y, "1", "Apotheke")
    with BasemapArchive(built["neuss-innenstadt"].path) as archive:
        svg = overview_svg(network, [marker], ground_m=partial(ground_in_box, archive))
    order = [svg.index(f'class="{c}"') for c in ("background", "ground-buildings", "streets")]
    assert order == sorted(order), "background, then the ground, then the streets"
    root = ElementTree.fromstring(svg)  # still well-formed
    assert root.tag.endswith("svg")
    assert "ground-" not in overview_svg(network, [marker])
