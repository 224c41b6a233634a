"""A web request's first reads, sent to the database together: one round trip, not several.

At the start of a request the web app knows what it will read first: the session behind the
cookie and the area named in the URL. The stores say how they read those
(:meth:`sozialraum.store.Store.reads_ahead`, :meth:`sozialraum.accounts.SessionStore.reads_ahead`);
:func:`run` sends the statements as one message per database (:mod:`sozialraum.db.one_message`)
and keeps their rows for this request only, and each store :func:`take` its rows once
instead of asking again.

Under load every round trip costs more than the network: the worker thread that waits for
the answer must then wait for its interpreter lock behind the worker's other threads.

The rows live in a :class:`contextvars.ContextVar`. :func:`run` replaces them at the start of
every request and :func:`clear` drops them at its end, so a thread of a server worker never
serves one request's rows to the next.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Hashable
from dataclasses import dataclass

log = logging.getLogger(__name__)

_ROWS: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "sozialraum_read_ahead", default=None
)


@dataclass(frozen=True)
class Read:
    """One statement to run ahead.

    Attributes
    ----------
    url : str
        The database (libpq URL); reads of one database go into one message.
    sql : str
        One ``SELECT`` (the reads of one message share one snapshot).
    params : tuple
        Its parameters.
    single_row : bool
        The statement returns at most one row (a lookup by a unique key). When every read
        of a database does, they are joined into one statement (:func:`_joined`), which
        psycopg prepares on the server after a few requests: no parsing and planning per
        request, and its values are bound on the server.
    """

    url: str
    sql: str
    params: tuple = ()
    single_row: bool = False


def run(reads: dict[Hashable, Read]) -> None:
    """Run ``reads`` (one round trip per database) and keep their rows for :func:`take`.

    Always replaces what an earlier request kept. A database error keeps nothing: each
    store then reads on its own and reports the error as it always does.

    Parameters
    ----------
    reads : dict
        Key (chosen by the store that takes the rows; the stores use the :class:`Read` itself,
        which is hashable) → :class:`Read`.
    """
    kept: dict = {}
    _ROWS.set(kept)
    if not reads:
        return
    import psycopg

    from sozialraum.db import get_pool, one_message

    by_url: dict[str, list[tuple[Hashable, Read]]] = {}
    for key, read in reads.items():
        by_url.setdefault(read.url, []).append((key, read))
    for url, items in by_url.items():
        try:
            if all(read.single_row for _key, read in items):
                rows = _joined(get_pool(url, autocommit=True), items)
            else:
                message = one_message.Recorder()
                answers = [(key, message.execute(r.sql, r.params)) for key, r in items]
                with get_pool(url, autocommit=True).connection() as conn:
                    one_message.send(conn, message)
                rows = {key: answer.fetchall() for key, answer in answers}
        except (psycopg.Error, OSError) as exc:  # the stores' own reads report it
            log.debug("read ahead failed: %s", type(exc).__name__)
            continue
        kept.update(rows)


def _joined(pool, items: list[tuple[Hashable, Read]]) -> dict:
    """Run single-row reads as one statement; their rows by key (``[]``: no row).

    Each read becomes ``(SELECT true AS read_ahead_N, q.* FROM (<read>) q) rN``, left-joined
    on ``true`` to one row: the marker column says whether the read found its row, and the
    columns up to the next marker are that row.
    """
    parts, params = [], []
    for number, (_key, read) in enumerate(items):
        parts.append(
            f" LEFT JOIN (SELECT true AS read_ahead_{number}, q.* FROM ({read.sql}) q) "
            f"r{number} ON true"
        )
        params.extend(read.params)
    sql = "SELECT * FROM (VALUES (1)) AS one (x)" + "".join(parts)
    with pool.connection() as conn:
        cursor = conn.execute(sql, params)
        row = cursor.fetchone()
        names = [column.name for column in cursor.description]
    starts = [names.index(f"read_ahead_{number}") for number in range(len(items))]
    ends = [*starts[1:], len(names)]
    return {
        key: [tuple(row[start + 1 : end])] if row[start] else []
        for (key, _read), start, end in zip(items, starts, ends, strict=True)
    }


def take(key: Hashable) -> list[tuple] | None:
    """The rows read ahead for ``key`` (once), or ``None`` if nothing was read for it."""
    kept = _ROWS.get()
    if not kept:
        return None
    return kept.pop(key, None)


def clear() -> None:
    """Drop what was read ahead (the end of a request)."""
    _ROWS.set(None)
