"""Running a web test on both store backends and checking what it wrote through the store."""

from __future__ import annotations

import pytest

from sozialraum.store.validation import LAYERS

#: Mark a test (or ``pytestmark`` a module) to run once per store backend (GeoJSON files,
#: PostgreSQL): the root ``demo_store`` fixture is then ``backend_demo_store``, and ``app``,
#: ``client`` … are built on it. Read-only page tests need not carry it.
both_backends = pytest.mark.usefixtures("backend")


def store_state(store, area: str) -> dict:
    """What any write to ``area`` would change, read through the store (either backend).

    Parameters
    ----------
    store : Store
        A GeoJSON or PostgreSQL store.
    area : str
        The area's name.

    Returns
    -------
    dict
        The area's metadata, every layer's features (ids, versions, properties, geometry in
        EPSG:4326) and its audit entries; equal before and after means nothing was written.
    """
    return {
        "meta": store.read_meta(area),
        "layers": {layer: store.query(area, layer) for layer in LAYERS},
        "audit": store.audit_entries(area),
    }


def accounts_state(store) -> dict:
    """The accounts and created teams the app keeps beside ``store`` (files or its database).

    Parameters
    ----------
    store : Store
        A GeoJSON store (accounts in ``<data_dir>/_accounts``) or a PostgreSQL store (in its
        database, as the app keeps them).

    Returns
    -------
    dict
        Every user with its password hash, and the created teams; equal before and after
        means no account or team was changed.
    """
    from sozialraum.accounts import open_accounts

    accounts = open_accounts(store.data_dir, database_url=getattr(store, "url", None))
    return {
        "users": [(user, password_hash) for user, password_hash in accounts.users.records()],
        "teams": accounts.teams.list(),
    }


def store_revisions(store, area: str) -> dict:
    """A cheap fingerprint of ``area`` for loops over many requests (either backend).

    Parameters
    ----------
    store : Store
        A GeoJSON or PostgreSQL store.
    area : str
        The area's name.

    Returns
    -------
    dict
        The metadata, every layer's revision token (:meth:`Store.revision`: it changes with
        every write to the layer) and the number of audit entries (every write adds one,
        artifacts too); equal before and after means nothing was written.
    """
    return {
        "meta": store.read_meta(area),
        "layers": {layer: store.revision(area, layer) for layer in LAYERS},
        "audit": len(store.audit_entries(area)),
    }


def database_hits(store, needles) -> list[str]:
    """Where a PostgreSQL store's database holds any of ``needles`` (any case), in any table.

    Parameters
    ----------
    store : Store
        A PostgreSQL store (``store.url``); for a GeoJSON store the answer is ``[]`` (its
        data are files: search its ``data_dir``).
    needles : iterable of str
        Texts that must be stored nowhere.

    Returns
    -------
    list of str
        ``"table: needle"`` for every table (the store's, accounts, sessions …) holding one.
    """
    url = getattr(store, "url", None)
    if not url:
        return []
    from sozialraum.db import get_pool

    hits = []
    with get_pool(url).connection() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' "
                "ORDER BY table_name"
            )
        ]
        for table in tables:
            for needle in needles:
                found = conn.execute(
                    f'SELECT count(*) FROM "{table}" AS t WHERE t::text ILIKE %s',
                    (f"%{needle}%",),
                ).fetchone()[0]
                if found:
                    hits.append(f"{table}: {needle}")
    return hits


def edit_account_audit(data_dir, url: str | None, old: str, new: str, *, entry: int | None = None):
    """An insider edits one entry of the account audit log, keeping its JSON valid.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder (the log is ``<data_dir>/_accounts/audit.jsonl`` without ``url``).
    url : str or None
        The database holding the log (table ``accounts_audit``), else the file.
    old, new : str
        Text of the entry's line replaced by other text.
    entry : int, optional
        The entry's number (1 = the first); default the newest.
    """
    from sozialraum.accounts import accounts_dir

    if url is None:
        log = accounts_dir(data_dir) / "audit.jsonl"
        lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
        index = -1 if entry is None else entry - 1
        lines[index] = lines[index].replace(old, new)
        log.write_text("".join(lines), encoding="utf-8")
        return
    import psycopg

    which = "(SELECT max(seq) FROM accounts_audit)" if entry is None else str(int(entry))
    with psycopg.connect(url) as conn:
        conn.execute(
            f"UPDATE accounts_audit SET line = replace(line, %s, %s) WHERE seq = {which}",
            (old, new),
        )
