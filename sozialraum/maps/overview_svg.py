"""Printable overview maps as inline SVG, drawn on the server from the area's street network.

No tiles, no JavaScript, no third-party host: the streets come from the area's own
:class:`~sozialraum.analysis.walking.WalkNetwork`, everything else (numbered markers, a walk
route, walking areas, scale bar, north arrow, attribution) is drawn here. Used for the
printable one-page "Wegweiser" (an address and the nearest pharmacy, post office, … as
numbered markers) and for printable walk sheets (numbered stops along a route).

All coordinates going in are metres in EPSG:25832 (ETRS89 / UTM 32N). The map is north up
(grid north of EPSG:25832; in Germany less than 3° from true north). Inside the SVG, the
user units are pixels: ``viewBox="0 0 width_px height_px"``, x to the right, y downward.
Every piece of text (labels, titles, attribution, street names) is XML-escaped, so OSM names
cannot inject markup; the output references nothing outside itself (no links or images; its
only ids are those of its own street-name paths, with a prefix unique to the map's content).
Street names are drawn along the streets (SVG ``textPath``) where a street is long enough in
view for its name.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import triu

from sozialraum.settings import OSM_ATTRIBUTION

__all__ = [
    "MARKER_KINDS",
    "MapFrame",
    "Marker",
    "map_frame",
    "overview_svg",
    "scale_bar_length_m",
]

#: Marker kinds: ``"home"`` is drawn as a house, ``"stop"`` as a circle.
MARKER_KINDS = ("home", "stop")

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# characters XML 1.0 does not allow at all (a stray control character would break parsing)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_STREET_COLOUR = "#5a5a5a"
_STOP_RADIUS_PX = 11.0
_MIN_MARKER_GAP_PX = 2 * _STOP_RADIUS_PX + 4.0  # symbol centres closer than this are spread
_MARGIN_PX = 10.0
_AREA_FILL_OPACITY = 0.25
# the house symbol around (0, 0): roof from y=-17, body from x=-10 to 10, y=-6 to 10
_HOUSE_PATH = "M-12 -5L0 -17L12 -5H10V10H-10V-5Z"
_HOUSE_LABEL_Y_PX = 2.5


def _escape(text: object) -> str:
    """XML-escape ``text`` for element content and double- or single-quoted attributes."""
    text = _XML_INVALID.sub("", str(text))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _check_colour(colour: str, what: str) -> str:
    if not isinstance(colour, str) or not _HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"{what}: not a hex colour #rgb or #rrggbb: {colour!r}")
    return colour.lower()


def _num(value: float) -> str:
    """A pixel coordinate with at most one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_colour_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # contrast against white vs black: (1.05)/(L+0.05) vs (L+0.05)/0.05
    return "#000" if (luminance + 0.05) ** 2 > 1.05 * 0.05 else "#fff"


@dataclass(frozen=True)
class Marker:
    """A numbered or lettered point on the overview map.

    Parameters
    ----------
    x_m, y_m : float
        Position in metres, EPSG:25832 (easting, northing).
    label : str
        Short text drawn inside the symbol, e.g. ``"1"`` or ``"A"`` (one to three characters
        fit; longer labels are drawn smaller).
    title : str
        Accessible name of the marker (SVG ``<title>``), e.g. ``"Apotheke am Markt"``;
        the label is used when empty.
    colour : str
        Fill colour as hex ``#rgb`` or ``#rrggbb``; anything else raises ``ValueError``.
    kind : str
        ``"home"`` (drawn as a house, e.g. the client's address) or ``"stop"`` (a circle).
    """

    x_m: float
    y_m: float
    label: str
    title: str = ""
    colour: str = "#1f4e9c"
    kind: str = "stop"

    def __post_init__(self):
        if not (math.isfinite(self.x_m) and math.isfinite(self.y_m)):
            raise ValueError(f"marker position is not finite: ({self.x_m}, {self.y_m})")
        _check_colour(self.colour, "marker colour")
        if self.kind not in MARKER_KINDS:
            raise ValueError(f"marker kind must be one of {MARKER_KINDS}, not {self.kind!r}")


