"""Field notes in real headless Chromium: place a note on the map, find it in the list, edit it
from two browser contexts at once (the second gets the conflict with both versions), and a
note at the phone's current location.

Server, browser, sessions and privacy checks come from ``support.browser``.
"""

from __future__ import annotations

import pytest
from support.browser import AREA, MAP, check, log_in, map_frame, settle, watch_console
from support.web import DEMO_LOGINS

from sozialraum.services.notes import district_at

pytestmark = pytest.mark.browser


HOSTILE = "Zaun kaputt <img src=x onerror=alert(1)> ${alert(2)}"
NOTE_MARKERS = f"""() => {{ const map = {MAP}; const out = [];
    map.eachLayer(l => {{ if (l instanceof L.CircleMarker && l.feature
        && l.feature.properties.category_label) out.push(l.feature.id); }});
    return out; }}"""


#: The note page's "saved" message, exactly (the conflict page says "… nicht gespeichert.")
SAVED = 'p.success:text-is("Gespeichert.")'


def _point_in(demo_store, district: str) -> tuple[float, float]:
    lon, lat = demo_store.query(AREA, "addresses", district=district)[5]["geometry"]["coordinates"]
    return lon + 0.00004, lat + 0.00002


CENTRE = f"""() => {{ const map = {MAP}; const size = map.getSize();
    const x = Math.round(size.x / 2), y = Math.round(size.y / 2);
    const ll = map.containerPointToLatLng([x, y]);
    return {{ x: x, y: y, lon: ll.lng, lat: ll.lat }}; }}"""


def _click_map_centre(frame) -> tuple[float, float]:
    """Click the middle of the map (no control there) like a user; return its lon/lat."""
    centre = frame.evaluate(CENTRE)
    frame.locator(".leaflet-container").click(position={"x": centre["x"], "y": centre["y"]})
    return centre["lon"], centre["lat"]


def test_place_note_on_map_list_it_and_edit_conflict(open_session, live_server, demo_store):
    a = open_session()
    console = watch_console(a)
    log_in(a.page, live_server)
    a.page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r1/")
    frame = map_frame(a.page)
    before = frame.evaluate(NOTE_MARKERS)
    assert len(before) == len(
        [n for n in demo_store.query(AREA, "notes") if n["properties"]["district"] == "r1"]
    )
    lon, lat = _point_in(demo_store, "r1")
    frame.evaluate(
        f"([lon, lat]) => {{ ({MAP}).setView([lat, lon], 18, {{ animate: false }}); }}",
        [lon, lat],
    )
    settle(frame)
    frame.get_by_role("button", name="Notiz setzen").click()
    lon, lat = _click_map_centre(frame)
    a.page.wait_for_url("**/notizen/neu?**")
    assert "Punkt:" in a.page.locator("[data-sr-point]").inner_text()
    assert a.page.locator("[data-sr-mailbox]").is_hidden()  # only for mailbox notes
    a.page.select_option("#note-category", "briefkasten")
    assert a.page.locator("[data-sr-mailbox]").is_visible()
    a.page.select_option("#note-category", "problem")
    a.page.fill("#note-text", HOSTILE)
    a.screenshot("1-new-note-form", full_page=True)
    a.page.get_by_role("button", name="Notiz speichern").click()
    a.page.wait_for_selector(SAVED)
    note_url = a.page.url.split("?")[0]
    note_id = note_url.rsplit("/", 1)[1]
    assert a.page.locator(".note-text").inner_text() == HOSTILE
    stored = demo_store.get(AREA, "notes", note_id)
    assert stored["properties"]["district"] == district_at(demo_store, AREA, lon, lat)["id"]
    assert stored["properties"]["category"] == "problem"
    got_lon, got_lat = stored["geometry"]["coordinates"]
    assert abs(got_lon - lon) < 3e-5 and abs(got_lat - lat) < 3e-5  # a few pixels at zoom 18

    # the list finds it; the text is text, not HTML
    a.page.goto(f"{live_server}/gebiete/{AREA}/notizen")
    a.page.select_option("select[name=category]", "problem")
    a.page.get_by_role("button", name="Filtern").click()
    a.page.wait_for_url("**category=problem**")
    row = a.page.locator("table.notes-table tbody tr", has_text="Zaun kaputt")
    assert row.count() == 1 and "<img" in row.inner_text()
    a.screenshot("2-notes-list")

    # and the map shows it
    a.page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r1/")
    frame = map_frame(a.page)
    assert note_id in frame.evaluate(NOTE_MARKERS)

    # two contexts edit at once: the lead saves first, the caseworker gets the conflict
    b = open_session()
    log_in(b.page, live_server, DEMO_LOGINS["lead"])
    for session in (a, b):
        session.page.goto(note_url)
        session.page.locator(".note-edit summary").click()
    b.page.fill("#note-text", "Zaun wurde repariert.")
    b.page.get_by_role("button", name="Änderungen speichern").click()
    b.page.wait_for_selector(SAVED)
    a.page.fill("#note-text", "Zaun kaputt, Tor schließt nicht.")
    a.page.get_by_role("button", name="Änderungen speichern").click()
    a.page.wait_for_selector("#conflict-title")
    assert a.page.locator("td[data-sr-current]", has_text="Zaun wurde repariert.").count() == 1
    assert a.page.locator("td[data-sr-mine]", has_text="Tor schließt nicht").count() == 1
    assert a.page.locator("#note-text").input_value() == "Zaun kaputt, Tor schließt nicht."
    assert demo_store.get(AREA, "notes", note_id)["properties"]["text"] == "Zaun wurde repariert."
    a.screenshot("3-conflict", full_page=True)
    # a deliberate "save mine" after seeing both versions
    a.page.get_by_role("button", name="Meine Fassung speichern").click()
    a.page.wait_for_selector(SAVED)
    history = a.page.locator("ol.history > li")
    assert history.count() == 3
    assert "Zaun wurde repariert." in history.nth(1).inner_text()
    conflict_page = [e for e in console if "status of 409 (CONFLICT)" in e]
    assert len(conflict_page) == 1  # the browser logs the conflict page's status
    check(a, [e for e in console if e not in conflict_page])
    b.check()


