"""Street coverage ("Abdeckung"): which streets of a district had a visit, and how long ago.

A visit is a point with a day and a kind: a field note (``"notiz"``) or a stop of a walk
(``"rundgang"``). It counts for a street when it lies within :data:`VISIT_RADIUS_M` metres of
one of that street's lines inside the district. A visit near several streets counts for the
nearest street only (by name; a corner-shop note marks one street, not three). Visits after
``today`` are ignored.

Streets are grouped per district and name: the same name in two districts is two rows, and a
street crossing a district boundary belongs to both, each with the part inside (lines are
clipped to the district polygon). All geometry here is in metres (EPSG:25832); project lon/lat
input with :func:`sozialraum.analysis.nearby.project` first (:meth:`Visits.from_lonlat` does).

Ages are in calendar months before ``today`` (:func:`~sozialraum.model.notes.add_months`; 31 May
minus 3 months is 28/29 February): a street whose last visit lies on or after the day three
months ago is "bis 3 Monate", and so on; a visit counts for ``visits_12m`` when it lies on or
after the day twelve months ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from sozialraum.analysis.nearby import project
from sozialraum.model.notes import add_months

#: A visit counts for a street within this distance (metres, EPSG:25832) of its line.
VISIT_RADIUS_M = 30.0
#: The window of ``visits_12m`` and of "visited" in the summaries, in calendar months.
WINDOW_MONTHS = 12
#: Visit kinds.
KINDS = ("notiz", "rundgang")

NEVER = "nie besucht"
OLDER = "älter als 12 Monate"
#: Age classes of the last visit, newest first: German label -> colour (map and table).
AGE_CLASSES: dict[str, str] = {
    "bis 3 Monate": "#1a9850",
    "3–6 Monate": "#a6d96a",
    "6–12 Monate": "#fdae61",
    OLDER: "#d73027",
    NEVER: "#6a3d9a",
}
#: Upper age limits (calendar months) of the first three classes.
AGE_LIMITS_MONTHS = ((3, "bis 3 Monate"), (6, "3–6 Monate"), (12, "6–12 Monate"))
#: Sort order of the classes in tables: oldest (and never) first.
AGE_ORDER = {label: rank for rank, label in enumerate(reversed(AGE_CLASSES))}


def age_class(last_visit: date | None, today: date) -> str:
    """The age class label (a key of :data:`AGE_CLASSES`) of a last visit on ``last_visit``."""
    if last_visit is None:
        return NEVER
    for months, label in AGE_LIMITS_MONTHS:
        if last_visit >= add_months(today, -months):
            return label
    return OLDER


@dataclass(frozen=True)
class District:
    """A district polygon in metres (EPSG:25832)."""

    id: str
    name: str
    geometry_m: BaseGeometry


@dataclass
class Visits:
    """Visit points in metres (EPSG:25832) with their day and kind.

    Attributes
    ----------
    xs_m, ys_m : numpy.ndarray
        Coordinates in metres (EPSG:25832).
    days : numpy.ndarray
        Proleptic Gregorian ordinals (``date.toordinal()``), ``int64``.
    kinds : numpy.ndarray
        ``"notiz"`` or ``"rundgang"`` per visit.
    """

    xs_m: np.ndarray
    ys_m: np.ndarray
    days: np.ndarray
    kinds: np.ndarray

    @classmethod
    def from_lonlat(
        cls,
        lons: Sequence[float],
        lats: Sequence[float],
        days: Sequence[date],
        kinds: Sequence[str],
    ) -> Visits:
        """Visits from lon/lat degrees (EPSG:4326), projected to EPSG:25832."""
        if not len(lons):
            return cls.empty()
        xs, ys = project(lons, lats)
        return cls(
            np.asarray(xs, float),
            np.asarray(ys, float),
            np.fromiter((d.toordinal() for d in days), np.int64, len(days)),
            np.asarray(kinds, dtype=str),
        )

    @classmethod
    def empty(cls) -> Visits:
        """No visits."""
        return cls(np.array([]), np.array([]), np.array([], np.int64), np.array([], str))

    def __len__(self) -> int:
        return len(self.xs_m)


@dataclass
class StreetCoverage:
    """One street (name) inside one district.

    Attributes
    ----------
    name : str
    length_m : float
        Length of its lines inside the district, metres (sum over its OSM ways, so both
        carriageways of a dual carriageway count).
    last_visit : datetime.date or None
    last_kind : str or None
        Kind of the last visit (``"rundgang"`` wins a tie on the day).
    visits_12m : int
        Visits in the last :data:`WINDOW_MONTHS` months.
    age_class : str
        Key of :data:`AGE_CLASSES`.
    geometry_m : shapely geometry
        The lines inside the district (MultiLineString, EPSG:25832).
    """

    name: str
    length_m: float
    last_visit: date | None
    last_kind: str | None
    visits_12m: int
    age_class: str
    geometry_m: BaseGeometry = field(repr=False)

    @property
    def colour(self) -> str:
        """Colour of the age class (hex)."""
        return AGE_CLASSES[self.age_class]


@dataclass
class DistrictCoverage:
    """The street table of one district, oldest (and never visited) streets first."""

    id: str
    name: str
    streets: list[StreetCoverage]

    @property
    def streets_total(self) -> int:
        """Number of named streets with a part inside the district."""
        return len(self.streets)

    @property
    def streets_visited(self) -> int:
        """Streets with a visit in the last :data:`WINDOW_MONTHS` months."""
        return sum(1 for s in self.streets if s.visits_12m)

    @property
    def length_m(self) -> float:
        """Street length inside the district, metres."""
        return float(sum(s.length_m for s in self.streets))

    @property
    def covered_length_m(self) -> float:
        """Length of the streets with a visit in the last 12 months, metres."""
        return float(sum(s.length_m for s in self.streets if s.visits_12m))

    @property
    def covered_share_pct(self) -> float | None:
        """Share of the street length covered in the last 12 months.

        In percent; ``None`` without streets.
        """
        total = self.length_m
        return None if total <= 0 else 100.0 * self.covered_length_m / total

    def summary(self) -> dict:
        """The coverage counts of a set of streets.

        ``streets_total``, ``streets_visited`` (12 months), ``length_m``, ``covered_length_m`` and
        ``covered_share_pct`` (percent or ``None``).
        """
        return {
            "streets_total": self.streets_total,
            "streets_visited": self.streets_visited,
            "length_m": self.length_m,
            "covered_length_m": self.covered_length_m,
            "covered_share_pct": self.covered_share_pct,
        }


def street_coverage(
    names: Sequence[str],
    lines_m: Sequence[BaseGeometry],
    districts: Sequence[District],
    visits: Visits,
    *,
    today: date,
    radius_m: float = VISIT_RADIUS_M,
) -> list[DistrictCoverage]:
    """Street coverage per district.

    Parameters
    ----------
    names : sequence of str
        Street name per line.
    lines_m : sequence of shapely LineString
        The street lines in metres (EPSG:25832), aligned with ``names``.
    districts : sequence of District
        Polygons in metres (EPSG:25832).
    visits : Visits
        Points in metres (EPSG:25832) with day and kind; days after ``today`` are ignored.
    today : datetime.date
        Ages and the 12-month window are counted back from this day.
    radius_m : float
        A visit counts for a street within this distance (metres, inclusive).

    Returns
    -------
    list of DistrictCoverage
        In the order of ``districts``; each with its streets sorted oldest first (never
        visited first, then by last visit, then by name).
    """
    lines = np.asarray(lines_m, dtype=object).reshape(-1)
    street_names, code = np.unique(np.asarray(names, dtype=str).reshape(-1), return_inverse=True)
    tree = shapely.STRtree(lines)

    geoms, lengths_m, codes, owners = _street_rows(lines, code, tree, districts)

    last_day, last_kind, recent = _visit_figures(
        tree, code, geoms, codes, visits, today=today, radius_m=radius_m
    )

    result = []
    for number, district in enumerate(districts):
        rows = np.flatnonzero(owners == number)
        streets = []
        for row in rows:
            last = None if last_day[row] < 0 else date.fromordinal(int(last_day[row]))
            streets.append(
                StreetCoverage(
                    name=str(street_names[codes[row]]),
                    length_m=float(lengths_m[row]),
                    last_visit=last,
                    last_kind=KINDS[last_kind[row]] if last is not None else None,
                    visits_12m=int(recent[row]),
                    age_class=age_class(last, today),
                    geometry_m=geoms[row],
                )
            )
        streets.sort(key=_oldest_first)
        result.append(DistrictCoverage(district.id, district.name, streets))
    return result


def _street_rows(lines: np.ndarray, code: np.ndarray, tree, districts: Sequence[District]):
    """One row per street (by name) and district: the street's parts inside the district.

    Returns the rows' geometries (MultiLineStrings in metres, EPSG:25832), lengths in metres,
    street name codes (index into the unique names) and district numbers.
    """
    row_district, row_code, row_geoms, row_length = [], [], [], []
    for number, district in enumerate(districts):
        polygon = district.geometry_m
        shapely.prepare(polygon)
        candidates = tree.query(polygon, predicate="intersects")
        if candidates.size == 0:
            continue
        clipped = shapely.intersection(lines[candidates], polygon)
        parts, owner = shapely.get_parts(clipped, return_index=True)
        lengths = shapely.length(parts)
        keep = (shapely.get_type_id(parts) == 1) & (lengths > 0)  # LineStrings only
        parts, owner, lengths = parts[keep], owner[keep], lengths[keep]
        if parts.size == 0:
            continue
        codes = code[candidates[owner]]
        unique_codes, row_of_part = np.unique(codes, return_inverse=True)
        order = np.argsort(row_of_part, kind="stable")  # indices must be increasing
        row_geoms.append(shapely.multilinestrings(parts[order], indices=row_of_part[order]))
        row_length.append(np.bincount(row_of_part, weights=lengths))
        row_code.append(unique_codes)
        row_district.append(np.full(unique_codes.size, number))
    if not row_geoms:
        empty = np.array([], dtype=int)
        return np.array([], dtype=object), np.array([]), empty, empty
    return (
        np.concatenate(row_geoms),
        np.concatenate(row_length),
        np.concatenate(row_code),
        np.concatenate(row_district),
    )


def _oldest_first(street: StreetCoverage) -> tuple:
    day = street.last_visit.toordinal() if street.last_visit else -1
    return (day, street.name.casefold(), street.name)


def _visit_figures(tree, line_code, geoms, row_code, visits: Visits, *, today, radius_m):
    """Per row: last visit day (ordinal, -1 for none), kind index of it, visits in window."""
    rows = len(geoms)
    last_day = np.full(rows, -1, dtype=np.int64)
    last_kind = np.zeros(rows, dtype=np.int64)
    recent = np.zeros(rows, dtype=np.int64)
    valid = visits.days <= today.toordinal()
    valid &= np.isfinite(visits.xs_m) & np.isfinite(visits.ys_m)
    if not rows or not valid.any():
        return last_day, last_kind, recent
    xs, ys = visits.xs_m[valid], visits.ys_m[valid]
    days = visits.days[valid]
    kinds = np.where(visits.kinds[valid] == "rundgang", 1, 0)
    points = shapely.points(xs, ys)

    # the nearest street (by name) of every visit within the radius; ties: first name
    found = tree.query_nearest(points, max_distance=radius_m, all_matches=True)
    nearest = np.full(len(points), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(nearest, found[0], line_code[found[1]])

    # the rows (district parts) of that street within the radius
    row_tree = shapely.STRtree(geoms)
    visit, row = row_tree.query(points, predicate="dwithin", distance=radius_m)
    match = row_code[row] == nearest[visit]
    visit, row = visit[match], row[match]
    if visit.size == 0:
        return last_day, last_kind, recent

    # last visit per row: sort by (row, day, kind) and take each row's last entry
    order = np.lexsort((kinds[visit], days[visit], row))
    row_sorted = row[order]
    ends = np.flatnonzero(np.r_[row_sorted[1:] != row_sorted[:-1], True])
    last_rows = row_sorted[ends]
    last_day[last_rows] = days[visit][order][ends]
    last_kind[last_rows] = kinds[visit][order][ends]
    start = add_months(today, -WINDOW_MONTHS).toordinal()
    in_window = days[visit] >= start
    recent += np.bincount(row[in_window], minlength=rows)
    return last_day, last_kind, recent
