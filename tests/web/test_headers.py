"""Security headers on every response of every route, errors included; cookies."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest
import requests
from support.web import DEMO_LOGINS, csrf_token, login

from sozialraum.web import create_app
from sozialraum.web.routes import ROUTES

AREA = "musterstadt-nord"
TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


def _fill(rule: str, samples: dict) -> str:
    for name, value in samples.items():
        rule = rule.replace(f"<{name}>", value)
    return rule


@pytest.fixture
def tiled_app(demo_store):
    return create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": TILES})


def _samples(store) -> dict:
    return {
        "area": AREA,
        "district": "r1",
        "category": "bakery",
        "resource_id": store.query(AREA, "resources")[0]["id"],
        "address_id": store.query(AREA, "addresses")[0]["id"],
        "note_id": store.query(AREA, "notes")[0]["id"],
        "walk_id": store.query(AREA, "walks")[0]["id"],
        "offer_id": store.query(AREA, "offers")[0]["id"],
        "meeting_id": "gibt-es-nicht",
        "proposal_id": "gibt-es-nicht",
        # a stored basemap tile of the area
        **dict(zip(("int:z", "int:x", "int:y"), map(str, _first_tile(store)), strict=True)),
    }


def _first_tile(store) -> tuple[int, int, int]:
    from sozialraum.basemap import BasemapArchive
    from sozialraum.osm.import_basemap import basemap_path

    with BasemapArchive(basemap_path(store, AREA)) as archive:
        return next(archive.coordinates())


def _check(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (d.strip() for d in csp.split(";"))):
        name, _, sources = part.partition(" ")
        directives[name] = sources
    assert directives.get("default-src") == "'self'", where
    assert directives.get("frame-ancestors") == "'self'", where
    assert directives.get("object-src") == "'none'", where
    assert directives["img-src"].split() == ["'self'", "data:", "https://*.tiles.example.org"]
    for name in ("connect-src", "font-src"):
        assert directives[name] == "'self'", (where, name)
    # issue 26, finding 6: inline scripts and styles only with this response's nonce
    nonces = set()
    for name in ("script-src", "style-src"):
        sources = directives[name].split()
        assert sources[0] == "'self'" and len(sources) <= 2, (where, name, sources)
        for source in sources[1:]:
            match = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{22,})'", source)
            assert match, (where, name, sources)  # never 'unsafe-inline'
            nonces.add(match[1])
    assert "unsafe" not in csp, where
    assert len(nonces) <= 1, where
    if response.mimetype == "text/html":
        _check_inline(response.get_data(as_text=True), nonces.pop() if nonces else None, where)
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    assert headers.get("X-Frame-Options") == "SAMEORIGIN", where


class _Inline(HTMLParser):
    """Every ``<script>``/``<style>`` element (with its nonce), every inline style and handler."""

    def __init__(self):
        super().__init__()
        self.elements, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.elements.append((tag, attrs.get("nonce")))
        self.attributes += [f"{tag} {a}" for a in attrs if a == "style" or a.startswith("on")]


def _check_inline(html: str, nonce: str | None, where: str) -> None:
    """Every script and style element of a page carries the response's nonce, and there are
    no ``style=""`` attributes or inline event handlers (the CSP blocks both)."""
    parser = _Inline()
    parser.feed(html)
    assert parser.attributes == [], where
    assert all(n is not None and n == nonce for _, n in parser.elements), (where, parser.elements)


@pytest.mark.parametrize("role", [None, "viewer", "caseworker", "admin"])
def test_every_route_every_method_has_the_headers_and_no_store(tiled_app, demo_store, role):
    client = tiled_app.test_client()
    if role:
        login(client, role)
    samples = _samples(demo_store)
    seen = set()
    for route in ROUTES:
        for method in route.methods:
            url = _fill(route.rule, samples)
            response = client.open(url, method=method)  # writes without a token: 400
            where = f"{method} {url} as {role}: {response.status_code}"
            assert response.status_code < 500, where
            _check(response, where)
            if route.endpoint == "basemap_tile" and response.status_code == 200:
                # OSM data only: kept in the browser's own cache, never a shared one
                assert response.headers["Cache-Control"].startswith("private"), where
            elif response.status_code != 304:
                assert "no-store" in response.headers.get("Cache-Control", ""), where
            seen.add(response.status_code)
    assert {200, 400}.issubset(seen) if role else {200, 401}.issubset(seen)


def test_error_responses_have_the_headers(tiled_app):
    client = login(tiled_app.test_client())
    token = csrf_token(client, "/")
    answers = {
        "404 page": client.get("/gibt-es-nicht"),
        "404 api": client.get("/api/gibt-es-nicht"),
        "405": client.delete("/"),
        "400 csrf": client.post(f"/api/areas/{AREA}/notes", json={}),
        "413": client.post(
            f"/api/areas/{AREA}/notes",
            data=b"x" * (tiled_app.config["MAX_CONTENT_LENGTH"] + 1),
            headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        ),
        "401": tiled_app.test_client().get(f"/api/areas/{AREA}/notes"),
    }
    for name, response in answers.items():
        assert response.status_code == int(name.split()[0]), name
        _check(response, name)
        assert "no-store" in response.headers["Cache-Control"], name


def test_an_unexpected_error_is_a_500_with_the_headers(demo_store):
    app = create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": TILES})

    @app.get("/kaputt")
    def broken():
        raise RuntimeError("boom")

    response = app.test_client().get("/kaputt")
    assert response.status_code == 500
    assert "boom" not in response.get_data(as_text=True)
    _check(response, "500")


def test_static_assets_are_cacheable_but_guarded(tiled_app):
    response = tiled_app.test_client().get("/static/sozialraum/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    _check(response, "static")


def _login_cookie(app, headers=None, base_url="http://localhost", referer=None) -> str:
    client = app.test_client()
    name, password = DEMO_LOGINS["caseworker"]
    headers = dict(headers or {})
    token = csrf_token(client, headers=headers, base_url=base_url)
    headers["Referer"] = referer or f"{base_url}/anmelden"
    response = client.post(
        "/anmelden",
        data={"csrf_token": token, "username": name, "password": password},
        headers=headers,
        base_url=base_url,
    )
    assert response.status_code == 302
    return response.headers["Set-Cookie"]


def test_cookie_is_secure_behind_a_trusted_https_proxy(demo_store):
    app = create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": "", "PROXY_COUNT": 1})
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sozialraum.example.de"}
    cookie = _login_cookie(app, https, referer="https://sozialraum.example.de/anmelden")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    plain = _login_cookie(app)
    assert "Secure" not in plain and "HttpOnly" in plain


def test_forwarded_proto_is_ignored_without_a_trusted_proxy(demo_store):
    app = create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""})
    cookie = _login_cookie(app, {"X-Forwarded-Proto": "https"})
    assert "Secure" not in cookie
    direct = _login_cookie(app, base_url="https://localhost")
    assert "Secure" in direct


# -- the production servers behind a proxy (issue 26, finding 1) ------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=[1, 2], ids=["waitress", "gunicorn"])
def proxied_server(request, demo_store):
    """``sozialraum serve`` (one process: waitress; --workers 2: gunicorn) with
    ``PROXY_COUNT=1`` and a per-address login limit of 3; yields the base URL."""
    port = _free_port()
    env = dict(
        os.environ,
        SOZIALRAUM_PROXY_COUNT="1",
        SOZIALRAUM_LOGIN_MAX_FAILURES_PER_IP="3",
        SOZIALRAUM_HSTS_MAX_AGE_S="600",
    )
    command = [sys.executable, "-m", "sozialraum.cli", "serve", "--port", str(port)]
    command += ["--data-dir", str(demo_store.data_dir), "--workers", str(request.param)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            assert server.poll() is None, "the server stopped"
            try:
                requests.get(f"{base}/anmelden", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _failed_login(base: str, client_ip: str, name: str) -> requests.Response:
    """A wrong password for ``name`` from ``client_ip`` as the proxy reports it."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = client_ip
    page = session.get(f"{base}/anmelden", timeout=30).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "username": name, "password": "falsch-falsch-falsch"}
    return session.post(f"{base}/anmelden", data=form, timeout=30, allow_redirects=False)


