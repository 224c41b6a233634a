"""Login limiter: per user, per address, sliding window, no raw addresses, processes."""

from __future__ import annotations

import json
import multiprocessing
import threading

import pytest

from sozialraum.accounts import FileLoginLimiter
from sozialraum.errors import InvalidInput, StorageError


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def limiter(tmp_path, clock) -> FileLoginLimiter:
    return FileLoginLimiter(tmp_path / "_accounts" / "logins.json", clock=clock)


def test_nothing_recorded_allows_and_writes_nothing(limiter):
    assert limiter.retry_after("anna", "192.0.2.1") == 0
    limiter.success("anna", "192.0.2.1")
    assert not limiter.path.exists()


def test_per_user_limit(limiter, clock):
    for i in range(4):
        limiter.failure("anna", f"192.0.2.{i}")
        clock.now += 1
    assert limiter.retry_after("anna", "198.51.100.7") == 0
    limiter.failure("Anna ", "192.0.2.9")  # same user, other spelling
    # first failure at t0, window 900 s, now t0 + 4
    assert limiter.retry_after("anna", "198.51.100.7") == pytest.approx(896)
    assert limiter.retry_after("ANNA", None) == pytest.approx(896)
    assert limiter.retry_after("bernd", "192.0.2.9") == 0
    clock.now += 896
    assert limiter.retry_after("anna", "198.51.100.7") == 0


def test_per_ip_limit(limiter, clock):
    for i in range(19):
        limiter.failure(f"user{i}", "203.0.113.5")
    assert limiter.retry_after("new-user", "203.0.113.5") == 0
    limiter.failure("user19", "203.0.113.5")
    assert limiter.retry_after("new-user", "203.0.113.5") == pytest.approx(900)
    assert limiter.retry_after("new-user", "203.0.113.6") == 0
    clock.now += 900
    assert limiter.retry_after("new-user", "203.0.113.5") == 0


def test_ipv6_is_counted_per_64_network(tmp_path, clock):
    limiter = FileLoginLimiter(tmp_path / "logins.json", max_failures_per_ip=2, clock=clock)
    limiter.failure("a", "2001:db8:1:2::1")
    limiter.failure("b", "2001:db8:1:2:ffff::9")
    assert limiter.retry_after("c", "2001:db8:1:2::abcd") > 0
    assert limiter.retry_after("c", "2001:db8:1:3::1") == 0
    limiter.failure("d", "::ffff:192.0.2.1")
    limiter.failure("e", "192.0.2.1")
    assert limiter.retry_after("f", "192.0.2.1") > 0


def test_sliding_window(limiter, clock):
    for _ in range(5):
        limiter.failure("anna", "192.0.2.1")
        clock.now += 100
    # failures at t0 .. t0+400, now t0+500: blocked until t0+900
    assert limiter.retry_after("anna", "192.0.2.1") == pytest.approx(400)
    clock.now += 400
    assert limiter.retry_after("anna", "192.0.2.1") == 0
    limiter.failure("anna", "192.0.2.1")  # 5 inside the window again
    assert limiter.retry_after("anna", "192.0.2.1") == pytest.approx(100)


def test_success_clears_the_users_failures_but_not_the_addresses(tmp_path, clock):
    limiter = FileLoginLimiter(
        tmp_path / "logins.json", max_failures_per_user=3, max_failures_per_ip=5, clock=clock
    )
    for _ in range(3):
        limiter.failure("anna", "192.0.2.1")
    assert limiter.retry_after("anna", "192.0.2.2") > 0
    limiter.success("anna", "192.0.2.1")
    assert limiter.retry_after("anna", "192.0.2.2") == 0
    limiter.failure("bernd", "192.0.2.1")
    limiter.failure("bernd", "192.0.2.1")
    limiter.success("bernd", "192.0.2.1")
    assert limiter.retry_after("carla", "192.0.2.1") > 0  # 5 failures from that address


def test_no_raw_addresses_or_names_on_disk(limiter):
    limiter.failure("anna.schmidt", "192.0.2.77")
    limiter.failure("Mein-Passwort-123", "2001:db8::77")
    raw = limiter.path.read_text()
    for secret in ("192.0.2.77", "2001:db8", "anna.schmidt", "Mein-Passwort-123", "passwort"):
        assert secret not in raw.lower()
    data = json.loads(raw)
    assert len(bytes.fromhex(data["salt"])) == 32
    assert len(data["ips"]) == 2 and all(len(key) == 64 for key in data["ips"])


