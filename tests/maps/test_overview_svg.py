"""Printable overview maps (inline SVG) from a real walk network: geometry, layout, safety."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import shapely
from scipy.sparse import coo_matrix, triu
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import Point
from support.paths import EXTRACTS

from sozialraum.analysis.walking import WalkNetwork, build_walk_network
from sozialraum.maps.overview_svg import Marker, map_frame, overview_svg, scale_bar_length_m

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = r"(-?\d+(?:\.\d+)?)"
SEGMENT = re.compile(rf"M{NUMBER} {NUMBER}L{NUMBER} {NUMBER}")
TRANSLATE = re.compile(rf"translate\({NUMBER} {NUMBER}\)")
PX_TOLERANCE = 0.06  # coordinates are written with one decimal


@pytest.fixture(scope="module")
def network() -> WalkNetwork:
    return build_walk_network(EXTRACTS["neuss-innenstadt"])


@pytest.fixture(scope="module")
def centre(network) -> tuple[float, float]:
    """The street node with the most other nodes within 150 m: the middle of town."""
    points = np.column_stack([network.xs_m, network.ys_m])
    counts = cKDTree(points).query_ball_point(points, r=150.0, return_length=True)
    best = int(np.argmax(counts))
    return float(network.xs_m[best]), float(network.ys_m[best])


def near(centre, dx_m: float = 0.0, dy_m: float = 0.0) -> tuple[float, float]:
    """A point (dx_m, dy_m) metres from the centre (EPSG:25832)."""
    return centre[0] + dx_m, centre[1] + dy_m


def expected_layout(xs_m, ys_m, width_px, height_px, padding_m=120.0, min_span_m=400.0):
    """Scale (px per metre) and metre->pixel function, computed from the specification."""
    xs, ys = np.asarray(xs_m, float), np.asarray(ys_m, float)
    needed_w = max(xs.max() - xs.min() + 2 * padding_m, min_span_m)
    needed_h = max(ys.max() - ys.min() + 2 * padding_m, min_span_m)
    scale = min(width_px / needed_w, height_px / needed_h)  # the whole box fits, same scale
    centre_x, centre_y = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2

    def to_px(x_m, y_m):
        return width_px / 2 + (x_m - centre_x) * scale, height_px / 2 - (y_m - centre_y) * scale

    return scale, to_px


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def street_segments(root: ET.Element) -> np.ndarray:
    """The drawn street segments as an (n, 4) array of pixel coordinates x0, y0, x1, y1."""
    (streets,) = by_class(root, "streets")
    d = streets.get("d")
    segments = np.array(SEGMENT.findall(d), dtype=float)
    assert "".join(m.group(0) for m in SEGMENT.finditer(d)) == d  # nothing else in the path
    return segments


def marker_positions(root: ET.Element) -> list[tuple[float, float]]:
    positions = []
    for group in by_class(root, "marker"):
        match = TRANSLATE.fullmatch(group.get("transform"))
        positions.append((float(match.group(1)), float(match.group(2))))
    return positions


def network_lines(network: WalkNetwork):
    upper = triu(network.matrix, k=1).tocoo()
    coords = np.stack(
        [
            np.column_stack([network.xs_m[upper.row], network.ys_m[upper.row]]),
            np.column_stack([network.xs_m[upper.col], network.ys_m[upper.col]]),
        ],
        axis=1,
    )
    return shapely.linestrings(coords)


def assert_streets_are_the_edges_in_view(network, svg, xs_m, ys_m, width_px, height_px, **kw):
    """Drawn segments = network edges intersecting the view box, clipped to it."""
    root = ET.fromstring(svg)
    segments = street_segments(root)
    scale, to_px = expected_layout(xs_m, ys_m, width_px, height_px, **kw)
    left, top = to_px(0.0, 0.0)  # pixel position of the origin gives the box in metres
    west, north = -left / scale, top / scale
    east, south = west + width_px / scale, north - height_px / scale
    lines = network_lines(network)
    in_view = shapely.intersects(lines, shapely.box(west, south, east, north))
    assert 0 < len(segments) == int(in_view.sum())
    # every drawn end point is inside the view box (clipped), so every segment is in view
    assert segments[:, [0, 2]].min() >= -PX_TOLERANCE
    assert segments[:, [0, 2]].max() <= width_px + PX_TOLERANCE
    assert segments[:, [1, 3]].min() >= -PX_TOLERANCE
    assert segments[:, [1, 3]].max() <= height_px + PX_TOLERANCE
    # and lies on a network edge: both ends back in metres are on one of the edges in view
    tree = shapely.STRtree(lines[in_view])
    for ends in (segments[:, :2], segments[:, 2:]):
        points = shapely.points(west + ends[:, 0] / scale, north - ends[:, 1] / scale)
        _, distance_m = tree.query_nearest(points, return_distance=True, all_matches=False)
        assert distance_m.max() * scale < 0.1
    return segments


def test_svg_root_is_well_formed_and_accessible(network, centre):
    home = near(centre)
    svg = overview_svg(
        network, [Marker(*home, "H", "Zuhause", kind="home")], title="Wegweiser Marktstraße 1"
    )
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 640 480"
    assert (root.get("width"), root.get("height")) == ("640", "480")
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Wegweiser Marktstraße 1"
    assert root[0].tag == f"{SVG}title" and root[0].text == "Wegweiser Marktstraße 1"
    assert root.get("font-family") == "sans-serif"
    (attribution,) = by_class(root, "attribution")
    assert attribution.text == "© OpenStreetMap-Mitwirkende"
    assert float(attribution.get("x")) > 320 and float(attribution.get("y")) > 240  # bottom right
    (arrow,) = by_class(root, "north-arrow")
    assert [t.text for t in arrow.iter(f"{SVG}text")] == ["N"]


def test_streets_are_only_the_edges_in_view(network, centre):
    home, stop = near(centre), near(centre, 90, 60)
    markers = [Marker(*home, "H", kind="home"), Marker(*stop, "1")]
    svg = overview_svg(network, markers)
    xs, ys = [home[0], stop[0]], [home[1], stop[1]]
    segments = assert_streets_are_the_edges_in_view(network, svg, xs, ys, 640, 480)
    assert len(segments) < triu(network.matrix, k=1).nnz  # a small view shows part of the town
    (streets,) = by_class(ET.fromstring(svg), "streets")
    assert streets.get("fill") == "none"
    red, green, blue = (streets.get("stroke")[i : i + 2] for i in (1, 3, 5))
    assert red == green == blue  # grey or black


def test_larger_view_draws_more_streets(network, centre):
    home, stop = near(centre), near(centre, 90, 60)
    markers = [Marker(*home, "H", kind="home"), Marker(*stop, "1")]
    small = street_segments(ET.fromstring(overview_svg(network, markers)))
    large_svg = overview_svg(network, markers, min_span_m=1500)
    xs, ys = [home[0], stop[0]], [home[1], stop[1]]
    large = assert_streets_are_the_edges_in_view(
        network, large_svg, xs, ys, 640, 480, min_span_m=1500
    )
    assert len(large) > len(small)


LAYOUTS = {
    "close": [(0, 0), (50, 40), (-40, 30)],  # smaller than the minimum span
    "wide": [(0, 0), (500, 60), (-450, -30)],  # padding decides, width fits the drawing
    "tall": [(0, 0), (40, 500), (-30, -450)],  # height decides
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize(("width_px", "height_px"), [(640, 480), (420, 600)])
def test_markers_at_their_pixel_positions(network, centre, layout, width_px, height_px):
    points = [near(centre, dx, dy) for dx, dy in LAYOUTS[layout]]
    markers = [Marker(*points[0], "H", "Zuhause", kind="home")] + [
        Marker(x, y, str(i), f"Ziel {i}") for i, (x, y) in enumerate(points[1:], start=1)
    ]
    svg = overview_svg(network, markers, width_px=width_px, height_px=height_px)
    root = ET.fromstring(svg)
    assert root.get("viewBox") == f"0 0 {width_px} {height_px}"
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    scale, to_px = expected_layout(xs, ys, width_px, height_px)
    groups = by_class(root, "marker")
    labels = [g.find(f"{SVG}text").text for g in groups]
    assert sorted(labels) == sorted(m.label for m in markers)
    assert "marker-home" in groups[-1].get("class")  # the home marker is drawn on top
    drawn = dict(zip(labels, marker_positions(root), strict=True))
    for marker in markers:
        ex, ey = to_px(marker.x_m, marker.y_m)
        assert drawn[marker.label] == pytest.approx((ex, ey), abs=PX_TOLERANCE)
        assert 0 < ex < width_px and 0 < ey < height_px
    # north up and equal scale: pixel offsets are metre offsets times one scale, y flipped
    home = markers[0]
    for marker in markers[1:]:
        offset_px = np.subtract(drawn[marker.label], drawn["H"])
        offset_m = (marker.x_m - home.x_m, -(marker.y_m - home.y_m))
        assert offset_px == pytest.approx(np.multiply(offset_m, scale), abs=2 * PX_TOLERANCE)
    northern = max(markers, key=lambda m: m.y_m)
    southern = min(markers, key=lambda m: m.y_m)
    assert drawn[northern.label][1] < drawn[southern.label][1]
    # the view keeps the drawing's aspect ratio
    frame = map_frame(xs, ys, width_px=width_px, height_px=height_px)
    ratio = (frame.east_m - frame.west_m) / (frame.north_m - frame.south_m)
    assert ratio == pytest.approx(width_px / height_px, rel=1e-9)
    assert frame.scale_px_per_m == pytest.approx(scale, rel=1e-9)
    assert frame.east_m - frame.west_m >= 400 - 1e-6 and frame.north_m - frame.south_m >= 400 - 1e-6
    if layout != "close":  # padding on both sides of the markers, also on the deciding axis
        assert frame.west_m <= min(xs) - 120 + 1e-6 and frame.east_m >= max(xs) + 120 - 1e-6
        assert frame.south_m <= min(ys) - 120 + 1e-6 and frame.north_m >= max(ys) + 120 - 1e-6


@pytest.mark.parametrize(
    ("min_span_m", "width_px", "expected_m"),
    [(400, 640, 100), (1000, 640, 200), (2400, 640, 500), (9000, 800, 2000)],
)
def test_scale_bar_is_round_and_true_to_scale(network, centre, min_span_m, width_px, expected_m):
    home = near(centre)
    svg = overview_svg(
        network, [Marker(*home, "H", kind="home")], min_span_m=min_span_m, width_px=width_px
    )
    root = ET.fromstring(svg)
    (label,) = by_class(root, "scale-bar-label")
    match = re.fullmatch(r"(\d+) (m|km)", label.text)
    length_m = int(match.group(1)) * (1000 if match.group(2) == "km" else 1)
    assert length_m == expected_m
    mantissa = length_m / 10 ** math.floor(math.log10(length_m))
    assert mantissa in (1, 2, 5)
    scale, _ = expected_layout([home[0]], [home[1]], width_px, 480, min_span_m=min_span_m)
    (bar,) = by_class(root, "scale-bar-length")
    assert float(bar.get("width")) == pytest.approx(length_m * scale, abs=1.0)
    assert float(bar.get("width")) <= width_px / 4 + 1e-6
    assert float(bar.get("y")) > 480 / 2  # at the bottom


def test_scale_bar_length_rounding():
    assert [scale_bar_length_m(s) for s in (4, 399, 400, 999, 2000, 8000, 40000)] == [
        1,
        50,
        100,
        200,
        500,
        2000,
        10000,
    ]


def test_all_text_is_escaped(network, centre):
    attack = '<script>alert(1)</script>" onload="alert(2)'
    home, stop = near(centre), near(centre, 120, 0)
    markers = [
        Marker(*home, "<b>", attack, kind="home"),
        Marker(*stop, "&1", 'Apotheke "Löwe" & Co\'s\x01 <img src=x onerror=alert(3)>'),
    ]
    area = Point(*home).buffer(200)
    svg = overview_svg(
        network,
        markers,
        title=attack,
        attribution="© OSM <a href='javascript:x'>&</a>",
        areas_m=[(area, "#2a9d8f", attack)],
    )
    assert "<script" not in svg.lower()
    assert "<img" not in svg and "<b>" not in svg and "<a " not in svg
    assert '" onload="' not in svg and "&quot; onload=&quot;" in svg
    root = ET.fromstring(svg)  # well-formed despite quotes, ampersands and a control character
    for element in root.iter():
        assert element.tag.split("}")[-1] not in ("script", "img", "a", "b")
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert "href" not in " ".join(element.attrib)
    # the text survives escaping unchanged (only the invalid control character is dropped)
    assert root.get("aria-label") == attack and root[0].text == attack
    titles = {g.find(f"{SVG}title").text for g in by_class(root, "marker")}
    assert titles == {attack, 'Apotheke "Löwe" & Co\'s <img src=x onerror=alert(3)>'}
    assert {g.find(f"{SVG}text").text for g in by_class(root, "marker")} == {"<b>", "&1"}
    (attribution,) = by_class(root, "attribution")
    assert attribution.text == "© OSM <a href='javascript:x'>&</a>"
    legend_texts = [t.text for t in by_class(root, "legend")[0].iter(f"{SVG}text")]
    assert legend_texts == [attack]


def test_no_external_references(network, centre):
    home, stop = near(centre), near(centre, -100, 80)
    svg = overview_svg(
        network,
        [Marker(*home, "H", kind="home"), Marker(*stop, "1")],
        route_m=[home, stop],
        areas_m=[(Point(*home).buffer(150), "#f4a261", "5 Minuten")],
    )
    root = ET.fromstring(svg)
    for element in root.iter():
        local = element.tag.split("}")[-1]
        assert local not in ("image", "foreignObject", "use", "a", "script", "style", "iframe")
        for name, value in element.attrib.items():
            assert "href" not in name
            assert "http" not in value and "url(" not in value
        assert element.get("id") is None  # several maps on one page cannot clash
    assert "@import" not in svg


@pytest.mark.parametrize("colour", ["red", "#12", "#ggg", "#1234567", "1f4e9c", "", "#fff;x"])
def test_invalid_marker_colour(colour):
    with pytest.raises(ValueError, match="colour"):
        Marker(1.0, 2.0, "1", colour=colour)


def test_valid_colours_and_bad_input(network, centre):
    home = near(centre)
    markers = [Marker(*home, "1", colour="#ABC"), Marker(*home, "2", colour="#A1b2C3")]
    fills = {
        c.get("fill") for c in ET.fromstring(overview_svg(network, markers)).iter(f"{SVG}circle")
    }
    assert fills >= {"#abc", "#a1b2c3"}
    with pytest.raises(ValueError, match="colour"):
        overview_svg(network, [Marker(*home, "1")], areas_m=[(Point(*home).buffer(50), "blue", "")])
    with pytest.raises(ValueError, match="colour"):
        overview_svg(network, [Marker(*home, "1")], route_colour="url(#x)")
    with pytest.raises(ValueError, match="kind"):
        Marker(*home, "1", kind="house")
    with pytest.raises(ValueError, match="finite"):
        Marker(float("nan"), 0.0, "1")
    with pytest.raises(ValueError, match="at least one marker"):
        overview_svg(network, [])
    with pytest.raises(ValueError, match="two points"):
        overview_svg(network, [Marker(*home, "1")], route_m=[home])


def shortest_route(network: WalkNetwork, start: int, end: int) -> list[tuple[float, float]]:
    _, predecessors = dijkstra(network.matrix, indices=start, return_predecessors=True)
    nodes = [end]
    while nodes[-1] != start:
        nodes.append(int(predecessors[nodes[-1]]))
    return [(float(network.xs_m[i]), float(network.ys_m[i])) for i in reversed(nodes)]


def test_areas_and_route_render_as_paths(network, centre):
    home = near(centre)
    (start,), _ = network.snap_xy([home[0]], [home[1]])
    far = near(centre, 350, -250)
    (end,), _ = network.snap_xy([far[0]], [far[1]])
    route = shortest_route(network, int(start), int(end))
    assert len(route) > 3
    ring = Point(*home).buffer(300).difference(Point(*home).buffer(100))  # with a hole
    inner = Point(*home).buffer(100)
    markers = [Marker(*home, "H", kind="home"), Marker(*far, "1")]
    svg = overview_svg(
        network,
        markers,
        route_m=route,
        areas_m=[(ring, "#2a9d8f", "10 Minuten"), (inner, "#e76f51", "5 Minuten")],
    )
    root = ET.fromstring(svg)
    xs = [m.x_m for m in markers] + [x for x, _ in route]
    ys = [m.y_m for m in markers] + [y for _, y in route]
    scale, to_px = expected_layout(xs, ys, 640, 480)

    areas = by_class(root, "area")
    assert [a.get("fill") for a in areas] == ["#2a9d8f", "#e76f51"]
    assert all(a.get("fill-rule") == "evenodd" for a in areas)
    assert all(0 < float(a.get("fill-opacity")) < 1 for a in areas)
    assert [a.find(f"{SVG}title").text for a in areas] == ["10 Minuten", "5 Minuten"]
    ring_d = areas[0].get("d")
    assert ring_d.count("M") == 2 and ring_d.count("Z") == 2  # outline and hole
    # every drawn vertex lies on the ring's boundary (or on the clip edge outside the view)
    vertices = np.array(re.findall(rf"[ML]{NUMBER} {NUMBER}", ring_d), dtype=float)
    left, top = to_px(0.0, 0.0)
    points = shapely.points(
        (vertices[:, 0] - left) / scale, (top - vertices[:, 1]) / scale
    )  # back to metres
    on_boundary = shapely.distance(ring.boundary, points) * scale < 0.1
    outside_view = (
        (vertices[:, 0] < 0)
        | (vertices[:, 0] > 640)
        | (vertices[:, 1] < 0)
        | (vertices[:, 1] > 480)
    )
    assert np.all(on_boundary | outside_view) and on_boundary.sum() > 20
    assert [t.text for t in by_class(root, "legend")[0].iter(f"{SVG}text")] == [
        "10 Minuten",
        "5 Minuten",
    ]

    (route_path,) = by_class(root, "route")
    drawn = np.array(re.findall(rf"[ML]{NUMBER} {NUMBER}", route_path.get("d")), dtype=float)
    expected = np.array([to_px(x, y) for x, y in route])
    assert drawn.shape == expected.shape
    assert np.abs(drawn - expected).max() <= PX_TOLERANCE
    assert route_path.get("fill") == "none" and float(route_path.get("stroke-width")) >= 3
    # back to front: areas, streets, route, markers
    classes = [child.get("class") for child in root]
    assert classes.index("areas") < classes.index("streets") < classes.index("route")
    assert classes.index("route") < classes.index("markers")
    for marker, (x, y) in zip(markers, marker_positions(root)[::-1], strict=True):
        assert (x, y) == pytest.approx(to_px(marker.x_m, marker.y_m), abs=PX_TOLERANCE)


def test_close_markers_keep_their_labels_visible(network, centre):
    home = near(centre)
    markers = [
        Marker(*home, "H", kind="home"),
        Marker(home[0] + 3, home[1] + 2, "1"),
        Marker(home[0] - 2, home[1] + 3, "2"),
        Marker(home[0] + 250, home[1], "3"),
    ]
    root = ET.fromstring(overview_svg(network, markers))
    xs, ys = [m.x_m for m in markers], [m.y_m for m in markers]
    _, to_px = expected_layout(xs, ys, 640, 480)
    positions = dict(
        zip(
            [g.find(f"{SVG}text").text for g in by_class(root, "marker")],
            marker_positions(root),
            strict=True,
        )
    )
    centres = np.array([positions[m.label] for m in markers[:3]])
    gaps = [np.hypot(*(centres[i] - centres[j])) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) >= 22  # two symbol radii: the symbols do not cover each other
    # leader lines start at the true positions; the lone marker stays where it is
    anchors = [(float(c.get("cx")), float(c.get("cy"))) for c in by_class(root, "marker-anchor")]
    assert len(anchors) == 3 == len(by_class(root, "marker-leader"))
    for marker in markers[:3]:
        true = to_px(marker.x_m, marker.y_m)
        assert any(a == pytest.approx(true, abs=PX_TOLERANCE) for a in anchors)
    assert positions["3"] == pytest.approx(to_px(*xs[3:], *ys[3:]), abs=PX_TOLERANCE)


def grid_network(columns: int, rows: int, spacing_m: float) -> WalkNetwork:
    """A street grid with horizontal and vertical edges (EPSG:25832 around Neuss)."""
    ix, iy = np.meshgrid(np.arange(columns), np.arange(rows))
    index = (iy * columns + ix).ravel()
    xs = 338_000.0 + ix.ravel() * spacing_m
    ys = 5_674_000.0 + iy.ravel() * spacing_m
    grid = index.reshape(rows, columns)
    a = np.concatenate([grid[:, :-1].ravel(), grid[:-1, :].ravel()])
    b = np.concatenate([grid[:, 1:].ravel(), grid[1:, :].ravel()])
    n = columns * rows
    weights = np.full(2 * a.size, spacing_m)
    matrix = coo_matrix((weights, (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    return WalkNetwork(matrix, np.arange(n, dtype=np.int64), xs, ys)


def test_large_network_draws_only_the_edges_in_view():
    network = grid_network(250, 101, 9.7)  # 50 149 edges, 2.4 km × 1 km
    assert triu(network.matrix, k=1).nnz == 250 * 100 + 249 * 101
    x, y = 338_000.0 + 1200.0, 5_674_000.0 + 500.0
    svg = overview_svg(network, [Marker(x, y, "1")], route_m=[(x, y), (x + 300, y + 100)])
    xs, ys = [x, x, x + 300], [y, y, y + 100]
    segments = assert_streets_are_the_edges_in_view(network, svg, xs, ys, 640, 480)
    assert len(segments) < 50_000 / 10  # only a part
    # a diagonal street that only passes near the corner of the view is not drawn
    frame = map_frame(xs, ys)
    # its bounding box overlaps the view, the line itself passes outside the corner
    corner = np.array(
        [[frame.east_m + 20, frame.north_m - 5], [frame.east_m - 5, frame.north_m + 20]]
    )
    near_corner = WalkNetwork(
        coo_matrix(([30.0, 30.0], ([0, 1], [1, 0])), shape=(2, 2)).tocsr(),
        np.arange(2),
        corner[:, 0],
        corner[:, 1],
    )
    root = ET.fromstring(
        overview_svg(near_corner, [Marker(x, y, "1")], route_m=[(x + 300, y + 100)] * 2)
    )
    assert by_class(root, "streets") == []


def test_street_crossing_the_whole_view_is_drawn_clipped():
    x, y = 338_000.0, 5_674_000.0
    frame = map_frame([x], [y])
    # one edge from far west-south-west to far east-north-east: both ends outside the view
    ends_x = np.array([frame.west_m - 300.0, frame.east_m + 300.0])
    ends_y = np.array([y - 100.0, y + 100.0])
    crossing = WalkNetwork(
        coo_matrix(([1000.0, 1000.0], ([0, 1], [1, 0])), shape=(2, 2)).tocsr(),
        np.arange(2),
        ends_x,
        ends_y,
    )
    root = ET.fromstring(overview_svg(crossing, [Marker(x, y, "1")]))
    (segment,) = street_segments(root)
    assert segment[0] == pytest.approx(0, abs=PX_TOLERANCE)  # enters at the west edge
    assert segment[2] == pytest.approx(640, abs=PX_TOLERANCE)  # leaves at the east edge
    # on the line between the two ends, in pixels
    slope_m = (ends_y[1] - ends_y[0]) / (ends_x[1] - ends_x[0])
    for px, py in (segment[:2], segment[2:]):
        x_m = frame.west_m + px / frame.scale_px_per_m
        y_m = frame.north_m - py / frame.scale_px_per_m
        expected_y_m = ends_y[0] + (x_m - ends_x[0]) * slope_m
        assert (y_m - expected_y_m) * frame.scale_px_per_m == pytest.approx(0, abs=0.1)


# --- street names along the streets (textPath) ---------------------------------------------


@pytest.fixture(scope="module")
def street_lines():
    """The Neuss extract's named streets as (name, LineString in metres)."""
    from sozialraum.analysis.streets import StreetCollector

    collector = StreetCollector()
    build_walk_network(EXTRACTS["neuss-innenstadt"], on_way=collector)
    streets = collector.streets()
    return list(zip(streets.line_names().tolist(), streets.lines_m().tolist(), strict=True))


