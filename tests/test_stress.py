"""The quick variant of `make stress` (benchmarks/stress.py) against the real production
server: gunicorn with two worker processes on 127.0.0.1, clients over HTTP."""

from __future__ import annotations

import sys

from support.paths import ROOT

sys.path.append(str(ROOT / "benchmarks"))  # last: the test packages (tests/web …) win

import stress


def test_concurrent_writers_lose_nothing_and_readers_see_valid_json(tmp_path):
    result = stress.concurrency(tmp_path, clients=4, notes_each=10, pairs=3)
    assert result.statuses == {201: 40}
    assert result.stored == 40
    assert result.reads > 0 and result.invalid_reads == 0
    assert result.if_match == [(200, 412)] * 3
    lock = result.lock
    assert lock["busy_status"] == 503 and lock["retry_after"] == "5"
    assert lock["read_status"] == 200
    assert set(lock["answers_after"]) == {200} and lock["write_after"] == 201


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path):
    result = stress.crash(tmp_path, rounds=10, writers=3)
    assert result.kills == 10 and result.restarts == 1
    assert result.acknowledged > 0
    assert result.lost == [] and result.damaged == []
    assert result.temp_files_left == 0


def test_mixed_load_has_no_errors(tmp_path):
    result = stress.load(tmp_path, clients=6, seconds=3.0)
    assert result.errors == 0
    assert result.reads and result.writes
    assert len(result.worker_mb) == 2
