"""Read-side services over one area: summaries, indexes, cards (no Flask).

Derived structures (search index, projected resources) are cached per layer
revision, so they are rebuilt only after the layer file changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sozialraum.analysis import profile as _profile
from sozialraum.analysis import reachability as _reach
from sozialraum.analysis.counts import addresses_by_district, counts_by_district
from sozialraum.analysis.isochrones import isochrones
from sozialraum.analysis.matching import AddressMatcher
from sozialraum.analysis.nearby import AddressPoints, ResourceIndex
from sozialraum.analysis.search import AddressIndex
from sozialraum.analysis.walk import (
    CUT_OFF_HINTS,
    CUT_OFF_TEXTS,
    DEFAULT_SPEED_KMH,
    SLOW_SPEED_KMH,
    WalkNetwork,
)
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.categories import CategoryTable
from sozialraum.model.teams import resolve_team
from sozialraum.store.base import Store

OSM_URL = "https://www.openstreetmap.org/{kind}/{id}"


class _Memo:
    """A small LRU of derived objects keyed by (kind, area, revision)."""

    def __init__(self, size: int = 16):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key, build):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_memo = _Memo()


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


def has_walk_network(meta: dict) -> bool:
    """Whether the last import built a walk network for the area (see ``walk_network``)."""
    return bool((meta.get("walk_network") or {}).get("nodes"))


#: How the OSM data's date was found (area.json ``osm_data.source``) → German note.
DATA_DATE_SOURCES = {
    "header": "Datenstand der OSM-Datei",
    "overpass": "Datenstand des OSM-Servers",
    "newest_object": "jüngste Änderung in den Daten",
}


def _local_day(value: str | None) -> str | None:
    """A UTC ISO time (or an ISO date) as a German day ``TT.MM.JJJJ`` in Europe/Berlin."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return moment.strftime("%d.%m.%Y")


def data_date(meta: dict) -> dict:
    """When an area's map data is from, for handouts ("Stand der Kartendaten").

    The OSM data's own date (``osm_data`` in area.json: the file header's replication
    time, the Overpass server's data time or the newest object's timestamp) — not the
    import day. Areas imported before this was recorded show the import day, labelled
    as such.

    Returns
    -------
    dict
        ``date`` (``TT.MM.JJJJ`` or ``None``), ``note`` (German: where the date comes
        from), ``imported_on`` (``TT.MM.JJJJ`` or ``None``) and ``text``: the whole German
        line, e.g. ``"14.07.2026 (Datenstand der OSM-Datei), importiert am 02.12.2026"``.
    """
    imported = _local_day(meta.get("imported_at"))
    osm = meta.get("osm_data")
    if not isinstance(osm, dict):  # imported before the data date was recorded
        return {
            "date": None,
            "note": "Datenstand nicht erfasst",
            "imported_on": imported,
            "text": f"Import vom {imported} (Datenstand der OSM-Daten nicht erfasst)"
            if imported
            else "unbekannt",
        }
    day = _local_day(osm.get("date"))
    if day is None:
        text = "unbekannt (die OSM-Daten nennen kein Datum)"
        note = "die OSM-Daten nennen kein Datum"
    else:
        note = DATA_DATE_SOURCES.get(osm.get("source") or "", "Datenstand")
        text = f"{day} ({note})"
    if imported:
        text += f", importiert am {imported}"
    return {"date": day, "note": note, "imported_on": imported, "text": text}


def area_warnings(meta: dict) -> list[str]:
    """German warnings about an area's state (unfinished import, notes with vanished links)."""
    warnings = []
    if meta.get("import_in_progress"):
        warnings.append("Der letzte Import wurde nicht abgeschlossen. Bitte erneut importieren.")
    if not has_walk_network(meta):
        warnings.append(
            "Für dieses Gebiet gibt es kein Fußwegenetz: Wege und Gehzeiten fehlen. "
            "Bitte das Gebiet neu importieren (mit Straßen und Wegen)."
        )
    orphaned = len(meta.get("orphaned_notes") or [])
    if orphaned:
        warnings.append(
            f"{orphaned} Notiz(en) verweisen auf Orte, die es in OpenStreetMap nicht "
            "mehr gibt. Die Notizen bleiben erhalten; bitte prüfen."
        )
    return warnings


def address_index(store: Store, area: str) -> AddressIndex:
    """The address search index of ``area`` (cached per revision)."""
    revision = store.revision(area, "addresses")
    return _memo.get(
        ("addresses", id(store), area, revision),
        lambda: AddressIndex(store.query(area, "addresses")),
    )


def address_matcher(store: Store, area: str) -> AddressMatcher:
    """The address matcher of ``area`` for the mailbox check (cached per revision)."""
    revision = store.revision(area, "addresses")
    return _memo.get(
        ("matcher", id(store), area, revision),
        lambda: AddressMatcher(store.query(area, "addresses")),
    )


def address_points(store: Store, area: str) -> AddressPoints:
    """Addresses of ``area`` projected to EPSG:25832 for nearest-address look-ups (cached
    per revision)."""
    revision = store.revision(area, "addresses")
    return _memo.get(
        ("address_points", id(store), area, revision),
        lambda: AddressPoints(store.query(area, "addresses")),
    )


