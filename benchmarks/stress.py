"""`make stress`: the production server under concurrent writers, kill -9 and load.

Every scenario runs ``sozialraum serve --workers N`` (gunicorn) on 127.0.0.1 over a
fresh data folder and talks to it over HTTP like the browser does (login form, session
cookie, CSRF token header):

- ``concurrency``: C client processes create notes at once; exactly C × N arrive.
  Readers during the writes always get complete JSON. Two changes with the same
  If-Match: one 200, one 412. A lock held by another process: 503 with Retry-After,
  then every worker answers again. The audit log verifies afterwards.
- ``crash``: writers run while the server's workers (and every tenth round the whole
  server) are killed with SIGKILL at a random moment; after each round every
  acknowledged write is in the files, every file is valid, the audit log verifies; no
  answer is a 5xx other than 503.
- ``load``: 90 % reads / 10 % writes from 30 client threads against a city-sized area:
  requests/s, p95 latencies, errors, memory per worker process.
- ``servers``: two app servers (``serve --workers 2`` each, own folders) on one PostgreSQL
  database (a throwaway cluster): 1,000 note creations at once split across them (all stored,
  distinct ids, audit log verifies), then 50 rounds of kill -9 of one server's whole process
  group during writes on both (no acknowledged write lost).

``--database`` runs ``concurrency``, ``crash`` and ``load`` a second time on PostgreSQL: the
data folder is copied into a throwaway cluster (:func:`database_copy`, fsync on; the layer files
are removed) and the server gets ``SOZIALRAUM_DATABASE_URL``. The checks that read the files
read through :class:`~sozialraum.store.postgres.PostgresStore` instead (notes, audit log via
``verify_audit``, and no layer file may appear beside the database); the lock held by another
process is the area's advisory lock (``pg_advisory_xact_lock(LOCK_CLASS, hashtext(area))``, as
every write transaction takes it) held from a separate connection; in ``crash`` the database
keeps running while the server is killed (PostgreSQL rolls back a killed worker's open
transaction). Both backends' results are printed in the same format (label ``GeoJSON files`` /
``PostgreSQL``); ``load`` also prints the ratios of the two.

Usage: python benchmarks/stress.py [--quick] [--only concurrency,crash,load,servers]
       [--rounds N] [--seconds S] [--copies N] [--database]
``--quick`` is the small variant that ``make test`` runs (tests/test_stress.py, which runs
``concurrency`` and ``crash`` on both backends).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import filelock
import psutil
import requests
from common import ROOT

AREA = "musterstadt-nord"
USER, PASSWORD = "demo-fachkraft", "demo-fachkraft-2026"
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# -- server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``sozialraum serve --workers N`` in its own process group; restartable, killable."""

    def __init__(self, data_dir: Path, workers: int = 2, threads: int = 4, **env: str):
        self.data_dir = Path(data_dir)
        self.workers, self.threads = workers, threads
        self.instance = self.data_dir.parent / "instance"  # kept over restarts: same secret
        self.log_path = self.data_dir.parent / "server.log"
        self.env = {**os.environ, "SOZIALRAUM_INSTANCE_PATH": str(self.instance), **env}
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 120) -> None:
        command = [sys.executable, "-m", "sozialraum.cli", "serve"]
        command += ["--data-dir", str(self.data_dir), "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--threads", str(self.threads)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                start_new_session=True,
            )  # fmt: skip
        self.wait_ready(timeout_s)

    def wait_ready(self, timeout_s: float = 120) -> None:
        """Until every worker process exists and the server answers."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                workers_up = len(self.worker_pids()) >= self.workers
                if workers_up and requests.get(self.base + "/anmelden", timeout=5).ok:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"server did not answer:\n{self.log_path.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        try:
            return [child.pid for child in psutil.Process(self.proc.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_workers(self) -> int:
        """SIGKILL to every worker; gunicorn's master forks new ones."""
        pids = self.worker_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def kill_all(self) -> None:
        """SIGKILL to the master and every worker at once (the whole process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        for _ in range(200):  # workers die with the group; wait until they are gone
            if not any(psutil.pid_exists(p) for p in self._group()):
                break
            time.sleep(0.02)

    def _group(self) -> list[int]:
        return [p.pid for p in psutil.process_iter() if _pgid(p.pid) == self.proc.pid]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_all()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def make_data(folder: Path) -> Path:
    """A data folder with the demo area and the demo logins (``sozialraum demo``)."""
    data = folder / "data"
    subprocess.run(
        [sys.executable, "-m", "sozialraum.cli", "demo", "--data-dir", str(data)],
        check=True, capture_output=True, cwd=ROOT,
        env={**os.environ, "SOZIALRAUM_INSTANCE_PATH": str(folder / "instance")},
    )  # fmt: skip
    return data


def team_addresses(data_dir: Path, district: str = "r1") -> list[str]:
    """Address ids in a district of the demo caseworker's team (read from the file)."""
    raw = json.loads((data_dir / AREA / "addresses.geojson").read_bytes())
    return [f["id"] for f in raw["features"] if f["properties"].get("district") == district]


# -- client --------------------------------------------------------------------------------


