"""What one request of the PostgreSQL store has read of an area: its metadata and generations.

A web request reads the area's metadata and the generation of several layers (for ETags and to
revalidate the process's cached layers). Without a scope each of those reads is a round trip to
the database; inside :func:`scope` (one per request) the first read of an area fetches its
metadata and every layer's generation in one statement, and the request's later reads reuse
them. The request's own writes update what it has seen; writes of other requests (and other app
servers) are seen by the next request, as with a repeatable-read snapshot taken at the request's
first read of the area.

The state lives in a :class:`contextvars.ContextVar`, so the threads of a server worker never
share it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from dataclasses import dataclass, field

from sozialraum.db import read_ahead
from sozialraum.errors import NotFound

#: One statement: the area's metadata (as stored) and every layer's generation.
AREA_STATE_SQL = (
    "SELECT a.name, a.meta::text, coalesce((SELECT json_object_agg(l.layer, l.generation) "
    "FROM layers l WHERE l.area = a.name), '{}')::text FROM areas a"
)


@dataclass
class AreaState:
    """An area as one request saw it.

    Attributes
    ----------
    meta_text : str
        The area's metadata as stored (JSON text; parsed per :meth:`meta` call, so every caller
        gets its own dict).
    generations : dict[str, str]
        Layer → generation token; a layer never written is missing.
    """

    meta_text: str
    generations: dict[str, str] = field(default_factory=dict)

    def meta(self) -> dict:
        """A fresh copy of the metadata."""
        return json.loads(self.meta_text)


_SEEN: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "sozialraum_postgres_request", default=None
)


@contextlib.contextmanager
def scope():
    """Reuse what is read of an area within the block (one web request); nestable."""
    if _SEEN.get() is not None:
        yield
        return
    token = _SEEN.set({})
    try:
        yield
    finally:
        try:
            _SEEN.reset(token)
        except ValueError:  # closed from another context (a server's teardown hook)
            _SEEN.set(None)


def active() -> bool:
    """Whether a :func:`scope` is open in this context."""
    return _SEEN.get() is not None


def area_state(conn_factory, url: str, area: str) -> AreaState:
    """The state of ``area``: the scope's copy, else read (and kept in the scope).

    Parameters
    ----------
    conn_factory : callable
        Returns a context manager yielding a connection (one statement is run).
    url : str
        The database (the scope keeps areas per database).
    area : str
        The area name.

    Raises
    ------
    NotFound
        If the area does not exist.
    """
    seen = _SEEN.get()
    if seen is not None and (url, area) in seen:
        return seen[(url, area)]
    read = _area_read(url, area)
    rows = read_ahead.take(read)
    if rows is None:
        with conn_factory() as conn:
            rows = conn.execute(read.sql, read.params).fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise NotFound(f"area {area!r} does not exist")
    state = AreaState(row[1], json.loads(row[2]))
    if seen is not None:
        seen[(url, area)] = state
    return state


def _area_read(url: str, area: str) -> read_ahead.Read:
    """The statement that reads ``area``'s state (also its key among the reads ahead)."""
    return read_ahead.Read(url, AREA_STATE_SQL + " WHERE a.name = %s", (area,), single_row=True)


def reads_ahead(url: str, area: str) -> dict:
    """The statement :func:`area_state` would run for ``area``, to run ahead (inside a scope).

    Nothing outside a :func:`scope` or when the scope already holds the area.
    """
    seen = _SEEN.get()
    if seen is None or (url, area) in seen or not isinstance(area, str):
        return {}
    read = _area_read(url, area)
    return {read: read}


def all_area_names(conn_factory, url: str) -> list[str]:
    """Every area's name, sorted; inside a scope every area's state is kept too (one statement)."""
    seen = _SEEN.get()
    if seen is None:
        with conn_factory() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM areas ORDER BY name")]
    with conn_factory() as conn:
        rows = conn.execute(AREA_STATE_SQL + " ORDER BY a.name").fetchall()
    for name, meta_text, generations in rows:
        seen.setdefault((url, name), AreaState(meta_text, json.loads(generations)))
    return [r[0] for r in rows]


def saw(url: str, area: str, layer: str, generation: str | None) -> None:
    """Record that this request now sees ``generation`` of ``layer`` (after a read or write)."""
    seen = _SEEN.get()
    state = seen.get((url, area)) if seen is not None else None
    if state is not None:
        if generation is None:
            state.generations.pop(layer, None)
        else:
            state.generations[layer] = generation


def forget(url: str, area: str) -> None:
    """Drop the scope's state of ``area`` (its metadata changed, or it was replaced)."""
    seen = _SEEN.get()
    if seen is not None:
        seen.pop((url, area), None)
