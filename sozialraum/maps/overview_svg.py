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
view for its name. The pieces are in :mod:`~sozialraum.maps.map_frame` (view box),
:mod:`~sozialraum.maps.svg_streets`, :mod:`~sozialraum.maps.svg_markers`,
:mod:`~sozialraum.maps.svg_furniture` and :mod:`~sozialraum.maps.svg_text`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from sozialraum.maps.map_frame import MapFrame, map_frame, scale_bar_length_m
from sozialraum.maps.svg_furniture import (
    AREA_FILL_OPACITY,
    attribution_svg,
    legend_svg,
    north_arrow_svg,
    scale_bar_svg,
)
from sozialraum.maps.svg_ground import ground_svg
from sozialraum.maps.svg_markers import MARKER_KINDS, Marker, marker_svg, spread_markers
from sozialraum.maps.svg_streets import area_path, street_labels_svg, street_path
from sozialraum.maps.svg_text import check_colour, escape_xml
from sozialraum.maps.svg_text import svg_number as _num
from sozialraum.settings import OSM_ATTRIBUTION

__all__ = [
    "MARKER_KINDS",
    "MapFrame",
    "Marker",
    "map_frame",
    "overview_svg",
    "scale_bar_length_m",
]

_STREET_COLOUR = "#5a5a5a"


def _points_array(points, what: str) -> np.ndarray:
    """``points`` as an ``n × 2`` float array.

    ``ValueError`` naming ``what`` if they are not finite pairs.
    """
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
    ground_m: Callable[[float, float, float, float], Mapping[str, object]] | None = None,
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
    ground_m : callable, optional
        The basemap's ground for the view box: called with its ``west_m, south_m, east_m,
        north_m`` (EPSG:25832), it returns layer name → Polygon/MultiPolygon in metres, e.g.
        ``functools.partial(sozialraum.basemap.ground.ground_in_box, archive)``; buildings,
        water, green areas, forest and landuse are drawn right above the background in the
        interactive basemap's colours.
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
    route_colour, route, areas = _checked_inputs(markers, route_m, areas_m, route_colour)
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
        f'width="{width}" height="{height}" role="img" aria-label="{escape_xml(title)}" '
        'font-family="sans-serif" class="overview-map">',
        f"<title>{escape_xml(title)}</title>",
        f'<rect class="background" width="{width}" height="{height}" fill="#fff"/>',
        ground_svg(_ground(ground_m, frame), frame),
        _areas_svg(areas, frame),
        _streets_svg(network, frame),
    ]
    if street_names_m is not None:
        parts.append(street_labels_svg(street_names_m, frame))
    if route is not None:
        parts.append(_route_svg(route, route_colour, frame))
    if markers:
        parts.append(_markers_svg(markers, frame))
    parts.append(legend_svg([(colour, label) for _, colour, label in areas if label]))
    parts.append(scale_bar_svg(frame))
    parts.append(north_arrow_svg(frame))
    parts.append(attribution_svg(frame, attribution))
    parts.append(
        f'<rect class="frame" width="{width}" height="{height}" fill="none" stroke="#999" '
        'stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _ground(ground_m, frame: MapFrame) -> Mapping[str, object]:
    """The ground polygons for the frame's box (nothing without a source)."""
    if ground_m is None:
        return {}
    return ground_m(frame.west_m, frame.south_m, frame.east_m, frame.north_m)


def _checked_inputs(markers: list, route_m, areas_m, route_colour: str):
    """Check the markers, route and areas of :func:`overview_svg`; ``ValueError`` if wrong.

    Returns the route colour (lower case), the route as an ``n × 2`` array in metres
    (``None``: no route) and the areas as ``(geometry, colour, label)``.
    """
    for marker in markers:
        if not isinstance(marker, Marker):
            raise ValueError(f"markers must be Marker objects, not {type(marker).__name__}")
    route_colour = check_colour(route_colour, "route colour")
    route = None
    if route_m is not None and len(route_m) > 0:
        route = _points_array(route_m, "route_m")
        if len(route) < 2:
            raise ValueError("route_m needs at least two points")
    areas = []
    for geometry, colour, label in areas_m or ():
        areas.append((geometry, check_colour(colour, "area colour"), str(label or "")))
    return route_colour, route, areas


def _areas_svg(areas: list[tuple[object, str, str]], frame: MapFrame) -> str:
    """The walking areas, translucent, even-odd fill so holes stay open ("" without areas)."""
    if not areas:
        return ""
    parts = ['<g class="areas">']
    for geometry, colour, label in areas:
        d = area_path(geometry, frame)
        if not d:
            continue
        name = f"<title>{escape_xml(label)}</title>" if label else ""
        parts.append(
            f'<path class="area" d="{d}" fill="{colour}" fill-opacity="{AREA_FILL_OPACITY}" '
            f'fill-rule="evenodd" stroke="{colour}" stroke-opacity="0.8" '
            f'stroke-width="1.5">{name}</path>'
        )
    parts.append("</g>")
    return "".join(parts)


def _streets_svg(network, frame: MapFrame) -> str:
    """The network's edges in view as one path ("" if none is in view)."""
    street_d, _ = street_path(network, frame)
    if not street_d:
        return ""
    # thinner lines when zoomed out, so a whole city does not turn grey
    stroke = min(1.6, max(0.6, 1.6 * math.sqrt(frame.scale_px_per_m)))
    return (
        f'<path class="streets" d="{street_d}" fill="none" stroke="{_STREET_COLOUR}" '
        f'stroke-width="{stroke:.2f}" stroke-linecap="round"/>'
    )


def _route_svg(route: np.ndarray, route_colour: str, frame: MapFrame) -> str:
    """The route (metres, ``n × 2``) as a bold line."""
    rx, ry = frame.to_px(route[:, 0], route[:, 1])
    points = np.column_stack([rx, ry]).ravel().tolist()
    d = ("M%.1f %.1f" + "L%.1f %.1f" * (len(route) - 1)) % tuple(points)
    return (
        f'<path class="route" d="{d}" fill="none" stroke="{route_colour}" stroke-width="4" '
        'stroke-linecap="round" stroke-linejoin="round" stroke-opacity="0.9"/>'
    )


def _markers_svg(markers: list[Marker], frame: MapFrame) -> str:
    """The markers, spread apart where they crowd, the home marker on top of the stops."""
    mx, my = frame.to_px([m.x_m for m in markers], [m.y_m for m in markers])
    sx, sy = spread_markers(mx, my)
    # the home marker on top of the stops; otherwise in the given order
    order = sorted(range(len(markers)), key=lambda i: markers[i].kind == "home")
    parts = ['<g class="markers">']
    for i in order:
        moved = math.hypot(sx[i] - mx[i], sy[i] - my[i]) > 0.05
        anchor = (float(mx[i]), float(my[i])) if moved else None
        parts.append(marker_svg(markers[i], float(sx[i]), float(sy[i]), anchor))
    parts.append("</g>")
    return "".join(parts)
