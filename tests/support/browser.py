"""Driving the web app in real headless Chromium (Playwright): the browser tests' sessions,
their privacy and health checks, the map's JavaScript probes and page helpers.

The fixtures (``browser``, ``start_server``, ``live_server``, ``open_session``, ``s``) live in
``tests/web/conftest.py``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sozialraum.demo.area import DEMO_AREA
from sozialraum.model.categories import load_categories
from support.web import DEMO_LOGINS


def browser_required() -> bool:
    """Under CI a missing browser is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


AREA = DEMO_AREA
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
CASEWORKER = DEMO_LOGINS["caseworker"]
DISTRICTS = {"r1": "Nord-West", "r2": "Nord-Ost", "r3": "Mühlenviertel"}
WRONG_LOGIN = "Benutzername oder Passwort ist falsch."

#: Hostile text as OSM data (and users) may contain it; none of it may ever run.
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`+alert(1)+`",
    "</script><script>alert(1)</script>",
    "C:\\daten\\2019",
    "\"'><svg onload=alert(1)>",
)
HOSTILE_CATEGORIES = ("pharmacy", "bakery", "kita", "library", "doctor", "school")

# -- JavaScript snippets (run in the page that holds the map) --------------------------------
MAP = "Object.values(window).find(v => v instanceof L.Map)"
#: the map is part of the page (issue 21 §5): every API layer of it has loaded
FRAME_READY = """() => !!document.getElementById('karte') && window.sozialraumReady === true"""
#: resource markers on the map (clustered address markers are left out: they come and go)
RESOURCE_MARKERS = f"""() => {{ const map = {MAP}; let n = 0;
    map.eachLayer(l => {{ if (l instanceof L.CircleMarker && l.feature
        && (l.feature.properties.categories || []).length) n++; }});
    return n; }}"""
POLYGONS = f"""() => {{ const map = {MAP}; const out = [];
    map.eachLayer(l => {{ if (l instanceof L.Polygon && l.feature) out.push({{
        id: l.feature.id, weight: l.options.weight,
        inView: map.getBounds().pad(0.01).contains(l.getBounds()) }}); }});
    return out; }}"""
SETTLED = f"""() => {{ const map = {MAP};
    return !map._animatingZoom && !(map._panAnim && map._panAnim._inProgress); }}"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
#: fire an event on the marker of a feature (resource or clustered address) like a user would
FIRE_ON_FEATURE = f"""([id, type]) => {{ const map = {MAP}; let found = null;
    const look = l => {{ if (!found && l.feature && l.feature.id === id
        && l instanceof L.CircleMarker) found = l; }};
    map.eachLayer(l => {{ look(l);
        if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) l.getLayers().forEach(look);
    }});
    if (!found) return false;
    found.fire(type, {{ latlng: found.getLatLng() }}, true);
    return true; }}"""
POPUP_HAS = """(text) => { const p = document.querySelector('.leaflet-popup-content');
    return !!p && p.innerText.includes(text); }"""
FIRST_SUGGESTION_HAS = """(text) => {
    const li = document.querySelector('#vorschlaege li[role=option]');
    return !!li && li.textContent.includes(text); }"""
#: where the overview table's caption text is, and the scroll box around the table
CAPTION_BOX = """() => { const caption = document.querySelector('table.overview caption');
    const range = document.createRange(); range.selectNodeContents(caption);
    const text = range.getBoundingClientRect();
    const wrap = caption.closest('.table-wrap').getBoundingClientRect();
    return { left: text.left, right: text.right, wrapLeft: wrap.left, wrapRight: wrap.right }; }"""
#: elements that hostile data could have created (event handler attributes, the payload tags)
INJECTED = """() => { const bad = [];
    document.querySelectorAll('img[src="x"], svg[onload], script:not([src]):not([nonce])')
        .forEach(e => {
        if (e.tagName !== 'SCRIPT' || e.textContent.includes('alert(1)')) bad.push(e.outerHTML);
    });
    document.querySelectorAll('*').forEach(e => { for (const a of e.attributes) {
        if (a.name.startsWith('on')) bad.push(e.tagName + ' ' + a.name); } });
    return bad; }"""


#: reports every Content-Security-Policy violation of every frame to the test (issue 26,
#: finding 6): a blocked inline script, style or handler means a page is broken or injected
CSP_RECORDER = """() => { document.addEventListener('securitypolicyviolation', (e) => {
    (window.__cspSeen = window.__cspSeen || []).push(e.effectiveDirective);
    window.__reportCsp([e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber,
        e.sample].join(' | '));
}); }"""


@dataclass
class Session:
    """A browser context with one page and everything it did."""

    name: str
    context: object
    page: object
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def record(self, request) -> None:
        url = request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOCAL_HOSTS:
            self.foreign.append(url)

    def on_response(self, response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400 and path.startswith(("/api/", "/static/")):
            self.failed.append(f"{response.status} {response.url}")

    def on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def screenshot(self, step: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 10_000, f"{path.name} looks empty"
        self.shots.append(path)
        return path

    def check(self) -> None:
        """Privacy and health: only our own server, no JS errors, no dialogs, no broken assets."""
        assert any("/static/" in url for url in self.requests), "no requests recorded"
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.failed == [], f"failed API/static requests: {self.failed}"
        assert self.csp == [], f"Content-Security-Policy violations: {self.csp}"


# -- helpers ---------------------------------------------------------------------------------
def log_in(page, base: str, login=CASEWORKER) -> None:
    """Log in through the real form and land on the overview."""
    name, password = login
    page.goto(f"{base}/anmelden")
    page.fill("#username", name)
    page.fill("#password", password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url(f"{base}/")


def submit_login_expecting_error(page) -> str:
    """Submit the login form; wait for the *new* page's error message and return it."""
    page.evaluate("() => { window.sozialraumOldPage = true; }")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_function(
        "() => !window.sozialraumOldPage && !!document.querySelector('p.error[role=alert]')"
    )
    return page.locator("p.error[role=alert]").inner_text()


