"""Offline on the street (issue 23) in real headless Chromium with Playwright's offline mode:
save a walk for the phone, reload it without a connection (walk, map with basemap tiles,
address card), record notes and stop results into the queue, send them when the connection
is back (authors in the audit log), a conflict with the desk, a killed browser, logout and
expiry. Service workers need a real http://127.0.0.1 server (``live_server``)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from support.browser import AREA, CASEWORKER, CHROMIUM, FLAGS, log_in, watch_console

pytestmark = pytest.mark.browser

LEAD = ("demo-leitung", "demo-leitung-2026")
CONTROLLED = "() => !!navigator.serviceWorker.controller"
QUEUE = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open('sozialraum-offline');
    open.onsuccess = () => { const db = open.result;
        const all = db.transaction('queue').objectStore('queue').getAll();
        all.onsuccess = () => { resolve(all.result); db.close(); }; all.onerror = reject; };
    open.onerror = reject; })"""
BUNDLES = QUEUE.replace("'queue'", "'bundles'")
#: move every stored bundle's time back by n days (the device clock of the expiry check)
STORED_DAYS_AGO = """(days) => new Promise((resolve) => {
    const open = indexedDB.open('sozialraum-offline');
    open.onsuccess = () => { const db = open.result;
        const tx = db.transaction('bundles', 'readwrite'); const store = tx.objectStore('bundles');
        const all = store.getAll();
        all.onsuccess = () => all.result.forEach(b => {
            b.savedAt -= days * 86400000; store.put(b); });
        tx.oncomplete = () => { db.close(); resolve(); }; }; })"""


def _walk(demo_store) -> dict:
    return demo_store.query(AREA, "walks")[0]


def _controlled_page(page, url: str) -> None:
    """Open ``url`` and make sure the service worker controls the page (second load)."""
    page.goto(url)
    page.wait_for_selector("html[data-sr-offline=ready]", state="attached")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate(CONTROLLED):
        page.reload()
        page.wait_for_function(CONTROLLED)
    page.wait_for_selector("html[data-sr-offline=ready]", state="attached")


def _save(page) -> dict:
    page.get_by_role("button", name="Für unterwegs speichern").click()
    status = page.locator("[data-sr-offline-status][data-state=saved]")
    status.wait_for(timeout=120_000)
    return {
        "bytes": int(status.get_attribute("data-bytes")),
        "tiles": int(status.get_attribute("data-tiles")),
        "text": status.inner_text(),
    }


def _wait_queue(page, count: int) -> None:
    page.wait_for_function(
        "(n) => { const p = document.querySelector('[data-sr-offline-panel]');"
        " return !!p && p.getAttribute('data-queued') === String(n); }",
        arg=count,
    )


def _new_note(page, base: str, query: str, text: str) -> None:
    page.goto(f"{base}/gebiete/{AREA}/notizen/neu?{query}")
    page.wait_for_selector("html[data-sr-offline=ready]", state="attached")
    page.select_option("#note-category", "beobachtung")
    page.fill("#note-text", text)
    page.get_by_role("button", name="Notiz speichern").click()
    page.wait_for_selector("p.offline-queued[role=status]")


def _place(walk: dict) -> str:
    lon, lat = walk["geometry"]["coordinates"][0]
    return f"lon={lon}&lat={lat}"


def _new_notes(demo_store, before: set[str]) -> list[dict]:
    return [n for n in demo_store.query(AREA, "notes") if n["id"] not in before]


