"""Basemap build (issue 20): time and archive size against the import and tilemaker.

Two files: the Neuss extract and the city (Neuss replicated ``copies`` times, one
rectangle district per copy, as in web_pages.py). For each:

- the import without the basemap (the existing importer into a temp folder) is the
  baseline; the basemap build (``sozialraum.basemap.build_basemap``, zooms 12..18) is
  printed as a ratio against it (target for Neuss: <= 1.0, city: <= 60 s);
- tilemaker (Debian package, installed here with apt-get when missing and running as root)
  on the same file converted to PBF, with a profile of the same layers
  (benchmarks/tilemaker/). Debian's tilemaker stops at zoom 16, so that comparison is on
  zooms 12..16 against our build of the same zooms.

The area is what the import covers: Neuss: the imported area's bbox (area.json);
the city: the union of the district rectangles. Peak memory is VmHWM of a fresh process.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import NEUSS, ROOT

TILEMAKER_DIR = Path(__file__).resolve().parent / "tilemaker"
TARGET_NEUSS_RATIO = 1.0
TARGET_CITY_S = 60.0

_BUILD = """
import json, re, sys, time
from pathlib import Path
import shapely
from sozialraum.basemap import build_basemap
area = shapely.from_geojson(Path(sys.argv[2]).read_text())
cpu = time.process_time()
stats = build_basemap(Path(sys.argv[1]), area, Path(sys.argv[3]), maxzoom=int(sys.argv[4]))
print(json.dumps({"seconds": stats.seconds, "cpu": time.process_time() - cpu,
    "tiles": stats.tiles, "bytes": stats.bytes,
    "zooms": {z: [s.tiles, s.bytes, s.max_tile, s.median_tile] for z, s in stats.zooms.items()},
    "peak_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())
                   .group(1)) / 1024}))
"""

_IMPORT = """
import json, re, sys, time
from pathlib import Path
from sozialraum.osm.importer import import_area
from sozialraum.store import GeoJSONStore
districts = Path(sys.argv[3]) if sys.argv[3] != "-" else None
started, cpu = time.perf_counter(), time.process_time()
import_area(GeoJSONStore(Path(sys.argv[2])), "x", osm_file=Path(sys.argv[1]),
            districts_file=districts)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
    "peak_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())
                   .group(1)) / 1024}))
