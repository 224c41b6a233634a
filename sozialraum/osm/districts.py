"""Districts (Sozialräume): from a GeoJSON file, from OSM boundaries, or the whole area.

Heavy polygons are dealt with on import: a polygon file with more than
:data:`MAX_POLYGON_VERTICES` vertices is refused before any geometry work (a clear English
message), and every district is simplified with :func:`simplify_districts` (tolerance
:data:`DISTRICT_TOLERANCE_M` in EPSG:25832; adjacent districts keep their shared borders).
A million-vertex district once took a minute and 1.3 GB to import and made the first
coverage page take 22 s (issue 26). Reading polygon files: :mod:`sozialraum.osm.polygon_files`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry

from sozialraum.osm._records import Boundary
from sozialraum.osm.polygon_files import (
    MAX_POLYGON_VERTICES,
    count_vertices,
    read_polygon_file,
)

__all__ = [
    "DISTRICT_TOLERANCE_M",
    "MAX_POLYGON_VERTICES",
    "SAME_SHAPE_SHARE",
    "District",
    "DistrictChanges",
    "Simplification",
    "assign",
    "compare_districts",
    "count_vertices",
    "districts_from_boundaries",
    "districts_from_features",
    "districts_from_file",
    "geometry_to_geojson",
    "polygonal",
    "read_polygon_file",
    "simplify_districts",
    "whole_area_district",
]

#: Tolerance of the simplification of district polygons on import (metres, EPSG:25832).
DISTRICT_TOLERANCE_M = 1.0
_METRIC_CRS = "EPSG:25832"


@dataclass
class District:
    """A district polygon (EPSG:4326) with a stable id and a name."""

    id: str
    name: str
    source: str
    geometry: BaseGeometry


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")
    return slug[:60] or "bezirk"


def polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Return only the (multi)polygon parts of ``geometry``, made valid."""
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def geometry_to_geojson(geometry: BaseGeometry, decimals: int = 6) -> dict:
    """GeoJSON dict (lists, not tuples) with coordinates rounded to ``decimals``.

    Coordinates stay in the geometry's CRS (EPSG:4326 degrees at import: 6 decimals ≈ 0.1 m).

    Rounding can make a polygon touch itself; such a result is repaired.
    """
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, decimals))
    if not rounded.is_valid:
        rounded = polygonal(rounded)
    return json.loads(json.dumps(mapping(rounded)))


def districts_from_file(path: Path) -> list[District]:
    """Districts from a GeoJSON file; unnamed ones get the file name or a number."""
    polygons = read_polygon_file(path, "districts")
    districts, seen = [], set()
    for number, (name, geometry) in enumerate(polygons, start=1):
        name = name or (path.name.split(".")[0] if len(polygons) == 1 else f"Bezirk {number}")
        district_id = base = _slug(name)
        suffix = 2
        while district_id in seen:
            district_id, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(district_id)
        districts.append(District(district_id, name, f"file:{path.name}", geometry))
    return districts


@dataclass
class Simplification:
    """What :func:`simplify_districts` did.

    Attributes
    ----------
    tolerance_m : float
        The tolerance used (metres, EPSG:25832).
    vertices_before, vertices_after : int
        Vertices of all districts together.
    method : str
        ``"coverage"`` (shapely ``coverage_simplify``: shared borders stay shared, no
        gaps or overlaps appear) or ``"per polygon"`` (the districts overlap or have gaps
        already: each is simplified on its own, ``preserve_topology``).
    """

    tolerance_m: float
    vertices_before: int
    vertices_after: int
    method: str

    def describe(self) -> str:
        """One English line for the import output."""
        how = (
            "shared borders kept (coverage_simplify)"
            if self.method == "coverage"
            else "each district on its own (they overlap or leave gaps)"
        )
        return (
            f"districts simplified with a tolerance of {self.tolerance_m:g} m, {how}: "
            f"{self.vertices_before:,} -> {self.vertices_after:,} vertices"
        )


def _reproject(geometries: np.ndarray, source: str, target: str) -> np.ndarray:
    from pyproj import Transformer

    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometries, lambda xy: np.column_stack(transformer.transform(*xy.T)))


def simplify_districts(
    districts: list[District], tolerance_m: float = DISTRICT_TOLERANCE_M
) -> tuple[list[District], Simplification]:
    """Simplify district polygons, keeping the borders that adjacent districts share.

    Parameters
    ----------
    districts : list of District
        Polygons in EPSG:4326.
    tolerance_m : float
        Tolerance in metres (EPSG:25832): for ``coverage_simplify`` roughly the square root
        of the area of the triangles removed; for ``simplify`` the largest distance moved.

    Returns
    -------
    tuple of (list of District, Simplification)
        The districts with simplified polygons (EPSG:4326) and what was done.
    """
    geometries = np.array([d.geometry for d in districts], dtype=object)
    before = int(shapely.get_num_coordinates(geometries).sum())
    if not districts:
        return districts, Simplification(tolerance_m, 0, 0, "coverage")
    metric = _reproject(geometries, "EPSG:4326", _METRIC_CRS)
    if len(metric) > 1 and shapely.coverage_is_valid(metric):
        simplified, method = shapely.coverage_simplify(metric, tolerance_m), "coverage"
    else:
        simplified = shapely.simplify(metric, tolerance_m, preserve_topology=True)
        method = "coverage" if len(metric) == 1 else "per polygon"
    back = _reproject(simplified, _METRIC_CRS, "EPSG:4326")
    result = []
    for district, geometry in zip(districts, back, strict=True):
        geometry = polygonal(geometry)
        if geometry.is_empty:  # never lose a district: keep what it was
            geometry = district.geometry
        result.append(District(district.id, district.name, district.source, geometry))
    after = int(sum(shapely.get_num_coordinates(d.geometry) for d in result))
    return result, Simplification(tolerance_m, before, after, method)


