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
            districts_file=districts, basemap=False)
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


# -- the basemap in the app (issue 20): pages in Chromium, bytes at z16, tile throughput ----
TARGET_DISTRICT_S = 1.5
TARGET_CITY_PAGE_S = 2.5
TARGET_Z16_MB = 1.0
TARGET_TILE_THROUGHPUT = 0.5

#: every visible basemap tile painted (Leaflet marks a tile leaflet-tile-loaded once
#: protomaps-leaflet has drawn it) and no zoom animation running
TILES_DRAWN = """(() => {
    const c = document.querySelector('.leaflet-container');
    if (!c || c.querySelector('.leaflet-zoom-anim')) return false;
    const map = Object.values(window).find((v) => v instanceof L.Map);
    if (map && map.getZoom() < 11.5) return true;  // below the basemap's zooms: nothing to draw
    const tiles = c.querySelectorAll('.leaflet-tile-pane .leaflet-tile');
    return tiles.length > 0
        && tiles.length === c.querySelectorAll('.leaflet-tile-pane .leaflet-tile-loaded').length;
})()"""


def _z16_bytes(browser, url: str, cookies: list[dict], condition: str) -> dict:
    """Bytes of basemap tiles for one full-window view at zoom 16 (fresh context), after the
    page is ready: the map is set to zoom 16 at its centre, tile responses are counted."""
    from web_pages import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        urls: dict[str, str] = {}
        counted = {"bytes": 0, "tiles": 0, "on": False}
        cdp.on(
            "Network.responseReceived",
            lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]),
        )

        def finished(event):
            if counted["on"] and "/tiles/" in urls.get(event["requestId"], ""):
                counted["bytes"] += event["encodedDataLength"]
                counted["tiles"] += 1

        cdp.on("Network.loadingFinished", finished)
        page.goto(url, timeout=60_000)
        page.wait_for_function(f"() => {condition}", timeout=60_000)
        start = page.evaluate(
            "() => [Object.values(window).find((v) => v instanceof L.Map).getZoom(),"
            " document.querySelectorAll('.leaflet-tile-pane .leaflet-tile-loaded').length]"
        )
        counted["on"] = True
        page.evaluate(
            "() => { const map = Object.values(window).find((v) => v instanceof L.Map);"
            " map.setView(map.getCenter(), 16, { animate: false }); }"
        )
        page.wait_for_timeout(100)
        page.wait_for_function(f"() => {TILES_DRAWN}", timeout=60_000)
        page.wait_for_timeout(300)
        return {**counted, "start_zoom": start[0], "start_tiles": start[1]}
    finally:
        context.close()


