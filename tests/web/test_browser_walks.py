"""Walks in real headless Chromium: plan a walk for a district, let the app order the stops
along the streets, open the printable A4 walk sheet (screenshot, PDF), record findings."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from support.browser import AREA, check, log_in, pdf_pages, watch_console

pytestmark = pytest.mark.browser


def test_plan_walk_print_sheet_and_record_findings(s, live_server, demo_store):
    page = s.page
    console = watch_console(s)
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/rundgaenge")
    page.select_option("select[name=district]", "r1")
    page.get_by_role("button", name="Rundgang planen").click()
    page.wait_for_url("**/rundgaenge/neu?district=r1")
    page.fill("#walk-title", "Erkundung rund um den Markt")
    page.fill("#walk-purpose", "Aushänge und Ansprechpersonen")
    start = demo_store.query(AREA, "addresses", district="r1")[3]["properties"]
    page.wait_for_function("() => window.sozialraumPlannerReady === true")
    page.locator("#walk-start").press_sequentially(
        f"{start['street']} {start['housenumber']}", delay=10
    )
    page.wait_for_selector("#start-vorschlaege li[role=option]")
    page.locator("#walk-start").press("Enter")  # the first suggestion: the exact address
    boxes = page.locator("fieldset.walk-picks input[type=checkbox]:visible")
    for i in (0, 2, 4, 6, 8):
        boxes.nth(i).check()
    assert page.locator("#walk-stops li").count() == 6
    # the app proposes the shortest order from the start (the route follows)
    page.get_by_role("button", name="Reihenfolge vorschlagen").click()
    page.wait_for_function(
        "() => /Minuten zu Fuß/.test(document.getElementById('planner-route').textContent)"
    )
    page.get_by_role("button", name="Rundgang planen").click()
    page.wait_for_url("**/rundgaenge/*")
    assert page.locator("h1").inner_text() == "Erkundung rund um den Markt"
    rows = page.locator("table.walk-stops tbody tr")
    assert rows.count() == 6
    assert start["street"] in rows.first.inner_text()  # the start stays first
    svg = page.locator("figure.walk-map svg")
    assert svg.locator("g.marker").count() == 6
    assert svg.locator("path.route, polyline.route, .route").count() >= 1
    walk_id = page.url.rsplit("/", 1)[1].split("?")[0]
    stored = demo_store.get(AREA, "walks", walk_id)["properties"]
    assert stored["route_kind"] == "strassen" and stored["route_m"] > 0
    s.screenshot("1-walk")

    # the user moves the last stop to second place; the distances follow
    count = rows.count()
    page.fill(f"#pos-{count - 1}", "2")
    page.fill("#pos-1", str(count))
    page.get_by_role("button", name="Reihenfolge übernehmen").click()
    page.wait_for_selector("text=Gespeichert.")
    changed = demo_store.get(AREA, "walks", walk_id)["properties"]
    assert changed["stops"][1] == stored["stops"][-1]
    assert changed["route_m"] >= stored["route_m"]  # the proposal was the shortest found

    # the printable sheet: map, numbered stops with checklists, QR code; A4 PDF
    page.get_by_role("link", name="Laufzettel drucken").click()
    page.wait_for_url("**/laufzettel")
    assert page.locator("li.sheet-stop").count() == 6
    assert page.locator(".sheet-checks li").count() >= 12
    assert page.locator(".sheet-qr svg path").count() == 1
    assert page.locator(".sheet-map svg g.marker").count() == 6
    s.screenshot("2-laufzettel", full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".no-print").is_hidden()
    s.screenshot("3-druckansicht", full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-") and 1 <= pdf_pages(pdf) <= 3
    # the printed map names its streets as text, and shows the basemap's buildings under them
    labels = page.locator(".sheet-map svg textPath").all_text_contents()
    outside_map = page.evaluate(
        "() => { const c = document.body.cloneNode(true);"
        " c.querySelectorAll('svg').forEach(s => s.remove()); return c.innerText; }"
    )
    only_on_map = [name for name in labels if name and name not in outside_map]
    assert only_on_map, ("a street name that only the map shows", labels)
    text = "".join(_undoubled(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages)
    found = [name for name in only_on_map if name.replace(" ", "") in text]
    # labels along curved streets come apart glyph by glyph; most names read whole
    assert len(found) >= len(only_on_map) / 2, (only_on_map, text[:400])
    assert page.locator(".sheet-map svg path.ground-buildings").count() == 1
    page.emulate_media(media="screen")

    # after the walk: findings become notes
    page.goto(f"{live_server}/gebiete/{AREA}/rundgaenge/{walk_id}/ergebnisse")
    page.fill("#text-1", "Treffpunkt für Eltern am Nachmittag.")
    page.select_option("#category-1", "treffpunkt")
    page.select_option("#mailbox-0", "ohne_namen")  # the start is an address
    page.get_by_role("button", name="Als Notizen speichern").click()
    page.wait_for_url("**/notizen?district=r1**")
    notes = [
        n for n in demo_store.query(AREA, "notes") if n["id"] in
        demo_store.get(AREA, "walks", walk_id)["properties"]["findings"]
    ]  # fmt: skip
    assert sorted(n["properties"]["category"] for n in notes) == ["briefkasten", "treffpunkt"]
    check(s, console)


def _undoubled(text: str) -> str:
    """PDF text without spaces, each label read once.

    A street label is drawn twice (white halo, then the name), so the PDF's text has every
    glyph twice in a row ("AAnnggeerr").
    """
    words = []
    for word in text.split():
        words.append(word[::2] if len(word) % 2 == 0 and word[::2] == word[1::2] else word)
    return "".join(words)


def test_walk_page_shows_one_map_on_screen_and_the_svg_in_print(s, live_server, demo_store):
    """On screen the interactive map only; printed, the SVG map instead of the Leaflet one."""
    page = s.page
    console = watch_console(s)
    log_in(page, live_server)
    walk = demo_store.query(AREA, "walks")[0]
    page.goto(f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
    page.wait_for_selector("#rundgang-karte[data-ready=true]")
    svg_map, live_map = page.locator("figure.walk-map"), page.locator("#rundgang-karte")
    assert svg_map.locator("svg").count() == 1  # still in the page, for print
    assert svg_map.is_hidden() and live_map.is_visible()
    page.emulate_media(media="print")
    assert svg_map.is_visible() and live_map.is_hidden()
    assert page.locator("[data-sr-offline-save]").is_hidden()
    page.emulate_media(media="screen")
    assert svg_map.is_hidden() and live_map.is_visible()
    check(s, console)
