"""The Content-Security-Policy in real headless Chromium (issue 26, finding 6).

Every page type runs without a single CSP violation (the recorder of ``support.browser``
hears ``securitypolicyviolation`` in every frame, the map iframes too), and the policy
really protects: an inline script, event handler, ``<style>`` or ``style=""`` that reaches a
page without the response's nonce does not run, while the same script with the nonce does
(so the negative check cannot pass by accident).
"""

from __future__ import annotations

import re

import pytest
from support.browser import AREA, CASEWORKER, MAP, log_in
from support.web import DEMO_LOGINS

pytestmark = pytest.mark.browser

LEAD = DEMO_LOGINS["lead"]
ADMIN = DEMO_LOGINS["admin"]
ADDRESS = "Lindenstraße 12"
MAP_READY = "() => window.sozialraumReady === true || window.sozialraumCoverageReady === true"
#: the locate control drew the position (a circle marker on the map's canvas)
LOCATED = f"""() => {{ let found = false;
    ({MAP}).eachLayer(l => {{ if (l instanceof L.CircleMarker
        && l.options.className === 'leaflet-control-locate-marker') found = true; }});
    return found; }}"""
#: runs in a frame: an injected inline script, handler, <style> and style="" without nonce
INJECT = """() => {
    const script = document.createElement('script');
    script.textContent = 'window.__pwned = 1;';
    document.body.appendChild(script);
    const box = document.createElement('div');
    box.innerHTML = '<img id="csp-img" src="/static/sozialraum/favicon.svg" '
        + 'onload="window.__pwnedHandler = 1">'
        + '<p id="csp-attr" style="color: rgb(255, 0, 0)">a</p><p id="csp-elem">b</p>'
        + '<p id="csp-plain">c</p>';
    document.body.appendChild(box);
    const style = document.createElement('style');
    style.textContent = '#csp-elem { color: rgb(0, 128, 0) !important; }';
    document.head.appendChild(style);
}"""
INJECTED_STATE = """() => ({
    script: window.__pwned === undefined ? null : window.__pwned,
    handler: window.__pwnedHandler === undefined ? null : window.__pwnedHandler,
    imgLoaded: document.getElementById('csp-img').complete,
    attr: getComputedStyle(document.getElementById('csp-attr')).color,
    elem: getComputedStyle(document.getElementById('csp-elem')).color,
    plain: getComputedStyle(document.getElementById('csp-plain')).color,
})"""
#: the same script with the page's own nonce (readable only by a script that already runs)
WITH_NONCE = """() => {
    const nonce = document.querySelector('script[nonce]').nonce;
    const script = document.createElement('script');
    script.nonce = nonce;
    script.textContent = 'window.__withNonce = 1;';
    document.body.appendChild(script);
    return window.__withNonce === 1;
}"""


def _seen(directive: str) -> str:
    return f"() => (window.__cspSeen || []).some(d => d.startsWith({directive!r}))"


def _frames(page) -> list:
    """Frames other than the page (the maps are part of the page since issue 21 §5)."""
    return [f for f in page.frames if f != page.main_frame and f.url.startswith("http")]


def _map_frame(page):
    """The frame that holds the page's folium map: the page itself."""
    assert page.locator(".folium-map").count() == 1
    return page.main_frame


def _visit(s, url: str, *statuses: int) -> None:
    """Open ``url`` (answered with one of ``statuses``, default 200), wait until every map
    iframe drew its layers, assert no CSP violation."""
    response = s.page.goto(url)
    assert response.status in (statuses or (200,)), (url, response.status)
    s.page.wait_for_load_state()
    if s.page.locator(".folium-map").count():  # a map in the page (issue 21 §5)
        s.page.wait_for_function(MAP_READY)
    for frame in _frames(s.page):
        frame.wait_for_function(MAP_READY)
    _assert_clean(s, url)


def _assert_clean(s, where: str) -> None:
    for frame in [s.page.main_frame, *_frames(s.page)]:
        frame.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
        assert frame.evaluate("() => window.__cspSeen || []") == [], (where, frame.url)
    assert s.csp == [], (where, s.csp)
    assert s.errors == [], (where, s.errors)


