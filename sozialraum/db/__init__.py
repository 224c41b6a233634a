"""PostgreSQL infrastructure: one connection pool per process and URL, and the schema migrations.

Used only when a database URL is set (``SOZIALRAUM_DATABASE_URL`` or ``--database-url``, see
:func:`sozialraum.settings.database_url`); without one everything stays on GeoJSON files and
nothing here is imported. The store (:mod:`sozialraum.store.postgres`) and the accounts,
sessions and login limiter take their connections from :func:`get_pool`.

Example
-------
>>> from sozialraum.db import get_pool                      # doctest: +SKIP
>>> with get_pool(url).connection() as conn:                # one transaction
...     conn.execute("SELECT 1").fetchone()
"""

from __future__ import annotations

import os
import threading

from sozialraum.settings import DatabaseSettings

__all__ = ["close_pool", "close_pools", "get_pool", "pool_settings"]

_pools: dict[tuple[int, str, bool], object] = {}
_lock = threading.Lock()


def pool_settings(url: str) -> DatabaseSettings:
    """The pool sizes and timeouts for ``url`` (``SOZIALRAUM_DATABASE_POOL_*`` over defaults)."""
    settings = DatabaseSettings.from_env(url)
    assert settings is not None  # url is given
    return settings


def get_pool(url: str, *, autocommit: bool = False):
    """The connection pool of this process for ``url`` (opened on first use).

    Pools are per process: a server worker forked after the master opened a pool gets its
    own (a libpq connection must never be shared across ``fork``). Connections are
    ``psycopg.Connection`` objects with autocommit off: ``with pool.connection() as conn``
    is one transaction, committed at the end of the block (rolled back on an exception).

    With ``autocommit`` it is a second pool whose connections run each statement on its own
    (one round trip per read, no BEGIN/COMMIT): for reads that are one statement.

    Parameters
    ----------
    url : str
        libpq URL (``postgresql://…``).
    autocommit : bool, optional
        The autocommit pool (reads) instead of the transactional one.

    Returns
    -------
    psycopg_pool.ConnectionPool
    """
    key = (os.getpid(), url, autocommit)
    pool = _pools.get(key)
    if pool is not None:
        return pool
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            from psycopg_pool import ConnectionPool

            settings = pool_settings(url)
            pool = ConnectionPool(
                url,
                min_size=settings.pool_min,
                max_size=settings.pool_max,
                timeout=settings.pool_timeout_s,
                kwargs={"application_name": "sozialraum", "autocommit": autocommit},
                open=True,
                name=f"sozialraum-{os.getpid()}",
            )
            _pools[key] = pool
    return pool


def close_pools() -> None:
    """Close every pool this process opened (tests, the end of a CLI command)."""
    with _lock:
        mine = [k for k in _pools if k[0] == os.getpid()]
        for key in mine:
            _pools.pop(key).close()


def close_pool(url: str) -> None:
    """Close this process's pool for ``url`` if it has one (e.g. before dropping a database)."""
    with _lock:
        pools = [_pools.pop((os.getpid(), url, flag), None) for flag in (False, True)]
    for pool in pools:
        if pool is not None:
            pool.close()
