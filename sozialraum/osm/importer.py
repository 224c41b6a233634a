"""Import an area from OSM into the store: resources, addresses, districts, metadata.

All entry points (file, place, bbox) route through :func:`import_area`.
Field notes keep their text; notes whose linked OSM object vanished are kept and
flagged in the area metadata (``orphaned_notes``).

A re-import keeps the stored districts and their teams unless a districts file is given.
A districts file that changes them (added, removed, renamed, reshaped, addresses moved)
is refused with :class:`DistrictsChanged` unless ``replace_districts`` is set; then
notes and walks are re-assigned to the district that contains them and the ones outside
every district are reported (:class:`Reassignment`).

The steps live beside it: :mod:`~sozialraum.osm.import_districts` (which districts),
:mod:`~sozialraum.osm.import_features` (the features written) and
:mod:`~sozialraum.osm.reassign` (notes and walks after new districts).
"""

from __future__ import annotations

import re
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
from sozialraum.model.categories import CategoryTable, load_categories
from sozialraum.osm import _mailbox, import_basemap
from sozialraum.osm import districts as _districts
from sozialraum.osm._reader import read_osm_file
from sozialraum.osm._records import OsmData
from sozialraum.osm.districts import DistrictChanges
from sozialraum.osm.import_districts import (
    DistrictsChanged,
    choose_districts,
    read_districts_file,
    stored_districts,
    teams_after,
    whole_area_only,
)
from sozialraum.osm.import_features import (
    ADDRESS_FIELDS,
    RESOURCE_TAGS,
    address_feature,
    category_counts,
    district_features,
    objects_inside,
    orphaned_notes,
    resource_feature,
    resources_and_addresses,
)
from sozialraum.osm.polygon_files import read_polygon_file
from sozialraum.osm.reassign import Reassignment, reassign_to_districts
from sozialraum.settings import ImportSettings
from sozialraum.store.base import Store

__all__ = [
    "ADDRESS_FIELDS",
    "MAX_TITLE_CHARS",
    "RESOURCE_TAGS",
    "DistrictsChanged",
    "ImportReport",
    "Reassignment",
    "import_area",
    "parse_bbox",
    "reassign_to_districts",
]

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
    district_changes: DistrictChanges | None = None
    reassignment: Reassignment | None = None
    districts_kept: bool = False
    #: the basemap step: built (tile count, bytes) or why not (a warning, not an error)
    basemap: import_basemap.BasemapResult | None = None


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
    """The area to keep (degrees, EPSG:4326): the clip file's polygons, the bbox, or ``None``."""
    if clip_file is not None:
        polygons = read_polygon_file(clip_file, "clip")
        return shapely.union_all([geom for _, geom in polygons])
    if bbox is not None:
        return box(*bbox)
    return None


