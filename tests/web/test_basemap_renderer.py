"""The own basemap in real headless Chromium (issue 20): protomaps-leaflet drawing vector tiles
through ``static/sozialraum/basemap.js``.

A tiny street network made here (a named residential street crossing a named main road, unnamed
side streets, a footway, buildings with house numbers, a park, water, a quarter name) becomes
Mapbox Vector Tiles with the layers and attributes of the basemap schema (``mapbox-vector-tile``).
They are served with ``static/`` and the demo page of ``tests/web/basemap_demo/`` on 127.0.0.1,
under the app's own Content-Security-Policy (no ``'unsafe-eval'``, no inline script). At desktop
and phone size: the map is not a flat background, street names and house numbers are drawn, no
request leaves 127.0.0.1, no page error, no CSP violation, Leaflet's controls speak German and the
scale is metric only; beyond zoom 18 the zoom-18 tiles are drawn larger.

``python tests/web/test_basemap_renderer.py`` serves the demo page by hand.
"""

from __future__ import annotations

import math
import mimetypes
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from support.browser import browser_required
from support.pixels import BACKGROUND, HOUSE_NUMBER, LABEL, LEAFLET_GREY, SCREENSHOTS, share_near

from sozialraum.web.csp import content_security_policy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
DEMO = Path(__file__).resolve().parent / "basemap_demo"
RENDERER = STATIC / "vendor" / "protomaps-leaflet" / "dist" / "protomaps-leaflet.js"


R = 6378137.0
HALF = math.pi * R
#: a fictional place; the network spans +-600 Web-Mercator metres around it
LON, LAT = 6.9, 50.94
SPAN = 600.0


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:4326 degrees -> EPSG:3857 metres."""
    return (
        math.radians(lon) * R,
        math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * R,
    )


def lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres -> EPSG:4326 degrees."""
    return math.degrees(x / R), math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)


def network() -> dict[str, list[tuple[object, dict]]]:
    """The street network as layer -> [(shapely geometry in EPSG:3857, properties)]."""
    from shapely.geometry import LineString, Point, box

    cx, cy = mercator(LON, LAT)

    def line(*points):
        return LineString([(cx + dx, cy + dy) for dx, dy in points])

    def rect(x0, y0, x1, y1):
        return box(cx + x0, cy + y0, cx + x1, cy + y1)

    roads = [
        (line((-SPAN, 0), (SPAN, 0)), {"kind": "residential", "name": "Lindenstraße"}),
        (line((0, -SPAN), (0, SPAN)), {"kind": "primary", "name": "Hauptstraße", "ref": "B 1"}),
        (line((-SPAN, -220), (SPAN, -220)), {"kind": "service", "name": ""}),
    ]
    for offset in (-450, -300, -150, 150, 300, 450):
        roads.append((line((offset, -SPAN), (offset, SPAN)), {"kind": "residential", "name": ""}))
        roads.append((line((-SPAN, offset), (SPAN, offset)), {"kind": "residential", "name": ""}))
    buildings, numbers = [], []
    for i in range(-10, 10):
        for y0, y1, side in ((14, 40, 0), (-40, -14, 1)):
            shape = rect(i * 30 + 4, y0, i * 30 + 26, y1)
            buildings.append((shape, {}))
            number = str(2 * (i + 10) + 1 + side)
            numbers.append((shape.centroid, {"housenumber": number, "street": "Lindenstraße"}))
    return {
        "landuse": [(rect(-SPAN, -SPAN, -160, -160), {"kind": "residential"})],
        "green": [(rect(30, 60, 140, 140), {"kind": "park"})],
        "water": [(rect(-140, 60, -40, 140), {"kind": "water"})],
        "roads": roads,
        "paths": [(line((-300, -300), (300, 300)), {"kind": "footway", "name": "Gartenweg"})],
        "buildings": buildings,
        "housenumbers": numbers,
        "places": [(Point(cx - 90, cy + 90), {"kind": "quarter", "name": "Testviertel"})],
    }


#: layer -> first zoom it is in the tiles (basemap schema)
MIN_ZOOM = {"buildings": 14, "paths": 14, "housenumbers": 17}


