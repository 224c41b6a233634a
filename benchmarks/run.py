"""`make bench`: figures as ratios against baselines measured in the same run.

Machines here are noisy (2 cores): every figure is a median of repeated runs and is
printed next to its baseline. Nothing here is a test; there are no time limits.

Usage: python benchmarks/run.py
       [--only import|scale|store|web|walk|route|notes|mailbox|review|offers|privacy|districts|
               basemap|basemap_web|handout_languages|postgres|planner|offline|api]
       [--repeat N] [--copies N] [--requests N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import NEUSS, median_time, replicate, row


# -- 1. import vs osmnx ------------------------------------------------------------
def bench_import(repeat: int) -> None:
    import osmnx as ox

    from sozialraum.model.categories import load_categories
    from sozialraum.osm._reader import _processor
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    table = load_categories()

    def osmnx_calls():
        ox.features_from_xml(NEUSS, tags=table.osmnx_tags())
        ox.features_from_xml(NEUSS, tags={"addr:housenumber": True})

    def our_import():
        with tempfile.TemporaryDirectory() as folder:
            import_area(GeoJSONStore(Path(folder)), "neuss", osm_file=NEUSS)

    def streaming_pass():  # the reader's own pass, without any Python work per object
        for _ in _processor(NEUSS, table):
            pass

    our_import()  # warm caches and imports once
    baseline = median_time(osmnx_calls, repeat)
    ours = median_time(our_import, repeat)
    one_pass = median_time(streaming_pass, repeat)
    with tempfile.TemporaryDirectory() as folder:
        cli = median_time(
            lambda: subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sozialraum.cli",
                    "import",
                    "--quiet",
                    "--data-dir",
                    folder,
                    "--area",
                    "neuss",
                    "--osm-file",
                    str(NEUSS),
                ],
                check=True,
                capture_output=True,
            ),
            1,
        )
    print(f"\n[import] {NEUSS.name}, median of {repeat}")
    row("osmnx.features_from_xml x2 (baseline)", baseline, baseline)
    row("sozialraum import (in-process)", ours, baseline, "target <= 0.50")
    row("pyosmium streaming pass (the limit)", one_pass, baseline)
    print(f"  {'sozialraum import / streaming pass':<46} {ours / one_pass:8.2f} x")
    row("sozialraum import CLI incl. Python start", cli, baseline, "(1 run)")


# -- 2. replicated extract (replicate() in common.py) -----------------------------------
_MEASURE = """
import json, re, sys, tempfile, time
from pathlib import Path
from sozialraum.osm.importer import import_area
from sozialraum.store import GeoJSONStore
with tempfile.TemporaryDirectory() as folder:
    started = time.perf_counter()
    report = import_area(GeoJSONStore(Path(folder)), "x", osm_file=Path(sys.argv[1]))
    seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "addresses": report.addresses,
                  # VmHWM is reset at exec; ru_maxrss would include the forking parent
                  "peak_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())
                                 .group(1)) / 1024}))
