"""Markers on server-drawn SVG maps: numbered circles (stops) and a house (home)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sozialraum.maps.svg_text import check_colour, escape_xml, text_colour_on
from sozialraum.maps.svg_text import svg_number as _num

#: Marker kinds: ``"home"`` is drawn as a house, ``"stop"`` as a circle.
MARKER_KINDS = ("home", "stop")

_STOP_RADIUS_PX = 11.0
_MIN_MARKER_GAP_PX = 2 * _STOP_RADIUS_PX + 4.0  # symbol centres closer than this are spread
# the house symbol around (0, 0): roof from y=-17, body from x=-10 to 10, y=-6 to 10
_HOUSE_PATH = "M-12 -5L0 -17L12 -5H10V10H-10V-5Z"
_HOUSE_LABEL_Y_PX = 2.5


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
        check_colour(self.colour, "marker colour")
        if self.kind not in MARKER_KINDS:
            raise ValueError(f"marker kind must be one of {MARKER_KINDS}, not {self.kind!r}")


def spread_markers(xs_px: np.ndarray, ys_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def marker_svg(
    marker: Marker, x_px: float, y_px: float, anchor_px: tuple[float, float] | None
) -> str:
    """One marker's SVG at pixel position ``(x_px, y_px)``.

    With ``anchor_px`` (moved aside by :func:`spread_markers`) a leader line to its true position.
    """
    colour = marker.colour.lower()
    label = escape_xml(marker.label)
    name = escape_xml(marker.title or marker.label)
    text_colour = text_colour_on(colour)
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
