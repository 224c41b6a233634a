"""The mailbox check in real headless Chromium: type an address, pick a suggestion, read the
card; upload a list, see the table and counts, download the CSV with the file still chosen;
on a phone without sideways scrolling.

Server, browser, sessions and privacy checks come from ``test_browser.py``.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import noted_address
from web.test_browser import AREA, log_in
from web.test_browser_walk import check, watch_console

from sozialraum.mailbox_check import ADDED_COLUMNS

pytestmark = pytest.mark.browser


def test_single_check_with_suggestions(s, live_server, demo_store):
    console = watch_console(s)
    props = noted_address(demo_store, "fehlt")[1]["properties"]
    log_in(s.page, live_server)
    s.page.goto(f"{live_server}/gebiete/{AREA}/briefkasten")
    s.page.fill("#adresse", f"{props['street']} {props['housenumber']}")
    s.page.wait_for_selector("#vorschlaege li")
    s.page.locator("#vorschlaege li").first.click()
    s.page.wait_for_selector("#briefkasten-ergebnis")
    card = s.page.locator("#briefkasten-ergebnis").inner_text()
    assert f"{props['street']} {props['housenumber']}" in card
    assert "ZUSTELLRISIKO: HOCH" in card.upper()
    assert "fehlt" in card and "Notiz · Fachkraft" in card and "Postzustellungsurkunde" in card
    s.screenshot("1-card", full_page=True)
    check(s, console)


def test_list_upload_table_and_download(s, live_server, demo_store):
    console = watch_console(s)
    risky = noted_address(demo_store, "defekt")[1]["properties"]
    safe = noted_address(demo_store, "vorhanden")[1]["properties"]
    data = (
        "Ref;Straße;Hausnummer\n"
        f"A-1;{risky['street']};{risky['housenumber']}\n"
        f"A-2;{safe['street']};{safe['housenumber']}\n"
        "A-3;<b>Nirgendwo</b>;1\n"
    ).encode("cp1252")
    log_in(s.page, live_server)
    s.page.goto(f"{live_server}/gebiete/{AREA}/briefkasten/liste")
    s.page.set_input_files("#datei", {"name": "liste.csv", "mimeType": "text/csv", "buffer": data})
    s.page.get_by_role("button", name="Prüfen und anzeigen").click()
    s.page.wait_for_selector("table.mailbox-results")
    assert s.page.locator('[data-risk="hoch"]').inner_text() == "1"
    assert s.page.locator('[data-risk="niedrig"]').inner_text() == "1"
    assert s.page.locator('[data-risk="unbekannt"]').inner_text() == "1"
    assert s.page.locator("table.mailbox-results b").count() == 0  # cell text, not HTML
    assert "<b>Nirgendwo</b>" in s.page.locator("table.mailbox-results").inner_text()
    s.screenshot("1-table", full_page=True)
    # the page was not reloaded: the file is still chosen and the download needs no re-upload
    with s.page.expect_download() as info:
        s.page.get_by_role("button", name="Ergebnis als CSV herunterladen").click()
    download = info.value
    assert download.suggested_filename.startswith("briefkasten-pruefung-")
    text = download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Ref", "Straße", "Hausnummer", *ADDED_COLUMNS]
    assert [r[0] for r in rows[1:]] == ["A-1", "A-2", "A-3"]
    check(s, console)


def test_phone_layout_of_the_check(open_session, live_server, demo_store):
    phone = open_session(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    console = watch_console(phone)
    props = noted_address(demo_store, "fehlt")[1]["properties"]
    log_in(phone.page, live_server)
    phone.page.goto(f"{live_server}/gebiete/{AREA}/briefkasten")
    phone.page.fill("#adresse", f"{props['street']} {props['housenumber']}")
    phone.page.get_by_role("button", name="Prüfen").click()
    phone.page.wait_for_selector("#briefkasten-ergebnis")
    widths = phone.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1]
    phone.screenshot("1-phone-card", full_page=True)
    check(phone, console)


def test_a_typed_address_is_in_no_url(s, live_server, demo_store):
    """Issue 26: while a user types an address into the Briefkasten-Check and into "Adresse
    suchen" (letter by letter, suggestions firing) and picks a suggestion, every request
    the browser makes (pages, frames, fetches, assets) is recorded: the typed text is in no
    URL (also not URL-encoded, not as a prefix); it travels in POST bodies only."""
    from urllib.parse import unquote_plus

    props = noted_address(demo_store, "fehlt")[1]["properties"]
    typed = f"{props['street']} {props['housenumber']}"
    requests = []
    s.page.on("request", lambda r: requests.append((r.method, r.url, r.post_data or "")))
    log_in(s.page, live_server)
    for path in (f"/gebiete/{AREA}/briefkasten", f"/gebiete/{AREA}/suche"):
        s.page.goto(f"{live_server}{path}")
        s.page.locator("#adresse").press_sequentially(typed, delay=40)
        s.page.wait_for_selector("#vorschlaege li")
        s.page.locator("#vorschlaege li").first.click()
        s.page.wait_for_selector("#briefkasten-ergebnis, #adresskarte:not([hidden])")
    urls = [unquote_plus(url).casefold() for _method, url, _body in requests]
    prefix = typed[:4].casefold()  # the shortest text that sends suggestions is 3 letters
    leaks = [url for url in urls if prefix in url]
    assert not leaks, leaks
    # the text did travel, in POST bodies: suggestions from both pages, the check form
    posted = [(m, u) for m, u, body in requests if m == "POST" and props["street"][:4] in body]
    searches = [u for _m, u in posted if u.endswith("/addresses/search")]
    assert len(searches) >= 2, posted  # at least one per page (typing is debounced)
    assert any(u.endswith("/briefkasten") for _m, u in posted), posted
