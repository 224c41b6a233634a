"""The walk planner and the walk sheet on a real import (Neuss) in headless Chromium (issue 21).

A caseworker plans a walk on the district's map: the start from the start field (a stop name,
chosen with the keyboard), three places clicked on the map (two stops and an address), three
ticked in the list; the route and its length follow; one stop is moved up with the keyboard,
another dragged by its handle; the walk is saved in that order; the A4 sheet prints on one
page with an address for every stop; the planner stacks map over lists on a phone; the
results are entered on a phone (390x844) through the sheet's link.
The sheet's page count is measured in Chromium's PDF for 1, 8 and 12 stops.
"""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from support.browser import TWO_FRAMES, check, log_in, pdf_pages, watch_console
from support.paths import EXTRACTS

from sozialraum.cli import main
from sozialraum.errors import InvalidInput
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.services import walks
from sozialraum.services.notes import Actor, NoteRules
from sozialraum.web.formats import german_distance

pytestmark = pytest.mark.browser

AREA = "neuss"
TEAM = "Team Nord"  # the demo caseworker's team
CASEWORKER = Actor("demo-fachkraft", Role.CASEWORKER, TEAM)
RULES = NoteRules(load_note_categories(), load_privacy_guard())
PLANNER = f"/gebiete/{AREA}/rundgaenge/neu?district=gesamt"
ON_MAP = ("Kantstraße", "Hermannsplatz")  # stops clicked on the map
ADDRESS = "Rheydter Straße 102"  # an address clicked on the map
IN_LIST = ("Buschstraße", "Niedertor", "Theodor-Heuss-Platz")  # ticked in the list
MAP = "window.sozialraumPlannerMap"
READY = "() => window.sozialraumPlannerReady === true"
#: the container point of a place, after centring the map on it at zoom 17
POINT_OF = f"""([lon, lat]) => {{ const map = {MAP};
    map.setView([lat, lon], 17, {{ animate: false }});
    const p = map.latLngToContainerPoint([lat, lon]); return {{ x: p.x, y: p.y }}; }}"""
STOP_LABELS = """() => [...document.querySelectorAll('#walk-stops .stop-label')]
    .map(e => e.textContent)"""
FORBIDDEN_TITLES = ("Notiz", "Ort ohne Namen")


