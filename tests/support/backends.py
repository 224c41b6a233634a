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