def map_frame(page):
    """Wait until every API layer of the page's map has loaded; return the page's frame.

    (The map was an iframe before issue 21 §5; the tests still call what holds the map
    "frame".)
    """
    page.wait_for_function(FRAME_READY)
    return page.main_frame


def settle(frame) -> None:
    """Wait for the end of zoom and pan animations and for the canvas to redraw."""
    frame.wait_for_function(SETTLED)
    frame.evaluate(TWO_FRAMES)
    frame.wait_for_function(SETTLED)


def wait_for_popup(frame, text: str) -> str:
    frame.wait_for_function(POPUP_HAS, arg=text)
    return frame.locator(".leaflet-popup-content").inner_text()


def wait_for_list(page) -> None:
    page.wait_for_selector("section#liste[data-ready=true]", state="attached")


def list_status(page, startswith: str) -> str:
    page.wait_for_function(
        "(t) => document.getElementById('liste-status').textContent.startsWith(t)", arg=startswith
    )
    return page.locator("#liste-status").inner_text()


def category_counts(demo_store, district: str | None = None) -> dict[str, int]:
    return {
        cat.id: len(demo_store.query(AREA, "resources", district=district, category=cat.id))
        for cat in load_categories()
    }


# -- 1. login --------------------------------------------------------------------------------


# -- console and page checks ------------------------------------------------------------
def check(s: Session, console: list[str], expected_failures: tuple[str, ...] = ()) -> None:
    """``Session.check`` plus no console errors; ``expected_failures``: URL paths that were
    meant to fail (the browser logs a failed request as a console error, too)."""
    failed = [urlsplit(f.split(" ", 1)[1]).path for f in s.failed]
    assert failed == list(expected_failures), s.failed
    assert [e for e in console if not e.startswith("Failed to load resource")] == []
    assert len(console) == len(expected_failures), console
    s.failed.clear()
    s.check()


def watch_console(s: Session) -> list[str]:
    """Collect console errors of the page and its frames (the favicon 404 left out)."""
    errors: list[str] = []

    def on_console(message) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and urlsplit(url).path != "/favicon.ico":
            errors.append(f"{message.text} ({url})")

    s.page.on("console", on_console)
    return errors


def show(frame, lon: float, lat: float, zoom: int) -> None:
    frame.evaluate(
        f"([lon, lat, zoom]) => {{ ({MAP}).setView([lat, lon], zoom, {{ animate: false }}); }}",
        [lon, lat, zoom],
    )
    settle(frame)


def pdf_pages(pdf: bytes) -> int:
    """Page objects of a PDF (``/Type /Page``, not the ``/Type /Pages`` tree node)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def plan_walk(page, base: str, demo_store, *, district: str = "r1", count: int = 3) -> str:
    """Plan a walk of ``count`` addresses of ``district`` through the app (the page's login);
    return its id."""
    page.goto(f"{base}/gebiete/{AREA}/rundgaenge")
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    found = demo_store.query(AREA, "addresses", district=district)
    step = max(len(found) // count, 1)  # spread over the district
    lines = [
        f"{a['properties']['street']} {a['properties']['housenumber']}"
        for a in found[::step][:count]
    ]
    response = page.request.post(
        f"{base}/gebiete/{AREA}/rundgaenge/neu",
        form={
            "csrf_token": token,
            "district": district,
            "title": "Erkundung Unterwegs",
            "walk_on": "2026-12-01",
            "addresses": "\n".join(lines),
        },
        max_redirects=0,
    )
    assert response.status == 303, response.text()
    return response.headers["location"].rstrip("/").rsplit("/", 1)[1].split("?")[0]