def _polyline_length(d: str) -> float:
    points = [float(v) for v in re.findall(NUMBER, d)]
    xy = np.array(points).reshape(-1, 2)
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def test_street_names_follow_their_streets(network, centre, street_lines):
    home = near(centre)
    svg = overview_svg(
        network,
        [Marker(*home, "H", kind="home")],
        street_names_m=street_lines,
        width_px=1000,
        height_px=500,
    )
    root = ET.fromstring(svg)
    paths = {p.get("id"): p.get("d") for p in root.iter(f"{SVG}path") if p.get("id")}
    labels = list(root.iter(f"{SVG}textPath"))
    assert len(labels) >= 3  # the Neuss centre: Fesserstraße, Düsseldorfer Straße, …
    names = [label.text for label in labels]
    assert len(names) == len(set(names))  # each name once
    known = {name for name, _ in street_lines}
    assert set(names) <= known
    for label in labels:
        ref = label.get("href")
        assert ref.startswith("#") and ref[1:] in paths  # only its own paths
        d = paths[ref[1:]]
        xs = [float(v) for v in re.findall(NUMBER, d)][0::2]
        assert xs[0] <= xs[-1]  # read left to right
        assert _polyline_length(d) >= len(label.text) * 5.6  # the name fits along it
        assert all(-0.1 <= x <= 1000.1 for x in xs)
    # the labels sit on their streets: each label path lies on the street of that name
    frame = map_frame([home[0]], [home[1]], width_px=1000, height_px=500)
    by_name = {}
    for name, line in street_lines:
        by_name.setdefault(name, []).append(line)
    for label in labels:
        d = paths[label.get("href")[1:]]
        px = np.array([float(v) for v in re.findall(NUMBER, d)]).reshape(-1, 2)
        x_m = frame.west_m + px[:, 0] / frame.scale_px_per_m
        y_m = frame.north_m - px[:, 1] / frame.scale_px_per_m
        street = shapely.union_all(by_name[label.text])
        assert max(street.distance(Point(x, y)) for x, y in zip(x_m, y_m, strict=True)) < 1.0
    # ids differ between two maps of different views on one page
    other = overview_svg(network, [Marker(*near(centre, 300, 0), "1")], street_names_m=street_lines)
    other_ids = {p.get("id") for p in ET.fromstring(other).iter(f"{SVG}path") if p.get("id")}
    assert other_ids and not other_ids & set(paths)


