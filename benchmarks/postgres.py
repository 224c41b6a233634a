"""`run.py --only postgres`: a note write with 5,000 and with 100,000 notes in the area,
PostgreSQL + PostGIS against the GeoJSON files, in the same run (issue 22).

A throwaway PostgreSQL cluster (``tests/support/postgres.py``: initdb in a temp folder, Unix
socket only, with fsync and synchronous commit on, as in production; the GeoJSON store fsyncs
too) and a GeoJSON data folder get the same area; each size is filled with one bulk write,
then ``store.add`` (create) and ``store.update`` (change with the expected version) are timed,
alternating, after uncounted warm-up writes. Nothing here is a test; there are no time limits.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import common  # noqa: F401  (puts tests/ on sys.path for support.postgres)

AREA = "bench"
SIZES = (5_000, 100_000)
WARMUP = 3


def _note(i: int, text: str = "") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [6.9 + (i % 1000) * 1e-4, 51.4 + i * 1e-6]},
        "properties": {
            "category": "beobachtung",
            "text": text or f"Notiz {i}: Hauseingang abends unbeleuchtet " + "x" * 80,
            "observed_on": "2026-11-01",
            "author": "bench",
            "team": "Team Nord",
            "district": f"d{i % 12}",
        },
    }


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def _measure(store, size: int, writes: int) -> dict:
    """Fill the area to ``size`` notes, then time ``writes`` creates and updates (seconds)."""
    store.write_meta(AREA, {"name": AREA}, actor="bench")
    started = time.perf_counter()
    store.add_many(
        AREA, "notes", [{**_note(i), "id": f"pre{i:06d}"} for i in range(size)], actor="bench"
    )
    fill_s = time.perf_counter() - started
    settle = getattr(store, "pool", None)
    if settle is not None:
        # the state a database is in between bulk imports: statistics current, the bulk
        # load's WAL checkpointed (else a checkpoint lands in the middle of the timed writes)
        with settle.connection() as conn:
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE features")
            conn.execute("CHECKPOINT")
    creates, updates = [], []
    for i in range(WARMUP + writes):
        started = time.perf_counter()
        added = store.add(AREA, "notes", _note(size + i), actor="bench")
        create_s = time.perf_counter() - started
        target = f"pre{(i * 7919) % size:06d}"
        version = store.get(AREA, "notes", target)["properties"]["version"]
        started = time.perf_counter()
        store.update(
            AREA,
            "notes",
            target,
            _note(i, text=f"geändert {i}"),
            expected_version=version,
            actor="bench",
        )
        update_s = time.perf_counter() - started
        if i >= WARMUP:
            creates.append(create_s)
            updates.append(update_s)
        assert added["properties"]["version"] == 1
    count = len(store.query(AREA, "notes"))
    if count != size + WARMUP + writes or not store.verify_audit(AREA).ok:
        raise SystemExit(f"{type(store).__name__}: {count} notes or a broken audit log")
    return {
        "fill": fill_s,
        "create": statistics.median(creates),
        "create_p95": _p95(creates),
        "update": statistics.median(updates),
        "update_p95": _p95(updates),
    }


def bench_postgres(writes: int = 30, database_writes: int = 100) -> None:
    """Print the note write figures for both backends and both sizes, with their ratios."""
    from support.postgres import PostgresCluster

    from sozialraum.store import GeoJSONStore
    from sozialraum.store.postgres import PostgresStore

    cluster = PostgresCluster(durable=True).start()
    results: dict[tuple[str, int], dict] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="sozialraum-pg-bench-") as tmp:
            for size in SIZES:
                url = cluster.create_database(f"bench_{size}")
                from sozialraum.db.migrate import upgrade

                upgrade(url)
                stores = {
                    "postgres": PostgresStore(url, data_dir=Path(tmp) / f"local-{size}"),
                    "geojson": GeoJSONStore(Path(tmp) / f"files-{size}"),
                }
                for name, store in stores.items():
                    count = database_writes if name == "postgres" else writes
                    results[(name, size)] = _measure(store, size, count)
    finally:
        cluster.stop()

    small, large = SIZES
    print(
        f"\n[postgres] note write (store.add create, store.update with expected version) with "
        f"{small:,} and {large:,} notes in the area,\n  median of {database_writes} "
        f"(PostgreSQL) / {writes} (GeoJSON) each after {WARMUP} warm-up writes\n  (PostgreSQL: "
        "after VACUUM ANALYZE and CHECKPOINT of the bulk fill); PostgreSQL 15 + PostGIS on a "
        "Unix socket,\n  fsync and synchronous commit on, vs the GeoJSON files (fsync on), same "
        "machine, same run"
    )
    print(
        f"  {'backend, notes':<26} {'fill s':>8} {'create ms':>10} {'p95':>8} "
        f"{'update ms':>10} {'p95':>8}"
    )
    for (name, size), fig in sorted(results.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        print(
            f"  {name + ', ' + format(size, ','):<26} {fig['fill']:8.2f} "
            f"{fig['create'] * 1000:10.1f} {fig['create_p95'] * 1000:8.1f} "
            f"{fig['update'] * 1000:10.1f} {fig['update_p95'] * 1000:8.1f}"
        )
    print("  ratios (same run):")
    for op in ("create", "update"):
        for name in ("postgres", "geojson"):
            growth = results[(name, large)][op] / results[(name, small)][op]
            target = "  target <= 1.5" if name == "postgres" else ""
            print(f"  {name + ' ' + op + f' {large:,} / {small:,}':<46} {growth:8.2f} x{target}")
        for size in SIZES:
            ratio = results[("postgres", size)][op] / results[("geojson", size)][op]
            print(f"  {f'postgres / geojson {op}, {size:,} notes':<46} {ratio:8.4f} x")


def _import(osm: Path, districts: Path, data: Path, env: dict) -> float:
    """Wall-clock seconds of one ``sozialraum import`` of ``osm`` into ``data`` (a subprocess)."""
    import os
    import subprocess
    import sys

    from common import ROOT

    command = [sys.executable, "-m", "sozialraum.cli", "import", "--osm-file", str(osm)]
    command += ["--area", "stadt", "--districts", str(districts), "--data-dir", str(data)]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--quiet"], check=True, capture_output=True, cwd=ROOT,
        env={**os.environ, **env},
    )  # fmt: skip
    return time.perf_counter() - started


def bench_city_import(copies: int = 35) -> None:
    """Print the import of the city (Neuss replicated ``copies`` times) into both stores.

    The same OSM file and districts, ``sozialraum import`` as a subprocess (Python start-up
    included in both), first into a GeoJSON data folder, then into a PostgreSQL database
    (``SOZIALRAUM_DATABASE_URL``), same run; the feature counts must agree.
    """
    from common import city_files
    from support.postgres import PostgresCluster

    from sozialraum.db import close_pools
    from sozialraum.db.migrate import upgrade
    from sozialraum.store import GeoJSONStore
    from sozialraum.store.postgres import PostgresStore

    cluster = PostgresCluster(durable=True).start()
    try:
        with tempfile.TemporaryDirectory(prefix="sozialraum-pg-import-") as tmp:
            tmp = Path(tmp)
            started = time.perf_counter()
            osm, districts = city_files(tmp / "city", copies)
            written_s = time.perf_counter() - started
            env = {"SOZIALRAUM_INSTANCE_PATH": str(tmp / "instance"), "SOZIALRAUM_DATABASE_URL": ""}
            files_s = _import(osm, districts, tmp / "files", env)
            url = cluster.create_database("import_bench")
            upgrade(url)
            database_s = _import(
                osm, districts, tmp / "local", {**env, "SOZIALRAUM_DATABASE_URL": url}
            )
            key = tmp / "instance" / "audit_key"
            counts = {}
            for name, store in (
                ("geojson", GeoJSONStore(tmp / "files", audit_key_file=key)),
                ("postgres", PostgresStore(url, data_dir=tmp / "local", audit_key_file=key)),
            ):
                counts[name] = {
                    layer: len(store.query("stadt", layer))
                    for layer in ("addresses", "resources", "districts")
                }
                counts[name]["audit"] = store.verify_audit("stadt").ok
            close_pools()
    finally:
        cluster.stop()
    print(
        f"\n[postgres import] neuss-innenstadt.osm replicated {copies}x ({osm.name}, written in "
        f"{written_s:.1f} s), `sozialraum import` with {copies} districts, same run"
    )
    for name, seconds in (("geojson", files_s), ("postgres", database_s)):
        print(f"  {name:<9} {seconds:7.1f} s   {counts[name]}")
    print(f"  postgres / geojson import time: {database_s / files_s:.2f} x")
    if counts["geojson"] != counts["postgres"]:
        raise SystemExit("the two imports differ")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-copies", type=int, default=None, help="only the city import")
    args = parser.parse_args()
    if args.import_copies:
        bench_city_import(args.import_copies)
    else:
        bench_postgres()
