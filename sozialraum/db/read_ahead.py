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
    """

    url: str
    sql: str
    params: tuple = ()


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
        message = one_message.Recorder()
        answers = [(key, message.execute(r.sql, r.params)) for key, r in items]
        try:
            with get_pool(url, autocommit=True).connection() as conn:
                one_message.send(conn, message)
            rows = {key: answer.fetchall() for key, answer in answers}
        except (psycopg.Error, OSError) as exc:  # the stores' own reads report it
            log.debug("read ahead failed: %s", type(exc).__name__)
            continue
        kept.update(rows)


def take(key: Hashable) -> list[tuple] | None:
    """The rows read ahead for ``key`` (once), or ``None`` if nothing was read for it."""
    kept = _ROWS.get()
    if not kept:
        return None
    return kept.pop(key, None)


def clear() -> None:
    """Drop what was read ahead (the end of a request)."""
    _ROWS.set(None)