@pytest.fixture
def neuss_store(demo_store):
    """The demo data plus the Neuss extract imported with ``--team`` (the district gets the
    demo caseworker's team)."""
    result = CliRunner().invoke(
        main,
        ["import", "--data-dir", str(demo_store.data_dir), "--quiet", "--area", AREA,
         "--osm-file", str(EXTRACTS["neuss-innenstadt"]), "--team", TEAM],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return demo_store


def _feature(store, layer: str, **props) -> dict:
    for feature in store.query(AREA, layer):
        if all(feature["properties"].get(k) == v for k, v in props.items()):
            return feature
    raise AssertionError(f"no {layer} with {props}")


def _place(store, name: str) -> dict:
    """A place of the planner's map (merged stops have one marker)."""
    places = walks.planner_places(store, AREA, "gesamt", labels={})["resources"]
    found = next(p for p in places if p["label"] == name)
    return {"geometry": {"coordinates": [found["lon"], found["lat"]]}}


def _click_on_map(page, feature: dict) -> None:
    lon, lat = feature["geometry"]["coordinates"][:2]
    point = page.evaluate(POINT_OF, [lon, lat])
    page.evaluate(TWO_FRAMES)
    before = len(page.evaluate(STOP_LABELS))
    page.locator("#planner-map").click(position=point)
    page.wait_for_function(f"() => document.querySelectorAll('#walk-stops li').length > {before}")


def _wait_route(page) -> int:
    """Wait for the route of the current stops; its length in metres."""
    page.wait_for_function(
        "() => /Minuten zu Fuß/.test(document.getElementById('planner-route').textContent)"
    )
    return int(page.locator("#planner-route").get_attribute("data-route-m"))


def _pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_caseworker_plans_on_the_map_prints_and_records_on_a_phone(
    open_session, start_server, neuss_store
):
    store = neuss_store
    base = start_server()
    s = open_session()
    console = watch_console(s)
    page = s.page
    log_in(page, base)
    page.goto(base + PLANNER)
    page.wait_for_function(READY)
    assert page.locator("#planner-map.leaflet-container").is_visible()  # in the page, no iframe
    assert page.locator("iframe").count() == 0
    page.fill("#walk-title", "Rund um den Hauptbahnhof")
    # "Teilnehmende" is as legible and wide as the title, not the browser's small default
    sizes = page.evaluate(
        """() => ["walk-title", "walk-people"].map((id) => {
          const e = document.getElementById(id);
          return [e.getBoundingClientRect().width, getComputedStyle(e).fontSize];
        })"""
    )
    assert sizes[1][1] == sizes[0][1] and sizes[1][0] > 200, sizes
    # the planner's own buttons are tap targets (44 px) like the stops' arrows
    for button in ("#planner-propose", "#planner-point"):
        assert page.locator(button).bounding_box()["height"] >= 44, button

    # the start: a stop name, chosen from the suggestions with the keyboard
    start = page.locator("#walk-start")
    start.press_sequentially("Neuss Hauptb", delay=20)
    page.wait_for_selector("#start-vorschlaege li[role=option]")
    assert start.get_attribute("aria-expanded") == "true"
    start.press("ArrowDown")
    first = page.locator("#start-vorschlaege li").first
    assert first.get_attribute("aria-selected") == "true"
    assert start.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.inner_text().startswith("Neuss Hauptbahnhof")
    start.press("Enter")
    assert page.evaluate(STOP_LABELS) == ["Neuss Hauptbahnhof"]
    assert page.url.endswith(PLANNER)  # Enter chose, it did not send the form

    # two stops and an address clicked on the map, three places ticked in the list
    for name in ON_MAP:
        _click_on_map(page, _place(store, name))
    street, number = ADDRESS.rsplit(" ", 1)
    _click_on_map(page, _feature(store, "addresses", street=street, housenumber=number))
    page.locator(".planner-places summary", has_text="Haltestelle").click()
    for name in IN_LIST:
        row = page.locator(".planner-places label.check").filter(
            has_text=re.compile(rf"^\s*{re.escape(name)}\b")
        )
        row.first.locator("input").check()
    labels = page.evaluate(STOP_LABELS)
    assert labels == ["Neuss Hauptbahnhof", *ON_MAP, ADDRESS, *IN_LIST]
    length_m = _wait_route(page)
    assert length_m > 1000
    assert page.locator("#planner-map path.leaflet-interactive, #planner-map canvas").count() >= 1
    # "Am Kaiser" (six OSM objects, five of them within 50 m) is one entry in the list
    kaiser = page.locator(".planner-places label.check").filter(
        has_text=re.compile(r"^\s*Am Kaiser")
    )
    assert kaiser.count() == 2  # five platforms within 50 m, one more than 50 m away
    assert "5 Haltepunkte, eine Station" in kaiser.all_inner_texts()[0]
    s.screenshot("1-planer")

    # the last stop moves up with the keyboard; focus stays on its button; the route follows
    last = len(labels)
    up = page.get_by_role("button", name=f"{last}. {IN_LIST[-1]} nach oben")
    up.focus()
    page.keyboard.press("Enter")
    moved = [*labels[:-2], labels[-1], labels[-2]]
    assert page.evaluate(STOP_LABELS) == moved
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused == f"{last - 1}. {IN_LIST[-1]} nach oben"
    page.wait_for_function(
        "(old) => document.getElementById('planner-route').getAttribute('data-route-m') !== old",
        arg=str(length_m),
    )

    # and the second stop is dragged by its handle onto the fourth (SortableJS)
    handle = page.locator("#walk-stops li").nth(1).locator(".drag-handle")
    handle.drag_to(page.locator("#walk-stops li").nth(3))
    moved = [moved[0], moved[2], moved[3], moved[1], *moved[4:]]
    page.wait_for_function(f"(want) => ({STOP_LABELS})().join('|') === want", arg="|".join(moved))
    _wait_route(page)

    # saved in the order shown (no proposal over the caseworker's order)
    page.get_by_role("button", name="Rundgang planen").click()
    page.wait_for_url("**/rundgaenge/*")
    walk_id = page.url.rsplit("/", 1)[1].split("?")[0]
    stored = store.get(AREA, "walks", walk_id)["properties"]
    assert [s_["label"] for s_ in stored["stops"]] == moved
    assert stored["team"] == TEAM and stored["route_m"] > 1000

    # the sheet: one A4 page, every stop with its address, street names on the map
    page.goto(f"{base}/gebiete/{AREA}/rundgaenge/{walk_id}/laufzettel")
    cards = page.locator("li.sheet-stop")
    assert cards.count() == len(moved)
    for i in range(cards.count()):
        card = cards.nth(i)
        title = card.locator("h2").inner_text()
        assert not any(word in title for word in FORBIDDEN_TITLES), title
        address = card.locator(".sheet-address")
        shown = address.inner_text() if address.count() else title
        assert re.search(r"\d", shown), (title, shown)  # a street with its house number
    link = page.locator(".sheet-link").inner_text()
    assert link.endswith(f"/rundgaenge/{walk_id}/ergebnisse")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf_pages(pdf) == 1
    text = _pdf_text(pdf)[0]
    assert ADDRESS in text
    streets = page.locator(".sheet-map svg textPath").all_text_contents()
    assert len(streets) >= 5, streets
    s.screenshot("2-laufzettel", full_page=True)
    page.emulate_media(media="screen")
    check(s, console)

    # after the walk: the sheet's link on a phone, results per stop
    phone = open_session(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_console = watch_console(phone)
    log_in(phone.page, base)
    # on a phone the planner stacks the map over its lists, nothing wider than the screen
    phone.page.goto(base + PLANNER)
    phone.page.wait_for_function(READY)
    boxes = phone.page.evaluate(
        "() => ['#planner-map', '.planner-side'].map(s => "
        "document.querySelector(s).getBoundingClientRect().toJSON())"
    )
    assert boxes[0]["bottom"] <= boxes[1]["top"] and boxes[0]["width"] > 300, boxes
    widths = phone.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    phone.page.goto(link)
    assert phone.page.locator("fieldset legend").count() == len(moved)
    widths = phone.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    phone.page.fill("#text-1", "Aushang am Wartehäuschen möglich.")
    phone.page.get_by_role("button", name="Als Notizen speichern").click()
    phone.page.wait_for_url("**/notizen?**")
    findings = store.get(AREA, "walks", walk_id)["properties"]["findings"]
    assert len(findings) == 1
    assert store.get(AREA, "notes", findings[0])["properties"]["text"].startswith("Aushang")
    phone.screenshot("3-ergebnisse-telefon", full_page=True)
    check(phone, phone_console)


def _walk_of(store, count: int) -> str:
    """A stored walk with ``count`` stops (routable places of the import, addresses last)."""
    labels = {}
    places = walks.planner_places(store, AREA, "gesamt", labels=labels)["resources"]
    usable = []
    for place in places + [
        {"ref": a[0].split(":", 1)[1], "value": a[0]}
        for a in walks.planner_places(store, AREA, "gesamt", labels=labels)["addresses"][::40]
    ]:
        kind = place["value"].split(":", 1)[0]
        pick = {"kind": kind, "ref": place["ref"]}
        stop = walks.resolve_stops(store, AREA, [pick])
        try:
            walks.plan_order(store, AREA, stop + stop, propose=False)
        except InvalidInput:  # off the walk network (cut at the extract's edge)
            continue
        usable.append(pick)
        if len(usable) == count:
            break
    walk = walks.create_walk(
        store,
        AREA,
        {"title": f"Bogen mit {count} Stationen", "walk_on": "2026-11-30", "district": "gesamt"},
        usable,
        actor=CASEWORKER,
        rules=RULES,
        propose=True,
    )
    return walk["id"]


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (8, 1), (12, 2)])
def test_sheet_pages_in_chromium(open_session, start_server, neuss_store, count, pages):
    walk_id = _walk_of(neuss_store, count)
    base = start_server()
    s = open_session()
    log_in(s.page, base)
    s.page.goto(f"{base}/gebiete/{AREA}/rundgaenge/{walk_id}/laufzettel")
    titles = s.page.locator("li.sheet-stop h2").all_inner_texts()
    assert len(titles) == count
    s.page.emulate_media(media="print")
    pdf = s.page.pdf(format="A4")
    assert pdf_pages(pdf) == pages
    texts = _pdf_text(pdf)
    if pages > 1:  # the cards start together on a page: no page holds only the last ones
        assert len(texts) == 2
        assert "Ergebnisse eintragen" in texts[0]
        last_page = texts[-1].replace("\n", " ")
        first_title = titles[0].split(" ", 1)[1].strip()
        assert first_title[:12] in last_page, (first_title, last_page[:300])


