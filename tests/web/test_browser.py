"""The app in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Every test logs in through the form, records every request (nothing may leave 127.0.0.1)
and every dialog (an alert would mean injected script ran), and saves screenshots to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import DEMO_LOGINS, browser_required, resource

from sozialraum.store import GeoJSONStore
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
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AREA = "musterstadt-nord"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "back`tick`",
    "</script><script>alert(1)</script>",
    "C:\\daten\\2019",
    "\"'><svg onload=alert(1)>",
]
MAP = "document.getElementById('karte').contentWindow"
VISIBLE_MARKERS = f"""() => {{ const w = {MAP}; const map = Object.values(w).find(
    v => v instanceof w.L.Map); let n = 0;
    map.eachLayer(l => {{ if (l instanceof w.L.CircleMarker) n++; }}); return n; }}"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = "Debian chromium missing: apt-get install chromium chromium-driver"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if browser_required():
            pytest.fail("playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server_data(demo_data_dir, tmp_path_factory):
    """Demo data plus resources whose OSM text is hostile, served for the whole module."""
    target = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(demo_data_dir, target)
    store = GeoJSONStore(target)
    for i, payload in enumerate(PAYLOADS):
        store.add(
            AREA,
            "resources",
            resource(
                990000000 + i,
                f"Gefahr {i} {payload}",
                "pharmacy",
                lon=6.945 + i * 0.001,
                lat=51.428,
                opening_hours=payload,
                phone=payload,
                website=payload,
                district="r3",
            ),
            actor="test",
        )
    return store


@pytest.fixture(scope="module")
def live_server(server_data, tmp_path_factory, monkeypatch_module):
    import waitress

    monkeypatch_module.setenv("SOZIALRAUM_INSTANCE_PATH", str(tmp_path_factory.mktemp("inst")))
    app = create_app({"DATA_DIR": str(server_data.data_dir), "TILE_URL": ""})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=6)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.foreign, page.dialogs = [], [], []

    def on_request(req):
        host = urlsplit(req.url).hostname
        if req.url.startswith(("http:", "https:", "ws:")) and host not in (
            "127.0.0.1",
            "localhost",
        ):
            page.foreign.append(req.url)

    context.on("request", on_request)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    assert page.foreign == [], "requests left 127.0.0.1"
    assert page.dialogs == [], "a dialog opened: injected script ran"
    context.close()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def log_in(page, base, role="caseworker", password=None):
    name, right = DEMO_LOGINS[role]
    page.goto(f"{base}/anmelden")
    page.fill("#username", name)
    page.fill("#password", password or right)
    page.click("form.login button[type=submit]")


def wait_for_map(page):
    page.wait_for_function(f"() => {{ const w = {MAP}; return w && w.sozialraumReady === true; }}")
    return page.evaluate(f"() => {MAP}.sozialraumRegistry")


def test_login_and_overview(page, live_server):
    log_in(page, live_server, password="falsch-falsch")
    assert "Benutzername oder Passwort ist falsch." in page.inner_text("main")
    assert page.url.endswith("/anmelden")
    log_in(page, live_server)
    page.wait_for_selector("table.overview")
    text = page.inner_text("main")
    for district, team in (("Nord-West", "Team Nord"), ("Mühlenviertel", "Team Mühle")):
        assert district in text and team in text
    shot(page, "01-uebersicht")
    assert page.errors == []


def test_district_map_layers_controls_and_toggle(page, live_server, server_data):
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r3/")
    registry = wait_for_map(page)
    resources = server_data.query(AREA, "resources", district="r3")
    for cat_id in ("pharmacy", "post_box", "stop", "school"):
        assert registry[cat_id] == sum(cat_id in f["properties"]["categories"] for f in resources)
    assert registry["districts"] == 3
    assert registry["addresses"] == len(server_data.query(AREA, "addresses", district="r3"))
    frame = page.frame_locator("#karte")
    assert "Legende" in frame.locator(".sr-legend").inner_text()
    assert (
        "© OpenStreetMap contributors" in frame.locator(".leaflet-control-attribution").inner_text()
    )
    assert frame.locator("a[title='Wo bin ich?']").count() == 1
    assert frame.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert frame.locator(".leaflet-control-scale").count() == 1
    shot(page, "02-bezirkskarte")

    post_boxes = registry["post_box"]
    before = page.evaluate(VISIBLE_MARKERS)
    frame.locator(".leaflet-control-layers").hover()
    label = frame.locator(".leaflet-control-layers-overlays").get_by_text(
        f"Briefkasten der Post ({post_boxes})"
    )
    label.click()
    assert page.evaluate(VISIBLE_MARKERS) == before - post_boxes
    label.click()
    assert page.evaluate(VISIBLE_MARKERS) == before
    assert page.errors == []


