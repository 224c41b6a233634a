"""One streaming pyosmium pass that collects the basemap's features (tile schema, issue 20)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import osmium
import shapely
from osmium.geom import WKBFactory
from shapely.geometry.base import BaseGeometry

from sozialraum.errors import OsmImportError

SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")

ROAD_KINDS = {
    "motorway": "motorway",
    "motorway_link": "motorway",
    "trunk": "trunk",
    "trunk_link": "trunk",
    "primary": "primary",
    "primary_link": "primary",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "tertiary",
    "tertiary_link": "tertiary",
    "unclassified": "unclassified",
    "road": "unclassified",
    "residential": "residential",
    "living_street": "living_street",
    "service": "service",
    "pedestrian": "pedestrian",
    "track": "track",
}
PATH_KINDS = {"footway", "cycleway", "path", "steps", "bridleway"}
RAIL_KINDS = {"rail", "light_rail", "tram", "subway", "narrow_gauge"}
WATERWAY_KINDS = {"river", "stream", "canal", "ditch", "drain"}
PLACE_KINDS = {
    "city",
    "town",
    "suburb",
    "quarter",
    "neighbourhood",
    "village",
    "hamlet",
    "locality",
}
GREEN = {
    ("leisure", "park"): "park",
    ("leisure", "garden"): "garden",
    ("leisure", "playground"): "playground",
    ("leisure", "pitch"): "pitch",
    ("leisure", "recreation_ground"): "recreation_ground",
    ("landuse", "recreation_ground"): "recreation_ground",
    ("landuse", "cemetery"): "cemetery",
    ("amenity", "grave_yard"): "cemetery",
    ("landuse", "grass"): "grass",
    ("landuse", "village_green"): "grass",
    ("natural", "grassland"): "grass",
    ("landuse", "meadow"): "meadow",
    ("landuse", "allotments"): "allotments",
}
FOREST = {("landuse", "forest"): "forest", ("natural", "wood"): "wood"}
WATER_VALUES = {"basin": "basin", "reservoir": "reservoir", "river": "riverbank"}
NOT_LANDUSE = {"forest", "grass", "meadow", "cemetery", "recreation_ground", "allotments"}
NOT_LANDUSE |= {"village_green", "basin", "reservoir"}

#: Layers in drawing order (bottom to top) with the zoom they start at.
LAYERS = {
    "landuse": 12,
    "forest": 12,
    "green": 12,
    "water": 12,
    "waterways": 12,
    "buildings": 14,
    "paths": 14,
    "roads": 12,
    "rail": 12,
    "boundary": 12,
    "housenumbers": 17,
    "places": 12,
}
#: Road kinds that start later than their layer.
ROAD_MINZOOM = {"service": 14, "track": 14}
#: Attribute names per layer (for the PMTiles ``vector_layers`` metadata).
FIELDS = {
    "roads": {"kind": "String", "name": "String", "ref": "String"},
    "paths": {"kind": "String", "name": "String"},
    "rail": {"kind": "String"},
    "buildings": {},
    "housenumbers": {"housenumber": "String", "street": "String"},
    "water": {"kind": "String"},
    "waterways": {"kind": "String", "name": "String"},
    "green": {"kind": "String"},
    "forest": {"kind": "String"},
    "landuse": {"kind": "String"},
    "places": {"kind": "String", "name": "String"},
    "boundary": {},
}
_NODE_KEYS = ("addr:housenumber", "place")
_WAY_KEYS = ("highway", "railway", "waterway", "addr:housenumber")
_AREA_KEYS = ("building", "landuse", "natural", "leisure", "water", "waterway", "amenity")
_AREA_KEYS += ("addr:housenumber",)


class BasemapInputError(OsmImportError):
    """The OSM file for the basemap is missing, unsupported or unreadable."""


@dataclass
class BasemapFeatures:
    """The collected features in EPSG:4326, one row per feature.

    ``layer`` holds layer names, ``geometry`` shapely geometries (lon/lat degrees),
    ``props`` the tile attributes, ``minzoom`` the first zoom that shows the feature.
    """

    layer: list[str] = field(default_factory=list)
    geometry: list = field(default_factory=list)
    props: list[dict] = field(default_factory=list)
    minzoom: list[int] = field(default_factory=list)
    newest: datetime | None = None
    header_time: str | None = None

    def add(self, layer: str, geometry, props: dict, minzoom: int | None = None) -> None:
        """Append one feature (``geometry`` in lon/lat degrees, EPSG:4326).

        ``minzoom`` defaults to the layer's first zoom in :data:`LAYERS`.
        """
        self.layer.append(layer)
        self.geometry.append(geometry)
        self.props.append(props)
        self.minzoom.append(LAYERS[layer] if minzoom is None else minzoom)

    def data_date(self) -> str | None:
        """The OSM data's date (UTC ISO), or ``None``.

        The file header's replication time, else the newest object's timestamp.
        """
        if self.header_time:
            return self.header_time
        if self.newest is None:
            return None
        return self.newest.astimezone(UTC).isoformat(timespec="seconds")


def name_of(tags) -> str:
    """The German name of an object: ``name:de`` if present, else ``name`` (else "")."""
    return (tags.get("name:de") or tags.get("name") or "").strip()


def _props(**values) -> dict:
    return {k: v for k, v in values.items() if v}


def _polygon_feature(tags) -> tuple[str, str] | None:
    """(layer, kind) of an area object, or ``None``."""
    building = tags.get("building")
    if building and building != "no":
        return "buildings", ""
    natural, landuse, water = tags.get("natural"), tags.get("landuse"), tags.get("water")
    if natural == "water" or tags.get("waterway") in ("riverbank", "dock"):
        if tags.get("waterway") == "riverbank":
            return "water", "riverbank"
        return "water", WATER_VALUES.get(water or "", "water")
    if landuse in ("basin", "reservoir"):
        return "water", landuse
    for key in ("leisure", "landuse", "natural", "amenity"):
        value = tags.get(key)
        if value is None:
            continue
        if (key, value) in FOREST:
            return "forest", FOREST[(key, value)]
        if (key, value) in GREEN:
            return "green", GREEN[(key, value)]
    if landuse and landuse not in NOT_LANDUSE:
        return "landuse", landuse
    return None


def _line_feature(tags) -> tuple[str, str, int] | None:
    """(layer, kind, minzoom) of a way drawn as a line, or ``None``."""
    highway = tags.get("highway")
    if highway is not None and tags.get("area") != "yes":
        if highway in ROAD_KINDS:
            kind = ROAD_KINDS[highway]
            return "roads", kind, ROAD_MINZOOM.get(kind, LAYERS["roads"])
        if highway in PATH_KINDS:
            return "paths", highway, LAYERS["paths"]
    railway = tags.get("railway")
    if railway in RAIL_KINDS:
        return "rail", railway, LAYERS["rail"]
    waterway = tags.get("waterway")
    if waterway in WATERWAY_KINDS:
        return "waterways", waterway, LAYERS["waterways"]
    return None


def _check(path: Path) -> None:
    if not path.is_file():
        raise BasemapInputError(f"OSM file not found: {path}")
    if not path.name.lower().endswith(SUFFIXES):
        raise BasemapInputError(
            f"unsupported file format: {path.name}; supported: {', '.join(SUFFIXES)}"
        )


def _header_time(header) -> str | None:
    for key in ("osmosis_replication_timestamp", "timestamp"):
        text = header.get(key, "")
        if not text:
            continue
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            continue
        if stamp.year > 1970:
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=UTC)
            return stamp.astimezone(UTC).isoformat(timespec="seconds")
    return None


class BasemapCollector:
    """Collects the basemap features from OSM objects, one at a time.

    :func:`read_basemap_features` feeds it from its own pass; the import's pass can feed
    the same objects (nodes and ways with locations, areas from ``with_areas``) if its
    filters let through the keys in ``NODE_KEYS``, ``WAY_KEYS`` and ``AREA_KEYS``.
    Objects it has no use for are ignored.
    """

    NODE_KEYS = _NODE_KEYS
    WAY_KEYS = _WAY_KEYS
    AREA_KEYS = _AREA_KEYS

    def __init__(self) -> None:
        self._wkb = WKBFactory()
        self._layers: list[str] = []
        self._wkbs: list[bytes] = []
        self._props: list[dict] = []
        self._minzooms: list[int] = []
        self.newest: datetime | None = None
        self.header_time: str | None = None

    def _keep(self, layer: str, data: bytes, attrs: dict, minzoom: int | None = None) -> None:
        self._layers.append(layer)
        self._wkbs.append(data)
        self._props.append(attrs)
        self._minzooms.append(LAYERS[layer.split(":")[0]] if minzoom is None else minzoom)

    def add(self, obj) -> None:
        """Take one pyosmium object (node, way or area; relations are ignored)."""
        if obj.is_relation():
            return
        tags = obj.tags
        stamp = obj.timestamp
        if stamp is not None and (self.newest is None or stamp > self.newest):
            self.newest = stamp
        keep, wkb = self._keep, self._wkb
        if obj.is_node():
            if not obj.location.valid():
                return
            number = tags.get("addr:housenumber")
            place = tags.get("place")
            if not number and place not in PLACE_KINDS:
                return
            point = wkb.create_point(obj.location)
            if number:
                street = tags.get("addr:street") or tags.get("addr:place")
                keep("housenumbers", point, _props(housenumber=number, street=street))
            if place in PLACE_KINDS and name_of(tags):
                keep("places", point, {"kind": place, "name": name_of(tags)})
        elif obj.is_way():
            line = _line_feature(tags)
            number = tags.get("addr:housenumber")
            if line is None and not number:
                return
            closed = obj.is_closed()
            if line is None and closed:
                return  # closed ways with an address arrive as areas
            try:
                data = wkb.create_linestring(obj)
            except (RuntimeError, osmium.InvalidLocationError):
                return
            if line is not None:
                layer, kind, minzoom = line
                attrs = {"kind": kind}
                if layer != "rail":
                    attrs.update(_props(name=name_of(tags)))
                if layer == "roads":
                    attrs.update(_props(ref=tags.get("ref", "").strip()))
                keep(layer, data, attrs, minzoom)
            if number and not closed:
                street = tags.get("addr:street") or tags.get("addr:place")
                keep("housenumbers:line", data, _props(housenumber=number, street=street))
        elif obj.is_area():
            polygon = _polygon_feature(tags)
            number = tags.get("addr:housenumber")
            if polygon is None and not number:
                return
            try:
                data = wkb.create_multipolygon(obj)
            except (RuntimeError, osmium.InvalidLocationError):
                return
            if polygon is not None:
                layer, kind = polygon
                keep(layer, data, _props(kind=kind))
            if number:
                street = tags.get("addr:street") or tags.get("addr:place")
                keep("housenumbers:area", data, _props(housenumber=number, street=street))

    def features(self, area_4326: BaseGeometry) -> BasemapFeatures:
        """The collected features that meet the area (EPSG:4326).

        Lines of one layer and attributes joined, house numbers of buildings as points on them.
        """
        out = BasemapFeatures(header_time=self.header_time)
        out.newest = self.newest.astimezone(UTC) if self.newest is not None else None
        if not self._wkbs:
            return out
        geoms = shapely.from_wkb(self._wkbs)
        layer_of = np.array(self._layers, dtype=object)
        # house numbers of areas and lines become points on them
        for suffix in ("housenumbers:area", "housenumbers:line"):
            rows = layer_of == suffix
            if rows.any():
                if suffix.endswith("area"):
                    geoms[rows] = shapely.point_on_surface(shapely.make_valid(geoms[rows]))
                else:
                    geoms[rows] = shapely.line_interpolate_point(geoms[rows], 0.5, normalized=True)
                layer_of[rows] = "housenumbers"
        shapely.prepare(area_4326)
        inside = shapely.intersects(area_4326, geoms) & ~shapely.is_empty(geoms)
        rows = np.flatnonzero(inside)
        props, minzooms = self._props, self._minzooms
        kept = [layer_of[i] for i in rows], geoms[rows], [props[i] for i in rows]
        for layer, geometry, attrs, minzoom in _merge_lines(*kept, [minzooms[i] for i in rows]):
            out.add(layer, geometry, attrs, minzoom)
        return out


def read_basemap_features(path: Path, area_4326: BaseGeometry) -> BasemapFeatures:
    """Collect the basemap features of an OSM file in one streaming pass.

    Parameters
    ----------
    path : pathlib.Path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.
    area_4326 : shapely geometry
        The clip area (EPSG:4326, lon/lat degrees, already including the margin);
        features that do not intersect it are dropped. Clipping itself happens later,
        in Web Mercator.

    Returns
    -------
    BasemapFeatures
        Lines (roads, paths, rail, waterways), polygons (buildings, water, green,
        forest, landuse) and points (house numbers, places) in EPSG:4326 with their
        tile attributes. Roads, paths and waterways of the same kind and name are
        merged into longer lines (fewer features, better labels).

    Raises
    ------
    BasemapInputError
        For a missing, unsupported or unreadable file.
    """
    path = Path(path)
    _check(path)
    collector = BasemapCollector()
    not_ways = osmium.osm.NODE | osmium.osm.RELATION | osmium.osm.AREA
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter(*_AREA_KEYS))
            .with_filter(osmium.filter.KeyFilter(*_NODE_KEYS).enable_for(osmium.osm.NODE))
            .with_filter(osmium.filter.KeyFilter(*_WAY_KEYS).enable_for(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter(*_AREA_KEYS).enable_for(osmium.osm.AREA))
            .with_filter(osmium.filter.EmptyTagFilter().enable_for(not_ways))
        )
        if path.name.lower().endswith(".pbf"):  # XML headers carry no replication time
            collector.header_time = _header_time(processor.header)
        add = collector.add
        for obj in processor:
            add(obj)
    except RuntimeError as exc:
        raise BasemapInputError(f"cannot read {path.name}: {exc}") from None
    return collector.features(area_4326)


_MERGED = ("roads", "paths", "waterways", "rail")


def _merge_lines(layers, geoms, props, minzooms):
    """Join touching lines of the same layer and attributes into longer lines."""
    groups: dict[tuple, list[int]] = {}
    for i, layer in enumerate(layers):
        if layer in _MERGED:
            key = (layer, tuple(sorted(props[i].items())), minzooms[i])
            groups.setdefault(key, []).append(i)
        else:
            yield layer, geoms[i], props[i], minzooms[i]
    for (layer, _attrs, minzoom), rows in groups.items():
        attrs = props[rows[0]]
        if len(rows) == 1:
            yield layer, geoms[rows[0]], attrs, minzoom
            continue
        joined = shapely.line_merge(shapely.multilinestrings(geoms[rows]))
        for part in shapely.get_parts(joined):
            yield layer, part, attrs, minzoom
