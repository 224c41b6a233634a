"""Walking distances along streets: a walk network from OSM and nearest resources per address.

The network is built in one pyosmium pass over the area's OSM file: ways people can walk on
(``highway=*`` except motorways and trunk roads, not ``foot=no``, not private access), the
largest connected part, node coordinates projected to metres in EPSG:25832. A distance is
metres along the network plus the straight "snap" from an address or a resource to its nearest
network node; walking times use a speed in km/h.

An address farther than :data:`MAX_SNAP_M` from the network gets no numbers, and the reason
is told apart: either no walkable way is near it at all ("liegt abseits der erfassten Wege"),
or the ways near it are a piece that is not connected to the network in the imported data —
in practice a street cut off at the edge of the extract, whose connection lies outside it
("außerhalb des importierten Wegenetzes"). Joining such a piece by a straight line would give
wrong walking distances, so it is reported, with the remedy (import a larger area).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse import triu as sp_triu
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from sozialraum.analysis.nearby import project
from sozialraum.errors import OsmImportError, StorageError

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
_EPSILON_M = 1e-6  # a zero weight would be no edge in a sparse matrix
_FORMAT = "sozialraum-walk-network-1"


def walkable(tags) -> bool:
    """True for an OSM way people may walk on (see module docstring)."""
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
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array([_FORMAT]),
            node_ids=self.node_ids,
            xs_m=self.xs_m,
            ys_m=self.ys_m,
            a=upper.row.astype(np.int32),
            b=upper.col.astype(np.int32),
            piece_xs_m=self.piece_xs_m,
            piece_ys_m=self.piece_ys_m,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> WalkNetwork:
        """Load a network written by :meth:`to_bytes`; :class:`StorageError` if damaged."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                if str(npz["format"][0]) != _FORMAT:
                    raise ValueError("unknown format")
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
        except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
            raise StorageError(f"the stored walk network is damaged ({exc}); re-import") from None
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
    return np.maximum(np.hypot(xs[a] - xs[b], ys[a] - ys[b]), _EPSILON_M)


