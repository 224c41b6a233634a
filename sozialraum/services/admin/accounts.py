"""Accounts as an admin manages them (web pages and CLI): create, lock, passwords, role, team.

The rules live with the accounts (:mod:`sozialraum.accounts.user_rules`, enforced by
:class:`~sozialraum.accounts.UserStore` under its lock): login names, passwords, a team for
every role but admin, one spelling per team, and never fewer than one enabled admin. These
functions add what both front ends do around a change: the teams known elsewhere, ending
the sessions of a locked account or a new password, and a one-time password when none is
given. No Flask in here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sozialraum.accounts import SessionStore, TeamStore, User, UserStore
from sozialraum.accounts.audit import ACTOR_CLI
from sozialraum.model.roles import Role
from sozialraum.store.base import Store

#: Length of a generated one-time password (characters of ``secrets.token_urlsafe``).
ONE_TIME_PASSWORD_CHARS = 16


@dataclass(frozen=True)
class AccountFiles:
    """The account stores an admin changes: users, sessions, created teams.

    Files or PostgreSQL, as :func:`sozialraum.accounts.open_accounts` chose them (see
    :meth:`of`); an :class:`~sozialraum.accounts.Accounts` has the same attributes.
    """

    users: UserStore
    sessions: SessionStore
    teams: TeamStore

    @classmethod
    def of(cls, accounts) -> AccountFiles:
        """The stores of an :class:`~sozialraum.accounts.Accounts`."""
        return cls(accounts.users, accounts.sessions, accounts.teams)


def one_time_password() -> str:
    """A random password of :data:`ONE_TIME_PASSWORD_CHARS` URL-safe characters."""
    return secrets.token_urlsafe(ONE_TIME_PASSWORD_CHARS)[:ONE_TIME_PASSWORD_CHARS]


def known_teams(files: AccountFiles, store: Store) -> set[str]:
    """Every team name in use: accounts, district assignments of every area, created teams."""
    from sozialraum.services.areas import area_teams

    teams = {user.team for user in files.users.list() if user.team}
    teams |= area_teams(store)
    teams |= set(files.teams.list())
    return teams


def create_account(
    files: AccountFiles,
    store: Store,
    name: str,
    role: Role | str,
    team: str | None,
    password: str | None = None,
    *,
    actor: str = ACTOR_CLI,
) -> tuple[User, str | None]:
    """Create an account; without ``password`` a one-time password is generated.

    Parameters
    ----------
    files : AccountFiles
    store : Store
        For the teams of the district assignments ("team süd" joins "Team Süd").
    name, role, team : str
        As for :meth:`sozialraum.accounts.UserStore.add`.
    password : str, optional
        The password; ``None`` or empty: a generated one (returned, shown once).
    actor : str, optional
        Who creates it (account audit log): the admin's login name, or ``cli``.

    Returns
    -------
    tuple of (User, str or None)
        The account and the generated password (``None`` when one was given).
    """
    generated = None if password else one_time_password()
    user = files.users.add(
        name,
        role,
        team,
        password or generated,
        known_teams=known_teams(files, store),
        actor=actor,
    )
    return user, generated


def set_disabled(
    files: AccountFiles, name: str, disabled: bool, *, actor: str = ACTOR_CLI
) -> tuple[User, int]:
    """Lock (``disabled``) or unlock an account; locking ends its sessions at once.

    The last enabled admin cannot be locked (:class:`~sozialraum.errors.InvalidInput`).
    ``actor`` (the admin's login name, or ``cli``) goes into the account audit log.

    Returns
    -------
    tuple of (User, int)
        The account and how many sessions ended.
    """
    if disabled:
        user = files.users.disable(name, actor=actor)
        return user, files.sessions.revoke_user(user.name)
    return files.users.enable(name, actor=actor), 0


def reset_password(
    files: AccountFiles, name: str, password: str | None = None, *, actor: str = ACTOR_CLI
) -> tuple[User, str | None, int]:
    """Set a new password (a generated one-time password without ``password``).

    Ends every session of the account. ``actor`` goes into the account audit log (the
    password never does).

    Returns
    -------
    tuple of (User, str or None, int)
        The account, the generated password (``None`` when one was given), sessions ended.
    """
    generated = None if password else one_time_password()
    user = files.users.set_password(name, password or generated, actor=actor)
    return user, generated, files.sessions.revoke_user(user.name)


def change_role_and_team(
    files: AccountFiles,
    store: Store,
    name: str,
    role: Role | str,
    team: str | None,
    *,
    actor: str = ACTOR_CLI,
) -> User:
    """Change an account's role and team (the last enabled admin keeps the admin role).

    The team is resolved against every known team (:func:`known_teams`); ``actor`` goes
    into the account audit log with the old and new role and team.
    """
    return files.users.set_role_and_team(
        name, role, team, known_teams=known_teams(files, store), actor=actor
    )


#: How many of the newest account audit entries the accounts page shows.
AUDIT_ROWS = 50


def _role_text(value) -> str:
    from sozialraum.model.roles import ROLE_LABELS

    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return str(value)


def _team_text(value) -> str:
    return value if value else "ohne Team"


def audit_rows(files: AccountFiles, limit: int = AUDIT_ROWS) -> dict:
    """The newest account audit entries in German, newest first, and whether the chain holds.

    Parameters
    ----------
    files : AccountFiles
    limit : int, optional
        How many entries.

    Returns
    -------
    dict
        ``{"rows": [{"seq", "ts", "actor", "action", "account", "details"}], "total": n,
        "ok": bool}``: plain text (the page escapes it); ``ts`` as written (ISO 8601, UTC);
        ``ok`` whether :meth:`~sozialraum.accounts.audit.AccountAudit.verify` found the chain
        unbroken.
    """
    from sozialraum.accounts.audit import ACTION_LABELS
    from sozialraum.errors import StorageError

    log = files.users.audit
    if log is None:
        return {"rows": [], "total": 0, "ok": True}
    try:
        result = log.verify()
        newest = log.entries(limit=limit)
    except StorageError:  # unreadable: the page says so instead of failing
        return {"rows": [], "total": 0, "ok": False}
    rows = []
    for entry in reversed(newest):
        action = entry.get("action")
        details = []
        if "role_old" in entry or "role_new" in entry:
            old, new = _role_text(entry.get("role_old")), _role_text(entry.get("role_new"))
            details.append(f"Rolle: {old} → {new}")
        elif action == "user_add" and entry.get("role"):
            details.append(f"Rolle: {_role_text(entry['role'])}")
        if "team_old" in entry or "team_new" in entry:
            old, new = _team_text(entry.get("team_old")), _team_text(entry.get("team_new"))
            details.append(f"Team: {old} → {new}")
        elif action == "user_add":
            details.append(f"Team: {_team_text(entry.get('team'))}")
        if action == "team_rename" and entry.get("users"):
            details.append(f"Konten: {', '.join(entry['users'])}")
        if action == "users_copy":
            details.append(
                f"{len(entry.get('users') or [])} kopiert, {entry.get('skipped', 0)} schon "
                f"vorhanden, {entry.get('carried', 0)} Protokolleinträge übernommen"
            )
        if action == "aborted":
            details.append(f"Eintrag {entry.get('aborted_seq')} wurde nicht gespeichert")
        rows.append(
            {
                "seq": entry.get("seq"),
                "ts": entry.get("ts"),
                "actor": "Kommandozeile" if entry.get("actor") == "cli" else entry.get("actor"),
                "action": ACTION_LABELS.get(action, str(action)),
                "account": entry.get("user") or entry.get("team") or entry.get("team_new") or "",
                "details": "; ".join(details),
            }
        )
    return {"rows": rows, "total": result.entries, "ok": result.ok}
