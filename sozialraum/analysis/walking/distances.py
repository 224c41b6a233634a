"""Walking distances along the walk network: nearest resources per address, one-to-many.

A distance is metres along the network (:mod:`sozialraum.analysis.walking.network`) plus the
straight "snap" from an address or a resource to its nearest network node; walking times use
a speed in km/h. Points farther than :data:`~sozialraum.analysis.walking.network.MAX_SNAP_M`
from the network get no numbers (see :meth:`WalkNetwork.cut_off_reasons` for why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from sozialraum.analysis.nearby import points_xy
from sozialraum.analysis.walking.network import (
    DEFAULT_SPEED_KMH,
    MAX_SNAP_M,
    MIN_EDGE_M,
    OUTSIDE_NETWORK,
    WalkNetwork,
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
    a_xs, a_ys = points_xy(addresses)
    r_xs, r_ys = points_xy(resources)
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
        graph = _with_resource_nodes(base, r_node[members], r_snap[members])
        node_m, _, source = dijkstra(
            graph, directed=True, indices=virtual, min_only=True, return_predecessors=True
        )
        best = a_snap + node_m[a_node]
        which = members[np.clip(source[a_node] - n, 0, members.size - 1)]
        at_nodes = [order[starts[r_node[i]] : starts[r_node[i] + 1]] for i in members]
        _straight_across(best, which, members, at_nodes, (a_xs, a_ys), (r_xs, r_ys))
        ok = connected & np.isfinite(best)
        distance_m[ok, column] = best[ok]
        nearest[ok, column] = which[ok]
    reasons = network.cut_off_reasons(a_xs, a_ys, max_snap_m, snap_m=a_snap)
    outside = np.array([r == OUTSIDE_NETWORK for r in reasons], dtype=bool)
    return Nearest(distance_m, nearest, ~connected, outside)


def _with_resource_nodes(base, resource_node: np.ndarray, resource_snap_m: np.ndarray):
    """The network (``base``, COO) plus one node per resource, joined to its nearest node.

    The new nodes are numbered after the network's, in the order given; each edge weighs the
    resource's snap distance in metres (at least :data:`MIN_EDGE_M`).
    """
    n, count = base.shape[0], len(resource_node)
    virtual = n + np.arange(count)
    snap = np.maximum(resource_snap_m, MIN_EDGE_M)
    return coo_matrix(
        (
            np.concatenate([base.data, snap, snap]),
            (
                np.concatenate([base.row, virtual, resource_node]),
                np.concatenate([base.col, resource_node, virtual]),
            ),
        ),
        shape=(n + count, n + count),
    ).tocsr()


def _straight_across(best, which, members, at_nodes, address_xy, resource_xy) -> None:
    """Where an address shares a resource's network node, the straight line counts if shorter.

    Changes ``best`` (metres) and ``which`` (resource index) in place; ``at_nodes[k]`` holds
    the addresses at the node of resource ``members[k]``; coordinates in EPSG:25832 metres.
    """
    (a_xs, a_ys), (r_xs, r_ys) = address_xy, resource_xy
    for i, at_node in zip(members, at_nodes, strict=True):
        if at_node.size == 0:
            continue
        direct = np.hypot(a_xs[at_node] - r_xs[i], a_ys[at_node] - r_ys[i])
        closer = direct < best[at_node]
        best[at_node[closer]] = direct[closer]
        which[at_node[closer]] = i


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
