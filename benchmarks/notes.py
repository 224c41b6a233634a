"""`[notes]` benchmark: note create and update through the HTTP API with 5,000 notes.

The fictional demo area (``musterstadt-nord``) and the demo accounts are installed in a
temporary data folder; its notes layer is filled up to 5,000 notes in one
``store.sync_layer`` write (set-up, not timed; the demo notes are kept as they are). The
folder is served by ``sozialraum serve`` (waitress) on 127.0.0.1 and the caseworker
``demo-fachkraft`` (Team Nord) logs in over HTTP (login form with its CSRF token).

One keep-alive ``http.client`` connection then sends, after a few uncounted warm-up
rounds, ``requests`` rounds of

- ``GET /api/areas/musterstadt-nord/notes/<id>`` of one of the 5,000 notes (baseline),
- ``POST /api/areas/musterstadt-nord/notes`` (create at an address of district r1),
- ``PUT /api/areas/musterstadt-nord/notes/<id>`` of the note just created (``If-Match``),

interleaved, so the baseline is measured in the same run under the same conditions.
Printed: median and p95 in ms of each kind (time from sending the request until the
whole response is read) and the ratios create/GET and update/GET. Every response
status is checked. Nothing here is a test; there are no time limits. The temporary
folder is removed and the server stopped even on errors. Called from
``benchmarks/run.py --only notes``.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import statistics
import tempfile
import time
import urllib.parse
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

from common import app_server

AREA = "musterstadt-nord"
DISTRICT = "r1"
USER = "demo-fachkraft"
PASSWORD = "demo-fachkraft-2026"
TEAM = "Team Nord"
NOTES = 5000
WARMUP = 10
BATCH = 1000
API = f"/api/areas/{AREA}/notes"


# -- set-up --------------------------------------------------------------------------
def _fill(store, addresses: list[dict], total: int) -> int:
    """Add notes at addresses of district r1 until the area has ``total``; how many added."""
    today = date.today()
    existing = [dict(f) for f in store.query(AREA, "notes")]
    missing = total - len(existing)
    added = []
    for i in range(missing):
        address = addresses[i % len(addresses)]
        props = address["properties"]
        added.append(
            {
                "type": "Feature",
                "id": f"bench{i:05d}",
                "geometry": {"type": "Point", "coordinates": address["geometry"]["coordinates"]},
                "properties": {
                    "category": "beobachtung",
                    "text": f"Bench-Notiz {i}: Hauseingang abends unbeleuchtet, "
                    "Klingelschilder teils unleserlich.",
                    "observed_on": today.isoformat(),
                    "expires_on": (today + timedelta(days=180)).isoformat(),
                    "review_state": "entwurf",
                    "author": USER,
                    "team": TEAM,
                    "district": DISTRICT,
                    "address_id": address["id"],
                    "address_key": props.get("key"),
                    "address_label": f"{props['street']} {props['housenumber']}",
                },
            }
        )
    # in writes of 1,000: the audit entry of one sync lists every changed id, and the store
    # reads back only the last 64 KB of the log (a longer last line is "an invalid entry")
    for end in range(BATCH, len(added) + BATCH, BATCH):
        store.sync_layer(AREA, "notes", [*existing, *added[:end]], actor=USER)
    return max(missing, 0)


def _files(area_dir: Path) -> dict[str, float]:
    """Sizes in MB of the files a note write touches."""
    names = {"notes": "notes.geojson", "versions": "versions/notes.jsonl", "audit": "audit.jsonl"}
    return {
        key: (area_dir / name).stat().st_size / 1e6 if (area_dir / name).exists() else 0.0
        for key, name in names.items()
    }


# -- HTTP ----------------------------------------------------------------------------
class _Client:
    """One keep-alive connection; cookies carried by hand from every ``Set-Cookie``."""

    def __init__(self, port: int, log_path: Path):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.jar: SimpleCookie = SimpleCookie()
        self.log_path = log_path

    def close(self) -> None:
        self.conn.close()

    def cookie(self) -> str:
        return "; ".join(f"{k}={m.value}" for k, m in self.jar.items() if m.value)

    def request(
        self, method: str, path: str, expect: int, body: object = None, **headers: str
    ) -> tuple[float, http.client.HTTPResponse, bytes]:
        """Send one request; (ms until the response is read, response, body).

        Any status other than ``expect`` ends the benchmark with the server's answer.
        """
        headers = {"Cookie": self.cookie(), **headers}
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        ms = (time.perf_counter() - started) * 1000
        if resp.status != expect:
            log = self.log_path.read_text(errors="replace")[-2000:]
            raise SystemExit(
                f"{method} {path}: HTTP {resp.status}, expected {expect}: "
                f"{data[:500].decode('utf-8', 'replace')}\nserver log (end):\n{log}"
            )
        for header in resp.headers.get_all("Set-Cookie") or []:
            self.jar.load(header)
        return ms, resp, data


def _login(client: _Client) -> str:
    """Log in with the login form; returns the CSRF token for API writes."""
    _, _, page = client.request("GET", "/anmelden", 200)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("login page has no csrf_token field")
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1).decode(), "username": USER, "password": PASSWORD}
    )
    _, resp, _ = client.request(
        "POST",
        "/anmelden",
        302,
        form.encode(),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    if urllib.parse.urlsplit(resp.getheader("Location", "")).path != "/":
        raise SystemExit(f"login failed: redirected to {resp.getheader('Location')}")
    _, _, page = client.request("GET", "/", 200)  # the session's token after login
    meta = re.search(rb'<meta name="csrf-token" content="([^"]+)"', page)
    if meta is None:
        raise SystemExit("start page has no csrf-token meta tag")
    return meta.group(1).decode()


def _round(client: _Client, csrf: str, read_id: str, address_id: str, i: int) -> tuple:
    """GET one existing note, create a note, update it; the three times in ms."""
    get_ms, _, data = client.request("GET", f"{API}/{read_id}", 200)
    if json.loads(data).get("id") != read_id:
        raise SystemExit(f"GET {API}/{read_id} answered another note")
    body = {
        "address_id": address_id,
        "category": "beobachtung",
        "text": f"API-Notiz {i}: Spielplatz am Nachmittag gut besucht, Bank beschädigt.",
    }
    create_ms, resp, data = client.request("POST", API, 201, body, **{"X-CSRFToken": csrf})
    note_id, etag = json.loads(data)["id"], resp.getheader("ETag")
    if etag != '"v1"':
        raise SystemExit(f"POST {API}: ETag {etag!r}, expected '\"v1\"'")
    body["text"] = f"API-Notiz {i} (geändert): Bank inzwischen repariert."
    update_ms, resp, _ = client.request(
        "PUT", f"{API}/{note_id}", 200, body, **{"X-CSRFToken": csrf, "If-Match": etag}
    )
    if resp.getheader("ETag") != '"v2"':
        raise SystemExit(f"PUT {API}/{note_id}: ETag {resp.getheader('ETag')!r}, expected v2")
    return get_ms, create_ms, update_ms


# -- report --------------------------------------------------------------------------
def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def bench_notes(requests: int = 200) -> None:
    """Median and p95 of note create/update over HTTP against a GET of one note."""
    from sozialraum.accounts import accounts_dir
    from sozialraum.accounts.demo import install_demo_users
    from sozialraum.demo.area import install_demo
    from sozialraum.store import GeoJSONStore

    overall = time.perf_counter()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="sozialraum-notes-bench-") as tmp:
        folder = Path(tmp)
        data_dir = folder / "data"
        area_dir = data_dir / AREA
        started = time.perf_counter()
        store = GeoJSONStore(data_dir)
        install_demo(store)
        install_demo_users(accounts_dir(data_dir))
        addresses = store.query(AREA, "addresses", district=DISTRICT)
        demo_notes = len(store.query(AREA, "notes"))
        demo_s = time.perf_counter() - started
        started = time.perf_counter()
        added = _fill(store, addresses, NOTES)
        fill_s = time.perf_counter() - started
        note_ids = [f["id"] for f in store.query(AREA, "notes")]
        before = _files(area_dir)
        print(
            f"\n[notes] note create/update through the HTTP API, {len(note_ids):,} notes in "
            f"{AREA}, {requests} rounds"
        )
        print(
            f"  set-up: demo area and users in {demo_s:.1f} s ({demo_notes} demo notes); "
            f"{added:,} notes added in store.sync_layer writes of {BATCH:,} in {fill_s:.1f} s"
        )

        log_path = folder / "serve.log"
        with app_server(data_dir, folder / "instance", log_path) as (_, port):
            client = _Client(port, log_path)
            try:
                csrf = _login(client)
                # the bench notes only: demo notes of other teams are a 404 for Team Nord
                readable = [i for i in note_ids if i.startswith("bench")]
                reads = [rng.choice(readable) for _ in range(WARMUP + requests)]
                places = [rng.choice(addresses)["id"] for _ in range(WARMUP + requests)]
                started = time.perf_counter()
                for i in range(WARMUP):  # first requests load the layers: not counted
                    _round(client, csrf, reads[i], places[i], i)
                times = [
                    _round(client, csrf, reads[i], places[i], i)
                    for i in range(WARMUP, WARMUP + requests)
                ]
                http_s = time.perf_counter() - started
            finally:
                client.close()

        notes_after = len(GeoJSONStore(data_dir).query(AREA, "notes"))
        after = _files(area_dir)
        if notes_after != len(note_ids) + WARMUP + requests:
            raise SystemExit(
                f"{notes_after} notes after the run, expected {len(note_ids) + WARMUP + requests}"
            )
    gets, creates, updates = (list(column) for column in zip(*times, strict=True))
    base_median, base_p95 = statistics.median(gets), _p95(gets)
    print(
        f"  sozialraum serve (waitress, 8 threads) on 127.0.0.1, {USER} logged in over HTTP; "
        f"one keep-alive client\n  connection, {WARMUP} uncounted warm-up rounds, then "
        f"{requests} rounds of GET one note, POST create, PUT update (interleaved,\n"
        f"  {http_s:.1f} s); ms from sending the request until the response is read; "
        f"paths under {API}"
    )
    print(f"  {'request':<40} {'median ms':>10} {'p95 ms':>8} {'ratio med':>10} {'ratio p95':>10}")
    for label, values in (
        ("GET /<id>: one note (baseline)", gets),
        ("POST: create (201)", creates),
        ('PUT /<id> + If-Match "v1": update (200)', updates),
    ):
        median, p95 = statistics.median(values), _p95(values)
        print(
            f"  {label:<40} {median:>10.2f} {p95:>8.2f} "
            f"{median / base_median:>10.1f} {p95 / base_p95:>10.1f}"
        )
    print(
        f"  notes in the area: {len(note_ids):,} at the start, {notes_after:,} at the end; "
        f"notes.geojson {before['notes']:.2f} MB -> {after['notes']:.2f} MB\n"
        f"  (each write also appends to versions/notes.jsonl, {after['versions']:.2f} MB, "
        f"and audit.jsonl, {after['audit']:.2f} MB, at the end)"
    )
    print(f"  [notes] total {time.perf_counter() - overall:.0f} s")
