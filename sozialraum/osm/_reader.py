"""One streaming pass over an OSM file (XML, gzip/bzip2 XML or PBF) with pyosmium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import osmium
import shapely
from osmium.geom import WKBFactory
from shapely.geometry import LineString, Polygon

from sozialraum.errors import OsmImportError
from sozialraum.model.categories import CategoryTable
from sozialraum.model.mailbox import communal_label, is_letter_box
from sozialraum.osm._records import Boundary, OsmData, OsmObject

SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")
ADDRESS_KEY = "addr:housenumber"
DISTRICT_ADMIN_LEVELS = (9, 10)
# Tags that OSM puts on nodes only. A key whose rules all ask for such values is left out of
# the pre-filter for ways, so that e.g. the thousands of street ways ("highway") never reach
# Python when the only highway rule is highway=bus_stop.
NODE_ONLY_VALUES = {"highway": {"bus_stop"}}


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


def _admin_level(tags) -> int | None:
    if tags.get("boundary") != "administrative":
        return None
    try:
        level = int(tags.get("admin_level", ""))
    except ValueError:
        return None
    return level if level in DISTRICT_ADMIN_LEVELS else None


def _area_geometry(wkb: WKBFactory, area):
    try:
        geometry = shapely.from_wkb(wkb.create_multipolygon(area))
    except (RuntimeError, shapely.errors.GEOSException):
        return None
    return None if geometry.is_empty else geometry


def _mailbox_evidence(tags) -> bool:
    """A letterbox or communal accommodation: kept even without an address.

    It is joined to the nearest address at import.
    """
    return is_letter_box(tags) or communal_label(tags) is not None


def _edit(obj) -> str | None:
    """The last edit day of a letterbox (``None`` for other objects or without metadata)."""
    if not is_letter_box(obj.tags):
        return None
    stamp = obj.timestamp
    return stamp.date().isoformat() if stamp is not None and stamp.year > 1970 else None


def iso_timestamp(stamp) -> str | None:
    """A datetime (or an OSM timestamp text) as UTC ISO with seconds.

    ``None`` for none or the 1970 placeholder of objects without metadata.
    """
    if stamp is None or stamp == "":
        return None
    if isinstance(stamp, str):
        try:
            stamp = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
    if stamp.year <= 1970:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="seconds")


class _NewestTimestamp:
    """A pass-through filter that remembers the newest object timestamp it sees.

    It sees every object of the file, before the key filters.
    """

    def __init__(self) -> None:
        self.newest = None

    def _seen(self, obj) -> bool:
        stamp = obj.timestamp
        if stamp is not None and (self.newest is None or stamp > self.newest):
            self.newest = stamp
        return False  # keep every object

    node = way = relation = _seen


def header_timestamp(header) -> str | None:
    """The data time a file header states as UTC ISO, or ``None``.

    ``osmosis_replication_timestamp``, else ``timestamp``.
    """
    for key in ("osmosis_replication_timestamp", "timestamp"):
        found = iso_timestamp(header.get(key, ""))
        if found:
            return found
    return None


def way_keys(table: CategoryTable) -> list[str]:
    """Keys worth looking at on ways: all rule keys except those asking for node-only values."""
    keys = []
    for key in table.osm_keys():
        node_only = NODE_ONLY_VALUES.get(key, set())
        rules = table.rules_for(key)
        if not all(rule.values is not None and rule.values <= node_only for rule in rules):
            keys.append(key)
    return keys


def _processor(path: Path, table: CategoryTable, newest: _NewestTimestamp):
    all_keys = sorted({*table.osm_keys(), ADDRESS_KEY, "boundary"})
    for_ways = sorted({*way_keys(table), ADDRESS_KEY, "boundary"})
    not_ways = osmium.osm.NODE | osmium.osm.RELATION | osmium.osm.AREA
    return (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(osmium.filter.KeyFilter(*all_keys))
        .with_filter(newest)
        .with_filter(osmium.filter.KeyFilter(*all_keys).enable_for(not_ways))
        .with_filter(osmium.filter.KeyFilter(*for_ways).enable_for(osmium.osm.WAY))
    )


def read_osm_file(
    path: Path, table: CategoryTable, tick: Callable[[int], None] | None = None
) -> OsmData:
    """Read every resource or address object from an OSM file in one streaming pass.

    Parameters
    ----------
    path : pathlib.Path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.
    table : CategoryTable
        Its rules pre-filter the file (in C++) and classify objects; objects with
        categories or ``addr:housenumber`` are kept.
    tick : callable, optional
        Called with the number of objects handled so far (for a progress bar).

    Returns
    -------
    OsmData
        Objects as points in EPSG:4326: nodes at their location, ways at a point
        on their surface (closed) or their midpoint (open), multipolygon relations
        at a point on their surface; admin_level 9/10 boundary polygons; the data's
        date (``newest_object`` over every object of the file, ``base_timestamp`` from
        the header's replication time).
    """
    check_osm_file(path)
    classify = table.classify
    wkb = WKBFactory()
    data = OsmData()
    relations: dict[int, dict[str, str]] = {}
    placed: set[int] = set()  # relations that arrived as assembled areas (in any order)
    count = 0
    newest = _NewestTimestamp()
    try:
        processor = _processor(path, table, newest)
        data.base_timestamp = header_timestamp(processor.header)
        for obj in processor:
            count += 1
            if tick is not None and count % 5000 == 0:
                tick(count)
            if obj.is_area():
                _take_area(obj, data, classify, wkb, placed)
            else:
                _take_object(obj, data, classify, relations)
    except RuntimeError as exc:
        raise OsmImportError(f"cannot read {path.name}: {exc}") from None
    data.unplaced.extend(("r", rid, tags) for rid, tags in relations.items() if rid not in placed)
    data.newest_object = iso_timestamp(newest.newest)
    if tick is not None:
        tick(count)
    return data


def _take_area(obj, data: OsmData, classify, wkb: WKBFactory, placed: set[int]) -> None:
    """An assembled area: a boundary, an object at a point on its surface, or skipped.

    An admin boundary (from a way or a relation) goes into ``data.boundaries``; a relation with
    categories or an address becomes an object at a point on its surface (its id into ``placed``).
    Areas from other ways are skipped (the way itself is handled as a way).
    """
    from_way = obj.from_way()
    if from_way and obj.tags.get("boundary") != "administrative":
        return  # the way itself is handled as a way
    tags = dict(obj.tags)
    level = _admin_level(tags)
    categories = [] if from_way else classify(tags)
    if level is None and not categories and ADDRESS_KEY not in tags:
        return
    geometry = _area_geometry(wkb, obj)
    if geometry is None:
        return
    if level is not None:
        kind = "w" if from_way else "r"
        name = tags.get("name") or f"Bezirk {obj.orig_id()}"
        data.boundaries.append(Boundary(kind, obj.orig_id(), name, level, geometry))
    if not from_way and (categories or ADDRESS_KEY in tags):
        placed.add(obj.orig_id())
        point = geometry.representative_point()
        data.objects.append(OsmObject("r", obj.orig_id(), point.x, point.y, tags, categories))


def _take_object(obj, data: OsmData, classify, relations: dict[int, dict[str, str]]) -> None:
    """A node, way or relation with categories, an address or mailbox evidence.

    Nodes at their location, ways at their point (``data.unplaced`` without one); relations wait in
    ``relations`` until they arrive as an assembled area.
    """
    tags = dict(obj.tags)
    categories = classify(tags)
    if not categories and ADDRESS_KEY not in tags and not _mailbox_evidence(tags):
        return
    if obj.is_node():
        if obj.location.valid():
            data.objects.append(
                OsmObject("n", obj.id, obj.lon, obj.lat, tags, categories, _edit(obj))
            )
    elif obj.is_way():
        point = _way_point(obj)
        if point is None:
            data.unplaced.append(("w", obj.id, tags))
        else:
            data.objects.append(OsmObject("w", obj.id, *point, tags, categories, _edit(obj)))
    elif obj.is_relation():
        relations[obj.id] = tags  # placed if it arrives as an assembled area