def _first_link(s, url: str, pattern: str) -> str:
    """The id in the first link on the page at ``url`` whose path matches ``pattern``."""
    _visit(s, url)
    for href in s.page.eval_on_selector_all("a[href]", "els => els.map(e => e.pathname)"):
        match = re.search(pattern, href)
        if match and match[1] not in ("neu", "import", "vorschlaege", "finden"):
            return match[1]
    raise AssertionError(f"no link like {pattern} on {url}")


def _area(base: str, path: str = "") -> str:
    return f"{base}/gebiete/{AREA}/{path}"


def _csv(rows: list[list[str]]) -> bytes:
    return "\r\n".join(";".join(row) for row in rows).encode("utf-8")


def test_every_page_type_runs_without_a_violation(open_session, live_server, demo_store):
    base = live_server
    s = open_session()
    _visit(s, f"{base}/anmelden")
    log_in(s.page, base, CASEWORKER)
    _assert_clean(s, "overview")
    first = {layer: demo_store.query(AREA, layer)[0]["id"] for layer in ("resources", "addresses")}
    # notes, walks and offers this user may see: the first of each list page
    for layer, path in (("notes", "notizen"), ("walks", "rundgaenge"), ("offers", "angebote")):
        first[layer] = _first_link(s, _area(base, path), rf"/{path}/([0-9a-z-]+)$")
    pages = [
        "", "bezirke/r1/", "karte", "suche", f"orte/{first['resources']}",
        f"adressen/{first['addresses']}", "wegweiser", "profil",
        "profil?kennzahl=far_post_box", "abdeckung", "abdeckung?district=r1", "notizen",
        "notizen/neu", f"notizen/{first['notes']}", "pruefung", "rundgaenge",
        "rundgaenge/neu?district=r1", f"rundgaenge/{first['walks']}",
        f"rundgaenge/{first['walks']}/laufzettel", f"rundgaenge/{first['walks']}/ergebnisse",
        "angebote", "angebote/neu", "angebote/import", "angebote/vorschlaege",
        "angebote/finden", f"angebote/{first['offers']}", "briefkasten",
        "briefkasten/liste", "briefkasten/ruecklaeufer",
    ]  # fmt: skip
    for path in pages:
        _visit(s, _area(base, path), 200, 403)  # 403: an error page, for a caseworker
    _visit(s, _area(base, "gibt-es-nicht"), 404)
    _visit(s, f"{base}/gibt-es-nicht", 404)

    # the print views
    s.page.emulate_media(media="print")
    _visit(s, _area(base, f"rundgaenge/{first['walks']}/laufzettel"))
    s.page.emulate_media(media="screen")

    # the note's edit form, opened
    _visit(s, _area(base, f"notizen/{first['notes']}"))
    if s.page.locator("details.note-edit summary").count():
        s.page.locator("details.note-edit summary").click()
    _assert_clean(s, "note edit form")

    # answers to forms: the Wegweiser handout, the offer finder, the mailbox checks
    for path, button, result in (
        ("wegweiser", "Wege anzeigen", "article.handout"),
        ("angebote/finden", "Angebote finden", "article.offer-handout"),
        ("briefkasten", "Prüfen", "#briefkasten-ergebnis"),
    ):
        _visit(s, _area(base, path))
        s.page.fill("#adresse", ADDRESS)
        s.page.get_by_role("button", name=button, exact=True).click()
        s.page.wait_for_load_state()
        if s.page.locator("ul.choices button").count():
            s.page.locator("ul.choices button").filter(has_text=ADDRESS).first.click()
            s.page.wait_for_load_state()
        s.page.locator(result).wait_for()
        _assert_clean(s, path)
        s.page.emulate_media(media="print")
        _assert_clean(s, f"{path} printed")
        s.page.emulate_media(media="screen")
    _visit(s, _area(base, "briefkasten/liste"))
    rows = [["Straße", "Hausnummer"], ["Lindenstraße", "12"], ["Lindenstraße", "999"]]
    s.page.set_input_files(
        "#datei", {"name": "liste.csv", "mimeType": "text/csv", "buffer": _csv(rows)}
    )
    s.page.get_by_role("button", name="Weiter: Spalten zuordnen").click()
    s.page.get_by_role("button", name="Prüfen und anzeigen").wait_for()
    _assert_clean(s, "mailbox list: column-mapping step")
    s.page.get_by_role("button", name="Prüfen und anzeigen").click()
    s.page.locator("table.mailbox-results").wait_for()
    _assert_clean(s, "mailbox list")
    s.check()

    # a team lead: the review queue with a meeting and its printable protocol; an admin
    lead = open_session()
    log_in(lead.page, base, LEAD)
    _visit(lead, _area(base, "pruefung"))
    lead.page.locator("form[aria-label='Besprechung beginnen'] button[type=submit]").click()
    close = lead.page.get_by_role("button", name="Besprechung abschließen und Protokoll zeigen")
    close.click()
    lead.page.wait_for_url(re.compile(r".*/besprechungen/[^/]+$"))
    _assert_clean(lead, "meeting protocol")
    _visit(lead, _area(base, "angebote/import"))
    lead.check()
    admin = open_session()
    log_in(admin.page, base, ADMIN)
    for path in ("pruefung", "angebote/vorschlaege", "notizen"):
        _visit(admin, _area(base, path))
    admin.check()