def resource_index(store: Store, area: str) -> ResourceIndex:
    """Resources of ``area`` projected to EPSG:25832 (cached per revision)."""
    revision = store.revision(area, "resources")
    return _memo.get(
        ("resources", id(store), area, revision),
        lambda: ResourceIndex(store.query(area, "resources")),
    )


def district_summaries(store: Store, area: str, table: CategoryTable) -> list[dict]:
    """Districts of ``area`` with team, address count and counts per category id.

    Cached per revision of the layers and the team assignments; do not change the result.
    """
    teams = store.read_meta(area).get("teams", {})
    key = (
        "districts",
        id(store),
        area,
        tuple(table.ids),
        tuple(sorted(teams.items())),
        *(store.revision(area, layer) for layer in ("resources", "addresses", "districts")),
    )
    return _memo.get(key, lambda: _district_summaries(store, area, table, teams))


def _district_summaries(store: Store, area: str, table: CategoryTable, teams: dict) -> list[dict]:
    per_category = counts_by_district(store.query(area, "resources"), table.ids)
    per_address = addresses_by_district(store.query(area, "addresses"))
    empty = dict.fromkeys(table.ids, 0)
    return [
        {
            "id": d["id"],
            "name": d["properties"]["name"],
            "team": teams.get(d["id"]),
            "addresses": per_address.get(d["id"], 0),
            "counts": per_category.get(d["id"], empty),
        }
        for d in store.query(area, "districts")
    ]


def live_counts(store: Store, area: str, table: CategoryTable) -> dict:
    """Current numbers of an area (not those saved at import): resources, addresses and
    resources per category id. Cached per revision of the layers."""
    key = (
        "counts",
        id(store),
        area,
        tuple(table.ids),
        store.revision(area, "resources"),
        store.revision(area, "addresses"),
    )

    def build():
        resources = store.query(area, "resources")
        counts = dict.fromkeys(table.ids, 0)
        for feature in resources:
            for category in feature["properties"]["categories"]:
                if category in counts:
                    counts[category] += 1
        return {
            "resources": len(resources),
            "addresses": len(store.query(area, "addresses")),
            "counts": counts,
        }

    return _memo.get(key, build)


def district_names(store: Store, area: str) -> dict[str, str]:
    """District id → name."""
    return {d["id"]: d["properties"].get("name") for d in store.query(area, "districts")}


def find_district(store: Store, area: str, district: str) -> dict:
    """A district feature by id or (case-insensitive) name; :class:`NotFound` otherwise."""
    features = store.query(area, "districts")
    for feature in features:
        if feature["id"] == district:
            return feature
    matches = [f for f in features if f["properties"]["name"].casefold() == district.casefold()]
    if len(matches) == 1:
        return matches[0]
    raise NotFound(f"district {district!r} does not exist in area {area!r}")


def area_teams(store: Store) -> set[str]:
    """Team names assigned to districts in any area of ``store``."""
    teams = set()
    for name in store.areas():
        try:
            teams.update((store.read_meta(name).get("teams") or {}).values())
        except NotFound:
            continue
    return teams


def assign_team(
    store: Store,
    area: str,
    district: str,
    team: str | None,
    *,
    actor: str,
    known_teams: Iterable[str] = (),
) -> str:
    """Make ``team`` responsible for a district (``None`` removes it); returns the district id.

    Team assignments live in the area metadata, so a re-import keeps them. The name is
    resolved with :func:`sozialraum.model.teams.resolve_team` against the teams of all
    areas and ``known_teams`` (e.g. the accounts' teams): "Team  süd" becomes an existing
    "Team Süd".
    """
    district_id = find_district(store, area, district)["id"]
    if team is not None:
        team = resolve_team(team, area_teams(store) | set(known_teams))
        if not 1 <= len(team) <= 60:
            raise InvalidInput("a team name has 1 to 60 characters")
    meta = store.read_meta(area)
    teams = dict(meta.get("teams") or {})
    if team is None:
        teams.pop(district_id, None)
    else:
        teams[district_id] = team
    store.write_meta(area, {**meta, "teams": teams}, actor=actor)
    return district_id


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


# -- walking ------------------------------------------------------------------------
def walk_network(store: Store, area: str) -> WalkNetwork:
    """The stored walk network of ``area`` (cached per revision).

    :class:`~sozialraum.analysis.reachability.AnalysisUnavailable` if there is none.
    """
    revision = store.artifact_revision(area, _reach.NETWORK_ARTIFACT)
    return _memo.get(
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
    return _memo.get(key, lambda: _reach.current_reachability(store, area, list(table.ids)))


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
    """:func:`place_address` of a resource or an offer feature (GeoJSON, EPSG:4326): its
    ``address`` or street and house number, else the nearest address."""
    props = feature.get("properties") or {}
    own = props.get("address")
    if not isinstance(own, str):
        own = " ".join(filter(None, (props.get("street"), props.get("housenumber"))))
    coordinates = (feature.get("geometry") or {}).get("coordinates") or [None, None]
    return place_address(store, area, own, coordinates[0], coordinates[1])


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
    return _memo.get(
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
