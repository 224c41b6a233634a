"""User accounts in one JSON file (``<data_dir>/_accounts/users.json``).

Passwords are stored only as scrypt hashes (werkzeug's ``scrypt:32768:8:1`` format)
and never appear in clear in files, logs or error messages. Every write takes the
sidecar lock ``users.json.lock``, re-reads the file and replaces it atomically, so
the CLI and several server workers can change accounts at the same time. Before that lock a
change takes the account audit log's lock and writes its entry first (see
:mod:`sozialraum.accounts.audit`).
"""

from __future__ import annotations

from pathlib import Path

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.accounts.audit import ACTOR_CLI, FileAccountAudit, change_details, file_audit
from sozialraum.accounts.base import User, UserStore, checked_fields
from sozialraum.accounts.user_rules import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    USER_NAME,
    normalize_name,
)
from sozialraum.errors import InvalidInput
from sozialraum.model.roles import Role
from sozialraum.model.teams import resolve_team

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "FileUserStore",
    "User",
    "normalize_name",
]

FILE_FORMAT = "sozialraum-users"


def _empty() -> dict:
    return {"format": FILE_FORMAT, "version": 1, "users": {}}


def _validate(data: dict) -> None:
    require(data.get("format") == FILE_FORMAT, "not a sozialraum users file")
    users = data["users"]
    require(isinstance(users, dict), "'users' is not an object")
    for name, entry in users.items():
        require(USER_NAME.match(name), "invalid user name in file")
        require(isinstance(entry, dict), f"entry of {name!r} is not an object")
        Role(entry["role"])  # ValueError for an unknown role
        require(entry["team"] is None or isinstance(entry["team"], str), f"bad team of {name!r}")
        require(isinstance(entry["disabled"], bool), f"bad 'disabled' of {name!r}")
        require(isinstance(entry["password_hash"], str), f"bad password hash of {name!r}")
        require(isinstance(entry["created_at"], str), f"bad 'created_at' of {name!r}")
        require(
            isinstance(entry["password_changed_at"], str), f"bad 'password_changed_at' of {name!r}"
        )


def _user(name: str, entry: dict) -> User:
    return User(
        name=name,
        role=Role(entry["role"]),
        team=entry["team"],
        disabled=entry["disabled"],
        created_at=entry["created_at"],
        password_changed_at=entry["password_changed_at"],
    )


class FileUserStore(UserStore):
    """User accounts persisted in one JSON file.

    Parameters
    ----------
    path : pathlib.Path
        The users file, e.g. ``<data_dir>/_accounts/users.json``; its folder is created
        on the first write. The lock is ``<path>.lock``.
    lock_timeout_s : float, optional
        How long a writer waits for another process's lock (seconds) before
        :class:`~sozialraum.errors.StoreBusy` is raised.
    audit : FileAccountAudit, optional
        The audit log of account changes (default: ``audit.jsonl`` beside ``path``, keyed
        with :func:`sozialraum.settings.audit_key_file`).

    Notes
    -----
    Reads are served from memory and refreshed when the file changes. A corrupt file
    raises :class:`~sozialraum.errors.StorageError` naming the file and is never
    overwritten.
    """

    def __init__(
        self, path: Path, lock_timeout_s: float = 10.0, *, audit: FileAccountAudit | None = None
    ):
        self.path = Path(path)
        self._file = JsonFile(
            self.path, empty=_empty, validate=_validate, lock_timeout_s=lock_timeout_s
        )
        self.audit = audit if audit is not None else file_audit(self.path.parent)

    def list(self) -> list[User]:
        """Return all accounts, sorted by name.

        Returns
        -------
        list of User
            Every account, disabled ones included.
        """
        users = self._file.read()["users"]
        return [_user(name, users[name]) for name in sorted(users)]

    def _load(self, name: str) -> tuple[User, str] | None:
        entry = self._file.read()["users"].get(name)
        if entry is None:
            return None
        return _user(name, entry), entry["password_hash"]

    def _insert(
        self,
        user: User,
        password_hash: str,
        known_teams: set[str],
        *,
        actor: str = ACTOR_CLI,
        audited: bool = True,
    ) -> User:
        entry = {
            "role": user.role.value,
            "team": user.team,
            "disabled": user.disabled,
            "password_hash": password_hash,
            "created_at": user.created_at,
            "password_changed_at": user.password_changed_at,
        }

        def change(data: dict) -> None:
            if user.name in data["users"]:
                raise InvalidInput(
                    f"user {user.name!r} already exists",
                    f"Das Konto „{user.name}“ gibt es schon.",
                )
            if entry["team"] is not None:
                others = {u["team"] for u in data["users"].values() if u.get("team")}
                entry["team"] = resolve_team(entry["team"], others | known_teams)
            data["users"][user.name] = entry
            if audited:
                log("user_add", user=user.name, role=entry["role"], team=entry["team"])

        with self.audit.writing(actor) as log:
            self._file.update(change)
        return _user(user.name, entry)

    def _change(
        self,
        name: str,
        fields: dict,
        known_teams: set[str] = frozenset(),
        *,
        actor: str,
        action: str,
    ) -> User:
        def change(data: dict) -> User:
            users = data["users"]
            teams = {u["team"] for n, u in users.items() if n != name and u.get("team")}
            checked = checked_fields(name, users, fields, teams=teams | set(known_teams))
            before = dict(users[name])
            users[name].update(checked)
            log(action, **change_details(name, before, users[name]))
            return _user(name, users[name])

        with self.audit.writing(actor) as log:
            return self._file.update(change)

    def rename_team(self, old: str, new: str, *, actor: str = ACTOR_CLI) -> list[str]:
        """Give every account of team ``old`` the team ``new`` (see the interface)."""

        def change(data: dict) -> list[str]:
            changed = []
            for user_name, entry in data["users"].items():
                if entry.get("team") == old:
                    entry["team"] = new
                    changed.append(user_name)
            log("team_rename", team_old=old, team_new=new, users=sorted(changed))
            return sorted(changed)

        with self.audit.writing(actor) as log:
            return self._file.update(change)
