"""User accounts, login sessions and login rate limiting (no Flask in here).

All account files live in ``<data_dir>/_accounts/`` (see :func:`accounts_dir`):

==================== ==========================================================
``users.json``       accounts with scrypt password hashes (:class:`UserStore`)
``sessions.json``    SHA-256 of session tokens, user, timestamps (:class:`SessionStore`)
``logins.json``      failed logins, HMAC'd user names and addresses (:class:`LoginLimiter`)
``*.lock``           sidecar locks (never replaced)
==================== ==========================================================
"""

from __future__ import annotations

from pathlib import Path

from sozialraum.accounts.ratelimit import LoginLimiter
from sozialraum.accounts.sessions import SessionStore
from sozialraum.accounts.users import User, UserStore, normalize_name

__all__ = [
    "LOGINS_FILE",
    "SESSIONS_FILE",
    "USERS_FILE",
    "LoginLimiter",
    "SessionStore",
    "User",
    "UserStore",
    "accounts_dir",
    "normalize_name",
]

USERS_FILE = "users.json"
SESSIONS_FILE = "sessions.json"
LOGINS_FILE = "logins.json"


def accounts_dir(data_dir: Path) -> Path:
    """Return the folder of the account files.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder (see :func:`sozialraum.settings.data_dir`).

    Returns
    -------
    pathlib.Path
        ``data_dir / "_accounts"``. The leading underscore keeps it apart from area
        folders, whose names start with a letter or digit.
    """
    return Path(data_dir) / "_accounts"
