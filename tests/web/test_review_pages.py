"""Team review pages without a browser: queue, actions, errors, meetings, protocol and CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from support.web import csrf_token, login

from sozialraum.model.roles import Role
from sozialraum.services.notes import Actor, create_note

AREA = "musterstadt-nord"
REVIEW = f"/gebiete/{AREA}/pruefung"
MEETINGS = f"/gebiete/{AREA}/besprechungen"


@pytest.fixture
def demo_store(backend_demo_store):
    """The demo data on each backend: the tests here run once per backend (files, PostgreSQL)."""
    return backend_demo_store


def _note(app, demo_store, text="Neue Sitzbank am Spielplatz.", state="eingereicht", **extra):
    """A note of Team Nord written by the demo caseworker, in district r1."""
    address = demo_store.query(AREA, "addresses", district="r1")[0]
    actor = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    rules = app.extensions["sozialraum"].note_rules
    data = {"category": "beobachtung", "text": text, "review_state": state,
            "address_id": address["id"], **extra}  # fmt: skip
    from sozialraum import settings

    return create_note(demo_store, AREA, data, actor=actor, rules=rules, today=settings.today())


@pytest.fixture
def lead(app):
    return login(app.test_client(), "lead")


def _act(client, note, action, **form):
    data = {"csrf_token": csrf_token(client, "/"), "version": str(note["properties"]["version"]),
            "action": action, **form}  # fmt: skip
    return client.post(f"{REVIEW}/{note['id']}", data=data)


def test_queue_lists_submitted_notes_with_actions_for_the_lead(app, demo_store, lead):
    note = _note(app, demo_store, text="<b>fett</b> Bank")
    page = lead.get(REVIEW).get_data(as_text=True)
    assert f'id="note-{note["id"]}"' in page
    assert "&lt;b&gt;fett&lt;/b&gt; Bank" in page and "<b>fett</b>" not in page
    assert 'data-action="freigeben"' in page and 'data-action="rueckfrage"' in page
    assert "Seit letzter Besprechung" in page and "Besprechung beginnen" in page
    drafts = lead.get(f"{REVIEW}?state=entwurf").get_data(as_text=True)
    assert f'id="note-{note["id"]}"' not in drafts


def test_caseworker_sees_the_queue_but_no_lead_buttons(app, demo_store, client):
    note = _note(app, demo_store)
    page = client.get(REVIEW).get_data(as_text=True)
    assert f'id="note-{note["id"]}"' in page
    assert 'data-action="freigeben"' not in page and 'data-action="zurueckziehen"' in page
    assert "Besprechung beginnen" not in page
    refused = _act(client, note, "freigeben")
    assert refused.status_code == 403 and "Teamleitung" in refused.get_data(as_text=True)
    assert demo_store.get(AREA, "notes", note["id"])["properties"]["review_state"] == "eingereicht"


def test_release_keeps_the_filters_and_the_position(app, demo_store, lead):
    note = _note(app, demo_store)
    response = _act(lead, note, "freigeben", filters="district=r1&author=x&evil=1", position="3")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "district=r1" in location and "author=x" in location and "evil" not in location
    assert "fokus=3" in location and "erledigt=freigeben" in location
    stored = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert stored["review_state"] == "freigegeben"
    assert stored["review_log"][-1]["by"] == "demo-leitung"


def test_query_needs_a_comment_and_errors_are_german_4xx(app, demo_store, lead):
    note = _note(app, demo_store)
    missing = _act(lead, note, "rueckfrage", comment="  ")
    assert missing.status_code == 400 and "Kommentar" in missing.get_data(as_text=True)
    stale = _act(lead, {**note, "properties": {**note["properties"], "version": 7}}, "freigeben")
    assert stale.status_code == 409
    unknown = _act(lead, note, "loeschen")
    assert unknown.status_code == 400 and "Unbekannte Aktion" in unknown.get_data(as_text=True)
    private = _act(lead, note, "rueckfrage", comment="Herr Müller, geb. 01.02.1980, wohnt hier")
    assert private.status_code == 422
    assert demo_store.get(AREA, "notes", note["id"])["properties"]["version"] == 1
    # the refusal is repeated at the note, and the typed comment is in its field to correct
    item = private.get_data(as_text=True).split(f'id="note-{note["id"]}"')[1].split("</li>")[0]
    assert '<p class="error review-error">Nicht ausgeführt: Der Text enthält' in item
    assert 'value="Herr Müller, geb. 01.02.1980, wohnt hier"' in item
    assert "Nicht ausgeführt" in missing.get_data(as_text=True)  # also for a missing comment
    missing_note = lead.post(f"{REVIEW}/nichtda", data={"csrf_token": csrf_token(lead, "/"),
                             "version": "1", "action": "freigeben"})  # fmt: skip
    assert missing_note.status_code == 404


def test_query_comment_reaches_the_author_as_text(app, demo_store, lead, client):
    note = _note(app, demo_store)
    assert _act(lead, note, "rueckfrage", comment="Welche <Bank> genau?").status_code == 303
    page = client.get(f"{REVIEW}?state=rueckfrage").get_data(as_text=True)
    assert "Welche &lt;Bank&gt; genau?" in page
    note_page = client.get(f"/gebiete/{AREA}/notizen/{note['id']}").get_data(as_text=True)
    assert "Prüfung" in note_page and "Welche &lt;Bank&gt; genau?" in note_page


def test_bad_filters_are_400_not_500(lead):
    assert lead.get(f"{REVIEW}?state=kaputt").status_code == 400
    assert lead.get(f"{REVIEW}?age=abc").status_code == 400
    assert lead.get(f"{REVIEW}?category=gibtsnicht").status_code == 400
    assert lead.get(f"{REVIEW}?district=gibtsnicht").status_code == 404


def test_meeting_start_decisions_close_protocol_and_csv(app, demo_store, lead):
    before = _note(app, demo_store, text="Vor der Besprechung freigegeben.")
    assert _act(lead, before, "freigeben").status_code == 303
    token = csrf_token(lead, "/")
    refused = lead.post(MEETINGS, data={"csrf_token": token, "Teamleitung": "0"})
    assert refused.status_code == 400 and "Rollen" in refused.get_data(as_text=True)
    started = lead.post(MEETINGS, data={"csrf_token": token, "Teamleitung": "1", "Fachkraft": "4"})
    assert started.status_code == 303
    page = lead.get(REVIEW).get_data(as_text=True)
    assert "Besprechung läuft" in page and "4 × Fachkraft" in page
    again = lead.post(MEETINGS, data={"csrf_token": token, "Teamleitung": "1"})
    assert again.status_code == 400 and "schon eine Besprechung" in again.get_data(as_text=True)
    released = _note(app, demo_store, text="In der Besprechung freigegeben.")
    archived = _note(app, demo_store, text="In der Besprechung archiviert.")
    rechecked = _note(app, demo_store, text="Bitte nachprüfen.")
    assert _act(lead, released, "freigeben").status_code == 303
    assert _act(lead, archived, "archivieren").status_code == 303
    assert _act(lead, rechecked, "nachpruefen").status_code == 303
    (meeting,) = demo_store.query(AREA, "meetings")
    closed = lead.post(
        f"{MEETINGS}/{meeting['id']}/abschliessen",
        data={"csrf_token": token, "version": str(meeting["properties"]["version"])},
    )
    assert closed.status_code == 303 and closed.headers["Location"].endswith(meeting["id"])
    protocol = lead.get(f"{MEETINGS}/{meeting['id']}").get_data(as_text=True)
    assert "Protokoll der Teambesprechung" in protocol and "<svg" in protocol
    assert "In der Besprechung freigegeben." in protocol
    assert "In der Besprechung archiviert." in protocol and "Bitte nachprüfen." in protocol
    assert "Vor der Besprechung freigegeben." not in protocol
    assert "1 freigegeben · 0 zurückgefragt · 1 Nachprüfung angefordert · 1 archiviert" in protocol
    response = lead.get(f"{MEETINGS}/{meeting['id']}/protokoll.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    header = rows[0]
    decided = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [r["Entscheidung"] for r in decided] == [
        "freigegeben",
        "archiviert",
        "Nachprüfung angefordert",
    ]
    assert len({r["Notiz-Id"] for r in decided}) == 3
    walk_id = demo_store.get(AREA, "notes", rechecked["id"])["properties"]["recheck"]["walk_id"]
    stops = demo_store.get(AREA, "walks", walk_id)["properties"]["stops"]
    assert {"kind": "note", "ref": rechecked["id"]}.items() <= stops[-1].items()
    since = lead.get(REVIEW).get_data(as_text=True)
    assert "Besprechung läuft" not in since


def test_meeting_pages_for_other_roles(app, demo_store, client, lead):
    token = csrf_token(client, "/")
    assert client.post(MEETINGS, data={"csrf_token": token, "Fachkraft": "2"}).status_code == 403
    viewer = login(app.test_client(), "viewer")
    assert viewer.get(REVIEW).status_code == 200
    assert viewer.post(MEETINGS, data={"csrf_token": csrf_token(viewer, "/")}).status_code == 403
    assert lead.get(f"{MEETINGS}/gibtsnicht").status_code == 404


def test_viewer_queue_shows_released_notes_only(app, demo_store, lead):
    hidden = _note(app, demo_store, text="Noch nicht freigegeben.")
    shown = _note(app, demo_store, text="Schon freigegeben.")
    assert _act(lead, shown, "freigeben").status_code == 303
    viewer = login(app.test_client(), "viewer")
    page = viewer.get(f"{REVIEW}?state=").get_data(as_text=True)
    assert f'id="note-{shown["id"]}"' in page and f'id="note-{hidden["id"]}"' not in page
    api = viewer.get(f"/api/areas/{AREA}/notes").get_json()
    ids = {f["id"] for f in api["features"]}
    assert shown["id"] in ids and hidden["id"] not in ids
    assert viewer.get(f"/api/areas/{AREA}/notes/{hidden['id']}").status_code == 404


def test_viewers_never_read_unreleased_text_on_protocols_walks_or_histories(app, demo_store, lead):
    token = csrf_token(lead, "/")
    assert lead.post(MEETINGS, data={"csrf_token": token, "Teamleitung": "1"}).status_code == 303
    queried = _note(app, demo_store, text="Unveröffentlichte Beobachtung.")
    released = _note(app, demo_store, text="Freigegebene Beobachtung.")
    assert _act(lead, queried, "rueckfrage", comment="Bitte genauer.").status_code == 303
    assert _act(lead, released, "freigeben").status_code == 303
    queried = demo_store.get(AREA, "notes", queried["id"])  # version 2 after the Rückfrage
    assert _act(lead, queried, "nachpruefen").status_code == 303  # a stop on a planned walk
    (meeting,) = demo_store.query(AREA, "meetings")
    viewer = login(app.test_client(), "viewer")
    since = viewer.get(REVIEW).get_data(as_text=True)  # "Seit letzter Besprechung" too
    assert "Unveröffentlichte Beobachtung." not in since
    assert "Unveröffentlichte Beobachtung." in lead.get(REVIEW).get_data(as_text=True)
    protocol = viewer.get(f"{MEETINGS}/{meeting['id']}").get_data(as_text=True)
    assert "Freigegebene Beobachtung." in protocol
    assert "Unveröffentlichte Beobachtung." not in protocol
    csv_text = viewer.get(f"{MEETINGS}/{meeting['id']}/protokoll.csv").get_data(as_text=True)
    assert "Unveröffentlichte" not in csv_text and "(nicht sichtbar)" in csv_text
    assert "Unveröffentlichte Beobachtung." in lead.get(f"{MEETINGS}/{meeting['id']}").get_data(
        as_text=True
    )
    walk_id = demo_store.get(AREA, "notes", queried["id"])["properties"]["recheck"]["walk_id"]
    for page in ("", "/laufzettel"):
        walk_page = viewer.get(f"/gebiete/{AREA}/rundgaenge/{walk_id}{page}")
        assert walk_page.status_code == 200
        assert "Unveröffentlichte Beobachtung." not in walk_page.get_data(as_text=True)
    # a released note whose first version was a draft: the viewer's history hides the draft
    history = viewer.get(f"/api/areas/{AREA}/notes/{released['id']}/history").get_json()
    versions = history["versions"]
    assert versions[0]["feature"] is None and versions[-1]["feature"] is not None


def test_long_queues_come_in_pages(app, demo_store, lead, monkeypatch):
    from sozialraum.web.review import pages as pages_review

    monkeypatch.setattr(pages_review, "PAGE_SIZE", 2)
    ours = [_note(app, demo_store, text=f"Seite Notiz {n}.") for n in range(3)]
    first = lead.get(f"{REVIEW}?category=beobachtung").get_data(as_text=True)
    total = first.count('class="review-item')
    assert total == 2 and "Seite 1 von" in first and 'rel="next"' in first
    pages = int(first.split("Seite 1 von ")[1].split(")")[0])
    last = lead.get(f"{REVIEW}?category=beobachtung&seite={pages}").get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last
    seen = "".join(
        lead.get(f"{REVIEW}?category=beobachtung&seite={n}").get_data(as_text=True)
        for n in range(1, pages + 1)
    )
    assert all(f'id="note-{note["id"]}"' in seen for note in ours)
    assert lead.get(f"{REVIEW}?seite=999").status_code == 200  # clamped to the last page
    assert lead.get(f"{REVIEW}?seite=abc").status_code == 200


def _second_lead(app, demo_store):
    """A second lead of Team Nord (only one demo lead exists), logged in."""
    from support.accounts import accounts_of

    accounts_of(demo_store).add("leitung-zwei", "lead", "Team Nord", "leitung-zwei-2026")
    client = app.test_client()
    form = {"csrf_token": csrf_token(client), "username": "leitung-zwei",
            "password": "leitung-zwei-2026"}  # fmt: skip
    assert client.post("/anmelden", data=form).status_code == 302
    return client


def test_a_lead_who_rewrote_a_note_through_the_api_cannot_release_it(app, demo_store, lead):
    """PUT with If-Match by the lead, then the release: refused (403, German reason), no
    button in the queue but the reason, the note page names the editors; another lead
    releases it."""
    note = _note(app, demo_store, text="Bank am Spielplatz fehlt.")
    url = f"/api/areas/{AREA}/notes/{note['id']}"
    body = lead.get(url).get_json()
    lon, lat = body["geometry"]["coordinates"]
    props = body["properties"]
    data = {"lon": lon, "lat": lat, "category": props["category"],
            "review_state": "eingereicht", "text": "Bank am Spielplatz steht wieder.",
            "address_id": props["address_id"]}  # fmt: skip
    token = csrf_token(lead, "/")
    put = lead.put(url, json=data, headers={"X-CSRFToken": token, "If-Match": '"v1"'})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["properties"]["author"] == "demo-fachkraft"
    assert put.get_json()["properties"]["edited_by"] == ["demo-fachkraft", "demo-leitung"]
    history = lead.get(f"{url}/history").get_json()["versions"]
    assert [(v["actor"], v["content_edit"]) for v in history] == [
        ("demo-fachkraft", True),
        ("demo-leitung", True),
    ]
    stored = demo_store.get(AREA, "notes", note["id"])

    page = lead.get(REVIEW).get_data(as_text=True)
    item = page.split(f'id="note-{note["id"]}"')[1].split("</li>")[0]
    assert 'data-action="freigeben"' not in item and 'data-action="rueckfrage"' not in item
    assert 'data-action="archivieren"' in item  # archiving is no release
    assert "Vier-Augen-Prinzip" in item and "andere Teamleitung" in item
    assert "geändert von demo-fachkraft, demo-leitung" in item
    assert "1 davon haben Sie seit der letzten Freigabe geschrieben" in page  # the count
    refused = _act(lead, stored, "freigeben")
    assert refused.status_code == 403
    assert "Vier-Augen-Prinzip" in refused.get_data(as_text=True)
    queried = _act(lead, stored, "rueckfrage", comment="Stimmt das?")
    assert queried.status_code == 403
    assert demo_store.get(AREA, "notes", note["id"]) == stored
    note_page = lead.get(f"/gebiete/{AREA}/notizen/{note['id']}").get_data(as_text=True)
    editors = note_page.split('class="note-editors">')[1].split("</dd>")[0]
    assert "Inhalt geschrieben oder geändert von</dt>" in note_page
    # who may release, said so that it reads right for a lead and for the author
    assert "nur eine Teamleitung, die hier nicht genannt ist" in editors
    assert "seit der letzten Freigabe" not in editors  # the note was never released
    assert "demo-fachkraft, demo-leitung" in note_page and "Inhalt geändert" in note_page
    assert "Wer den Inhalt ändert" in note_page  # the lead is warned before an edit

    other = _second_lead(app, demo_store)
    other_page = other.get(REVIEW).get_data(as_text=True)
    other_item = other_page.split(f'id="note-{note["id"]}"')[1].split("</li>")[0]
    assert 'data-action="freigeben"' in other_item and "Vier-Augen-Prinzip" not in other_item
    assert _act(other, stored, "freigeben").status_code == 303
    released = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert released["review_state"] == "freigegeben" and released["edited_by"] == []
    entries = [e for e in demo_store.changes(AREA, "notes") if e.get("id") == note["id"]]
    assert [(e["actor"], bool(e.get("content_edit"))) for e in entries[-2:]] == [
        ("demo-leitung", True),
        ("leitung-zwei", False),
    ]
    # rewritten after that release: now the editors are counted since it
    data["text"] = "Bank am Spielplatz steht wieder, frisch gestrichen."
    token = csrf_token(lead, "/")
    version = f'"v{released["version"]}"'
    put = lead.put(url, json=data, headers={"X-CSRFToken": token, "If-Match": version})
    assert put.status_code == 200, put.get_json()
    note_page = lead.get(f"/gebiete/{AREA}/notizen/{note['id']}").get_data(as_text=True)
    editors = note_page.split('class="note-editors">')[1].split("</dd>")[0]
    assert "demo-leitung" in editors and "(seit der letzten Freigabe; freigeben" in editors


def test_keyboard_hint_names_every_shortcut_of_the_queue(app, demo_store, lead):
    """The hint under the filters lists every key review.js binds (z was missing)."""
    _note(app, demo_store)
    script = (Path(__file__).parents[2] / "static/sozialraum/review.js").read_text()
    bound = set(re.findall(r"(\w): \"\w+\"", re.search(r"var KEYS = \{(.*?)\}", script)[1]))
    bound |= {"j", "k", "r"}
    hint = lead.get(REVIEW).get_data(as_text=True).split("Tastatur:", 1)[1].split("</span>")[0]
    assert bound == set(re.findall(r"<kbd>(\w)</kbd>", hint))


# --- the review loop: query → answer on the note page → meeting ---------------------------


def _note_url(note) -> str:
    return f"/gebiete/{AREA}/notizen/{note['id']}"


def _answer(client, note, answer, version=None):
    version = version or demo_version(note)
    data = {"csrf_token": csrf_token(client, "/"), "version": str(version), "answer": answer}
    return client.post(f"{_note_url(note)}/antwort", data=data)


def demo_version(note) -> int:
    return note["properties"]["version"]


def test_open_query_on_start_and_area_page_and_answer_from_the_note_page(
    app, demo_store, lead, client
):
    note = _note(app, demo_store, text="Bank am Spielplatz fehlt.")
    assert _act(lead, note, "rueckfrage", comment="Welcher <Spielplatz>?").status_code == 303
    queried = demo_store.get(AREA, "notes", note["id"])
    for url in ("/", f"/gebiete/{AREA}/", f"/gebiete/{AREA}/bezirke/r1/"):
        page = client.get(url).get_data(as_text=True)
        assert "Offene Rückfragen" in page, url
        assert f'data-note-id="{note["id"]}"' in page
        assert "Welcher &lt;Spielplatz&gt;?" in page and "<Spielplatz>" not in page
    # the lead who asked has nothing to answer; a viewer sees no queries
    assert f'data-note-id="{note["id"]}"' not in lead.get("/").get_data(as_text=True)
    viewer = login(app.test_client(), "viewer")
    assert "Offene Rückfragen" not in viewer.get("/").get_data(as_text=True)

    note_page = client.get(_note_url(note)).get_data(as_text=True)
    assert 'id="rueckfrage"' in note_page and "Rückfrage beantworten" in note_page
    # refused: an empty answer, an old version, client data (German 4xx, nothing written)
    empty = _answer(client, queried, "   ")
    assert empty.status_code == 400 and "Antwort fehlt" in empty.get_data(as_text=True)
    stale = _answer(client, queried, "Der an der Kirche.", version=1)
    assert stale.status_code == 409 and "nicht gespeichert" in stale.get_data(as_text=True)
    assert "Der an der Kirche." in stale.get_data(as_text=True)  # the answer is kept
    private = _answer(client, queried, "Frau Müller, geb. 03.04.1981, wohnt dort.")
    assert private.status_code == 422  # the data-protection guard, in German
    assert "Frau Müller" in private.get_data(as_text=True)  # kept in the form to fix
    assert demo_store.get(AREA, "notes", note["id"])["properties"]["review_state"] == "rueckfrage"
    # a viewer may not answer
    viewer_post = _answer(viewer, queried, "Der an der Kirche.")
    assert viewer_post.status_code == 403

    answered = _answer(client, queried, "Der an der <Kirche>.")
    assert answered.status_code == 303 and "beantwortet=1" in answered.headers["Location"]
    stored = demo_store.get(AREA, "notes", note["id"])["properties"]
    assert stored["review_state"] == "eingereicht"
    assert stored["review_log"][-1]["comment"] == "Der an der <Kirche>."
    assert stored["review_log"][-1]["by"] == "demo-fachkraft"
    shown = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Antwort gespeichert" in shown and 'id="rueckfrage"' not in shown
    assert "Der an der &lt;Kirche&gt;." in shown
    assert f'data-note-id="{note["id"]}"' not in client.get("/").get_data(as_text=True)
    # answering again: no query open any more
    again = _answer(client, demo_store.get(AREA, "notes", note["id"]), "Noch einmal.")
    assert again.status_code == 400 and "keine Rückfrage" in again.get_data(as_text=True)

    # the lead sees the answer since the last meeting
    review_page = lead.get(REVIEW).get_data(as_text=True)
    assert "Rückfrage beantwortet" in review_page
    assert "Antwort: Der an der &lt;Kirche&gt;." in review_page


def test_protocol_shows_comment_answer_local_time_and_two_meetings_a_day(app, demo_store, lead):
    from sozialraum.services import meetings

    token = csrf_token(lead, "/")
    client = login(app.test_client(), "caseworker")
    ids = []
    for round_ in (1, 2):
        started = lead.post(MEETINGS, data={"csrf_token": token, "Teamleitung": "1"})
        assert started.status_code == 303
        note = _note(app, demo_store, text=f"Gehweg {round_} uneben.")
        assert _act(lead, note, "rueckfrage", comment=f"Wo genau ({round_})?").status_code == 303
        if round_ == 1:
            queried = demo_store.get(AREA, "notes", note["id"])
            assert _answer(client, queried, "Vor Nr. 3.").status_code == 303
        meeting = next(
            m for m in demo_store.query(AREA, "meetings") if not m["properties"]["closed_at"]
        )
        ids.append(meeting["id"])
        closed = lead.post(
            f"{MEETINGS}/{meeting['id']}/abschliessen",
            data={"csrf_token": token, "version": str(meeting["properties"]["version"])},
        )
        assert closed.status_code == 303
    first = demo_store.get(AREA, "meetings", ids[0])
    protocol = lead.get(f"{MEETINGS}/{ids[0]}").get_data(as_text=True)
    assert "zurückgefragt" in protocol and "Wo genau (1)?" in protocol
    assert "Vor Nr. 3." in protocol and "Antwort (demo-fachkraft" in protocol
    assert meetings.local_time(first["properties"]["started_at"]) in protocol
    second = lead.get(f"{MEETINGS}/{ids[1]}").get_data(as_text=True)
    assert "Wo genau (2)?" in second and "noch nicht beantwortet" in second
    # the meeting list tells the two meetings of one day apart by their local start time
    page = lead.get(REVIEW).get_data(as_text=True)
    labels = [meetings.meeting_label(demo_store.get(AREA, "meetings", i)) for i in ids]
    assert all(label in page for label in labels)
    assert all(label.endswith(" Uhr") for label in labels)
    csv_response = lead.get(f"{MEETINGS}/{ids[0]}/protokoll.csv")
    hhmm = meetings.local_time(first["properties"]["started_at"])[-5:].replace(":", "")
    assert f"-{hhmm}.csv" in csv_response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Entscheidung"] == "zurückgefragt" and row["Kommentar"] == "Wo genau (1)?"
    assert row["Antwort"] == "Vor Nr. 3." and row["Antwort am"]
    assert row["Beginn"] == meetings.local_time(first["properties"]["started_at"])


def test_a_draft_is_submitted_from_its_own_page(app, demo_store, lead, client):
    draft = _note(app, demo_store, text="Neuer Aushang am Gemeindehaus.", state="entwurf")
    page = client.get(_note_url(draft)).get_data(as_text=True)
    assert "Zur Prüfung einreichen" in page
    data = {"csrf_token": csrf_token(client, "/"), "version": str(demo_version(draft))}
    # an old version is refused and nothing changes
    stale = client.post(f"{_note_url(draft)}/einreichen", data={**data, "version": "99"})
    assert stale.status_code == 409 and "nicht gespeichert" in stale.get_data(as_text=True)
    # a viewer may not submit
    viewer = login(app.test_client(), "viewer")
    mine = {**data, "csrf_token": csrf_token(viewer, "/")}
    assert viewer.post(f"{_note_url(draft)}/einreichen", data=mine).status_code == 403
    assert demo_store.get(AREA, "notes", draft["id"])["properties"]["review_state"] == "entwurf"
    done = client.post(f"{_note_url(draft)}/einreichen", data=data)
    assert done.status_code == 303 and "eingereicht=1" in done.headers["Location"]
    stored = demo_store.get(AREA, "notes", draft["id"])["properties"]
    assert stored["review_state"] == "eingereicht"
    assert stored["review_log"][-1]["action"] == "einreichen"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "wartet auf die Freigabe" in page and "Zur Prüfung einreichen" not in page
    # submitting again is refused in German; the lead's queue now shows the note
    again = client.post(f"{_note_url(draft)}/einreichen", data={**data, "version": "2"})
    assert again.status_code == 400 and "Nur ein Entwurf" in again.get_data(as_text=True)
    assert f'id="note-{draft["id"]}"' in lead.get(REVIEW).get_data(as_text=True)


def test_protocol_lists_queries_answered_since_the_meeting_before(app, demo_store, lead):
    token = csrf_token(lead, "/")
    client = login(app.test_client(), "caseworker")

    def meeting_round():
        assert (
            lead.post(MEETINGS, data={"csrf_token": token, "Teamleitung": "1"}).status_code == 303
        )
        meeting = next(
            m for m in demo_store.query(AREA, "meetings") if not m["properties"]["closed_at"]
        )
        closed = lead.post(
            f"{MEETINGS}/{meeting['id']}/abschliessen",
            data={"csrf_token": token, "version": str(meeting["properties"]["version"])},
        )
        assert closed.status_code == 303
        return meeting["id"]

    first = meeting_round()
    # between the meetings: a query and its answer
    note = _note(app, demo_store, text="Laterne am Weg defekt.")
    assert _act(lead, note, "rueckfrage", comment="Welche <Laterne>?").status_code == 303
    queried = demo_store.get(AREA, "notes", note["id"])
    assert _answer(client, queried, "Die am Spielplatz.").status_code == 303
    second = meeting_round()
    protocol = lead.get(f"{MEETINGS}/{second}").get_data(as_text=True)
    assert "Beantwortete Rückfragen seit der Besprechung davor" in protocol
    assert "Frage: Welche &lt;Laterne&gt;?" in protocol
    assert "Antwort: Die am Spielplatz." in protocol
    earlier = lead.get(f"{MEETINGS}/{first}").get_data(as_text=True)
    assert "Die am Spielplatz." not in earlier