def _walk_analysis(store, area, osm_file, data: OsmData, table, actor) -> tuple[dict, dict]:
    """Build and store the walk network, the reachability layer and the named streets.

    One pass over the file; returns summaries of the network and the streets for the meta.
    """
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
    basemap: bool = True,
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
    basemap : bool
        Build ``<area>/basemap.pmtiles`` after the layers (default). A failure is
        reported in :attr:`ImportReport.basemap` and leaves the old archive in place.

    Returns
    -------
    ImportReport
    """
    started = time.perf_counter()
    settings = settings or ImportSettings()
    table = categories or load_categories()
    store.area_dir(area)  # validates the name before any work
    _check_sources(osm_file, place, bbox, clip_file)
    step = step or (lambda _name: None)
    title = _checked_title(title)
    clip = _clip_polygon(clip_file, bbox)
    # polygon files first: a bad or too heavy file stops the import before the OSM data is read
    stored = stored_districts(store, area)
    file_districts, simplification, district_changes = read_districts_file(
        store, area, districts_file, stored, replace_districts
    )
    step("Lese OSM-Daten")
    data, source, clip = _read_source(osm_file, place, bbox, clip, table, settings, tick)

    step("Ordne Objekte zu")
    objects = objects_inside(data.objects, clip)
    resources, addresses = resources_and_addresses(objects, clip)
    placed = [o for o, _ in resources] + addresses
    xs = np.fromiter((o.lon for o in placed), float, len(placed))
    ys = np.fromiter((o.lat for o in placed), float, len(placed))
    kept = file_districts is None and bool(stored)
    districts, chosen = choose_districts(file_districts, stored, data.boundaries, clip, xs, ys)
    if file_districts is None:
        simplification = chosen
    layers = _layer_features(
        objects,
        resources,
        addresses,
        districts,
        (xs, ys),
        settings.coordinate_decimals,
        stored_districts=store.query(area, "districts")
        if kept and not whole_area_only(stored)
        else None,
    )
    step("Schreibe Ebenen")
    counts = category_counts(table.ids, resources)
    bounds = clip.bounds if clip is not None else (xs.min(), ys.min(), xs.max(), ys.max())
    meta = _area_meta(store, area, title, source, data, bounds, settings.coordinate_decimals)
    meta.update(counts=counts, **{layer: len(features) for layer, features in layers.items()})
    teams, teams_dropped = _teams(meta, district_changes, districts)
    store.write_meta(area, {**meta, "import_in_progress": True}, actor=actor)
    changes = _sync_layers(store, area, layers, actor)
    orphaned = orphaned_notes(
        store,
        area,
        {f["id"] for f in layers["resources"]} | {f["id"] for f in layers["addresses"]},
        {f["properties"]["key"] for f in layers["addresses"]},
    )
    meta["orphaned_notes"] = orphaned
    reassignment = _reassign(
        store, area, districts, teams, kept, district_changes, teams_dropped, meta, actor
    )
    step("Berechne Fußwege")
    meta["walk_network"], meta["streets"] = _walk_analysis(
        store, area, osm_file, data, table, actor
    )
    meta.pop("import_in_progress", None)
    store.write_meta(area, meta, actor=actor)
    basemap_result = None
    if basemap:
        step("Baue Grundkarte")
        basemap_result = _basemap(store, area, osm_file, clip, settings)
        meta["basemap"] = basemap_result.summary(meta.get("basemap"))
        store.write_meta(area, meta, actor=actor)
    return ImportReport(
        area=area,
        counts=counts,
        resources=len(layers["resources"]),
        addresses=len(layers["addresses"]),
        districts=len(layers["districts"]),
        changes=changes,
        unplaced=len(data.unplaced),
        orphaned_notes=orphaned,
        seconds=time.perf_counter() - started,
        simplification=simplification,
        district_changes=district_changes,
        reassignment=reassignment,
        districts_kept=kept,
        basemap=basemap_result,
    )


def _basemap(store, area, osm_file, clip, settings) -> import_basemap.BasemapResult:
    """Build the area's basemap from the import's OSM file; never raises.

    An online import first keeps the area's whole OSM data from Overpass in the area folder.
    """
    if osm_file is None:
        from sozialraum.osm import overpass

        polygon = import_basemap.area_polygon(store, area, clip)
        try:
            elements = overpass.fetch_basemap_elements(settings, polygon.bounds)
            osm_file = import_basemap.write_osm_xml(
                elements, store.area_dir(area) / import_basemap.OVERPASS_OSM_NAME
            )
        except OsmImportError as exc:
            return import_basemap.BasemapResult(error=exc.message)
        except OSError as exc:
            return import_basemap.BasemapResult(error=f"cannot keep the OSM data: {exc}")
    return import_basemap.try_build(store, area, Path(osm_file), clip)


def _check_sources(osm_file, place, bbox, clip_file) -> None:
    """Exactly one source (a file, a place or a bbox), and at most one clip."""
    if osm_file is not None and place is not None:
        raise InvalidInput("give either an OSM file or a place, not both")
    if osm_file is None and place is None and bbox is None:
        raise InvalidInput("give a source: an OSM file, a place or a bbox")
    if place is not None and bbox is not None:
        raise InvalidInput("give either a place or a bbox, not both")
    if clip_file is not None and bbox is not None:
        raise InvalidInput("give either a clip file or a bbox, not both")


def _checked_title(title: str | None) -> str | None:
    """The display title with runs of white space joined; 1 to :data:`MAX_TITLE_CHARS`."""
    if title is None:
        return None
    title = " ".join(title.split())
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        raise InvalidInput(f"a title has 1 to {MAX_TITLE_CHARS} characters")
    return title


def _read_source(osm_file, place, bbox, clip, table, settings, tick):
    """Read the OSM data from the file or through Overpass.

    Returns the data, the source for the meta and the clip (the place's polygon when there was
    none).
    """
    if osm_file is not None:
        data: OsmData = read_osm_file(Path(osm_file), table, tick)
        return data, {"kind": "file", "file": Path(osm_file).name}, clip
    from sozialraum.osm import overpass  # imports osmnx only when needed

    data, place_polygon = overpass.fetch(table, settings, place=place, bbox=bbox)
    if clip is None:
        clip = place_polygon
    return data, {"kind": "overpass", "place": place, "bbox": list(bbox) if bbox else None}, clip


def default_title(area: str, place: str | None = None) -> str:
    """The display title of an area imported without ``--title``.

    The place name of an online import (``"Mülheim an der Ruhr, Styrum"``), else the area
    name with its words split on ``-`` and ``_`` and capitalised (``"neuss-nord"`` →
    ``"Neuss Nord"``).

    Parameters
    ----------
    area : str
        The area's name (lower-case slug).
    place : str, optional
        The place name an online import was given.
    """
    if place and place.strip():
        return " ".join(place.split())[:MAX_TITLE_CHARS]
    words = [word for word in re.split(r"[-_\s]+", area) if word]
    return " ".join(word[:1].upper() + word[1:] for word in words) or area


def _area_meta(store, area, title, source, data, bounds, decimals) -> dict:
    """The area's metadata after this import (earlier keys kept; the title too if none).

    Without a title and none kept (or only the area name, the default of earlier
    versions), the title is :func:`default_title`.
    """
    try:
        previous = store.read_meta(area)
    except NotFound:
        previous = {}
    kept = previous.get("title")
    if kept == area:
        kept = None
    return {
        **previous,
        "name": area,
        "title": title or kept or default_title(area, source.get("place")),
        "source": source,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        # when the OSM data itself is from (not the import day), see OsmData.data_date
        "osm_data": data.data_date(),
        "bbox": [round(float(v), decimals) for v in bounds],
    }


def _teams(meta: dict, district_changes, districts) -> tuple[dict, dict]:
    """District id → team after this import, and the teams of removed districts.

    With changed districts the new teams go into ``meta``.
    """
    teams = dict(meta.get("teams") or {})
    if district_changes is None:
        return teams, {}
    teams, dropped = teams_after(teams, district_changes, districts)
    meta["teams"] = teams
    return teams, dropped


def _sync_layers(store: Store, area: str, layers: dict[str, list], actor: str) -> dict:
    """Synchronise each layer with its features, in order; the changes per layer."""
    changes = {}
    for layer, features in layers.items():
        summary = store.sync_layer(area, layer, features, actor=actor)
        changes[layer] = {
            "added": len(summary.added),
            "updated": len(summary.updated),
            "removed": len(summary.removed),
            "unchanged": summary.unchanged,
        }
    return changes


def _layer_features(
    objects, resources, addresses, districts, xs_ys, decimals, *, stored_districts=None
) -> dict[str, list[dict]]:
    """The features of the layers an import synchronises, in the order they are written.

    Resources and addresses get the district containing them (``xs_ys``: their longitudes
    and latitudes, resources first) and the mailbox evidence from OSM; districts are
    ``stored_districts`` when given (kept as stored: no version bump, no rounding drift).
    """
    district_of = _districts.assign(districts, *xs_ys)
    resource_features = [
        resource_feature(obj, cats, district_of[i], decimals)
        for i, (obj, cats) in enumerate(resources)
    ]
    offset = len(resources)
    address_features = [
        address_feature(obj, district_of[offset + i], decimals) for i, obj in enumerate(addresses)
    ]
    _mailbox.attach(objects, address_features)
    return {
        "districts": stored_districts
        if stored_districts is not None
        else district_features(districts, decimals),
        "resources": resource_features,
        "addresses": address_features,
    }


def _reassign(store, area, districts, teams, kept, district_changes, teams_dropped, meta, actor):
    """Notes and walks after the import: healed or re-assigned; ``None`` otherwise.

    Healed when the districts were kept, re-assigned when a districts file changed them (those
    outside every district go into ``meta``).
    """
    if kept:  # heal notes and walks that point to districts that no longer exist
        return reassign_to_districts(store, area, districts, teams, actor=actor, repair_only=True)
    if district_changes is None:
        return None
    reassignment = reassign_to_districts(store, area, districts, teams, actor=actor)
    reassignment.teams_dropped = teams_dropped
    meta["outside_districts"] = [{"layer": o["layer"], "id": o["id"]} for o in reassignment.outside]
    return reassignment
