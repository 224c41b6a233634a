"""Server-side sessions: hashed tokens, idle expiry, touch interval, revocation."""

from __future__ import annotations

import hashlib
import json

import pytest

from sozialraum.accounts import FileSessionStore
from sozialraum.errors import InvalidInput, StorageError


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sessions(tmp_path, clock) -> FileSessionStore:
    return FileSessionStore(
        tmp_path / "_accounts" / "sessions.json",
        idle_timeout_s=3600,
        touch_interval_s=60,
        clock=clock,
    )


def _entries(store: FileSessionStore) -> dict:
    return json.loads(store.path.read_bytes())["sessions"]


def test_create_stores_only_the_token_hash(sessions, clock):
    token = sessions.create("anna")
    assert len(token) >= 43 and token != sessions.create("anna")
    raw = sessions.path.read_text()
    assert token not in raw
    entry = _entries(sessions)[hashlib.sha256(token.encode()).hexdigest()]
    assert entry == {"user": "anna", "created": clock.now, "last_seen": clock.now}


def test_lookup(sessions):
    token = sessions.create("anna")
    assert sessions.lookup(token) == "anna"
    assert sessions.lookup(token + "x") is None
    assert sessions.lookup("") is None
    assert sessions.lookup(None) is None
    assert sessions.lookup(123) is None
    assert sessions.lookup("x" * 10_000) is None


def test_lookup_without_file_is_none_and_writes_nothing(sessions):
    assert sessions.lookup("whatever") is None
    assert not sessions.path.exists()


def test_create_needs_a_user(sessions):
    with pytest.raises(InvalidInput):
        sessions.create("")


def test_idle_sessions_expire(sessions, clock):
    token = sessions.create("anna")
    clock.advance(3599)
    assert sessions.lookup(token) == "anna"  # touched: last_seen moves
    clock.advance(3599)
    assert sessions.lookup(token) == "anna"
    clock.advance(3600)
    assert sessions.lookup(token) is None
    assert sessions.active() == 0


def test_touch_interval_limits_writes(sessions, clock):
    token = sessions.create("anna")
    stat = sessions.path.stat()
    created = clock.now
    for _ in range(5):
        clock.advance(10)
        assert sessions.lookup(token) == "anna"
    after = sessions.path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (stat.st_mtime_ns, stat.st_ino)
    assert next(iter(_entries(sessions).values()))["last_seen"] == created
    clock.advance(10)  # 60 s since the last write
    assert sessions.lookup(token) == "anna"
    assert next(iter(_entries(sessions).values()))["last_seen"] == clock.now
    assert sessions.path.stat().st_ino != stat.st_ino


def test_revoke(sessions):
    first, second = sessions.create("anna"), sessions.create("anna")
    assert sessions.revoke(first) is True
    assert sessions.lookup(first) is None
    assert sessions.lookup(second) == "anna"
    assert sessions.revoke(first) is False
    assert sessions.revoke(None) is False


def test_revoke_user(sessions):
    tokens = [sessions.create("anna") for _ in range(3)]
    other = sessions.create("bernd")
    assert sessions.revoke_user("anna") == 3
    assert all(sessions.lookup(t) is None for t in tokens)
    assert sessions.lookup(other) == "bernd"
    assert sessions.revoke_user("anna") == 0
    assert sessions.active() == 1 and sessions.active("bernd") == 1


def test_purge_expired_and_expired_entries_are_dropped_on_write(sessions, clock):
    old = [sessions.create("anna") for _ in range(2)]
    clock.advance(3000)
    fresh = sessions.create("bernd")
    clock.advance(700)
    assert len(_entries(sessions)) == 3
    assert sessions.purge_expired() == 2
    assert sessions.purge_expired() == 0
    assert len(_entries(sessions)) == 1
    assert sessions.lookup(fresh) == "bernd" and sessions.lookup(old[0]) is None
    clock.advance(3600)
    sessions.create("carla")  # a write drops the expired one
    assert [e["user"] for e in _entries(sessions).values()] == ["carla"]


def test_a_replayed_cookie_is_refused_in_another_worker(tmp_path, clock):
    path = tmp_path / "sessions.json"
    worker_a = FileSessionStore(path, clock=clock)
    worker_b = FileSessionStore(path, clock=clock)
    token = worker_a.create("anna")
    assert worker_b.lookup(token) == "anna"
    worker_a.revoke(token)  # logout handled by worker A
    assert worker_b.lookup(token) is None
    token = worker_b.create("anna")
    assert worker_a.revoke_user("anna") == 1  # account disabled via the CLI
    assert worker_b.lookup(token) is None


def test_touch_after_revoke_in_another_worker_does_not_resurrect(tmp_path, clock):
    path = tmp_path / "sessions.json"
    worker_a = FileSessionStore(path, clock=clock)
    worker_b = FileSessionStore(path, clock=clock)
    token = worker_a.create("anna")
    assert worker_b.lookup(token) == "anna"
    worker_a.revoke(token)
    clock.advance(120)
    assert worker_b.lookup(token) is None
    assert _entries(worker_a) == {}


def test_invalid_settings_are_refused(tmp_path):
    with pytest.raises(InvalidInput):
        FileSessionStore(tmp_path / "s.json", idle_timeout_s=0)


def test_corrupt_file_is_a_storage_error(sessions):
    sessions.path.parent.mkdir(parents=True)
    sessions.path.write_text('{"format": "sozialraum-sessions", "sessions": []}')
    with pytest.raises(StorageError, match="sessions.json"):
        sessions.lookup("token")
    with pytest.raises(StorageError, match="sessions.json"):
        sessions.create("anna")
    assert sessions.path.read_text() == '{"format": "sozialraum-sessions", "sessions": []}'
