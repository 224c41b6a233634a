"""Support offers in real headless Chromium: the offers layer of the area map (own markers,
flagged ones faded, hostile names as text) and the finder's handout (an offer left out of
the print with its checkbox; without JavaScript everything prints).

Server, browser, sessions and the privacy checks come from ``support.browser``; every test
here also fails on console errors (see ``support.browser.check``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from support.browser import (
    AREA,
    INJECTED,
    MAP,
    check,
    log_in,
    map_frame,
    settle,
    show,
    watch_console,
)

from sozialraum import settings
from sozialraum.model import offers as model
from sozialraum.model.roles import Role
from sozialraum.services import offers
from sozialraum.services.notes import Actor

pytestmark = pytest.mark.browser


FINDER = f"/gebiete/{AREA}/angebote/finden"
COACHING = "demo-jobcoaching-inklusiv"
OVER_50 = "demo-bewerbung-50plus"
HOSTILE_NAME = '<img src=x onerror="window.__xss=1"> ${alert(1)}'
HOSTILE_PROVIDER = "</script><script>window.__xss=2</script> `+alert(2)+`"

#: the offer markers on the map: id, opacity, position
OFFER_MARKERS = f"""() => {{ const map = {MAP}; const out = [];
    map.eachLayer(l => {{ if (l instanceof L.Marker && l.feature && l.feature.properties
        && l.feature.properties.provider !== undefined) {{ const p = l.getLatLng();
        out.push({{ id: l.feature.id, opacity: l.options.opacity, lon: p.lng, lat: p.lat }});
    }} }});
    return out; }}"""
XSS = "() => window.__xss === undefined"
TOOLTIP_HAS = """(text) => [...document.querySelectorAll('.leaflet-tooltip')]
    .some(t => t.innerText.includes(text))"""
POPUP_HAS = """(text) => { const p = document.querySelector('.leaflet-popup-content');
    return !!p && p.innerText.includes(text); }"""


def _placed_offers(demo_store) -> dict[str, dict]:
    return {
        f["id"]: f
        for f in demo_store.query(AREA, "offers")
        if f.get("geometry") and not f["properties"].get("region_wide")
    }


def _hover_offer(frame, name: str, lon: float, lat: float) -> str:
    """Hover an offer's marker like a user; return the tooltip's text."""
    show(frame, lon, lat, 18)
    frame.get_by_role("img", name=name, exact=True).hover()  # not a tab stop (issue 21 §5)
    frame.wait_for_function(TOOLTIP_HAS, arg=name.split(" ")[0])
    return frame.locator(".leaflet-tooltip").last.inner_text()


def _submit_finder(
    page, *, groups=(), employed=None, disability=None, address="", age=None
) -> None:
    for label in groups:
        page.get_by_role("group", name="Zielgruppen").get_by_label(label, exact=True).check()
    if employed:
        page.get_by_role("group", name="In Arbeit?").get_by_label(employed, exact=True).check()
    if disability:
        question = "Schwerbehinderung anerkannt (GdB ab 50) oder gleichgestellt?"
        page.get_by_role("group", name=question).get_by_label(disability, exact=True).check()
    if address:
        page.fill("#adresse", address)
    if age is not None:
        page.get_by_label("Alter in Jahren").fill(age)
    with page.expect_navigation():
        page.get_by_role("button", name="Angebote finden").click()


# -- 1. the offers layer ----------------------------------------------------------------------
def test_offers_layer_on_the_area_map(s, live_server, demo_store):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/")
    frame = map_frame(page)
    assert frame.locator(".sr-notice").count() == 0  # every layer loaded, offers too
    placed = _placed_offers(demo_store)
    assert len(placed) == len(demo_store.query(AREA, "offers")) - 1 == 8  # the phone line is not
    assert frame.evaluate("() => window.sozialraumRegistry.offers") == len(placed)
    markers = {m["id"]: m for m in frame.evaluate(OFFER_MARKERS)}
    assert set(markers) == set(placed)
    today = settings.today()
    for offer_id, feature in placed.items():
        flagged = bool(model.offer_flags(feature["properties"], today)["labels"])
        assert markers[offer_id]["opacity"] == (0.45 if flagged else 1), offer_id
        lon, lat = feature["geometry"]["coordinates"]
        assert abs(markers[offer_id]["lon"] - lon) < 1e-6
        assert abs(markers[offer_id]["lat"] - lat) < 1e-6
    assert markers[OVER_50]["opacity"] == 0.45 and markers[COACHING]["opacity"] == 1
    # own shape (not a round resource marker) and a legend entry
    assert frame.locator(".sr-offer-icon").count() == len(placed)
    assert frame.locator(".sr-offer-icon.sr-offer-flagged").count() == 2  # unchecked, ended
    legend = frame.locator(".sr-legend-row").filter(has_text=re.compile(r"^\s*Angebote\s*$"))
    assert legend.count() == 1
    frame.locator(".leaflet-control-layers").hover()
    overlays = frame.locator(".leaflet-control-layers-overlays")
    overlays.wait_for()
    assert overlays.locator("label").filter(has_text=re.compile(r"^\s*Angebote\s*$")).count() == 1
    page.mouse.move(0, 0)

    # tooltip: the name; a flagged offer says why
    lon, lat = placed[COACHING]["geometry"]["coordinates"]
    assert _hover_offer(frame, "Jobcoaching inklusiv", lon, lat) == "Jobcoaching inklusiv"
    lon, lat = placed[OVER_50]["geometry"]["coordinates"]
    tooltip = _hover_offer(frame, "Bewerbungswerkstatt 50plus", lon, lat)
    assert tooltip.startswith("Bewerbungswerkstatt 50plus\n")
    assert "seit über 12 Monaten nicht geprüft" in tooltip
    settle(frame)
    s.screenshot("angebote-karte")

    # click: a card with the provider and a link to the offer page
    frame.get_by_role("img", name="Bewerbungswerkstatt 50plus", exact=True).click()
    frame.wait_for_function(POPUP_HAS, arg="Bildungswerk Musterstadt")
    link = frame.locator(".leaflet-popup-content a")
    assert link.inner_text() == "Angebot öffnen"
    assert link.get_attribute("href") == f"/gebiete/{AREA}/angebote/{OVER_50}"
    assert link.get_attribute("target") == "_top"
    check(s, console)


# -- 2. hostile offer names --------------------------------------------------------------------
def test_hostile_offer_names_are_shown_as_text(s, live_server, demo_store):
    coaching = demo_store.get(AREA, "offers", COACHING)
    lon, lat = coaching["geometry"]["coordinates"]
    today = settings.today()
    hostile = offers.create_offer(
        demo_store,
        AREA,
        {
            "name": HOSTILE_NAME,
            "provider": HOSTILE_PROVIDER,
            "funders": ["kommune"],
            "target_groups": ["schwerbehinderte"],
            "topics": ["arbeit"],
            "description": '<svg onload="window.__xss=3"></svg> ${alert(3)}',
            "phone": "01234 5678-99",
            "address": "<b>Prüfweg 1</b>",
            "lon": lon + 0.0015,
            "lat": lat + 0.0008,
            "checked_on": today.isoformat(),
            "checked_by": "teamleitung",
        },
        actor=Actor("demo-leitung", Role.LEAD, "Team Nord"),
        today=today,
    )
    hostile = offers.mark_checked(  # four-eyes: somebody else checks what the lead wrote
        demo_store, AREA, hostile["id"], expected_version=1,
        actor=Actor("demo-admin", Role.ADMIN, None), today=today,
    )  # fmt: skip
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)

    # the map: the name as text in the tooltip and the card; nothing runs
    page.goto(f"{live_server}/gebiete/{AREA}/")
    frame = map_frame(page)
    assert frame.evaluate("() => window.sozialraumRegistry.offers") == 9
    h_lon, h_lat = hostile["geometry"]["coordinates"]
    assert _hover_offer(frame, HOSTILE_NAME, h_lon, h_lat) == HOSTILE_NAME
    frame.get_by_role("img", name=HOSTILE_NAME, exact=True).click()
    frame.wait_for_function(POPUP_HAS, arg="Angebot öffnen")
    card = frame.locator(".leaflet-popup-content").inner_text()
    for text in (HOSTILE_NAME, HOSTILE_PROVIDER, "<b>Prüfweg 1</b>", "Telefon: 01234 5678-99"):
        assert text in card, (text, card)
    assert frame.evaluate(XSS) and page.evaluate(XSS)
    assert frame.evaluate(INJECTED) == [] and page.evaluate(INJECTED) == []
    settle(frame)
    s.screenshot("angebot-feindlicher-name")

    # the finder and its handout
    page.goto(f"{live_server}{FINDER}")
    _submit_finder(page, groups=["schwerbehinderte Menschen"], employed="nein", disability="ja")
    entry = page.locator(f'li.handout-offer[data-offer="{hostile["id"]}"]')
    assert entry.locator("h2").inner_text() == HOSTILE_NAME
    assert entry.locator(".offer-provider").inner_text() == HOSTILE_PROVIDER
    result = page.locator(f'li.offer-result[data-offer="{hostile["id"]}"]')
    assert result.locator("h3").inner_text() == HOSTILE_NAME
    assert page.evaluate(XSS) and page.evaluate(INJECTED) == []
    check(s, console)


# -- 3. finder and handout ---------------------------------------------------------------------
def test_finder_handout_leaves_out_unticked_offers_in_print(s, live_server, demo_store):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{FINDER}")
    assert page.locator("article.offer-handout").count() == 0
    _submit_finder(
        page,
        groups=[
            "schwerbehinderte Menschen",
            "Jugendliche und junge Erwachsene",
            "Alleinerziehende",
        ],
        employed="nein",
        disability="ja",
        address="Lindenstraße 12",
    )
    # the situation and the address went by POST only
    assert urlsplit(page.url).path == FINDER and urlsplit(page.url).query == ""
    assert all("Linden" not in url and "schwerbehindert" not in url for url in s.requests)
    # ticked again on the result page
    group = page.get_by_role("group", name="Zielgruppen")
    assert group.get_by_label("schwerbehinderte Menschen", exact=True).is_checked()
    assert not group.get_by_label("Ältere", exact=True).is_checked()
    assert page.locator("#adresse").input_value() == "Lindenstraße 12"

    results = page.locator("ol.offer-results > li")
    # the page went to the results (their heading has the focus and is in view) and the live
    # region says how many there are (issue 21 §5)
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'passend'"
    )
    heading = page.locator("#passend").bounding_box()
    assert -1 <= heading["y"] < page.viewport_size["height"]  # scrolled to its top
    page.wait_for_function("() => document.getElementById('finder-anzahl').textContent !== ''")
    announced = page.locator("#finder-anzahl").text_content()
    assert announced.startswith(f"{results.count()} passende") and " gefunden, " in announced
    assert results.count() >= 4
    minutes = [float(v) for v in page.locator("li.offer-result[data-walk-min]").evaluate_all(
        "items => items.map(i => i.dataset.walkMin)")]  # fmt: skip
    assert minutes == sorted(minutes) and len(minutes) >= 3
    misses = page.locator("details.offer-misses")
    assert not misses.evaluate("d => d.open")
    misses.locator("summary").click()
    assert "Voraussetzung fehlt: bestehendes Arbeitsverhältnis erforderlich" in misses.inner_text()

    handout = page.locator("article.offer-handout")
    entries = handout.locator("li.handout-offer")
    count = entries.count()
    assert count >= 3
    assert handout.locator("#handout-title").inner_text() == "Hilfe-Angebote für Sie"
    boxes = handout.locator("input[data-handout-toggle]")
    assert boxes.count() == count and all(boxes.nth(i).is_visible() for i in range(count))
    s.screenshot("finder-ergebnis", full_page=True)

    # leave the second offer out: faded on screen, gone on paper
    left_out = entries.nth(1)
    left_out_id = left_out.get_attribute("data-offer")
    left_out.get_by_label("In den Handzettel aufnehmen").uncheck()
    assert "omit" in left_out.get_attribute("class").split()
    assert left_out.is_visible()

    page.emulate_media(media="print")
    assert left_out.is_hidden()
    for i in range(count):
        if i != 1:
            assert entries.nth(i).is_visible(), i
    assert handout.is_visible() and handout.locator("#handout-title").is_visible()
    for hidden in (
        "header.topbar",
        "form.finder-form",
        "ol.offer-results",
        "details.offer-misses",
        "nav.crumbs",
        "footer.footer",
        "[data-print]",
        "input[data-handout-toggle] >> nth=0",
    ):
        assert page.locator(hidden).is_hidden(), hidden
    printed = handout.inner_text()
    assert "Zu Fuß: etwa" in printed and "Lindenstraße" not in printed
    assert "Angaben ohne Gewähr, bitte vorher anrufen." in printed
    s.screenshot("finder-handzettel-druck", full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")

    # ticked again: printed again
    page.emulate_media(media="screen")
    left_out.get_by_label("In den Handzettel aufnehmen").check()
    page.emulate_media(media="print")
    assert left_out.is_visible()
    assert page.locator(f'li.handout-offer[data-offer="{left_out_id}"]').count() == 1
    page.emulate_media(media="screen")
    check(s, console)


def test_without_javascript_every_offer_prints(open_session, live_server):
    s = open_session(java_script_enabled=False)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{FINDER}")
    _submit_finder(page, groups=["schwerbehinderte Menschen", "Alleinerziehende"])
    entries = page.locator("li.handout-offer")
    assert entries.count() >= 2
    assert page.locator("label.handout-pick").first.is_hidden()  # no checkbox that does nothing
    page.emulate_media(media="print")
    assert all(entries.nth(i).is_visible() for i in range(entries.count()))
    s.check()


# -- 4. age limits -----------------------------------------------------------------------------
YOUTH_AGENCY = "demo-jugendberufsagentur"  # U25


def test_finder_matches_age_limits_and_keeps_the_age_off_the_handout(s, live_server):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{FINDER}")
    young = page.locator(f'li.offer-result[data-offer="{YOUTH_AGENCY}"]')

    # the age unknown: the U25 offer is listed with "Bitte klären", not simply fitting
    _submit_finder(page, groups=["Jugendliche und junge Erwachsene"])
    assert young.locator("ul.to-check").inner_text() == "Alter: nur für Menschen unter 25 Jahren"

    # a typo in the age: a German message, the form kept
    _submit_finder(page, age="1 9")
    assert page.get_by_role("alert").inner_text() == (
        "Alter: bitte eine ganze Zahl von 0 bis 120 (Jahre) angeben."
    )
    assert page.get_by_label("Alter in Jahren").input_value() == "1 9"
    assert page.locator("ol.offer-results").count() == 0
    (refused,) = console  # the browser logs the page's 400 as a failed load
    assert "status of 400" in refused and refused.endswith(f"{FINDER})")
    console.clear()

    # 19 years, nothing ticked: the U25 offer fits by the age, 50plus does not
    groups = page.get_by_role("group", name="Zielgruppen")
    groups.get_by_label("Jugendliche und junge Erwachsene", exact=True).uncheck()
    _submit_finder(page, age="19")
    assert "Jugendliche und junge Erwachsene (nach dem Alter)" in young.inner_text()
    assert urlsplit(page.url).query == "" and all("age" not in url for url in s.requests)
    assert page.get_by_label("Alter in Jahren").input_value() == "19"
    assert young.locator("ul.to-check").count() == 0
    assert "Alter passt: für Menschen unter 25 Jahren" in young.locator("ul.reasons").inner_text()
    assert page.locator(f'li.offer-result[data-offer="{OVER_50}"]').count() == 0
    misses = page.locator("details.offer-misses")
    misses.locator("summary").click()
    assert "Alter passt nicht: nur für Menschen ab 50 Jahren" in misses.inner_text()
    s.screenshot("finder-alter")

    page.emulate_media(media="print")
    handout = page.locator("article.offer-handout")
    printed = handout.inner_text()
    entry = handout.locator(f'li.handout-offer[data-offer="{YOUTH_AGENCY}"]')
    assert "Das Angebot ist für Menschen unter 25 Jahren." in entry.inner_text()
    assert not re.search(r"\b19\b", re.sub(r"Stand: [0-9.]+", "", printed))
    assert "Alter passt" not in printed and "Bitte klären" not in printed
    assert page.locator("#age_years").is_hidden()
    page.emulate_media(media="screen")
    check(s, console)
