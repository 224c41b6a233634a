"""User accounts, login sessions and login rate limiting (no Flask in here).

Four interfaces (:mod:`sozialraum.accounts.base`) with two backends, chosen in one
place, :func:`open_accounts`:

- files (the default): ``<data_dir>/_accounts/`` (see :func:`accounts_dir`)

  ==================== ========================================================
  ``users.json``       accounts with scrypt password hashes (:class:`FileUserStore`)
  ``sessions.json``    SHA-256 of session tokens, user, timestamps (:class:`FileSessionStore`)
  ``logins.json``      failed logins, HMAC'd user names and addresses (:class:`FileLoginLimiter`)
  ``teams.json``       created teams nothing uses yet (:class:`FileTeamStore`)
  ``audit.jsonl``      audit log of account changes, with ``audit.head``
                       (:mod:`sozialraum.accounts.audit`)
  ``*.lock``           sidecar locks (never replaced)
  ==================== ========================================================

- PostgreSQL (a database URL is set): the tables ``users``, ``sessions``,
  ``login_attempts``, ``login_salt``, ``teams`` and ``accounts_audit``
  (:mod:`sozialraum.accounts.postgres`), shared by every app server using the database.
"""

from __future__ import annotations

from pathlib import Path

from sozialraum.accounts.audit import file_audit
from sozialraum.accounts.base import (
    Accounts,
    LoginLimiter,
    SessionStore,
    TeamStore,
    User,
    UserStore,
)
from sozialraum.accounts.ratelimit import FileLoginLimiter
from sozialraum.accounts.sessions import FileSessionStore
from sozialraum.accounts.teams import TEAMS_FILE, FileTeamStore
from sozialraum.accounts.user_rules import normalize_name
from sozialraum.accounts.users import FileUserStore

__all__ = [
    "LOGINS_FILE",
    "SESSIONS_FILE",
    "TEAMS_FILE",
    "USERS_FILE",
    "Accounts",
    "FileLoginLimiter",
    "FileSessionStore",
    "FileTeamStore",
    "FileUserStore",
    "LoginLimiter",
    "SessionStore",
    "TeamStore",
    "User",
    "UserStore",
    "accounts_dir",
    "normalize_name",
    "open_accounts",
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


def open_accounts(
    data_dir: Path,
    *,
    database_url: str | None = None,
    runtime_dir: Path | None = None,
    idle_timeout_s: float = 3600,
    max_failures_per_user: int = 5,
    max_failures_per_ip: int = 20,
    window_s: float = 900,
    audit_key_file: Path | None = None,
) -> Accounts:
    """Users, sessions, login limiter, teams of an installation: the one place choosing a backend.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder; the account files live in :func:`accounts_dir` of it.
    database_url : str, optional
        A ``postgresql://`` URL: everything is kept in that database (shared by every
        app server using it); ``None`` keeps the files.
    runtime_dir : pathlib.Path, optional
        Files only: where sessions and the login limiter live instead of the accounts
        folder (the web app uses the instance folder when the data folder is
        read-only; users are then only read).
    idle_timeout_s : float, optional
        A session ends after this many seconds without a request.
    max_failures_per_user, max_failures_per_ip : int, optional
        Failed logins within the window before a user name or an address is blocked.
    window_s : float, optional
        The login limiter's sliding window (seconds).
    audit_key_file : pathlib.Path, optional
        The audit key of the account audit log (default:
        :func:`sozialraum.settings.audit_key_file`; the same key as the area logs').

    Returns
    -------
    Accounts
        The four stores (users, sessions, login limiter, created teams).
    """
    limits = {
        "max_failures_per_user": max_failures_per_user,
        "max_failures_per_ip": max_failures_per_ip,
        "window_s": window_s,
    }
    if database_url:
        from sozialraum.accounts.postgres import postgres_accounts

        return postgres_accounts(
            database_url,
            idle_timeout_s=idle_timeout_s,
            audit_key_file=audit_key_file,
            **limits,
        )
    folder = accounts_dir(data_dir)
    runtime = Path(runtime_dir) if runtime_dir is not None else folder
    audit = file_audit(folder, audit_key_file, data_dir=data_dir)
    return Accounts(
        users=FileUserStore(folder / USERS_FILE, audit=audit),
        sessions=FileSessionStore(runtime / SESSIONS_FILE, idle_timeout_s=idle_timeout_s),
        limiter=FileLoginLimiter(runtime / LOGINS_FILE, **limits),
        teams=FileTeamStore(folder / TEAMS_FILE, audit=audit),
        backend="files",
    )