def test_salt_differs_per_file(tmp_path, clock):
    first = FileLoginLimiter(tmp_path / "a.json", clock=clock)
    second = FileLoginLimiter(tmp_path / "b.json", clock=clock)
    first.failure("anna", "192.0.2.1")
    second.failure("anna", "192.0.2.1")
    a, b = (json.loads(p.read_text()) for p in (first.path, second.path))
    assert a["salt"] != b["salt"] and set(a["ips"]) != set(b["ips"])


def test_old_entries_are_dropped_on_write(limiter, clock):
    for i in range(30):
        limiter.failure(f"user{i}", f"192.0.2.{i}")
    clock.now += 901
    limiter.failure("anna", "198.51.100.1")
    data = json.loads(limiter.path.read_text())
    assert len(data["users"]) == 1 and len(data["ips"]) == 1


def test_entries_per_key_are_bounded(limiter):
    for _ in range(50):
        limiter.failure("anna", "192.0.2.1")
    data = json.loads(limiter.path.read_text())
    assert [len(v) for v in data["users"].values()] == [5]
    assert [len(v) for v in data["ips"].values()] == [20]
    assert limiter.retry_after("anna", "192.0.2.1") > 0


def test_invalid_settings_are_refused(tmp_path):
    with pytest.raises(InvalidInput):
        FileLoginLimiter(tmp_path / "l.json", max_failures_per_user=0)


def test_corrupt_file_is_a_storage_error_and_left_alone(limiter):
    limiter.path.parent.mkdir(parents=True)
    limiter.path.write_text("{")
    with pytest.raises(StorageError, match="logins.json"):
        limiter.retry_after("anna", "192.0.2.1")
    with pytest.raises(StorageError, match="logins.json"):
        limiter.failure("anna", "192.0.2.1")
    assert limiter.path.read_text() == "{"


def _record_failures(path: str, worker: int, count: int) -> None:
    limiter = FileLoginLimiter(path, max_failures_per_ip=1000, max_failures_per_user=1000)
    for i in range(count):
        limiter.failure(f"w{worker}-{i}", "192.0.2.200")


def test_concurrent_processes_lose_no_failure(tmp_path):
    path = tmp_path / "logins.json"
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_record_failures, args=(str(path), w, 25)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert all(w.exitcode == 0 for w in workers)
    data = json.loads(path.read_text())
    assert len(data["users"]) == 50
    assert [len(v) for v in data["ips"].values()] == [50]
    assert FileLoginLimiter(path, max_failures_per_ip=50).retry_after("x", "192.0.2.200") > 0
    assert FileLoginLimiter(path, max_failures_per_ip=51).retry_after("x", "192.0.2.200") == 0


def test_threads_of_one_worker_lose_no_failure(tmp_path):
    limiter = FileLoginLimiter(tmp_path / "logins.json", max_failures_per_ip=1000)

    def record(worker: int) -> None:
        for i in range(10):
            limiter.failure(f"t{worker}-{i}", "192.0.2.1")

    threads = [threading.Thread(target=record, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = json.loads(limiter.path.read_text())
    assert len(data["users"]) == 80 and [len(v) for v in data["ips"].values()] == [80]


def test_attempt_counts_before_the_password_is_checked(limiter):
    """Check and count are one locked step: the sixth attempt is refused even if the
    first five were never followed by a failure() call."""
    for _ in range(5):
        wait_s, at = limiter.attempt("anna", "10.0.0.1")
        assert wait_s == 0.0 and at is not None
    wait_s, at = limiter.attempt("anna", "10.0.0.1")
    assert wait_s > 0 and at is None
    assert limiter.retry_after("anna", "10.0.0.1") > 0


def test_a_successful_attempt_is_taken_back(tmp_path, clock):
    limiter = FileLoginLimiter(
        tmp_path / "logins.json", max_failures_per_user=5, max_failures_per_ip=2, clock=clock
    )
    for _ in range(3):  # three good logins from one address never block it
        _, at = limiter.attempt("anna", "10.0.0.1")
        limiter.success("anna", "10.0.0.1", at)
    assert limiter.retry_after("bert", "10.0.0.1") == 0.0
    limiter.attempt("bert", "10.0.0.1")
    limiter.attempt("carl", "10.0.0.1")  # two failed guesses: the address is blocked
    assert limiter.retry_after("dora", "10.0.0.1") > 0
