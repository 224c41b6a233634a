"""`[walk]` benchmark (issue 7): nearest resource per address along streets.

For the largest real extract (``neuss-innenstadt.osm``) and for that extract replicated
``copies`` times (``run.replicate``; 35x gives 50,890 addresses), the file is imported into a
temporary store (not timed). A fresh subprocess then loads the stored addresses and resources,
builds the walk network (timed) and computes the nearest resource of every category of the
category table for every address with ``nearest_arrays`` (timed separately): medians of
``repeat`` runs for 1x, of at most 3 for the replica. Peak memory is that process's VmHWM after
the first build + nearest run, i.e. interpreter, imports, stored layers, network and result;
the nearest step's own peak (VmHWM reset through ``/proc/self/clear_refs``) is given too.

Baseline, measured in the same process: the straightforward way, one single-source scipy
Dijkstra over the whole network per address, then per category the minimum over that
category's resources of snap + network distance + snap (the straight line for a resource at
the address's own street node, as ``nearest_arrays`` does). It runs on an evenly spread
sample of addresses (median of as many runs); its loop time is scaled linearly to all
addresses (its one-off set-up, projecting and snapping all points, is added unscaled). The
ratio is that scaled time over ours. Outside the timing the sample's baseline distances are
checked against ours (within 1 m, unreachable in both or neither): the run stops if they
disagree.

The replicas are 0.05° apart and would be 35 separate street networks, of which the walk
network keeps only the largest. So the replica is made from a copy of the extract with one
footway from its easternmost street node to the id its westernmost street node gets in the
next copy: ``replicate`` chains the copies into one connected network (the last copy's link
points to a node that does not exist; readers skip it).

Called from ``benchmarks/run.py --only walk``; ``python benchmarks/walk.py --measure ...`` is
the measuring subprocess.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import NEUSS, ROOT, replicate

TARGET_SPEEDUP = 20.0
ID_OFFSET = 10**11  # id offset per copy in replicate()
LINK_WAY_ID = 9 * 10**10  # below ID_OFFSET, far above real way ids
AGREE_M = 1.0
SAMPLE_1X = 100
SAMPLE_REPLICA = 50
REPEAT_REPLICA = 3  # at most; one replica run takes ~10 s


# -- set-up (parent process) --------------------------------------------------------
def _linked_source(target: Path) -> None:
    """Write NEUSS plus one footway linking it to the next copy made by ``replicate``."""
    import osmium

    from sozialraum.analysis.walking import build_walk_network

    network = build_walk_network(NEUSS)
    east = int(network.node_ids[network.xs_m.argmax()])
    west = int(network.node_ids[network.xs_m.argmin()])
    link = osmium.osm.mutable.Way(
        id=LINK_WAY_ID, nodes=[east, west + ID_OFFSET], tags={"highway": "footway"}
    )
    with osmium.SimpleWriter(str(target), overwrite=True) as writer:
        linked = False
        for obj in osmium.FileProcessor(str(NEUSS)):
            if not linked and obj.type_str() == "r":  # after the ways: ids stay in order
                writer.add_way(link)
                linked = True
            writer.add(obj)
        if not linked:
            writer.add_way(link)


def _import(folder: Path, area: str, osm_file: Path) -> float:
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    started = time.perf_counter()
    import_area(GeoJSONStore(folder), area, osm_file=osm_file)
    return time.perf_counter() - started


def _run_measure(folder: Path, area: str, osm_file: Path, repeat: int, sample: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(folder), area]
    command += [str(osm_file), "--repeat", str(repeat), "--sample", str(sample)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"walk benchmark subprocess failed:\n{done.stderr}")
    return json.loads(done.stdout)


def bench_walk(repeat: int, copies: int = 35) -> None:
    from sozialraum.model.categories import load_categories

    categories = len(load_categories().ids)
    many_repeat = min(repeat, REPEAT_REPLICA)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        one_import = _import(folder / "store", "one", NEUSS)
        one = _run_measure(folder / "store", "one", NEUSS, repeat, SAMPLE_1X)
        started = time.perf_counter()
        linked, big = folder / "linked.osm", folder / f"neuss-x{copies}.osm"
        _linked_source(linked)
        replicate(linked, big, copies)
        made = time.perf_counter() - started
        many_import = _import(folder / "store", "many", big)
        many = _run_measure(folder / "store", "many", big, many_repeat, SAMPLE_REPLICA)

    print(f"\n[walk] nearest resource on foot, all {categories} categories (nearest_arrays)")
    print(
        f"  set-up, not timed below: import {NEUSS.name} {one_import:.1f} s; replicated "
        f"{copies}x with the copies\n  chained by one footway each {made:.1f} s; "
        f"import {many_import:.1f} s"
    )
    print(
        f"  {'extract':<24} {'addresses':>9} {'cut off':>7} {'network nodes':>13} "
        f"{'build s':>7} {'nearest s':>9} {'peak MB':>7} {'nearest peak MB':>15}"
    )
    runs = {n: f"median of {n}" if n > 1 else "1 run" for n in (repeat, many_repeat)}
    rows = (("neuss 1x", one, runs[repeat]), (f"neuss {copies}x", many, runs[many_repeat]))
    for label, fig, runs in rows:
        step = f"{fig['step_peak_mb']:.0f} (+{fig['step_added_mb']:.0f})"
        print(
            f"  {label + ' (' + runs + ')':<24} {fig['addresses']:>9,} {fig['cut_off']:>7,} "
            f"{fig['nodes']:>13,} {fig['build_s']:>7.3f} {fig['nearest_s']:>9.3f} "
            f"{fig['peak_mb']:>7.0f} {step:>15}"
        )
    print(
        "  peak MB: VmHWM of a fresh process that loads the stored layers, builds the network\n"
        "  and computes (Python, imports, layers, network, result); nearest peak MB: VmHWM\n"
        "  during nearest_arrays alone (+ its rise over the RSS before it)"
    )
    print("  per-address Dijkstra loop (baseline), loop on a sample -> scaled to all addresses:")
    for label, fig, runs in rows:
        print(
            f"    {label}: {fig['sample']} of {fig['addresses']:,} addresses "
            f"{fig['baseline_loop_s']:.3f} s ({runs}) + set-up {fig['baseline_setup_s']:.3f} s"
            f" -> {fig['baseline_scaled_s']:.1f} s"
        )
    for label, fig, _ in rows:
        if fig["disagree"]:
            raise SystemExit(
                f"walk benchmark: baseline and nearest_arrays disagree ({label}): {fig['disagree']}"
            )
    worst = max(one["max_diff_m"], many["max_diff_m"])
    print(
        f"  agree on {one['sample'] + many['sample']} sample addresses "
        f"({one['compared'] + many['compared']:,} finite distances, largest difference "
        f"{worst:.1g} m)"
    )
    ratios = [(label.split()[1], fig) for label, fig, _ in rows]
    print(
        "  ratio baseline/ours: "
        + ", ".join(f"{n} {f['baseline_scaled_s'] / f['nearest_s']:.0f}x" for n, f in ratios)
        + f" (target >= {TARGET_SPEEDUP:.0f}x)"
    )
    print(
        "  the same with the network build (which both need) added to both: "
        + ", ".join(
            f"{n} {(f['baseline_scaled_s'] + f['build_s']) / (f['nearest_s'] + f['build_s']):.0f}x"
            for n, f in ratios
        )
    )


# -- the measuring subprocess ---------------------------------------------------------
def _status_mb(field: str) -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", text).group(1)) / 1024


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        return False
    return True


def _baseline(network, addresses, resources, category_ids, sample, max_snap_m):
    """The straightforward way: one single-source Dijkstra per address of ``sample``."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from sozialraum.analysis.walking import points_xy

    started = time.perf_counter()
    a_xs, a_ys = points_xy(addresses)
    r_xs, r_ys = points_xy(resources)
    a_node, a_snap = network.snap_xy(a_xs, a_ys)
    r_node, r_snap = network.snap_xy(r_xs, r_ys)
    members = [
        np.array(
            [
                i
                for i, f in enumerate(resources)
                if category in f["properties"]["categories"] and r_snap[i] <= max_snap_m
            ],
            dtype=int,
        )
        for category in category_ids
    ]
    setup_s = time.perf_counter() - started

    distance_m = np.full((len(sample), len(category_ids)), np.nan)
    started = time.perf_counter()
    for row, k in enumerate(sample):
        if a_snap[k] > max_snap_m:
            continue
        dist = dijkstra(network.matrix, indices=a_node[k])
        for column, found in enumerate(members):
            if found.size == 0:
                continue
            via = a_snap[k] + dist[r_node[found]] + r_snap[found]
            here = r_node[found] == a_node[k]  # same street node: straight across
            via[here] = np.hypot(r_xs[found[here]] - a_xs[k], r_ys[found[here]] - a_ys[k])
            best = via.min()
            if np.isfinite(best):
                distance_m[row, column] = best
    return distance_m, setup_s, time.perf_counter() - started