def bench_basemap_web(copies: int = 35, runs: int = 3, seconds: float = 6.0) -> None:
    """District and whole-area map pages with the basemap drawn, in headless Chromium, for
    Neuss and the city; bytes per view at zoom 16; tile endpoint against a static file."""
    import secrets
    import statistics

    from common import app_server
    from playwright.sync_api import sync_playwright
    from web_pages import (
        CHROMIUM,
        FLAGS,
        OURS_DRAWN,
        TEAM,
        USER,
        _get,
        _load,
        _login,
        _throughput,
        city_files,
    )

    from sozialraum.accounts import FileUserStore, accounts_dir
    from sozialraum.basemap import BasemapArchive
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"missing {CHROMIUM}: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="sozialraum-basemap-web-") as tmp:
        folder = Path(tmp)
        osm, districts_file = city_files(folder, copies)
        data_dir = folder / "data"
        store = GeoJSONStore(data_dir)
        builds = {}
        for area, source, districts in (("neuss", NEUSS, None), ("city", osm, districts_file)):
            report = import_area(store, area, osm_file=source, districts_file=districts)
            if report.basemap is None or report.basemap.stats is None:
                raise SystemExit(f"{area}: basemap not built: {report.basemap}")
            builds[area] = report.basemap.stats
        osm.unlink()
        password = secrets.token_urlsafe(18)
        FileUserStore(accounts_dir(data_dir) / "users.json").add(USER, "caseworker", TEAM, password)
        print(
            f"\n[basemap_web] map pages with the own basemap, headless Chromium "
            f"(--disable-gpu), fresh context per load, median of {runs}; "
            f"city = {NEUSS.name} x{copies}"
        )
        for area, stats in builds.items():
            print(
                f"  {area}: archive {stats.bytes / 1e6:.1f} MB, {stats.tiles:,} tiles "
                f"(built in {stats.seconds:.1f} s at import)"
            )
        rows = []
        with (
            app_server(data_dir, folder / "instance", folder / "serve.log") as (base, port),
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                cookies = _login(browser, base, password)
                cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
                with_tiles = f"{OURS_DRAWN} && {TILES_DRAWN}"
                for area in builds:
                    district = max(
                        store.query(area, "districts"),
                        key=lambda d: len(store.query(area, "addresses", district=d["id"])),
                    )["id"]
                    for page, url, target in (
                        (
                            "district",
                            f"{base}/gebiete/{area}/karte?district={district}",
                            TARGET_DISTRICT_S,
                        ),
                        ("whole area", f"{base}/gebiete/{area}/karte", TARGET_CITY_PAGE_S),
                    ):
                        _load(browser, url, with_tiles, cookies)  # warms the server's caches
                        loads = [_load(browser, url, with_tiles, cookies) for _ in range(runs)]
                        plain = [_load(browser, url, OURS_DRAWN, cookies) for _ in range(runs)]
                        for load in loads + plain:
                            # tiles of the first view are cancelled when the map fits the
                            # district (protomaps-leaflet aborts their fetch): not an error
                            errors = [e for e in load["errors"] if "ERR_ABORTED" not in e]
                            if load["seconds"] is None or errors:
                                raise SystemExit(f"{url}: {errors or 'timeout'}")
                        ready = statistics.median(x["seconds"] for x in loads)
                        base_s = statistics.median(x["seconds"] for x in plain)
                        mb = statistics.median(x["bytes"] for x in loads) / 1e6
                        base_mb = statistics.median(x["bytes"] for x in plain) / 1e6
                        rows.append((area, page, ready, base_s, mb, base_mb, target))
                z16 = _z16_bytes(browser, f"{base}/gebiete/neuss/karte", cookies, with_tiles)
                z16_city = _z16_bytes(browser, f"{base}/gebiete/city/karte", cookies, with_tiles)
            finally:
                browser.close()

            print(
                f"  {'area':<6} {'page':<11} {'ready s':>8} {'no tiles s':>10} {'ratio':>6} "
                f"{'MB':>6}  target"
            )
            for area, page, ready, base_s, mb, _base_mb, target in rows:
                verdict = "ok" if ready <= target else "MISSED"
                print(
                    f"  {area:<6} {page:<11} {ready:>8.2f} {base_s:>10.2f} "
                    f"{ready / base_s:>6.2f} {mb:>6.2f}  <= {target} s {verdict}"
                )
            print(
                "  ready s = page.goto until every layer loaded, every address clustered and "
                "every visible basemap tile painted, plus two frames;\n  no tiles s = the same "
                "page and run without waiting for the tiles (baseline, measured in this run);\n"
                "  MB = every byte the page view received (CDP encodedDataLength), tiles included"
            )
            for area, fig in (("neuss", z16), ("city", z16_city)):
                print(
                    f"  whole-area page of {area} opens at zoom {fig['start_zoom']:.1f} with "
                    f"{fig['start_tiles']} basemap tiles drawn (the tiles hold zooms 12-18)"
                )
                mb = fig["bytes"] / 1e6
                verdict = "ok" if mb <= TARGET_Z16_MB else "MISSED"
                print(
                    f"  bytes per view at zoom 16 ({area}, 1280x900): {fig['tiles']} tiles, "
                    f"{mb:.3f} MB  target <= {TARGET_Z16_MB} MB {verdict}"
                )

            # tile endpoint vs the same bytes as a static file (gzip as stored, both ways)
            with BasemapArchive(data_dir / "city" / "basemap.pmtiles") as archive:
                z, x, y = max(
                    (c for c in archive.coordinates() if c[0] == 16),
                    key=lambda c: len(archive.get(*c)),
                )
                body = bytes(archive.get(z, x, y))
            path = f"/tiles/city/{z}/{x}/{y}.mvt"
            gzip_header = {"Accept-Encoding": "gzip"}
            copy = ROOT / "static" / f"bench-{secrets.token_hex(8)}.bin"
            try:
                copy.write_bytes(body)
                static_url = f"/static/{copy.name}"
                if _get(port, static_url, cookie)[2] != body:
                    raise SystemExit("static copy not served as written")
                baseline = _throughput(port, static_url, cookie, len(body), seconds)
                ours = _throughput(port, path, cookie, len(body), seconds, headers=gzip_header)
            finally:
                copy.unlink(missing_ok=True)
            for fig in (baseline, ours):
                if fig["bad"]:
                    raise SystemExit(f"{fig['bad']} failed or wrong-length tile responses")
            ratio = ours["rps"] / baseline["rps"]
            print(
                f"  tile endpoint throughput ({z}/{x}/{y}, {len(body):,} bytes gzip, 8 keep-alive "
                f"threads, {seconds:.0f} s):\n"
                f"    static file (baseline) {baseline['rps']:>8.1f} req/s\n"
                f"    /tiles/...mvt          {ours['rps']:>8.1f} req/s  ratio {ratio:.2f}  "
                f"target >= {TARGET_TILE_THROUGHPUT} "
                f"{'ok' if ratio >= TARGET_TILE_THROUGHPUT else 'MISSED'}"
            )