@dataclass(frozen=True)
class MapFrame:
    """The part of the world shown on the map and its pixel size.

    Attributes
    ----------
    west_m, south_m, east_m, north_m : float
        Edges of the view box in metres, EPSG:25832.
    width_px, height_px : float
        Size of the drawing in pixels (SVG user units).
    """

    west_m: float
    south_m: float
    east_m: float
    north_m: float
    width_px: float
    height_px: float

    @property
    def scale_px_per_m(self) -> float:
        """Pixels per metre, the same on both axes."""
        return self.width_px / (self.east_m - self.west_m)

    def to_px(self, xs_m, ys_m) -> tuple[np.ndarray, np.ndarray]:
        """Pixel positions of points given in metres (EPSG:25832); north up, y downward.

        Parameters
        ----------
        xs_m, ys_m : array_like
            Eastings and northings in metres.

        Returns
        -------
        tuple of numpy.ndarray
            x and y in pixels from the top-left corner of the map.
        """
        scale = self.scale_px_per_m
        xs = (np.asarray(xs_m, float) - self.west_m) * scale
        ys = (self.north_m - np.asarray(ys_m, float)) * scale
        return xs, ys


def map_frame(
    xs_m,
    ys_m,
    *,
    width_px: float = 640,
    height_px: float = 480,
    padding_m: float = 120.0,
    min_span_m: float = 400.0,
) -> MapFrame:
    """The view box around some points: padded, at least ``min_span_m``, in the drawing's shape.

    The bounding box of the points is grown by ``padding_m`` on every side, then to at least
    ``min_span_m`` in both directions, then in one direction until its width/height ratio is
    that of the drawing (so metres are equally long on both axes); it stays centred on the
    points' bounding box.

    Parameters
    ----------
    xs_m, ys_m : array_like
        Eastings and northings in metres (EPSG:25832), at least one point.
    width_px, height_px : float
        Size of the drawing in pixels.
    padding_m : float
        Space around the points in metres.
    min_span_m : float
        Smallest width and height of the view box in metres.

    Returns
    -------
    MapFrame
    """
    xs = np.asarray(xs_m, float).ravel()
    ys = np.asarray(ys_m, float).ravel()
    if xs.size == 0 or xs.size != ys.size:
        raise ValueError("map_frame needs at least one point (equally many x and y)")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("map_frame: coordinates must be finite")
    if not (width_px > 0 and height_px > 0):
        raise ValueError("map size must be positive")
    if not (padding_m >= 0 and min_span_m > 0):
        raise ValueError("padding_m must be >= 0 and min_span_m > 0")
    span_x = max(float(xs.max() - xs.min()) + 2 * padding_m, min_span_m)
    span_y = max(float(ys.max() - ys.min()) + 2 * padding_m, min_span_m)
    aspect = width_px / height_px
    if span_x / span_y < aspect:
        span_x = span_y * aspect
    else:
        span_y = span_x / aspect
    centre_x = (float(xs.max()) + float(xs.min())) / 2
    centre_y = (float(ys.max()) + float(ys.min())) / 2
    return MapFrame(
        west_m=centre_x - span_x / 2,
        south_m=centre_y - span_y / 2,
        east_m=centre_x + span_x / 2,
        north_m=centre_y + span_y / 2,
        width_px=float(width_px),
        height_px=float(height_px),
    )


def scale_bar_length_m(span_m: float, *, fraction: float = 0.25) -> int:
    """A round scale bar length: the largest 1, 2 or 5 × 10ⁿ metres ≤ ``fraction`` of the span.

    Parameters
    ----------
    span_m : float
        Width of the map in metres.
    fraction : float
        Longest share of the map width the bar may take.

    Returns
    -------
    int
        Length in metres (at least 1).
    """
    limit = max(span_m * fraction, 1.0)
    power = 10 ** math.floor(math.log10(limit))
    return max(step * power for step in (1, 2, 5) if step * power <= limit)


