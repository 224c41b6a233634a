"""`[walk order]` benchmark (issue 4): ordering the stops of a walk along the streets.

On the largest real extract (Neuss, 8 MB OSM XML) 25 addresses at the street front are drawn
at random (seeded) as the stops of a walk, in the order a user would type them. Measured:
the time to compute all walking distances between the stops plus the proposed order
(nearest neighbour + 2-opt), and the route length of the proposal relative to the entered
order. Baselines in the same run: the entered order's length, and the time of one
single-source Dijkstra over the whole network (what one stop costs). Median of several
draws; nothing here is a test.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from common import NEUSS

STOPS = 25


def bench_walk_order(draws: int = 7) -> None:
    import tempfile
    from pathlib import Path

    from scipy.sparse.csgraph import dijkstra

    from sozialraum.analysis import route
    from sozialraum.analysis.nearby import project
    from sozialraum.analysis.walking import build_walk_network
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    print(f"[walk order] {STOPS} stops on {NEUSS.name}: distances along streets + proposed order")
    with tempfile.TemporaryDirectory() as folder:
        store = GeoJSONStore(Path(folder))
        import_area(store, "neuss", osm_file=NEUSS)
        addresses = store.query("neuss", "addresses")
    network = build_walk_network(NEUSS)
    xs, ys = project(
        [a["geometry"]["coordinates"][0] for a in addresses],
        [a["geometry"]["coordinates"][1] for a in addresses],
    )
    front = route._snap_to_segments(network, xs, ys)[3] < 15
    xs, ys = xs[front], ys[front]
    rng = np.random.default_rng(2026)
    times, ratios, lengths = [], [], []
    for _ in range(draws):
        picks = rng.choice(len(xs), STOPS, replace=False)
        started = time.perf_counter()
        matrix = route.stop_matrix(network, xs[picks], ys[picks])
        order = route.propose_order(matrix.distance_m)
        times.append(time.perf_counter() - started)
        entered = route.path_length_m(matrix.distance_m, range(STOPS))
        proposed = route.path_length_m(matrix.distance_m, order)
        ratios.append(proposed / entered)
        lengths.append((entered, proposed))
    one = []
    for node in rng.choice(network.nodes, 5, replace=False):
        started = time.perf_counter()
        dijkstra(network.matrix, indices=int(node))
        one.append(time.perf_counter() - started)
    baseline = statistics.median(one)
    took = statistics.median(times)
    entered_m = statistics.median(e for e, _ in lengths)
    proposed_m = statistics.median(p for _, p in lengths)
    print(f"  network: {network.nodes:,} nodes, {network.edges:,} edges; {draws} random draws")
    print(f"  one Dijkstra over the network (baseline)   {baseline * 1000:8.1f} ms")
    print(
        f"  distances + proposed order, {STOPS} stops       {took * 1000:8.1f} ms"
        f"   ratio {took / baseline:6.1f}x one Dijkstra"
    )
    print(
        f"  route length: entered order {entered_m / 1000:6.2f} km, proposed "
        f"{proposed_m / 1000:6.2f} km (median); proposed / entered "
        f"median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}"
    )
