"""Validation of features before they are written (layers, geometry, required properties)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import shapely
from shapely.geometry import shape

from sozialraum.errors import InvalidInput

#: Feature ids (the store's ``FEATURE_ID``).
FEATURE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

#: Properties the store manages itself; never taken from input.
RESERVED = ("version", "updated_at")


@dataclass(frozen=True)
class LayerSchema:
    """What a layer holds: allowed geometry types and required properties."""

    #: allowed geometry types; empty: the layer's features have a null geometry
    geometry_types: tuple[str, ...]
    required: tuple[str, ...]
    #: keep the content of every earlier version (for the note history); off for OSM layers
    keep_versions: bool = False
    #: features may also have a null geometry (e.g. a region-wide offer without a place)
    geometry_optional: bool = False


LAYERS: dict[str, LayerSchema] = {
    "resources": LayerSchema(("Point",), ("categories", "osm_type", "osm_id")),
    "addresses": LayerSchema(("Point",), ("street", "housenumber", "key", "osm_type", "osm_id")),
    "districts": LayerSchema(("Polygon", "MultiPolygon"), ("name",)),
    "notes": LayerSchema(("Point",), ("category", "text", "observed_on"), keep_versions=True),
    "walks": LayerSchema(("MultiPoint",), ("title", "walk_on", "stops"), keep_versions=True),
    "returns": LayerSchema(("Point",), ("address_key", "returned_on", "expires_on")),
    #: team meetings (no place): null geometry
    "meetings": LayerSchema((), ("team", "held_on", "started_at"), keep_versions=True),
    #: support offers: a point, or null when region-wide
    "offers": LayerSchema(("Point",), ("name", "provider"), geometry_optional=True),
    #: caseworkers' proposals of new offers or changes (no place of their own)
    "offer_proposals": LayerSchema((), ("kind", "state", "offer")),
}


#: How far (degrees) a point a user enters may lie outside its area's bounding box (≈ 10 km).
AREA_MARGIN_DEG = 0.1


def check_point_in_area(meta: dict, lon: float, lat: float) -> None:
    """Refuse a point (lon/lat degrees, EPSG:4326) outside the area's bounding box.

    The box is widened by :data:`AREA_MARGIN_DEG`; a point outside is a typo, swapped longitude and
    latitude, or another place.

    Raises
    ------
    InvalidInput
        With a German message (the point itself is not repeated).
    """
    bbox = meta.get("bbox")
    if not bbox:
        return
    west, south, east, north = bbox
    margin = AREA_MARGIN_DEG
    if not (west - margin <= lon <= east + margin and south - margin <= lat <= north + margin):
        raise InvalidInput(
            "Ort: der Punkt liegt außerhalb des Gebiets. Sind Länge und Breite vertauscht?"
        )


def check_layer(layer: str) -> LayerSchema:
    """Return the schema of ``layer`` or raise :class:`InvalidInput`."""
    try:
        return LAYERS[layer]
    except KeyError:
        raise InvalidInput(f"unknown layer {layer!r}; known: {', '.join(LAYERS)}") from None


_MAX_DEPTH = {"Point": 0, "MultiPoint": 1, "Polygon": 2, "MultiPolygon": 3}


def _positions(coords, depth: int):
    """Yield (lon, lat) positions; :class:`InvalidInput` unless nested lists of numbers."""
    stack = [(coords, depth)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, list) or not item:
            raise InvalidInput("geometry coordinates are malformed")
        if level == 0:
            if len(item) not in (2, 3) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in item
            ):
                raise InvalidInput("geometry coordinates are malformed")
            yield item[0], item[1]
        else:
            stack.extend((part, level - 1) for part in item)


def validate_feature(layer: str, feature: object) -> dict:
    """Check a GeoJSON Feature for ``layer`` and return it normalised.

    Geometry in EPSG:4326 (lon, lat in degrees, RFC 7946). Raises
    :class:`InvalidInput` with a reason on the first problem.
    """
    schema = check_layer(layer)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput("not a GeoJSON Feature")
    geometry = feature.get("geometry")
    properties = feature.get("properties")
    if schema.geometry_optional and geometry is None and isinstance(properties, dict):
        return _clean(schema, geometry, properties)
    if not schema.geometry_types:  # a layer of records without a place (RFC 7946 §3.2)
        if geometry is not None or not isinstance(properties, dict):
            raise InvalidInput(f"layer {layer!r} takes features with a null geometry")
        return _clean(schema, geometry, properties)
    if not isinstance(geometry, dict) or not isinstance(properties, dict):
        raise InvalidInput("a feature needs a geometry and properties")
    if geometry.get("type") not in schema.geometry_types:
        raise InvalidInput(f"layer {layer!r} takes {'/'.join(schema.geometry_types)} geometries")
    for lon, lat in _positions(geometry.get("coordinates"), _MAX_DEPTH[geometry["type"]]):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise InvalidInput("coordinates must be finite numbers")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(f"coordinate ({lon}, {lat}) is outside lon/lat range")
    if geometry["type"] not in ("Point", "MultiPoint"):  # finite lon/lat points are valid
        try:
            geom = shape(geometry)
        except (TypeError, ValueError, IndexError, AttributeError, shapely.errors.GEOSException):
            raise InvalidInput("geometry coordinates are malformed") from None
        if geom.is_empty:
            raise InvalidInput("geometry is empty")
        if not geom.is_valid:
            raise InvalidInput(f"geometry is invalid: {shapely.is_valid_reason(geom)}")
    return _clean(schema, geometry, properties)


def _clean(schema: LayerSchema, geometry: dict | None, properties: dict) -> dict:
    missing = [key for key in schema.required if properties.get(key) in (None, "", [])]
    if missing:
        raise InvalidInput(f"missing required properties: {', '.join(missing)}")
    clean = {k: v for k, v in properties.items() if k not in RESERVED}
    return {"type": "Feature", "geometry": geometry, "properties": clean}


def checked_feature(layer: str, feature: dict, *, new_id: str | None = None) -> dict:
    """:func:`validate_feature` of ``feature`` with its ``id`` (or ``new_id``) checked and set.

    Parameters
    ----------
    layer : str
        The layer the feature is written to.
    feature : dict
        A GeoJSON Feature (EPSG:4326).
    new_id : str, optional
        The id for a feature without one. Ids are 1–64 letters, digits, ``-`` or ``_``.

    Returns
    -------
    dict
        The validated feature with ``id``.

    Raises
    ------
    InvalidInput
        If the feature or the id is not valid.
    """
    clean = validate_feature(layer, feature)
    feature_id = feature.get("id") or new_id
    if not isinstance(feature_id, str) or not FEATURE_ID.match(feature_id):
        raise InvalidInput("feature ids are 1–64 letters, digits, '-' or '_'")
    clean["id"] = feature_id
    return clean
