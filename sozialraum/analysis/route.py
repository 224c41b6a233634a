"""Walk routes: the order of a walk's stops and the route between them along the streets.

Distances are metres along the area's walk network (EPSG:25832, see
:mod:`sozialraum.analysis.walking`). Each stop is joined to its nearest network node by a
straight line (counted in the distance). The order starts at the first stop and visits
all others along the shortest route found by nearest-neighbour construction improved
with 2-opt (an open path: it need not return to the start).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from sozialraum.analysis.walking import MAX_SNAP_M, OUTSIDE_NETWORK, WalkNetwork
from sozialraum.errors import InvalidInput

#: Most stops a walk can have (the order is computed between all pairs).
MAX_STOPS = 40


@dataclass(frozen=True)
class StopMatrix:
    """Walking distances between stops (metres) and what is needed to draw the routes.

    Each stop is joined to the nearest point of the nearest street segment (edge); from
    there the walk goes to either end of that segment.

    Attributes
    ----------
    distance_m : numpy.ndarray
        ``n × n`` walking distances between stops; ``inf`` if not connected.
    ends : numpy.ndarray
        ``n × 2`` network nodes at the ends of each stop's segment.
    end_m : numpy.ndarray
        ``n × 2`` metres from each stop to those ends (the snap plus along the segment).
    foot_xy : numpy.ndarray
        ``n × 2`` the point on the segment nearest to each stop (metres).
    snap_m : numpy.ndarray
        Straight distance from each stop to its segment (metres).
    predecessors : numpy.ndarray
        Shortest-path predecessors, row ``2 i + k`` from end ``k`` of stop ``i``.
    choice : numpy.ndarray
        ``n × n × 2`` which end of stop ``i`` and of stop ``j`` the best path uses
        (-1 when both lie on the same segment and walk along it directly).
    """

    distance_m: np.ndarray
    ends: np.ndarray
    end_m: np.ndarray
    foot_xy: np.ndarray
    snap_m: np.ndarray
    predecessors: np.ndarray
    choice: np.ndarray


def _snap_to_segments(network: WalkNetwork, xs_m: np.ndarray, ys_m: np.ndarray, k: int = 12):
    """Per point: the nearest segment among those at its ``k`` nearest nodes."""
    near = network.near_nodes(xs_m, ys_m, k)
    indptr, indices = network.matrix.indptr, network.matrix.indices
    ends = np.zeros((len(xs_m), 2), dtype=int)
    offset = np.zeros(len(xs_m))
    foot = np.zeros((len(xs_m), 2))
    snap = np.full(len(xs_m), np.inf)
    for i, (x, y) in enumerate(zip(xs_m, ys_m, strict=True)):
        for a in near[i]:
            for b in indices[indptr[a] : indptr[a + 1]]:
                ax, ay = network.xs_m[a], network.ys_m[a]
                dx, dy = network.xs_m[b] - ax, network.ys_m[b] - ay
                length2 = dx * dx + dy * dy
                t = (
                    0.0
                    if length2 == 0
                    else min(1.0, max(0.0, ((x - ax) * dx + (y - ay) * dy) / length2))
                )
                fx, fy = ax + t * dx, ay + t * dy
                d = float(np.hypot(x - fx, y - fy))
                if d < snap[i] - 1e-9:
                    snap[i], ends[i], foot[i] = d, (a, b), (fx, fy)
                    offset[i] = t * float(np.sqrt(length2))
    lengths = np.hypot(
        network.xs_m[ends[:, 1]] - network.xs_m[ends[:, 0]],
        network.ys_m[ends[:, 1]] - network.ys_m[ends[:, 0]],
    )
    end_m = np.column_stack([snap + offset, snap + (lengths - offset)])
    return ends, end_m, foot, snap


def _far_stops_message(network: WalkNetwork, far: np.ndarray, xs_m, ys_m) -> str:
    """Why the stops ``far`` (indices) cannot join the network, in German.

    Off the ways, or on ways that are not connected to it (cut off at the edge of the imported
    data).
    """
    reasons = network.cut_off_reasons(xs_m[far], ys_m[far], MAX_SNAP_M)
    outside = [int(i) + 1 for i, r in zip(far, reasons, strict=True) if r == OUTSIDE_NETWORK]
    off = [int(i) + 1 for i, r in zip(far, reasons, strict=True) if r != OUTSIDE_NETWORK]
    parts = []
    if off:
        parts.append(
            f"Station {', '.join(map(str, off[:5]))} liegt mehr als {MAX_SNAP_M:.0f} m von "
            "jedem erfassten Weg entfernt; bitte einen Punkt näher an einer Straße wählen."
        )
    if outside:
        parts.append(
            f"Station {', '.join(map(str, outside[:5]))} liegt außerhalb des importierten "
            "Wegenetzes: Die Wege dort sind in den importierten Kartendaten nicht mit den "
            "übrigen verbunden (meist am Rand des importierten Gebiets abgeschnitten); bitte "
            "einen anderen Punkt wählen oder das Gebiet größer importieren."
        )
    return " ".join(parts)


def stop_matrix(network: WalkNetwork, xs_m, ys_m) -> StopMatrix:
    """Walking distances between all stops (points in metres, EPSG:25832).

    Raises
    ------
    InvalidInput
        If a stop lies more than :data:`~sozialraum.analysis.walking.MAX_SNAP_M` metres from
        the network (the message tells a stop off the ways from one outside the imported
        network), or there are more than :data:`MAX_STOPS` stops.
    """
    xs_m, ys_m = np.asarray(xs_m, float), np.asarray(ys_m, float)
    if len(xs_m) > MAX_STOPS:
        raise InvalidInput(f"Ein Rundgang hat höchstens {MAX_STOPS} Stationen.")
    n = len(xs_m)
    ends, end_m, foot, snap_m = _snap_to_segments(network, xs_m, ys_m)
    far = np.flatnonzero(snap_m > MAX_SNAP_M)
    if len(far):
        raise InvalidInput(_far_stops_message(network, far, xs_m, ys_m))
    sources = ends.reshape(-1)
    dist, pred = dijkstra(network.matrix, indices=sources, return_predecessors=True)
    distance_m = np.zeros((n, n))
    choice = np.full((n, n, 2), -1, dtype=int)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            best, pick = np.inf, (-1, -1)
            same = {int(ends[i, 0]), int(ends[i, 1])} == {int(ends[j, 0]), int(ends[j, 1])}
            if same:  # both on one segment: straight along it
                along = abs(
                    (end_m[i, 0] - snap_m[i])
                    - (
                        end_m[j, 0] - snap_m[j]
                        if ends[j, 0] == ends[i, 0]
                        else end_m[j, 1] - snap_m[j]
                    )
                )
                best = snap_m[i] + along + snap_m[j]
            for ki in range(2):
                for kj in range(2):
                    total = end_m[i, ki] + dist[2 * i + ki, ends[j, kj]] + end_m[j, kj]
                    if total < best - 1e-9:
                        best, pick = total, (ki, kj)
            distance_m[i, j] = best
            choice[i, j] = pick
    return StopMatrix(distance_m, ends, end_m, foot, snap_m, pred, choice)


def path_length_m(distance_m: np.ndarray, order) -> float:
    """Length of visiting stops in ``order`` (metres)."""
    order = list(order)
    return float(sum(distance_m[a, b] for a, b in itertools.pairwise(order)))


def _two_opt(distance_m: np.ndarray, order: list[int]) -> list[int]:
    """Reverse segments while that shortens the open path (the first stop stays first)."""
    n = len(order)
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):
            for j in range(i + 1, n):
                a, b = order[i - 1], order[i]
                c = order[j]
                d = order[j + 1] if j + 1 < n else None
                before = distance_m[a, b] + (distance_m[c, d] if d is not None else 0.0)
                after = distance_m[a, c] + (distance_m[b, d] if d is not None else 0.0)
                if after < before - 1e-9:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
    return order


def propose_order(distance_m: np.ndarray) -> list[int]:
    """A short order through all stops, starting at stop 0 (indices into the matrix).

    Nearest neighbour from the first stop, then 2-opt. Unconnected stops (``inf``)
    go last, in their given order.
    """
    n = len(distance_m)
    if n <= 2:
        return list(range(n))
    finite = np.where(np.isfinite(distance_m), distance_m, 1e12)
    order, left = [0], set(range(1, n))
    while left:
        here = order[-1]
        following = min(left, key=lambda j: (finite[here, j], j))
        order.append(following)
        left.remove(following)
    return _two_opt(finite, order)


def route_xy(network: WalkNetwork, matrix: StopMatrix, order, xs_m, ys_m) -> list[list]:
    """The route through the stops in ``order`` as one line per leg, in metres.

    Each leg runs from a stop to its street segment, along the shortest path over the
    network's nodes, and from the next stop's segment to that stop; an unconnected leg
    is a straight line.
    """
    legs = []
    for a, b in itertools.pairwise(list(order)):
        start = (float(xs_m[a]), float(ys_m[a]))
        end = (float(xs_m[b]), float(ys_m[b]))
        if not np.isfinite(matrix.distance_m[a, b]):
            legs.append([start, end])
            continue
        points = [start, tuple(map(float, matrix.foot_xy[a]))]
        ka, kb = matrix.choice[a, b]
        if ka >= 0:
            source, node = matrix.ends[a, ka], matrix.ends[b, kb]
            row = 2 * a + ka
            chain = [node]
            while node != source:
                node = matrix.predecessors[row, node]
                chain.append(node)
            chain.reverse()
            points += [(float(network.xs_m[k]), float(network.ys_m[k])) for k in chain]
        points += [tuple(map(float, matrix.foot_xy[b])), end]
        legs.append(points)
    return legs
