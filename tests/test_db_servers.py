"""Two app servers (``serve --workers 2`` each, own instance folder) on one PostgreSQL database
behave as one store: writes through either are all kept with distinct ids, a note written on
one is read on the other at once, and a stale ``If-Match`` is refused across servers.

Accounts and sessions are still files (issue 22's second part moves them into the database);
here both servers share the data folder that holds them and one secret key.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

from support.paths import ROOT

from sozialraum.demo.area import DEMO_AREA
from sozialraum.store import GeoJSONStore
from sozialraum.store.postgres import PostgresStore
from sozialraum.store.postgres.transfer import migrate_area

NOTES = f"/api/areas/{DEMO_AREA}/notes"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(data_dir, instance, env, log_path):
    """``sozialraum serve --workers 2`` (gunicorn) on a free loopback port."""
    port = _free_port()
    command = [sys.executable, "-m", "sozialraum.cli", "serve", "--data-dir", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    env = {**env, "SOZIALRAUM_INSTANCE_PATH": str(instance)}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
    try:
        while True:  # until it answers (or the process ends: then the test fails)
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/anmelden")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            time.sleep(0.1)
        yield port
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()


class _Client:
    """HTTP on one server; cookies shared through ``jar`` (a session moves between servers)."""

    def __init__(self, port: int, jar: SimpleCookie):
        self.port = port
        self.jar = jar

    def request(self, method, path, body=None, **headers):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        cookie = "; ".join(f"{k}={m.value}" for k, m in self.jar.items() if m.value)
        headers = {"Cookie": cookie, **headers}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            self.jar.load(header)
        conn.close()
        return resp, data


def _login(client: _Client) -> str:
    _, page = client.request("GET", "/anmelden")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrf_token": token, "username": "demo-fachkraft", "password": "demo-fachkraft-2026"}
    )
    resp, _ = client.request(
        "POST", "/anmelden", form.encode(), **{"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert resp.status == 302
    _, page = client.request("GET", "/")
    return re.search(rb'<meta name="csrf-token" content="([^"]+)"', page).group(1).decode()


def test_two_servers_on_one_database_behave_as_one(pg_url, demo_data_dir, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_data_dir, data)
    store = PostgresStore(pg_url, data_dir=data)
    assert migrate_area(GeoJSONStore(data), store, DEMO_AREA).problems == []
    for layer_file in (data / DEMO_AREA).glob("*.geojson"):
        layer_file.unlink()  # the servers must use the database
    from support.accounts import accounts_of

    from sozialraum.accounts.demo import install_demo_users

    install_demo_users(accounts_of(store))  # the accounts are in the database too
    before = len(store.query(DEMO_AREA, "notes"))
    address = store.query(DEMO_AREA, "addresses", district="r1")[0]
    env = {
        **os.environ,
        "SOZIALRAUM_DATABASE_URL": pg_url,
        "SOZIALRAUM_SECRET_KEY": "one-secret-for-both-servers-" + "x" * 20,
    }
    with (
        _server(data, tmp_path / "instance-a", env, tmp_path / "a.log") as port_a,
        _server(data, tmp_path / "instance-b", env, tmp_path / "b.log") as port_b,
    ):
        jar: SimpleCookie = SimpleCookie()
        a, b = _Client(port_a, jar), _Client(port_b, jar)
        csrf = _login(a)
        headers = {"X-CSRFToken": csrf}
        body = {
            "address_id": address["id"],
            "category": "briefkasten",
            "mailbox_status": "fehlt",
            "text": "Kein Briefkasten am Hinterhaus.",
        }
        statuses, ids = [], []

        def create(client, count):
            for _ in range(count):
                resp, data_ = client.request("POST", NOTES, body, **headers)
                statuses.append(resp.status)
                if resp.status == 201:
                    ids.append(json.loads(data_)["id"])

        threads = [threading.Thread(target=create, args=(c, 10)) for c in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [201] * 40
        assert len(set(ids)) == 40
        # written on one, read on the other at once; a stale version is refused across them
        note_id = ids[0]
        resp, _ = b.request("GET", f"{NOTES}/{note_id}")
        assert resp.status == 200 and resp.getheader("ETag") == '"v1"'
        changed = {**body, "text": "Briefkasten fehlt weiterhin."}
        resp, _ = a.request("PUT", f"{NOTES}/{note_id}", changed, **headers, **{"If-Match": '"v1"'})
        assert resp.status == 200
        resp, _ = b.request("PUT", f"{NOTES}/{note_id}", changed, **headers, **{"If-Match": '"v1"'})
        assert resp.status == 412
        resp, page = b.request("GET", f"{NOTES}/{note_id}")
        assert json.loads(page)["properties"]["text"] == "Briefkasten fehlt weiterhin."
    assert len(store.query(DEMO_AREA, "notes")) == before + 40
    result = store.verify_audit(DEMO_AREA)
    assert result.ok, result.problems