def test_same_named_stops_are_told_apart_and_distances_read_in_km(
    open_session, start_server, neuss_store
):
    """Two stops "Kantstraße" (platforms more than 50 m apart) each name an address in the
    list of places and in the list of stops; the script writes distances as the pages do."""
    places = walks.planner_places(neuss_store, AREA, "gesamt", labels={})["resources"]
    twins = [p for p in places if p["label"] == "Kantstraße"]
    assert len(twins) == 2
    base = start_server()
    s = open_session()
    console = watch_console(s)
    page = s.page
    log_in(page, base)
    page.goto(base + PLANNER)
    page.wait_for_function(READY)
    # the script's distances are the filter's ("850 m", "3,0 km")
    values = [None, 0, 49.5, 850, 999.4, 999.6, 1000, 1049, 1050, 1150, 3000, 12345, 1234567]
    shown = page.evaluate("(values) => values.map(window.sozialraumDistance)", values)
    assert shown == [german_distance(m) for m in values]
    rows = []
    for twin in twins:
        box = page.locator(f'.planner-places input[value="{twin["value"]}"]')
        box.locator("xpath=ancestor::details").evaluate("(d) => { d.open = true; }")
        row = " ".join(box.locator("xpath=..").inner_text().split())
        assert row.startswith("Kantstraße – nächste Adresse: "), row
        rows.append(row)
        box.check()
    assert rows[0] != rows[1]
    _wait_route(page)
    hints = page.locator("#walk-stops .stop-hint").all_inner_texts()
    assert len(hints) == 2 and hints[0] != hints[1], hints
    assert all(h.strip().startswith("– nächste Adresse: ") for h in hints), hints
    route = page.locator("#planner-route").inner_text()
    metres = int(page.locator("#planner-route").get_attribute("data-route-m"))
    assert german_distance(metres) in route and f"{metres} m)" not in route
    check(s, console)