def test_note_at_the_current_location_on_a_phone(open_session, live_server, demo_store):
    lon, lat = _point_in(demo_store, "r2")
    phone = open_session(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 12},
        permissions=["geolocation"],
    )
    console = watch_console(phone)
    log_in(phone.page, live_server)
    phone.page.goto(f"{live_server}/gebiete/{AREA}/notizen/neu")
    assert "Noch kein Ort gewählt." in phone.page.locator("[data-sr-point]").inner_text()
    phone.page.get_by_role("button", name="Aktuellen Standort verwenden").click()
    phone.page.wait_for_function(
        "() => document.querySelector('[data-sr-point]').textContent.includes('Standort')"
    )
    # a mailbox observation there would be proposed the house the phone stands at
    phone.page.select_option("#note-category", "briefkasten")
    phone.page.wait_for_selector("[data-sr-address-list] input[name=address_choice]")
    house = demo_store.query(AREA, "addresses", district="r2")[5]["properties"]
    first = phone.page.locator("[data-sr-address-list] label").first
    assert first.inner_text().strip().startswith(f"{house['street']} {house['housenumber']} · ")
    assert first.locator("input").is_checked()
    phone.page.select_option("#note-category", "treffpunkt_jugendliche")
    phone.page.fill("#note-text", "Abends treffen sich Jugendliche an der Bank.")
    widths = phone.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1]
    phone.screenshot("1-phone-form", full_page=True)
    phone.page.get_by_role("button", name="Notiz speichern").click()
    phone.page.wait_for_selector(SAVED)
    # the facts of the note stay readable: a long term ("Inhalt geschrieben oder geändert
    # von") once took the whole width and broke the values one letter a line
    assert phone.page.locator(".note-card dd.note-editors").count() == 1
    narrowest = phone.page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.note-card dd')]"
        ".map((dd) => dd.getBoundingClientRect().width))"
    )
    assert narrowest >= 150, narrowest
    note_id = phone.page.url.split("?")[0].rsplit("/", 1)[1]
    stored = demo_store.get(AREA, "notes", note_id)
    assert stored["properties"]["district"] == "r2"
    got_lon, got_lat = stored["geometry"]["coordinates"]
    assert abs(got_lon - lon) < 1e-6 and abs(got_lat - lat) < 1e-6
    check(phone, console)


def _moved(lon, lat, east_m, north_m=0.0):
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)
    back = Transformer.from_crs(25832, 4326, always_xy=True)
    return back.transform(x + east_m, y + north_m)


def _house_without_evidence(demo_store) -> dict:
    """An address of Nord-West (the caseworker's team) with no mailbox note yet."""
    noted = {
        n["properties"].get("address_key")
        for n in demo_store.query(AREA, "notes", category="briefkasten")
    }
    return next(
        a
        for a in demo_store.query(AREA, "addresses", district="r1")[10:]
        if a["properties"]["key"] not in noted and not a["properties"].get("letter_box_on")
    )