def tile_bytes(layers: dict, z: int, x: int, y: int) -> bytes | None:
    """One MVT tile (extent 4096, buffer 64 px) or None when it would be empty."""
    import mapbox_vector_tile
    import shapely

    if not 12 <= z <= 18:
        return None
    size = 2 * HALF / (1 << z)
    left, top = -HALF + x * size, HALF - y * size
    bounds = (left, top - size, left + size, top)
    pad = size * 64 / 4096
    clip = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    encoded = []
    for name, features in layers.items():
        if z < MIN_ZOOM.get(name, 12):
            continue
        kept = []
        for geometry, properties in features:
            part = shapely.clip_by_rect(geometry, *clip)
            if not part.is_empty:
                kept.append({"geometry": part, "properties": properties})
        if kept:
            encoded.append({"name": name, "features": kept})
    if not encoded:
        return None
    return mapbox_vector_tile.encode(
        encoded, default_options={"quantize_bounds": bounds, "extents": 4096}
    )


def make_handler(layers: dict, tiles_served: list[tuple[int, int, int]]):
    """A request handler for static/, the demo page and the tiles, with the app's CSP."""
    policy = content_security_policy(None)
    cache: dict[tuple[int, int, int], bytes | None] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes, kind: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            self.wfile.write(body)

        def file(self, folder: Path, relative: str) -> None:
            path = (folder / relative).resolve()
            if not path.is_relative_to(folder.resolve()) or not path.is_file():
                self.send(404, b"")
                return
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.send(200, path.read_bytes(), kind)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            tile = re.fullmatch(r"/tiles/(\d+)/(\d+)/(\d+)\.mvt", path)
            if tile:
                key = tuple(int(v) for v in tile.groups())
                with lock:
                    if key not in cache:
                        cache[key] = tile_bytes(layers, *key)
                    data = cache[key]
                    tiles_served.append(key)
                # an empty body: the renderer reads it as an empty tile, not as a broken one
                self.send(200 if data else 404, data or b"", "application/vnd.mapbox-vector-tile")
            elif path.startswith("/static/"):
                self.file(STATIC, path.removeprefix("/static/"))
            elif path.startswith("/demo/"):
                self.file(DEMO, path.removeprefix("/demo/"))
            elif path == "/":
                self.file(DEMO, "index.html")
            else:
                self.send(404, b"")

    return Handler


