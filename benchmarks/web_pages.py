"""`[web]` benchmark (issue 3): map pages in headless Chromium and API throughput.

A city-sized area (the Neuss extract replicated, one rectangle district per copy) is
imported into a temporary data folder and served by ``sozialraum serve`` (waitress) on
127.0.0.1. Measured against baselines taken in the same run:

- the map document of one district and of the whole area (layers fetched from the API)
  against a naive folium page with one ``folium.Marker`` per feature, served from a
  plain ``http.server`` on loopback (same front-end files from ``static/``);
- requests/s of an addresses layer against the same bytes sent as a static file by the
  same server.

Everything runs on loopback; temporary files, the static copy and the servers are
removed/stopped even on errors. Called from ``benchmarks/run.py --only web``.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.client
import http.server
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from common import NEUSS, ROOT, app_server, city_files

AREA = "bench-stadt"
USER = "bench-fachkraft"
TEAM = "Team Bench"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
PAGE_TIMEOUT_S = 60.0
TARGET_READY_S = 2.0
TARGET_SPEEDUP = 10.0
TARGET_THROUGHPUT = 0.5

# Polled in requestAnimationFrame callbacks: true on the 2nd frame after the condition
# first held, i.e. the page has painted twice since it was ready. ``__benchAt`` is when the
# condition first held (ms since navigation start).
_AFTER_TWO_FRAMES = """() => {
    if (!window.__benchFrames) {
        if (!(CONDITION)) { return false; }
        window.__benchAt = performance.now();
        window.__benchFrames = 1;
        return false;
    }
    window.__benchFrames += 1;
    return window.__benchFrames >= 3;
}"""
# Ours: every layer loaded (sozialraumReady) and every address in its cluster group. The
# clusters use chunkedLoading, which goes on in timeouts after sozialraumReady fired.
OURS_DRAWN = """window.sozialraumReady === true && (() => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    let n = 0;
    map.eachLayer((l) => {
        if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) {
            n += l._topClusterLevel ? l._topClusterLevel._childCount : l.getLayers().length;
        }
    });
    return n >= (window.sozialraumRegistry.addresses || 0);
})()"""
# When "sozialraum:ready" fired (ms since navigation start).
READY_EVENT = """document.addEventListener("sozialraum:ready", () => {
    window.__benchReadyAt = performance.now();
});"""
FIGURES = """() => ({ registry: window.sozialraumRegistry || {}, at: window.__benchAt,
    ready: window.__benchReadyAt === undefined ? null : window.__benchReadyAt })"""
# Stand-in for the missing map maxZoom (see _max_zoom_missing): Leaflet's default maxZoom
# becomes 19 as soon as leaflet.js sets window.L; options the page passes still win.
MAX_ZOOM_SHIM = """(() => {
    let value;
    Object.defineProperty(window, "L", {
        configurable: true,
        get() { return value; },
        set(v) { value = v; if (v && v.Map) { v.Map.mergeOptions({ maxZoom: 19 }); } },
    });
})();"""


# -- set-up --------------------------------------------------------------------------
class _NaiveHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the naive pages from ``directory`` and ``/static/`` from the project."""

    def translate_path(self, path):
        if path.split("?", 1)[0].startswith("/static/"):
            static = ROOT / "static"
            rel = path.split("?", 1)[0][len("/static/") :]
            target = (static / rel).resolve()
            return str(target) if target.is_relative_to(static) else str(static / "missing")
        return super().translate_path(path)

    def log_message(self, format, *args):  # quiet
        pass


