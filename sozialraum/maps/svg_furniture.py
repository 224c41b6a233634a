"""Map furniture on server-drawn SVG maps: legend, scale bar, north arrow, attribution."""

from __future__ import annotations

from sozialraum.maps.map_frame import MARGIN_PX, MapFrame, scale_bar_length_m, scale_label
from sozialraum.maps.svg_text import escape_xml
from sozialraum.maps.svg_text import svg_number as _num

#: Fill opacity of walking areas (and their legend swatches).
AREA_FILL_OPACITY = 0.25


def legend_svg(entries: list[tuple[str, str]]) -> str:
    """Swatches and labels of the walking areas, top left."""
    if not entries:
        return ""
    row_px = 18.0
    longest = max(len(label) for _, label in entries)
    width = 34 + 6.5 * longest
    height = 8 + row_px * len(entries)
    parts = [
        f'<g class="legend" transform="translate({_num(MARGIN_PX)} {_num(MARGIN_PX)})">'
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#fff" fill-opacity="0.85" '
        'stroke="#999" stroke-width="0.8"/>'
    ]
    for row, (colour, label) in enumerate(entries):
        y = 4 + row * row_px
        parts.append(
            f'<rect x="6" y="{_num(y + 2)}" width="18" height="12" fill="{colour}" '
            f'fill-opacity="{AREA_FILL_OPACITY}" stroke="{colour}" stroke-width="1.5"/>'
            f'<text x="30" y="{_num(y + 8)}" dy="0.35em" font-size="11" fill="#000">'
            f"{escape_xml(label)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def scale_bar_svg(frame: MapFrame) -> str:
    """A round-length scale bar at the bottom left (black and white halves, label above)."""
    length_m = scale_bar_length_m(frame.east_m - frame.west_m)
    length_px = length_m * frame.scale_px_per_m
    x = MARGIN_PX + 6
    y = frame.height_px - MARGIN_PX - 10
    return (
        '<g class="scale-bar">'
        f'<rect x="{_num(x - 6)}" y="{_num(y - 22)}" width="{_num(length_px + 12)}" height="32" '
        'fill="#fff" fill-opacity="0.85"/>'
        f'<rect class="scale-bar-length" x="{x:.2f}" y="{_num(y)}" width="{length_px:.2f}" '
        'height="5" fill="#000"/>'
        f'<rect x="{x + length_px / 2:.2f}" y="{_num(y + 1)}" width="{length_px / 2 - 1:.2f}" '
        'height="3" fill="#fff"/>'
        f'<text class="scale-bar-label" x="{_num(x)}" y="{_num(y - 5)}" font-size="11" '
        f'fill="#000">{scale_label(length_m)}</text></g>'
    )


def north_arrow_svg(frame: MapFrame) -> str:
    """An arrow pointing up with an "N", at the top right."""
    x = frame.width_px - MARGIN_PX - 12
    y = MARGIN_PX
    return (
        f'<g class="north-arrow" transform="translate({_num(x)} {_num(y)})">'
        "<title>Norden</title>"
        '<rect x="-12" y="0" width="24" height="40" rx="3" fill="#fff" fill-opacity="0.85"/>'
        '<path d="M0 16L7 36L0 31L-7 36Z" fill="#000"/>'
        '<text x="0" y="8" dy="0.35em" text-anchor="middle" font-size="12" '
        'font-weight="bold" fill="#000">N</text></g>'
    )


def attribution_svg(frame: MapFrame, attribution: str) -> str:
    """The data attribution at the bottom right (nothing if empty)."""
    if not attribution:
        return ""
    return (
        f'<text class="attribution" x="{_num(frame.width_px - 4)}" '
        f'y="{_num(frame.height_px - 4)}" text-anchor="end" font-size="9" fill="#333" '
        f'stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
        f"{escape_xml(attribution)}</text>"
    )
