"""The review page in real headless Chromium: map and list side by side, keyboard actions
(j/k, f, r + Enter), a marker click focusing its row, hostile note text shown as text, and a
screenshot of the queue. Server, browser and privacy checks come from ``support.browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.browser import AREA, check, log_in, watch_console
from support.web import DEMO_LOGINS

from sozialraum import settings
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.services.notes import Actor, NoteRules, create_note

pytestmark = pytest.mark.browser

HOSTILE = "Zaun <img src=x onerror=alert(1)> kaputt"
MARKERS = "() => document.querySelectorAll('#review-map path.leaflet-interactive').length"


def _submitted_notes(demo_store, texts) -> list[dict]:
    actor = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    rules = NoteRules(load_note_categories(), load_privacy_guard())
    addresses = demo_store.query(AREA, "addresses", district="r1")
    created = []
    today = settings.today()
    for number, text in enumerate(texts):
        observed_on = (today - timedelta(days=300 - number)).isoformat()
        data = {"category": "problem", "text": text, "review_state": "eingereicht",
                "address_id": addresses[number * 7]["id"], "observed_on": observed_on}  # fmt: skip
        created.append(
            create_note(demo_store, AREA, data, actor=actor, rules=rules, today=settings.today())
        )
    return created


def _queue_ids(page) -> list[str]:
    return page.eval_on_selector_all(".review-item", "rows => rows.map(r => r.dataset.id)")


def test_review_queue_by_keyboard_and_map(open_session, live_server, demo_store):
    ours = _submitted_notes(demo_store, [HOSTILE, "Bank fehlt am Platz.", "Licht defekt."])
    s = open_session()
    console = watch_console(s)
    log_in(s.page, live_server, DEMO_LOGINS["lead"])
    s.page.goto(f"{live_server}/gebiete/{AREA}/pruefung?district=r1&category=problem")
    s.page.wait_for_function(f"() => ({MARKERS})() === 3")
    assert _queue_ids(s.page) == [n["id"] for n in ours]  # oldest observation first
    assert HOSTILE in s.page.locator(f"#note-{ours[0]['id']} .note-text").inner_text()
    s.screenshot("1-pruefliste", full_page=True)

    # a marker click focuses its row in the list
    s.page.locator("#review-map path.leaflet-interactive").nth(2).click(force=True)
    s.page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === 'note-{ours[2]['id']}'"
    )

    # j/k move through the list, f releases the focused note
    s.page.locator(f"#note-{ours[0]['id']}").focus()
    s.page.keyboard.press("j")
    assert s.page.evaluate("() => document.activeElement.dataset.id") == ours[1]["id"]
    s.page.keyboard.press("f")
    s.page.wait_for_url("**erledigt=freigeben**")
    assert "Erledigt: Freigeben." in s.page.locator("[role=status]").inner_text()
    assert _queue_ids(s.page) == [ours[0]["id"], ours[2]["id"]]
    released = demo_store.get(AREA, "notes", ours[1]["id"])["properties"]
    assert released["review_state"] == "freigegeben" and released["review_log"][-1]["by"] == (
        "demo-leitung"
    )
    # the focus stays at the same place in the list: now the next note
    assert s.page.evaluate("() => document.activeElement.dataset.id") == ours[2]["id"]

    # r jumps to the comment, Enter sends the Rückfrage (not the form's first button)
    s.page.keyboard.press("r")
    s.page.keyboard.type("Welche Lampe genau?")
    s.page.keyboard.press("Enter")
    s.page.wait_for_url("**erledigt=rueckfrage**")
    queried = demo_store.get(AREA, "notes", ours[2]["id"])["properties"]
    assert queried["review_state"] == "rueckfrage"
    assert queried["review_log"][-1]["comment"] == "Welche Lampe genau?"
    assert _queue_ids(s.page) == [ours[0]["id"]]
    s.page.wait_for_function(f"() => ({MARKERS})() === 1")
    s.screenshot("2-nach-freigabe-und-rueckfrage", full_page=True)
    check(s, console)


def test_four_eyes_in_the_browser_own_note_has_no_release(open_session, live_server, demo_store):
    actor = Actor("demo-leitung", Role.LEAD, "Team Nord")
    rules = NoteRules(load_note_categories(), load_privacy_guard())
    address = demo_store.query(AREA, "addresses", district="r1")[3]
    data = {"category": "problem", "text": "Eigene Notiz der Leitung.",
            "review_state": "eingereicht", "address_id": address["id"]}  # fmt: skip
    own = create_note(demo_store, AREA, data, actor=actor, rules=rules, today=settings.today())
    s = open_session()
    console = watch_console(s)
    log_in(s.page, live_server, DEMO_LOGINS["lead"])
    s.page.goto(f"{live_server}/gebiete/{AREA}/pruefung")
    row = s.page.locator(f"#note-{own['id']}")
    assert row.locator('button[data-action="archivieren"]').count() == 1
    assert row.locator('button[data-action="freigeben"]').count() == 0
    row.focus()
    s.page.keyboard.press("f")  # no button: nothing happens
    assert "erledigt" not in s.page.url
    check(s, console)


def test_four_eyes_a_lead_who_edited_a_note_cannot_release_it(
    open_session, live_server, demo_store
):
    """The lead rewrites a caseworker's submitted note in the edit form, then finds no
    release in the queue but the reason; a second lead releases it."""
    from support.accounts import accounts_of

    second = ("leitung-zwei", "leitung-zwei-2026")
    accounts_of(demo_store).add(second[0], "lead", "Team Nord", second[1])
    (note,) = _submitted_notes(demo_store, ["Spielplatztor klemmt."])
    s = open_session()
    console = watch_console(s)
    log_in(s.page, live_server, DEMO_LOGINS["lead"])
    s.page.goto(f"{live_server}/gebiete/{AREA}/notizen/{note['id']}")
    s.page.locator(".note-edit summary").click()
    s.page.fill("#note-text", "Spielplatztor ist repariert.")
    s.page.select_option("#note-state", "eingereicht")
    s.page.get_by_role("button", name="Änderungen speichern").click()
    s.page.wait_for_selector("text=Gespeichert.")
    assert "demo-fachkraft, demo-leitung" in s.page.locator(".note-editors").inner_text()
    stored = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert stored["author"] == "demo-fachkraft" and stored["review_state"] == "eingereicht"

    s.page.goto(f"{live_server}/gebiete/{AREA}/pruefung?district=r1&category=problem")
    row = s.page.locator(f"#note-{note['id']}")
    assert row.locator('button[data-action="freigeben"]').count() == 0
    assert row.locator('button[data-action="rueckfrage"]').count() == 0
    reason = row.locator(".four-eyes").inner_text()
    assert "Vier-Augen-Prinzip" in reason and "andere Teamleitung" in reason
    row.focus()
    s.page.keyboard.press("f")  # no button: nothing happens
    assert "erledigt" not in s.page.url
    s.screenshot("1-geaendert-keine-freigabe", full_page=True)
    check(s, console)

    t = open_session()
    console_t = watch_console(t)
    log_in(t.page, live_server, second)
    t.page.goto(f"{live_server}/gebiete/{AREA}/pruefung?district=r1&category=problem")
    other_row = t.page.locator(f"#note-{note['id']}")
    assert other_row.locator(".four-eyes").count() == 0
    other_row.focus()
    t.page.keyboard.press("f")
    t.page.wait_for_url("**erledigt=freigeben**")
    released = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert released["review_state"] == "freigegeben"
    assert released["review_log"][-1]["by"] == "leitung-zwei"
    assert released["text"] == "Spielplatztor ist repariert."
    check(t, console_t)


def test_query_answer_and_meeting_loop(open_session, live_server, demo_store):
    """A caseworker submits, the lead asks a question in a meeting, the caseworker sees it
    on the start page and answers from the note page, the lead finds the answer in "Seit
    letzter Besprechung" and in the meeting's protocol."""
    actor = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    rules = NoteRules(load_note_categories(), load_privacy_guard())
    address = demo_store.query(AREA, "addresses", district="r1")[5]
    data = {"category": "problem", "text": "Gehweg vor dem Kiosk abgesackt.",
            "review_state": "entwurf", "address_id": address["id"]}  # fmt: skip
    note = create_note(demo_store, AREA, data, actor=actor, rules=rules, today=settings.today())
    review = f"{live_server}/gebiete/{AREA}/pruefung"

    # the caseworker submits the draft from the review page
    cw = open_session()
    console_cw = watch_console(cw)
    log_in(cw.page, live_server, DEMO_LOGINS["caseworker"])
    cw.page.goto(f"{review}?state=entwurf&district=r1&category=problem")
    cw.page.locator(f'#note-{note["id"]} button[data-action="einreichen"]').click()
    cw.page.wait_for_url("**erledigt=einreichen**")
    assert demo_store.get(AREA, "notes", note["id"])["properties"]["review_state"] == (
        "eingereicht"
    )

    # the lead starts a meeting, asks a question (r + text + Enter) and closes the meeting
    lead = open_session()
    console_lead = watch_console(lead)
    log_in(lead.page, live_server, DEMO_LOGINS["lead"])
    lead.page.goto(f"{review}?district=r1&category=problem")
    lead.page.get_by_role("button", name="Besprechung beginnen").click()
    lead.page.wait_for_selector("text=Besprechung läuft")
    lead.page.locator(f"#note-{note['id']}").focus()
    lead.page.keyboard.press("r")
    lead.page.keyboard.type("Auf welcher Straßenseite <genau>?")
    lead.page.keyboard.press("Enter")
    lead.page.wait_for_url("**erledigt=rueckfrage**")
    lead.page.get_by_role("button", name="Besprechung abschließen und Protokoll zeigen").click()
    lead.page.wait_for_selector("h1:has-text('Protokoll der Teambesprechung')")
    protocol_url = lead.page.url
    assert "zurückgefragt" in lead.page.locator(".protocol-decisions").inner_text()
    assert "noch nicht beantwortet" in lead.page.locator(".protocol-decisions").inner_text()

    # the caseworker sees the question on the start page and answers on the note page
    cw.page.goto(f"{live_server}/")
    query = cw.page.locator(f'.open-query[data-note-id="{note["id"]}"]')
    assert "Auf welcher Straßenseite <genau>?" in query.inner_text()
    cw.screenshot("1-startseite-rueckfrage", full_page=True)
    query.locator("a").click()
    cw.page.wait_for_selector("#rueckfrage")
    assert "Auf welcher Straßenseite <genau>?" in cw.page.locator("#rueckfrage").inner_text()
    cw.page.fill("#answer", "Nordseite, direkt vor Hausnummer 5.")
    cw.page.get_by_role("button", name="Rückfrage beantworten und wieder einreichen").click()
    cw.page.wait_for_selector("text=Antwort gespeichert")
    stored = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert stored["review_state"] == "eingereicht"
    assert stored["review_log"][-1]["comment"] == "Nordseite, direkt vor Hausnummer 5."
    cw.page.goto(f"{live_server}/")
    assert cw.page.locator(f'.open-query[data-note-id="{note["id"]}"]').count() == 0
    check(cw, console_cw)

    # the lead: "Seit letzter Besprechung" counts the answer and shows it; so does the protocol
    lead.page.goto(f"{review}?district=r1&category=problem")
    counts = lead.page.locator(".since-counts").inner_text()
    assert "1 Rückfrage beantwortet" in " ".join(counts.split())
    answered = lead.page.locator('.since-kind[data-kind="beantwortet"]')
    answered.locator("summary").click()
    assert "Antwort: Nordseite, direkt vor Hausnummer 5." in answered.inner_text()
    lead.screenshot("2-seit-letzter-besprechung", full_page=True)
    lead.page.goto(protocol_url)
    decisions = lead.page.locator(".protocol-decisions").inner_text()
    assert "zurückgefragt" in decisions and "Auf welcher Straßenseite <genau>?" in decisions
    assert "Nordseite, direkt vor Hausnummer 5." in decisions
    lead.screenshot("3-protokoll", full_page=True)
    check(lead, console_lead)