def _symmetric(a, b, length_m, n) -> csr_matrix:
    return coo_matrix(
        (np.concatenate([length_m, length_m]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    ).tocsr()


def _points_xy(features: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    if not features:
        return np.array([]), np.array([])
    return project(
        [f["geometry"]["coordinates"][0] for f in features],
        [f["geometry"]["coordinates"][1] for f in features],
    )


@dataclass
class Nearest:
    """Nearest resource per address and category, as arrays.

    Attributes
    ----------
    distance_m : numpy.ndarray
        Shape (addresses, categories), walking metres; ``nan`` where none is reachable or the
        address is cut off from the network.
    resource : numpy.ndarray
        Same shape, index into the resources passed in; -1 where ``distance_m`` is ``nan``.
    cut_off : numpy.ndarray
        Per address: True if it is farther than ``max_snap_m`` from the network.
    outside : numpy.ndarray
        Per address: cut off, and a walkable way that is not connected to the network lies
        within ``max_snap_m`` (:data:`OUTSIDE_NETWORK`; the other cut-off ones are
        :data:`OFF_WAYS`).
    """

    distance_m: np.ndarray
    resource: np.ndarray
    cut_off: np.ndarray
    outside: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def nearest_arrays(
    network: WalkNetwork,
    addresses: list[dict],
    resources: list[dict],
    category_ids: list[str],
    *,
    max_snap_m: float = MAX_SNAP_M,
) -> Nearest:
    """Walking distance (metres) from every address to the nearest resource of each category.

    One multi-source Dijkstra per category over the network extended by one node per
    resource (joined to its nearest network node by its snap distance), so the cost does not
    grow with the number of addresses. An address and a resource at the same network node are
    straight across from each other: their distance is the straight line.

    Parameters
    ----------
    network : WalkNetwork
    addresses, resources : list of dict
        Point features in EPSG:4326 from the store.
    category_ids : list of str
    max_snap_m : float
        Addresses or resources farther than this from the network (metres) are not connected.

    Returns
    -------
    Nearest
    """
    n = network.nodes
    a_xs, a_ys = _points_xy(addresses)
    r_xs, r_ys = _points_xy(resources)
    a_node, a_snap = network.snap_xy(a_xs, a_ys)
    r_node, r_snap = network.snap_xy(r_xs, r_ys)
    connected = a_snap <= max_snap_m
    # addresses grouped by their network node, for the straight-across rule
    order = np.argsort(a_node, kind="stable")
    starts = np.searchsorted(a_node[order], np.arange(n + 1))
    distance_m = np.full((len(addresses), len(category_ids)), np.nan)
    nearest = np.full((len(addresses), len(category_ids)), -1, dtype=np.int32)
    base = network.matrix.tocoo()
    for column, category in enumerate(category_ids):
        members = np.array(
            [
                i
                for i, f in enumerate(resources)
                if category in f["properties"]["categories"] and r_snap[i] <= max_snap_m
            ],
            dtype=int,
        )
        if members.size == 0 or not connected.any():
            continue
        virtual = n + np.arange(members.size)
        snap = np.maximum(r_snap[members], _EPSILON_M)
        graph = coo_matrix(
            (
                np.concatenate([base.data, snap, snap]),
                (
                    np.concatenate([base.row, virtual, r_node[members]]),
                    np.concatenate([base.col, r_node[members], virtual]),
                ),
            ),
            shape=(n + members.size, n + members.size),
        ).tocsr()
        node_m, _, source = dijkstra(
            graph, directed=True, indices=virtual, min_only=True, return_predecessors=True
        )
        best = a_snap + node_m[a_node]
        which = members[np.clip(source[a_node] - n, 0, members.size - 1)]
        for i in members:  # an address on the same street node: straight across
            at_node = order[starts[r_node[i]] : starts[r_node[i] + 1]]
            if at_node.size == 0:
                continue
            direct = np.hypot(a_xs[at_node] - r_xs[i], a_ys[at_node] - r_ys[i])
            closer = direct < best[at_node]
            best[at_node[closer]] = direct[closer]
            which[at_node[closer]] = i
        ok = connected & np.isfinite(best)
        distance_m[ok, column] = best[ok]
        nearest[ok, column] = which[ok]
    reasons = network.cut_off_reasons(a_xs, a_ys, max_snap_m, snap_m=a_snap)
    outside = np.array([r == OUTSIDE_NETWORK for r in reasons], dtype=bool)
    return Nearest(distance_m, nearest, ~connected, outside)


def nearest_by_category(
    network: WalkNetwork,
    addresses: list[dict],
    resources: list[dict],
    category_ids: list[str],
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    max_snap_m: float = MAX_SNAP_M,
) -> dict[str, dict[str, dict | None]]:
    """Walking distance and time from every address to the nearest resource of each category.

    See :func:`nearest_arrays`; this is the same result as dictionaries.

    Parameters
    ----------
    network : WalkNetwork
    addresses, resources : list of dict
        Point features in EPSG:4326 from the store.
    category_ids : list of str
    speed_kmh : float
        Walking speed in km/h (4.5 by default, 3.0 for a slow profile).
    max_snap_m : float
        Addresses or resources farther than this from the network (metres) are not connected.

    Returns
    -------
    dict
        ``{address_id: {category_id: {"resource": id, "distance_m": int, "walk_min": float}
        or None}}``. ``None``: no reachable resource of that category, or the address is cut
        off from the network (farther than ``max_snap_m``).
    """
    found = nearest_arrays(network, addresses, resources, category_ids, max_snap_m=max_snap_m)
    result: dict[str, dict[str, dict | None]] = {}
    for k, feature in enumerate(addresses):
        row = {}
        for column, category in enumerate(category_ids):
            index = int(found.resource[k, column])
            row[category] = (
                None
                if index < 0
                else nearest_entry(
                    resources[index]["id"], float(found.distance_m[k, column]), speed_kmh
                )
            )
        result[feature["id"]] = row
    return result


def distances_from_point(
    network: WalkNetwork,
    x_m: float,
    y_m: float,
    xs_m: np.ndarray,
    ys_m: np.ndarray,
    *,
    max_snap_m: float = MAX_SNAP_M,
) -> np.ndarray:
    """Walking distance (metres) from one point to many points, along the network.

    One Dijkstra from the network node nearest to the start. Each point is joined to its
    nearest node by a straight line (counted); a point at the start's node is straight
    across (its straight distance).

    Parameters
    ----------
    network : WalkNetwork
    x_m, y_m : float
        The start in EPSG:25832 metres.
    xs_m, ys_m : numpy.ndarray
        The targets in EPSG:25832 metres.
    max_snap_m : float
        Start or targets farther than this from the network (metres) are not connected.

    Returns
    -------
    numpy.ndarray
        One distance per target in metres; ``nan`` where not reachable (or the start is
        farther than ``max_snap_m`` from the network: all ``nan``).
    """
    xs_m, ys_m = np.asarray(xs_m, dtype=float), np.asarray(ys_m, dtype=float)
    result = np.full(len(xs_m), np.nan)
    if len(xs_m) == 0 or network.nodes == 0:
        return result
    (start,), (start_snap,) = network.snap_xy([x_m], [y_m])
    if start_snap > max_snap_m:
        return result
    node, snap = network.snap_xy(xs_m, ys_m)
    node_m = dijkstra(network.matrix, directed=False, indices=int(start))
    distance_m = start_snap + node_m[node] + snap
    same = node == start
    distance_m[same] = np.hypot(xs_m[same] - x_m, ys_m[same] - y_m)
    ok = (snap <= max_snap_m) & np.isfinite(distance_m)
    result[ok] = distance_m[ok]
    return result


def walk_minutes(distance_m: float, speed_kmh: float) -> float:
    """Walking time in minutes for ``distance_m`` metres at ``speed_kmh``, one decimal."""
    return round(distance_m / (speed_kmh * 1000 / 60), 1)


def nearest_entry(resource_id: str, distance_m: float, speed_kmh: float) -> dict:
    """``{"resource": id, "distance_m": whole metres, "walk_min": minutes at speed_kmh}``."""
    return {
        "resource": resource_id,
        "distance_m": round(distance_m),
        "walk_min": walk_minutes(distance_m, speed_kmh),
    }