def _scale_label(length_m: int) -> str:
    """German label: "200 m", or whole kilometres as "2 km"."""
    if length_m >= 1000 and length_m % 1000 == 0:
        return f"{length_m // 1000} km"
    return f"{length_m} m"


def _clip_segments(x0, y0, x1, y1, frame: MapFrame):
    """Liang–Barsky clipping of many segments to the view box, vectorised.

    Returns the indices of segments that intersect the box (touching counts) and their
    clipped end points, all in metres.
    """
    dx = x1 - x0
    dy = y1 - y0
    p = np.stack([-dx, dx, -dy, dy])
    q = np.stack([x0 - frame.west_m, frame.east_m - x0, y0 - frame.south_m, frame.north_m - y0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = q / p
    outside = np.any((p == 0) & (q < 0), axis=0)
    t_in = np.max(np.where(p < 0, ratio, 0.0), axis=0)
    t_out = np.min(np.where(p > 0, ratio, 1.0), axis=0)
    keep = np.flatnonzero(~outside & (t_in <= t_out))
    t_in, t_out = t_in[keep], t_out[keep]
    x0, y0, dx, dy = x0[keep], y0[keep], dx[keep], dy[keep]
    return keep, x0 + t_in * dx, y0 + t_in * dy, x0 + t_out * dx, y0 + t_out * dy


def _street_path(network, frame: MapFrame) -> tuple[str, int]:
    """The ``d`` of all network edges in view, clipped to it, and how many there are."""
    upper = triu(network.matrix, k=1).tocoo()
    xs = np.asarray(network.xs_m, float)
    ys = np.asarray(network.ys_m, float)
    keep, ax, ay, bx, by = _clip_segments(
        xs[upper.row], ys[upper.row], xs[upper.col], ys[upper.col], frame
    )
    if keep.size == 0:
        return "", 0
    ax, ay = frame.to_px(ax, ay)
    bx, by = frame.to_px(bx, by)
    coords = np.column_stack([ax, ay, bx, by]).ravel()
    # one C-level formatting call instead of a Python loop over edges
    path = ("M%.1f %.1fL%.1f %.1f" * keep.size) % tuple(coords.tolist())
    return path, int(keep.size)


def _ring_path(coords: np.ndarray, frame: MapFrame) -> str:
    xs, ys = frame.to_px(coords[:, 0], coords[:, 1])
    points = np.column_stack([xs, ys]).ravel()
    return ("M%.1f %.1f" + "L%.1f %.1f" * (len(xs) - 1)) % tuple(points.tolist()) + "Z"


def _area_path(geometry, frame: MapFrame) -> str:
    """Path data of the polygons of ``geometry`` (clipped to the view box, holes kept)."""
    if geometry is None or geometry.is_empty:
        return ""
    margin_m = 3 * _MARGIN_PX / frame.scale_px_per_m  # clipped edges fall outside the drawing
    clipped = shapely.clip_by_rect(
        geometry,
        frame.west_m - margin_m,
        frame.south_m - margin_m,
        frame.east_m + margin_m,
        frame.north_m + margin_m,
    )
    parts = []
    for polygon in shapely.get_parts(clipped):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            coords = shapely.get_coordinates(ring)
            if len(coords) >= 3:
                parts.append(_ring_path(coords, frame))
    return "".join(parts)


def _spread_markers(xs_px: np.ndarray, ys_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symbol centres: markers closer than the gap are spread on a ring around their centre."""
    n = len(xs_px)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if math.hypot(xs_px[i] - xs_px[j], ys_px[i] - ys_px[j]) < _MIN_MARKER_GAP_PX:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    out_x, out_y = xs_px.astype(float).copy(), ys_px.astype(float).copy()
    for members in groups.values():
        k = len(members)
        if k == 1:
            continue
        centre_x = float(np.mean(xs_px[members]))
        centre_y = float(np.mean(ys_px[members]))
        radius = 1.1 * _MIN_MARKER_GAP_PX / (2 * math.sin(math.pi / k))
        for rank, i in enumerate(members):
            angle = -math.pi / 2 + 2 * math.pi * rank / k  # first on top, then clockwise
            out_x[i] = centre_x + radius * math.cos(angle)
            out_y[i] = centre_y + radius * math.sin(angle)
    return out_x, out_y


def _marker_svg(marker: Marker, x_px: float, y_px: float, anchor_px: tuple[float, float] | None):
    colour = marker.colour.lower()
    label = _escape(marker.label)
    name = _escape(marker.title or marker.label)
    text_colour = _text_colour_on(colour)
    size = 12 if len(marker.label) <= 2 else 10 if len(marker.label) == 3 else 8
    parts = []
    if anchor_px is not None:  # moved aside: a leader line from the true position
        ax, ay = anchor_px
        parts.append(
            f'<line class="marker-leader" x1="{_num(ax)}" y1="{_num(ay)}" x2="{_num(x_px)}" '
            f'y2="{_num(y_px)}" stroke="#333" stroke-width="1"/>'
            f'<circle class="marker-anchor" cx="{_num(ax)}" cy="{_num(ay)}" r="2.5" '
            f'fill="{colour}" stroke="#333" stroke-width="0.8"/>'
        )
    if marker.kind == "home":
        symbol = (
            f'<path d="{_HOUSE_PATH}" fill="{colour}" stroke="#fff" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
        text_y = _HOUSE_LABEL_Y_PX
    else:
        symbol = (
            f'<circle r="{_num(_STOP_RADIUS_PX)}" fill="{colour}" stroke="#fff" stroke-width="2"/>'
        )
        text_y = 0.0
    parts.append(
        f'<g class="marker marker-{marker.kind}" transform="translate({_num(x_px)} {_num(y_px)})">'
        f"<title>{name}</title>{symbol}"
        f'<text y="{_num(text_y)}" dy="0.35em" text-anchor="middle" font-size="{size}" '
        f'font-weight="bold" fill="{text_colour}">{label}</text></g>'
    )
    return "".join(parts)


def _legend_svg(entries: list[tuple[str, str]]) -> str:
    """Swatches and labels of the walking areas, top left."""
    if not entries:
        return ""
    row_px = 18.0
    longest = max(len(label) for _, label in entries)
    width = 34 + 6.5 * longest
    height = 8 + row_px * len(entries)
    parts = [
        f'<g class="legend" transform="translate({_num(_MARGIN_PX)} {_num(_MARGIN_PX)})">'
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#fff" fill-opacity="0.85" '
        'stroke="#999" stroke-width="0.8"/>'
    ]
    for row, (colour, label) in enumerate(entries):
        y = 4 + row * row_px
        parts.append(
            f'<rect x="6" y="{_num(y + 2)}" width="18" height="12" fill="{colour}" '
            f'fill-opacity="{_AREA_FILL_OPACITY}" stroke="{colour}" stroke-width="1.5"/>'
            f'<text x="30" y="{_num(y + 8)}" dy="0.35em" font-size="11" fill="#000">'
            f"{_escape(label)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def _scale_bar_svg(frame: MapFrame) -> str:
    """A round-length scale bar at the bottom left (black and white halves, label above)."""
    length_m = scale_bar_length_m(frame.east_m - frame.west_m)
    length_px = length_m * frame.scale_px_per_m
    x = _MARGIN_PX + 6
    y = frame.height_px - _MARGIN_PX - 10
    return (
        '<g class="scale-bar">'
        f'<rect x="{_num(x - 6)}" y="{_num(y - 22)}" width="{_num(length_px + 12)}" height="32" '
        'fill="#fff" fill-opacity="0.85"/>'
        f'<rect class="scale-bar-length" x="{x:.2f}" y="{_num(y)}" width="{length_px:.2f}" '
        'height="5" fill="#000"/>'
        f'<rect x="{x + length_px / 2:.2f}" y="{_num(y + 1)}" width="{length_px / 2 - 1:.2f}" '
        'height="3" fill="#fff"/>'
        f'<text class="scale-bar-label" x="{_num(x)}" y="{_num(y - 5)}" font-size="11" '
        f'fill="#000">{_scale_label(length_m)}</text></g>'
    )


def _north_arrow_svg(frame: MapFrame) -> str:
    """An arrow pointing up with an "N", at the top right."""
    x = frame.width_px - _MARGIN_PX - 12
    y = _MARGIN_PX
    return (
        f'<g class="north-arrow" transform="translate({_num(x)} {_num(y)})">'
        "<title>Norden</title>"
        '<rect x="-12" y="0" width="24" height="40" rx="3" fill="#fff" fill-opacity="0.85"/>'
        '<path d="M0 16L7 36L0 31L-7 36Z" fill="#000"/>'
        '<text x="0" y="8" dy="0.35em" text-anchor="middle" font-size="12" '
        'font-weight="bold" fill="#000">N</text></g>'
    )


def _attribution_svg(frame: MapFrame, attribution: str) -> str:
    if not attribution:
        return ""
    return (
        f'<text class="attribution" x="{_num(frame.width_px - 4)}" '
        f'y="{_num(frame.height_px - 4)}" text-anchor="end" font-size="9" fill="#333" '
        f'stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
        f"{_escape(attribution)}</text>"
    )


_LABEL_FONT_PX = 10.0
_LABEL_CHAR_PX = 0.56 * _LABEL_FONT_PX  # average width of a sans-serif character
_LABEL_GAP_PX = 60.0  # label centres closer than this: the later one is left out
_MAX_LABELS = 60


def _label_pieces(street_lines, frame: MapFrame):
    """Per street name the longest continuous piece in view, longest names first out."""
    inset_m = 2 * _MARGIN_PX / frame.scale_px_per_m
    box = (
        frame.west_m + inset_m,
        frame.south_m + inset_m,
        frame.east_m - inset_m,
        frame.north_m - inset_m,
    )
    by_name: dict[str, list] = {}
    for name, line in street_lines:
        name = " ".join(str(name or "").split())
        if name and line is not None and not line.is_empty:
            by_name.setdefault(name, []).append(line)
    pieces = []
    for name, lines in by_name.items():
        clipped = shapely.clip_by_rect(np.array(lines, dtype=object), *box)
        parts = [p for p in shapely.get_parts(clipped) if p.geom_type == "LineString"]
        parts = [p for p in parts if not p.is_empty]
        if not parts:
            continue
        merged = shapely.line_merge(shapely.multilinestrings(parts))
        best = max(shapely.get_parts(merged), key=lambda p: p.length)
        pieces.append((best.length * frame.scale_px_per_m, name, best))
    pieces.sort(key=lambda item: -item[0])
    return pieces


def _street_labels_svg(street_lines, frame: MapFrame) -> str:
    """Street names along their streets (``textPath``), where the name fits the piece of the
    street in view; one label per name, labels not crowded on each other."""
    pieces = _label_pieces(street_lines, frame)
    if not pieces:
        return ""
    seed = f"{frame.west_m:.1f},{frame.north_m:.1f},{frame.width_px},{len(pieces)}"
    prefix = "sn" + hashlib.sha1(seed.encode()).hexdigest()[:8]
    defs, texts, centres = [], [], []
    for length_px, name, piece in pieces:
        if len(texts) >= _MAX_LABELS:
            break
        if length_px < len(name) * _LABEL_CHAR_PX + 12:
            continue  # the name does not fit the street in view
        coords = shapely.get_coordinates(piece)
        xs, ys = frame.to_px(coords[:, 0], coords[:, 1])
        if xs[-1] < xs[0]:  # read from left to right, never upside down
            xs, ys = xs[::-1], ys[::-1]
        middle = shapely.line_interpolate_point(piece, 0.5, normalized=True)
        (cx,), (cy,) = frame.to_px([middle.x], [middle.y])
        if any(math.hypot(cx - x, cy - y) < _LABEL_GAP_PX for x, y in centres):
            continue
        centres.append((cx, cy))
        path_id = f"{prefix}-{len(texts)}"
        points = np.column_stack([xs, ys]).ravel().tolist()
        d = ("M%.1f %.1f" + "L%.1f %.1f" * (len(xs) - 1)) % tuple(points)
        defs.append(f'<path id="{path_id}" d="{d}"/>')
        texts.append(
            f'<text font-size="{_num(_LABEL_FONT_PX)}" fill="#222" stroke="#fff" '
            'stroke-width="3" stroke-linejoin="round" paint-order="stroke" dy="0.35em">'
            f'<textPath href="#{path_id}" startOffset="50%" text-anchor="middle">'
            f"{_escape(name)}</textPath></text>"
        )
    if not texts:
        return ""
    return f'<g class="street-names"><defs>{"".join(defs)}</defs>{"".join(texts)}</g>'


def _points_array(points, what: str) -> np.ndarray:
    array = np.asarray(points, float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{what} must be a sequence of (x_m, y_m) pairs")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: coordinates must be finite")
    return array


def overview_svg(
    network,
    markers: Sequence[Marker],
    *,
    route_m: Sequence[tuple[float, float]] | None = None,
    areas_m: Iterable[tuple[object, str, str]] | None = None,
    street_names_m: Iterable[tuple[str, object]] | None = None,
    width_px: int = 640,
    height_px: int = 480,
    padding_m: float = 120.0,
    min_span_m: float = 400.0,
    title: str = "Übersichtskarte",
    attribution: str = OSM_ATTRIBUTION,
    route_colour: str = "#c8102e",
) -> str:
    """Render a printable, north-up overview map as a self-contained SVG element.

    Drawn from back to front: white background, walking areas (translucent, even-odd fill
    so holes stay open), the streets in view, the route, the markers, then the area legend
    (top left), a scale bar (bottom left), a north arrow (top right) and the attribution
    (bottom right). The view box is :func:`map_frame` of the markers and the route.

    Parameters
    ----------
    network : WalkNetwork
        The area's walk network (``matrix`` with edge lengths in metres, node coordinates
        ``xs_m``/``ys_m`` in metres, EPSG:25832); every edge intersecting the view box is
        drawn, clipped to it.
    markers : sequence of Marker
        Points to show (EPSG:25832); markers closer than about two symbol widths are spread
        around their common centre with leader lines to their true positions.
    route_m : sequence of (float, float), optional
        A walk route as eastings/northings in metres (EPSG:25832), at least two points,
        drawn as a bold line in ``route_colour``.
    areas_m : iterable of (geometry, str, str), optional
        Walking areas as ``(shapely Polygon or MultiPolygon in EPSG:25832, fill colour as
        hex, label)``, e.g. the 15-, 10- and 5-minute areas in that order; labelled ones
        appear in a legend.
    street_names_m : iterable of (str, LineString), optional
        Named streets as ``(name, shapely LineString in metres, EPSG:25832)`` (the area's
        streets, :meth:`~sozialraum.analysis.streets.Streets.lines_m`): each name is drawn
        once along the longest piece of its street in view, where it fits, above the
        streets and below the route and the markers.
    width_px, height_px : int
        Size of the drawing in pixels (also the SVG ``viewBox``).
    padding_m : float
        Space around markers and route in metres.
    min_span_m : float
        Smallest width and height of the view in metres.
    title : str
        Accessible name of the map (``aria-label`` and ``<title>``).
    attribution : str
        Data attribution, bottom right (the ODbL requires it for OSM data).
    route_colour : str
        Hex colour of the route line.

    Returns
    -------
    str
        An ``<svg>`` element (well-formed XML, all text escaped, no external references),
        safe to embed into an HTML page as is.

    Raises
    ------
    ValueError
        Nothing to show (no markers and no route), a route of fewer than two points, an
        invalid colour or a non-positive size.
    """
    markers = list(markers)
    for marker in markers:
        if not isinstance(marker, Marker):
            raise ValueError(f"markers must be Marker objects, not {type(marker).__name__}")
    route_colour = _check_colour(route_colour, "route colour")
    route = None
    if route_m is not None and len(route_m) > 0:
        route = _points_array(route_m, "route_m")
        if len(route) < 2:
            raise ValueError("route_m needs at least two points")
    areas = []
    for geometry, colour, label in areas_m or ():
        areas.append((geometry, _check_colour(colour, "area colour"), str(label or "")))

    xs = [m.x_m for m in markers]
    ys = [m.y_m for m in markers]
    if route is not None:
        xs.extend(route[:, 0].tolist())
        ys.extend(route[:, 1].tolist())
    if not xs:
        raise ValueError("overview_svg needs at least one marker or a route")
    frame = map_frame(
        xs,
        ys,
        width_px=width_px,
        height_px=height_px,
        padding_m=padding_m,
        min_span_m=min_span_m,
    )
    width, height = _num(frame.width_px), _num(frame.height_px)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_escape(title)}" '
        'font-family="sans-serif" class="overview-map">',
        f"<title>{_escape(title)}</title>",
        f'<rect class="background" width="{width}" height="{height}" fill="#fff"/>',
    ]

    if areas:
        parts.append('<g class="areas">')
        for geometry, colour, label in areas:
            d = _area_path(geometry, frame)
            if not d:
                continue
            name = f"<title>{_escape(label)}</title>" if label else ""
            parts.append(
                f'<path class="area" d="{d}" fill="{colour}" fill-opacity="{_AREA_FILL_OPACITY}" '
                f'fill-rule="evenodd" stroke="{colour}" stroke-opacity="0.8" '
                f'stroke-width="1.5">{name}</path>'
            )
        parts.append("</g>")

    street_d, _ = _street_path(network, frame)
    if street_d:
        # thinner lines when zoomed out, so a whole city does not turn grey
        stroke = min(1.6, max(0.6, 1.6 * math.sqrt(frame.scale_px_per_m)))
        parts.append(
            f'<path class="streets" d="{street_d}" fill="none" stroke="{_STREET_COLOUR}" '
            f'stroke-width="{stroke:.2f}" stroke-linecap="round"/>'
        )

    if street_names_m is not None:
        parts.append(_street_labels_svg(street_names_m, frame))

    if route is not None:
        rx, ry = frame.to_px(route[:, 0], route[:, 1])
        points = np.column_stack([rx, ry]).ravel().tolist()
        d = ("M%.1f %.1f" + "L%.1f %.1f" * (len(route) - 1)) % tuple(points)
        parts.append(
            f'<path class="route" d="{d}" fill="none" stroke="{route_colour}" stroke-width="4" '
            'stroke-linecap="round" stroke-linejoin="round" stroke-opacity="0.9"/>'
        )

    if markers:
        mx, my = frame.to_px(xs[: len(markers)], ys[: len(markers)])
        sx, sy = _spread_markers(mx, my)
        # the home marker on top of the stops; otherwise in the given order
        order = sorted(range(len(markers)), key=lambda i: markers[i].kind == "home")
        parts.append('<g class="markers">')
        for i in order:
            moved = math.hypot(sx[i] - mx[i], sy[i] - my[i]) > 0.05
            anchor = (float(mx[i]), float(my[i])) if moved else None
            parts.append(_marker_svg(markers[i], float(sx[i]), float(sy[i]), anchor))
        parts.append("</g>")

    parts.append(_legend_svg([(colour, label) for _, colour, label in areas if label]))
    parts.append(_scale_bar_svg(frame))
    parts.append(_north_arrow_svg(frame))
    parts.append(_attribution_svg(frame, attribution))
    parts.append(
        f'<rect class="frame" width="{width}" height="{height}" fill="none" stroke="#999" '
        'stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