def test_save_walk_go_offline_record_and_sync(s, live_server, demo_store):
    page = s.page
    console = watch_console(s)
    walk = _walk(demo_store)
    walk_url = f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}"
    log_in(page, live_server)
    _controlled_page(page, walk_url)
    saved = _save(page)
    assert saved["tiles"] > 50 and saved["bytes"] > 100_000, saved
    assert "MB" in saved["text"] and "Kartenkacheln" in saved["text"]
    assert "Für unterwegs gespeichert am" in saved["text"]
    before = {n["id"] for n in demo_store.query(AREA, "notes")}
    stops = walk["properties"]["stops"]
    resource = next(st for st in stops if st["kind"] == "resource")
    cached = page.evaluate(
        "() => caches.open('sozialraum-offline-v1').then(c => c.keys())"
        ".then(keys => keys.map(r => r.url))"
    )
    address_pages = [u for u in cached if "/adressen/" in urlsplit(u).path]
    assert address_pages, "the addresses of the walk's notes are stored"

    # -- without a connection ---------------------------------------------------------------
    tiles_from_worker: list[int] = []
    page.on(
        "response",
        lambda r: (
            tiles_from_worker.append(r.status)
            if "/tiles/" in r.url and r.from_service_worker
            else None
        ),
    )
    s.context.set_offline(True)
    page.reload()
    assert page.locator("h1").first.inner_text() == walk["properties"]["title"]
    assert page.locator("table.walk-stops tbody tr").count() == len(stops)
    page.wait_for_selector("#rundgang-karte[data-ready=true]")
    page.wait_for_selector("#rundgang-karte[data-basemap=ready]")
    assert tiles_from_worker and set(tiles_from_worker) == {200}, tiles_from_worker
    assert page.locator(".walk-stop-number").count() == len(stops)
    panel = page.locator("[data-sr-offline-panel]")
    assert "Keine Verbindung" in panel.inner_text()
    s.screenshot("offline-1-walk")

    page.goto(address_pages[0])
    # the panel is written by the page's script: wait for it before reading the page's text
    page.locator("[data-sr-offline-panel]").filter(has_text="Keine Verbindung").wait_for()
    assert page.locator("h1").first.inner_text().strip() != "Keine Verbindung"
    assert page.locator("main").inner_text().count("Keine Verbindung.") == 1  # panel only
    s.screenshot("offline-2-address")

    address_id = urlsplit(address_pages[0]).path.rsplit("/", 1)[1]
    lon, lat = walk["geometry"]["coordinates"][0]
    _new_note(page, live_server, f"address_id={address_id}", "Aushang am Eingang fehlt.")
    _new_note(page, live_server, f"resource_id={resource['ref']}", "Neue Öffnungszeiten.")
    _new_note(page, live_server, f"lon={lon}&lat={lat}", "Bank am Platz ist repariert.")
    _wait_queue(page, 3)
    assert page.locator(".offline-item .offline-mark").count() == 3
    assert "nicht übertragen" in page.locator("[data-sr-offline-panel]").inner_text()

    page.goto(f"{walk_url}/ergebnisse")
    page.fill("#text-0", "Apotheke hat einen Aushang-Platz.")
    page.fill("#text-1", "Bäckerei nimmt Flyer.")
    page.get_by_role("button", name="Als Notizen speichern").click()
    page.wait_for_selector("p.offline-queued[role=status]")
    _wait_queue(page, 4)
    assert len(page.evaluate(QUEUE)) == 4
    assert _new_notes(demo_store, before) == []  # nothing reached the server
    s.screenshot("offline-3-queue")

    # -- back online: the queue is sent in order ---------------------------------------------
    s.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    _wait_queue(page, 0)
    # the form's message no longer says "nicht übertragen" once everything arrived
    page.wait_for_function(
        "() => document.querySelector('p.offline-queued').textContent.startsWith('Übertragen')"
    )
    created = _new_notes(demo_store, before)
    texts = sorted(n["properties"]["text"] for n in created)
    assert texts == sorted(
        [
            "Aushang am Eingang fehlt.",
            "Neue Öffnungszeiten.",
            "Bank am Platz ist repariert.",
            "Apotheke hat einen Aushang-Platz.",
            "Bäckerei nimmt Flyer.",
        ]
    )
    by_text = {n["properties"]["text"]: n for n in created}
    assert by_text["Aushang am Eingang fehlt."]["properties"].get("address_key")
    assert by_text["Neue Öffnungszeiten."]["properties"].get("osm_ref") == resource["ref"]
    audit = {e["id"]: e for e in demo_store.changes(AREA, "notes") if e["action"] == "add"}
    assert {audit[n["id"]]["actor"] for n in created} == {CASEWORKER[0]}
    assert demo_store.get(AREA, "walks", walk["id"])["properties"]["status"] == "durchgeführt"
    assert page.evaluate(QUEUE) == []
    # the only console errors: our own requests that failed while the connection was off
    # (the first sending attempt may come before the worker is online again)
    assert all(
        e.startswith("Failed to load resource: net::ERR_") and live_server in e for e in console
    ), console
    s.check()


def test_conflict_with_the_desk_shows_both_and_keeps_history(open_session, live_server, demo_store):
    for keep in ("mine", "theirs"):
        _conflict_round(open_session, live_server, demo_store, keep)