@contextlib.contextmanager
def _naive_server(folder: Path):
    handler = functools.partial(_NaiveHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- naive folium page ---------------------------------------------------------------
def _text(value: str) -> str:
    """Escaped for folium's popup (HTML inside a JS template string)."""
    return html.escape(value).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _label(feature: dict) -> str:
    props = feature["properties"]
    street = " ".join(p for p in (props.get("street"), props.get("housenumber")) if p)
    return props.get("name") or street or ", ".join(props.get("categories") or []) or "?"


def _naive_page(features: list[dict], path: Path) -> tuple[str, float]:
    """Write a folium map with one Marker per feature; return its map variable, seconds."""
    import folium

    from sozialraum.maps.assets import use_local_assets

    started = time.perf_counter()
    use_local_assets("/static", full=True)  # a plain folium page loads all its defaults
    xs = [f["geometry"]["coordinates"][0] for f in features]
    ys = [f["geometry"]["coordinates"][1] for f in features]
    fmap = folium.Map(
        location=[(min(ys) + max(ys)) / 2, (min(xs) + max(xs)) / 2], tiles=None, max_zoom=19
    )
    for feature, x, y in zip(features, xs, ys, strict=True):
        folium.Marker([y, x], popup=folium.Popup(_text(_label(feature)))).add_to(fmap)
    fmap.fit_bounds([[min(ys), min(xs)], [max(ys), max(xs)]])
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return fmap.get_name(), time.perf_counter() - started


# -- browser -------------------------------------------------------------------------
def _login(browser, base: str, password: str) -> list[dict]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{base}/anmelden", timeout=30_000)
        page.fill("#username", USER)
        page.fill("#password", password)
        with page.expect_navigation(timeout=30_000):
            page.click("button[type=submit]")
        if page.url.rstrip("/") != base:
            raise SystemExit(f"login failed: ended on {page.url}")
        return context.cookies()
    finally:
        context.close()


def _load(browser, url: str, condition: str, cookies: list[dict], init: str = "") -> dict:
    """One load in a fresh context (cold browser cache).

    ``seconds``: wall time from ``page.goto`` until ``condition`` held and two frames
    were painted (``None`` if not within PAGE_TIMEOUT_S); ``in_page``: when the condition
    held and ``ready``: when "sozialraum:ready" fired, both in seconds since navigation
    start. ``bytes``: sum of ``encodedDataLength`` of CDP ``Network.loadingFinished``
    (headers + bodies as sent).
    """
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport=VIEWPORT)
    try:
        if cookies:
            context.add_cookies(cookies)
        context.add_init_script(READY_EVENT + init)
        page = context.new_page()
        errors: list[str] = []
        received = {"bytes": 0, "requests": 0}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")

        def finished(event):
            received["bytes"] += event["encodedDataLength"]
            received["requests"] += 1

        def response(event):
            status = event["response"]["status"]
            if status >= 400 and not event["response"]["url"].endswith("/favicon.ico"):
                errors.append(f"HTTP {status} {event['response']['url']}")

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.responseReceived", response)
        cdp.on("Network.loadingFailed", lambda e: errors.append(f"failed: {e['errorText']}"))
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
        started = time.perf_counter()
        seconds, figures = None, {"registry": {}, "at": None, "ready": None}
        try:
            page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_S * 1000)
            left = PAGE_TIMEOUT_S - (time.perf_counter() - started)
            page.wait_for_function(
                _AFTER_TWO_FRAMES.replace("CONDITION", condition),
                polling="raf",
                timeout=max(left, 0.1) * 1000,
            )
            seconds = time.perf_counter() - started
            figures = page.evaluate(FIGURES)
        except PlaywrightError as exc:
            if "Timeout" not in type(exc).__name__ and "Timeout" not in str(exc):
                raise
        page.wait_for_timeout(300)  # let the last CDP events arrive
        registry = figures["registry"]
        if any(v == -1 for v in registry.values()):
            errors.append(f"layers not loaded: {registry}")
        return {
            "seconds": seconds,
            "in_page": figures["at"] / 1000 if figures["at"] is not None else None,
            "ready": figures["ready"] / 1000 if figures["ready"] is not None else None,
            "registry": registry,
            "errors": errors,
            **received,
        }
    finally:
        context.close()


def _measure(browser, url, condition, cookies, runs: int, init: str = "") -> dict:
    loads = [_load(browser, url, condition, cookies, init) for _ in range(runs)]
    errors = [e for load in loads for e in load["errors"]]
    if errors:
        raise SystemExit(f"errors loading {url}: {errors[:5]}")
    finished = all(load["seconds"] is not None for load in loads)

    def median(key):
        return statistics.median(load[key] for load in loads) if finished else None

    return {
        "seconds": median("seconds"),
        "in_page": median("in_page"),
        "ready": median("ready") if finished and loads[0]["ready"] is not None else None,
        "bytes": statistics.median(load["bytes"] for load in loads),
        "requests": loads[0]["requests"],
        "registry": loads[0]["registry"],
        "runs": runs,
    }


def _max_zoom_missing(port: int, url: str, cookie: str) -> bool:
    """Whether the map document leaves Leaflet's maxZoom unset (the clusters need it)."""
    status, _, body = _get(port, url.split(str(port), 1)[1], cookie)
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}")
    return b'"maxZoom"' not in body


# -- throughput ----------------------------------------------------------------------
def _get(port: int, path: str, cookie: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})  # Accept-Encoding: identity
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _throughput(
    port: int,
    path: str,
    cookie: str,
    length: int,
    seconds: float,
    warmup: float = 1.0,
    headers: dict | None = None,
) -> dict:
    """requests/s of 8 keep-alive client threads, counted after ``warmup``; ``headers``
    are sent besides the cookie (e.g. ``Accept-Encoding: gzip``)."""
    start = time.monotonic()
    begin, end = start + warmup, start + warmup + seconds
    counts, bad = [0] * 8, [0] * 8

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for _ in range(10**6):
                if time.monotonic() >= end:
                    break
                try:
                    conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
                    resp = conn.getresponse()
                    body = resp.read()
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    bad[slot] += 1
                    continue
                now = time.monotonic()
                if resp.status != 200 or len(body) != length:
                    bad[slot] += 1
                elif begin <= now < end:
                    counts[slot] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=warmup + seconds + 60)
    return {"rps": sum(counts) / seconds, "requests": sum(counts), "bad": sum(bad)}


