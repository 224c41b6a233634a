"""The features an OSM import writes (EPSG:4326).

Which objects are resources and addresses, and the resource, address and district features.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from sozialraum.errors import NotFound, OsmImportError
from sozialraum.model.addresses import address_key
from sozialraum.osm._records import OSM_TYPES, OsmObject
from sozialraum.osm.districts import District, geometry_to_geojson
from sozialraum.store.base import Store

#: OSM tags kept on resources besides name and address (for cards and later checks).
RESOURCE_TAGS = {
    "opening_hours": "opening_hours",
    "wheelchair": "wheelchair",
    "phone": "phone",
    "contact:phone": "phone",
    "website": "website",
    "contact:website": "website",
    "email": "email",
    "contact:email": "email",
    "operator": "operator",
    "collection_times": "collection_times",
    "religion": "religion",
    "denomination": "denomination",
    "social_facility": "social_facility",
    "social_facility:for": "social_facility_for",
    "post_office": "post_office",
}
ADDRESS_FIELDS = {
    "addr:street": "street",
    "addr:housenumber": "housenumber",
    "addr:postcode": "postcode",
    "addr:city": "city",
}


def _osm_point_feature(obj: OsmObject, props: dict, district, decimals: int) -> dict:
    """A point Feature of ``obj`` with ``props``, its OSM reference and ``district`` added.

    The point is rounded to ``decimals`` (degrees, EPSG:4326).
    """
    props.update(osm_type=OSM_TYPES[obj.osm_type], osm_id=obj.osm_id, district=district)
    point = [round(obj.lon, decimals), round(obj.lat, decimals)]
    return {
        "type": "Feature",
        "id": obj.feature_id,
        "geometry": {"type": "Point", "coordinates": point},
        "properties": props,
    }


def address_props(tags: dict[str, str]) -> dict:
    """The address fields of OSM ``tags`` (:data:`ADDRESS_FIELDS`), trimmed, where given."""
    return {ours: tags[osm].strip() for osm, ours in ADDRESS_FIELDS.items() if tags.get(osm)}


def resource_feature(obj, categories, district, decimals) -> dict:
    """A resource as a GeoJSON Feature.

    Name, categories, address, :data:`RESOURCE_TAGS`, OSM reference and district; point rounded to
    ``decimals`` (degrees, EPSG:4326).
    """
    tags = obj.tags
    props = {"name": tags.get("name"), "categories": categories, **address_props(tags)}
    for osm_key, ours in RESOURCE_TAGS.items():
        if tags.get(osm_key) and ours not in props:
            props[ours] = tags[osm_key]
    return _osm_point_feature(obj, props, district, decimals)


def address_feature(obj, district, decimals) -> dict:
    """An address as a GeoJSON Feature.

    Address fields, its matching ``key``, building, OSM reference and district; point rounded to
    ``decimals`` (degrees, EPSG:4326).
    """
    props = address_props(obj.tags)
    props["key"] = address_key(props["street"], props["housenumber"], props.get("postcode"))
    if obj.tags.get("building"):
        props["building"] = obj.tags["building"]
    return _osm_point_feature(obj, props, district, decimals)


def orphaned_notes(store: Store, area: str, resource_ids: set, address_keys: set) -> list[dict]:
    """Notes whose linked resource or address is no longer among the imported ones."""
    try:
        notes = store.query(area, "notes")
    except NotFound:
        return []
    orphaned = []
    for note in notes:
        props = note["properties"]
        ref, key = props.get("osm_ref"), props.get("address_key")
        if ref and ref not in resource_ids:
            orphaned.append({"note": note["id"], "osm_ref": ref})
        elif key and key not in address_keys:
            orphaned.append({"note": note["id"], "address_key": key})
    return orphaned


def district_features(districts: list[District], decimals: int) -> list[dict]:
    """The districts as GeoJSON Features (name and source; coordinates rounded, EPSG:4326)."""
    return [
        {
            "type": "Feature",
            "id": d.id,
            "geometry": geometry_to_geojson(d.geometry, decimals),
            "properties": {"name": d.name, "source": d.source},
        }
        for d in districts
    ]


def objects_inside(objects: list[OsmObject], clip: BaseGeometry | None) -> list[OsmObject]:
    """The objects inside ``clip`` (all without one)."""
    if clip is None or not objects:
        return objects
    shapely.prepare(clip)
    xs = np.fromiter((o.lon for o in objects), float, len(objects))
    ys = np.fromiter((o.lat for o in objects), float, len(objects))
    return [
        o for o, inside in zip(objects, shapely.intersects_xy(clip, xs, ys), strict=True) if inside
    ]


def resources_and_addresses(objects: list[OsmObject], clip) -> tuple[list, list]:
    """Resources and addresses among the objects.

    Resources with their categories, addresses with street and house number; :class:`OsmImportError`
    if there are none.
    """
    resources, addresses = [], []
    for obj in objects:
        cats = obj.categories
        if cats:
            resources.append((obj, cats))
        if obj.tags.get("addr:street", "").strip() and obj.tags.get("addr:housenumber", "").strip():
            addresses.append(obj)
    if not resources and not addresses:
        where = "inside the clip area" if clip is not None else "in the data"
        raise OsmImportError(f"no resources or addresses found {where}; nothing was imported")
    return resources, addresses


def category_counts(category_ids, resources: list) -> dict[str, int]:
    """Resources per category id (a resource counts in each of its categories)."""
    counts = {cat_id: 0 for cat_id in category_ids}
    for _, cats in resources:
        for cat_id in cats:
            counts[cat_id] += 1
    return counts