def test_read_only_banner_page_runs_without_a_violation(open_session, start_server, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_READ_ONLY", "true")
    base = start_server()
    s = open_session()
    log_in(s.page, base, CASEWORKER)
    assert "Nur Lesen" in s.page.locator("p.banner-readonly").inner_text()
    for path in ("", "notizen", "karte"):
        _visit(s, _area(base, path))
    s.check()


def test_locate_control_draws_the_position_without_inline_styles(open_session, live_server):
    s = open_session(geolocation={"latitude": 51.2, "longitude": 7.0}, permissions=["geolocation"])
    log_in(s.page, live_server, CASEWORKER)
    _visit(s, _area(live_server))
    frame = _map_frame(s.page)
    frame.get_by_title("Wo bin ich?").click()
    frame.wait_for_function(LOCATED)
    _assert_clean(s, "located")
    s.check()


@pytest.mark.parametrize("where", ["page", "map"])
def test_injected_inline_script_style_and_handler_do_not_run(open_session, live_server, where):
    s = open_session()
    log_in(s.page, live_server, CASEWORKER)
    _visit(s, _area(live_server))
    frame = s.page.main_frame if where == "page" else _map_frame(s.page)

    frame.evaluate(INJECT)
    frame.wait_for_function("() => document.getElementById('csp-img').complete")
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
    state = frame.evaluate(INJECTED_STATE)
    assert state["script"] is None and state["handler"] is None, state  # neither ran
    for directive in ("script-src", "style-src"):
        frame.wait_for_function(_seen(directive))
    seen = frame.evaluate("() => window.__cspSeen")
    reported = list(s.csp)
    s.csp.clear()  # these violations are the point; nothing else may happen (checked below)
    plain = state.pop("plain")  # the colour of a paragraph without any style of its own
    assert plain not in ("rgb(255, 0, 0)", "rgb(0, 128, 0)")
    assert state == {
        "script": None,  # the script did not run
        "handler": None,  # the image loaded, its onload did not run
        "imgLoaded": True,
        "attr": plain,  # style="" is ignored
        "elem": plain,  # the <style> without nonce is ignored
    }
    assert {"script-src-elem", "script-src-attr", "style-src-attr", "style-src-elem"} <= set(
        seen
    ), seen
    assert len(reported) >= 4, reported  # the recorder every browser test uses heard them
    # the control: with the page's nonce the same script runs
    assert frame.evaluate(WITH_NONCE) is True
    assert s.errors == [] and s.dialogs == [] and s.csp == []
