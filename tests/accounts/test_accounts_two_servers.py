"""Two app servers on one database behave as one for logins (issue 22).

Two ``sozialraum serve --workers 2`` processes (gunicorn, two worker processes each) on
different loopback ports, with separate instance and data folders and one PostgreSQL
database (the throwaway cluster of ``pg_url``), sharing only the database URL and the
secret key, as behind a load balancer: a session made on one server is valid on the
other, logout on one ends it on both, and failed logins on both add up to the limit.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from support.paths import ROOT

from sozialraum.accounts.postgres import PostgresUserStore

PASSWORD = "Zwei-Server-2026"
#: failed logins per user name before the login is refused (on both servers together)
LIMIT = 4


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(folder: Path, env: dict):
    """``sozialraum serve --workers 2`` with its own instance and data folder; stopped after."""
    folder.mkdir()
    port = _free_port()
    env = {**os.environ, **env, "SOZIALRAUM_INSTANCE_PATH": str(folder / "instance")}
    command = [sys.executable, "-m", "sozialraum.cli", "serve", "--workers", "2", "--threads", "2"]
    command += ["--data-dir", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)]
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(3000):  # until it answers (or the process ends: the log says why)
            if proc.poll() is not None:
                pytest.fail(f"sozialraum serve stopped:\n{log_path.read_text()}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{base}/anmelden", timeout=5).status_code == 200:
                    break
            time.sleep(0.1)
        else:  # a start that hangs must not hang the test run
            pytest.fail(f"sozialraum serve does not answer:\n{log_path.read_text()}")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's master and its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _csrf(client: requests.Session, base: str, path: str = "/anmelden") -> str:
    page = client.get(base + path, timeout=10).text
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def _login(client: requests.Session, base: str, password: str) -> int:
    token = _csrf(client, base)
    data = {"csrf_token": token, "username": "anna", "password": password}
    return client.post(f"{base}/anmelden", data=data, allow_redirects=False, timeout=30).status_code


def _cookie_client(cookies) -> requests.Session:
    """A browser that holds nothing but a copy of ``cookies`` (a cookie jar)."""
    client = requests.Session()
    client.cookies = cookies.copy()
    return client


def _start_page(client: requests.Session, base: str) -> int:
    return client.get(f"{base}/", allow_redirects=False, timeout=10).status_code


@pytest.fixture
def two_servers(pg_url, tmp_path):
    PostgresUserStore(pg_url).add("anna", "caseworker", "Team Nord", PASSWORD)
    shared = {
        "SOZIALRAUM_DATABASE_URL": pg_url,
        "SOZIALRAUM_SECRET_KEY": "one-key-for-every-app-server-of-the-test",
        "SOZIALRAUM_LOGIN_MAX_FAILURES_PER_USER": str(LIMIT),
    }
    with _server(tmp_path / "a", shared) as server_a, _server(tmp_path / "b", shared) as server_b:
        yield server_a, server_b


def test_a_session_made_on_one_server_is_valid_on_the_other_until_logout(two_servers):
    server_a, server_b = two_servers
    browser = requests.Session()
    assert _start_page(browser, server_a) == 401
    assert _login(browser, server_a, PASSWORD) == 302
    cookies = browser.cookies.copy()  # cookies are per host, not per port: both servers
    for _ in range(4):  # several requests: both worker processes of each server answer
        assert _start_page(_cookie_client(cookies), server_a) == 200
        assert _start_page(_cookie_client(cookies), server_b) == 200
    on_b = _cookie_client(cookies)
    token = _csrf(on_b, server_b, "/")
    logout = on_b.post(
        f"{server_b}/abmelden", data={"csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert logout.status_code == 302
    for _ in range(4):  # the old cookie, replayed: refused on both servers
        assert _start_page(_cookie_client(cookies), server_a) == 401
        assert _start_page(_cookie_client(cookies), server_b) == 401


def test_failed_logins_on_both_servers_add_up_to_the_limit(two_servers):
    server_a, server_b = two_servers
    for i in range(LIMIT):  # alternating: half of the guesses on each server
        assert _login(requests.Session(), (server_a, server_b)[i % 2], "falsch-geraten-1") == 401
    # the limit is reached on both servers, even for the right password
    assert _login(requests.Session(), server_a, PASSWORD) == 429
    assert _login(requests.Session(), server_b, PASSWORD) == 429