"""


def _run_json(code: str, *args) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _tilemaker() -> tuple[str | None, str]:
    """The tilemaker binary (installed with apt-get if missing and root) or why not."""
    found = shutil.which("tilemaker")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "tilemaker"], env=env, capture_output=True
        )
        found = shutil.which("tilemaker")
    if found is None:
        return None, "tilemaker is not installed and could not be installed (needs root + apt)"
    probe = subprocess.run([found, "--help"], capture_output=True, text=True)
    version = (probe.stdout or probe.stderr).splitlines()[0] if probe.stdout or probe.stderr else ""
    return found, version.strip()


def _to_pbf(source: Path, target: Path) -> float:
    """The same data as PBF with ids renumbered 1, 2, 3, ... per type (tilemaker keeps
    nodes in arrays indexed by id: the replicated city's ids, offset by 10^11 per copy,
    make it fail with std::bad_alloc)."""
    import osmium

    ids: dict[str, dict[int, int]] = {"n": {}, "w": {}, "r": {}}

    def new_id(kind: str, old: int) -> int:
        table = ids[kind]
        found = table.get(old)
        if found is None:
            found = table[old] = len(table) + 1
        return found

    started = time.perf_counter()
    with osmium.SimpleWriter(str(target), overwrite=True) as writer:
        for obj in osmium.FileProcessor(str(source)):
            kind = obj.type_str()
            if kind == "n":
                writer.add_node(obj.replace(id=new_id("n", obj.id)))
            elif kind == "w":
                nodes = [new_id("n", n.ref) for n in obj.nodes]
                writer.add_way(obj.replace(id=new_id("w", obj.id), nodes=nodes))
            else:
                members = [(m.type, new_id(m.type, m.ref), m.role) for m in obj.members]
                writer.add_relation(obj.replace(id=new_id("r", obj.id), members=members))
    return time.perf_counter() - started


def _run_tilemaker(binary: str, pbf: Path, bbox, out: Path) -> dict:
    """Seconds (wall and CPU, all threads), bytes and tile count of one tilemaker run."""
    out.unlink(missing_ok=True)
    command = [binary, "--input", str(pbf), "--output", str(out)]
    command += ["--bbox", ",".join(f"{v:.6f}" for v in bbox)]
    command += ["--config", str(TILEMAKER_DIR / "config.json")]
    command += ["--process", str(TILEMAKER_DIR / "process.lua")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
        raise RuntimeError(f"tilemaker failed: {' '.join(tail)}")
    with sqlite3.connect(out) as db:
        tiles = db.execute("SELECT count(*) FROM tiles").fetchone()[0]
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": seconds, "cpu": cpu, "bytes": out.stat().st_size, "tiles": tiles}


def _zoom_table(zooms: dict) -> None:
    print(f"  {'zoom':>6} {'tiles':>8} {'KB':>9} {'max tile KB':>12} {'median KB':>10}")
    for z, (tiles, size, largest, median) in sorted(zooms.items(), key=lambda kv: int(kv[0])):
        print(
            f"  {z:>6} {tiles:>8,} {size / 1e3:>9.1f} {largest / 1e3:>12.1f} {median / 1e3:>10.2f}"
        )


def _page_view_kb(zooms: dict) -> str:
    z16 = zooms.get("16") or zooms.get(16)
    return f"{z16[2] * 54 / 1e3:.0f} KB" if z16 else "-"


def _med(runs: list[dict], key: str) -> float:
    values = sorted(r[key] for r in runs)
    return values[len(values) // 2]


def _line(label: str, runs: list[dict], base: list[dict], note: str = "") -> None:
    wall, cpu = _med(runs, "seconds"), _med(runs, "cpu")
    peak = f"{_med(runs, 'peak_mb'):8.0f}" if "peak_mb" in runs[0] else f"{'':>8}"
    size = (
        f"{runs[0]['bytes'] / 1e6:7.2f} MB {runs[0]['tiles']:>7,} t" if "bytes" in runs[0] else ""
    )
    print(
        f"  {label:<40} {wall:7.2f} {wall / _med(base, 'seconds'):6.2f} "
        f"{cpu:7.2f} {cpu / _med(base, 'cpu'):6.2f} {peak}  {size:<20} {note}"
    )


def _one(label, osm, area, folder: Path, districts: Path | None, repeat: int, target: str):
    import shapely

    area_file = folder / "area.geojson"
    area_file.write_text(shapely.to_geojson(area))
    binary, why = _tilemaker()
    tilemaker_error = None if binary else why
    if binary:
        pbf = folder / "input.osm.pbf"
        converted = _to_pbf(osm, pbf)
    imports, builds, upto16, tilemaker = [], [], [], []
    for i in range(repeat):  # interleaved: each kind of run sees the same machine load
        imports.append(_run_json(_IMPORT, osm, folder / f"import{i}", districts or "-"))
        builds.append(_run_json(_BUILD, osm, area_file, folder / "basemap.pmtiles", 18))
        upto16.append(_run_json(_BUILD, osm, area_file, folder / "b16.pmtiles", 16))
        if binary and tilemaker_error is None:
            try:
                tilemaker.append(_run_tilemaker(binary, pbf, area.bounds, folder / "tm.mbtiles"))
            except RuntimeError as exc:
                tilemaker_error = str(exc)
    print(f"\n[basemap] {label}, median of {repeat} (fresh process each, runs interleaved)")
    print(
        f"  {'':<40} {'wall s':>7} {'ratio':>6} {'CPU s':>7} {'ratio':>6} {'peak MB':>8}  "
        f"{'archive':<20}"
    )
    _line("import without basemap (baseline)", imports, imports)
    _line("basemap build z12-18 (ours)", builds, imports, target)
    _line("basemap build z12-16 (ours)", upto16, imports)
    if tilemaker_error is None:
        _line(f"{why} z12-16, PBF, 2 threads", tilemaker, imports, "(MBTiles)")
        ours, theirs = _med(upto16, "seconds"), _med(tilemaker, "seconds")
        print(
            f"  ours z12-16 / tilemaker: wall x{ours / theirs:.2f}, "
            f"CPU x{_med(upto16, 'cpu') / _med(tilemaker, 'cpu'):.2f}, size "
            f"x{upto16[0]['bytes'] / tilemaker[0]['bytes']:.2f}; not counted: XML->PBF with "
            f"ids renumbered {converted:.1f} s; tilemaker clips to the area's bbox"
        )
    else:
        print(f"  tilemaker: no figure ({tilemaker_error})")
    fig = builds[0]
    print(
        f"  per zoom (stored gzip bytes); a 1920x1080 view at z16 (9x6 tiles of the "
        f"largest size) <= {_page_view_kb(fig['zooms'])}, target < 1 MB"
    )
    _zoom_table(fig["zooms"])


def bench_basemap(repeat: int, copies: int) -> None:
    import shapely
    from common import city_files

    repeat = max(1, min(repeat, 3))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        probe = folder / "probe"
        _run_json(_IMPORT, NEUSS, probe, "-")
        bbox = json.loads((probe / "x" / "area.json").read_text())["bbox"]
        neuss = folder / "neuss"
        neuss.mkdir()
        _one(NEUSS.name, NEUSS, shapely.box(*bbox), neuss, None, repeat, "target <= 1.0")

        city = folder / "city"
        city.mkdir()
        started = time.perf_counter()
        osm, districts = city_files(city / "files", copies)
        made = time.perf_counter() - started
        features = json.loads(districts.read_text())["features"]
        area = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in features])
        size_mb = osm.stat().st_size / 1e6
        label = f"{NEUSS.name} replicated {copies}x ({size_mb:.0f} MB, written in {made:.0f} s)"
        _one(label, osm, area, city, districts, 1, f"target <= {TARGET_CITY_S:.0f} s")


if __name__ == "__main__":
    bench_basemap(int(sys.argv[1]) if len(sys.argv) > 1 else 3, 35)
