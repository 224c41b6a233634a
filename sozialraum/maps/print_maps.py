"""The printed pages' SVG maps: the walk sheet, the meeting protocol, the Wegweiser handout.

Plain functions over data the services hand over (no Flask, no store): the walk network
(a projected graph, EPSG:25832), coordinates in EPSG:4326 or metres in EPSG:25832 as
named, and German labels. Each returns one ``<svg>`` element built by
:func:`sozialraum.maps.overview_svg.overview_svg`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from sozialraum.analysis.isochrones import isochrone_polygons_m
from sozialraum.analysis.nearby import project
from sozialraum.maps.overview_svg import Marker, overview_svg

#: Marker colour per kind of walk stop.
STOP_COLOURS = {"resource": "#1d4f91", "address": "#6a1b9a", "note": "#b8860b", "point": "#2e7d32"}
#: Marker colour per meeting decision.
DECISION_COLOURS = {
    "freigeben": "#2e7d32",
    "rueckfrage": "#b8860b",
    "nachpruefen": "#6a1b9a",
    "archivieren": "#555555",
}


def route_line(legs_m: Sequence[Sequence]) -> list[tuple[float, float]]:
    """The legs of a route joined into one line without repeated points.

    Parameters
    ----------
    legs_m : sequence of sequence
        One list of ``(x, y)`` points per leg, metres in EPSG:25832.
    """
    line: list[tuple[float, float]] = []
    for leg in legs_m:
        points = [tuple(p) for p in leg]
        line += points[1:] if line else points
    return [p for p, _ in itertools.groupby(line)]


def walk_map_svg(
    network,
    stops: Sequence[dict],
    route: dict,
    *,
    title: str,
    street_names_m=None,
    ground_m=None,
    width_px: int = 720,
    height_px: int = 520,
) -> str:
    """A walk's overview map: streets, the route and the numbered stops.

    Parameters
    ----------
    network : networkx.MultiDiGraph
        The area's walk network, projected to EPSG:25832.
    stops : sequence of dict
        The walk's stops in order (``kind``, ``label``).
    route : dict
        The route as :func:`sozialraum.services.walks.walk_route` returns it: ``xs_m``, ``ys_m``
        (one point per stop) and ``legs_m``, metres in EPSG:25832.
    title : str
        The map's accessible title (German).
    street_names_m : optional
        Street lines with names for the labels (metres, EPSG:25832).
    ground_m : callable, optional
        The basemap's ground for the view box (see :func:`overview_svg`): buildings, water,
        green areas under the streets.
    width_px, height_px : int
        The map's size in pixels.
    """
    markers = [
        Marker(
            float(x), float(y), str(number), stop["label"], STOP_COLOURS.get(stop["kind"], "#333")
        )
        for number, (stop, x, y) in enumerate(
            zip(stops, route["xs_m"], route["ys_m"], strict=True), start=1
        )
    ]
    line = route_line(route["legs_m"])
    return overview_svg(
        network,
        markers,
        route_m=line if len(line) >= 2 else None,
        street_names_m=street_names_m,
        ground_m=ground_m,
        width_px=width_px,
        height_px=height_px,
        title=title,
    )


def decisions_map_svg(network, decisions: Sequence[dict], *, ground_m=None) -> str:
    """The meeting protocol's map: the decided notes, numbered like the protocol's table.

    Parameters
    ----------
    network : networkx.MultiDiGraph
        The area's walk network, projected to EPSG:25832.
    decisions : sequence of dict
        The decisions as :func:`sozialraum.services.meetings.decisions` returns them (``action``,
        ``action_label``, ``note``: a GeoJSON point in EPSG:4326 or ``None``).
    ground_m : callable, optional
        The basemap's ground for the view box (see :func:`overview_svg`): buildings, water,
        green areas under the streets.

    Returns
    -------
    str
        The SVG; empty when no decided note is left to place.
    """
    placed = [(n, item) for n, item in enumerate(decisions, start=1) if item["note"]]
    if not placed:
        return ""
    lons = [item["note"]["geometry"]["coordinates"][0] for _, item in placed]
    lats = [item["note"]["geometry"]["coordinates"][1] for _, item in placed]
    xs, ys = project(lons, lats)
    markers = [
        Marker(
            float(x),
            float(y),
            str(number),
            f"{item['action_label']}: {item['note']['properties'].get('category_label')}",
            DECISION_COLOURS.get(item["action"], "#333333"),
        )
        for (number, item), x, y in zip(placed, xs, ys, strict=True)
    ]
    return overview_svg(
        network, markers, ground_m=ground_m, width_px=720, height_px=460, title="Entscheidungen"
    )


def guide_map_svg(
    network,
    address: dict,
    nearest: dict,
    zone_colours: dict[int, str],
    *,
    street_names_m=None,
    ground_m=None,
    with_offers: bool,
) -> str:
    """The Wegweiser's map: the address, the numbered nearest places and walking zones.

    Parameters
    ----------
    network : networkx.MultiDiGraph
        The area's walk network, projected to EPSG:25832.
    address : dict
        The address as a GeoJSON point feature (EPSG:4326).
    nearest : dict
        The nearest places on foot: ``items`` (each with ``number``, ``label``,
        ``colour`` and ``resource`` holding ``lon``/``lat`` or ``None``), ``cut_off``
        and ``speed_kmh``.
    zone_colours : dict of int to str
        Colour per walking-time zone in minutes; no zones when the address is cut off.
    street_names_m : optional
        Street lines with names for the labels (metres, EPSG:25832).
    ground_m : callable, optional
        The basemap's ground for the view box (see :func:`overview_svg`): buildings, water,
        green areas under the streets.
    with_offers : bool
        Whether the handout shows offers beside the map (a flatter map).
    """
    lon, lat = address["geometry"]["coordinates"]
    (x_m,), (y_m,) = project([lon], [lat])
    markers = [Marker(x_m, y_m, "⌂", "Ihre Adresse", "#111111", "home")]
    for item in nearest["items"]:
        if item["resource"] is None:
            continue
        (rx,), (ry,) = project([item["resource"]["lon"]], [item["resource"]["lat"]])
        markers.append(Marker(rx, ry, str(item["number"]), item["label"], item["colour"]))
    areas = []
    if not nearest["cut_off"]:
        for minutes, polygon in reversed(
            isochrone_polygons_m(
                network,
                x_m,
                y_m,
                minutes=tuple(zone_colours),
                speed_kmh=nearest["speed_kmh"],
            )
        ):
            areas.append((polygon, zone_colours[int(minutes)], f"{int(minutes)} Minuten zu Fuß"))
    # printed, the map fills the handout's width (A4, 18 cm): 2:1, or 3:1 beside the offers
    width_px, height_px = (1050, 350) if with_offers else (1000, 500)
    return overview_svg(
        network,
        markers,
        areas_m=areas,
        street_names_m=street_names_m,
        ground_m=ground_m,
        width_px=width_px,
        height_px=height_px,
        title="Karte: Ihre Adresse und die nächsten Orte",
    )
