"""The app when the disk fails it: injected write/fsync/replace errors, a lock held by
another process, a read-only data folder, a damaged file at start.

Most of this is about files by nature (GeoJSON only, not parametrised): disk errors while
writing a layer or the audit log, a read-only data folder, a damaged file. The area lock held
elsewhere and the READ_ONLY switch run on both store backends (``@both_backends``; with
PostgreSQL the lock is the area's advisory lock held by another connection)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from support.backends import both_backends, store_state
from support.web import csrf_token, login

from sozialraum.cli import main as cli_main
from sozialraum.errors import DamagedData
from sozialraum.store import _atomic, audit
from sozialraum.web import create_app
from sozialraum.web.errors import READ_ONLY_MESSAGE

AREA = "musterstadt-nord"
NOTES = f"/api/areas/{AREA}/notes"


def _digest(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (lock files aside) with the SHA-256 of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def _note_body(demo_store) -> dict:
    address = demo_store.query(AREA, "addresses", district="r1")[0]
    return {"address_id": address["id"], "category": "beobachtung", "text": "Bank am Platz."}


def _post_note(client, demo_store):
    token = csrf_token(client, "/")
    return client.post(NOTES, json=_note_body(demo_store), headers={"X-CSRFToken": token})


# -- injected disk failures (GeoJSON only: the files' writes) ---------------------------------


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


class _FaultyOs(types.SimpleNamespace):
    """``os`` for one module, failing one step for files whose name contains ``target``."""

    def __init__(self, step: str, code: int, target: str):
        super().__init__()
        self._step, self._code, self._target = step, code, target

    def __getattr__(self, name):
        return getattr(os, name)

    def _fail(self, path: str) -> None:
        if self._target in os.path.basename(str(path)):
            raise OSError(self._code, os.strerror(self._code), str(path))

    def fdopen(self, fd, *args, **kwargs):
        handle = os.fdopen(fd, *args, **kwargs)
        if self._step != "write":
            return handle
        path, fail = _path_of(fd), self._fail

        class _Handle:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def write(self, data):
                fail(path)
                return handle.write(data)

            def __getattr__(self, name):
                return getattr(handle, name)

        return _Handle()

    def fsync(self, fd):
        if self._step == "fsync":
            self._fail(_path_of(fd))
        return os.fsync(fd)

    def replace(self, src, dst):
        if self._step == "replace":
            self._fail(dst)
        return os.replace(src, dst)


@pytest.mark.parametrize("code", [errno.EIO, errno.ENOSPC], ids=["EIO", "ENOSPC"])
@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_failed_layer_write_answers_503_keeps_the_old_file_and_logs(
    app, demo_store, monkeypatch, caplog, step, code
):
    client = login(app.test_client())
    folder = demo_store.data_dir / AREA
    before = (folder / "notes.geojson").read_bytes()
    monkeypatch.setattr(_atomic, "os", _FaultyOs(step, code, "notes.geojson"))
    with caplog.at_level(logging.ERROR):
        response = _post_note(client, demo_store)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.json["error"].startswith("Die Daten sind gerade nicht verfügbar")
    assert (folder / "notes.geojson").read_bytes() == before
    assert not list(folder.glob(".tmp-*"))
    assert os.strerror(code) in caplog.text and "notes.geojson" in caplog.text
    result = demo_store.verify_audit(AREA)
    assert result.ok, result.problems
    assert demo_store.changes(AREA, "notes")[-1]["actor"] != "demo-fachkraft"  # aborted
    monkeypatch.undo()
    assert _post_note(client, demo_store).status_code == 201


@pytest.mark.parametrize("code", [errno.EIO, errno.ENOSPC], ids=["EIO", "ENOSPC"])
def test_failed_audit_write_answers_503_and_changes_nothing(
    app, demo_store, monkeypatch, caplog, code
):
    client = login(app.test_client())
    folder = demo_store.data_dir / AREA
    before = _digest(folder)
    monkeypatch.setattr(audit, "os", _FaultyOs("fsync", code, "audit.jsonl"))
    with caplog.at_level(logging.ERROR):
        response = _post_note(client, demo_store)
    assert response.status_code == 503
    assert _digest(folder) == before
    assert os.strerror(code) in caplog.text


# -- a lock held by another process (both backends) -------------------------------------------


def _app(demo_store, **config):
    """An app on ``demo_store`` (its database too, with PostgreSQL) with ``config``."""
    settings = {"DATA_DIR": str(demo_store.data_dir), "TILE_URL": "", **config}
    if getattr(demo_store, "url", None):
        settings["DATABASE_URL"] = demo_store.url
    return create_app(settings)


@contextlib.contextmanager
def _area_lock_held_elsewhere(demo_store):
    """Hold the area's write lock in another process (files) or connection (PostgreSQL)."""
    if getattr(demo_store, "url", None):
        import psycopg

        from sozialraum.store.postgres.store import LOCK_CLASS

        with psycopg.connect(demo_store.url) as conn:  # one transaction until the block ends
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, AREA))
            yield
            conn.rollback()
        return
    lock_path = demo_store.data_dir / AREA / ".lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import filelock, sys, time\n"
            f"lock = filelock.FileLock({str(lock_path)!r}); lock.acquire()\n"
            "print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@both_backends
