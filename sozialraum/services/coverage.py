"""Street coverage of an area's districts ("Abdeckung"), read from the store (no Flask).

The streets artifact, the districts, the field notes and the walks of an area are turned into
the per-district street tables of :mod:`sozialraum.analysis.coverage`. Results are cached per
revision of those four inputs, the day and the reader's visibility scope
(:func:`sozialraum.services.notes.visibility_scope`), so the page, the map and the CSV export of the
same request cycle compute once and no reader is ever served a result built from notes or walks
they may not see.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import shapely
from pyproj import Transformer

from sozialraum.analysis.coverage import (
    AGE_CLASSES,
    District,
    DistrictCoverage,
    Visits,
    street_coverage,
)
from sozialraum.analysis.nearby import METRIC_CRS, project
from sozialraum.analysis.streets import STREETS_ARTIFACT, StreetsUnavailable, load_streets
from sozialraum.services import notes as fieldnotes
from sozialraum.services import walks
from sozialraum.services.areas import Memo, find_district
from sozialraum.services.exports import csv_text
from sozialraum.store.base import Store

__all__ = [
    "CSV_HEADER",
    "StreetsUnavailable",
    "clear_cache",
    "coverage_csv",
    "coverage_features",
    "district_coverage",
    "visits",
]

#: The message pages show for an area imported before streets existed.
NO_STREETS = "Straßen fehlen – bitte das Gebiet neu importieren."
KIND_LABELS = {"notiz": "Notiz", "rundgang": "Rundgang"}
CSV_HEADER = (
    "Bezirk",
    "Straße",
    "Länge (m)",
    "Letzter Besuch",
    "Art des letzten Besuchs",
    "Besuche (12 Monate)",
    "Altersklasse",
)

_memo = Memo(size=32)  # results per district, day and input revisions
_lines_memo = Memo(size=4)  # projected street lines per streets artifact revision
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def clear_cache(*, streets: bool = True) -> None:
    """Forget every cached result, and the projected street lines unless ``streets`` is false.

    Keeping the streets is for benchmarks and tests.
    """
    global _memo, _lines_memo
    _memo = Memo(size=32)
    if streets:
        _lines_memo = Memo(size=4)


def _to_metric(xy: np.ndarray) -> np.ndarray:
    xs, ys = project(xy[:, 0], xy[:, 1])
    return np.column_stack([xs, ys])


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    lons, lats = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lons, lats])


def _street_lines(store: Store, area: str) -> tuple[np.ndarray, np.ndarray]:
    """Street name per line and the lines in metres (EPSG:25832), cached per revision."""
    revision = store.artifact_revision(area, STREETS_ARTIFACT)

    def build():
        streets = load_streets(store, area)
        return streets.line_names(), streets.lines_m()

    return _lines_memo.get(("street-lines", id(store), area, revision), build)


def street_lines_m(store: Store, area: str) -> list[tuple[str, object]]:
    """The area's named streets as ``(name, LineString in metres, EPSG:25832)`` for maps.

    Cached per revision of the streets; empty for areas imported before streets existed.
    """
    try:
        names, lines = _street_lines(store, area)
    except StreetsUnavailable:
        return []
    return list(zip(names.tolist(), lines.tolist(), strict=True))


def _districts(store: Store, area: str, district: str | None) -> list[District]:
    features = (
        [find_district(store, area, district)]
        if district is not None
        else store.query(area, "districts")
    )
    return [
        District(
            f["id"],
            f["properties"].get("name") or f["id"],
            shapely.transform(shapely.geometry.shape(f["geometry"]), _to_metric),
        )
        for f in features
    ]


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def visits(
    store: Store,
    area: str,
    *,
    today: date,
    reader: fieldnotes.Actor | None = None,
    rules: fieldnotes.NoteRules | None = None,
) -> Visits:
    """Field notes and walk stops of ``area`` that ``reader`` may see as visits.

    Up to and including ``today``.

    A note is a visit at its point on ``observed_on`` (expired notes and notes ``reader``
    may not read are not listed, see :func:`sozialraum.services.notes.list_notes`); a walk the
    reader may see (:func:`sozialraum.services.walks.walk_visible`) is a visit at each of its stops
    on ``walk_on``. ``reader`` ``None`` (CLI) sees everything. Points are projected to
    metres (EPSG:25832).
    """
    lons, lats, days, kinds = [], [], [], []
    for note in fieldnotes.list_notes(store, area, today=today, reader=reader, rules=rules):
        geometry = note.get("geometry") or {}
        day = _day(note["properties"].get("observed_on"))
        if geometry.get("type") != "Point" or day is None or day > today:
            continue
        lons.append(geometry["coordinates"][0])
        lats.append(geometry["coordinates"][1])
        days.append(day)
        kinds.append("notiz")
    for walk in walks.list_walks(store, area, reader=reader):
        props = walk["properties"]
        day = _day(props.get("walk_on"))
        if day is None or day > today:
            continue
        for stop in props.get("stops") or []:
            lon, lat = stop.get("lon"), stop.get("lat")
            if isinstance(lon, int | float) and isinstance(lat, int | float):
                lons.append(lon)
                lats.append(lat)
                days.append(day)
                kinds.append("rundgang")
    return Visits.from_lonlat(lons, lats, days, kinds)


def district_coverage(
    store: Store,
    area: str,
    *,
    today: date,
    district: str | None = None,
    reader: fieldnotes.Actor | None = None,
    rules: fieldnotes.NoteRules | None = None,
) -> list[DistrictCoverage]:
    """Street coverage of every district of ``area``, or of one.

    Parameters
    ----------
    store : Store
    area : str
    today : datetime.date
        Visits after this day are ignored; ages and the 12-month window count back from it.
    district : str, optional
        A district id or name (:func:`sozialraum.services.areas.find_district`); all districts if
        omitted.
    reader : Actor, optional
        Who reads: only notes and walks this account may see count (see :func:`visits`);
        ``None`` (CLI) counts everything.
    rules : NoteRules, optional
        Note categories (a viewer's visibility depends on them).

    Returns
    -------
    list of DistrictCoverage
        See :func:`sozialraum.analysis.coverage.street_coverage` (lengths in metres,
        geometries in EPSG:25832). Cached per revision of the inputs: do not change it.

    Raises
    ------
    StreetsUnavailable
        The area was imported before streets were stored: re-import it.
    NotFound
        Unknown area or district.
    """
    district_id = find_district(store, area, district)["id"] if district is not None else None
    key = (
        "coverage",
        id(store),
        area,
        district_id,
        today.toordinal(),
        fieldnotes.visibility_scope(reader),
        id(rules.categories) if rules is not None else None,
        store.revision(area, fieldnotes.LAYER),
        store.revision(area, walks.LAYER),
        store.revision(area, "districts"),
        store.artifact_revision(area, STREETS_ARTIFACT),
    )

    def build():
        names, lines_m = _street_lines(store, area)
        return street_coverage(
            names,
            lines_m,
            _districts(store, area, district_id),
            visits(store, area, today=today, reader=reader, rules=rules),
            today=today,
        )

    return _memo.get(key, build)


def coverage_rows(results: list[DistrictCoverage]) -> list[list]:
    """Table rows (see :data:`CSV_HEADER`).

    District, street, whole metres, ISO day or ``None``, German kind, visits in 12 months, age
    class.
    """
    return [
        [
            result.name,
            street.name,
            round(street.length_m),
            street.last_visit.isoformat() if street.last_visit else None,
            KIND_LABELS.get(street.last_kind) if street.last_kind else None,
            street.visits_12m,
            street.age_class,
        ]
        for result in results
        for street in result.streets
    ]


def coverage_csv(results: list[DistrictCoverage]) -> str:
    """The street tables as CSV for German spreadsheets.

    ``;``, BOM, formula-safe cells via :func:`sozialraum.services.exports.csv_text`: OSM street
    names are data, never formulas.
    """
    return csv_text(CSV_HEADER, coverage_rows(results))


def coverage_features(results: list[DistrictCoverage], *, decimals: int = 6) -> list[dict]:
    """Streets as GeoJSON features for the map.

    MultiLineStrings in lon/lat (EPSG:4326, ``decimals`` places) with ``name``, ``district``,
    ``last_visit`` (ISO or ``None``), ``visits_12m``, ``age_class`` and ``colour``.
    """
    features = []
    for result in results:
        if not result.streets:
            continue
        geoms = shapely.transform(
            np.array([s.geometry_m for s in result.streets], dtype=object),
            lambda xy: np.round(_to_lonlat(xy), decimals),
        )
        for street, geom in zip(result.streets, geoms, strict=True):
            if geom is None or geom.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": shapely.geometry.mapping(geom),
                    "properties": {
                        "name": street.name,
                        "district": result.name,
                        "last_visit": street.last_visit.isoformat() if street.last_visit else None,
                        "last_kind": KIND_LABELS.get(street.last_kind),
                        "visits_12m": street.visits_12m,
                        "age_class": street.age_class,
                        "colour": AGE_CLASSES[street.age_class],
                    },
                }
            )
    return features
