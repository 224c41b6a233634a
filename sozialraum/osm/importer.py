"""Import an area from OSM into the store: resources, addresses, districts, metadata.

All entry points (file, place, bbox) route through :func:`import_area`.
Field notes are never touched; notes whose linked OSM object vanished are kept
and flagged in the area metadata (``orphaned_notes``).
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
from sozialraum.analysis.walk import build_walk_network, network_from_ways
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
        GeoJSON polygons (EPSG:4326): the area to keep; the districts.
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

    clip = _clip_polygon(clip_file, bbox)
    # polygon files first: a bad or too heavy file stops the import before the OSM data is read
    file_districts = (
        _districts.districts_from_file(Path(districts_file)) if districts_file is not None else None
    )
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
    if file_districts is not None:
        districts = file_districts
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
        "title": previous.get("title") or area,
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
    )
