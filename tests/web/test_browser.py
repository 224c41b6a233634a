"""The web app in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Every test logs in through the real form, records every request of the page and of the
map iframe (nothing may leave 127.0.0.1), fails on uncaught JavaScript errors, on any
``alert()`` and on any Content-Security-Policy violation in any frame, and saves screenshots
of the steps that matter to ``test-artifacts/screenshots``.
One browser per module, a new context per test; explicit waits only, no sleeps.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

import pytest
from support.browser import (
    AREA,
    CAPTION_BOX,
    CASEWORKER,
    DISTRICTS,
    FIRE_ON_FEATURE,
    FIRST_SUGGESTION_HAS,
    HOSTILE_CATEGORIES,
    INJECTED,
    PAYLOADS,
    POLYGONS,
    RESOURCE_MARKERS,
    WRONG_LOGIN,
    category_counts,
    list_status,
    log_in,
    map_frame,
    settle,
    submit_login_expecting_error,
    wait_for_list,
    wait_for_popup,
)
from support.data import resource

from sozialraum.model.categories import load_categories

pytestmark = pytest.mark.browser


def test_login_flow_and_overview(s, live_server, demo_store):
    page = s.page
    page.goto(f"{live_server}/")  # not logged in: the login form instead of the overview
    assert page.locator("p.error[role=alert]").inner_text() == "Bitte melden Sie sich an."
    assert page.locator("table.overview").count() == 0

    page.goto(f"{live_server}/anmelden")
    page.fill("#username", CASEWORKER[0])
    page.fill("#password", "falsch-geraten")
    assert submit_login_expecting_error(page) == WRONG_LOGIN
    assert urlsplit(page.url).path == "/anmelden"
    assert page.locator("form.logout").count() == 0
    s.screenshot("01-falsches-passwort")

    page.fill("#password", CASEWORKER[1])
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url(f"{live_server}/")
    assert page.locator("h1").inner_text() == "Gebiete"
    assert "demo-fachkraft" in page.locator(".topbar .user").inner_text()
    teams = demo_store.read_meta(AREA)["teams"]
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == 3
    seen = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        seen[row.locator("th[scope=row]").inner_text()] = row.locator("td.text").inner_text()
    assert seen == {DISTRICTS[d]: teams[d] for d in DISTRICTS}
    assert seen["Mühlenviertel"] == "Team Mühle" and seen["Nord-West"] == "Team Nord"
    # the table scrolls sideways; its caption must still be readable without scrolling
    caption = page.evaluate(CAPTION_BOX)
    assert caption["left"] >= caption["wrapLeft"] and caption["right"] <= caption["wrapRight"]
    s.screenshot("02-uebersicht", full_page=True)
    s.check()


# -- 2. district map -------------------------------------------------------------------------
def test_district_map_of_muehlenviertel(s, live_server, demo_store):
    page = s.page
    log_in(page, live_server)
    page.get_by_role("link", name="Mühlenviertel").first.click()
    page.wait_for_url(f"{live_server}/gebiete/{AREA}/bezirke/r3/")
    assert page.locator("h1").inner_text() == "Bezirk Mühlenviertel"
    assert "Team: Team Mühle" in page.locator("p.meta").inner_text()
    frame = map_frame(page)

    registry = frame.evaluate("() => window.sozialraumRegistry")
    expected = category_counts(demo_store, "r3")
    for cat_id, count in expected.items():
        assert registry[cat_id] == count, cat_id
    assert set(registry) == {*expected, "districts", "addresses", "notes", "offers"}
    # the caseworker (Team Nord) sees none of Team Mühle's notes in its district
    assert len(demo_store.query(AREA, "notes", district="r3")) > 0
    assert registry["notes"] == 0
    assert registry["districts"] == len(demo_store.query(AREA, "districts")) == 3
    assert registry["addresses"] == len(demo_store.query(AREA, "addresses", district="r3")) > 0
    assert frame.locator(".sr-notice").count() == 0  # no layer failed to load
    assert frame.evaluate(RESOURCE_MARKERS) == sum(expected.values())

    outlines = {p["id"]: p for p in frame.evaluate(POLYGONS)}
    assert set(outlines) == set(DISTRICTS)
    assert outlines["r3"]["weight"] > outlines["r1"]["weight"]  # the district is emphasised
    assert outlines["r3"]["inView"]  # and the map is fitted to it

    legend = frame.locator(".sr-legend")
    assert legend.is_visible()
    legend_text = legend.inner_text()
    assert "Legende" in legend_text
    for cat in load_categories():
        assert f"{cat.label} ({expected[cat.id]})" in legend_text
    attribution = frame.locator(".leaflet-control-attribution")
    assert attribution.is_visible()
    assert "© OpenStreetMap-Mitwirkende" in attribution.inner_text()
    assert frame.locator('.leaflet-control-locate [title="Wo bin ich?"]').is_visible()
    assert frame.locator('.leaflet-control-zoom-fullscreen[title="Vollbild"]').is_visible()
    scale = frame.locator(".leaflet-control-scale-line").first
    assert scale.is_visible()
    assert re.fullmatch(r"\d+ k?m", scale.inner_text().strip())
    # issue 21 §5: the map is part of the page, in German, metres only, markers no tab stops
    assert (
        page.locator("iframe").count() == 0 and page.locator("html").get_attribute("lang") == "de"
    )
    assert frame.locator(".leaflet-control-scale-line").count() == 1  # no miles
    for selector, title in (("zoom-in", "Vergrößern"), ("zoom-out", "Verkleinern")):
        button = frame.locator(f".leaflet-control-{selector}")
        assert button.get_attribute("title") == button.get_attribute("aria-label") == title
    assert frame.locator(".leaflet-control-layers-toggle").get_attribute("aria-label") == "Ebenen"
    assert "Leaflet" in attribution.inner_text() and "JavaScript" not in (
        attribution.inner_html()
    )  # Leaflet's English link title is gone
    assert frame.locator(".leaflet-marker-icon:not([tabindex='-1'])").count() == 0
    settle(frame)
    s.screenshot("bezirkskarte")
    s.check()


# -- 3. layer control ------------------------------------------------------------------------
def test_layer_toggle_hides_and_shows_a_category(s, live_server, demo_store):
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r3/")
    frame = map_frame(page)
    post_boxes = category_counts(demo_store, "r3")["post_box"]
    assert post_boxes > 0
    before = frame.evaluate(RESOURCE_MARKERS)

    frame.locator(".leaflet-control-layers").hover()
    overlays = frame.locator(".leaflet-control-layers-overlays")
    overlays.wait_for()
    text = re.compile(rf"^\s*Briefkasten der Post \({post_boxes}\)\s*$")
    label = overlays.locator("label").filter(has_text=text)
    assert label.count() == 1
    checkbox = label.locator("input[type=checkbox]")
    assert checkbox.is_checked()
    label.click()
    frame.wait_for_function(f"() => ({RESOURCE_MARKERS})() === {before - post_boxes}")
    assert not checkbox.is_checked()
    label.click()
    frame.wait_for_function(f"() => ({RESOURCE_MARKERS})() === {before}")
    assert checkbox.is_checked()
    s.check()


# -- 4. address search -----------------------------------------------------------------------
def test_search_spelling_variant_with_the_keyboard(s, live_server):
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/suche")
    frame = map_frame(page)
    search = page.locator("#adresse")
    search.press_sequentially("Lindenstr 12")
    page.wait_for_function(FIRST_SUGGESTION_HAS, arg="Lindenstraße 12")
    assert search.get_attribute("aria-expanded") == "true"
    first = page.locator("#vorschlaege li[role=option]").first
    assert "Lindenstraße 12" in first.inner_text()
    suggestions = page.locator("#vorschlaege li[role=option]").count()
    status = "1 Vorschlag" if suggestions == 1 else f"{suggestions} Vorschläge"
    assert page.locator("#such-status").inner_text() == status

    search.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    assert search.get_attribute("aria-activedescendant") == first.get_attribute("id")
    search.press("Enter")
    card = page.locator("article#adresskarte")
    card.wait_for(state="visible")
    page.wait_for_function(
        "() => document.getElementById('adresskarte').innerText.includes('In der Nähe')"
    )
    text = card.inner_text()
    assert "Lindenstraße 12" in text and "In der Nähe" in text
    assert re.search(r", \d+ m\b", text), text
    assert card.locator("ul.nearby li").count() > 0
    assert search.get_attribute("aria-expanded") == "false"

    popup = wait_for_popup(frame, "Lindenstraße 12")
    assert popup.strip() == "Lindenstraße 12"
    assert frame.evaluate("() => !!window.sozialraumPin")
    settle(frame)
    s.screenshot("adresskarte")
    s.check()


# -- 5. list view ----------------------------------------------------------------------------
def test_list_and_map_select_each_other(s, live_server, demo_store):
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/")
    wait_for_list(page)
    frame = map_frame(page)
    places = len(demo_store.query(AREA, "resources"))
    assert list_status(page, f"{places} Orte")

    bakery = next(
        f
        for f in demo_store.query(AREA, "resources", category="bakery")
        if f["properties"]["name"] == "Backstube am Markt"
    )
    page.fill("#liste-filter", "Backstube")
    assert list_status(page, "1 ") == "1 Ort"
    row = page.locator(f'tbody tr[data-id="{bakery["id"]}"]')
    assert page.locator("tbody tr").count() == 1
    row.locator("button.row-select").click()
    popup = wait_for_popup(frame, "Backstube am Markt")
    assert "Bäckerei" in popup
    # the focus stays on the list (issue 21 §5): the chosen row's button
    assert page.evaluate(
        "() => document.activeElement.matches('#liste tbody tr.selected button.row-select')"
    )
    assert row.get_attribute("class") == "selected"
    assert row.get_attribute("aria-selected") == "true"
    settle(frame)
    s.screenshot("liste-auswahl")

    # sort by name: the header button toggles the order and aria-sort
    page.fill("#liste-filter", "")
    list_status(page, f"{places} Orte")
    name_header = page.locator("th", has=page.locator("button[data-sort=name]"))
    names = page.locator("tbody button.row-select")
    page.locator("th button[data-sort=name]").click()
    first_order = name_header.get_attribute("aria-sort")
    assert first_order in ("ascending", "descending")
    first_names = names.all_inner_texts()
    page.locator("th button[data-sort=name]").click()
    second_order = name_header.get_attribute("aria-sort")
    assert {first_order, second_order} == {"ascending", "descending"}
    assert names.all_inner_texts() == list(reversed(first_names))
    assert len(first_names) == places
    others = page.locator("th:not(:has(button[data-sort=name]))")
    assert set(others.evaluate_all("ths => ths.map(th => th.getAttribute('aria-sort'))")) == {
        "none"
    }

    # addresses
    addresses = demo_store.query(AREA, "addresses")
    page.select_option("#liste-art", "adressen")
    status = list_status(page, f"{len(addresses)} Adressen")
    assert "200 angezeigt" in status  # paged, with "Mehr anzeigen"
    assert page.locator("#liste-mehr").is_visible()

    # a click on a clustered address marker selects its row, even one not shown yet
    last = addresses[-1]["id"]
    assert frame.evaluate(FIRE_ON_FEATURE, [last, "click"])
    page.wait_for_selector(f'tbody tr.selected[data-id="{last}"]')
    # a click on a resource marker switches back to the places and selects that row
    assert frame.evaluate(FIRE_ON_FEATURE, [bakery["id"], "click"])
    selected = page.wait_for_selector(f'tbody tr.selected[data-id="{bakery["id"]}"]')
    assert page.locator("#liste-art").input_value() == "orte"
    assert page.locator("tbody tr.selected").count() == 1
    assert selected.is_visible()
    s.check()


# -- 6. hostile text -------------------------------------------------------------------------
def _nearest_address(demo_store, lon: float, lat: float) -> dict:
    def distance(feature):
        x, y = feature["geometry"]["coordinates"][:2]
        return math.hypot((x - lon) * 69_430, (y - lat) * 111_250)

    return min(demo_store.query(AREA, "addresses"), key=distance)


def _assert_nothing_injected(*documents) -> None:
    for document in documents:
        assert document.evaluate(INJECTED) == [], document.url


def test_hostile_text_is_shown_literally_and_never_runs(open_session, start_server, demo_store):
    hostile = {}
    for i, payload in enumerate(PAYLOADS):
        feature = resource(
            990_000_100 + i,
            f"Prüfort {i} {payload}",
            HOSTILE_CATEGORIES[i],
            lon=6.948 + i * 0.0008,
            lat=51.4300,
            opening_hours=payload,
            phone=payload,
            website=payload,
        )
        demo_store.add(AREA, "resources", feature, actor="test")
        hostile[feature["id"]] = payload
    base = start_server()
    s = open_session()
    page = s.page

    # the login form echoes the user name back: type every payload as a user name
    page.goto(f"{base}/anmelden")
    for payload in PAYLOADS:
        page.fill("#username", payload)
        page.fill("#password", "nicht-das-passwort")
        assert submit_login_expecting_error(page) == WRONG_LOGIN
        assert page.locator("#username").input_value() == payload
        _assert_nothing_injected(page)
    log_in(page, base)

    # map: every layer still renders, every hostile popup and tooltip shows the text as text
    page.goto(f"{base}/gebiete/{AREA}/")
    wait_for_list(page)
    frame = map_frame(page)
    registry = frame.evaluate("() => window.sozialraumRegistry")
    for cat_id, count in category_counts(demo_store).items():
        assert registry[cat_id] == count > 0, cat_id
    assert registry["districts"] == 3 and registry["addresses"] > 0
    for feature_id, payload in hostile.items():
        assert frame.evaluate("(id) => window.sozialraumFocus(id)", feature_id)
        popup = wait_for_popup(frame, f"Prüfort {list(hostile).index(feature_id)} ")
        for line in (payload, f"Öffnungszeiten: {payload}", f"Telefon: {payload}"):
            assert line in popup, (line, popup)
        assert f"Web: {payload}" in popup
        assert frame.evaluate(FIRE_ON_FEATURE, [feature_id, "mouseover"])
        tooltip = frame.locator(".leaflet-tooltip").last
        assert payload in tooltip.inner_text()
        frame.evaluate(FIRE_ON_FEATURE, [feature_id, "mouseout"])
    _assert_nothing_injected(page, frame)
    settle(frame)
    s.screenshot("feindlicher-text-karte")

    # list rows, filtered by each payload
    for feature_id, payload in hostile.items():
        page.fill("#liste-filter", payload)
        row = page.locator(f'tbody tr[data-id="{feature_id}"]')
        row.wait_for()
        assert payload in row.locator("button.row-select").inner_text()
    _assert_nothing_injected(page, frame)

    # the search box, with every payload
    page.goto(f"{base}/gebiete/{AREA}/suche")
    frame = map_frame(page)
    search = page.locator("#adresse")
    for payload in PAYLOADS:
        search.fill("")
        page.wait_for_function("() => document.getElementById('such-status').textContent === ''")
        search.fill(payload)
        page.wait_for_function("() => document.getElementById('such-status').textContent !== ''")
        assert search.input_value() == payload
        assert "nicht möglich" not in page.locator("#such-status").inner_text()
    # the address card of the nearest address lists the hostile places by name
    nearest = _nearest_address(demo_store, 6.948, 51.43)
    label = f"{nearest['properties']['street']} {nearest['properties']['housenumber']}"
    search.fill("")
    page.wait_for_function("() => document.getElementById('such-status').textContent === ''")
    search.fill(label)
    page.wait_for_function(FIRST_SUGGESTION_HAS, arg=label)
    search.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('adresskarte').innerText.includes('Prüfort 0')"
    )
    card_text = page.locator("article#adresskarte").inner_text()
    for payload in PAYLOADS:
        assert payload in card_text
    _assert_nothing_injected(page, frame)

    # the address card page and the card page of every hostile place
    page.goto(f"{base}/gebiete/{AREA}/adressen/{nearest['id']}")
    nearby = page.locator("ul.nearby").inner_text()
    for payload in PAYLOADS:
        assert payload in nearby
    _assert_nothing_injected(page)
    for i, (feature_id, payload) in enumerate(hostile.items()):
        page.goto(f"{base}/gebiete/{AREA}/orte/{feature_id}")
        assert page.locator("h1").inner_text() == f"Prüfort {i} {payload}"
        card = page.locator("article.card").inner_text()
        assert card.count(payload) >= 4  # name, opening hours, phone, web
        _assert_nothing_injected(page)
        if i == 0:
            s.screenshot("feindlicher-text-karteikarte")
    assert s.dialogs == []
    s.check()


# -- 8. phone --------------------------------------------------------------------------------
def test_district_page_on_a_phone(open_session, live_server, demo_store):
    s = open_session(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r3/")
    wait_for_list(page)
    frame = map_frame(page)
    iframe = page.locator("#karte").bounding_box()
    section = page.locator("section#liste").bounding_box()
    assert 300 < iframe["width"] <= 390
    assert section["y"] >= iframe["y"] + iframe["height"]  # the list is below the map
    assert section["width"] <= 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # no side scroll
    assert frame.locator(".sr-legend").is_visible()
    assert frame.locator(".leaflet-control-attribution").is_visible()
    assert frame.evaluate(RESOURCE_MARKERS) == sum(category_counts(demo_store, "r3").values())
    # the map's controls leave the district visible: the layer list and the walking-zone box
    # are folded (the pace only shows once the zones are switched on), and the tool buttons
    # are touch targets of at least 44 x 44 px
    assert not frame.locator(".leaflet-control-layers-expanded").count()
    zones = frame.locator(".sr-zones")
    assert zones.locator("select").is_hidden()
    assert zones.bounding_box()["width"] <= 140 and zones.bounding_box()["height"] <= 60
    for button in (".sr-note-placer button", ".sr-zones-toggle"):
        box = frame.locator(button).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (button, box)
    frame.locator(".sr-zones-toggle").tap()
    assert zones.locator("select").is_visible()
    frame.locator(".sr-zones-toggle").tap()
    assert zones.locator("select").is_hidden()
    settle(frame)
    s.screenshot("telefon-karte")

    # the list works with touch: tap a row, the map shows the place
    first = page.locator("tbody tr").first
    name = first.locator("button.row-select").inner_text()
    first.locator("button.row-select").tap()
    wait_for_popup(frame, name)
    page.locator("#karte").scroll_into_view_if_needed()
    settle(frame)
    s.screenshot("telefon-auswahl")
    s.check()
