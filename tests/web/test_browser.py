"""The map in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import browser_required, resource

from sozialraum.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS = (
    '<img src=x onerror="window.__xss=1">${window.__xss=2}`</script><script>window.__xss=3</script>'
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = "Debian chromium missing: apt-get install chromium chromium-driver"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        if browser_required():
            pytest.fail("playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(demo_store, demo_area):
    import waitress

    hostile = resource(990000001, XSS, "pharmacy", opening_hours=XSS)
    demo_store.add(demo_area, "resources", hostile, actor="test")
    app = create_app({"TESTING": True, "DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.foreign = [], []

    def on_request(request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:")) and host not in ("127.0.0.1", "localhost"):
            page.foreign.append(request.url)

    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("request", on_request)
    yield page
    context.close()


VISIBLE_MARKERS = """() => { const map = Object.values(window).find(v => v instanceof L.Map);
    let n = 0; map.eachLayer(l => { if (l instanceof L.CircleMarker) n++; }); return n; }"""


def _open_map(page, base, demo_area):
    page.goto(f"{base}/gebiete/{demo_area}/karte")
    page.wait_for_function(
        "() => window.sozialraumRegistry && window.sozialraumRegistry.bakery > 0"
    )


def test_map_shows_every_category_layer_with_legend(
    page, live_server, demo_store, demo_area, tmp_path
):
    _open_map(page, live_server, demo_area)
    registry = page.evaluate("() => window.sozialraumRegistry")
    counts = demo_store.read_meta(demo_area)["counts"]
    counts["pharmacy"] += 1  # the hostile test resource added by the fixture
    for cat_id, count in counts.items():
        if count:
            assert registry[cat_id] == count, cat_id
    assert registry["districts"] == 3
    resources = demo_store.query(demo_area, "resources")
    assert page.evaluate(VISIBLE_MARKERS) == sum(
        len(f["properties"]["categories"]) for f in resources
    )
    legend = page.locator(".sr-legend").inner_text()
    assert "Legende" in legend and "Briefkasten der Post (8)" in legend
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "© OpenStreetMap contributors" in attribution
    assert page.errors == []
    assert page.foreign == []
    page.screenshot(path=str(tmp_path / "karte.png"))
    assert (tmp_path / "karte.png").stat().st_size > 10_000


def test_layer_toggle_hides_a_category(page, live_server, demo_area):
    _open_map(page, live_server, demo_area)
    before = page.evaluate(VISIBLE_MARKERS)
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-overlays").get_by_text("Briefkasten der Post (8)").click()
    assert page.evaluate(VISIBLE_MARKERS) == before - 8


def test_hostile_osm_text_never_runs(page, live_server, demo_area):
    _open_map(page, live_server, demo_area)
    # open every popup and tooltip of the pharmacy layer, where the payload lives
    texts = page.evaluate(
        """() => { const out = [];
          Object.values(window).forEach(v => {
            if (v && v instanceof L.FeatureGroup) v.eachLayer(l => l.eachLayer && l.eachLayer(m => {
              if (m.openPopup) { m.openPopup(); const c = m.getPopup().getElement();
                if (c) out.push(c.innerText); }
              if (m.openTooltip) m.openTooltip();
            }));
          });
          return out; }"""
    )
    assert any("<img src=x" in text for text in texts)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(".leaflet-popup-pane img").count() == 0
    assert page.errors == []


def test_area_page_with_map_frame_on_a_phone(browser, live_server, demo_area, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/gebiete/{demo_area}/")
    frame = page.frame_locator("iframe.map-frame")
    frame.locator(".sr-legend").wait_for()
    width = page.evaluate("() => document.querySelector('iframe.map-frame').clientWidth")
    assert 300 < width <= 390
    page.screenshot(path=str(tmp_path / "telefon.png"))
    context.close()