@pytest.fixture(scope="module")
def basemap_server():
    """The demo page, static/ and the tiles on 127.0.0.1 (free port); yields (base URL, tiles)."""
    if not RENDERER.is_file():
        message = (
            "static/vendor/protomaps-leaflet missing: run `make setup` (npm ci + vendor_assets)"
        )
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("mapbox_vector_tile")
    served: list[tuple[int, int, int]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(network(), served))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def area_query(zoom: int) -> str:
    """The demo page's query: centre on the crossing, the network's bounds as the area."""
    cx, cy = mercator(LON, LAT)
    west, south = lonlat(cx - SPAN, cy - SPAN)
    east, north = lonlat(cx + SPAN, cy + SPAN)
    # a little off the crossing, so both street names have room beside it
    lon, lat = lonlat(cx + 40, cy + 25)
    bbox = ",".join(f"{v:.6f}" for v in (west, south, east, north))
    return urlencode({"lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "zoom": zoom, "bbox": bbox})


def open_demo(browser, base: str, zoom: int, viewport: dict):
    """Open the demo page at ``zoom``; returns (context, page, requests, errors, csp)."""
    context = browser.new_context(viewport=viewport, locale="de-DE")
    page = context.new_page()
    requests, errors, csp = [], [], []
    context.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    context.expose_binding("__reportCsp", lambda source, text: csp.append(text))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => "
        "window.__reportCsp(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(f"{base}/?{area_query(zoom)}")
    page.wait_for_selector(".leaflet-tile-loaded")
    # readiness without page.wait_for_function (its string evaluation is blocked by the CSP)
    for _ in range(400):
        if page.evaluate("() => window.__basemapReady === true"):
            break
        page.wait_for_timeout(50)
    assert page.evaluate("() => window.__basemapReady === true"), "basemap never finished"
    page.wait_for_timeout(300)  # label placement can redraw a neighbouring tile once
    return context, page, requests, errors, csp


def drawn_share(pixels) -> float:
    """Share of pixels that are neither the basemap's background nor Leaflet's empty grey."""
    return 1 - share_near(pixels, BACKGROUND, 12) - share_near(pixels, LEAFLET_GREY, 6)


def map_pixels(page, name: str):
    """The map area's pixels without the control corners (RGB array); saved for a look."""
    import numpy as np
    from PIL import Image

    box = page.locator("#map").bounding_box()
    shot = page.screenshot(
        clip={
            "x": box["x"] + 60,
            "y": box["y"] + 90,
            "width": box["width"] - 120,
            "height": box["height"] - 130,
        }
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"basemap-{name}.png").write_bytes(shot)
    return np.asarray(Image.open(BytesIO(shot)).convert("RGB"))


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_basemap_draws_streets_and_names(browser, basemap_server, viewport):
    base, _served = basemap_server
    context, page, requests, errors, csp = open_demo(browser, base, 17, viewport)
    try:
        pixels = map_pixels(page, f"z17-{viewport['width']}")
        drawn = drawn_share(pixels)
        labels = share_near(pixels, LABEL, 24) * pixels.shape[0] * pixels.shape[1]
        numbers = share_near(pixels, HOUSE_NUMBER, 16) * pixels.shape[0] * pixels.shape[1]
        print(f"drawn {drawn:.1%}, label pixels {labels:.0f}, house-number pixels {numbers:.0f}")
        assert drawn > 0.1, f"map area is nearly flat: {drawn:.1%} of pixels drawn"
        assert labels > 150, f"no street or place names drawn ({labels:.0f} label pixels)"
        assert numbers > 50, f"no house numbers at zoom 17 ({numbers:.0f} pixels)"

        tile_requests = [u for u in requests if u.endswith(".mvt")]
        assert tile_requests, "no tile was requested"
        assert all("/tiles/17/" in u for u in tile_requests), tile_requests
        foreign = [
            u
            for u in requests
            if urlsplit(u).scheme not in ("data", "blob")
            and urlsplit(u).hostname not in ("127.0.0.1", "localhost")
        ]
        assert foreign == [], f"requests to other hosts: {foreign}"
        assert errors == [], f"page errors: {errors}"
        assert csp == [], f"Content-Security-Policy violations: {csp}"

        zoom_in = page.locator(".leaflet-control-zoom-in")
        zoom_out = page.locator(".leaflet-control-zoom-out")
        assert zoom_in.get_attribute("title") == "Vergrößern"
        assert zoom_out.get_attribute("title") == "Verkleinern"
        scale = page.locator(".leaflet-control-scale-line")
        assert scale.count() == 1, "one scale line only (metric, no miles)"
        assert re.fullmatch(r"\d+ k?m", scale.inner_text().strip()), scale.inner_text()
        assert (
            "OpenStreetMap-Mitwirkende" in page.locator(".leaflet-control-attribution").inner_text()
        )
    finally:
        context.close()


def test_basemap_draws_zoom_18_tiles_larger_beyond_18(browser, basemap_server):
    base, _served = basemap_server
    context, page, requests, errors, csp = open_demo(
        browser, base, 19, {"width": 1280, "height": 800}
    )
    try:
        pixels = map_pixels(page, "z19")
        drawn = drawn_share(pixels)
        print(f"drawn {drawn:.1%}")
        assert drawn > 0.1, f"map area is nearly flat at zoom 19: {drawn:.1%} drawn"
        zooms = {int(u.split("/tiles/")[1].split("/")[0]) for u in requests if u.endswith(".mvt")}
        assert zooms == {18}, f"zoom 19 must draw zoom-18 tiles, asked for {zooms}"
        assert errors == [] and csp == [], (errors, csp)
    finally:
        context.close()


def test_basemap_asks_for_no_tile_outside_the_area(browser, basemap_server):
    base, served = basemap_server
    served.clear()
    context, _page, _requests, errors, csp = open_demo(
        browser, base, 14, {"width": 1280, "height": 800}
    )
    try:
        assert served, "no tile was requested"
        cx, cy = mercator(LON, LAT)
        size = 2 * HALF / (1 << 14)
        allowed_x = {int((cx + d + HALF) // size) for d in (-SPAN, SPAN)}
        allowed_y = {int((HALF - cy - d) // size) for d in (-SPAN, SPAN)}
        for z, x, y in served:
            assert z == 14
            assert min(allowed_x) <= x <= max(allowed_x), (x, allowed_x)
            assert min(allowed_y) <= y <= max(allowed_y), (y, allowed_y)
        assert errors == [] and csp == [], (errors, csp)
    finally:
        context.close()


if __name__ == "__main__":  # serve the demo page by hand
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    httpd = ThreadingHTTPServer(("127.0.0.1", port), make_handler(network(), []))
    print(f"http://127.0.0.1:{port}/?{area_query(17)}")
    httpd.serve_forever()
