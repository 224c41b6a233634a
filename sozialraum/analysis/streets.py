"""Named streets of an area: every walkable OSM way that has a ``name``, as polylines.

The import builds them in the same places as the walk network (one pyosmium pass over the
file, or the walkable ways of the online import) and stores them as an area artifact
(``streets.npz``): lon/lat degrees (EPSG:4326), coordinates with offsets per line and an index
into the sorted street names, no pickles. Metric work (lengths, distances in metres) projects
them to EPSG:25832 with :func:`sozialraum.analysis.nearby.project`.

A street here is a name: the several OSM ways of one street share it, and so do streets of the
same name in different districts (the coverage analysis tells them apart by district).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import shapely

from sozialraum.analysis.nearby import project
from sozialraum.analysis.npz import npz_bytes, read_npz
from sozialraum.analysis.reachability import read_derived
from sozialraum.analysis.walking import walkable
from sozialraum.errors import NotFound, OsmImportError
from sozialraum.store.base import Store

STREETS_ARTIFACT = "streets.npz"
#: Walkable ways with a name that are no street a caseworker walks along (a platform is
#: named after its stop).
NOT_STREETS = frozenset({"platform", "bus_stop", "elevator", "corridor"})
_FORMAT = "sozialraum-streets-1"
_DECIMALS = 7  # lon/lat decimals kept (about 1 cm)


class StreetsUnavailable(NotFound):
    """The area has no stored streets: re-import the area.

    It was imported before streets existed, or the import found no walkable ways.
    """


def is_named_street(tags) -> bool:
    """True for a walkable OSM way that is a named street, square or path.

    Walkable as in :func:`~sozialraum.analysis.walking.walkable`, with a non-empty ``name``; not a
    platform.
    """
    name = tags.get("name")
    if not name or not name.strip() or not walkable(tags):
        return False
    return tags.get("highway") not in NOT_STREETS


@dataclass
class Streets:
    """Polylines of named streets in lon/lat degrees (EPSG:4326).

    Attributes
    ----------
    names : numpy.ndarray
        Unique street names (``str``), sorted.
    line_name : numpy.ndarray
        Per line the index of its name in ``names`` (``int32``).
    offsets : numpy.ndarray
        Line ``i`` has the vertices ``offsets[i]:offsets[i + 1]`` (``int64``, lines + 1 long).
    lons, lats : numpy.ndarray
        Vertex coordinates in degrees (EPSG:4326).
    """

    names: np.ndarray
    line_name: np.ndarray
    offsets: np.ndarray
    lons: np.ndarray
    lats: np.ndarray

    @property
    def lines(self) -> int:
        """Number of polylines (OSM ways, split where a node had no location)."""
        return len(self.line_name)

    @property
    def segments(self) -> int:
        """Number of straight segments between vertices."""
        return len(self.lons) - self.lines

    def summary(self) -> dict:
        """Counts for the area metadata: ``streets`` (names), ``lines``, ``segments``."""
        return {"streets": len(self.names), "lines": self.lines, "segments": self.segments}

    def line_names(self) -> np.ndarray:
        """The street name of every line (``str`` array)."""
        return self.names[self.line_name] if self.lines else np.array([], dtype=str)

    def lines_m(self) -> np.ndarray:
        """Every line as a shapely LineString in metres (EPSG:25832)."""
        if not self.lines:
            return np.array([], dtype=object)
        xs, ys = project(self.lons, self.lats)
        index = np.repeat(np.arange(self.lines), np.diff(self.offsets))
        return shapely.linestrings(np.column_stack([xs, ys]), indices=index)

    def to_bytes(self) -> bytes:
        """The streets as a compressed ``.npz`` file (no pickles)."""
        return npz_bytes(
            _FORMAT,
            names=self.names.astype(str),
            line_name=self.line_name.astype(np.int32),
            offsets=self.offsets.astype(np.int64),
            lons=self.lons,
            lats=self.lats,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Streets:
        """Load streets written by :meth:`to_bytes`; :class:`StorageError` if damaged."""
        with read_npz(data, _FORMAT, "the stored streets are damaged ({exc}); re-import") as npz:
            names, line_name, offsets = npz["names"], npz["line_name"], npz["offsets"]
            lons, lats = npz["lons"], npz["lats"]
            if len(offsets) != len(line_name) + 1 or len(lons) != len(lats):
                raise ValueError("inconsistent arrays")
            if offsets[0] != 0 or offsets[-1] != len(lons) or (np.diff(offsets) < 2).any():
                raise ValueError("bad offsets")
            if len(line_name) and (line_name.min() < 0 or line_name.max() >= len(names)):
                raise ValueError("name out of range")
        return cls(names, line_name, offsets, lons.astype(float), lats.astype(float))


def streets_from_lines(lines: Iterable[tuple[str, Sequence[tuple[float, float]]]]) -> Streets:
    """Build :class:`Streets` from named polylines.

    Parameters
    ----------
    lines : iterable of (str, sequence of (lon, lat))
        Street name and vertices in degrees (EPSG:4326). Names are stripped; lines with fewer
        than two vertices are dropped; repeated vertices in a row are kept once.

    Returns
    -------
    Streets
    """
    kept: list[tuple[str, list[tuple[float, float]]]] = []
    for name, coords in lines:
        points = [
            (round(float(lon), _DECIMALS), round(float(lat), _DECIMALS)) for lon, lat in coords
        ]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if len(points) >= 2 and name and name.strip():
            kept.append((name.strip(), points))
    names = np.array(sorted({name for name, _ in kept}), dtype=str)
    position = {name: i for i, name in enumerate(names.tolist())}
    sizes = np.array([len(points) for _, points in kept], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    coords = np.array([p for _, points in kept for p in points], dtype=float).reshape(-1, 2)
    return Streets(
        names=names,
        line_name=np.array([position[name] for name, _ in kept], dtype=np.int32),
        offsets=offsets,
        lons=coords[:, 0].copy(),
        lats=coords[:, 1].copy(),
    )


class StreetCollector:
    """Collects named streets from walkable ways, as :func:`build_walk_network` reads them.

    Pass an instance as ``on_way``; it is called with ``(tags, nodes)`` where ``nodes`` are
    ``(osm_node_id, lon, lat)`` or ``None`` for a node without a location (the line is split
    there). Then :meth:`streets` builds the result.
    """

    def __init__(self):
        self.lines: list[tuple[str, list[tuple[float, float]]]] = []

    def __call__(self, tags, nodes: list) -> None:
        """Collect the located parts of one way if it is a named street.

        A node without a location (``None``) splits the way; parts of fewer than two nodes
        are dropped.
        """
        if not is_named_street(tags):
            return
        name = tags.get("name")
        part: list[tuple[float, float]] = []
        for node in [*nodes, None]:
            if node is None:
                if len(part) >= 2:
                    self.lines.append((name, part))
                part = []
            else:
                part.append((node[1], node[2]))

    def streets(self) -> Streets:
        """The collected streets."""
        return streets_from_lines(self.lines)


def read_streets(osm_file: Path) -> Streets:
    """The named streets of an OSM file in one pyosmium pass.

    The import reads them together with the walk network instead.

    Parameters
    ----------
    osm_file : pathlib.Path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.

    Returns
    -------
    Streets
        Lon/lat degrees (EPSG:4326).
    """
    collector = StreetCollector()
    try:
        processor = (
            osmium.FileProcessor(str(osm_file), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            if way.is_way():
                collector(
                    way.tags,
                    [
                        (node.ref, node.lon, node.lat) if node.location.valid() else None
                        for node in way.nodes
                    ],
                )
    except RuntimeError as exc:
        raise OsmImportError(f"cannot read {Path(osm_file).name}: {exc}") from None
    return collector.streets()


# -- the store side -------------------------------------------------------------------
def save_streets(store: Store, area: str, streets: Streets | None, *, actor: str) -> None:
    """Store the streets of ``area`` (``None`` removes stale ones)."""
    if streets is None:
        store.delete_artifact(area, STREETS_ARTIFACT, actor=actor)
    else:
        store.write_artifact(area, STREETS_ARTIFACT, streets.to_bytes(), actor=actor)


def load_streets(store: Store, area: str) -> Streets:
    """The stored streets of ``area``; :class:`StreetsUnavailable` if there are none."""
    missing = StreetsUnavailable(f"area {area!r} has no streets; import it again to build them")
    return Streets.from_bytes(read_derived(store, area, STREETS_ARTIFACT, missing))