def _conflict_round(open_session, live_server, demo_store, keep: str) -> None:
    phone, desk = open_session(), open_session()
    walk = _walk(demo_store)
    note_id = next(st["ref"] for st in walk["properties"]["stops"] if st["kind"] == "note")
    note_url = f"{live_server}/gebiete/{AREA}/notizen/{note_id}"
    log_in(phone.page, live_server)
    _controlled_page(phone.page, f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
    _save(phone.page)
    original = demo_store.get(AREA, "notes", note_id)["properties"]

    phone.context.set_offline(True)
    phone.page.goto(note_url)
    phone.page.locator("details.note-edit summary").click()
    phone.page.fill("#note-text", f"Vom Handy ({keep}): Briefkasten ohne Namen.")
    phone.page.locator("form[data-sr-note-form] button[type=submit]").click()
    phone.page.wait_for_selector("p.offline-queued[role=status]")

    log_in(desk.page, live_server, LEAD)
    desk.page.goto(note_url)
    desk.page.locator("details.note-edit summary").click()
    desk.page.fill("#note-text", f"Vom Schreibtisch ({keep}): Hausverwaltung informiert.")
    with desk.page.expect_navigation():
        desk.page.locator("form[data-sr-note-form] button[type=submit]").click()
    desk_version = demo_store.get(AREA, "notes", note_id)["properties"]["version"]
    assert desk_version == original["version"] + 1, desk.page.locator("main").inner_text()

    phone.context.set_offline(False)
    phone.page.evaluate("() => window.dispatchEvent(new Event('online'))")
    conflict = phone.page.locator(".offline-item[data-state=conflict]")
    conflict.wait_for()
    assert "Vom Schreibtisch" in conflict.locator(".offline-theirs").inner_text()
    assert "Vom Handy" in conflict.locator(".offline-mine textarea").input_value()
    phone.screenshot(f"offline-conflict-{keep}")
    # nothing was overwritten meanwhile
    assert demo_store.get(AREA, "notes", note_id)["properties"]["version"] == desk_version
    if keep == "mine":
        conflict.get_by_role("button", name="Beide Texte zusammenführen").click()
        conflict.get_by_role("button", name="Meine Fassung senden").click()
    else:
        conflict.get_by_role("button", name="Aktuelle Fassung behalten (meine verwerfen)").click()
    _wait_queue(phone.page, 0)
    final = demo_store.get(AREA, "notes", note_id)["properties"]
    history = demo_store.history(AREA, "notes", note_id)
    if keep == "mine":
        assert final["version"] == desk_version + 1
        assert "Vom Handy" in final["text"] and "Vom Schreibtisch" in final["text"]
        assert final["author"] == original["author"]
    else:
        assert final["version"] == desk_version
        assert final["text"].startswith("Vom Schreibtisch")
    assert len(history) == final["version"]  # every version kept
    assert len([n for n in demo_store.query(AREA, "notes") if n["id"] == note_id]) == 1
    phone.context.close()
    desk.context.close()


def test_killed_browser_keeps_the_queue(browser, live_server, demo_store, tmp_path):
    profile = tmp_path / "profile"
    walk = _walk(demo_store)
    before = {n["id"] for n in demo_store.query(AREA, "notes")}

    def launch():  # one profile on disk, like the phone's browser
        return browser.browser_type.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=FLAGS, headless=True
        )

    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    log_in(page, live_server)
    _controlled_page(page, f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
    _save(page)
    context.set_offline(True)
    _new_note(page, live_server, _place(walk), "Treffpunkt an der Bushaltestelle.")
    _wait_queue(page, 1)
    context.close()  # killed between queueing and sending

    context = launch()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        context.set_offline(True)
        page.goto(f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
        _wait_queue(page, 1)
        assert [i["body"]["text"] for i in page.evaluate(QUEUE)] == [
            "Treffpunkt an der Bushaltestelle."
        ]
        assert _new_notes(demo_store, before) == []
        context.set_offline(False)
        page.goto(f"{live_server}/")
        if page.locator("#username").count():
            log_in(page, live_server)  # the session cookie may have ended with the browser
        page.wait_for_selector("html[data-sr-offline=ready]", state="attached")
        _wait_queue(page, 0)
    finally:
        context.close()
    created = _new_notes(demo_store, before)
    assert [n["properties"]["text"] for n in created] == ["Treffpunkt an der Bushaltestelle."]
    assert created[0]["properties"]["author"] == CASEWORKER[0]


def test_refusal_logout_asks_and_expiry(s, live_server, demo_store):
    page = s.page
    walk = _walk(demo_store)
    before = {n["id"] for n in demo_store.query(AREA, "notes")}
    log_in(page, live_server)
    _controlled_page(page, f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
    _save(page)

    # a note the data-protection guard refuses: shown with its reason, the text editable
    s.context.set_offline(True)
    _new_note(page, live_server, _place(walk), "Frau Müller, Tel. 0171 2345678, wohnt hier.")
    s.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    refused = page.locator(".offline-item[data-state=refused]")
    refused.wait_for()
    reason = refused.locator("p.error[role=alert]").inner_text()
    assert "Telefon" in reason or "Klient" in reason, reason
    assert "Tel. 0171" in refused.locator("textarea").input_value()
    assert _new_notes(demo_store, before) == []
    s.screenshot("offline-refused")

    # logout asks first; "Abbrechen" keeps everything
    page.get_by_role("button", name="Abmelden").click()
    dialog = page.locator("dialog.offline-dialog")
    dialog.wait_for()
    assert "1 Einträge noch nicht übertragen" in dialog.inner_text()
    dialog.get_by_role("button", name="Abbrechen").click()
    assert len(page.evaluate(QUEUE)) == 1
    assert len(page.evaluate(BUNDLES)) == 1
    assert page.locator("[data-sr-offline-panel]").is_visible()

    # edited text goes through
    refused.locator("textarea").fill("Briefkasten ohne Namen, Hinweis an Hausverwaltung.")
    refused.get_by_role("button", name="Geändert erneut senden").click()
    _wait_queue(page, 0)
    assert [n["properties"]["text"] for n in _new_notes(demo_store, before)] == [
        "Briefkasten ohne Namen, Hinweis an Hausverwaltung."
    ]

    # expiry: stored 15 days ago -> deleted at the next page, with a notice
    page.evaluate(STORED_DAYS_AGO, 15)
    page.reload()
    page.wait_for_selector("html[data-sr-offline=ready]", state="attached")
    assert "älter als 14 Tage" in page.locator("[data-sr-offline-panel]").inner_text()
    assert page.evaluate(BUNDLES) == []
    assert page.evaluate("() => caches.has('sozialraum-offline-v1')") is False

    # with stored data and an unsent entry, logout deletes only after "Alles löschen"
    page.goto(f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
    _save(page)
    s.context.set_offline(True)
    _new_note(page, live_server, _place(walk), "Ruhige Ecke, Tel. 0171 2345678.")
    s.context.set_offline(False)  # sent, refused by the guard: it stays unsent on the phone
    page.locator(".offline-item[data-state=refused]").wait_for()
    page.get_by_role("button", name="Abmelden").click()
    dialog = page.locator("dialog.offline-dialog")
    dialog.wait_for()
    text = dialog.inner_text()
    assert "noch nicht übertragen" in text and "Rundgang:" in text
    dialog.get_by_role("button", name="Alles löschen und abmelden").click()
    page.wait_for_url("**/anmelden")
    assert page.evaluate(QUEUE) == [] and page.evaluate(BUNDLES) == []
    assert page.evaluate("() => caches.has('sozialraum-offline-v1')") is False


def test_ended_session_offers_to_delete_after_asking(s, live_server, demo_store):
    page = s.page
    walk = _walk(demo_store)
    log_in(page, live_server)
    _controlled_page(page, f"{live_server}/gebiete/{AREA}/rundgaenge/{walk['id']}")
    _save(page)
    s.context.set_offline(True)
    _new_note(page, live_server, _place(walk), "Treffpunkt vor dem Kiosk.")
    s.context.clear_cookies()  # the session ended on the server (idle time, disabled account)
    s.context.set_offline(False)
    page.goto(f"{live_server}/")
    assert page.locator("#username").count() == 1  # the login page
    panel = page.locator("[data-sr-offline-panel]")
    panel.get_by_role("button", name="Daten auf diesem Gerät löschen …").wait_for()
    assert "1 nicht übertragene Einträge" in panel.inner_text()
    assert len(page.evaluate(QUEUE)) == 1 and len(page.evaluate(BUNDLES)) == 1  # not yet
    panel.get_by_role("button", name="Daten auf diesem Gerät löschen …").click()
    dialog = page.locator("dialog.offline-dialog")
    assert "noch nicht übertragen" in dialog.inner_text()
    dialog.get_by_role("button", name="Abbrechen").click()
    assert len(page.evaluate(QUEUE)) == 1
    panel.get_by_role("button", name="Daten auf diesem Gerät löschen …").click()
    page.locator("dialog.offline-dialog").get_by_role("button", name="Endgültig löschen").click()
    page.wait_for_function("() => caches.has('sozialraum-offline-v1').then(has => !has)")
    assert page.evaluate(QUEUE) == [] and page.evaluate(BUNDLES) == []