def test_lock_held_by_another_process_answers_503_with_retry_after(demo_store):
    app = _app(demo_store, STORE_LOCK_TIMEOUT_S=0.3)
    client = login(app.test_client())
    with _area_lock_held_elsewhere(demo_store):
        before = _digest(demo_store.data_dir / AREA), store_state(demo_store, AREA)
        response = _post_note(client, demo_store)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert response.json["status"] == 503
        assert (_digest(demo_store.data_dir / AREA), store_state(demo_store, AREA)) == before
        assert client.get(NOTES).status_code == 200  # readers never wait for the lock
    assert _post_note(client, demo_store).status_code == 201


# -- a read-only data folder (GeoJSON only: file permissions) ---------------------------------


@pytest.fixture
def read_only_copy(demo_store, tmp_path):
    """The demo data as a really read-only folder: a read-only bind mount as root (root
    may write anywhere else), the write permission taken away otherwise."""
    source = demo_store.data_dir
    if os.geteuid() != 0:
        for path in [source, *source.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        yield source
        for path in [source, *source.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(mount)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_read_only_data_folder_runs_read_only_with_a_banner(read_only_copy, caplog):
    with pytest.raises(OSError):
        (read_only_copy / "probe").write_text("x")  # the folder really is read-only
    before = _digest(read_only_copy)
    with caplog.at_level(logging.WARNING):
        app = create_app({"DATA_DIR": str(read_only_copy), "TILE_URL": ""})
    assert app.config["READ_ONLY"] is True
    assert "read-only" in caplog.text
    client = login(app.test_client())  # sessions live in the instance folder meanwhile
    page = client.get(f"/gebiete/{AREA}/notizen")
    assert page.status_code == 200
    assert "Die Daten sind gerade schreibgeschützt" in page.get_data(as_text=True)
    assert client.get(NOTES).status_code == 200
    token = csrf_token(client, "/")
    address = next(iter(app.extensions["sozialraum"].store.query(AREA, "addresses")))
    response = client.post(
        NOTES,
        json={"address_id": address["id"], "category": "beobachtung", "text": "Bank."},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 503 and response.json["error"] == READ_ONLY_MESSAGE
    form = client.post(
        f"/gebiete/{AREA}/notizen/neu",
        data={"csrf_token": token, "category": "beobachtung", "text": "Bank."},
    )
    assert form.status_code == 503
    assert "schreibgeschützt" in form.get_data(as_text=True)
    assert _digest(read_only_copy) == before


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_read_only_data_folder_does_not_stop_writes_to_the_database(
    backend, demo_store, read_only_copy
):
    """With PostgreSQL the data folder holds only the basemaps: the app stays writable."""
    app = create_app(
        {"DATA_DIR": str(read_only_copy), "TILE_URL": "", "DATABASE_URL": demo_store.url}
    )
    assert app.config["READ_ONLY"] is False
    client = login(app.test_client())
    assert "schreibgeschützt" not in client.get(f"/gebiete/{AREA}/notizen").get_data(as_text=True)
    response = _post_note(client, demo_store)
    assert response.status_code == 201
    assert demo_store.get(AREA, "notes", response.json["id"])["properties"]["text"]


@both_backends
def test_read_only_can_be_switched_on(demo_store):
    app = _app(demo_store, READ_ONLY="1")
    client = login(app.test_client())
    assert app.config["READ_ONLY"] is True
    before = store_state(demo_store, AREA)
    assert _post_note(client, demo_store).status_code == 503
    assert store_state(demo_store, AREA) == before
    assert "schreibgeschützt" in client.get("/").get_data(as_text=True)
    assert "schreibgeschützt" not in login(_app(demo_store).test_client()).get("/").get_data(
        as_text=True
    )


# -- a damaged file at start (GeoJSON only: a damaged .geojson) -------------------------------


@pytest.mark.parametrize(
    "name, damage",
    [
        ("notes.geojson", lambda raw: raw[: len(raw) // 2]),
        ("addresses.geojson", lambda raw: b'{"type": "FeatureCollection"}'),
        ("area.json", lambda raw: b"\x00\x00\x00"),
    ],
    ids=["truncated", "no-features", "binary"],
)
def test_damaged_file_at_start_is_a_clear_error_and_never_overwritten(
    demo_store, runner, name, damage
):
    path = demo_store.data_dir / AREA / name
    path.write_bytes(damage(path.read_bytes()))
    damaged = path.read_bytes()
    with pytest.raises(DamagedData) as caught:
        create_app({"DATA_DIR": str(demo_store.data_dir), "TILE_URL": ""})
    assert name in caught.value.message and "left unchanged" in caught.value.message
    result = runner.invoke(
        cli_main, ["serve", "--data-dir", str(demo_store.data_dir), "--port", "1"]
    )
    assert result.exit_code == 1
    assert "Error: damaged data files" in result.output and name in result.output
    assert "running at" not in result.output  # no server was started
    assert path.read_bytes() == damaged


def test_damaged_layer_refuses_writes_instead_of_replacing_it(app, demo_store):
    client = login(app.test_client())
    path = demo_store.data_dir / AREA / "notes.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [')  # damaged while running
    response = _post_note(client, demo_store)
    assert response.status_code == 503
    assert path.read_bytes() == b'{"type": "FeatureCollection", "features": ['
