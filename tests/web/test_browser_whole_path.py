"""Issue 21's whole path on a fresh real import (Neuss), in headless Chromium, as the three
people who walk it: the import with ``--team``; an admin draws a district on the map and gives
it to the team; a caseworker plans a walk in that district by choosing six stops, prints the
sheet (one A4 page, every stop with an address); the team lead finds the walk in the team's
list; after the walk the caseworker records a result on a phone (390x844) through the sheet's
link."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.browser import check, log_in, pdf_pages, watch_console
from support.paths import EXTRACTS
from support.web import DEMO_LOGINS

from sozialraum.cli import main

pytestmark = pytest.mark.browser

AREA = "neuss"
TEAM = "Team Nord"  # the demo caseworker's and lead's team
ADMIN_MAP = "() => !!document.querySelector('#admin-map .leaflet-pm-toolbar')"
READY = "() => window.sozialraumPlannerReady === true"
STOP_LABELS = """() => [...document.querySelectorAll('#walk-stops .stop-label')]
    .map(e => e.textContent)"""


@pytest.fixture
def fresh_import(demo_store):
    result = CliRunner().invoke(
        main,
        ["import", "--data-dir", str(demo_store.data_dir), "--quiet", "--area", AREA,
         "--osm-file", str(EXTRACTS["neuss-innenstadt"]), "--team", TEAM],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return demo_store


def _admin_draws_district(open_session, base: str, store) -> str:
    s = open_session()
    console = watch_console(s)
    log_in(s.page, base, DEMO_LOGINS["admin"])
    s.page.goto(f"{base}/gebiete/{AREA}/verwaltung/bezirke")
    s.page.wait_for_function(ADMIN_MAP)
    s.page.wait_for_selector("#admin-map .admin-district-label")
    s.page.locator("#admin-map").scroll_into_view_if_needed()
    s.page.locator("#admin-map .leaflet-pm-icon-polygon").click()
    box = s.page.locator("#admin-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # the centre of the town, right of and below the drawing toolbar's buttons
    left, top, right, bottom = cx - 40, cy - 40, cx + 80, cy + 110
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    for x, y in corners:
        s.page.mouse.move(x, y, steps=3)
        s.page.mouse.click(x, y)
    s.page.mouse.click(*corners[0])
    s.page.wait_for_function(
        "() => document.getElementById('zeichnen-geometrie').value.includes('Polygon')"
    )
    s.page.fill("#zeichnen-name", "Innenstadt Mitte")
    s.page.select_option("#zeichnen-team", TEAM)
    s.page.locator("#zeichnen-speichern").click()
    s.page.wait_for_selector(".admin-message.admin-ok")
    assert store.read_meta(AREA)["teams"]["innenstadt-mitte"] == TEAM
    s.screenshot("1-admin-bezirk", full_page=True)
    check(s, console)
    return "innenstadt-mitte"


def _caseworker_plans(open_session, base: str, store, district: str) -> tuple[str, list[str]]:
    s = open_session()
    console = watch_console(s)
    page = s.page
    log_in(page, base)
    page.goto(f"{base}/gebiete/{AREA}/rundgaenge/neu?district={district}")
    page.wait_for_function(READY)
    assert page.locator("iframe").count() == 0
    assert "Kein Team zuständig" not in page.content()
    page.fill("#walk-title", "Erkundung Innenstadt Mitte")
    page.evaluate("() => document.querySelectorAll('.planner-places details')"
                  ".forEach(d => { d.open = true; })")  # fmt: skip
    boxes = page.locator(".planner-places label.check input")
    assert boxes.count() >= 6, "the drawn district holds fewer than six places"
    for i in range(6):
        boxes.nth(i).check()
    labels = page.evaluate(STOP_LABELS)
    assert len(labels) == 6, labels
    page.wait_for_function(
        "() => /Minuten zu Fuß/.test(document.getElementById('planner-route').textContent)"
    )
    page.get_by_role("button", name="Rundgang planen").click()
    page.wait_for_url("**/rundgaenge/*")
    walk_id = page.url.rsplit("/", 1)[1].split("?")[0]
    stored = store.get(AREA, "walks", walk_id)["properties"]
    assert len(stored["stops"]) == 6 and stored["team"] == TEAM
    assert stored["district"] == district

    page.goto(f"{base}/gebiete/{AREA}/rundgaenge/{walk_id}/laufzettel")
    cards = page.locator("li.sheet-stop")
    assert cards.count() == 6
    for i in range(6):
        card = cards.nth(i)
        title = card.locator("h2").inner_text()
        assert "Notiz" not in title and "Ort ohne Namen" not in title, title
        address = card.locator(".sheet-address")
        shown = address.inner_text() if address.count() else title
        assert any(ch.isdigit() for ch in shown), (title, shown)  # street and house number
    link = page.locator(".sheet-link").inner_text()
    page.emulate_media(media="print")
    assert pdf_pages(page.pdf(format="A4")) == 1
    page.emulate_media(media="screen")
    s.screenshot("2-laufzettel", full_page=True)
    check(s, console)
    return walk_id, [link]


def test_admin_lead_and_caseworker_go_the_whole_path(open_session, start_server, fresh_import):
    store = fresh_import
    base = start_server()
    district = _admin_draws_district(open_session, base, store)
    walk_id, (link,) = _caseworker_plans(open_session, base, store, district)

    lead = open_session()
    log_in(lead.page, base, DEMO_LOGINS["lead"])
    lead.page.goto(f"{base}/gebiete/{AREA}/rundgaenge")
    assert lead.page.get_by_text("Erkundung Innenstadt Mitte").count() >= 1
    lead.page.goto(f"{base}/gebiete/{AREA}/rundgaenge/{walk_id}")
    assert lead.page.locator("h1").inner_text().strip() != ""

    phone = open_session(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    console = watch_console(phone)
    log_in(phone.page, base)
    phone.page.goto(link)
    assert phone.page.locator("fieldset legend").count() == 6
    widths = phone.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    phone.page.fill("#text-1", "Aushang im Schaufenster möglich.")
    phone.page.get_by_role("button", name="Als Notizen speichern").click()
    phone.page.wait_for_url("**/notizen?**")
    findings = store.get(AREA, "walks", walk_id)["properties"]["findings"]
    assert len(findings) == 1
    note = store.get(AREA, "notes", findings[0])["properties"]
    assert note["text"].startswith("Aushang") and note["team"] == TEAM
    phone.screenshot("3-ergebnis-telefon", full_page=True)
    check(phone, console)
