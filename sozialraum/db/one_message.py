"""Several statements sent to PostgreSQL as one message: one round trip, one wait.

In pipeline mode psycopg sends each statement as it is added, and each send can make the
worker's thread wait for its interpreter lock again behind the worker's other threads. A
single-feature write (:meth:`~sozialraum.store.postgres.store.PostgresStore._write_one`) and
a request's first reads (:mod:`sozialraum.db.read_ahead`) instead record their statements
on a :class:`Recorder` (it stands in for the connection) and :func:`send` sends them as one
multi-statement query with client-side binding (psycopg's ``ClientCursor``: values become
escaped SQL literals). Without ``BEGIN`` the server runs the statements as one implicit
transaction: an error in any of them rolls all of them back.
"""

from __future__ import annotations


class Rows:
    """The answer of a recorded statement, readable once the message was sent."""

    def __init__(self) -> None:
        self._rows: list[tuple] | None = None

    def fetchall(self) -> list[tuple]:
        """All rows of the statement (after :func:`send`)."""
        if self._rows is None:
            raise RuntimeError("the statement has not been sent yet")
        return list(self._rows)

    def fetchone(self) -> tuple | None:
        """The statement's first row, or ``None`` (after :func:`send`)."""
        rows = self.fetchall()
        return rows[0] if rows else None


class Recorder:
    """Stands in for a connection: statements are kept, in order, until :func:`send`."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple | None, Rows]] = []

    def execute(self, sql: str, params: tuple | None = None) -> Rows:
        """Record one statement; its rows come with :func:`send`."""
        rows = Rows()
        self.statements.append((sql, tuple(params) if params else None, rows))
        return rows

    def executemany(self, sql: str, params_seq) -> None:
        """Record the statement once per parameter tuple."""
        for params in params_seq:
            self.execute(sql, params)

    def cursor(self) -> Recorder:
        """Itself (``with recorder.cursor() as cur: cur.executemany(…)``)."""
        return self

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *_exc) -> None:
        return None


def send(conn, recorder: Recorder) -> None:
    """Run the recorded statements as one message on ``conn`` and fill their :class:`Rows`.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection in autocommit mode (the statements bring their own transaction).
    recorder : Recorder
        The statements; it is empty afterwards.

    Raises
    ------
    psycopg.Error
        The first statement's error; the statements after it did not run.
    """
    from psycopg import ClientCursor

    statements, recorder.statements = recorder.statements, []
    if not statements:
        return
    with ClientCursor(conn) as cursor:
        text = ";\n".join(cursor.mogrify(sql, params) for sql, params, _rows in statements)
        cursor.execute(text)
        for number, (_sql, _params, rows) in enumerate(statements):
            if number and not cursor.nextset():
                raise RuntimeError("the database answered fewer statements than were sent")
            rows._rows = cursor.fetchall() if cursor.description is not None else []
