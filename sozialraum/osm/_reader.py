"""One streaming pass over an OSM file (XML, gzip/bzip2 XML or PBF) with pyosmium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import osmium
import shapely
from osmium.geom import WKBFactory
from shapely.geometry import LineString, Polygon

from sozialraum.errors import OsmImportError
from sozialraum.osm._records import Boundary, OsmData, OsmObject

SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")
ADDRESS_KEYS = ("addr:housenumber",)
DISTRICT_ADMIN_LEVELS = (9, 10)


def check_osm_file(path: Path) -> None:
    """Raise :class:`OsmImportError` for a missing, unreadable or unsupported file."""
    if not path.exists():
        raise OsmImportError(f"OSM file not found: {path}")
    if not path.is_file():
        raise OsmImportError(f"not a file: {path}")
    if not path.name.lower().endswith(SUFFIXES):
        raise OsmImportError(
            f"unsupported file format: {path.name}; supported: {', '.join(SUFFIXES)}"
        )


def _way_point(way) -> tuple[float, float] | None:
    coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if not coords:
        return None
    if len(coords) >= 4 and coords[0] == coords[-1]:
        polygon = Polygon(coords)
        point = polygon.representative_point() if polygon.is_valid else polygon.centroid
    elif len(coords) >= 2:
        point = LineString(coords).interpolate(0.5, normalized=True)
    else:
        return coords[0]
    return point.x, point.y


def _boundary(area, tags: dict, geometry) -> Boundary | None:
    if tags.get("boundary") != "administrative":
        return None
    try:
        level = int(tags.get("admin_level", ""))
    except ValueError:
        return None
    if level not in DISTRICT_ADMIN_LEVELS:
        return None
    kind = "w" if area.from_way() else "r"
    name = tags.get("name") or f"Bezirk {area.orig_id()}"
    return Boundary(kind, area.orig_id(), name, level, geometry)


def read_osm_file(
    path: Path, keys: list[str], tick: Callable[[int], None] | None = None
) -> OsmData:
    """Read every object carrying one of ``keys`` or an address from an OSM file.

    Parameters
    ----------
    path : pathlib.Path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.
    keys : list of str
        OSM keys of interest (the category rules' keys); ``addr:housenumber``
        and ``boundary`` are always read.
    tick : callable, optional
        Called with the number of objects handled so far (for a progress bar).

    Returns
    -------
    OsmData
        Objects as points in EPSG:4326: nodes at their location, ways at a point
        on their surface (closed) or their midpoint (open), multipolygon relations
        at a point on their surface; admin_level 9/10 boundary polygons.
    """
    check_osm_file(path)
    all_keys = sorted({*keys, *ADDRESS_KEYS, "boundary"})
    wkb = WKBFactory()
    data = OsmData()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.KeyFilter(*all_keys))
    )
    count = 0
    relations: dict[int, dict[str, str]] = {}
    placed: set[int] = set()  # relations that arrived as assembled areas (in any order)
    try:
        for obj in processor:
            count += 1
            if tick is not None and count % 2000 == 0:
                tick(count)
            tags = dict(obj.tags)
            if obj.is_area():
                geometry = _area_geometry(wkb, obj)
                if geometry is None:
                    continue
                boundary = _boundary(obj, tags, geometry)
                if boundary is not None:
                    data.boundaries.append(boundary)
                if obj.from_way():
                    continue  # the way itself was handled as a way
                placed.add(obj.orig_id())
                point = geometry.representative_point()
                data.objects.append(OsmObject("r", obj.orig_id(), point.x, point.y, tags))
                continue
            if obj.is_node():
                if obj.location.valid():
                    data.objects.append(OsmObject("n", obj.id, obj.lon, obj.lat, tags))
            elif obj.is_way():
                point = _way_point(obj)
                if point is None:
                    data.unplaced.append(("w", obj.id, tags))
                else:
                    data.objects.append(OsmObject("w", obj.id, *point, tags))
            elif obj.is_relation():
                relations[obj.id] = tags  # placed if it arrives as an assembled area
    except RuntimeError as exc:
        raise OsmImportError(f"cannot read {path.name}: {exc}") from None
    data.unplaced.extend(("r", rid, tags) for rid, tags in relations.items() if rid not in placed)
    if tick is not None:
        tick(count)
    return data


def _area_geometry(wkb: WKBFactory, area):
    try:
        geometry = shapely.from_wkb(wkb.create_multipolygon(area))
    except (RuntimeError, shapely.errors.GEOSException):
        return None
    return None if geometry.is_empty else geometry