def measure(folder: Path, area: str, osm_file: Path, repeat: int, sample_size: int) -> dict:
    """Load the stored layers, time network build and nearest, then the sampled baseline."""
    import numpy as np

    from sozialraum.analysis.walking import MAX_SNAP_M, build_walk_network, nearest_arrays
    from sozialraum.model.categories import load_categories
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(folder)
    addresses = store.query(area, "addresses")
    resources = store.query(area, "resources")
    category_ids = list(load_categories().ids)

    build_times, nearest_times = [], []
    network = found = None
    peak_mb = step_peak_mb = step_added_mb = float("nan")
    for run in range(repeat):
        network = found = None  # drop the previous run's objects first
        started = time.perf_counter()
        network = build_walk_network(osm_file)
        build_times.append(time.perf_counter() - started)
        if run == 0:
            before_peak_mb, before_mb = _status_mb("VmHWM"), _status_mb("VmRSS")
            reset = _reset_peak()
        started = time.perf_counter()
        found = nearest_arrays(network, addresses, resources, category_ids)
        nearest_times.append(time.perf_counter() - started)
        if run == 0:
            peak_mb = max(before_peak_mb, _status_mb("VmHWM"))
            if reset:
                step_peak_mb = _status_mb("VmHWM")
                step_added_mb = step_peak_mb - before_mb

    sample = np.unique(np.linspace(0, len(addresses) - 1, sample_size).round().astype(int))
    ours = found.distance_m[sample]
    setups, loops = [], []
    for _ in range(repeat):
        theirs, setup_s, loop_s = _baseline(
            network, addresses, resources, category_ids, sample, MAX_SNAP_M
        )
        setups.append(setup_s)
        loops.append(loop_s)
    setup_s, loop_s = statistics.median(setups), statistics.median(loops)
    both = np.isfinite(ours) & np.isfinite(theirs)
    diff = np.abs(ours[both] - theirs[both])
    disagree = []
    if (np.isfinite(ours) != np.isfinite(theirs)).any():
        disagree.append(
            f"{int((np.isfinite(ours) != np.isfinite(theirs)).sum())} entries "
            "reachable in one and not the other"
        )
    if diff.size and diff.max() > AGREE_M:
        disagree.append(
            f"{int((diff > AGREE_M).sum())} distances differ by > {AGREE_M} m "
            f"(up to {diff.max():.1f} m)"
        )
    return {
        "addresses": len(addresses),
        "cut_off": int(found.cut_off.sum()),
        "nodes": network.nodes,
        "build_s": statistics.median(build_times),
        "nearest_s": statistics.median(nearest_times),
        "peak_mb": peak_mb,
        "step_peak_mb": step_peak_mb,
        "step_added_mb": step_added_mb,
        "sample": len(sample),
        "compared": int(both.sum()),
        "max_diff_m": float(diff.max()) if diff.size else 0.0,
        "baseline_setup_s": setup_s,
        "baseline_loop_s": loop_s,
        "baseline_scaled_s": setup_s + loop_s * len(addresses) / len(sample),
        "disagree": "; ".join(disagree),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="measuring subprocess of the walk benchmark")
    parser.add_argument("--measure", nargs=3, metavar=("FOLDER", "AREA", "OSM_FILE"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=SAMPLE_1X)
    args = parser.parse_args()
    if not args.measure:
        bench_walk(args.repeat)
        return
    folder, area, osm_file = args.measure
    print(json.dumps(measure(Path(folder), area, Path(osm_file), args.repeat, args.sample)))


if __name__ == "__main__":
    main()
