"""A write's statements sent to PostgreSQL as one message: answers in order, all or nothing."""

from __future__ import annotations

import psycopg
import pytest

from sozialraum.db import one_message


@pytest.fixture
def conn(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("CREATE TEMP TABLE t (n int, s text)")
        yield connection


def test_answers_come_back_to_their_statements(conn):
    message = one_message.Recorder()
    tricky = "O'Brien \\ {{ 7*7 }} ; DROP TABLE t; --"
    first = message.execute("SELECT 1")
    second = message.execute("SELECT %s::text, %s", (tricky, None))
    inserted = message.execute("INSERT INTO t VALUES (%s, %s)", (2, tricky))
    with message.cursor() as cursor:
        cursor.executemany("INSERT INTO t VALUES (%s, 'x')", [(3,), (4,)])
    last = message.execute("SELECT n, s FROM t ORDER BY n")
    one_message.send(conn, message)
    assert first.fetchall() == [(1,)]
    assert second.fetchone() == (tricky, None)  # a literal, never SQL
    assert inserted.fetchall() == []
    assert last.fetchall() == [(2, tricky), (3, "x"), (4, "x")]
    assert message.statements == []  # sent


def test_an_error_rolls_back_every_statement_of_the_message(conn):
    message = one_message.Recorder()
    message.execute("INSERT INTO t VALUES (1, 'a')")
    message.execute("SELECT sozialraum_expect(false, 'row')")
    after = message.execute("INSERT INTO t VALUES (2, 'b')")
    with pytest.raises(psycopg.errors.NoDataFound):
        one_message.send(conn, message)
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with pytest.raises(RuntimeError):
        after.fetchall()  # never ran


def test_rows_are_not_there_before_the_message_is_sent():
    rows = one_message.Recorder().execute("SELECT 1")
    with pytest.raises(RuntimeError):
        rows.fetchone()
