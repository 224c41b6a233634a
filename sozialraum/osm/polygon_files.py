"""Polygon files (districts, clip area): GeoJSON polygons in EPSG:4326, read and checked.

A file with more than :data:`MAX_POLYGON_VERTICES` vertices is refused before any geometry
is built (a clear English message).
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from sozialraum.errors import OsmImportError

#: Most vertices a polygon file (districts or clip area) may hold, all polygons together;
#: checked right after reading the JSON, before any geometry work.
MAX_POLYGON_VERTICES = 250_000


def count_vertices(geometry: object) -> int:
    """Positions in a GeoJSON geometry dict (0 for anything malformed), without shapely."""
    if not isinstance(geometry, dict):
        return 0
    if geometry.get("type") == "GeometryCollection":
        members = geometry.get("geometries")
        return sum(count_vertices(g) for g in members) if isinstance(members, list) else 0
    count, stack = 0, [geometry.get("coordinates")]
    while stack:
        item = stack.pop()
        if not isinstance(item, list) or not item:
            continue
        first = item[0]
        if isinstance(first, list) and first and isinstance(first[0], int | float):
            count += len(item)  # a ring or line: a list of positions
        elif isinstance(first, int | float):
            count += 1  # a Point's position
        else:
            stack.extend(item)
    return count


def read_polygon_file(
    path: Path, what: str = "clip", *, max_vertices: int = MAX_POLYGON_VERTICES
) -> list[tuple[str | None, BaseGeometry]]:
    """Read polygons from a GeoJSON file (FeatureCollection, Feature or bare geometry).

    Returns a list of ``(name or None, polygon)`` in EPSG:4326. Raises
    :class:`OsmImportError` for a missing, unreadable or non-polygonal file, an
    invalid polygon (with the reason), or more than ``max_vertices`` vertices in all
    (checked before any geometry is built).
    """
    if not path.is_file():
        raise OsmImportError(f"{what} file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise OsmImportError(f"{what} file {path.name} is not UTF-8 encoded GeoJSON") from None
    except ValueError as exc:
        raise OsmImportError(f"{what} file {path.name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise OsmImportError(f"{what} file {path.name} is not GeoJSON")
    items = _feature_items(data)
    vertices = sum(count_vertices(geom) for _, geom in items)
    if vertices > max_vertices:
        raise OsmImportError(
            f"{what} file {path.name} has {vertices:,} vertices; at most {max_vertices:,} are "
            "accepted: simplify it first (e.g. QGIS 'Simplify' with 1 m, or mapshaper "
            "-simplify) and import again"
        )
    result = [
        _named_polygon(props, geom, number, what, path.name)
        for number, (props, geom) in enumerate(items, start=1)
    ]
    if not result:
        raise OsmImportError(f"{what} file {path.name} holds no polygon")
    return result


def _feature_items(data: dict) -> list[tuple[dict, object]]:
    """``(properties, geometry)`` of each feature of GeoJSON ``data`` (a bare geometry too)."""
    if data.get("type") == "FeatureCollection":
        return [(f.get("properties") or {}, f.get("geometry")) for f in data.get("features") or []]
    if data.get("type") == "Feature":
        return [(data.get("properties") or {}, data.get("geometry"))]
    return [({}, data)]


def _named_polygon(
    props: dict, geom: object, number: int, what: str, file_name: str
) -> tuple[str | None, BaseGeometry]:
    """Feature ``number``'s name and polygon (EPSG:4326).

    :class:`OsmImportError` if it is no valid lon/lat polygon.
    """
    try:
        geometry = shape(geom)
    except (TypeError, ValueError, AttributeError, KeyError, shapely.errors.GEOSException):
        raise OsmImportError(
            f"{what} file {file_name}: feature {number} has no valid geometry"
        ) from None
    if geometry.geom_type == "GeometryCollection":
        geometry = shapely.union_all(
            [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
        )
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise OsmImportError(f"{what} file {file_name}: feature {number} is not a polygon")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise OsmImportError(
            f"{what} file {file_name}: feature {number} is an invalid polygon ({reason})"
        )
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise OsmImportError(f"{what} file {file_name}: coordinates are not lon/lat (EPSG:4326)")
    name = next(
        (str(props[k]) for k in ("name", "Name", "NAME", "bezeichnung") if props.get(k)), None
    )
    return name, geometry
