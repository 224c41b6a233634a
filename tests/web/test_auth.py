"""Login, logout, server-side sessions, expiry, rate limit, CSRF, cookie flags."""

from __future__ import annotations

import re

from conftest import DEMO_LOGINS, csrf_token, login

API = "/api/areas"


def _post_login(client, name, password, path="/anmelden"):
    return client.post(
        path, data={"csrf_token": csrf_token(client), "username": name, "password": password}
    )


def test_login_and_logout(anon_client):
    assert anon_client.get(API).status_code == 401
    page = anon_client.get("/")
    assert page.status_code == 401 and "Anmelden" in page.get_data(as_text=True)
    login(anon_client, "viewer")
    assert anon_client.get(API).status_code == 200
    overview = anon_client.get("/").get_data(as_text=True)
    assert "demo-lesend" in overview and "Lesezugriff" in overview
    response = anon_client.post("/abmelden", data={"csrf_token": csrf_token(anon_client, "/")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/anmelden")
    assert anon_client.get(API).status_code == 401


def test_wrong_password_is_refused_in_german(anon_client):
    response = _post_login(anon_client, "demo-fachkraft", "falsch-falsch")
    assert response.status_code == 401
    assert "Benutzername oder Passwort ist falsch." in response.get_data(as_text=True)
    assert anon_client.get(API).status_code == 401


def test_user_name_is_case_insensitive(anon_client):
    name, password = DEMO_LOGINS["caseworker"]
    assert _post_login(anon_client, name.upper(), password).status_code == 302


def test_replayed_cookie_after_logout_gets_401(app):
    client = login(app.test_client())
    cookie = client.get_cookie("session").value
    client.post("/abmelden", data={"csrf_token": csrf_token(client, "/")})
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get(API).status_code == 401
    assert replay.get("/").status_code == 401


def test_disabling_a_user_ends_the_session(app):
    client = login(app.test_client(), "lead")
    assert client.get(API).status_code == 200
    app.extensions["sozialraum"]["accounts"]["users"].disable(DEMO_LOGINS["lead"][0])
    assert client.get(API).status_code == 401
    assert _post_login(app.test_client(), *DEMO_LOGINS["lead"]).status_code == 401


def test_session_expires_after_inactivity(app):
    sessions = app.extensions["sozialraum"]["accounts"]["sessions"]
    now = [1_000_000.0]
    sessions.clock = lambda: now[0]
    client = login(app.test_client())
    now[0] += sessions.idle_timeout_s - 120
    assert client.get(API).status_code == 200  # activity keeps it alive
    now[0] += sessions.idle_timeout_s - 120
    assert client.get(API).status_code == 200
    now[0] += sessions.idle_timeout_s + 1
    assert client.get(API).status_code == 401


def test_login_attempts_are_limited_per_user(app):
    name, password = DEMO_LOGINS["caseworker"]
    client = app.test_client()
    for _ in range(5):
        assert _post_login(client, name, "falsch-falsch").status_code == 401
    blocked = _post_login(client, name, password)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.get_data(as_text=True)
    other_name, other_password = DEMO_LOGINS["viewer"]
    assert _post_login(app.test_client(), other_name, other_password).status_code == 302


def test_login_attempts_are_limited_per_ip(app):
    client = app.test_client()
    for i in range(20):
        _post_login(client, f"jemand{i}", "falsch-falsch")
    name, password = DEMO_LOGINS["admin"]
    assert _post_login(client, name, password).status_code == 429


def test_forms_need_a_csrf_token(anon_client):
    name, password = DEMO_LOGINS["caseworker"]
    response = anon_client.post("/anmelden", data={"username": name, "password": password})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    login(anon_client)
    assert anon_client.post("/abmelden").status_code == 400
    assert anon_client.get(API).status_code == 200  # still logged in


def test_fetch_writes_send_the_token_in_a_header(client):
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/abmelden", headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert client.get(API).status_code == 401


def test_session_cookie_flags(app):
    client = app.test_client()
    name, password = DEMO_LOGINS["caseworker"]
    response = _post_login(client, name, password)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert name not in cookie and password not in cookie


def test_secure_cookie_behind_https(demo_store):
    from sozialraum.web import create_app

    app = create_app({"DATA_DIR": str(demo_store.data_dir), "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    name, password = DEMO_LOGINS["caseworker"]
    token = csrf_token(client, base_url="https://localhost")
    response = client.post(
        "/anmelden",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/anmelden"},
        data={"csrf_token": token, "username": name, "password": password},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers.get("Set-Cookie", "")


def test_next_parameter_never_leaves_the_site(anon_client):
    name, password = DEMO_LOGINS["caseworker"]
    for target in ("https://evil.example/", "//evil.example/", "/gebiete/musterstadt-nord/"):
        client = anon_client.application.test_client()
        response = _post_login(client, name, password, f"/anmelden?next={target}")
        location = response.headers["Location"]
        assert location in ("/", target) and "evil" not in location


def test_password_never_in_logs(app, caplog):
    name, _ = DEMO_LOGINS["caseworker"]
    caplog.set_level("DEBUG")
    _post_login(app.test_client(), name, "geheimes-passwort-123")
    assert "geheimes-passwort-123" not in caplog.text