def test_address_search_shows_the_card_and_the_point(page, live_server):
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/suche")
    wait_for_map(page)
    page.fill("#adresse", "Lindenstr 12")
    page.wait_for_selector("#vorschlaege li[role=option]")
    assert page.locator("#vorschlaege li").first.inner_text().startswith("Lindenstraße 12,")
    page.press("#adresse", "ArrowDown")
    page.press("#adresse", "Enter")
    card = page.locator("#adresskarte")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Lindenstraße 12" in text and "In der Nähe" in text and " m" in text
    popup = page.frame_locator("#karte").locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Lindenstraße 12" in popup.inner_text()
    shot(page, "03-adresssuche")
    assert page.errors == []


def test_list_view_and_map_select_each_other(page, live_server, server_data):
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/")
    wait_for_map(page)
    page.wait_for_selector("#liste[data-ready=true]")
    bakery = server_data.query(AREA, "resources", category="bakery")[1]
    name = bakery["properties"]["name"]
    page.fill("#liste-filter", name)
    rows = page.locator("#liste-tabelle tbody tr")
    assert rows.count() == 1
    rows.first.locator("button.row-select").click()
    popup = page.frame_locator("#karte").locator(".leaflet-popup-content")
    popup.wait_for()
    assert name in popup.inner_text()
    shot(page, "04-liste-auswahl")

    page.fill("#liste-filter", "")
    header = page.locator("#liste-tabelle th").first
    assert header.get_attribute("aria-sort") == "ascending"  # sorted by name from the start
    first = page.locator("#liste-tabelle tbody tr").first.inner_text()
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("#liste-tabelle tbody tr").first.inner_text() != first
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.locator("#liste-tabelle tbody tr").first.inner_text() == first

    page.select_option("#liste-art", "adressen")
    total = len(server_data.query(AREA, "addresses"))
    page.wait_for_function(
        f"() => document.getElementById('liste-status').textContent.startsWith('{total} Adressen')"
    )

    page.select_option("#liste-art", "orte")
    pharmacy = server_data.query(AREA, "resources", category="pharmacy")[0]["id"]
    page.evaluate(f"""() => {{ const w = {MAP}; const map = Object.values(w).find(
        v => v instanceof w.L.Map); map.eachLayer(l => {{
        if (l.feature && l.feature.id === {pharmacy!r}) l.fire('click', {{}}, true); }}); }}""")
    selected = page.locator("#liste-tabelle tr.selected")
    selected.wait_for()
    assert selected.get_attribute("data-id") == pharmacy
    assert page.errors == []


def test_hostile_text_shows_as_text_and_runs_nothing(page, live_server, server_data):
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r3/")
    registry = wait_for_map(page)
    assert registry["pharmacy"] > len(PAYLOADS) and registry["addresses"] > 0
    for i, payload in enumerate(PAYLOADS):
        feature_id = f"n{990000000 + i}"
        assert page.evaluate(f"() => {MAP}.sozialraumFocus({feature_id!r})")
        popup = page.frame_locator("#karte").locator(".leaflet-popup-content")
        popup.wait_for()
        assert payload in popup.inner_text()
    page.wait_for_selector("#liste[data-ready=true]")
    page.fill("#liste-filter", "Gefahr")
    assert page.locator("#liste-tabelle tbody tr").count() == len(PAYLOADS)
    assert PAYLOADS[0] in page.inner_text("#liste-tabelle")
    shot(page, "05-xss-karte")
    frame = page.frame_locator("#karte")
    assert frame.locator("img[src=x], svg[onload]").count() == 0
    assert page.locator("img[src=x], svg[onload]").count() == 0

    page.goto(f"{live_server}/gebiete/{AREA}/orte/n990000000")
    assert PAYLOADS[0] in page.inner_text("article.card")
    assert page.locator("article.card img").count() == 0

    page.goto(f"{live_server}/gebiete/{AREA}/suche")
    for payload in PAYLOADS:
        page.fill("#adresse", payload)
        page.wait_for_timeout(50)
    page.fill("#adresse", "Lindenstraße 1 <img src=x onerror=alert(1)>")
    page.wait_for_function("() => document.getElementById('such-status').textContent !== ''")
    assert page.locator("img[src=x]").count() == 0
    assert page.errors == []


def test_hostile_login_name_is_text(page, live_server):
    page.goto(f"{live_server}/anmelden")
    page.fill("#username", PAYLOADS[0][:40])
    page.fill("#password", "irgendwas-123")
    page.click("form.login button[type=submit]")
    page.wait_for_selector("p.error")
    assert page.locator("img[src=x]").count() == 0


def test_district_page_on_a_phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r1/")
    wait_for_map(page)
    page.wait_for_selector("#liste[data-ready=true]")
    frame_box = page.locator("#karte").bounding_box()
    list_box = page.locator("#liste").bounding_box()
    assert frame_box["width"] <= 390
    assert list_box["y"] >= frame_box["y"] + frame_box["height"] - 1  # list below the map
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    legend = page.frame_locator("#karte").locator(".sr-legend-toggle")
    assert legend.get_attribute("aria-expanded") == "false"  # folded on a small map
    legend.click()
    assert legend.get_attribute("aria-expanded") == "true"
    legend.click()
    shot(page, "06-telefon")
    context.close()