def districts_from_boundaries(
    boundaries: list[Boundary], clip: BaseGeometry | None
) -> list[District]:
    """Districts from OSM admin boundaries (level 10 if any, else 9), cut to ``clip``."""
    if not boundaries:
        return []
    level = 10 if any(b.admin_level == 10 for b in boundaries) else 9
    districts = []
    for b in sorted(boundaries, key=lambda b: (b.name, b.osm_id)):
        if b.admin_level != level:
            continue
        geometry = polygonal(b.geometry if clip is None else b.geometry.intersection(clip))
        if not geometry.is_empty:
            districts.append(District(f"{b.osm_type}{b.osm_id}", b.name, "osm", geometry))
    return districts


def whole_area_district(clip: BaseGeometry | None, xs: np.ndarray, ys: np.ndarray) -> District:
    """One district covering the clip area, or the bounding box of the data."""
    if clip is None:
        pad = 1e-5
        clip = box(xs.min() - pad, ys.min() - pad, xs.max() + pad, ys.max() + pad)
    return District("gesamt", "Gesamtes Gebiet", "area", clip)


def assign(districts: list[District], xs: np.ndarray, ys: np.ndarray) -> list[str | None]:
    """The id of the first district containing each point (or None), lon/lat degrees."""
    result: list[str | None] = [None] * len(xs)
    todo = np.ones(len(xs), dtype=bool)
    for district in districts:
        shapely.prepare(district.geometry)
        inside = todo & shapely.intersects_xy(district.geometry, xs, ys)
        for i in np.flatnonzero(inside):
            result[i] = district.id
        todo &= ~inside
    return result


def districts_from_features(features: list[dict]) -> list[District]:
    """The stored districts of an area (GeoJSON features of the ``districts`` layer)."""
    return [
        District(
            f["id"],
            f["properties"].get("name") or f["id"],
            f["properties"].get("source") or "stored",
            polygonal(shape(f["geometry"])),
        )
        for f in features
    ]


#: Share of a district's area that may differ for two polygons to count as the same shape.
SAME_SHAPE_SHARE = 0.01


def _same_shape(a: BaseGeometry, b: BaseGeometry) -> bool:
    larger = max(a.area, b.area)
    if larger == 0:
        return a.equals(b)
    return a.symmetric_difference(b).area <= SAME_SHAPE_SHARE * larger


@dataclass
class DistrictChanges:
    """How new districts differ from the stored ones of an area.

    Attributes
    ----------
    added, removed : list of str
        Names of districts that are new, and of stored ones that are gone.
    renamed : list of tuple of (str, str, str, str)
        ``(old id, old name, new id, new name)``: same shape (within
        :data:`SAME_SHAPE_SHARE` of its area), other name or id.
    reshaped : list of str
        Names of districts kept by id whose polygon changed.
    addresses_moved : int
        Addresses that would land in another district (renamed ones count as the same).
    """

    added: list[str]
    removed: list[str]
    renamed: list[tuple[str, str, str, str]]
    reshaped: list[str]
    addresses_moved: int

    @property
    def any(self) -> bool:
        """Whether anything changes."""
        return bool(
            self.added or self.removed or self.renamed or self.reshaped or self.addresses_moved
        )

    def renamed_ids(self) -> dict[str, str]:
        """Old id → new id of the renamed districts."""
        return {old: new for old, _, new, _ in self.renamed}

    def describe(self) -> list[str]:
        """English lines for the CLI, one per kind of change."""
        lines = []
        if self.added:
            lines.append("added: " + ", ".join(self.added))
        if self.removed:
            lines.append("removed: " + ", ".join(self.removed))
        if self.renamed:
            lines.append(
                "renamed: " + ", ".join(f"{old} -> {new}" for _, old, _, new in self.renamed)
            )
        if self.reshaped:
            lines.append("changed shape: " + ", ".join(self.reshaped))
        lines.append(f"addresses moved to another district: {self.addresses_moved:,}")
        return lines


def compare_districts(
    old: list[District], new: list[District], xs: np.ndarray, ys: np.ndarray
) -> DistrictChanges:
    """Compare stored districts with new ones.

    Points ``xs``/``ys`` (lon/lat degrees, EPSG:4326, the stored addresses) decide how many
    addresses move.
    """
    old_by_id = {d.id: d for d in old}
    new_by_id = {d.id: d for d in new}
    gone = [d for d in old if d.id not in new_by_id]
    fresh = [d for d in new if d.id not in old_by_id]
    renamed = []
    for d in new:
        before = old_by_id.get(d.id)
        if before is not None and before.name != d.name:
            renamed.append((before.id, before.name, d.id, d.name))
    for d in list(fresh):
        match = next((g for g in gone if _same_shape(g.geometry, d.geometry)), None)
        if match is not None:
            renamed.append((match.id, match.name, d.id, d.name))
            gone.remove(match)
            fresh.remove(d)
    reshaped = [
        d.name
        for d in new
        if d.id in old_by_id
        and not shapely.equals_exact(
            shapely.normalize(d.geometry), shapely.normalize(old_by_id[d.id].geometry), 1e-6
        )
    ]
    moved = 0
    if len(xs):
        renames = {old_id: new_id for old_id, _, new_id, _ in renamed}
        before = [renames.get(i, i) for i in assign(old, xs, ys)]
        moved = sum(a != b for a, b in zip(before, assign(new, xs, ys), strict=True))
    return DistrictChanges(
        added=[d.name for d in fresh],
        removed=[d.name for d in gone],
        renamed=renamed,
        reshaped=reshaped,
        addresses_moved=moved,
    )
