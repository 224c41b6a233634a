"""A request's first reads go to PostgreSQL together: session and area in one round trip."""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from support.web import login

from sozialraum.db import get_pool, read_ahead
from sozialraum.db.read_ahead import Read
from sozialraum.demo.area import DEMO_AREA

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(params=["postgres"])
def backend(request) -> str:
    """These tests are about the database: PostgreSQL only."""
    return request.param


def _checkouts(monkeypatch, url: str) -> list[str]:
    """Every connection taken from the autocommit pool of ``url`` (one per round trip here)."""
    pool = get_pool(url, autocommit=True)
    taken: list[str] = []
    original = pool.connection

    def counted(*args, **kwargs):
        taken.append("connection")
        return original(*args, **kwargs)

    monkeypatch.setattr(pool, "connection", counted)
    return taken


def test_rows_are_taken_once_and_dropped_at_the_end(pg_url, monkeypatch):
    taken = _checkouts(monkeypatch, pg_url)
    read_ahead.run(
        {
            "one": Read(pg_url, "SELECT 1"),
            "two": Read(pg_url, "SELECT %s::int, 'x'", (2,)),
            "none": Read(pg_url, "SELECT 1 WHERE false"),
        }
    )
    assert taken == ["connection"]  # three statements, one message
    assert read_ahead.take("two") == [(2, "x")]
    assert read_ahead.take("two") is None  # once
    assert read_ahead.take("none") == []  # read: no row (not "not read")
    read_ahead.clear()
    assert read_ahead.take("one") is None


def test_single_row_reads_are_one_statement_prepared_on_the_server(pg_url, monkeypatch):
    taken = _checkouts(monkeypatch, pg_url)
    tricky = "O'Brien ; DROP TABLE areas; --"
    reads = {
        "row": Read(pg_url, "SELECT %s::int AS n, %s::text AS s", (2, tricky), single_row=True),
        "none": Read(pg_url, "SELECT 1 AS n WHERE %s", (False,), single_row=True),
        "same names": Read(pg_url, "SELECT 'x' AS n, NULL::text AS s", single_row=True),
    }
    for _ in range(7):  # psycopg prepares a statement after its fifth run
        read_ahead.run(reads)
        assert read_ahead.take("row") == [(2, tricky)]  # a value, never SQL
        assert read_ahead.take("none") == []
        assert read_ahead.take("same names") == [("x", None)]
    assert taken == ["connection"] * 7  # one statement per run
    read_ahead.clear()
    with psycopg.connect(pg_url, autocommit=True) as conn:  # one connection, as a pool's

        class OneConnection:
            @contextlib.contextmanager
            def connection(self):
                yield conn

        for _ in range(6):
            assert read_ahead._joined(OneConnection(), list(reads.items()))["row"] == [(2, tricky)]
        prepared = conn.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%read_ahead_0%'"
        ).fetchone()[0]
    assert prepared == 1


def test_a_failing_read_keeps_nothing_and_raises_nothing(pg_url):
    read_ahead.run(
        {"ok": Read(pg_url, "SELECT 1"), "bad": Read(pg_url, "SELECT * FROM no_such_table")}
    )
    assert read_ahead.take("ok") is None and read_ahead.take("bad") is None
    read_ahead.run({"gone": Read("postgresql:///nowhere?host=/nonexistent", "SELECT 1")})
    assert read_ahead.take("gone") is None
    read_ahead.clear()


def test_a_new_run_replaces_what_an_earlier_request_kept(pg_url):
    read_ahead.run({"a": Read(pg_url, "SELECT 1"), "b": Read(pg_url, "SELECT 2")})
    read_ahead.run({})
    assert read_ahead.take("a") is None
    read_ahead.clear()


def test_session_and_area_are_read_in_one_round_trip(client, demo_store, monkeypatch):
    client.get(f"/api/areas/{DEMO_AREA}/offers")  # the process's caches are warm
    taken = _checkouts(monkeypatch, demo_store.url)
    answer = client.get(f"/api/areas/{DEMO_AREA}/offers")
    assert answer.status_code == 200
    assert taken == ["connection"]  # before: one for the session, one for the area


def test_read_ahead_never_lets_an_ended_session_through(app, demo_store):
    first, second = login(app.test_client(), "caseworker"), login(app.test_client(), "lead")
    path = f"/api/areas/{DEMO_AREA}/offers"
    assert first.get(path).status_code == 200 and second.get(path).status_code == 200
    from sozialraum.accounts import open_accounts

    # another app server ends the caseworker's sessions between two requests
    accounts = open_accounts(demo_store.data_dir, database_url=demo_store.url)
    assert accounts.sessions.revoke_user("demo-fachkraft") == 1
    assert first.get(path).status_code == 401
    assert second.get(path).status_code == 200  # the other user's request: its own session
    assert first.get("/api/areas").status_code == 401  # no area in the URL: read as before
