"""Login, logout, server-side sessions, expiry, rate limit, CSRF, cookie flags.

The replayed-cookie sweep (every write refused, nothing changed) runs on both store backends
(``@both_backends``)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.backends import accounts_state, both_backends, store_revisions
from support.web import DEMO_LOGINS, csrf_token, login

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
    app.extensions["sozialraum"].accounts.users.disable(DEMO_LOGINS["lead"][0])
    assert client.get(API).status_code == 401
    assert _post_login(app.test_client(), *DEMO_LOGINS["lead"]).status_code == 401


def test_session_expires_after_inactivity(app):
    sessions = app.extensions["sozialraum"].accounts.sessions
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


def test_the_login_cookie_is_set_once_and_lasts_a_working_day(app):
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    client = app.test_client()
    sent = datetime.now(UTC)
    login_answer = _post_login(client, *DEMO_LOGINS["caseworker"])
    expires = parsedate_to_datetime(
        re.search(r"Expires=([^;]+)", login_answer.headers["Set-Cookie"]).group(1)
    )
    assert 11.9 * 3600 <= (expires - sent).total_seconds() <= 12.1 * 3600
    for path in ("/", API, "/gebiete/musterstadt-nord/notizen"):
        answer = client.get(path)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers, path
    assert client.get(API).status_code == 200  # the same cookie still logs in


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


def _route_urls(demo_store, note_id: str) -> list[tuple[str, str]]:
    """(method, url) of every route that needs a login, with real ids."""
    from sozialraum.web.routes import ROUTES

    area = "musterstadt-nord"
    samples = {
        "area": area,
        "district": "r1",
        "category": "bakery",
        "resource_id": demo_store.query(area, "resources", category="bakery")[0]["id"],
        "address_id": demo_store.query(area, "addresses")[0]["id"],
        "note_id": note_id,
        "walk_id": demo_store.query(area, "walks")[0]["id"],
        "meeting_id": "m0",
        "offer_id": "o0",
        "proposal_id": "p0",
        "user": "demo-lesend",
        "z": "14",  # a basemap tile (any z/x/y: the login check comes first)
        "x": "8500",
        "y": "5480",
    }
    return [
        # converters (<int:z>) dropped: the sample values are already text
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.rule).format(**samples))
        for route in ROUTES
        if route.access != "public"
        for method in route.methods
    ]


def _data_files(data_dir) -> dict[str, bytes]:
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and p.name not in ("sessions.json", "logins.json")
    }


def _stored(demo_store) -> tuple:
    """The area and the accounts read through the store (either backend)."""
    return store_revisions(demo_store, "musterstadt-nord"), accounts_state(demo_store)


@both_backends
def test_replayed_cookie_after_logout_gets_401_on_every_route(app, demo_store):
    """The old cookie (with a CSRF token of its session) opens no page, API or write."""
    note_id = demo_store.query("musterstadt-nord", "notes", district="r1")[0]["id"]
    for role in ("caseworker", "admin"):
        client = login(app.test_client(), role)
        token = csrf_token(client, "/")  # puts the CSRF secret into the session cookie
        cookie = client.get_cookie("session").value
        assert client.get(API).status_code == 200
        client.post("/abmelden", data={"csrf_token": token})
        before = _data_files(demo_store.data_dir), _stored(demo_store)
        answers = []
        for method, url in _route_urls(demo_store, note_id):
            replay = app.test_client()
            replay.set_cookie("session", cookie)
            headers = {"X-CSRFToken": token, "If-Match": '"v1"'}
            if method == "GET":
                response = replay.get(url)
            elif url.startswith("/api/"):
                body = {"lon": 6.95, "lat": 51.43, "category": "beobachtung", "text": "Bank."}
                response = replay.open(url, method=method, json=body, headers=headers)
            else:
                data = {"csrf_token": token, "version": "1", "text": "Bank.", "action": "freigeben"}
                response = replay.open(url, method=method, data=data)
            answers.append((role, method, url, response.status_code))
        wrong = [a for a in answers if a[3] != 401]
        assert not wrong, wrong
        assert len(answers) > 60
        assert (_data_files(demo_store.data_dir), _stored(demo_store)) == before


def _failed_logins(
    data_dir: str, secret: str, name: str, password: str, count: int, queue, barrier=None
):
    """Worker process: its own app on the shared data dir; ``count`` login attempts
    (after ``barrier``, if given, so that workers guess at the same time)."""
    import re as re_

    from sozialraum.web import create_app

    app = create_app({"TESTING": True, "DATA_DIR": data_dir, "SECRET_KEY": secret})
    client = app.test_client()
    client.get("/anmelden")  # warm up before the race
    if barrier is not None:
        barrier.wait(timeout=120)
    statuses = []
    for _ in range(count):
        page = client.get("/anmelden").get_data(as_text=True)
        token = re_.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        response = client.post(
            "/anmelden", data={"csrf_token": token, "username": name, "password": password}
        )
        statuses.append(response.status_code)
    queue.put(statuses)


def _in_process(ctx, *args) -> list[int]:
    queue = ctx.Queue()
    worker = ctx.Process(target=_failed_logins, args=(*args, queue))
    worker.start()
    statuses = queue.get(timeout=300)
    worker.join(timeout=60)
    assert worker.exitcode == 0
    return statuses


def test_login_rate_limit_holds_across_app_instances(demo_store):
    """Two apps on one data dir (two workers) share the limit of 5 failures per user."""
    from sozialraum.web import create_app

    config = {"TESTING": True, "DATA_DIR": str(demo_store.data_dir), "SECRET_KEY": "s" * 32}
    first, second = create_app(config), create_app(config)
    name, password = DEMO_LOGINS["caseworker"]
    statuses = []
    for i in range(7):  # alternate between the workers
        client = (first if i % 2 == 0 else second).test_client()
        statuses.append(_post_login(client, name, "falsch-falsch").status_code)
    assert statuses == [401] * 5 + [429] * 2
    for app in (first, second):
        assert _post_login(app.test_client(), name, password).status_code == 429


def test_login_rate_limit_holds_across_processes(demo_store):
    """Real worker processes (spawn), each with its own create_app(): together no more
    than the configured 5 failures per user are checked against the password."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    name, password = DEMO_LOGINS["lead"]
    args = (str(demo_store.data_dir), "s" * 32)
    first = _in_process(ctx, *args, name, "falsch-falsch", 3)
    second = _in_process(ctx, *args, name, "falsch-falsch", 4)
    assert first + second == [401] * 5 + [429] * 2
    assert _in_process(ctx, *args, name, password, 1) == [429]  # even the right password
    other_name, other_password = DEMO_LOGINS["viewer"]
    assert _in_process(ctx, *args, other_name, other_password, 1) == [302]