def _bench_throughput(port: int, cookie: str, targets: list[tuple[str, str]], seconds: float):
    static = ROOT / "static"
    print(
        f"\n[web] API throughput: sozialraum serve (waitress, 8 threads) on 127.0.0.1, "
        f"Python client with 8 keep-alive threads, {seconds:.0f} s each after 1 s warm-up, "
        "identity encoding"
    )
    print(f"  {'response':<44} {'bytes':>11} {'req/s':>8} {'ratio':>7}")
    for label, path in targets:
        status, headers, body = _get(port, path, cookie)
        if status != 200 or headers.get("Content-Encoding"):
            raise SystemExit(f"{path}: HTTP {status} {headers.get('Content-Encoding')}")
        copy = static / f"bench-{secrets.token_hex(8)}.json"
        try:
            copy.write_bytes(body)
            url = f"/static/{copy.name}"
            check = _get(port, url, cookie)
            if check[0] != 200 or check[2] != body:
                raise SystemExit(f"static copy not served as written: HTTP {check[0]}")
            base = _throughput(port, url, cookie, len(body), seconds)
            ours = _throughput(port, path, cookie, len(body), seconds)
        finally:
            copy.unlink(missing_ok=True)
        for fig in (base, ours):
            if fig["bad"]:
                raise SystemExit(f"{fig['bad']} failed or wrong-length responses ({label})")
        print(
            f"  {'same bytes as a static file (baseline)':<44} {len(body):>11,} "
            f"{base['rps']:>8.1f} {1:>7.2f}"
        )
        print(
            f"  {label:<44} {len(body):>11,} {ours['rps']:>8.1f} "
            f"{ours['rps'] / base['rps']:>7.2f}  target >= {TARGET_THROUGHPUT}"
        )


# -- report --------------------------------------------------------------------------
HEADER = f"  {'page':<42} {'ready s':>8} {'in page':>8} {'MB':>7} {'naive/ours':>10} {'bytes':>6}"