class Client:
    """A logged-in browser session: cookie plus CSRF token."""

    def __init__(self, base: str, user: str = USER, password: str = PASSWORD):
        self.base = base
        self.http = requests.Session()
        self.user, self.password = user, password
        self.token = ""

    def login(self) -> Client:
        page = self.http.get(self.base + "/anmelden", timeout=60).text
        data = {"csrf_token": META.search(page).group(1), "username": self.user}
        data["password"] = self.password
        answer = self.http.post(self.base + "/anmelden", data=data, allow_redirects=False)
        if answer.status_code != 302:
            raise RuntimeError(f"login failed: {answer.status_code}")
        self.token = META.search(self.http.get(self.base + "/", timeout=60).text).group(1)
        return self

    def state(self) -> tuple[dict, str]:
        """Cookies and CSRF token, to continue this session in another process."""
        return self.http.cookies.get_dict(), self.token

    @classmethod
    def resume(cls, base: str, state: tuple[dict, str]) -> Client:
        """The session of :meth:`state` (logins one after another: the login limit
        counts attempts in flight, so 20 logins of one user at once would be refused)."""
        client = cls(base)
        cookies, client.token = state
        client.http.cookies.update(cookies)
        return client

    def create_note(self, address_id: str, text: str, timeout_s: float = 60):
        body = {"address_id": address_id, "category": "beobachtung", "text": text}
        return self.http.post(
            f"{self.base}/api/areas/{AREA}/notes",
            json=body,
            headers={"X-CSRFToken": self.token},
            timeout=timeout_s,
        )

    def update_note(self, note_id, etag, address_id, text, timeout_s: float = 60):
        """Replace a note (the API takes the whole note) based on version ``etag``."""
        return self.http.put(
            f"{self.base}/api/areas/{AREA}/notes/{note_id}",
            json={"address_id": address_id, "category": "beobachtung", "text": text},
            headers={"X-CSRFToken": self.token, "If-Match": etag},
            timeout=timeout_s,
        )

    def get(self, path: str, timeout_s: float = 60):
        return self.http.get(self.base + path, timeout=timeout_s)


def note_text(marker: str, writer: int, number: int) -> str:
    return f"Stresstest {marker}: Bank am Platz, Lauf {writer}.{number}"


def _stored_notes(data_dir: Path, store=None) -> dict[str, dict]:
    """The demo area's notes by id: from the file, or through ``store`` (the database)."""
    if store is not None:
        return {f["id"]: f for f in store.query(AREA, "notes")}
    raw = json.loads((data_dir / AREA / "notes.geojson").read_bytes())
    return {f["id"]: f for f in raw["features"]}


def _backend_store(data: Path, url: str | None):
    """A fresh store on what the server writes: the files of ``data``, or the database ``url``
    (with the servers' audit key, so that the audit log's keyed entries verify)."""
    if url is None:
        from sozialraum.store import GeoJSONStore

        return GeoJSONStore(data, audit_key_file=_audit_key(data))
    return _database_store(url, data)


def _label(url: str | None) -> str:
    return "PostgreSQL" if url else "GeoJSON files"


# -- 1. concurrency ------------------------------------------------------------------------


def _writer(base, session, addresses, marker, writer, count, ready, start, results) -> None:
    client = Client.resume(base, session)
    ready.put(writer)
    start.wait()
    statuses = []
    for number in range(count):
        address = addresses[(writer * count + number) % len(addresses)]
        try:
            statuses.append(
                client.create_note(address, note_text(marker, writer, number)).status_code
            )
        except requests.RequestException:
            statuses.append(0)
    results.put(statuses)


def _reader(base: str, session, stop, results) -> None:
    client = Client.resume(base, session)
    reads = invalid = 0
    paths = [f"/api/areas/{AREA}/notes", f"/api/areas/{AREA}/notes?district=r1"]
    while not stop.is_set():
        answer = client.get(paths[reads % 2])
        reads += 1
        try:
            if (
                answer.status_code != 200
                or json.loads(answer.content)["type"] != "FeatureCollection"
            ):
                invalid += 1
        except (ValueError, KeyError):
            invalid += 1
    results.put((reads, invalid))


