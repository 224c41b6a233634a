"""Field mode "Unterwegs" on a phone (390×844) in real headless Chromium (issue 21 §4):
the map first and nearly full height, tap targets of at least 44 px, "Wo bin ich?" with a
fixed position, and a note saved at the position with the chosen address."""

from __future__ import annotations

import pytest
from support.browser import AREA, log_in, plan_walk, watch_console

from sozialraum.services import notes as fieldnotes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: what a thumb must hit: buttons, links styled as buttons, form fields, the map's controls
TARGETS = (
    ".field-controls .field-button, .field button, .field select, .field input[type=text], "
    "#field-map .leaflet-control-zoom a"
)


def test_field_page_on_a_phone(open_session, live_server, demo_store):
    s = open_session(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": 0.0, "latitude": 0.0},
        permissions=["geolocation"],
    )
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    walk_id = plan_walk(page, live_server, demo_store)
    # the phone stands at the walk's second stop
    second = demo_store.get(AREA, "walks", walk_id)["properties"]["stops"][1]
    s.context.set_geolocation(
        {"longitude": second["lon"], "latitude": second["lat"], "accuracy": 8}
    )
    nearest = fieldnotes.nearest_addresses(demo_store, AREA, second["lon"], second["lat"])[0]
    address = demo_store.get(AREA, "addresses", nearest["id"])
    page.goto(f"{live_server}/gebiete/{AREA}/rundgaenge/{walk_id}")
    page.get_by_role("link", name="Unterwegs (Handy)").click()
    page.wait_for_url(f"**/unterwegs?rundgang={walk_id}")
    page.wait_for_selector("body[data-field-ready=true]", state="attached")
    page.wait_for_selector("#field-map .leaflet-control-zoom-in[title='Vergrößern']")

    # the map first (only the app's top bar above it) and most of the screen high
    boxes = {
        name: page.locator(selector).bounding_box()
        for name, selector in {
            "map": "#field-map",
            "controls": ".field-controls",
            "stops": "#stationen",
            "note": "#field-note",
        }.items()
    }
    topbar = page.locator("header.topbar").bounding_box()
    assert boxes["map"]["y"] <= topbar["y"] + topbar["height"] + 16
    assert boxes["map"]["height"] >= 0.6 * PHONE["height"]
    assert boxes["map"]["width"] >= PHONE["width"] - 16
    assert boxes["map"]["y"] < boxes["controls"]["y"] < boxes["stops"]["y"] < boxes["note"]["y"]
    # "Wo bin ich?" is whole on the first screen, under the map, without scrolling
    where = page.locator("#wo-bin-ich").bounding_box()
    assert where["y"] + where["height"] <= PHONE["height"], where
    assert page.locator("#stationen li").count() == 3
    # every control is a tap target of at least 44 × 44 px
    targets = page.locator(TARGETS)
    small = []
    for i in range(targets.count()):
        target = targets.nth(i)
        if not target.is_visible():
            continue
        box = target.bounding_box()
        if box["height"] < 44 or box["width"] < 44:
            small.append((target.evaluate("e => e.outerHTML.slice(0, 80)"), box))
    assert targets.count() >= 8 and small == []
    # the stop markers are not tab stops (reached through the list)
    assert page.locator("#field-map .field-stop-icon[tabindex='-1']").count() == 3
    s.screenshot("unterwegs-1")

    # "Wo bin ich?": the position, the nearest address, the next stop and its distance
    page.get_by_role("button", name="Wo bin ich?").click()
    page.wait_for_selector("body[data-located=true]", state="attached")
    # the answer is on the screen, not under the full-height map
    status = page.locator("#standort-status").bounding_box()
    assert status["y"] >= 0 and status["y"] + status["height"] <= PHONE["height"], status
    props = address["properties"]
    label = f"{props['street']} {props['housenumber']}"
    assert page.locator("#adresse-link").inner_text().startswith(label)
    assert label in page.locator("#standort-status").inner_text()
    assert page.locator("#adresse-briefkasten").inner_text().startswith("Briefkasten: ")
    next_stop = page.locator("#naechster-halt").inner_text()
    assert next_stop.startswith("Nächster Halt: 3. ") and " m (Luftlinie)" in next_stop
    assert page.locator("#stationen li[data-number='2']").inner_text().endswith("erreicht")
    assert page.locator("#stationen li[aria-current=step]").get_attribute("data-number") == "3"
    assert page.locator("path.field-position").count() == 1  # the position on the map
    s.screenshot("unterwegs-2")

    # a note at the position: the nearest address is proposed; category, status, text, save
    select = page.locator("#field-address")
    assert select.input_value() == address["id"]
    page.select_option("#field-category", "briefkasten")
    page.select_option("#field-mailbox", "fehlt")
    page.fill("#field-text", "Kein Briefkasten am Hauseingang")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_selector("#field-note[data-saved]", state="attached")
    assert page.locator("#field-note-status").inner_text().startswith("Gespeichert: ")
    note_id = page.locator("#field-note").get_attribute("data-saved")
    stored = demo_store.get(AREA, "notes", note_id)["properties"]
    assert stored["address_id"] == address["id"]  # the chosen address
    assert stored["mailbox_status"] == "fehlt" and stored["category"] == "briefkasten"
    assert stored["text"] == "Kein Briefkasten am Hauseingang"
    assert console == []
    s.check()


def test_area_page_offers_field_mode_first_on_a_phone(open_session, live_server):
    desktop = open_session()
    log_in(desktop.page, live_server)
    desktop.page.goto(f"{live_server}/gebiete/{AREA}/")
    assert desktop.page.locator(".field-switch").is_hidden()  # the menu link is enough there
    assert desktop.page.get_by_role("link", name="Unterwegs", exact=True).is_visible()
    desktop.check()

    s = open_session(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(s.page, live_server)
    s.page.goto(f"{live_server}/gebiete/{AREA}/")
    switch = s.page.get_by_role("link", name="Unterwegs: Karte fürs Handy")
    assert switch.is_visible() and switch.bounding_box()["height"] >= 44
    switch.click()
    s.page.wait_for_url(f"**/gebiete/{AREA}/unterwegs")
    assert s.page.locator("#rundgang").count() == 1  # choose a walk
    s.check()
