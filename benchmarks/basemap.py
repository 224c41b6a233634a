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
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import NEUSS, ROOT

TILEMAKER_DIR = Path(__file__).resolve().parent / "tilemaker"
TARGET_NEUSS_RATIO = 1.0
TARGET_CITY_S = 60.0

_BUILD = """
import json, re, sys, time
from pathlib import Path
import shapely
from sozialraum.basemap import build_basemap
area = shapely.from_geojson(Path(sys.argv[2]).read_text())
stats = build_basemap(Path(sys.argv[1]), area, Path(sys.argv[3]), maxzoom=int(sys.argv[4]))
print(json.dumps({"seconds": stats.seconds, "tiles": stats.tiles, "bytes": stats.bytes,
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
started = time.perf_counter()
import_area(GeoJSONStore(Path(sys.argv[2])), "x", osm_file=Path(sys.argv[1]),
            districts_file=districts)
print(json.dumps({"seconds": time.perf_counter() - started,
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


def _run_tilemaker(binary: str, pbf: Path, bbox, out: Path) -> tuple[float, int, int]:
    """Seconds, bytes and tile count of one tilemaker run (MBTiles output)."""
    out.unlink(missing_ok=True)
    command = [binary, "--input", str(pbf), "--output", str(out)]
    command += ["--bbox", ",".join(f"{v:.6f}" for v in bbox)]
    command += ["--config", str(TILEMAKER_DIR / "config.json")]
    command += ["--process", str(TILEMAKER_DIR / "process.lua")]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
        raise RuntimeError(f"tilemaker failed: {' '.join(tail)}")
    with sqlite3.connect(out) as db:
        tiles = db.execute("SELECT count(*) FROM tiles").fetchone()[0]
    return seconds, out.stat().st_size, tiles


def _zoom_table(zooms: dict) -> None:
    print(f"  {'zoom':>6} {'tiles':>8} {'KB':>9} {'max tile KB':>12} {'median KB':>10}")
    for z, (tiles, size, largest, median) in sorted(zooms.items(), key=lambda kv: int(kv[0])):
        print(
            f"  {z:>6} {tiles:>8,} {size / 1e3:>9.1f} {largest / 1e3:>12.1f} {median / 1e3:>10.2f}"
        )


def _page_view_kb(zooms: dict) -> str:
    z16 = zooms.get("16") or zooms.get(16)
    return f"{z16[2] * 54 / 1e3:.0f} KB" if z16 else "-"


def _one(label, osm, area, folder: Path, districts: Path | None, repeat: int, target: str):
    import shapely

    area_file = folder / "area.geojson"
    area_file.write_text(shapely.to_geojson(area))
    out = folder / "basemap.pmtiles"
    imports = [
        _run_json(_IMPORT, osm, folder / f"import{i}", districts or "-") for i in range(repeat)
    ]
    builds = [_run_json(_BUILD, osm, area_file, out, 18) for _ in range(repeat)]
    upto16 = [_run_json(_BUILD, osm, area_file, folder / "b16.pmtiles", 16) for _ in range(repeat)]

    def med(runs, key="seconds"):
        values = sorted(r[key] for r in runs)
        return values[len(values) // 2]

    base = med(imports)
    build, build16 = med(builds), med(upto16)
    fig = builds[0]
    print(f"\n[basemap] {label}, median of {repeat} (fresh process each)")
    print(f"  {'':<48} {'wall s':>8} {'ratio':>7} {'peak MB':>8}  {'archive':>10}")
    print(
        f"  {'import without basemap (baseline)':<48} {base:8.2f} {1.0:7.2f} "
        f"{med(imports, 'peak_mb'):8.0f}"
    )
    print(
        f"  {'basemap build z12-18 (pyosmium+shapely+MVT+PMTiles)':<48} {build:8.2f} "
        f"{build / base:7.2f} {med(builds, 'peak_mb'):8.0f}  {fig['bytes'] / 1e6:7.2f} MB  "
        f"{fig['tiles']:,} tiles  {target}"
    )
    print(
        f"  {'basemap build z12-16 (for tilemaker)':<48} {build16:8.2f} {build16 / base:7.2f} "
        f"{med(upto16, 'peak_mb'):8.0f}  {upto16[0]['bytes'] / 1e6:7.2f} MB  "
        f"{upto16[0]['tiles']:,} tiles"
    )
    binary, why = _tilemaker()
    if binary is None:
        print(f"  tilemaker: no figure ({why})")
    else:
        pbf = folder / "input.osm.pbf"
        converted = _to_pbf(osm, pbf)
        try:
            runs = [
                _run_tilemaker(binary, pbf, area.bounds, folder / "tm.mbtiles")
                for _ in range(repeat)
            ]
        except RuntimeError as exc:
            print(f"  tilemaker: no figure ({exc})")
        else:
            seconds = sorted(r[0] for r in runs)[len(runs) // 2]
            _, size, tiles = runs[0]
            name = f"{why} z12-16 (same file as PBF)"
            print(
                f"  {name:<48} {seconds:8.2f} {seconds / base:7.2f} {'':>8}  "
                f"{size / 1e6:7.2f} MB  {tiles:,} tiles (MBTiles)"
            )
            print(
                f"  ours z12-16 / tilemaker: time x{build16 / seconds:.2f}, "
                f"size x{upto16[0]['bytes'] / size:.2f}; XML->PBF conversion "
                f"{converted:.2f} s (ids renumbered) not counted; tilemaker bbox = the area's bbox"
            )
    print(
        f"  per zoom (stored gzip bytes); a 1920x1080 view at z16 (9x6 tiles of the "
        f"largest size) <= {_page_view_kb(fig['zooms'])}, target < 1 MB"
    )
    _zoom_table(fig["zooms"])


def bench_basemap(repeat: int, copies: int) -> None:
    import shapely
    from web_pages import city_files

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
