"""Walking in an area: network, reachability, isochrones, Wegweiser and district profile.

The walk network, reachability, isochrones, the nearest resources on foot (Wegweiser) and the
district profile built on them (cached per data revision).
"""

from __future__ import annotations

from sozialraum.analysis import profile as _profile
from sozialraum.analysis import reachability as _reach
from sozialraum.analysis.isochrones import isochrones
from sozialraum.analysis.walking import (
    CUT_OFF_HINTS,
    CUT_OFF_TEXTS,
    DEFAULT_SPEED_KMH,
    SLOW_SPEED_KMH,
    WalkNetwork,
)
from sozialraum.errors import InvalidInput
from sozialraum.model.categories import CategoryTable
from sozialraum.services.areas.addresses import feature_address
from sozialraum.services.areas.memo import area_memo
from sozialraum.store.base import Store

#: Walking speeds the UI offers (km/h): normal and the slow profile for older or disabled people.
SPEEDS_KMH = {"normal": DEFAULT_SPEED_KMH, "langsam": SLOW_SPEED_KMH}


#: What the address guide ("Wegweiser") lists, in this order (those in the category table).
GUIDE_CATEGORIES = (
    "pharmacy",
    "post_office",
    "post_box",
    "doctor",
    "bakery",
    "supermarket",
    "school",
    "kita",
    "stop",
)


# -- walking ------------------------------------------------------------------------
def walk_network(store: Store, area: str) -> WalkNetwork:
    """The stored walk network of ``area`` (cached per revision).

    :class:`~sozialraum.analysis.reachability.AnalysisUnavailable` if there is none.
    """
    revision = store.artifact_revision(area, _reach.NETWORK_ARTIFACT)
    return area_memo.get(
        ("network", id(store), area, revision), lambda: _reach.load_network(store, area)
    )


def reachability(store: Store, area: str, table: CategoryTable) -> _reach.Reachability:
    """The reachability layer of ``area``: stored, recomputed when its data changed."""
    key = (
        "reachability",
        id(store),
        area,
        tuple(table.ids),
        store.artifact_revision(area, _reach.NETWORK_ARTIFACT),
        store.revision(area, "resources"),
        store.revision(area, "addresses"),
    )
    return area_memo.get(key, lambda: _reach.current_reachability(store, area, list(table.ids)))


def speed_kmh(name: str | None) -> float:
    """The walking speed (km/h) of a profile name (``normal``/``langsam``, default normal)."""
    if name in (None, ""):
        return DEFAULT_SPEED_KMH
    try:
        return SPEEDS_KMH[name]
    except KeyError:
        raise InvalidInput(f"unknown walking profile {name!r}; use normal or langsam") from None


def walk_isochrones(store: Store, area: str, lon: float, lat: float, speed: float) -> dict:
    """5/10/15-minute walking areas around a point (GeoJSON, EPSG:4326)."""
    return isochrones(walk_network(store, area), lon, lat, speed_kmh=speed)


def nearest_resources(
    store: Store,
    area: str,
    address_id: str,
    table: CategoryTable,
    *,
    speed: float = DEFAULT_SPEED_KMH,
    categories: tuple[str, ...] | None = None,
) -> dict:
    """Nearest resource on foot per category for one address (for cards and the guide).

    Returns
    -------
    dict
        ``cut_off`` (bool: the address is away from the walk network), ``cut_off_reason``
        (``None``, ``"off_ways"``: no walkable way near it, or ``"outside_network"``: the ways
        near it are not connected to the network, cut off at the edge of the imported data),
        ``cut_off_text`` (the reason in German, ``None`` when not cut off), ``cut_off_hint``
        (why and what to do, for staff; ``None`` unless outside the network), ``speed_kmh`` and
        ``items``: per category (in ``categories`` or table order) ``category``, ``label``,
        ``colour`` and ``resource`` (id, name, address — its own or ``"nahe …"`` the nearest
        within 150 m, see :func:`place_address` —, lon/lat), ``distance_m``, ``walk_min``
        — the last three ``None`` when none is reachable.
    """
    layer = reachability(store, area, table)
    found = layer.for_address(address_id, speed)
    wanted = [c for c in (categories or table.ids) if c in table and c in found]
    items = []
    for category in wanted:
        entry = found[category]
        item = {
            "category": category,
            "label": table[category].label,
            "colour": table[category].colour,
            "resource": None,
            "distance_m": None,
            "walk_min": None,
        }
        if entry is not None:
            feature = store.get(area, "resources", entry["resource"])
            props = feature["properties"]
            item.update(
                resource={
                    "id": feature["id"],
                    "name": props.get("name"),
                    "address": feature_address(store, area, feature) or "",
                    "lon": feature["geometry"]["coordinates"][0],
                    "lat": feature["geometry"]["coordinates"][1],
                },
                distance_m=entry["distance_m"],
                walk_min=entry["walk_min"],
            )
        items.append(item)
    reason = layer.cut_off_reason(address_id)
    return {
        "cut_off": reason is not None,
        "cut_off_reason": reason,
        "cut_off_text": CUT_OFF_TEXTS.get(reason),
        "cut_off_hint": CUT_OFF_HINTS.get(reason),
        "speed_kmh": speed,
        "items": items,
    }


def area_profile(
    store: Store, area: str, table: CategoryTable, *, speed: float = DEFAULT_SPEED_KMH
) -> list[dict]:
    """District profile rows of ``area`` (see :func:`sozialraum.analysis.profile.district_profile`).

    Cached per revision of the data; do not change the result.
    """
    layer = reachability(store, area, table)
    teams = store.read_meta(area).get("teams", {})
    key = (
        "profile",
        id(store),
        area,
        speed,
        tuple(sorted(layer.basis.items())),
        tuple(sorted(teams.items())),
        store.revision(area, "districts"),
    )
    return area_memo.get(
        key,
        lambda: _profile.district_profile(
            store.query(area, "districts"),
            store.query(area, "addresses"),
            store.query(area, "resources"),
            layer,
            table,
            speed_kmh=speed,
            teams=teams,
        ),
    )
