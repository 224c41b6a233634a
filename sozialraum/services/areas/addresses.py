"""Addresses and resources of an area.

Search indexes (cached per layer revision), cards, the address of a place.
"""

from __future__ import annotations

from sozialraum.analysis.matching import AddressMatcher
from sozialraum.analysis.nearby import AddressPoints, ResourceIndex
from sozialraum.analysis.search import AddressIndex
from sozialraum.model.categories import CategoryTable
from sozialraum.services.areas.memo import layer_memo
from sozialraum.store.base import Store

OSM_URL = "https://www.openstreetmap.org/{kind}/{id}"


def address_index(store: Store, area: str) -> AddressIndex:
    """The address search index of ``area`` (cached per revision)."""
    return layer_memo(store, area, "addresses", "addresses", AddressIndex)


def address_matcher(store: Store, area: str) -> AddressMatcher:
    """The address matcher of ``area`` for the mailbox check (cached per revision)."""
    return layer_memo(store, area, "addresses", "matcher", AddressMatcher)


def address_points(store: Store, area: str) -> AddressPoints:
    """Addresses of ``area`` projected to EPSG:25832 for nearest-address look-ups.

    Cached per revision.
    """
    return layer_memo(store, area, "addresses", "address_points", AddressPoints)


def resource_index(store: Store, area: str) -> ResourceIndex:
    """Resources of ``area`` projected to EPSG:25832 (cached per revision)."""
    return layer_memo(store, area, "resources", "resources", ResourceIndex)


def resource_card(store: Store, area: str, resource_id: str, table: CategoryTable) -> dict:
    """Everything a resource card shows: name, categories, address, hours, contact, OSM link."""
    feature = store.get(area, "resources", resource_id)
    props = feature["properties"]
    return {
        "id": feature["id"],
        "name": props.get("name"),
        "categories": [
            {"id": c, "label": table[c].label if c in table else c} for c in props["categories"]
        ],
        "address": {k: props.get(k) for k in ("street", "housenumber", "postcode", "city")},
        "opening_hours": props.get("opening_hours"),
        "wheelchair": props.get("wheelchair"),
        "phone": props.get("phone"),
        "email": props.get("email"),
        "website": props.get("website"),
        "operator": props.get("operator"),
        "district": props.get("district"),
        "osm_url": OSM_URL.format(kind=props["osm_type"], id=props["osm_id"]),
        "geometry": feature["geometry"],
    }


def address_card(store: Store, area: str, address_id: str, *, radius_m: float = 600.0) -> dict:
    """An address with the resources nearby (straight line, metres in EPSG:25832)."""
    feature = store.get(area, "addresses", address_id)
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    return {
        "id": feature["id"],
        "address": {k: props.get(k) for k in ("street", "housenumber", "postcode", "city")},
        "district": props.get("district"),
        "geometry": feature["geometry"],
        "nearby": resource_index(store, area).nearby(lon, lat, radius_m=radius_m),
        "radius_m": radius_m,
    }


#: How far (straight line, metres) the nearest address of a place without one may lie.
NEAR_ADDRESS_RADIUS_M = 150.0


def place_address(
    store: Store,
    area: str,
    own: str | None,
    lon: float | None,
    lat: float | None,
    *,
    radius_m: float = NEAR_ADDRESS_RADIUS_M,
) -> str | None:
    """What a handout says where a place is: its own address, else the nearest one.

    Parameters
    ----------
    own : str or None
        The place's own address text (e.g. ``"Rheydter Straße 12"``); used when not empty.
    lon, lat : float or None
        The place (EPSG:4326, degrees).
    radius_m : float
        How far the nearest address may lie (straight line, metres, EPSG:25832).

    Returns
    -------
    str or None
        ``own``, or ``"nahe Musterstraße 3"``, or ``None`` (no address within ``radius_m``
        or no point).
    """
    if own and own.strip():
        return own.strip()
    if lon is None or lat is None:
        return None
    found = address_points(store, area).nearest(lon, lat, radius_m=radius_m, limit=1)
    if not found:
        return None
    nearest = found[0]
    return "nahe " + " ".join(filter(None, (nearest["street"], nearest["housenumber"])))


def feature_address(store: Store, area: str, feature: dict) -> str | None:
    """:func:`place_address` of a resource or an offer feature (GeoJSON, EPSG:4326).

    Its ``address`` or street and house number, else the nearest address.
    """
    props = feature.get("properties") or {}
    own = props.get("address")
    if not isinstance(own, str):
        own = " ".join(filter(None, (props.get("street"), props.get("housenumber"))))
    coordinates = (feature.get("geometry") or {}).get("coordinates") or [None, None]
    return place_address(store, area, own, coordinates[0], coordinates[1])
