"""The walking features in real headless Chromium: zones on the map, the address guide
(with print view, PDF and phone layout) and the district profile with its choropleth map.

Server, browser, sessions and the privacy checks come from ``conftest.py`` and
``support.browser``; in addition every test here fails on console errors (the browser's own
favicon request aside).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from support.browser import (
    AREA,
    DISTRICTS,
    MAP,
    check,
    log_in,
    map_frame,
    pdf_pages,
    settle,
    show,
    watch_console,
)
from support.paths import EXTRACTS

from sozialraum.analysis import profile as _profile
from sozialraum.analysis.walking import CUT_OFF_HINTS, CUT_OFF_TEXTS, OFF_WAYS, OUTSIDE_NETWORK
from sozialraum.maps.profile_map import GREENS, classify, metric_choices, metric_value
from sozialraum.model.categories import load_categories
from sozialraum.osm.importer import import_area
from sozialraum.services import areas as services
from sozialraum.web.formats import german_distance
from sozialraum.web.walking.pages import ZONE_COLOURS  # the guide's colours: the map's, too

pytestmark = pytest.mark.browser


TABLE = load_categories()
GUIDE = f"/gebiete/{AREA}/wegweiser"
PROFILE = f"/gebiete/{AREA}/profil"
NO_WAYS = "Hier gibt es keine Fußwege in der Nähe. Bitte näher an einer Straße klicken."

# -- JavaScript snippets (run inside a map document) -----------------------------------------
#: keeps ``sozialraumRegistry.zones`` once walk.js announces new zones (or a failure)
ARM_ZONES = """() => { window.srZones = null; document.addEventListener('sozialraum:zones',
    () => { window.srZones = window.sozialraumRegistry.zones; }, { once: true }); }"""
#: the drawn walking zones: minutes, colour, area (Web Mercator units, holes left out), bounds
ZONES = f"""() => {{ const map = {MAP}; const out = [];
    const ring = r => {{ const p = r.map(ll => L.Projection.SphericalMercator.project(ll));
        let a = 0;
        for (let i = 0, j = p.length - 1; i < p.length; j = i++)
            a += p[j].x * p[i].y - p[i].x * p[j].y;
        return Math.abs(a) / 2; }};
    const polygon = rings => rings.slice(1).reduce((sum, r) => sum - ring(r), ring(rings[0]));
    const area = lls => L.LineUtil.isFlat(lls[0]) ? polygon(lls)
        : lls.reduce((sum, p) => sum + polygon(p), 0);
    map.eachLayer(l => {{ if (l instanceof L.Polygon && l.feature && l.feature.properties
        && l.feature.properties.walk_min !== undefined) {{
        const b = l.getBounds();
        out.push({{ minutes: l.feature.properties.walk_min, colour: l.options.color,
            area: area(l.getLatLngs()),
            bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] }}); }} }});
    return out.sort((a, b) => a.minutes - b.minutes); }}"""
#: the fill colour of every district polygon of the profile map
FILLS = f"""() => {{ const map = {MAP}; const out = {{}};
    map.eachLayer(l => {{ if (l instanceof L.Polygon && l.feature) out[l.feature.id] =
        l.options.fillColor; }});
    return out; }}"""
PROFILE_READY = """() => !!document.querySelector('.profile-map')
    && window.sozialraumReady === true"""
#: per walking time in the handout: its text, on how many lines, the distance on how many lines
MINUTES_LINES = """() => [...document.querySelectorAll('td.minutes')].map(td => {
    const range = document.createRange(); range.selectNodeContents(td.firstChild);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    const meta = document.createRange(); meta.selectNodeContents(td.querySelector('.meta'));
    const metaTops = new Set([...meta.getClientRects()].map(r => Math.round(r.top)));
    return [td.firstChild.textContent.trim(), tops.size, metaTops.size]; })"""
#: a phone widens its layout viewport to content that is too wide: compare with the screen too
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


# -- helpers ---------------------------------------------------------------------------------
def address(demo_store, street: str, housenumber: str) -> dict:
    for feature in demo_store.query(AREA, "addresses"):
        props = feature["properties"]
        if props["street"] == street and props["housenumber"] == housenumber:
            return feature
    raise AssertionError(f"demo address {street} {housenumber} missing")


def click_map_at(frame, lon: float, lat: float) -> int:
    """Click the map at a position like a user (mouse on the map); return the zones count."""
    frame.evaluate(ARM_ZONES)
    point = frame.evaluate(
        f"([lon, lat]) => {{ const p = ({MAP}).latLngToContainerPoint([lat, lon]);"
        " return { x: p.x, y: p.y }; }",
        [lon, lat],
    )
    frame.locator(".leaflet-container").click(position=point)
    done = frame.wait_for_function("() => window.srZones !== null && [window.srZones]")
    return done.json_value()[0]


def expected_fills(demo_store, metric: str) -> dict[str, str]:
    rows = services.area_profile(demo_store, AREA, TABLE)
    districts = [r for r in rows if r["id"] != _profile.TOTAL_ID]
    values = {r["id"]: metric_value(r, metric) for r in districts}
    fills, _ = classify(values, percent=not metric.startswith("per_1000:"), palette=GREENS)
    return fills


# -- 1. walking zones on the area map ---------------------------------------------------------
def test_walking_zones_on_the_area_map(s, live_server, demo_store):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}/gebiete/{AREA}/")
    frame = map_frame(page)
    toggle = frame.get_by_role("button", name="Fußweg-Zonen")
    status = frame.locator(".sr-zones-status")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert status.inner_text() == "Klicken Sie auf die Karte: Start des Fußwegs."

    # on Lindenstraße, between number 11 and number 12 across the street (inside a district:
    # the click must not be taken by the district's popup)
    (lon_a, lat_a), (lon_b, lat_b) = (
        address(demo_store, "Lindenstraße", n)["geometry"]["coordinates"] for n in ("11", "12")
    )
    lon, lat = (lon_a + lon_b) / 2, (lat_a + lat_b) / 2
    show(frame, lon, lat, 18)  # no address clusters at this zoom

    # dragging the map is no click: it picks no point
    box = frame.evaluate(
        f"() => {{ const r = ({MAP}).getContainer().getBoundingClientRect();"
        " return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; }"
    )
    frame_box = page.locator("#karte").bounding_box()
    x, y = frame_box["x"] + box["x"], frame_box["y"] + box["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=8)
    page.mouse.up()
    settle(frame)
    assert frame.evaluate(f"() => ({MAP}).getCenter().lng") < lon - 1e-4  # the map moved
    show(frame, lon, lat, 18)

    with page.expect_request(lambda r: r.url.endswith("/isochrones")) as info:
        assert click_map_at(frame, lon, lat) == 3
    request = info.value
    assert [u for u in s.requests if u.endswith("/isochrones")] == [request.url]  # not the drag
    assert request.method == "POST"
    assert urlsplit(request.url).query == ""  # the point is in the body, never in a URL
    body = request.post_data_json
    assert body["profil"] == "normal"
    assert abs(body["lon"] - lon) < 1e-5 and abs(body["lat"] - lat) < 1e-5
    assert frame.evaluate("() => window.sozialraumRegistry.zones") == 3
    normal = frame.evaluate(ZONES)
    assert [(z["minutes"], z["colour"]) for z in normal] == list(ZONE_COLOURS.items())
    assert 0 < normal[0]["area"] < normal[1]["area"] < normal[2]["area"]
    assert status.inner_text() == "Zu Fuß erreichbar in 5 / 10 / 15 Minuten (4,5 km/h)."
    assert frame.locator(".leaflet-popup").count() == 0  # no district popup over the zones
    frame.evaluate(f"() => {{ ({MAP}).setZoom(15, {{ animate: false }}); }}")
    page.mouse.move(0, 0)  # no hover tooltip in the picture
    settle(frame)
    s.screenshot("fussweg-zonen")

    # slower walkers reach less in the same minutes: 15 minutes at 3 km/h are 750 m,
    # as far as 10 minutes at 4.5 km/h
    frame.get_by_label("Gehtempo").select_option(label="langsam (3 km/h)")
    with page.expect_request(lambda r: r.url.endswith("/isochrones")) as info:
        assert click_map_at(frame, lon, lat) == 3
    assert info.value.post_data_json["profil"] == "langsam"
    slow = frame.evaluate(ZONES)
    assert [(z["minutes"], z["colour"]) for z in slow] == list(ZONE_COLOURS.items())
    for fast_zone, slow_zone in zip(normal, slow, strict=True):
        assert 0 < slow_zone["area"] < 0.75 * fast_zone["area"], slow_zone["minutes"]
    assert slow[2]["area"] == pytest.approx(normal[1]["area"], rel=0.05)
    west, south, east, north = normal[2]["bounds"]
    slow_west, slow_south, slow_east, slow_north = slow[2]["bounds"]
    assert west <= slow_west and south <= slow_south and slow_east <= east and slow_north <= north
    assert (slow_east - slow_west) * (slow_north - slow_south) < (east - west) * (north - south)
    assert status.inner_text() == "Zu Fuß erreichbar in 5 / 10 / 15 Minuten (langsam, 3 km/h)."

    # far away from every way: a German message and no zones
    show(frame, lon + 0.1, lat, 15)
    with page.expect_response(lambda r: r.url.endswith("/isochrones")) as info:
        assert click_map_at(frame, lon + 0.1, lat) == -1
    assert info.value.status == 400
    assert status.inner_text() == NO_WAYS
    assert frame.evaluate(ZONES) == []

    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert status.inner_text() == ""
    # nothing of the clicked points in any URL
    for url in s.requests:
        query = parse_qs(urlsplit(url).query)
        assert "lon" not in query and "lat" not in query, url
        assert f"{lon:.4f}" not in url and f"{lat:.4f}" not in url, url
    check(s, console, expected_failures=(f"/api/areas/{AREA}/isochrones",))


# -- 2. address guide --------------------------------------------------------------------------
def submit_guide(page, text: str) -> None:
    page.fill("#adresse", text)
    with page.expect_navigation():
        page.get_by_role("button", name="Wege anzeigen").click()


def test_address_guide_handout_print_and_pdf(s, live_server, demo_store):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{GUIDE}")
    assert page.locator("article.handout").count() == 0
    submit_guide(page, "Lindenstraße 12")
    assert urlsplit(page.url).path == GUIDE and urlsplit(page.url).query == ""
    assert all("Linden" not in url for url in s.requests)  # the address went by POST only
    handout = page.locator("article.handout")
    assert handout.is_visible()
    assert page.locator("#handout-title").inner_text() == "Wege zu Fuß ab Lindenstraße 12"

    expected = services.nearest_resources(
        demo_store,
        AREA,
        address(demo_store, "Lindenstraße", "12")["id"],
        TABLE,
        categories=services.GUIDE_CATEGORIES,
    )
    rows = handout.locator("table.guide-table tbody tr")
    labels = rows.locator("th[scope=row]").all_inner_texts()
    assert labels == [item["label"] for item in expected["items"]]
    assert {"Apotheke", "Post/Paketshop", "Briefkasten der Post"} <= set(labels)
    found = 0
    for i, item in enumerate(expected["items"]):
        if item["resource"] is None:
            continue
        found += 1
        minutes = rows.nth(i).locator("td.minutes").inner_text()
        assert re.fullmatch(r"(\d+|unter 1) Min\.\n(\d{1,3} m|\d+,\d km)", minutes), minutes
        assert minutes.endswith(german_distance(item["distance_m"]))
        assert rows.nth(i).locator("td").first.inner_text() == str(found)
    assert found >= 5

    # the inline map: visible, with the home marker inside the picture
    svg = handout.locator("figure.guide-map svg")
    assert svg.is_visible()
    picture = svg.bounding_box()
    assert picture["width"] > 300 and picture["height"] > 200
    home = svg.locator("g.marker-home")
    assert home.count() == 1 and home.is_visible()
    assert home.locator("title").text_content() == "Ihre Adresse"
    marker = home.bounding_box()
    assert (
        picture["x"] <= marker["x"]
        and marker["x"] + marker["width"] <= picture["x"] + picture["width"]
    )
    assert (
        picture["y"] <= marker["y"]
        and marker["y"] + marker["height"] <= picture["y"] + picture["height"]
    )
    assert svg.locator("g.marker:not(.marker-home)").count() == found
    assert svg.locator("path.area").count() == 3
    s.screenshot("handzettel", full_page=True)

    # print: only the handout
    page.emulate_media(media="print")
    for hidden in ("header.topbar", "form.guide", "footer.footer", "nav.crumbs", "[data-print]"):
        assert page.locator(hidden).is_hidden(), hidden
    assert handout.is_visible() and svg.is_visible()
    assert rows.first.is_visible()
    printed = svg.bounding_box()  # as wide as the handout, not squeezed into a letterbox
    _, _, view_width, view_height = map(float, svg.get_attribute("viewBox").split())
    assert printed["width"] / printed["height"] == pytest.approx(view_width / view_height, rel=0.02)
    # the printed map fills the handout's width (drawn wide: 2:1 or 3:1 beside offers)
    assert printed["width"] >= 0.97 * handout.bounding_box()["width"]
    assert view_width / view_height >= 2
    assert svg.locator("textPath").count() >= 1  # street names along the streets
    s.screenshot("druckansicht", full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) == 1
    assert re.search(rb"/Type\s*/Pages\b[^>]*/Count\s+1\b", pdf)
    page.emulate_media(media="screen")
    assert page.locator("form.guide").is_visible()
    check(s, console)


def test_address_guide_asks_which_address(s, live_server):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{GUIDE}")
    submit_guide(page, "Lindenstraße")
    error = page.locator("p.error[role=alert]").inner_text()
    assert error == "Bitte wählen Sie die gemeinte Adresse."
    assert page.locator("article.handout").count() == 0
    choices = page.locator("ul.choices button")
    texts = choices.all_inner_texts()
    assert len(texts) > 1 and all(t.startswith("Lindenstraße ") for t in texts), texts
    with page.expect_navigation():
        page.get_by_role("button", name="Lindenstraße 5,").click()
    assert page.locator("#handout-title").inner_text() == "Wege zu Fuß ab Lindenstraße 5"
    assert page.locator("table.guide-table td.minutes").count() >= 5
    assert page.locator("ul.choices").count() == 0
    check(s, console)


def test_address_guide_on_a_phone(open_session, live_server):
    s = open_session(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{GUIDE}")
    submit_guide(page, "Lindenstraße 12")
    table = page.locator("table.guide-table")
    assert table.is_visible()
    scroll_width, inner_width = page.evaluate(WIDTHS)
    assert inner_width == 390 and scroll_width <= inner_width + 1  # no sideways scrolling
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    for text, lines, distance_lines in page.evaluate(MINUTES_LINES):
        if not text.startswith("unter"):
            assert lines == 1, text  # "10 Min." stays on one line
        assert distance_lines == 1, text  # and so does "1,4 km"
    svg = page.locator("figure.guide-map svg").bounding_box()
    assert svg["x"] >= 0 and svg["x"] + svg["width"] <= 390
    s.screenshot("telefon-handzettel", full_page=True)
    check(s, console)


# -- 3. district profile -----------------------------------------------------------------------
def profile_frame(page):
    """Wait until the profile map (part of the page) has loaded its layers; return the frame."""
    page.wait_for_function(PROFILE_READY)
    return page.main_frame


def legend_classes(frame) -> list[str]:
    """The colour classes of the legend (without the row for far addresses)."""
    rows = frame.locator(".sr-legend-row").all_inner_texts()
    return [row.strip() for row in rows if not row.startswith("Adresse >")]


def test_district_profile_map_metric_and_csv(s, live_server, demo_store):
    console = watch_console(s)
    page = s.page
    log_in(page, live_server)
    page.goto(f"{live_server}{PROFILE}")
    assert page.locator("h1").inner_text() == "Bezirksprofil Musterstadt-Nord (fiktiv)"
    table = page.locator("table.profile-table")
    assert table.is_visible()
    names = table.locator("tbody th[scope=row]").all_inner_texts()
    assert set(DISTRICTS.values()) < set(names) and len(names) == 4  # and the total
    assert table.locator("thead th").count() > 5

    choices = dict(metric_choices(TABLE))
    default = next(iter(choices))
    assert page.locator("#kennzahl").input_value() == default
    iframe = page.locator("#karte.profile-map")
    assert iframe.get_attribute("aria-label") == f"Karte: {choices[default]}"
    frame = profile_frame(page)
    assert "kennzahl" not in parse_qs(urlsplit(page.url).query)  # the default, in the page
    fills = frame.evaluate(FILLS)
    assert fills == expected_fills(demo_store, default)
    assert set(fills) == set(DISTRICTS) and set(fills.values()) <= set(GREENS)
    legend = frame.locator(".sr-legend")
    assert legend.is_visible()
    assert frame.locator(".sr-legend-toggle").inner_text() == choices[default]
    classes = legend_classes(frame)
    assert classes == [
        "0 % bis 20 %",
        "20 % bis 40 %",
        "40 % bis 60 %",
        "60 % bis 80 %",
        "80 % bis 100 %",
    ]
    assert frame.locator(".sr-notice").count() == 0  # every layer loaded
    settle(frame)
    s.screenshot("bezirksprofil")

    # a figure per 1,000 addresses whose colours differ from the first map
    metric = next(
        key
        for key in choices
        if key.startswith("per_1000:")
        and expected_fills(demo_store, key) != expected_fills(demo_store, default)
    )
    assert choices[metric].endswith(" je 1.000 Adressen")
    page.select_option("#kennzahl", label=choices[metric])
    with page.expect_navigation():
        page.get_by_role("button", name="Anzeigen").click()
    assert parse_qs(urlsplit(page.url).query)["kennzahl"] == [metric]
    assert iframe.get_attribute("aria-label") == f"Karte: {choices[metric]}"
    frame = profile_frame(page)
    new_fills = frame.evaluate(FILLS)
    assert new_fills == expected_fills(demo_store, metric) != fills
    assert set(new_fills.values()) <= set(GREENS)
    assert frame.locator(".sr-legend-toggle").inner_text() == choices[metric]
    assert re.fullmatch(r"\d+,\d bis \d+,\d", legend_classes(frame)[0])  # no percentages

    # the CSV for spreadsheets: UTF-8 with BOM, ";" separated
    with page.expect_download() as info:
        page.get_by_role("link", name="Tabelle als CSV herunterladen").click()
    download = info.value
    assert download.suggested_filename == f"bezirksprofil-{AREA}.csv"
    data = download.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbfBezirk;")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 5  # header, three districts, total
    assert {line.split(";")[0] for line in lines[1:]} >= set(DISTRICTS.values())
    check(s, console)


def test_address_guide_says_why_an_address_has_no_walking_times(
    open_session, start_server, demo_store
):
    """Real extracts: an address on a street cut off at the extract's edge (Neuss) is
    "außerhalb des importierten Wegenetzes" with the remedy for staff (not printed); one with
    no way within 250 m (Karlsruhe) keeps "abseits der erfassten Wege"."""
    import_area(demo_store, "neuss", osm_file=EXTRACTS["neuss-innenstadt"])
    import_area(demo_store, "karlsruhe", osm_file=EXTRACTS["karlsruhe-neureut-kirchfeld"])
    base = start_server()
    s = open_session()
    console = watch_console(s)
    page = s.page
    log_in(page, base)

    page.goto(f"{base}/gebiete/neuss/wegweiser")
    submit_guide(page, "Düsseldorfer Straße 174")
    handout = page.locator("article.handout")
    assert page.locator("#handout-title").inner_text() == "Wege zu Fuß ab Düsseldorfer Straße 174"
    notice = handout.locator("p.notice")
    assert notice.inner_text() == CUT_OFF_TEXTS[OUTSIDE_NETWORK]
    assert "abseits" not in handout.inner_text()
    hint = handout.locator("p.hint")
    assert hint.is_visible() and hint.inner_text() == CUT_OFF_HINTS[OUTSIDE_NETWORK]
    assert handout.locator("td.minutes").count() == 0  # no walking times at all
    assert handout.locator("svg path.area").count() == 0  # and no walking zones
    s.screenshot("wegweiser-ausserhalb", full_page=True)
    page.emulate_media(media="print")
    assert notice.is_visible() and hint.is_hidden()  # the citizen gets no import advice
    page.emulate_media(media="screen")

    page.goto(f"{base}/gebiete/karlsruhe/wegweiser")
    submit_guide(page, "Kanalweg 1")
    handout = page.locator("article.handout")
    assert handout.locator("p.notice").inner_text() == CUT_OFF_TEXTS[OFF_WAYS]
    assert "außerhalb des importierten Wegenetzes" not in handout.inner_text()
    assert handout.locator("p.hint").count() == 0

    page.goto(f"{base}/gebiete/neuss/wegweiser")
    submit_guide(page, "Rheydter Straße 102")
    assert page.locator("article.handout p.notice").count() == 0
    assert page.locator("article.handout td.minutes").count() >= 3
    check(s, console)
