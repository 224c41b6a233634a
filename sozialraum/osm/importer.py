"""Import an area from OSM into the store: resources, addresses, districts, metadata.

All entry points (file, place, bbox) route through :func:`import_area`.
Field notes keep their text; notes whose linked OSM object vanished are kept and
flagged in the area metadata (``orphaned_notes``).

A re-import keeps the stored districts and their teams unless a districts file is given.
A districts file that changes them (added, removed, renamed, reshaped, addresses moved)
is refused with :class:`DistrictsChanged` unless ``replace_districts`` is set; then
notes and walks are re-assigned to the district that contains them and the ones outside
every district are reported (:class:`Reassignment`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from sozialraum.analysis.reachability import save_network, update_reachability
from sozialraum.analysis.streets import StreetCollector, save_streets, streets_from_lines
from sozialraum.analysis.walking import build_walk_network, network_from_ways
from sozialraum.errors import InvalidInput, NotFound, OsmImportError
from sozialraum.model.addresses import address_key
from sozialraum.model.categories import CategoryTable, load_categories
from sozialraum.osm import _mailbox
from sozialraum.osm import districts as _districts
from sozialraum.osm._reader import read_osm_file
from sozialraum.osm._records import OSM_TYPES, OsmData, OsmObject
from sozialraum.settings import ImportSettings
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


#: Most characters of an area's display title.
MAX_TITLE_CHARS = 80


@dataclass
class ImportReport:
    """What an import did (counts per category id, layer changes, flags)."""

    area: str
    counts: dict[str, int]
    resources: int
    addresses: int
    districts: int
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    unplaced: int = 0
    orphaned_notes: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    simplification: _districts.Simplification | None = None
    district_changes: _districts.DistrictChanges | None = None
    reassignment: Reassignment | None = None
    districts_kept: bool = False


class DistrictsChanged(InvalidInput):
    """A districts file would change the stored districts; nothing was written.

    ``changes`` says what would change; import again with ``replace_districts=True``.
    """

    def __init__(self, changes: _districts.DistrictChanges):
        super().__init__(
            "the districts file changes the districts of this area ("
            + "; ".join(changes.describe())
            + "): import again with --replace-districts to replace them"
        )
        self.changes = changes


@dataclass
class Reassignment:
    """What re-assigning notes, walks and offers to new districts did.

    Attributes
    ----------
    notes, walks : int
        How many moved to another district.
    outside : list of dict
        Notes, walks and offers that lie outside every district: ``layer``, ``id`` and a
        ``label`` (category and date, walk title, offer title).
    teams_dropped : dict
        District id → team of removed districts (their team assignment ended).
    """

    notes: int = 0
    walks: int = 0
    outside: list[dict] = field(default_factory=list)
    teams_dropped: dict[str, str] = field(default_factory=dict)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``W,S,E,N`` (lon/lat degrees, EPSG:4326); :class:`InvalidInput` if malformed."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInput(f"invalid bbox {text!r}: expected W,S,E,N in degrees") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InvalidInput(f"invalid bbox {text!r}: need W < E and S < N within lon/lat range")
    return west, south, east, north


def _clip_polygon(clip_file: Path | None, bbox: tuple | None) -> BaseGeometry | None:
    if clip_file is not None:
        polygons = _districts.read_polygon_file(clip_file, "clip")
        return shapely.union_all([geom for _, geom in polygons])
    if bbox is not None:
        return box(*bbox)
    return None


def _point(obj: OsmObject, decimals: int) -> dict:
    return {"type": "Point", "coordinates": [round(obj.lon, decimals), round(obj.lat, decimals)]}


def _address_props(tags: dict[str, str]) -> dict:
    return {ours: tags[osm].strip() for osm, ours in ADDRESS_FIELDS.items() if tags.get(osm)}


def _resource_feature(obj, categories, district, decimals) -> dict:
    tags = obj.tags
    props = {"name": tags.get("name"), "categories": categories, **_address_props(tags)}
    for osm_key, ours in RESOURCE_TAGS.items():
        if tags.get(osm_key) and ours not in props:
            props[ours] = tags[osm_key]
    props.update(osm_type=OSM_TYPES[obj.osm_type], osm_id=obj.osm_id, district=district)
    return {
        "type": "Feature",
        "id": obj.feature_id,
        "geometry": _point(obj, decimals),
        "properties": props,
    }


def _address_feature(obj, district, decimals) -> dict:
    props = _address_props(obj.tags)
    props["key"] = address_key(props["street"], props["housenumber"], props.get("postcode"))
    if obj.tags.get("building"):
        props["building"] = obj.tags["building"]
    props.update(osm_type=OSM_TYPES[obj.osm_type], osm_id=obj.osm_id, district=district)
    return {
        "type": "Feature",
        "id": obj.feature_id,
        "geometry": _point(obj, decimals),
        "properties": props,
    }


def _orphaned_notes(store: Store, area: str, resource_ids: set, address_keys: set) -> list[dict]:
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


def _walk_analysis(store, area, osm_file, data: OsmData, table, actor) -> tuple[dict, dict]:
    """Build and store the walk network, the reachability layer and the named streets (one
    pass over the file); summaries of the network and the streets for the meta."""
    collector = StreetCollector()
    try:
        if osm_file is not None:
            network = build_walk_network(Path(osm_file), on_way=collector)
            streets = collector.streets()
        else:
            network = network_from_ways(data.walk_ways)
            streets = streets_from_lines(data.street_lines)
    except OsmImportError as exc:
        save_network(store, area, None, actor=actor)
        save_streets(store, area, None, actor=actor)
        return {"error": exc.message}, {"error": exc.message}
    save_network(store, area, network, actor=actor)
    update_reachability(store, area, list(table.ids), network=network, actor=actor)
    save_streets(store, area, streets, actor=actor)
    return {"nodes": network.nodes, "edges": network.edges}, streets.summary()


def import_area(
    store: Store,
    area: str,
    *,
    osm_file: Path | None = None,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    clip_file: Path | None = None,
    districts_file: Path | None = None,
    categories: CategoryTable | None = None,
    settings: ImportSettings | None = None,
    replace_districts: bool = False,
    title: str | None = None,
    actor: str = "cli",
    step: Callable[[str], None] | None = None,
    tick: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import resources, addresses and districts of ``area`` from OSM into ``store``.

    Exactly one source: ``osm_file`` (clipped to ``clip_file`` or ``bbox`` if
    given), or online through Overpass with ``place`` or ``bbox``.

    Parameters
    ----------
    store : Store
        Target store; layers ``resources``, ``addresses``, ``districts`` are
        synchronised by OSM id, ``notes`` are never changed.
    area : str
        Area name (lower-case slug).
    osm_file : pathlib.Path, optional
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.
    place : str, optional
        A place name for Nominatim, e.g. ``"Mülheim an der Ruhr, Styrum"`` (online).
    bbox : tuple of float, optional
        (west, south, east, north) in degrees, EPSG:4326.
    clip_file, districts_file : pathlib.Path, optional
        GeoJSON polygons (EPSG:4326): the area to keep; the districts (property ``name``).
        Without ``districts_file`` a re-import keeps the stored districts.
    replace_districts : bool
        Replace stored districts that ``districts_file`` changes (else
        :class:`DistrictsChanged`, before anything is read or written).
    title : str, optional
        The area's display title (kept from the last import when not given).
    categories : CategoryTable, optional
        Defaults to the built-in table.
    step, tick : callable, optional
        Progress callbacks: a step's name; objects read so far.

    Returns
    -------
    ImportReport
    """
    started = time.perf_counter()
    settings = settings or ImportSettings()
    table = categories or load_categories()
    store.area_dir(area)  # validates the name before any work
    if osm_file is not None and place is not None:
        raise InvalidInput("give either an OSM file or a place, not both")
    if osm_file is None and place is None and bbox is None:
        raise InvalidInput("give a source: an OSM file, a place or a bbox")
    if place is not None and bbox is not None:
        raise InvalidInput("give either a place or a bbox, not both")
    if clip_file is not None and bbox is not None:
        raise InvalidInput("give either a clip file or a bbox, not both")
    step = step or (lambda _name: None)

    if title is not None:
        title = " ".join(title.split())
        if not 1 <= len(title) <= MAX_TITLE_CHARS:
            raise InvalidInput(f"a title has 1 to {MAX_TITLE_CHARS} characters")
    clip = _clip_polygon(clip_file, bbox)
    # polygon files first: a bad or too heavy file stops the import before the OSM data is read
    stored = _stored_districts(store, area)
    file_districts, simplification, district_changes = None, None, None
    if districts_file is not None:
        file_districts, simplification = _districts.simplify_districts(
            _districts.districts_from_file(Path(districts_file))
        )
        if stored:
            xs, ys = _stored_points(store, area, "addresses")
            district_changes = _districts.compare_districts(stored, file_districts, xs, ys)
            if district_changes.any and not replace_districts:
                raise DistrictsChanged(district_changes)
    step("Lese OSM-Daten")
    if osm_file is not None:
        data: OsmData = read_osm_file(Path(osm_file), table, tick)
        source = {"kind": "file", "file": Path(osm_file).name}
    else:
        from sozialraum.osm import overpass  # imports osmnx only when needed

        data, place_polygon = overpass.fetch(table, settings, place=place, bbox=bbox)
        if clip is None:
            clip = place_polygon
        source = {"kind": "overpass", "place": place, "bbox": list(bbox) if bbox else None}

    step("Ordne Objekte zu")
    objects = data.objects
    if clip is not None and objects:
        shapely.prepare(clip)
        xs = np.fromiter((o.lon for o in objects), float, len(objects))
        ys = np.fromiter((o.lat for o in objects), float, len(objects))
        objects = [
            o
            for o, inside in zip(objects, shapely.intersects_xy(clip, xs, ys), strict=True)
            if inside
        ]
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
    unplaced = len(data.unplaced)

    placed = [o for o, _ in resources] + addresses
    xs = np.fromiter((o.lon for o in placed), float, len(placed))
    ys = np.fromiter((o.lat for o in placed), float, len(placed))
    kept = file_districts is None and bool(stored)
    if file_districts is not None:
        districts = file_districts
    elif _whole_area_only(stored):  # the automatic district follows the area (same id)
        districts = [_districts.whole_area_district(clip, xs, ys)]
        districts, simplification = _districts.simplify_districts(districts)
    elif stored:
        districts = stored  # the routine update: what teams built stays
    else:
        districts = _districts.districts_from_boundaries(data.boundaries, clip)
        if not districts:
            districts = [_districts.whole_area_district(clip, xs, ys)]
        # before anything uses them: heavy polygons make the assignment, the files, the maps
        # and the coverage slow (the stored polygons and the assignment agree)
        districts, simplification = _districts.simplify_districts(districts)
    district_of = _districts.assign(districts, xs, ys)

    decimals = settings.coordinate_decimals
    resource_features = [
        _resource_feature(obj, cats, district_of[i], decimals)
        for i, (obj, cats) in enumerate(resources)
    ]
    offset = len(resources)
    address_features = [
        _address_feature(obj, district_of[offset + i], decimals) for i, obj in enumerate(addresses)
    ]
    _mailbox.attach(objects, address_features)
    district_features = [
        {
            "type": "Feature",
            "id": d.id,
            "geometry": _districts.geometry_to_geojson(d.geometry, decimals),
            "properties": {"name": d.name, "source": d.source},
        }
        for d in districts
    ]
    if kept and not _whole_area_only(stored):  # as stored: no version bump, no rounding drift
        district_features = store.query(area, "districts")

    step("Schreibe Ebenen")
    counts = {cat_id: 0 for cat_id in table.ids}
    for _, cats in resources:
        for cat_id in cats:
            counts[cat_id] += 1
    bounds = (
        clip.bounds
        if clip is not None
        else (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    )
    try:
        previous = store.read_meta(area)
    except NotFound:
        previous = {}
    meta = {
        **previous,
        "name": area,
        "title": title or previous.get("title") or area,
        "source": source,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        # when the OSM data itself is from (not the import day), see OsmData.data_date
        "osm_data": data.data_date(),
        "bbox": [round(v, decimals) for v in bounds],
        "counts": counts,
        "resources": len(resource_features),
        "addresses": len(address_features),
        "districts": len(district_features),
    }
    teams = dict(previous.get("teams") or {})
    teams_dropped = {}
    if district_changes is not None:
        for old_id, new_id in district_changes.renamed_ids().items():
            if old_id in teams and old_id != new_id:
                teams[new_id] = teams.pop(old_id)
        ids = {d.id for d in districts}
        teams_dropped = {k: v for k, v in teams.items() if k not in ids}
        teams = {k: v for k, v in teams.items() if k in ids}
        meta["teams"] = teams
    store.write_meta(area, {**meta, "import_in_progress": True}, actor=actor)
    changes = {}
    for layer, features in (
        ("districts", district_features),
        ("resources", resource_features),
        ("addresses", address_features),
    ):
        summary = store.sync_layer(area, layer, features, actor=actor)
        changes[layer] = {
            "added": len(summary.added),
            "updated": len(summary.updated),
            "removed": len(summary.removed),
            "unchanged": summary.unchanged,
        }
    orphaned = _orphaned_notes(
        store,
        area,
        {f["id"] for f in resource_features} | {f["id"] for f in address_features},
        {f["properties"]["key"] for f in address_features},
    )
    meta["orphaned_notes"] = orphaned
    reassignment = None
    if kept:  # heal notes and walks that point to districts that no longer exist
        reassignment = reassign_to_districts(
            store, area, districts, teams, actor=actor, repair_only=True
        )
    elif district_changes is not None:
        reassignment = reassign_to_districts(store, area, districts, teams, actor=actor)
        reassignment.teams_dropped = teams_dropped
        meta["outside_districts"] = [
            {"layer": o["layer"], "id": o["id"]} for o in reassignment.outside
        ]
    step("Berechne Fußwege")
    meta["walk_network"], meta["streets"] = _walk_analysis(
        store, area, osm_file, data, table, actor
    )
    meta.pop("import_in_progress", None)
    store.write_meta(area, meta, actor=actor)
    return ImportReport(
        area=area,
        counts=counts,
        resources=len(resource_features),
        addresses=len(address_features),
        districts=len(district_features),
        changes=changes,
        unplaced=unplaced,
        orphaned_notes=orphaned,
        seconds=time.perf_counter() - started,
        simplification=simplification,
        district_changes=district_changes,
        reassignment=reassignment,
        districts_kept=kept,
    )


def _whole_area_only(stored: list[_districts.District]) -> bool:
    """Whether the stored districts are only the automatic "Gesamtes Gebiet"."""
    return len(stored) == 1 and stored[0].source == "area" and stored[0].id == "gesamt"


def _stored_districts(store: Store, area: str) -> list[_districts.District]:
    try:
        return _districts.districts_from_features(store.query(area, "districts"))
    except NotFound:
        return []


def _stored_points(store: Store, area: str, layer: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        features = store.query(area, layer)
    except NotFound:
        features = []
    coords = [f["geometry"]["coordinates"] for f in features]
    xs = np.fromiter((c[0] for c in coords), float, len(coords))
    ys = np.fromiter((c[1] for c in coords), float, len(coords))
    return xs, ys


def _note_label(props: dict) -> str:
    return " ".join(filter(None, (props.get("category"), props.get("observed_on"))))


def reassign_to_districts(
    store: Store,
    area: str,
    districts: list[_districts.District],
    teams: dict[str, str],
    *,
    actor: str,
    repair_only: bool = False,
) -> Reassignment:
    """Re-assign notes and walks to the district that contains them (after new districts).

    A note goes to the district containing its point (``None`` outside every district)
    and to that district's team (its team stays when the district has none). A walk goes
    to the district holding most of its stops; a walk with no stop in any district keeps
    its district and is reported. Offers carry no district: those with a point outside
    every district are reported. With ``repair_only`` (a re-import that keeps the
    districts) only notes and walks whose district no longer exists are re-assigned.

    Parameters
    ----------
    store : Store
    area : str
    districts : list of District
        The new districts (EPSG:4326).
    teams : dict
        District id → team (after the change).
    actor : str
        Who the writes are recorded for.

    Returns
    -------
    Reassignment
    """
    result = Reassignment()

    def layer(name):
        try:
            return store.query(area, name)
        except NotFound:
            return []

    changed = []
    ids = {d.id for d in districts}
    for note in layer("notes"):
        geometry = note.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue
        if repair_only and note["properties"].get("district") in ids | {None}:
            continue
        lon, lat = geometry["coordinates"][:2]
        (district,) = _districts.assign(districts, np.array([lon]), np.array([lat]))
        props = note["properties"]
        if district is None:
            result.outside.append({"layer": "notes", "id": note["id"], "label": _note_label(props)})
        if props.get("district") != district:
            team = teams.get(district) or props.get("team")
            changed.append({**note, "properties": {**props, "district": district, "team": team}})
    if changed:
        store.upsert_many(area, "notes", changed, actor=actor)
        result.notes = len(changed)
    changed = []
    for walk in layer("walks"):
        coords = (walk.get("geometry") or {}).get("coordinates") or []
        props = walk["properties"]
        if repair_only and props.get("district") in ids:
            continue
        found = _districts.assign(
            districts,
            np.array([c[0] for c in coords], dtype=float),
            np.array([c[1] for c in coords], dtype=float),
        )
        inside = [d for d in found if d is not None]
        if not inside:
            result.outside.append(
                {"layer": "walks", "id": walk["id"], "label": props.get("title") or ""}
            )
            continue
        district = max(sorted(set(inside)), key=inside.count)
        if props.get("district") != district:
            team = teams.get(district) or props.get("team")
            changed.append({**walk, "properties": {**props, "district": district, "team": team}})
    if changed:
        store.upsert_many(area, "walks", changed, actor=actor)
        result.walks = len(changed)
    for offer in layer("offers"):
        geometry = offer.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue  # region-wide offers belong to no district
        lon, lat = geometry["coordinates"][:2]
        if _districts.assign(districts, np.array([lon]), np.array([lat]))[0] is None:
            result.outside.append(
                {
                    "layer": "offers",
                    "id": offer["id"],
                    "label": offer["properties"].get("name") or "",
                }
            )
    return result
