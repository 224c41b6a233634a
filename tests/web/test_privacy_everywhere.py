"""Every way text reaches the store goes through the data-protection guard, and a refused text
is stored nowhere: not in a layer, a version file, the audit log, the instance folder or the
log output. One case per entry point (API and web forms); the texts use spellings the old rule
set let through ("Hr" without a dot, a written-out birth date with a two-digit year, spaced
and slashed phone numbers, a spelled-out e-mail address).

Runs on both store backends (``backend`` parametrised with the cases, see ``CASES``): with
PostgreSQL no table of the database may hold the text either."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from support.backends import database_hits
from support.web import csrf_token, login

from sozialraum import settings
from sozialraum.model.notes import add_months
from sozialraum.model.roles import Role
from sozialraum.services.notes import Actor, create_note

AREA = "musterstadt-nord"
#: a distinctive name and number that must never reach a file or a log line
MARKERS = ("Zwiebelhuber", "246 80 13", "123A456789")
#: one text per class the old rule set let through
TEXTS = {
    "salutation": "Hr Zwiebelhuber wohnt im 2. OG",
    "birth": "Geburtsdatum 12.03.75, Klingel Zwiebelhuber",
    "contact": "zwiebelhuber(at)web.de, (0171) 246 80 13",
    "number": "Kd. 123A456789, Briefkasten fehlt",
}


def _address(demo_store):
    return demo_store.query(AREA, "addresses", district="r1")[0]


def _header(client):
    return {"X-CSRFToken": csrf_token(client, "/")}


def _api_note_create(app, demo_store, text):
    client = login(app.test_client())
    body = {"address_id": _address(demo_store)["id"], "category": "beobachtung", "text": text}
    return client.post(f"/api/areas/{AREA}/notes", json=body, headers=_header(client))


def _api_note_update(app, demo_store, text):
    client = login(app.test_client())
    headers = _header(client)
    body = {"address_id": _address(demo_store)["id"], "category": "beobachtung", "text": "Bank."}
    created = client.post(f"/api/areas/{AREA}/notes", json=body, headers=headers)
    assert created.status_code == 201
    return client.put(
        f"/api/areas/{AREA}/notes/{created.json['id']}",
        json={**body, "text": text},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )


def _form_note(app, demo_store, text):
    client = login(app.test_client())
    data = {"csrf_token": csrf_token(client, "/"), "category": "beobachtung", "text": text,
            "review_state": "entwurf", "address_id": _address(demo_store)["id"]}  # fmt: skip
    return client.post(f"/gebiete/{AREA}/notizen/neu", data=data)


def _review_comment(app, demo_store, text):
    actor = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    note = create_note(
        demo_store, AREA,
        {"category": "beobachtung", "text": "Neue Bank.", "review_state": "eingereicht",
         "address_id": _address(demo_store)["id"]},
        actor=actor, rules=app.extensions["sozialraum"].note_rules, today=settings.today(),
    )  # fmt: skip
    lead = login(app.test_client(), "lead")
    data = {"csrf_token": csrf_token(lead, "/"), "version": "1", "action": "rueckfrage",
            "comment": text}  # fmt: skip
    return lead.post(f"/gebiete/{AREA}/pruefung/{note['id']}", data=data)


def _offer_proposal(app, demo_store, text):
    client = login(app.test_client())
    lon, lat = _address(demo_store)["geometry"]["coordinates"]
    offer = {"name": "Kochtreff Nord", "provider": "Nachbarschaftsverein Nord",
             "funders": ["kommune"], "description": "Gemeinsam kochen.",
             "phone": "01234 5678-90", "lon": lon, "lat": lat}  # fmt: skip
    return client.post(
        f"/api/areas/{AREA}/offer-proposals",
        json={"offer": offer, "comment": text},
        headers=_header(client),
    )


def _walk_plan(app, demo_store, text):
    client = login(app.test_client())
    resources = demo_store.query(AREA, "resources", district="r1")[:2]
    data = {"csrf_token": csrf_token(client, "/"), "district": "r1", "title": "Erkundung",
            "walk_on": "2026-12-01", "purpose": text,
            "stop": [f"resource:{r['id']}" for r in resources]}  # fmt: skip
    return client.post(f"/gebiete/{AREA}/rundgaenge/neu", data=data)


def _returned_mail(app, demo_store, text):
    client = login(app.test_client())
    props = _address(demo_store)["properties"]
    day = add_months(settings.today(), -1).strftime("%d.%m.%Y")
    reason = text.replace(";", ",")
    data = f"Datum;Adresse;Grund\n{day};{props['street']} {props['housenumber']};{reason}\n"
    token = csrf_token(client, f"/gebiete/{AREA}/briefkasten")
    return client.post(
        f"/gebiete/{AREA}/briefkasten/ruecklaeufer",
        data={"csrf_token": token, "datei": (io.BytesIO(data.encode()), "r.csv")},
        content_type="multipart/form-data",
    )


def _query_answer(app, demo_store, text):
    actor = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    note = create_note(
        demo_store, AREA,
        {"category": "beobachtung", "text": "Neue Bank.", "review_state": "eingereicht",
         "address_id": _address(demo_store)["id"]},
        actor=actor, rules=app.extensions["sozialraum"].note_rules, today=settings.today(),
    )  # fmt: skip
    lead = login(app.test_client(), "lead")
    data = {"csrf_token": csrf_token(lead, "/"), "version": "1", "action": "rueckfrage",
            "comment": "Welche Bank genau?"}  # fmt: skip
    assert lead.post(f"/gebiete/{AREA}/pruefung/{note['id']}", data=data).status_code == 303
    client = login(app.test_client())
    data = {"csrf_token": csrf_token(client, "/"), "version": "2", "answer": text}
    return client.post(f"/gebiete/{AREA}/notizen/{note['id']}/antwort", data=data)


ENTRY_POINTS = {
    "api-note-create": (_api_note_create, 422),
    "api-note-update": (_api_note_update, 422),
    "form-note": (_form_note, 422),
    "review-comment": (_review_comment, 422),
    "query-answer": (_query_answer, 422),
    "offer-proposal": (_offer_proposal, 422),
    "walk-plan": (_walk_plan, 422),
    "returned-mail": (_returned_mail, 200),  # only the reason's key is kept, with a notice
}


def _files_with_markers(*folders: Path) -> list[str]:
    hits = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                hits += [f"{path}: {m}" for m in MARKERS if m.encode() in data]
                hits += [f"{path}: {m}" for m in MARKERS if m.lower().encode() in data]
    return hits


#: Every entry point × every text on the files; on PostgreSQL every entry point with the text
#: holding a name and a phone number (the guard is the same, the way to the store is not).
CASES = [("geojson", entry, kind) for entry in sorted(ENTRY_POINTS) for kind in sorted(TEXTS)]
CASES += [("postgres", entry, "contact") for entry in sorted(ENTRY_POINTS)]


@pytest.mark.parametrize(("backend", "entry", "kind"), CASES)
def test_refused_text_is_stored_and_logged_nowhere(app, demo_store, caplog, backend, entry, kind):
    send, status = ENTRY_POINTS[entry]
    text = TEXTS[kind]
    with caplog.at_level(logging.DEBUG):
        response = send(app, demo_store, text)
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:500]
    assert "Sozialdatenschutz" in body or "persönliche" in body  # the German explanation
    for marker in MARKERS:  # only the user's own form field may echo the text
        assert marker.lower() not in body.replace(text, "").lower()
    assert _files_with_markers(demo_store.data_dir, app.instance_path) == []
    assert database_hits(demo_store, MARKERS) == []  # PostgreSQL: in no table
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert not any(m.lower() in logged.lower() for m in MARKERS), logged[-2000:]
