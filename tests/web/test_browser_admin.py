"""The admin's district page in real headless Chromium: an admin draws a district polygon on
the map (leaflet-geoman's German tools over the area's basemap), names it, assigns a team, and
the district then exists with that team; the admin pages fit a 390×844 phone screen."""

from __future__ import annotations

import pytest
from shapely.geometry import shape
from support.browser import AREA, check, log_in, watch_console
from support.web import DEMO_LOGINS

pytestmark = pytest.mark.browser

MAP_READY = "() => !!document.querySelector('#admin-map .leaflet-pm-toolbar')"


def test_admin_draws_a_district_and_assigns_a_team(open_session, live_server, demo_store):
    s = open_session()
    console = watch_console(s)
    log_in(s.page, live_server, DEMO_LOGINS["admin"])
    s.page.get_by_role("link", name="Verwaltung", exact=True).click()
    s.page.wait_for_url(f"{live_server}/verwaltung/")
    s.page.goto(f"{live_server}/gebiete/{AREA}/verwaltung/bezirke")
    s.page.wait_for_function(MAP_READY)
    # the drawing tools speak German
    assert s.page.locator("#admin-map [title='Polygon zeichnen']").count() == 1
    # the district outlines came from the API: wait for their labels
    s.page.wait_for_selector("#admin-map .admin-district-label")

    s.page.locator("#admin-map .leaflet-pm-icon-polygon").click()
    box = s.page.locator("#admin-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 40, cy - 30), (cx + 40, cy - 30), (cx + 40, cy + 30), (cx - 40, cy + 30)]
    for x, y in corners:
        s.page.mouse.click(x, y)
    s.page.mouse.click(*corners[0])  # back on the first corner closes the polygon
    s.page.wait_for_function(
        "() => document.getElementById('zeichnen-geometrie').value.includes('Polygon')"
    )
    assert "Fläche gezeichnet" in s.page.locator("#zeichnen-status").inner_text()
    s.screenshot("1-gezeichnet")

    s.page.fill("#zeichnen-name", "Marktplatz")
    s.page.select_option("#zeichnen-team", "Team Mühle")
    s.page.locator("#zeichnen-speichern").click()
    s.page.wait_for_selector(".admin-message.admin-ok")
    message = s.page.locator(".admin-message").inner_text()
    assert "neu: Marktplatz" in message and "Team Mühle" in message, message
    assert s.page.locator("#bezirk-marktplatz").count() == 1
    assert "zuständig: Team Mühle" in s.page.locator("#bezirk-marktplatz").inner_text()

    feature = demo_store.get(AREA, "districts", "marktplatz")
    assert feature["properties"]["name"] == "Marktplatz"
    assert shape(feature["geometry"]).area > 0
    assert demo_store.read_meta(AREA)["teams"]["marktplatz"] == "Team Mühle"
    s.screenshot("2-angelegt", full_page=True)
    check(s, console)


@pytest.mark.parametrize(
    "path", ["/verwaltung/konten", "/verwaltung/teams", f"/gebiete/{AREA}/verwaltung/bezirke"]
)
def test_admin_pages_fit_a_phone(open_session, live_server, path):
    s = open_session(viewport={"width": 390, "height": 844})
    console = watch_console(s)
    log_in(s.page, live_server, DEMO_LOGINS["admin"])
    s.page.goto(f"{live_server}{path}")
    if "bezirke" in path:
        s.page.wait_for_function(MAP_READY)
    width = s.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, (path, width)
    # buttons are large enough to tap
    heights = s.page.eval_on_selector_all(
        "main button",
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)",
    )
    assert heights and min(heights) >= 44, heights
    check(s, console)