def test_street_names_are_escaped_and_left_out_where_they_do_not_fit(network, centre):
    home = near(centre)
    long_line = shapely.LineString([near(centre, -150, -20), near(centre, 150, -20)])
    short_line = shapely.LineString([near(centre, -10, 60), near(centre, 10, 60)])
    svg = overview_svg(
        network,
        [Marker(*home, "H", kind="home")],
        street_names_m=[
            ("<b>Mühlen&gasse</b>", long_line),
            ("Sehr lange Straße mit einem sehr langen Namen", short_line),
        ],
    )
    root = ET.fromstring(svg)  # well-formed
    names = [label.text for label in root.iter(f"{SVG}textPath")]
    assert names == ["<b>Mühlen&gasse</b>"]
    assert "&lt;b&gt;Mühlen&amp;gasse&lt;/b&gt;" in svg and "<b>" not in svg
    # a street drawn right to left is labelled left to right
    reverse = overview_svg(
        network,
        [Marker(*home, "H", kind="home")],
        street_names_m=[("Gegenweg", shapely.LineString(long_line.coords[::-1]))],
    )
    (path,) = [p for p in ET.fromstring(reverse).iter(f"{SVG}path") if p.get("id")]
    xs = [float(v) for v in re.findall(NUMBER, path.get("d"))][0::2]
    assert xs[0] < xs[-1]
