# ruff: noqa: E501  (tables of test cases, one per line)
"""The admin pages through the Flask test client: POST-redirect-GET with German messages,
the one-time password shown once (never in a URL or cookie), uploads that never fail with a
500 or leave a half-written file. Every test here runs on both store backends (``pytestmark``:
GeoJSON files, PostgreSQL with the accounts in the database)."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from support.backends import accounts_state, both_backends, store_state
from support.samples import AREA
from support.web import csrf_token, login

BASE = f"/gebiete/{AREA}/verwaltung/bezirke"
pytestmark = both_backends


@pytest.fixture
def admin(app):
    client = login(app.test_client(), "admin")
    return client, csrf_token(client, "/verwaltung/")


def _messages(response) -> list[str]:
    return re.findall(r'class="admin-message[^"]*"[^>]*>([^<]*)<', response.get_data(as_text=True))


def _hashes(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock") and "sessions" not in p.name
        and "logins" not in p.name
    }  # fmt: skip


def _state(demo_store) -> tuple:
    """Files, store and accounts: equal before and after means nothing was written."""
    return (
        _hashes(demo_store.data_dir),
        store_state(demo_store, AREA),
        accounts_state(demo_store),
    )


def test_create_account_shows_the_one_time_password_once(admin, app):
    client, token = admin
    answer = client.post(
        "/verwaltung/konten",
        data={"csrf_token": token, "name": "Neu.Person", "role": "caseworker", "team": "team nord"},
    )
    assert answer.status_code == 200
    password = re.search(r'id="einmalpasswort">([^<]+)<', answer.get_data(as_text=True)).group(1)
    assert password not in (answer.headers.get("Set-Cookie") or "")
    assert password not in client.get("/verwaltung/konten").get_data(as_text=True)  # once
    fresh = app.test_client()
    response = fresh.post(
        "/anmelden",
        data={"csrf_token": csrf_token(fresh), "username": "neu.person", "password": password},
    )
    assert response.status_code == 302
    assert "Neu.Person" not in client.get("/verwaltung/konten").get_data(as_text=True)


def test_refused_changes_redirect_with_a_german_message(admin, demo_store):
    client, token = admin
    cases = [
        ("/verwaltung/konten/demo-admin/sperren", {}, "letzte aktive Administrationskonto"),
        ("/verwaltung/konten/demo-admin/rolle", {"role": "lead", "team": "Team Nord"}, "herabgestuft"),
        ("/verwaltung/konten", {"name": "x", "role": "caseworker", "team": "T"}, "Anmeldename"),
        ("/verwaltung/konten", {"name": "demo-fachkraft", "role": "lead", "team": "T"}, "gibt es schon"),
        ("/verwaltung/konten/demo-lesend/passwort", {"password": "kurz"}, "mindestens 10 Zeichen"),
        ("/verwaltung/teams", {"name": "team nord"}, "gibt es schon"),
        ("/verwaltung/teams/umbenennen", {"team": "Team Nord", "name": "Team Mühle"}, "gibt es schon"),
        (f"{BASE}/r1/name", {"name": "Mühlenviertel"}, "gibt es in diesem Gebiet schon"),
        (f"{BASE}/zeichnen", {"name": "X", "geometry": ""}, "Fläche auf der Karte zeichnen"),
    ]  # fmt: skip
    before = _state(demo_store)
    for url, form, word in cases:
        answer = client.post(url, data={"csrf_token": token, **form})
        assert answer.status_code == 303, (url, answer.status_code)
        messages = _messages(client.get(answer.headers["Location"]))
        assert any(word in m for m in messages), (url, messages)
    assert _state(demo_store) == before


def test_district_uploads_never_500_and_change_nothing_when_bad(admin, demo_store, app):
    client, token = admin
    before = _state(demo_store)
    bad = {
        "latin-1": '{"type": "Feature", "properties": {"name": "Süd"}}'.encode("cp1252"),
        "malformed": b'{"type": "FeatureCollection", "features": [',
        "points": json.dumps({"type": "Point", "coordinates": [6.9, 51.4]}).encode(),
        "binary": bytes(range(256)) * 10,
    }
    for name, data in bad.items():
        answer = client.post(
            f"{BASE}/datei", data={"csrf_token": token, "datei": (io.BytesIO(data), "b.geojson")}
        )
        assert answer.status_code == 303, name
        assert _messages(client.get(answer.headers["Location"])), name
    # larger than the app accepts at all: 413 with the German error page, not a 500
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    huge = client.post(
        f"{BASE}/datei",
        data={"csrf_token": token, "datei": (io.BytesIO(b" " * 100_000), "b.geojson")},
    )
    assert huge.status_code == 413
    assert _state(demo_store) == before


def test_a_good_district_file_replaces_the_districts(admin, demo_store):
    client, token = admin
    w, s, e, n = demo_store.read_meta(AREA)["bbox"]
    ring = [[w - 0.01, s - 0.01], [e + 0.01, s - 0.01], [e + 0.01, n + 0.01], [w - 0.01, n + 0.01], [w - 0.01, s - 0.01]]  # fmt: skip
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ganz Musterstadt"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()  # fmt: skip
    answer = client.post(
        f"{BASE}/datei", data={"csrf_token": token, "datei": (io.BytesIO(data), "b.geojson")}
    )
    assert answer.status_code == 303
    assert any(
        "1 Bezirke aus der Datei" in m for m in _messages(client.get(answer.headers["Location"]))
    )
    assert [d["id"] for d in demo_store.query(AREA, "districts")] == ["ganz-musterstadt"]
    page = client.get(BASE).get_data(as_text=True)
    assert "Kein Team zuständig" in page