def _secs(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else f"> {PAGE_TIMEOUT_S:.0f}"


def _row(label: str, fig: dict, ours: dict | None = None, note: str = "") -> None:
    """One table row; with ``ours``, the naive/ours ratios of time and bytes."""
    speed = size = ""
    if ours is not None:
        wall = fig["seconds"] if fig["seconds"] is not None else PAGE_TIMEOUT_S
        speed = f"{'>= ' if fig['seconds'] is None else ''}{wall / ours['seconds']:.1f}x"
        size = f"{fig['bytes'] / ours['bytes']:.1f}x"
    in_page = f"{fig['in_page']:.2f}" if fig["in_page"] is not None else "-"
    print(
        f"  {label:<42} {_secs(fig['seconds']):>8} {in_page:>8} {fig['bytes'] / 1e6:>7.2f} "
        f"{speed:>10} {size:>6}  {note}".rstrip()
    )


def bench_web(copies: int = 35, runs: int = 3, seconds: float = 8.0) -> None:
    """Map pages in Chromium against naive folium pages; API against a static file."""
    from playwright.sync_api import sync_playwright

    from sozialraum.accounts import FileUserStore, accounts_dir
    from sozialraum.osm.importer import import_area
    from sozialraum.store import GeoJSONStore

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"missing {CHROMIUM}: apt-get install chromium")
    overall = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sozialraum-web-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        osm, districts_file = city_files(folder, copies)
        written = time.perf_counter() - started
        data_dir = folder / "data"
        started = time.perf_counter()
        store = GeoJSONStore(data_dir)
        report = import_area(store, AREA, osm_file=osm, districts_file=districts_file)
        imported = time.perf_counter() - started
        osm.unlink()
        password = secrets.token_urlsafe(18)
        FileUserStore(accounts_dir(data_dir) / "users.json").add(USER, "caseworker", TEAM, password)

        addresses = store.query(AREA, "addresses")
        resources = store.query(AREA, "resources")
        per_district = Counter(f["properties"].get("district") for f in addresses)
        district, district_addresses = max(per_district.items(), key=lambda kv: kv[1])
        unplaced = per_district.get(None, 0)
        print(
            f"\n[web] {NEUSS.name} replicated {copies}x: {report.addresses:,} addresses, "
            f"{report.resources:,} resources, {report.districts} districts "
            f"(written in {written:.1f} s, imported in {imported:.1f} s, "
            f"{unplaced} addresses outside every district)"
        )

        naive_dir = folder / "naive"
        naive_dir.mkdir()
        small = store.query(AREA, "resources", district=district) + store.query(
            AREA, "addresses", district=district
        )
        small_var, small_s = _naive_page(small, naive_dir / "bezirk.html")
        large_var, large_s = _naive_page(resources + addresses, naive_dir / "gebiet.html")
        sizes = {p.stem: p.stat().st_size / 1e6 for p in naive_dir.iterdir()}
        print(
            f"  naive folium pages built: district {len(small):,} markers "
            f"({sizes['bezirk']:.1f} MB HTML, {small_s:.1f} s), whole area "
            f"{len(resources) + len(addresses):,} markers ({sizes['gebiet']:.1f} MB, "
            f"{large_s:.1f} s)"
        )

        with (
            app_server(data_dir, folder / "instance", folder / "serve.log") as (base, port),
            _naive_server(naive_dir) as naive_base,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                cookies = _login(browser, base, password)
                cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
                district_url = f"{base}/gebiete/{AREA}/karte?district={district}"
                area_url = f"{base}/gebiete/{AREA}/karte"
                shim = MAX_ZOOM_SHIM if _max_zoom_missing(port, area_url, cookie) else ""
                # first loads build the server's response cache: shown, not counted
                cold_district = _load(browser, district_url, OURS_DRAWN, cookies, shim)
                cold_area = _load(browser, area_url, OURS_DRAWN, cookies, shim)
                ours_district = _measure(browser, district_url, OURS_DRAWN, cookies, runs, shim)
                ours_area = _measure(browser, area_url, OURS_DRAWN, cookies, runs, shim)
                for fig, expected in (
                    (ours_district, district_addresses),
                    (ours_area, len(addresses)),
                ):
                    if fig["registry"].get("addresses") != expected:
                        raise SystemExit(
                            f"map drew {fig['registry']}, expected {expected} addresses"
                        )
                naive_district = _measure(
                    browser,
                    f"{naive_base}/bezirk.html",
                    f"document.readyState === 'complete' && window.{small_var} instanceof L.Map",
                    [],
                    runs,
                )
                naive_area = _measure(
                    browser,
                    f"{naive_base}/gebiet.html",
                    f"document.readyState === 'complete' && window.{large_var} instanceof L.Map",
                    [],
                    1,
                )
            finally:
                browser.close()

            print(
                f"  headless Chromium, fresh context (cold browser cache) per load, median of "
                f"{runs} loads (naive whole area: 1 load,\n  capped at {PAGE_TIMEOUT_S:.0f} s). "
                "ready s = wall time from page.goto until drawn plus two painted frames;\n"
                "  drawn = ours: window.sozialraumReady and every address in its cluster group; "
                "naive: load event and\n  map object. in page = when drawn, seconds since "
                "navigation start (performance.now()). bytes = sum of\n  CDP "
                "Network.loadingFinished encodedDataLength (headers + bodies as sent, gzip "
                "where used)."
            )
            if shim:
                print(
                    "  NOTE: the map document sets no maxZoom (tiles=None), so "
                    "Leaflet.markercluster throws\n  'Map has no maxZoom specified' and the "
                    "addresses layer fails (app bug,\n  sozialraum/maps/area_map.py); measured "
                    "with an init script that makes 19 Leaflet's default\n  maxZoom, i.e. as if "
                    "fixed"
                )
            print(HEADER)
            _row(f"ours: district {district} ({district_addresses:,} addr.)", ours_district)
            _row(f"naive folium: district ({len(small):,} markers)", naive_district, ours_district)
            _row(
                f"ours: whole area ({len(addresses):,} addr.)",
                ours_area,
                note=f"target <= {TARGET_READY_S:.0f} s",
            )
            not_finished = " (not finished)" if naive_area["seconds"] is None else ""
            _row(
                f"naive folium: whole area ({len(resources) + len(addresses):,} m.)",
                naive_area,
                ours_area,
                f"target >= {TARGET_SPEEDUP:.0f}x faster{not_finished}",
            )
            print(
                f"  ours: sozialraumReady fired at {_secs(ours_district['ready'])} s (district) "
                f"and {_secs(ours_area['ready'])} s (whole area) in page;\n  "
                f"{ours_district['requests']} / {ours_area['requests']} requests; first loads "
                f"after server start (response cache cold, not counted): "
                f"{_secs(cold_district['seconds'])} s / {_secs(cold_area['seconds'])} s"
            )
            _bench_throughput(
                port,
                cookie,
                [
                    (
                        f"GET /api/.../addresses?district={district}",
                        f"/api/areas/{AREA}/addresses?district={district}",
                    ),
                    ("GET /api/.../addresses (whole area)", f"/api/areas/{AREA}/addresses"),
                ],
                seconds,
            )
    print(f"  [web] total {time.perf_counter() - overall:.0f} s")