def test_mailbox_note_beside_a_house_is_evidence_for_that_house(
    open_session, live_server, demo_store
):
    s = open_session()
    console = watch_console(s)
    log_in(s.page, live_server)
    house = _house_without_evidence(demo_store)
    label = f"{house['properties']['street']} {house['properties']['housenumber']}"
    lon, lat = _moved(*house["geometry"]["coordinates"], 2.0, 1.0)  # ~2 m beside the house
    s.page.goto(f"{live_server}/gebiete/{AREA}/bezirke/r1/")
    frame = map_frame(s.page)
    frame.evaluate(
        f"([lon, lat]) => {{ ({MAP}).setView([lat, lon], 19, {{ animate: false }}); }}",
        [lon, lat],
    )
    settle(frame)
    frame.get_by_role("button", name="Notiz setzen").click()
    # click where the point is now (the map may have moved while its layers loaded)
    spot = frame.evaluate(
        f"([lon, lat]) => {{ const p = ({MAP}).latLngToContainerPoint([lat, lon]);"
        " return {x: Math.round(p.x), y: Math.round(p.y)}; }",
        [lon, lat],
    )
    frame.locator(".leaflet-container").click(position=spot)
    s.page.wait_for_url("**/notizen/neu?**")
    s.page.select_option("#note-category", "briefkasten")
    s.page.select_option("#note-mailbox", "fehlt")
    proposals = s.page.locator("[data-sr-address-list] label")
    first = proposals.first.inner_text().strip()
    assert first.startswith(f"{label} · ") and first.endswith(" m")
    assert 1 <= int(first.rsplit("· ", 1)[1].removesuffix(" m")) <= 3
    assert proposals.first.locator("input").is_checked()  # the nearest is preselected
    assert proposals.count() >= 2  # the neighbours to pick instead
    s.page.fill("#note-text", "Kein Briefkasten an der Haustür, nur ein Schlitz im Tor.")
    s.screenshot("mailbox-1-proposed-address", full_page=True)
    s.page.get_by_role("button", name="Notiz speichern").click()
    # the browser asks to confirm the address before anything is sent
    assert "/notizen/neu" in s.page.url
    assert s.page.locator("[data-sr-address-confirm]").evaluate("el => !el.validity.valid")
    s.page.get_by_label("Die Beobachtung gilt für die gewählte Adresse.").check()
    s.page.get_by_role("button", name="Notiz speichern").click()
    s.page.wait_for_selector(SAVED)
    note_id = s.page.url.split("?")[0].rsplit("/", 1)[1]
    stored = demo_store.get(AREA, "notes", note_id)["properties"]
    assert stored["address_id"] == house["id"] and stored["review_state"] == "entwurf"

    # the mailbox check of that house finds the evidence and says it is not released yet
    s.page.goto(f"{live_server}/gebiete/{AREA}/adressen/{house['id']}")
    assert "noch nicht freigegeben" in s.page.locator("#briefkasten-kurz").inner_text()
    s.page.get_by_role("button", name="Belege im Briefkasten-Check ansehen").click()
    s.page.wait_for_selector("#briefkasten-ergebnis")
    card = s.page.locator("#briefkasten-ergebnis").inner_text()
    assert "zustellrisiko: hoch" in card.lower() and "Keine Belege" not in card
    row = s.page.locator("table.evidence tbody tr").first.inner_text()
    assert "fehlt" in row and "noch nicht freigegeben" in row
    assert "Kein Briefkasten an der Haustür" in row
    s.screenshot("mailbox-2-check-with-unreleased-evidence", full_page=True)
    check(s, console)


def test_note_with_client_data_is_refused_and_the_text_kept(s, live_server, demo_store):
    """Spellings the old guard let through: the German explanation, the text kept for
    correction, nothing saved anywhere; then the corrected text is saved."""
    typed = "Hr Schröder, geb. 3. März 75\nBriefkasten ohne Namen"
    console = watch_console(s)
    before = len(demo_store.query(AREA, "notes"))
    address = demo_store.query(AREA, "addresses", district="r1")[3]
    log_in(s.page, live_server)
    s.page.goto(f"{live_server}/gebiete/{AREA}/adressen/{address['id']}")
    s.page.get_by_role("link", name="Notiz zu dieser Adresse").click()
    s.page.wait_for_url("**/notizen/neu?**")
    s.page.select_option("#note-category", "beobachtung")
    s.page.fill("#note-text", typed)
    s.page.get_by_role("button", name="Notiz speichern").click()
    alert = s.page.locator("p.error[role=alert]")
    alert.wait_for()
    message = alert.inner_text()
    assert "Geburtsdatum" in message and "Person mit Namen" in message
    assert "Sozialdatenschutz" in message and "Anrede oder ein Vorname mit Namen nicht" in message
    assert "Schröder" not in message and "März" not in message  # never repeats the text
    assert s.page.locator("#note-text").input_value() == typed  # nothing typed is lost
    s.screenshot("1-refused", full_page=True)
    assert len(demo_store.query(AREA, "notes")) == before
    stored = [p for p in demo_store.data_dir.rglob("*") if p.is_file()]
    assert not [p for p in stored if "geb. 3. März 75".encode() in p.read_bytes()]
    # corrected in place: the role instead of the person, and it is saved
    s.page.fill("#note-text", "Briefkasten ohne Namen, Hausverwaltung informiert")
    s.page.get_by_role("button", name="Notiz speichern").click()
    s.page.wait_for_selector(SAVED)
    assert len(demo_store.query(AREA, "notes")) == before + 1
    refused = [e for e in console if "status of 422" in e]
    assert len(refused) == 1  # the browser logs the refused page's status
    check(s, [e for e in console if e not in refused])
