"""The basemap's ground (buildings, water, green, forest, landuse) drawn into a printed SVG map."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely

from sozialraum.maps.map_frame import MapFrame

#: Fill colours of the ground layers, the interactive basemap's (``static/sozialraum/basemap.js``).
GROUND_COLOURS = {
    "landuse": "#ecebe6",
    "forest": "#cfe3c6",
    "green": "#dcebd3",
    "water": "#b9d3e6",
    "buildings": "#dedbd5",
}


def ground_svg(ground_m: Mapping[str, shapely.Geometry], frame: MapFrame) -> str:
    """SVG paths of the ground layers, back to front, in the frame's pixels.

    Parameters
    ----------
    ground_m : mapping
        Layer name (a key of :data:`GROUND_COLOURS`) → Polygon or MultiPolygon in metres
        (EPSG:25832); other layers and geometry types are left out.
    frame : MapFrame
        The map's view box.

    Returns
    -------
    str
        One ``<path>`` per layer (even-odd fill, so courtyards stay open), or ``""``.
    """
    parts = []
    for name, colour in GROUND_COLOURS.items():
        geometry = ground_m.get(name)
        if geometry is None or geometry.is_empty:
            continue
        rings = []
        polygons = [
            p
            for part in shapely.get_parts(geometry)
            for p in shapely.get_parts(part)
            if p.geom_type == "Polygon"
        ]
        for polygon in polygons:
            for ring in (polygon.exterior, *polygon.interiors):
                coords = np.asarray(ring.coords)
                if len(coords) < 4:
                    continue
                xs, ys = frame.to_px(coords[:, 0], coords[:, 1])
                points = " ".join(f"{x:.1f} {y:.1f}" for x, y in zip(xs, ys, strict=True))
                rings.append(f"M{points}Z")
        if rings:
            parts.append(
                f'<path class="ground-{name}" fill="{colour}" fill-rule="evenodd" '
                f'd="{"".join(rings)}"/>'
            )
    return "".join(parts)
