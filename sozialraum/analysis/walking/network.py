"""The walk network: walkable OSM ways as a graph in metres (EPSG:25832).

The network is built in one pyosmium pass over the area's OSM file: ways people can walk on
(``highway=*`` except motorways and trunk roads, not ``foot=no``, not private access), the
largest connected part, node coordinates projected to metres in EPSG:25832.

A point farther than :data:`MAX_SNAP_M` from the network gets no numbers, and the reason
is told apart: either no walkable way is near it at all ("liegt abseits der erfassten Wege"),
or the ways near it are a piece that is not connected to the network in the imported data —
in practice a street cut off at the edge of the extract, whose connection lies outside it
("außerhalb des importierten Wegenetzes"). Joining such a piece by a straight line would give
wrong walking distances, so it is reported, with the remedy (import a larger area).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse import triu as sp_triu
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from sozialraum.analysis.nearby import project
from sozialraum.analysis.npz import npz_bytes, read_npz
from sozialraum.errors import OsmImportError

#: Ways that are not for walking.
EXCLUDED_HIGHWAYS = {
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "construction",
    "proposed",
    "abandoned",
    "raceway",
    "bus_guideway",
    "escape",
}
NO_FOOT = {"no", "private", "use_sidepath"}
FOOT_ALLOWED = {"yes", "designated", "permissive"}
PRIVATE_ACCESS = {"private", "no"}

#: Addresses or resources farther than this from the network are reported, not given a number.
MAX_SNAP_M = 250.0
DEFAULT_SPEED_KMH = 4.5
SLOW_SPEED_KMH = 3.0
#: Why a point has no walking numbers: no walkable way near it, or only ways that are not
#: connected to the network in the imported data (cut off at the edge of the extract).
OFF_WAYS = "off_ways"
OUTSIDE_NETWORK = "outside_network"
#: The reasons in German, for pages, handouts and API answers.
CUT_OFF_TEXTS = {
    OFF_WAYS: "Diese Adresse liegt abseits der erfassten Wege. "
    "Gehzeiten können wir dafür nicht angeben.",
    OUTSIDE_NETWORK: "Diese Adresse liegt außerhalb des importierten Wegenetzes. "
    "Gehzeiten können wir dafür nicht angeben.",
}
#: Why, and what to do, in German for staff (not for citizens' handouts).
CUT_OFF_HINTS = {
    OUTSIDE_NETWORK: "Die Wege an dieser Adresse sind in den importierten Kartendaten nicht mit "
    "den übrigen Wegen verbunden – meist, weil die Straße am Rand des importierten Gebiets "
    "abgeschnitten ist. Abhilfe: das Gebiet größer importieren.",
}
#: Metres: the shortest edge (a zero weight would be no edge in a sparse matrix).
MIN_EDGE_M = 1e-6
_FORMAT = "sozialraum-walk-network-1"


def walkable(tags) -> bool:
    """True for an OSM way people may walk on (see the module docstring)."""
    highway = tags.get("highway")
    if highway is None or highway in EXCLUDED_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot in NO_FOOT:
        return False
    return not (tags.get("access") in PRIVATE_ACCESS and foot not in FOOT_ALLOWED)


@dataclass
class WalkNetwork:
    """The largest connected walk network of an area.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Symmetric adjacency, weights are edge lengths in metres.
    node_ids : numpy.ndarray
        OSM node ids, aligned with the matrix rows and ``xs_m``/``ys_m``.
    xs_m, ys_m : numpy.ndarray
        Node coordinates in metres (EPSG:25832).
    piece_xs_m, piece_ys_m : numpy.ndarray
        Metres (EPSG:25832): the nodes of walkable ways left out because they are not
        connected to the network (other, smaller parts; empty for networks stored before
        they were kept). Only used to tell why a point is cut off (:meth:`cut_off_reasons`).
    """

    matrix: csr_matrix
    node_ids: np.ndarray
    xs_m: np.ndarray
    ys_m: np.ndarray
    piece_xs_m: np.ndarray = field(default_factory=lambda: np.empty(0))
    piece_ys_m: np.ndarray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self):
        self._tree = cKDTree(np.column_stack([self.xs_m, self.ys_m]))
        self.piece_xs_m = np.asarray(self.piece_xs_m, dtype=float)
        self.piece_ys_m = np.asarray(self.piece_ys_m, dtype=float)
        self._pieces = (
            cKDTree(np.column_stack([self.piece_xs_m, self.piece_ys_m]))
            if len(self.piece_xs_m)
            else None
        )

    @property
    def nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def edges(self) -> int:
        """Number of (undirected) edges."""
        return self.matrix.nnz // 2

    def snap_xy(self, xs_m, ys_m) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest node and the straight distance to it (metres), per point."""
        if len(xs_m) == 0:
            return np.array([], dtype=int), np.array([])
        distance_m, index = self._tree.query(np.column_stack([xs_m, ys_m]))
        return index, distance_m

    def near_nodes(self, xs_m, ys_m, k: int) -> np.ndarray:
        """Indices of the ``k`` nearest nodes per point (metres), nearest first (``n × k``)."""
        _, index = self._tree.query(np.column_stack([xs_m, ys_m]), k=min(k, self.nodes))
        return np.asarray(index).reshape(len(xs_m), -1)

    def cut_off_reasons(
        self, xs_m, ys_m, max_snap_m: float = MAX_SNAP_M, *, snap_m=None
    ) -> list[str | None]:
        """Why points are not joined to the network, per point (metres, EPSG:25832).

        Parameters
        ----------
        xs_m, ys_m : array-like
            Points in EPSG:25832 metres.
        max_snap_m : float
            Points farther than this from the network (metres) are cut off.
        snap_m : array-like, optional
            The points' distances to the network if already known (:meth:`snap_xy`).

        Returns
        -------
        list
            ``None`` where the nearest network node is within ``max_snap_m``; else
            :data:`OUTSIDE_NETWORK` if a walkable way that is not connected to the network
            (a piece cut off at the edge of the imported data) lies within ``max_snap_m``,
            else :data:`OFF_WAYS`.
        """
        xs_m, ys_m = np.asarray(xs_m, dtype=float), np.asarray(ys_m, dtype=float)
        if snap_m is None:
            _, snap_m = self.snap_xy(xs_m, ys_m)
        far = np.asarray(snap_m) > max_snap_m
        outside = np.zeros(len(xs_m), dtype=bool)
        if self._pieces is not None and far.any():
            piece_m, _ = self._pieces.query(np.column_stack([xs_m[far], ys_m[far]]))
            outside[far] = piece_m <= max_snap_m
        return [
            None if not f else OUTSIDE_NETWORK if o else OFF_WAYS
            for f, o in zip(far.tolist(), outside.tolist(), strict=True)
        ]

    def to_bytes(self) -> bytes:
        """The network as a compressed ``.npz`` file (no pickles)."""
        upper = sp_triu(self.matrix, k=1).tocoo()
        return npz_bytes(
            _FORMAT,
            node_ids=self.node_ids,
            xs_m=self.xs_m,
            ys_m=self.ys_m,
            a=upper.row.astype(np.int32),
            b=upper.col.astype(np.int32),
            piece_xs_m=self.piece_xs_m,
            piece_ys_m=self.piece_ys_m,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> WalkNetwork:
        """Load a network written by :meth:`to_bytes`; :class:`StorageError` if damaged."""
        damaged = "the stored walk network is damaged ({exc}); re-import"
        with read_npz(data, _FORMAT, damaged) as npz:
            ids, xs, ys = npz["node_ids"], npz["xs_m"], npz["ys_m"]
            a, b = npz["a"], npz["b"]
            # networks stored before the left-out pieces were kept have none
            piece_xs = npz["piece_xs_m"] if "piece_xs_m" in npz.files else np.empty(0)
            piece_ys = npz["piece_ys_m"] if "piece_ys_m" in npz.files else np.empty(0)
            n = len(ids)
            if not (len(xs) == len(ys) == n) or len(a) != len(b) or len(piece_xs) != len(piece_ys):
                raise ValueError("inconsistent arrays")
            if len(a) and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n):
                raise ValueError("edge out of range")
        return cls(_symmetric(a, b, _lengths(xs, ys, a, b), n), ids, xs, ys, piece_xs, piece_ys)


