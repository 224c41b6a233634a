"""User accounts in one JSON file (``<data_dir>/_accounts/users.json``).

Passwords are stored only as scrypt hashes (werkzeug's ``scrypt:32768:8:1`` format)
and never appear in clear in files, logs or error messages. Every write takes the
sidecar lock ``users.json.lock``, re-reads the file and replaces it atomically, so
the CLI and several server workers can change accounts at the same time.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.accounts.user_rules import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    USER_NAME,
    account_team,
    check_keeps_an_admin,
    check_password_rules,
    normalize_name,
)
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.roles import Role, parse_role
from sozialraum.model.teams import resolve_team

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "User",
    "UserStore",
    "normalize_name",
]

HASH_METHOD = "scrypt"
FILE_FORMAT = "sozialraum-users"


@dataclass(frozen=True)
class User:
    """A user account as the rest of the app sees it (without the password hash).

    Attributes
    ----------
    name : str
        Login name: 3–40 characters of ``a-z``, ``0-9``, ``.``, ``_``, ``-``.
    role : Role
        The account's role.
    team : str or None
        The team the account belongs to; ``None`` only for admins without a team.
    disabled : bool
        Disabled accounts cannot log in.
    created_at : str
        When the account was created (ISO 8601, UTC, seconds).
    password_changed_at : str
        When the password was last set (ISO 8601, UTC, seconds).
    """

    name: str
    role: Role
    team: str | None
    disabled: bool
    created_at: str
    password_changed_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, checked for unknown users so timing reveals nothing."""
    return generate_password_hash(secrets.token_urlsafe(24), method=HASH_METHOD)


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


