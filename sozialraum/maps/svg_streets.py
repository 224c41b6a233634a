"""Streets, street names and areas on server-drawn SVG maps, from metres (EPSG:25832).

Street names are drawn along the streets (SVG ``textPath``) where a street is long enough in
view for its name; their path ids carry a prefix unique to the map's content.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import shapely
from scipy.sparse import triu

from sozialraum.maps.map_frame import MARGIN_PX, MapFrame, clip_segments
from sozialraum.maps.svg_text import escape_xml
from sozialraum.maps.svg_text import svg_number as _num


def street_path(network, frame: MapFrame) -> tuple[str, int]:
    """The ``d`` of all network edges in view, clipped to it, and how many there are."""
    upper = triu(network.matrix, k=1).tocoo()
    xs = np.asarray(network.xs_m, float)
    ys = np.asarray(network.ys_m, float)
    keep, ax, ay, bx, by = clip_segments(
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


def ring_path(coords: np.ndarray, frame: MapFrame) -> str:
    """Closed path data of a ring given in metres (EPSG:25832)."""
    xs, ys = frame.to_px(coords[:, 0], coords[:, 1])
    points = np.column_stack([xs, ys]).ravel()
    return ("M%.1f %.1f" + "L%.1f %.1f" * (len(xs) - 1)) % tuple(points.tolist()) + "Z"


def area_path(geometry, frame: MapFrame) -> str:
    """Path data of the polygons of ``geometry`` (clipped to the view box, holes kept)."""
    if geometry is None or geometry.is_empty:
        return ""
    margin_m = 3 * MARGIN_PX / frame.scale_px_per_m  # clipped edges fall outside the drawing
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
                parts.append(ring_path(coords, frame))
    return "".join(parts)


_LABEL_FONT_PX = 10.0
_LABEL_CHAR_PX = 0.56 * _LABEL_FONT_PX  # average width of a sans-serif character
_LABEL_GAP_PX = 60.0  # label centres closer than this: the later one is left out
_MAX_LABELS = 60


def label_pieces(street_lines, frame: MapFrame):
    """Per street name the longest continuous piece in view, longest names first out."""
    inset_m = 2 * MARGIN_PX / frame.scale_px_per_m
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


def street_labels_svg(street_lines, frame: MapFrame) -> str:
    """Street names along their streets (``textPath``).

    Only where the name fits the piece of the street in view; one label per name, labels not crowded
    on each other.
    """
    pieces = label_pieces(street_lines, frame)
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
            f"{escape_xml(name)}</textPath></text>"
        )
    if not texts:
        return ""
    return f'<g class="street-names"><defs>{"".join(defs)}</defs>{"".join(texts)}</g>'
