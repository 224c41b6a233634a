"""The login pages on both account backends: the app chooses the backend from DATABASE_URL."""

from __future__ import annotations

import pytest
from support.web import csrf_token

from sozialraum.accounts.demo import install_demo_users

API = "/api/areas"
NAME, PASSWORD = "demo-leitung", "demo-leitung-2026"


@pytest.fixture(params=["files", "postgres"])
def app(request, tmp_path):
    """The app with an empty data folder and the demo accounts on one backend."""
    from sozialraum.web import create_app

    url = request.getfixturevalue("pg_url") if request.param == "postgres" else ""
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "data"),
            "TILE_URL": "",
            "DATABASE_URL": url,
            "LOGIN_MAX_FAILURES_PER_USER": 3,
        }
    )
    accounts = app.extensions["sozialraum"].accounts
    assert accounts.backend == request.param
    install_demo_users(accounts.users)
    return app


def _login(client, password=PASSWORD):
    data = {"csrf_token": csrf_token(client), "username": NAME, "password": password}
    return client.post("/anmelden", data=data)


def test_login_session_and_logout(app):
    client = app.test_client()
    assert client.get(API).status_code == 401
    assert _login(client).status_code == 302
    assert client.get(API).status_code == 200
    assert app.extensions["sozialraum"].accounts.sessions.active(NAME) == 1
    cookie = client.get_cookie("session").value
    client.post("/abmelden", data={"csrf_token": csrf_token(client, "/")})
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get(API).status_code == 401
    assert app.extensions["sozialraum"].accounts.sessions.active(NAME) == 0


def test_disabling_a_user_ends_the_session(app):
    client = app.test_client()
    assert _login(client).status_code == 302
    app.extensions["sozialraum"].accounts.users.disable(NAME)
    assert client.get(API).status_code == 401


def test_the_login_limit_answers_429(app):
    for _ in range(3):
        assert _login(app.test_client(), "falsch-falsch-1").status_code == 401
    refused = _login(app.test_client())
    assert refused.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in refused.get_data(as_text=True)


def test_admin_pages_change_the_accounts_of_the_backend(app):
    """Teams, role changes and the last-admin rule through the admin pages, on both backends."""
    accounts = app.extensions["sozialraum"].accounts
    client = app.test_client()
    data = {"csrf_token": csrf_token(client), "username": "demo-admin"}
    assert client.post("/anmelden", data={**data, "password": "demo-admin-2026"}).status_code == 302
    token = csrf_token(client, "/verwaltung/")

    def post(path, **form):
        return client.post(path, data={"csrf_token": token, **form}, follow_redirects=True)

    assert "Team „Team Ost“ angelegt" in post("/verwaltung/teams", name="Team Ost").text
    assert accounts.teams.list() == ["Team Ost"]
    answer = post("/verwaltung/konten/demo-leitung/rolle", role="caseworker", team="team ost")
    assert answer.status_code == 200 and accounts.users.get("demo-leitung").team == "Team Ost"
    refused = post("/verwaltung/konten/demo-admin/sperren")
    assert "letzte aktive Administrationskonto" in refused.text
    assert not accounts.users.get("demo-admin").disabled
    refused = post("/verwaltung/konten/demo-admin/rolle", role="lead", team="Team Nord")
    assert "letzte aktive Administrationskonto" in refused.text
    assert accounts.users.get("demo-admin").role == "admin"
    post("/verwaltung/teams/umbenennen", team="Team Ost", name="Team Osten")
    assert accounts.teams.list() == ["Team Osten"]
    assert accounts.users.get("demo-leitung").team == "Team Osten"