def build_walk_network(
    osm_file: Path, on_way: Callable[[object, list], None] | None = None
) -> WalkNetwork:
    """Build the walk network of an OSM file (any format pyosmium reads).

    Parameters
    ----------
    osm_file : pathlib.Path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.
    on_way : callable, optional
        Called with ``(tags, nodes)`` for every walkable way in the same pass (``nodes`` as
        for :func:`network_from_ways`; ``tags`` is only valid during the call). The import
        collects the named streets this way (:class:`sozialraum.analysis.streets.StreetCollector`).

    Returns
    -------
    WalkNetwork
        Largest connected component; lengths in metres (EPSG:25832).
    """

    def ways():
        processor = (
            osmium.FileProcessor(str(osm_file), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            if way.is_way() and walkable(way.tags):
                nodes = [
                    (node.ref, node.lon, node.lat) if node.location.valid() else None
                    for node in way.nodes
                ]
                if on_way is not None:
                    on_way(way.tags, nodes)
                yield nodes

    try:
        return network_from_ways(ways())
    except RuntimeError as exc:
        raise OsmImportError(f"cannot read {Path(osm_file).name}: {exc}") from None
    except OsmImportError:
        raise OsmImportError(f"no walkable ways in {Path(osm_file).name}") from None


def network_from_ways(ways: Iterable[list[tuple[int, float, float] | None]]) -> WalkNetwork:
    """Build a walk network from walkable ways given as node lists.

    Parameters
    ----------
    ways : iterable of list
        Per way its nodes in order as ``(osm_node_id, lon, lat)`` (degrees, EPSG:4326), or
        ``None`` for a node without a location (the way is split there). Filter with
        :func:`walkable` first.

    Returns
    -------
    WalkNetwork
        Largest connected component; lengths in metres (EPSG:25832). The nodes of the other
        components are kept as ``piece_xs_m``/``piece_ys_m`` (to tell why a point is cut off).
    """
    index: dict[int, int] = {}
    lons: list[float] = []
    lats: list[float] = []
    pairs: list[tuple[int, int]] = []
    for nodes in ways:
        previous = None
        for node in nodes:
            if node is None:
                previous = None
                continue
            ref, lon, lat = node
            position = index.get(ref)
            if position is None:
                position = index[ref] = len(lons)
                lons.append(lon)
                lats.append(lat)
            if previous is not None and previous != position:
                pairs.append((previous, position))
            previous = position
    if not pairs:
        raise OsmImportError("no walkable ways")
    xs, ys = project(lons, lats)
    # one edge per node pair (ways sharing a segment would otherwise add up)
    a, b = np.unique(np.sort(np.array(pairs), axis=1), axis=0).T
    n = len(lons)
    ids = np.fromiter(index, dtype=np.int64, count=n)
    matrix = _symmetric(a, b, _lengths(xs, ys, a, b), n)
    _, labels = connected_components(matrix, directed=False)
    largest = labels == np.bincount(labels).argmax()
    keep = np.flatnonzero(largest)
    return WalkNetwork(
        matrix[keep][:, keep].tocsr(),
        ids[keep],
        xs[keep],
        ys[keep],
        xs[~largest],
        ys[~largest],
    )


def _lengths(xs, ys, a, b) -> np.ndarray:
    return np.maximum(np.hypot(xs[a] - xs[b], ys[a] - ys[b]), MIN_EDGE_M)


def _symmetric(a, b, length_m, n) -> csr_matrix:
    return coo_matrix(
        (np.concatenate([length_m, length_m]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    ).tocsr()
