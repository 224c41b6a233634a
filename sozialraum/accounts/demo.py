"""Demo accounts for the fictional demo area, one per role.

Their passwords are public (``<name>-2026``): use them only on demo installations,
never on a server with real data.
"""

from __future__ import annotations

from pathlib import Path

from sozialraum.accounts.base import UserStore
from sozialraum.errors import InvalidInput, NotFound

__all__ = ["DEMO_USERS", "demo_password", "install_demo_users"]

#: (name, role, team) of the demo accounts.
DEMO_USERS: list[tuple[str, str, str | None]] = [
    ("demo-lesend", "viewer", "Team Nord"),
    ("demo-fachkraft", "caseworker", "Team Nord"),
    ("demo-leitung", "lead", "Team Nord"),
    ("demo-admin", "admin", None),
]


def demo_password(name: str) -> str:
    """Return the public password of a demo account (``<name>-2026``).

    Parameters
    ----------
    name : str
        A name from :data:`DEMO_USERS`.

    Returns
    -------
    str
        The password.
    """
    return f"{name}-2026"


def install_demo_users(target: Path | UserStore) -> list[tuple[str, str, str]]:
    """Add the demo accounts that are missing (idempotent).

    Existing accounts with these names are left alone (their passwords are not reset).

    Parameters
    ----------
    target : pathlib.Path or UserStore
        The accounts folder of the file backend (see
        :func:`sozialraum.accounts.accounts_dir`), or any user store.

    Returns
    -------
    list of tuple of str
        ``(name, role, password)`` of every demo account, for printing.
    """
    if isinstance(target, UserStore):
        store = target
    else:
        from sozialraum.accounts import USERS_FILE, FileUserStore

        store = FileUserStore(Path(target) / USERS_FILE)
    result = []
    for name, role, team in DEMO_USERS:
        password = demo_password(name)
        try:
            store.get(name)
        except NotFound:
            try:
                store.add(name, role, team, password)
            except InvalidInput:
                if name not in {user.name for user in store.list()}:
                    raise
                # else another process added it meanwhile
        result.append((name, role, password))
    return result