def _same_if_match(base: str, address: str, pairs: int) -> list[tuple[int, int]]:
    """``pairs`` times: two clients change the same note with the same ETag at once."""
    first, second = Client(base).login(), Client(base).login()
    outcomes = []
    for pair in range(pairs):
        created = first.create_note(address, f"Wettlauf {pair}: Bank am Platz")
        note_id, etag = created.json()["id"], created.headers["ETag"]
        barrier = threading.Barrier(2)
        statuses = [0, 0]

        def change(slot, client, note_id=note_id, etag=etag, barrier=barrier, statuses=statuses):
            barrier.wait()
            answer = client.update_note(note_id, etag, address, f"Änderung {slot}: Bank")
            statuses[slot] = answer.status_code

        threads = [
            threading.Thread(target=change, args=(i, c)) for i, c in enumerate((first, second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(tuple(sorted(statuses)))
    return outcomes


@contextlib.contextmanager
def _area_lock(data_dir: Path, url: str | None):
    """Hold the demo area's write lock from this process until the block ends.

    Files: the area's lock file. PostgreSQL: the area's advisory lock (the one every write
    transaction of the store takes, ``pg_advisory_xact_lock(LOCK_CLASS, hashtext(area))``)
    in an open transaction of a separate connection, released by its rollback.
    """
    if url is None:
        with filelock.FileLock(data_dir / AREA / ".lock"):
            yield
        return
    import psycopg

    from sozialraum.store.postgres.store import LOCK_CLASS

    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, AREA))
        try:
            yield
        finally:
            conn.rollback()


def _held_lock(server: Server, address: str, hold_s: float, url: str | None = None) -> dict:
    """Hold the area's lock from this process; writes get 503 + Retry-After, reads go on.

    ``url``: the server runs on that database; the lock is the area's advisory lock there.
    """
    client = Client(server.base).login()
    with _area_lock(server.data_dir, url):
        started = time.monotonic()
        busy = client.create_note(address, "Gesperrt: Bank am Platz")
        waited_s = time.monotonic() - started
        read = client.get(f"/api/areas/{AREA}/notes")
        time.sleep(max(0.0, hold_s - (time.monotonic() - started)))
    # no hung workers: every worker process answers (many requests reach both)
    answers = [client.get("/api/areas").status_code for _ in range(8 * server.workers)]
    after = client.create_note(address, "Wieder frei: Bank am Platz")
    return {
        "busy_status": busy.status_code,
        "retry_after": busy.headers.get("Retry-After"),
        "waited_s": waited_s,
        "read_status": read.status_code,
        "answers_after": answers,
        "write_after": after.status_code,
    }


@dataclass
class ConcurrencyResult:
    clients: int
    notes_each: int
    stored: int
    statuses: dict[int, int]
    reads: int
    invalid_reads: int
    if_match: list[tuple[int, int]]
    lock: dict
    seconds: float
    label: str = "GeoJSON files"
    audit_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every check of the scenario passed."""
        lock = self.lock
        return (
            self.statuses == {201: self.clients * self.notes_each}
            and self.stored == self.clients * self.notes_each
            and self.reads > 0
            and self.invalid_reads == 0
            and all(o == (200, 412) for o in self.if_match)
            and lock["busy_status"] == 503
            and lock["retry_after"] is not None
            and lock["read_status"] == 200
            and set(lock["answers_after"]) == {200}
            and lock["write_after"] == 201
            and not self.audit_problems
        )


def concurrency(
    folder: Path,
    clients: int = 20,
    notes_each: int = 50,
    pairs: int = 20,
    database: bool = False,
) -> ConcurrencyResult:
    """Run the concurrency scenario in ``folder`` (see module docstring).

    With ``database`` the demo data is copied into a throwaway PostgreSQL cluster first
    (:func:`database_copy`) and the servers run on it; the notes are counted and the audit log
    verified through :class:`~sozialraum.store.postgres.PostgresStore`, and the held lock is
    the area's advisory lock, held from another connection.
    """
    data = make_data(folder)
    addresses = team_addresses(data)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(database_copy(data)) if database else None
        return _concurrency(data, addresses, url, clients, notes_each, pairs)


def _concurrency(data, addresses, url, clients, notes_each, pairs) -> ConcurrencyResult:
    env = {"SOZIALRAUM_DATABASE_URL": url} if url else {}
    marker = uuid.uuid4().hex[:8]
    ctx = multiprocessing.get_context("spawn")
    with Server(data, workers=2, threads=4, **env) as server:  # the default lock timeout (10 s)
        start, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
        sessions = [Client(server.base).login().state() for _ in range(clients + 1)]
        reader = ctx.Process(target=_reader, args=(server.base, sessions[-1], stop, results))
        reader.start()
        ready, done = ctx.Queue(), ctx.Queue()
        writers = [
            ctx.Process(
                target=_writer,
                args=(
                    server.base,
                    sessions[w],
                    addresses,
                    marker,
                    w,
                    notes_each,
                    ready,
                    start,
                    done,
                ),
            )
            for w in range(clients)
        ]
        for process in writers:
            process.start()
        for _ in writers:  # every writer logged in and waiting
            ready.get(timeout=600)
        started = time.monotonic()
        start.set()
        statuses = [s for _ in writers for s in done.get(timeout=1800)]
        for process in writers:
            process.join(timeout=60)
        seconds = time.monotonic() - started
        stop.set()
        reads, invalid = results.get(timeout=120)
        reader.join(timeout=60)
        if_match = _same_if_match(server.base, addresses[0], pairs)
    # the same data with a short lock timeout, so that the held lock shows quickly
    env["SOZIALRAUM_STORE_LOCK_TIMEOUT_S"] = "1"
    with Server(data, workers=2, threads=4, **env) as server:
        lock = _held_lock(server, addresses[0], hold_s=2.5, url=url)
    store = _backend_store(data, url)
    notes = _stored_notes(data, store if url else None).values()
    stored = sum(marker in f["properties"].get("text", "") for f in notes)
    verified = store.verify_audit(AREA)
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return ConcurrencyResult(
        clients,
        notes_each,
        stored,
        counts,
        reads,
        invalid,
        if_match,
        lock,
        seconds,
        _label(url),
        list(verified.problems),
    )


# -- 2. crash ------------------------------------------------------------------------------


@dataclass
class CrashResult:
    rounds: int
    kills: int
    restarts: int
    acknowledged: int
    updates_acknowledged: int
    lost: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    temp_files_left: int = 0
    label: str = "GeoJSON files"
    #: HTTP status → how many answers the writers got (no answer at all is not counted)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        """Answers with a 5xx other than 503 (busy: the client may retry)."""
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)


def _crash_writer(
    client: Client, addresses, marker, slot, stop, acked, updates, answers=None
) -> None:
    """Create notes and change the last one until ``stop``; record what was acknowledged.

    ``acked`` gets the ids of created notes (201), ``updates`` the version of each changed note
    (200); ``answers`` (a :class:`collections.Counter`, optional) counts every status received.
    """
    number = 0
    mine: list[tuple[str, str, str]] = []
    while not stop.is_set():
        number += 1
        try:
            if mine and number % 3 == 0:
                note_id, etag, address = mine[-1]
                text = f"Geändert {number}: Bank am Platz"
                answer = client.update_note(note_id, etag, address, text, timeout_s=10)
                if answers is not None:
                    answers[answer.status_code] += 1
                if answer.status_code == 200:
                    mine[-1] = (note_id, answer.headers["ETag"], address)
                    updates[note_id] = int(answer.json()["properties"]["version"])
                elif answer.status_code == 412:
                    current = answer.json()["current"]
                    mine[-1] = (note_id, f'"v{current["properties"]["version"]}"', address)
                continue
            address = addresses[number % len(addresses)]
            answer = client.create_note(address, note_text(marker, slot, number), timeout_s=10)
            if answers is not None:
                answers[answer.status_code] += 1
            if answer.status_code == 201:
                acked[answer.json()["id"]] = 1
                mine.append((answer.json()["id"], answer.headers["ETag"], address))
        except (requests.RequestException, ValueError, KeyError):
            time.sleep(0.01)  # the server is down or restarting: not acknowledged


def check_files(data_dir: Path, url: str | None = None) -> tuple[list[str], int]:
    """Damaged files (fresh store: every layer parses, audit log verifies); temp files.

    With ``url`` (the server runs on that database): a fresh :class:`PostgresStore` — the
    database answers with the current schema, every area's audit log verifies — and no layer
    file was written beside the database (the copy removed them); temp files in the folder.
    """
    store = _backend_store(data_dir, url)
    problems = store.check_files()
    for area in store.areas():
        result = store.verify_audit(area)
        problems += [] if result.ok else [f"{area}: {p}" for p in result.problems]
    if url is not None:
        problems += [f"layer file beside the database: {p}" for p in data_dir.rglob("*.geojson")]
    temps = len(list((data_dir / AREA).rglob(".tmp-*")))
    return problems, temps


def crash(
    folder: Path, rounds: int = 200, writers: int = 4, seed: int = 1, database: bool = False
) -> CrashResult:
    """Run the kill -9 scenario in ``folder`` (see module docstring).

    With ``database`` the demo data is copied into a throwaway PostgreSQL cluster first
    (:func:`database_copy`), the server runs on it and the cluster keeps running while the
    server is killed (PostgreSQL rolls back a killed worker's open transaction); after each
    round every acknowledged creation and change is read back through
    :class:`~sozialraum.store.postgres.PostgresStore` and the audit log verifies.
    """
    data = make_data(folder)
    addresses = team_addresses(data)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(database_copy(data)) if database else None
        return _crash(data, addresses, url, rounds, writers, seed)


def _crash(data, addresses, url, rounds, writers, seed) -> CrashResult:
    rng = random.Random(seed)
    marker = uuid.uuid4().hex[:8]
    acked: dict[str, int] = {}
    updates: dict[str, int] = {}
    result = CrashResult(rounds, 0, 0, 0, 0, label=_label(url))
    store = _backend_store(data, url) if url else None
    server = Server(data, workers=2, threads=4, **({"SOZIALRAUM_DATABASE_URL": url} if url else {}))
    server.start()
    try:
        clients = [Client(server.base).login() for _ in range(writers)]
        counters = [collections.Counter() for _ in clients]
        for round_ in range(rounds):
            stop = threading.Event()
            threads = [
                threading.Thread(
                    target=_crash_writer,
                    args=(c, addresses, marker, i, stop, acked, updates, counters[i]),
                )
                for i, c in enumerate(clients)
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.05, 0.6))
            if round_ % 10 == 9:
                server.kill_all()
                result.kills += 1
                result.restarts += 1
                stop.set()
                for thread in threads:
                    thread.join()
                server.start()
            else:
                result.kills += server.kill_workers() > 0
                stop.set()
                for thread in threads:
                    thread.join()
                server.wait_ready()
            stored = _stored_notes(data, store)
            lost = [i for i in acked if i not in stored]
            lost += [
                i for i, v in updates.items()
                if i not in stored or stored[i]["properties"]["version"] < v
            ]  # fmt: skip
            problems, _ = check_files(data, url)
            result.lost += [i for i in lost if i not in result.lost]
            result.damaged += problems
        Client(server.base).login().create_note(addresses[0], "Nach dem Test: Bank am Platz")
        result.temp_files_left = check_files(data, url)[1]
    finally:
        server.stop()
    result.acknowledged, result.updates_acknowledged = len(acked), len(updates)
    result.statuses = dict(sorted(sum(counters, collections.Counter()).items()))
    return result


# -- 3. load -------------------------------------------------------------------------------


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int
    errors: int
    reads: list[float]
    writes: list[float]
    baseline_s: float
    worker_mb: list[tuple[float, float]]  # (RSS, USS) per worker in MB
    features: int
    notes: int = 0  # notes seeded into the written area before the run
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # seconds per request kind

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def request_kind(path: str) -> str:
    """A short name for the kind of a load request (its p95 is printed per kind)."""
    for part, kind in (
        ("/notes", "notes (API)"),
        ("/notizen", "notes page"),
        ("/addresses/search", "address search"),
        ("/addresses/", "one address"),
        ("/resources/", "one resource"),
        ("/layers/", "category layer"),
        ("/offers", "offers"),
    ):
        if part in path:
            return kind
    return "area page" if path.startswith("/gebiete/") else path


def _load_client(base, session, reads_paths, addresses, marker, seconds, barrier, slot, out):
    rng = random.Random(slot)
    client = Client.resume(base, session)
    reads, writes, errors, number = [], [], 0, 0
    kinds: dict[str, list[float]] = {}
    barrier.wait()  # the clock starts for all clients at once
    began = time.monotonic()
    until = began + seconds
    while time.monotonic() < until:
        number += 1
        write = rng.random() < 0.10
        started = time.perf_counter()
        try:
            if write:
                address = rng.choice(addresses)
                answer = client.create_note(address, note_text(marker, slot, number))
                ok = answer.status_code == 201
            else:
                path = rng.choice(reads_paths)
                answer = client.get(path)
                ok = answer.status_code == 200 and len(answer.content) > 0
        except requests.RequestException:
            ok = False
        took = time.perf_counter() - started
        (writes if write else reads).append(took)
        kinds.setdefault("note creation" if write else request_kind(path), []).append(took)
        errors += not ok
    out.append((reads, writes, errors, time.monotonic() - began, kinds))


def _audit_key(data: Path) -> Path:
    """The servers' audit key: ``SOZIALRAUM_AUDIT_KEY_FILE`` if set, else make_data's instance."""
    return Path(
        os.environ.get("SOZIALRAUM_AUDIT_KEY_FILE") or data.parent / "instance" / "audit_key"
    )


@contextlib.contextmanager
def database_copy(data: Path):
    """Copy every area of ``data`` into a throwaway PostgreSQL cluster; yields its URL.

    The cluster (``tests/support/postgres.py``) listens on a Unix socket only, with fsync and
    synchronous commit on; the layer files are removed afterwards, so a server can only use the
    database. The accounts are copied into the database as well (the app keeps them there when
    it has a database URL); the basemap stays in ``data``.
    """
    sys.path.insert(0, str(Path(__file__).parent))
    import common  # noqa: F401  (tests/ on sys.path)
    from support.postgres import PostgresCluster

    from sozialraum.store import GeoJSONStore
    from sozialraum.store.postgres import PostgresStore
    from sozialraum.store.postgres.transfer import migrate_folder

    cluster = PostgresCluster(durable=True).start()
    try:
        url = cluster.url()
        key = _audit_key(data)
        files = GeoJSONStore(data, audit_key_file=key)
        reports = migrate_folder(files, PostgresStore(url, data_dir=data, audit_key_file=key))
        if any(r.problems for r in reports):
            raise RuntimeError(f"copy into the database failed: {reports}")
        from sozialraum.accounts import USERS_FILE, FileUserStore, accounts_dir
        from sozialraum.accounts.postgres import PostgresUserStore

        # with a database URL the app keeps its accounts there too: the demo logins go along
        PostgresUserStore(url).copy_from(FileUserStore(accounts_dir(data) / USERS_FILE))
        for area in files.areas():
            for layer_file in (data / area).glob("*.geojson"):
                layer_file.unlink()
        from sozialraum.db import close_pools

        close_pools()
        yield url
    finally:
        from sozialraum.db import close_pools

        close_pools()  # this process's connections, before the cluster stops
        cluster.stop()


def seed_notes(data: Path, count: int, district: str = "r3") -> None:
    """Give the demo area ``count`` more notes, of another team's district (``r3``, Team Mühle).

    A city's Jobcenter keeps thousands of notes per area; the load's writes go into an area of
    that size. They are not in the load's reads (``?district=r1``; Team Nord sees its own).
    """
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(data, audit_key_file=_audit_key(data))
    addresses = [
        a for a in store.query(AREA, "addresses") if a["properties"].get("district") == district
    ]
    notes = []
    for i in range(count):
        address = addresses[i % len(addresses)]
        props = address["properties"]
        notes.append(
            {
                "type": "Feature",
                "id": f"seed{i:06d}",
                "geometry": {"type": "Point", "coordinates": address["geometry"]["coordinates"]},
                "properties": {
                    "category": "beobachtung",
                    "text": f"Notiz {i}: Hauseingang abends unbeleuchtet, Klingelschilder teils "
                    "unleserlich.",
                    "observed_on": "2026-11-02",
                    "expires_on": "2027-11-02",
                    "review_state": "freigegeben",
                    "author": "demo-muehle",
                    "team": "Team Mühle",
                    "district": district,
                    "address_id": address["id"],
                    "address_key": props.get("key"),
                },
            }
        )
    store.add_many(AREA, "notes", notes, actor="stress")


def load(
    folder: Path,
    clients: int = 30,
    seconds: float = 30.0,
    copies: int = 0,
    database: bool = False,
    notes: int = 0,
) -> LoadResult:
    """Mixed 90 % reads / 10 % writes for ``seconds``.

    Writes are note creations in the demo area (with ``notes`` more notes of another team in
    it, see :func:`seed_notes`); reads go to the demo area's notes and, with ``copies``, to a
    city-sized area ``stadt`` (the ``[web]`` benchmark's city: Neuss replicated ``copies``
    times), else to the demo area. With ``database`` the areas are copied into a throwaway
    PostgreSQL cluster first and the server runs on it.
    """
    data = make_data(folder)
    area = AREA
    if copies:
        area = "stadt"
        import_city(folder, data, area, copies)
    if notes:
        seed_notes(data, notes)
    addresses = team_addresses(data)
    read_area = json.loads((data / area / "addresses.geojson").read_bytes())["features"]
    resources = json.loads((data / area / "resources.geojson").read_bytes())["features"]
    features = len(read_area) + len(resources)
    rng = random.Random(7)
    street = read_area[0]["properties"].get("street", "Markt")
    reads_paths = [f"/api/areas/{AREA}/notes?district=r1", f"/gebiete/{AREA}/notizen"]
    reads_paths += [f"/api/areas/{area}/addresses/{a['id']}" for a in rng.sample(read_area, 20)]
    reads_paths += [f"/api/areas/{area}/resources/{r['id']}" for r in rng.sample(resources, 20)]
    reads_paths += [
        f"/api/areas/{area}/layers/bakery",
        f"/api/areas/{area}/addresses/search?q={street[:6]}",
        f"/gebiete/{area}/",
        f"/api/areas/{AREA}/offers",
    ]
    marker = uuid.uuid4().hex[:8]
    with contextlib.ExitStack() as stack:
        env = {}
        if database:
            env["SOZIALRAUM_DATABASE_URL"] = stack.enter_context(database_copy(data))
        server = stack.enter_context(Server(data, workers=2, threads=8, **env))
        probe = Client(server.base).login()
        for path in reads_paths:  # warm-up: every response built once
            answer = probe.get(path)
            if answer.status_code != 200:
                raise RuntimeError(f"warm-up: {path} answered {answer.status_code}")
        samples = []
        for _ in range(30):
            started = time.perf_counter()
            probe.get("/api/areas")
            samples.append(time.perf_counter() - started)
        baseline = statistics.median(samples)
        out: list = []
        barrier = threading.Barrier(clients)
        sessions = [Client(server.base).login().state() for _ in range(clients)]
        threads = [
            threading.Thread(
                target=_load_client,
                args=(
                    server.base,
                    sessions[i],
                    reads_paths,
                    addresses,
                    marker,
                    seconds,
                    barrier,
                    i,
                    out,
                ),
            )
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        memory = []
        for pid in server.worker_pids():
            info = psutil.Process(pid).memory_full_info()
            memory.append((info.rss / 2**20, info.uss / 2**20))
    reads = [t for r, *_ in out for t in r]
    writes = [t for _, w, *_ in out for t in w]
    errors = sum(e for _, _, e, *_ in out)
    elapsed = max(d for _, _, _, d, _ in out) if out else seconds
    by_kind: dict[str, list[float]] = {}
    for *_, kinds in out:
        for kind, values in kinds.items():
            by_kind.setdefault(kind, []).extend(values)
    return LoadResult(
        clients,
        elapsed,
        len(reads) + len(writes),
        errors,
        reads,
        writes,
        baseline,
        memory,
        features,
        notes,
        by_kind,
    )


# -- 4. two app servers on one database ----------------------------------------------------


@dataclass
class ServersResult:
    creations: int
    stored: int
    distinct_ids: int
    statuses: dict[int, int]
    seconds: float
    audit_ok: bool
    rounds: int
    kills: int
    acknowledged: int
    updates_acknowledged: int
    lost: list[str] = field(default_factory=list)
    audit_problems: list[str] = field(default_factory=list)


def _second_server_folder(folder: Path, data: Path) -> Path:
    """A second server's data folder (a copy: the basemap) beside its own instance folder."""
    import shutil

    shutil.copytree(data, folder / "second" / "data")
    return folder / "second" / "data"


def _database_store(url: str, data: Path):
    from sozialraum.store.postgres import PostgresStore

    return PostgresStore(url, data_dir=data, audit_key_file=_audit_key(data))


def _creator(client: Client, addresses, marker, slot, count, barrier, out) -> None:
    barrier.wait()
    for number in range(count):
        address = addresses[(slot * count + number) % len(addresses)]
        try:
            answer = client.create_note(address, note_text(marker, slot, number))
            out.append((answer.status_code, answer.json().get("id")))
        except (requests.RequestException, ValueError):
            out.append((0, None))


def servers(
    folder: Path, creations: int = 1000, clients: int = 20, rounds: int = 50, seed: int = 1
) -> ServersResult:
    """Two app servers (``serve --workers 2`` each, own folders, one PostgreSQL database).

    First ``creations`` note creations at once from ``clients`` client threads, half of them
    on each server: every one stored, ids distinct, the audit log verifies. Then ``rounds``
    rounds of writers on both servers while one server's whole process group (master and
    workers) gets SIGKILL at a random moment (the two servers take turns); after each round
    every acknowledged creation and change is in the database.
    """
    rng = random.Random(seed)
    data = make_data(folder)
    addresses = team_addresses(data)
    marker = uuid.uuid4().hex[:8]
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(database_copy(data))
        other = _second_server_folder(folder, data)
        # the same secret key and audit key on both servers (as behind a load balancer)
        env = {
            "SOZIALRAUM_DATABASE_URL": url,
            "SOZIALRAUM_SECRET_KEY": uuid.uuid4().hex * 2,
            "SOZIALRAUM_AUDIT_KEY_FILE": str(_audit_key(data)),
        }
        pair = [
            stack.enter_context(Server(path, workers=2, threads=4, **env)) for path in (data, other)
        ]
        store = _database_store(url, data)
        # -- 1,000 creations at once, split across the two servers
        per_client = creations // clients
        logged_in = [Client(pair[i % 2].base).login() for i in range(clients)]
        barrier = threading.Barrier(clients)
        outs: list[list] = [[] for _ in range(clients)]
        threads = [
            threading.Thread(
                target=_creator,
                args=(logged_in[i], addresses, marker, i, per_client, barrier, outs[i]),
            )
            for i in range(clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        answers = [a for out in outs for a in out]
        statuses: dict[int, int] = {}
        for status, _ in answers:
            statuses[status] = statuses.get(status, 0) + 1
        mine = [f for f in store.query(AREA, "notes") if marker in f["properties"]["text"]]
        verified = store.verify_audit(AREA)
        result = ServersResult(
            per_client * clients,
            len(mine),
            len({f["id"] for f in mine}),
            statuses,
            seconds,
            verified.ok,
            rounds,
            0,
            0,
            0,
        )
        result.audit_problems += list(verified.problems)
        # -- kill -9 of one server's process group during writes
        acked: dict[str, int] = {}
        updates: dict[str, int] = {}
        writers = [Client(pair[i % 2].base).login() for i in range(4)]
        for round_ in range(rounds):
            stop = threading.Event()
            threads = [
                threading.Thread(
                    target=_crash_writer, args=(c, addresses, marker, i, stop, acked, updates)
                )
                for i, c in enumerate(writers)
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.05, 0.6))
            victim = pair[round_ % 2]
            victim.kill_all()
            result.kills += 1
            stop.set()
            for thread in threads:
                thread.join()
            victim.start()
            stored = {f["id"]: f for f in store.query(AREA, "notes")}
            lost = [i for i in acked if i not in stored]
            lost += [
                i for i, v in updates.items()
                if i not in stored or stored[i]["properties"]["version"] < v
            ]  # fmt: skip
            result.lost += [i for i in lost if i not in result.lost]
        result.acknowledged, result.updates_acknowledged = len(acked), len(updates)
        verified = store.verify_audit(AREA)
        result.audit_ok = result.audit_ok and verified.ok
        result.audit_problems += list(verified.problems)
    return result


def report_servers(r: ServersResult) -> None:
    print(
        f"[servers] two app servers (gunicorn 2 workers x 4 threads each, own folders) on one "
        f"PostgreSQL database; {r.creations:,} note creations at once, half on each server, "
        f"in {r.seconds:.1f} s"
    )
    print(
        f"  stored {r.stored:,} of {r.creations:,}, distinct ids {r.distinct_ids:,}; answers "
        f"{r.statuses}; audit log verifies: {r.audit_ok}"
    )
    print(
        f"  {r.rounds} rounds of kill -9 of one server's process group (master and workers) "
        f"during writes on both: {r.kills} kills; acknowledged {r.acknowledged:,} creations, "
        f"{r.updates_acknowledged:,} notes changed; writes lost: {len(r.lost)}; audit log "
        f"verifies afterwards: {r.audit_ok} {r.audit_problems[:3]}"
    )


# -- report --------------------------------------------------------------------------------


def report_concurrency(r: ConcurrencyResult) -> None:
    print(
        f"[concurrency] {r.label}: gunicorn 2 workers x 4 threads; {r.clients} client "
        f"processes x {r.notes_each} note creations in {r.seconds:.1f} s"
    )
    print(
        f"  notes stored {r.stored:,} of {r.clients * r.notes_each:,}; answers {r.statuses}; "
        f"audit log verifies: {not r.audit_problems} {r.audit_problems[:3]}"
    )
    print(f"  readers during the writes: {r.reads:,} reads, {r.invalid_reads} not valid JSON")
    pairs = sum(o == (200, 412) for o in r.if_match)
    print(f"  same If-Match twice at once: {pairs} of {len(r.if_match)} pairs gave 200 + 412")
    lock = r.lock
    print(
        f"  lock held by another process: {lock['busy_status']} after {lock['waited_s']:.1f} s, "
        f"Retry-After {lock['retry_after']}, reads {lock['read_status']}; afterwards "
        f"{lock['answers_after'].count(200)} of {len(lock['answers_after'])} answers 200, "
        f"write {lock['write_after']}"
    )


def report_crash(r: CrashResult) -> None:
    print(
        f"[crash] {r.label}: {r.rounds} rounds of kill -9 during writes: {r.kills} kills "
        f"({r.restarts} of the whole server, the others of both workers)"
    )
    print(
        f"  acknowledged: {r.acknowledged:,} creations, {r.updates_acknowledged:,} notes changed; "
        f"writes lost: {len(r.lost)}; damaged files: {len(r.damaged)} {r.damaged[:3]}; "
        f"temp files left after the next write: {r.temp_files_left}; answers {r.statuses}"
    )


def report_load(r: LoadResult, label: str) -> None:
    print(
        f"[load] {label}: {r.features:,} features, {r.notes:,} more notes in the written area; "
        "gunicorn 2 workers x 8 threads; "
        f"{r.clients} client threads, 90 % reads / 10 % writes, {r.seconds:.0f} s"
    )
    print(f"  requests/s {r.per_s:8.1f}   errors {r.errors}   requests {r.requests:,}")
    base = r.baseline_s
    for name, values in (("read", r.reads), ("write", r.writes)):
        p95 = _p95(values)
        print(
            f"  p95 {name:<5} {p95 * 1000:8.1f} ms   ratio {p95 / base:7.1f}   median "
            f"{statistics.median(values) * 1000:6.1f} ms  (baseline: one client, GET "
            f"/api/areas, median {base * 1000:.1f} ms)"
        )
    print(
        "  p95 ms per kind: "
        + ", ".join(
            f"{kind} {_p95(values) * 1000:.0f} (n={len(values)})"
            for kind, values in sorted(r.by_kind.items())
        )
    )
    for i, (rss, uss) in enumerate(r.worker_mb, 1):
        print(f"  worker {i}: RSS {rss:7.1f} MB, own (USS) {uss:7.1f} MB")


def import_city(folder: Path, data: Path, area: str, copies: int) -> None:
    """Import the ``[web]`` benchmark's city (Neuss replicated) as ``area`` into ``data``."""
    sys.path.insert(0, str(Path(__file__).parent))
    from common import city_files

    osm, districts = city_files(folder / "city", copies)
    subprocess.run(
        [sys.executable, "-m", "sozialraum.cli", "import", "--osm-file", str(osm),
         "--area", area, "--districts", str(districts), "--data-dir", str(data), "--quiet"],
        check=True, capture_output=True, cwd=ROOT,
        env={**os.environ, "SOZIALRAUM_INSTANCE_PATH": str(folder / "instance")},
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small variant (make test)")
    parser.add_argument("--only", default="concurrency,crash,load,servers")
    parser.add_argument(
        "--rounds", type=int, default=None, help="kill rounds (default 200; servers: 50)"
    )
    parser.add_argument("--seconds", type=float, default=None, help="load duration")
    parser.add_argument("--copies", type=int, default=35, help="city size for the load run")
    parser.add_argument(
        "--notes",
        type=int,
        default=None,
        help="notes of another team in the written area before the load run (default 5,000; "
        "quick: 0)",
    )
    parser.add_argument(
        "--database",
        action="store_true",
        help="run concurrency, crash and load also on PostgreSQL (a throwaway cluster)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    failed = False
    with tempfile.TemporaryDirectory(prefix="sozialraum-stress-") as tmp:
        tmp = Path(tmp)
        backends = (False, True) if args.database else (False,)
        if "concurrency" in only:
            size = (4, 10, 3) if args.quick else (20, 50, 20)
            for database in backends:
                folder = tmp / ("concurrency-db" if database else "concurrency")
                r = concurrency(folder, *size, database=database)
                report_concurrency(r)
                failed |= not r.ok
        if "crash" in only:
            rounds = args.rounds or (10 if args.quick else 200)
            for database in backends:
                folder = tmp / ("crash-db" if database else "crash")
                r = crash(folder, rounds=rounds, database=database)
                report_crash(r)
                failed |= bool(r.lost or r.damaged) or r.temp_files_left > 0
                failed |= r.server_errors > 0
        if "load" in only:
            seconds = args.seconds or (5.0 if args.quick else 30.0)
            notes = args.notes if args.notes is not None else (0 if args.quick else 5000)
            if args.quick:
                size = dict(clients=10, seconds=seconds, notes=notes)
                label = "demo area"
            else:
                size = dict(clients=30, seconds=seconds, copies=args.copies, notes=notes)
                label = f"city area (Neuss replicated {args.copies}x) + demo area"
            r = load(tmp / "load", **size)
            report_load(r, label)
            failed |= r.errors > 0
            if args.database:
                d = load(tmp / "load-db", **size, database=True)
                report_load(d, label + ", PostgreSQL")
                print(
                    f"  PostgreSQL / GeoJSON: write p95 {_p95(d.writes) / _p95(r.writes):.3f}, "
                    f"read p95 {_p95(d.reads) / _p95(r.reads):.3f} (issue 22: write <= 0.1, "
                    "read <= 1)"
                )
                failed |= d.errors > 0
        if "servers" in only:
            rounds = args.rounds or (3 if args.quick else 50)
            creations = 40 if args.quick else 1000
            r = servers(tmp / "servers", creations=creations, rounds=rounds)
            report_servers(r)
            failed |= r.stored != r.creations or r.distinct_ids != r.creations
            failed |= bool(r.lost) or not r.audit_ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