class UserStore:
    """User accounts persisted in one JSON file.

    Parameters
    ----------
    path : pathlib.Path
        The users file, e.g. ``<data_dir>/_accounts/users.json``; its folder is created
        on the first write. The lock is ``<path>.lock``.
    lock_timeout_s : float, optional
        How long a writer waits for another process's lock (seconds) before
        :class:`~sozialraum.errors.StoreBusy` is raised.

    Notes
    -----
    Reads are served from memory and refreshed when the file changes. A corrupt file
    raises :class:`~sozialraum.errors.StorageError` naming the file and is never
    overwritten.
    """

    def __init__(self, path: Path, lock_timeout_s: float = 10.0):
        self.path = Path(path)
        self._file = JsonFile(
            self.path, empty=_empty, validate=_validate, lock_timeout_s=lock_timeout_s
        )

    # -- reading ---------------------------------------------------------------
    def get(self, name: str) -> User:
        """Return the account ``name``.

        Parameters
        ----------
        name : str
            Login name (case and surrounding blanks are ignored).

        Returns
        -------
        User
            The account.

        Raises
        ------
        InvalidInput
            If ``name`` is not a valid login name.
        NotFound
            If there is no such account.
        """
        clean = normalize_name(name)
        entry = self._file.read()["users"].get(clean)
        if entry is None:
            raise NotFound(f"no user {clean!r}")
        return _user(clean, entry)

    def list(self) -> list[User]:
        """Return all accounts, sorted by name.

        Returns
        -------
        list of User
            Every account, disabled ones included.
        """
        users = self._file.read()["users"]
        return [_user(name, users[name]) for name in sorted(users)]

    def authenticate(self, name: str, password: str) -> User | None:
        """Check a login.

        Unknown and invalid names are checked against a dummy hash, so the time taken
        does not reveal which accounts exist.

        Parameters
        ----------
        name : str
            Login name as typed.
        password : str
            Password as typed.

        Returns
        -------
        User or None
            The account if the password is right and the account is enabled; ``None``
            for an unknown name, a wrong password or a disabled account.
        """
        try:
            clean = normalize_name(name)
        except InvalidInput:
            clean = None
        entry = self._file.read()["users"].get(clean) if clean else None
        stored = entry["password_hash"] if entry is not None else _dummy_hash()
        if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
            check_password_hash(_dummy_hash(), "")
            return None
        try:
            matches = check_password_hash(stored, password)
        except (ValueError, TypeError):
            matches = False
        if entry is None or not matches or entry["disabled"]:
            return None
        return _user(clean, entry)

    # -- writing ---------------------------------------------------------------
    def add(
        self,
        name: str,
        role: Role | str,
        team: str | None,
        password: str,
        *,
        known_teams: Iterable[str] = (),
    ) -> User:
        """Create an account.

        Parameters
        ----------
        name : str
            Login name: 3–40 characters of ``a-z``, ``0-9``, ``.``, ``_``, ``-``
            (upper case is turned into lower case).
        role : Role or str
            ``viewer``, ``caseworker``, ``lead`` or ``admin``.
        team : str or None
            Required for every role except ``admin``. Resolved against the teams of the
            other accounts and ``known_teams`` (:func:`~sozialraum.model.teams.resolve_team`):
            "team süd" joins an existing "Team Süd".
        password : str
            At least 10 characters and not the user name; stored only as a scrypt hash.

        Returns
        -------
        User
            The new account.

        Raises
        ------
        InvalidInput
            For an invalid name, role, team or password, or if the name is taken.
        StoreBusy, StorageError
            If the file is locked, corrupt or cannot be written.
        """
        clean = normalize_name(name)
        parsed = parse_role(role)
        clean_team = account_team(parsed, team)
        check_password_rules(clean, password)
        password_hash = generate_password_hash(password, method=HASH_METHOD)
        stamp = _now()
        entry = {
            "role": parsed.value,
            "team": clean_team,
            "disabled": False,
            "password_hash": password_hash,
            "created_at": stamp,
            "password_changed_at": stamp,
        }

        def change(data: dict) -> None:
            if clean in data["users"]:
                raise InvalidInput(
                    f"user {clean!r} already exists", f"Das Konto „{clean}“ gibt es schon."
                )
            if entry["team"] is not None:
                others = {u["team"] for u in data["users"].values() if u.get("team")}
                entry["team"] = resolve_team(entry["team"], others | set(known_teams))
            data["users"][clean] = entry

        self._file.update(change)
        return _user(clean, entry)

    def _change_user(self, name: str, fields: dict, *, known_teams: Iterable[str] = ()) -> User:
        clean = normalize_name(name)

        def change(data: dict) -> User:
            entry = data["users"].get(clean)
            if entry is None:
                raise NotFound(f"no user {clean!r}", f"Das Konto „{clean}“ gibt es nicht.")
            updated = {**entry, **fields}
            check_keeps_an_admin(
                data["users"], clean, role=updated["role"], disabled=updated["disabled"]
            )
            if "team" in fields and updated["team"] is not None:
                others = {
                    u["team"] for n, u in data["users"].items() if n != clean and u.get("team")
                }
                updated["team"] = resolve_team(updated["team"], others | set(known_teams))
            entry.update(updated)
            return _user(clean, entry)

        return self._file.update(change)

    def set_password(self, name: str, password: str) -> User:
        """Set a new password.

        Parameters
        ----------
        name : str
            Login name.
        password : str
            At least 10 characters and not the user name.

        Returns
        -------
        User
            The account with the new ``password_changed_at``.

        Raises
        ------
        InvalidInput
            For an invalid name or password.
        NotFound
            If there is no such account.
        """
        clean = normalize_name(name)
        check_password_rules(clean, password)
        password_hash = generate_password_hash(password, method=HASH_METHOD)
        return self._change_user(
            clean, {"password_hash": password_hash, "password_changed_at": _now()}
        )

    def disable(self, name: str) -> User:
        """Disable an account: it can no longer log in (revoke its sessions separately).

        The last enabled admin cannot be disabled.

        Parameters
        ----------
        name : str
            Login name.

        Returns
        -------
        User
            The disabled account.

        Raises
        ------
        NotFound
            If there is no such account.
        InvalidInput
            If it is the last enabled admin.
        """
        return self._change_user(name, {"disabled": True})

    def enable(self, name: str) -> User:
        """Enable a disabled account again.

        Parameters
        ----------
        name : str
            Login name.

        Returns
        -------
        User
            The enabled account.

        Raises
        ------
        NotFound
            If there is no such account.
        """
        return self._change_user(name, {"disabled": False})

    def set_role_and_team(
        self,
        name: str,
        role: Role | str,
        team: str | None,
        *,
        known_teams: Iterable[str] = (),
    ) -> User:
        """Change the role and team of an account.

        Parameters
        ----------
        name : str
            Login name.
        role : Role or str
            The new role.
        team : str or None
            The new team (required for every role except ``admin``); resolved like in
            :meth:`add` against the other accounts' teams and ``known_teams``.

        Returns
        -------
        User
            The changed account.

        Raises
        ------
        InvalidInput
            For an invalid role or team, or if the last enabled admin would lose the role.
        NotFound
            If there is no such account.
        """
        parsed = parse_role(role)
        clean_team = account_team(parsed, team)
        return self._change_user(
            name, {"role": parsed.value, "team": clean_team}, known_teams=known_teams
        )

    def rename_team(self, old: str, new: str) -> list[str]:
        """Give every account of team ``old`` the team ``new`` (names as stored).

        Returns
        -------
        list of str
            The login names that changed, sorted.
        """

        def change(data: dict) -> list[str]:
            changed = []
            for user_name, entry in data["users"].items():
                if entry.get("team") == old:
                    entry["team"] = new
                    changed.append(user_name)
            return sorted(changed)

        return self._file.update(change)
