"""Which districts an OSM import uses, and what becomes of their teams.

A districts file, the stored ones, OSM boundaries, or one district for the whole area.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from shapely.geometry.base import BaseGeometry

from sozialraum.errors import InvalidInput, NotFound
from sozialraum.osm.districts import (
    District,
    DistrictChanges,
    Simplification,
    compare_districts,
    districts_from_boundaries,
    districts_from_features,
    districts_from_file,
    simplify_districts,
    whole_area_district,
)
from sozialraum.store.base import Store


class DistrictsChanged(InvalidInput):
    """A districts file would change the stored districts; nothing was written.

    ``changes`` says what would change; import again with ``replace_districts=True``.
    """

    def __init__(self, changes: DistrictChanges):
        super().__init__(
            "the districts file changes the districts of this area ("
            + "; ".join(changes.describe())
            + "): import again with --replace-districts to replace them"
        )
        self.changes = changes


def whole_area_only(stored: list[District]) -> bool:
    """Whether the stored districts are only the automatic "Gesamtes Gebiet"."""
    return len(stored) == 1 and stored[0].source == "area" and stored[0].id == "gesamt"


def stored_districts(store: Store, area: str) -> list[District]:
    """The area's stored districts (none for a new area)."""
    try:
        return districts_from_features(store.query(area, "districts"))
    except NotFound:
        return []


def stored_points(store: Store, area: str, layer: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees, EPSG:4326) of a stored point layer (empty if none)."""
    try:
        features = store.query(area, layer)
    except NotFound:
        features = []
    coords = [f["geometry"]["coordinates"] for f in features]
    xs = np.fromiter((c[0] for c in coords), float, len(coords))
    ys = np.fromiter((c[1] for c in coords), float, len(coords))
    return xs, ys


def choose_districts(
    file_districts: list[District] | None,
    stored: list[District],
    boundaries: list,
    clip: BaseGeometry | None,
    xs: np.ndarray,
    ys: np.ndarray,
) -> tuple[list[District], Simplification | None]:
    """The districts of this import and how they were simplified (``None``: not here).

    A districts file wins (simplified when read); the automatic whole-area district follows
    the area (same id); other stored districts stay (what teams built); a new area gets its
    OSM boundaries inside ``clip``, or one district around the points (``xs``/``ys``,
    degrees, EPSG:4326) when there are none.
    """
    if file_districts is not None:
        return file_districts, None
    if whole_area_only(stored):  # the automatic district follows the area (same id)
        return simplify_districts([whole_area_district(clip, xs, ys)])
    if stored:
        return stored, None  # the routine update: what teams built stays
    districts = districts_from_boundaries(boundaries, clip)
    if not districts:
        districts = [whole_area_district(clip, xs, ys)]
    # before anything uses them: heavy polygons make the assignment, the files, the maps
    # and the coverage slow (the stored polygons and the assignment agree)
    return simplify_districts(districts)


def teams_after(
    teams: dict[str, str], changes: DistrictChanges, districts: list[District]
) -> tuple[dict[str, str], dict[str, str]]:
    """District id → team after the districts changed, and the teams of removed districts.

    A renamed district keeps its team under the new id.
    """
    teams = dict(teams)
    for old_id, new_id in changes.renamed_ids().items():
        if old_id in teams and old_id != new_id:
            teams[new_id] = teams.pop(old_id)
    ids = {d.id for d in districts}
    dropped = {k: v for k, v in teams.items() if k not in ids}
    return {k: v for k, v in teams.items() if k in ids}, dropped


def read_districts_file(store, area, districts_file, stored, replace_districts):
    """The districts file's districts, their simplification and what they change.

    ``None`` each without a file; :class:`DistrictsChanged` if they change the stored ones and
    ``replace_districts`` is not set.
    """
    if districts_file is None:
        return None, None, None
    file_districts, simplification = simplify_districts(districts_from_file(Path(districts_file)))
    district_changes = None
    if stored:
        xs, ys = stored_points(store, area, "addresses")
        district_changes = compare_districts(stored, file_districts, xs, ys)
        if district_changes.any and not replace_districts:
            raise DistrictsChanged(district_changes)
    return file_districts, simplification, district_changes