def test_login_rate_limit_holds_for_concurrent_processes(demo_store):
    """Two processes guessing at the same time: still at most 5 wrong passwords are
    tried in all (a check-then-record race would let each process try its own 5)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    name, _ = DEMO_LOGINS["caseworker"]
    queue, barrier = ctx.Queue(), ctx.Barrier(2)
    args = (str(demo_store.data_dir), "s" * 32, name, "falsch-falsch", 6, queue, barrier)
    workers = [ctx.Process(target=_failed_logins, args=args) for _ in range(2)]
    for worker in workers:
        worker.start()
    statuses = queue.get(timeout=300) + queue.get(timeout=300)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) >= 7, statuses


# -- redirect targets (issue 26, finding 7) ---------------------------------------------------
_ATTACK_PREFIXES = ["/", "//", "/\\", "\\\\", "http://", "https:", "/%0d%0a", "/\t/", "javascript:"]
_SPECIAL = "\r\n\t \\/:%@?#&=;,\x00\x7f"
_TARGETS = st.one_of(
    st.text(),
    st.builds(lambda head, tail: head + tail, st.sampled_from(_ATTACK_PREFIXES), st.text()),
    st.builds(lambda tail: "/x" + tail, st.text(alphabet=_SPECIAL, min_size=1)),
)
_FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_same_site(response) -> None:
    """A redirect whose ``Location`` stays on this site and is a well-formed header."""
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in location), location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location


def test_a_crafted_next_with_a_newline_is_no_500_and_sets_no_cookie(app):
    client = app.test_client()
    name, password = DEMO_LOGINS["caseworker"]
    path = "/anmelden?next=/x%0D%0ASet-Cookie:%20injected=1"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "username": name, "password": password},
    )
    assert_same_site(response)
    assert response.headers["Location"] == "/"
    assert "injected" not in str(response.headers)
    assert client.get(API).status_code == 200  # the login itself worked


def test_a_local_next_is_kept_and_anything_else_goes_to_the_start_page(app):
    client = app.test_client()
    name, password = DEMO_LOGINS["caseworker"]
    path = "/anmelden?next=/gebiete/musterstadt-nord?district=bezirk-1%26x=%C3%A4"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "username": name, "password": password},
    )
    # the decoded target has a non-ASCII letter: not a plain URL path, so the start page
    assert response.headers["Location"] == "/"
    path = "/anmelden?next=/gebiete/musterstadt-nord%3Fdistrict%3Dbezirk-1"
    assert client.get(path).headers["Location"] == "/gebiete/musterstadt-nord?district=bezirk-1"


@_FUZZ
@given(target=_TARGETS)
def test_any_next_of_a_logged_in_user_redirects_on_this_site(client, target):
    assert_same_site(client.get("/anmelden", query_string={"next": target}))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=_TARGETS)
def test_any_next_after_a_login_redirects_on_this_site(app, target):
    client = app.test_client()
    name, password = DEMO_LOGINS["viewer"]
    response = client.post(
        "/anmelden",
        query_string={"next": target},
        data={"csrf_token": csrf_token(client), "username": name, "password": password},
    )
    assert_same_site(response)


@_FUZZ
@given(filters=_TARGETS, action=st.text(), position=st.text())
def test_the_review_redirect_keeps_any_posted_filter_on_this_site(app, filters, action, position):
    """The review page sends a lead back with the filters the form posted (user text)."""
    from flask import redirect

    from sozialraum.web.review import pages as pages_review

    form = {"filters": filters, "action": action, "position": position}
    with app.test_request_context("/gebiete/musterstadt-nord/pruefung/x", method="POST", data=form):
        location = pages_review._back("musterstadt-nord", erledigt=action, fokus=position)
        assert_same_site(redirect(location, 303))