"""


def measure_import(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def bench_scale(copies: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / f"neuss-x{copies}.osm"
        started = time.perf_counter()
        replicate(NEUSS, big, copies)
        made = time.perf_counter() - started
        size_mb = big.stat().st_size / 1e6
        one = measure_import(NEUSS)
        many = measure_import(big)
    print(
        f"\n[scale] {NEUSS.name} replicated {copies}x ({size_mb:.0f} MB, written in {made:.1f} s)"
    )
    print(f"  {'extract':<22} {'addresses':>10} {'wall s':>8} {'peak MB':>9}")
    for label, fig in (("1x (baseline)", one), (f"{copies}x", many)):
        print(
            f"  {label:<22} {fig['addresses']:>10,} {fig['seconds']:>8.2f} {fig['peak_mb']:>9.0f}"
        )
    growth = many["addresses"] / one["addresses"]
    print(
        f"  size x{growth:.1f} -> time x{many['seconds'] / one['seconds']:.1f}, "
        f"peak memory x{many['peak_mb'] / one['peak_mb']:.1f}"
    )


# -- 3. store --------------------------------------------------------------------------
def _note(i: int, worker: int = 0) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [6.9 + i * 1e-5, 51.4 + worker * 1e-3]},
        "properties": {
            "category": "beobachtung",
            "text": f"Notiz {worker}-{i} " + "x" * 120,
            "observed_on": "2026-11-01",
            "author": "bench",
            "team": "Team Nord",
        },
    }


def _writer(folder: str, worker: int, count: int) -> None:
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(Path(folder))
    for i in range(count):
        store.add("bench", "notes", _note(i, worker), actor=f"w{worker}")


def bench_store(writes: int) -> None:
    from sozialraum.store import GeoJSONStore
    from sozialraum.store._atomic import write_atomic

    with tempfile.TemporaryDirectory() as folder:
        store = GeoJSONStore(Path(folder))
        store.write_meta("bench", {"name": "bench"}, actor="bench")
        store.sync_layer(
            "bench", "notes", [{**_note(i), "id": f"pre{i}"} for i in range(5000)], actor="bench"
        )
        path = Path(folder) / "bench" / "notes.geojson"
        times, bare = [], []
        for i in range(writes):
            started = time.perf_counter()
            store.add("bench", "notes", _note(i, 9), actor="bench")
            times.append(time.perf_counter() - started)
            data = path.read_bytes()
            started = time.perf_counter()
            json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":"))
            write_atomic(path.with_name("copy.geojson"), data)
            bare.append(time.perf_counter() - started)
        per_write, baseline = statistics.median(times), statistics.median(bare)
    print(f"\n[store] note write with 5,000 notes present, median of {writes}")
    row("json round trip + atomic rewrite (baseline)", baseline, baseline)
    row("store.add (lock, validate, write, audit)", per_write, baseline)

    with tempfile.TemporaryDirectory() as folder:
        store = GeoJSONStore(Path(folder))
        store.write_meta("bench", {"name": "bench"}, actor="bench")
        ctx = multiprocessing.get_context("spawn")
        workers = [ctx.Process(target=_writer, args=(folder, w, 250)) for w in range(4)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        seconds = time.perf_counter() - started
        fresh = GeoJSONStore(Path(folder))
        notes = fresh.query("bench", "notes")
        readable = sum(1 for n in notes if fresh.get("bench", "notes", n["id"]))
        verified = fresh.verify_audit("bench")
        texts = {n["properties"]["text"] for n in notes}
    print("[store] 4 processes x 250 writes at once")
    print(
        f"  notes: {len(notes)} (expected 1000), distinct: {len(texts)}, readable: {readable}, "
        f"audit log: {'verifies' if verified.ok else 'FAILED'} ({verified.entries} entries), "
        f"{seconds:.1f} s, {1000 / seconds:.0f} writes/s"
    )
    if len(notes) != 1000 or readable != 1000 or not verified.ok:
        raise SystemExit("store concurrency benchmark lost or broke writes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        choices=(
            "import",
            "scale",
            "store",
            "web",
            "walk",
            "route",
            "notes",
            "mailbox",
            "review",
            "offers",
            "privacy",
            "districts",
            "basemap",
            "basemap_web",
            "handout_languages",
            "postgres",
            "planner",
            "offline",
            "api",
        ),
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--copies",
        type=int,
        default=35,
        help="replicas for the scale, web, walk, review and planner runs",
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="rounds of GET/create/update in the notes run"
    )
    args = parser.parse_args()
    if not NEUSS.exists() and args.only != "handout_languages":
        raise SystemExit(f"missing {NEUSS}: the benchmarks read ../shared/osm")
    if args.only in (None, "import"):
        bench_import(args.repeat)
    if args.only in (None, "scale"):
        bench_scale(args.copies)
    if args.only in (None, "store"):
        bench_store(50)
    if args.only in (None, "web"):
        from web_pages import (
            bench_web,
        )  # benchmarks/web_pages.py: map pages in Chromium, API throughput

        bench_web(args.copies)
    if args.only in (None, "walk"):
        from walk import bench_walk  # benchmarks/walk.py: nearest resource along streets

        bench_walk(args.repeat, args.copies)
    if args.only in (None, "route"):
        from walk_order import bench_walk_order  # benchmarks/walk_order.py: stops of a walk

        bench_walk_order()
    if args.only in (None, "notes", "api"):
        from notes import bench_notes  # benchmarks/notes.py: note writes over the HTTP API

        bench_notes(args.requests)
    if args.only in (None, "api"):
        from api import bench_api  # benchmarks/api.py: the typed API models, lines of code

        bench_api()
    if args.only in (None, "mailbox"):
        from mailbox_check import bench_mailbox  # the check on 100,000 rows

        bench_mailbox(args.repeat)
    if args.only in (None, "review"):
        from review import bench_review  # benchmarks/review.py: coverage with 5,000 notes

        bench_review(args.copies, args.repeat)
    if args.only in (None, "offers"):
        from offers import bench_offers  # benchmarks/offers.py: finder and import, 1,000 offers

        bench_offers(args.copies, args.repeat)
    if args.only in (None, "privacy"):
        from privacy import bench_privacy  # benchmarks/privacy.py: the guard on labelled notes

        bench_privacy(args.repeat)
    if args.only in (None, "districts"):
        from districts import bench_districts  # benchmarks/districts.py: heavy district files

        bench_districts(min(args.repeat, 3))
    if args.only in (None, "basemap"):
        from basemap import bench_basemap  # benchmarks/basemap.py: vector tiles, tilemaker

        bench_basemap(args.repeat, args.copies)
    if args.only in (None, "basemap_web"):
        from basemap import bench_basemap_web  # the basemap on the map pages, tile endpoint

        bench_basemap_web(args.copies)
    if args.only in (None, "handout_languages"):
        from handout_languages import bench_handout_languages  # two languages vs German only

        bench_handout_languages(args.repeat)
    if args.only in (None, "postgres"):
        from postgres import bench_city_import, bench_postgres  # benchmarks/postgres.py

        bench_postgres()  # note writes, both stores
        bench_city_import(args.copies)  # the city import into both stores
    if args.only in (None, "planner"):
        from planner import bench_planner  # benchmarks/planner.py: the walk planner page

        bench_planner(args.copies)
    if args.only in (None, "offline"):
        from offline import bench_offline  # benchmarks/offline.py: save a district, sync 100

        bench_offline(args.copies)


if __name__ == "__main__":
    main()
