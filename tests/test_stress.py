"""The quick variant of `make stress` (benchmarks/stress.py) against the real production
server: gunicorn with two worker processes on 127.0.0.1, clients over HTTP. The concurrency and
crash scenarios run on the GeoJSON files and on PostgreSQL (a throwaway cluster; without
PostgreSQL those are skipped, under ``CI=true`` they fail)."""

from __future__ import annotations

import os
import sys

import pytest
from support.paths import ROOT

sys.path.append(str(ROOT / "benchmarks"))  # last: the test packages (tests/web …) win

import stress

#: The concurrency and crash scenarios run on both store backends: a difference fails a test.
BACKENDS = [pytest.param(False, id="files"), pytest.param(True, id="postgres")]


def _needs_postgres() -> None:
    """Skip without PostgreSQL + PostGIS (fail under CI=true: CI must run both backends)."""
    from support.postgres import PostgresMissing, check_postgis, find_bindir

    try:
        check_postgis(find_bindir())  # what PostgresCluster() checks, without its folder
    except PostgresMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.mark.parametrize("database", BACKENDS)
def test_concurrent_writers_lose_nothing_and_readers_see_valid_json(tmp_path, database):
    if database:
        _needs_postgres()
    result = stress.concurrency(tmp_path, clients=4, notes_each=10, pairs=3, database=database)
    assert result.label == ("PostgreSQL" if database else "GeoJSON files")
    assert result.statuses == {201: 40}
    assert result.stored == 40
    assert result.reads > 0 and result.invalid_reads == 0
    assert result.if_match == [(200, 412)] * 3
    lock = result.lock
    assert lock["busy_status"] == 503 and lock["retry_after"] == "5"
    assert lock["read_status"] == 200
    assert set(lock["answers_after"]) == {200} and lock["write_after"] == 201
    assert result.audit_problems == []
    assert result.ok


@pytest.mark.parametrize("database", BACKENDS)
def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path, database):
    if database:
        _needs_postgres()
    result = stress.crash(tmp_path, rounds=10, writers=3, database=database)
    assert result.label == ("PostgreSQL" if database else "GeoJSON files")
    assert result.kills == 10 and result.restarts == 1
    assert result.acknowledged > 0
    assert result.lost == [] and result.damaged == []
    assert result.temp_files_left == 0
    assert result.statuses.get(201, 0) == result.acknowledged
    assert result.server_errors == 0, result.statuses


def test_mixed_load_has_no_errors(tmp_path):
    result = stress.load(tmp_path, clients=6, seconds=3.0)
    assert result.errors == 0
    assert result.reads and result.writes
    assert len(result.worker_mb) == 2


def test_two_app_servers_on_one_database_lose_nothing(tmp_path):
    """The small ``servers`` scenario: 40 creations split across two servers, 3 kill rounds."""
    _needs_postgres()
    result = stress.servers(tmp_path, creations=40, clients=4, rounds=3)
    assert result.statuses == {201: 40}
    assert result.stored == 40 and result.distinct_ids == 40
    assert result.kills == 3 and result.acknowledged > 0
    assert result.lost == [] and result.audit_ok, result.audit_problems
