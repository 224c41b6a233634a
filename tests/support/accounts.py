"""The accounts beside a test's store, on the store's backend."""

from __future__ import annotations

from sozialraum.accounts import USERS_FILE, FileUserStore, UserStore, accounts_dir


def accounts_of(store) -> UserStore:
    """The user accounts the app uses with ``store``.

    Parameters
    ----------
    store : Store
        A GeoJSON store (accounts in ``<data_dir>/_accounts/users.json``) or a PostgreSQL
        store (``store.url``: accounts in its database, as the app keeps them).

    Returns
    -------
    UserStore
        The accounts, e.g. to add a user before logging in.
    """
    url = getattr(store, "url", None)
    if url:
        from sozialraum.accounts.postgres import PostgresUserStore

        return PostgresUserStore(url)
    return FileUserStore(accounts_dir(store.data_dir) / USERS_FILE)
