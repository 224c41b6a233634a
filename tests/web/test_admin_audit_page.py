"""The "Protokoll" of account changes on the admin's accounts page, on both backends.

Changes made on the admin pages are logged with the admin's login name; the page lists the
newest entries as text (a team name with markup stays text), says when the chain is broken,
and never shows a password.
"""

from __future__ import annotations

import re

import pytest
from support.backends import edit_account_audit
from support.web import csrf_token, login

from sozialraum.web import context as ctx

PAGE = "/verwaltung/konten"
PASSWORD = "Hochfeld-Markt-2026"


@pytest.fixture
def demo_store(backend_demo_store):
    return backend_demo_store


@pytest.fixture
def admin(app):
    client = login(app.test_client(), "admin")
    return client, csrf_token(client, "/verwaltung/")


def _log(app):
    with app.app_context():
        return ctx.services().accounts.users.audit


def _protocol(page: str) -> list[list[str]]:
    """The rows of the Protokoll table as cell texts."""
    table = re.search(r'<table[^>]*id="protokoll-tabelle".*?<tbody>(.*?)</tbody>', page, re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]


def test_admin_changes_are_logged_with_the_admin_and_listed(admin, app):
    client, token = admin
    log = _log(app)
    before = len(log.entries())
    steps = [
        ("/verwaltung/konten/demo-lesend/sperren", {}),
        ("/verwaltung/konten/demo-lesend/entsperren", {}),
        ("/verwaltung/konten/demo-lesend/passwort", {"password": PASSWORD}),
        ("/verwaltung/konten/demo-lesend/rolle", {"role": "lead", "team": "Team <b>Süd</b>"}),
        ("/verwaltung/konten", {"name": "neu.person", "role": "viewer", "team": "Team Nord"}),
        ("/verwaltung/teams", {"name": "Team <i>Ost</i> & Co"}),
    ]
    for path, data in steps:
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code in (200, 303), (path, answer.status_code)
    entries = log.entries()[before:]
    assert [e["action"] for e in entries] == [
        "user_disable",
        "user_enable",
        "password_set",
        "role_team_set",
        "user_add",
        "team_add",
    ]
    assert {e["actor"] for e in entries} == {"demo-admin"}
    assert entries[3]["role_old"] == "viewer" and entries[3]["role_new"] == "lead"
    assert entries[3]["team_new"] == "Team <b>Süd</b>"
    assert log.verify().ok
    page = client.get(PAGE).get_data(as_text=True)
    assert '<h2 id="protokoll-titel">Protokoll</h2>' in page
    assert 'href="#protokoll"' in page
    rows = _protocol(page)
    assert rows[0][1:4] == ["demo-admin", "Team angelegt", "Team &lt;i&gt;Ost&lt;/i&gt; &amp; Co"]
    assert rows[1][1:4] == ["demo-admin", "Konto angelegt", "neu.person"]
    assert rows[2][2:4] == ["Rolle/Team geändert", "demo-lesend"]
    assert "Lesezugriff → Teamleitung" in rows[2][4] and "&lt;b&gt;Süd&lt;/b&gt;" in rows[2][4]
    assert rows[5][2:4] == ["Konto gesperrt", "demo-lesend"]
    assert "<b>Süd" not in page and "<i>Ost" not in page  # text, never markup
    assert PASSWORD not in page
    assert 'id="protokoll-fehler"' not in page
    start = page.index('id="protokoll"')
    section = page[start : page.index("</section>", start)]
    assert "style=" not in section and "<script" not in section
    assert not re.search(r"\son\w+=", section)  # no inline handlers
    assert all("nonce=" in tag for tag in re.findall(r"<script[^>]*>", page))


def test_a_refused_change_is_not_logged(admin, app):
    client, token = admin
    log = _log(app)
    before = len(log.entries())
    client.post("/verwaltung/konten/demo-admin/sperren", data={"csrf_token": token})
    client.post(
        "/verwaltung/konten", data={"csrf_token": token, "name": "x", "role": "viewer", "team": "T"}
    )
    assert len(log.entries()) == before


def test_a_broken_chain_is_shown(admin, app, demo_store):
    client, token = admin
    client.post("/verwaltung/konten/demo-lesend/sperren", data={"csrf_token": token})
    url = getattr(demo_store, "url", None)
    edit_account_audit(demo_store.data_dir, url, '"demo-lesend"', '"demo-leitung"')
    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="protokoll-fehler"' in page
    assert "sozialraum users audit --verify" in page