def test_both_servers_see_https_behind_the_proxy(proxied_server):
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    secure = requests.get(f"{proxied_server}/anmelden", headers=https, timeout=30)
    assert secure.status_code == 200
    assert "Secure" in secure.headers["Set-Cookie"]
    assert secure.headers["Strict-Transport-Security"] == "max-age=600"
    plain = requests.get(f"{proxied_server}/anmelden", timeout=30)
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers


def test_both_servers_limit_logins_per_client_address_not_per_proxy(proxied_server):
    for number in range(3):
        assert _failed_login(proxied_server, "203.0.113.1", f"niemand-{number}").status_code == 401
    assert _failed_login(proxied_server, "203.0.113.1", "niemand-9").status_code == 429
    # another client behind the same proxy is not locked out
    assert _failed_login(proxied_server, "203.0.113.2", "niemand-9").status_code == 401


def test_hsts_only_over_https_and_configurable(demo_store):
    app = create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": "", "HSTS_MAX_AGE_S": 60})
    client = app.test_client()
    assert (
        client.get("/anmelden", base_url="https://localhost").headers["Strict-Transport-Security"]
        == "max-age=60"
    )
    assert "Strict-Transport-Security" not in client.get("/anmelden").headers
    app.config["HSTS_MAX_AGE_S"] = 0
    assert (
        "Strict-Transport-Security"
        not in client.get("/anmelden", base_url="https://localhost").headers
    )
