"""Walking distances along streets: a walk network from OSM and nearest resources per address.

The network is built in one pyosmium pass over the area's OSM file: ways people can walk on
(``highway=*`` except motorways and trunk roads, not ``foot=no``, not private access), the
largest connected part, node coordinates projected to metres in EPSG:25832. A distance is
metres along the network plus the straight "snap" from an address or a resource to its nearest
network node; walking times use a speed in km/h.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from sozialraum.analysis.nearby import project
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
_EPSILON_M = 1e-6  # a zero weight would be no edge in a sparse matrix


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
    """

    matrix: csr_matrix
    node_ids: np.ndarray
    xs_m: np.ndarray
    ys_m: np.ndarray

    def __post_init__(self):
        self._tree = cKDTree(np.column_stack([self.xs_m, self.ys_m]))

    @property
    def nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    def snap_xy(self, xs_m, ys_m) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest node and the straight distance to it (metres), per point."""
        distance_m, index = self._tree.query(np.column_stack([xs_m, ys_m]))
        return index, distance_m


def build_walk_network(osm_file: Path) -> WalkNetwork:
    """Build the walk network of an OSM file (any format pyosmium reads).

    Parameters
    ----------
    osm_file : pathlib.Path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf``.

    Returns
    -------
    WalkNetwork
        Largest connected component; lengths in metres (EPSG:25832).
    """
    index: dict[int, int] = {}
    lons: list[float] = []
    lats: list[float] = []
    pairs: list[tuple[int, int]] = []
    try:
        processor = (
            osmium.FileProcessor(str(osm_file), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            if not way.is_way() or not walkable(way.tags):
                continue
            previous = None
            for node in way.nodes:
                if not node.location.valid():
                    previous = None
                    continue
                position = index.get(node.ref)
                if position is None:
                    position = index[node.ref] = len(lons)
                    lons.append(node.lon)
                    lats.append(node.lat)
                if previous is not None and previous != position:
                    pairs.append((previous, position))
                previous = position
    except RuntimeError as exc:
        raise OsmImportError(f"cannot read {Path(osm_file).name}: {exc}") from None
    if not pairs:
        raise OsmImportError(f"no walkable ways in {Path(osm_file).name}")
    xs, ys = project(lons, lats)
    # one edge per node pair (ways sharing a segment would otherwise add up), both directions
    a, b = np.unique(np.sort(np.array(pairs), axis=1), axis=0).T
    length_m = np.maximum(np.hypot(xs[a] - xs[b], ys[a] - ys[b]), _EPSILON_M)
    n = len(lons)
    matrix = coo_matrix(
        (np.concatenate([length_m, length_m]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    ).tocsr()
    _, labels = connected_components(matrix, directed=False)
    largest = np.bincount(labels).argmax()
    keep = np.flatnonzero(labels == largest)
    ids = np.fromiter(index, dtype=np.int64, count=n)
    return WalkNetwork(matrix[keep][:, keep].tocsr(), ids[keep], xs[keep], ys[keep])


def _points_xy(features: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    if not features:
        return np.array([]), np.array([])
    return project(
        [f["geometry"]["coordinates"][0] for f in features],
        [f["geometry"]["coordinates"][1] for f in features],
    )


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

    One multi-source Dijkstra per category over the network extended by one node per
    resource (joined to its nearest network node by its snap distance), so the cost does not
    grow with the number of addresses.

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
    n = network.nodes
    a_xs, a_ys = _points_xy(addresses)
    r_xs, r_ys = _points_xy(resources)
    a_node, a_snap = network.snap_xy(a_xs, a_ys) if addresses else (np.array([], int), np.array([]))
    r_node, r_snap = network.snap_xy(r_xs, r_ys) if resources else (np.array([], int), np.array([]))
    metres_per_min = speed_kmh * 1000 / 60
    result: dict[str, dict[str, dict | None]] = {f["id"]: {} for f in addresses}
    connected = a_snap <= max_snap_m
    base = network.matrix.tocoo()
    for category in category_ids:
        members = np.array(
            [
                i
                for i, f in enumerate(resources)
                if category in f["properties"]["categories"] and r_snap[i] <= max_snap_m
            ],
            dtype=int,
        )
        if members.size == 0:
            for feature in addresses:
                result[feature["id"]][category] = None
            continue
        virtual = n + np.arange(members.size)
        rows = np.concatenate([base.row, virtual, r_node[members]])
        cols = np.concatenate([base.col, r_node[members], virtual])
        weights = np.concatenate([base.data, np.maximum(r_snap[members], _EPSILON_M)])
        weights = np.concatenate([weights, np.maximum(r_snap[members], _EPSILON_M)])
        size = n + members.size
        graph = coo_matrix((weights, (rows, cols)), shape=(size, size)).tocsr()
        distance_m, _, source = dijkstra(
            graph, directed=True, indices=virtual, min_only=True, return_predecessors=True
        )
        nearest_resource = members[np.clip(source - n, 0, members.size - 1)]
        same_node: dict[int, list[int]] = {}
        for i in members:
            same_node.setdefault(int(r_node[i]), []).append(int(i))
        for k, feature in enumerate(addresses):
            node = int(a_node[k])
            if not connected[k] or not np.isfinite(distance_m[node]):
                result[feature["id"]][category] = None
                continue
            best = float(a_snap[k] + distance_m[node])
            nearest = int(nearest_resource[node])
            for i in same_node.get(node, ()):  # on the same street node: straight across
                direct = float(np.hypot(a_xs[k] - r_xs[i], a_ys[k] - r_ys[i]))
                if direct < best:
                    best, nearest = direct, i
            result[feature["id"]][category] = {
                "resource": resources[nearest]["id"],
                "distance_m": round(best),
                "walk_min": round(best / metres_per_min, 1),
            }
    return result
