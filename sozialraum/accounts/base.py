"""The account interfaces: users, login sessions, the login limiter.

Backends (JSON files beside the data, see :mod:`sozialraum.accounts.users` and its
neighbours; PostgreSQL) implement the abstract primitives; the rules every backend
shares (name and password checks, scrypt hashing, timing-safe login checks, token
hashing, the sliding window) live here, so a difference between backends can only be
one of storage.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.security import check_password_hash, generate_password_hash

from sozialraum.accounts.audit import ACTOR_CLI, AccountAudit
from sozialraum.accounts.user_rules import (
    MAX_PASSWORD_LENGTH,
    account_team,
    check_keeps_an_admin,
    check_password_rules,
    normalize_name,
)
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.roles import Role, parse_role
from sozialraum.model.teams import resolve_team

__all__ = [
    "MAX_TOKEN_LENGTH",
    "Accounts",
    "LoginLimiter",
    "SessionStore",
    "TeamStore",
    "User",
    "UserStore",
    "checked_fields",
    "ip_text",
    "token_digest",
]

HASH_METHOD = "scrypt"
#: Tokens longer than this are refused without hashing (``token_urlsafe(32)`` gives 43).
MAX_TOKEN_LENGTH = 256


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


def now_text() -> str:
    """The current time as stored in :class:`User` (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, checked for unknown users so timing reveals nothing."""
    return generate_password_hash(secrets.token_urlsafe(24), method=HASH_METHOD)


def not_found(name: str) -> NotFound:
    """The error for a missing account (English and German)."""
    return NotFound(f"no user {name!r}", f"Das Konto „{name}“ gibt es nicht.")


def checked_fields(
    name: str,
    users: Mapping[str, Mapping],
    fields: dict,
    *,
    teams: Iterable[str] = (),
) -> dict:
    """The fields of a change of account ``name`` after the rules every backend shares.

    A backend calls this inside the atomic step of :meth:`UserStore._change` (under the
    file lock, or in the database transaction holding the rows), so no other change can
    slip in between the check and the write.

    Parameters
    ----------
    name : str
        The account that changes (normalised).
    users : mapping
        Login name → stored entry (``role`` as its text value, ``disabled``) before the
        change: at least ``name`` and every enabled admin.
    fields : dict
        The change (``role`` as text, ``team``, ``disabled``, ``password_hash``,
        ``password_changed_at``).
    teams : iterable of str, optional
        The other accounts' teams and the teams known elsewhere; needed only when
        ``fields`` sets a ``team`` (resolved with
        :func:`~sozialraum.model.teams.resolve_team`: "team süd" joins "Team Süd").

    Returns
    -------
    dict
        ``fields`` with the team as stored.

    Raises
    ------
    NotFound
        If ``name`` is not in ``users``.
    InvalidInput
        If the change would leave no enabled admin, or the team matches several teams.
    """
    entry = users.get(name)
    if entry is None:
        raise not_found(name)
    if "role" in fields or "disabled" in fields:
        updated = {**entry, **fields}
        check_keeps_an_admin(users, name, role=updated["role"], disabled=updated["disabled"])
    if fields.get("team") is not None:
        fields = {**fields, "team": resolve_team(fields["team"], set(teams))}
    return fields


# -- users ---------------------------------------------------------------------------
class UserStore(ABC):
    """User accounts: names, roles, teams, scrypt password hashes.

    Passwords are stored only as scrypt hashes (werkzeug's ``scrypt:32768:8:1`` format)
    and never appear in clear in storage, logs or error messages. Backends implement
    :meth:`list`, :meth:`_load`, :meth:`_insert`, :meth:`_change` and
    :meth:`rename_team`; the checks are made here and in :func:`checked_fields`, which
    :meth:`_change` applies in its atomic step (the last enabled admin stays one).

    Every change appends one entry to :attr:`audit` (see :mod:`sozialraum.accounts.audit`)
    in the same atomic step; ``actor`` is the admin's login name, or ``cli``.
    """

    #: The audit log of account changes (set by the backend).
    audit: AccountAudit | None = None

    # -- primitives ------------------------------------------------------------------
    @abstractmethod
    def list(self) -> list[User]:
        """Return all accounts, sorted by name (disabled ones included).

        Returns
        -------
        list of User
            Every account.
        """

    @abstractmethod
    def _load(self, name: str) -> tuple[User, str] | None:
        """The account ``name`` (already normalised) and its password hash, or ``None``."""

    @abstractmethod
    def _insert(
        self,
        user: User,
        password_hash: str,
        known_teams: set[str],
        *,
        actor: str = ACTOR_CLI,
        audited: bool = True,
    ) -> User:
        """Store a new account atomically; :class:`InvalidInput` if the name is taken.

        The team (if any) is resolved with :func:`~sozialraum.model.teams.resolve_team`
        against the other accounts' teams and ``known_teams`` in the same atomic step, in
        which a ``user_add`` entry by ``actor`` is appended to the audit log (not when
        ``audited`` is false: :meth:`copy_from` writes one entry for all).
        """

    @abstractmethod
    def _change(
        self,
        name: str,
        fields: dict,
        known_teams: set[str] = frozenset(),
        *,
        actor: str,
        action: str,
    ) -> User:
        """Change an account in one atomic step, after :func:`checked_fields`.

        ``fields``: ``password_hash``, ``password_changed_at``, ``disabled``, ``role``
        (text), ``team``. :class:`NotFound` if there is no such account;
        :class:`InvalidInput` if the last enabled admin would be disabled or lose the
        role. A ``team`` is resolved against the other accounts' teams and
        ``known_teams``. The audit entry (``action`` by ``actor``, with
        :func:`~sozialraum.accounts.audit.change_details`) is appended in the same atomic
        step. Returns the changed account.
        """

    @abstractmethod
    def rename_team(self, old: str, new: str, *, actor: str = ACTOR_CLI) -> list[str]:
        """Give every account of team ``old`` the team ``new`` (names as stored).

        The one ``team_rename`` entry of a team's renaming is appended here (with the
        accounts that moved), in the same atomic step.

        Parameters
        ----------
        old : str
            The team's name, exactly as stored.
        new : str
            The new name (already cleaned and checked by the caller).
        actor : str, optional
            Who renames (audit log).

        Returns
        -------
        list of str
            The login names that changed, sorted.
        """

    # -- copying between backends ----------------------------------------------------
    def records(self) -> list[tuple[User, str]]:
        """Every account with its password hash, sorted by name (for copying a backend).

        Returns
        -------
        list of tuple of (User, str)
            The account and its scrypt hash; never shown to anyone.
        """
        found = (self._load(user.name) for user in self.list())
        return [record for record in found if record is not None]

    def copy_from(self, source: UserStore, *, actor: str = ACTOR_CLI) -> tuple[int, int]:
        """Add the accounts of ``source`` this store lacks, with their password hashes.

        Passwords, roles, teams, the disabled flag and both timestamps are kept, so every
        user logs in as before. Sessions and counted failed logins are not copied. The
        audit log gets one ``users_copy`` entry; the source's audit log is carried over
        first when this store's log is still empty (see
        :meth:`~sozialraum.accounts.audit.AccountAudit.record_copy`).

        Parameters
        ----------
        source : UserStore
            The other backend's accounts (e.g. the files of a data folder).
        actor : str, optional
            Who copies (audit log).

        Returns
        -------
        tuple of (int, int)
            How many accounts were copied, and how many were left alone because an
            account of that name exists here already.
        """
        copied: list[str] = []
        skipped = 0
        for user, password_hash in source.records():
            try:
                self._insert(user, password_hash, set(), actor=actor, audited=False)
            except InvalidInput:
                skipped += 1
            else:
                copied.append(user.name)
        if self.audit is not None:
            self.audit.record_copy(source.audit, actor=actor, users=copied, skipped=skipped)
        return len(copied), skipped

    # -- reading ---------------------------------------------------------------------
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
        found = self._load(clean)
        if found is None:
            raise not_found(clean)
        return found[0]

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
        found = self._load(clean) if clean else None
        stored = found[1] if found is not None else dummy_hash()
        if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
            check_password_hash(dummy_hash(), "")
            return None
        try:
            matches = check_password_hash(stored, password)
        except (ValueError, TypeError):
            matches = False
        if found is None or not matches or found[0].disabled:
            return None
        return found[0]

    # -- writing ---------------------------------------------------------------------
    def add(
        self,
        name: str,
        role: Role | str,
        team: str | None,
        password: str,
        *,
        known_teams: Iterable[str] = (),
        actor: str = ACTOR_CLI,
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
        known_teams : iterable of str, optional
            Teams known elsewhere (district assignments, created teams).
        actor : str, optional
            Who creates it (audit log): the admin's login name, or ``cli``.

        Returns
        -------
        User
            The new account.

        Raises
        ------
        InvalidInput
            For an invalid name, role, team or password, or if the name is taken.
        StoreBusy, StorageError
            If the storage is locked, corrupt or cannot be written.
        """
        clean = normalize_name(name)
        parsed = parse_role(role)
        clean_team = account_team(parsed, team)
        check_password_rules(clean, password)
        password_hash = generate_password_hash(password, method=HASH_METHOD)
        stamp = now_text()
        user = User(clean, parsed, clean_team, False, stamp, stamp)
        return self._insert(user, password_hash, set(known_teams), actor=actor)

    def set_password(self, name: str, password: str, *, actor: str = ACTOR_CLI) -> User:
        """Set a new password.

        Parameters
        ----------
        name : str
            Login name.
        password : str
            At least 10 characters and not the user name.
        actor : str, optional
            Who sets it (audit log; the password is never logged).

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
        return self._change(
            clean,
            {"password_hash": password_hash, "password_changed_at": now_text()},
            actor=actor,
            action="password_set",
        )

    def disable(self, name: str, *, actor: str = ACTOR_CLI) -> User:
        """Disable an account: it can no longer log in (revoke its sessions separately).

        The last enabled admin cannot be disabled.

        Parameters
        ----------
        name : str
            Login name.
        actor : str, optional
            Who does it (audit log).

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
        return self._change(
            normalize_name(name), {"disabled": True}, actor=actor, action="user_disable"
        )

    def enable(self, name: str, *, actor: str = ACTOR_CLI) -> User:
        """Enable a disabled account again.

        Parameters
        ----------
        name : str
            Login name.
        actor : str, optional
            Who does it (audit log).

        Returns
        -------
        User
            The enabled account.

        Raises
        ------
        NotFound
            If there is no such account.
        """
        return self._change(
            normalize_name(name), {"disabled": False}, actor=actor, action="user_enable"
        )

    def set_role_and_team(
        self,
        name: str,
        role: Role | str,
        team: str | None,
        *,
        known_teams: Iterable[str] = (),
        actor: str = ACTOR_CLI,
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
        known_teams : iterable of str, optional
            Teams known elsewhere (district assignments, created teams).
        actor : str, optional
            Who changes it (audit log, with the old and new role and team).

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
        clean = normalize_name(name)
        parsed = parse_role(role)
        clean_team = account_team(parsed, team)
        return self._change(
            clean,
            {"role": parsed.value, "team": clean_team},
            set(known_teams),
            actor=actor,
            action="role_team_set",
        )


# -- created teams -------------------------------------------------------------------
class TeamStore(ABC):
    """Teams an admin created before any account or district has them.

    A team is a name (see :mod:`sozialraum.model.teams`). It exists wherever it is used:
    on accounts and in the district assignments of the areas. This store only adds the
    teams created on the admin pages that nothing uses yet, so that they can be chosen in
    the forms. Names arrive cleaned and resolved by the caller
    (:mod:`sozialraum.services.admin.teams`).
    """

    @abstractmethod
    def list(self) -> list[str]:
        """Return the created teams, sorted.

        Returns
        -------
        list of str
            The team names.
        """

    @abstractmethod
    def add(self, name: str, *, actor: str = ACTOR_CLI) -> None:
        """Add team ``name``; nothing if it is there.

        A ``team_add`` entry is appended to the audit log in the same atomic step when the
        team was added.

        Parameters
        ----------
        name : str
            The team's name (cleaned by the caller).
        actor : str, optional
            Who creates it (audit log).
        """

    @abstractmethod
    def rename(self, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` (``new`` is added if ``old`` is not there).

        Not audited here: :meth:`UserStore.rename_team`, called for every renaming, writes
        the one ``team_rename`` entry.

        Parameters
        ----------
        old : str
            The current name, exactly as stored.
        new : str
            The new name (cleaned by the caller).
        """


# -- sessions ------------------------------------------------------------------------
def token_digest(token: str) -> str:
    """The SHA-256 (hex) of a session token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_ok(token) -> bool:
    return isinstance(token, str) and bool(token) and len(token) <= MAX_TOKEN_LENGTH


class SessionStore(ABC):
    """Server-side login sessions, shared by every server process using the same storage.

    The browser's cookie holds a random token; storage holds only the token's SHA-256
    (a leaked copy does not let anyone log in), the user name and two timestamps. A
    session ends after ``idle_timeout_s`` without a request, on logout (:meth:`revoke`)
    or when the account is disabled or its password changed (:meth:`revoke_user`).

    Parameters
    ----------
    idle_timeout_s : float, optional
        A session expires after this many seconds without a request.
    touch_interval_s : float, optional
        ``last_seen`` is written at most once per this many seconds per session, so
        not every request writes. The effective idle timeout therefore lies between
        ``idle_timeout_s - touch_interval_s`` and ``idle_timeout_s``.
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``); tests
        pass a fake clock.
    """

    def __init__(
        self,
        idle_timeout_s: float = 3600,
        touch_interval_s: float = 60,
        *,
        clock: Callable[[], float] = time.time,
    ):
        if idle_timeout_s <= 0 or touch_interval_s < 0:
            raise InvalidInput("idle_timeout_s must be positive and touch_interval_s not negative")
        self.idle_timeout_s = float(idle_timeout_s)
        self.touch_interval_s = float(touch_interval_s)
        self.clock = clock

    # -- primitives (``key`` is the token's digest, ``now`` the clock's time) --------
    @abstractmethod
    def _create(self, key: str, user_name: str, now: float) -> None:
        """Store a new session (and drop expired ones where that is cheap)."""

    @abstractmethod
    def _lookup(self, key: str, now: float) -> str | None:
        """The user of a live session, touching ``last_seen`` per ``touch_interval_s``."""

    @abstractmethod
    def _revoke(self, key: str, now: float) -> bool:
        """Remove one session; whether it existed (and had not expired)."""

    @abstractmethod
    def revoke_user(self, name: str) -> int:
        """End every session of a user (disabled account, new password).

        Parameters
        ----------
        name : str
            The user name.

        Returns
        -------
        int
            How many sessions were removed (expired ones not counted).
        """

    @abstractmethod
    def purge_expired(self) -> int:
        """Remove expired sessions.

        Returns
        -------
        int
            How many sessions were removed.
        """

    @abstractmethod
    def active(self, name: str | None = None) -> int:
        """Count the sessions that have not expired.

        Parameters
        ----------
        name : str, optional
            Count only this user's sessions.

        Returns
        -------
        int
            The number of live sessions.
        """

    # -- the public operations -------------------------------------------------------
    def create(self, user_name: str) -> str:
        """Start a session for ``user_name``.

        Parameters
        ----------
        user_name : str
            The account that logged in (checked by the caller).

        Returns
        -------
        str
            The token for the cookie (43 URL-safe characters). It is not stored; only
            its SHA-256 is.

        Raises
        ------
        InvalidInput
            If ``user_name`` is empty.
        """
        if not isinstance(user_name, str) or not user_name:
            raise InvalidInput("a session needs a user name")
        token = secrets.token_urlsafe(32)
        self._create(token_digest(token), user_name, self.clock())
        return token

    def lookup(self, token: str | None) -> str | None:
        """Return the user of a session and mark the session as used.

        Parameters
        ----------
        token : str or None
            The token from the cookie.

        Returns
        -------
        str or None
            The user name, or ``None`` for a missing, malformed, unknown, revoked or
            expired token.

        Notes
        -----
        ``last_seen`` is written only if the last write is at least
        ``touch_interval_s`` old; other lookups only read.
        """
        if not _token_ok(token):
            return None
        return self._lookup(token_digest(token), self.clock())

    def reads_ahead(self, token: str | None, users: UserStore) -> dict:
        """The database reads :meth:`session_user` makes, to run with others at request start.

        See :mod:`sozialraum.db.read_ahead`; the default names none.

        Returns
        -------
        dict
            Key → :class:`sozialraum.db.read_ahead.Read`.
        """
        return {}

    def session_user(self, token: str | None, users: UserStore) -> User | None:
        """The account of a live session, marking the session as used (every request).

        Parameters
        ----------
        token : str or None
            The token from the cookie.
        users : UserStore
            Where the accounts are (a backend may read session and account at once).

        Returns
        -------
        User or None
            The account, or ``None`` as for :meth:`lookup`, or when the account is gone.
        """
        name = self.lookup(token)
        if name is None:
            return None
        try:
            return users.get(name)
        except NotFound:
            return None

    def revoke(self, token: str | None) -> bool:
        """End one session (logout).

        Parameters
        ----------
        token : str or None
            The token from the cookie.

        Returns
        -------
        bool
            Whether a session was removed.
        """
        if not _token_ok(token):
            return False
        return self._revoke(token_digest(token), self.clock())


# -- the login limiter ---------------------------------------------------------------
def ip_text(ip: str | None) -> str:
    """Canonical text of a client address; IPv6 reduced to its /64 network.

    Parameters
    ----------
    ip : str or None
        The address as the server saw it.

    Returns
    -------
    str
        IPv4 in dotted form (IPv4-mapped IPv6 too), IPv6 as its ``/64`` network, other
        text stripped as it is.
    """
    text = (ip or "").strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class LoginLimiter(ABC):
    """Count failed logins per user name and per client address, across processes.

    Failed logins are counted in a sliding window. Storage holds no raw addresses and
    no raw user names (a mistyped password in the name field must not be stored):
    both are kept as HMAC-SHA256 with a random salt kept in the same storage. IPv6
    clients are counted per /64 network (see :func:`ip_text`).

    Parameters
    ----------
    max_failures_per_user : int, optional
        Failed logins for one user name within the window before it is blocked.
    max_failures_per_ip : int, optional
        Failed logins from one address (IPv6: one /64) within the window before it is
        blocked.
    window_s : float, optional
        Length of the sliding window in seconds.
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``).

    Notes
    -----
    The web layer calls :meth:`attempt` before checking a password (check and count in
    one atomic step), refuses the login while the wait is positive, and takes the
    attempt back with :meth:`success` when the password was right.
    """

    def __init__(
        self,
        max_failures_per_user: int = 5,
        max_failures_per_ip: int = 20,
        window_s: float = 900,
        clock: Callable[[], float] = time.time,
    ):
        if max_failures_per_user < 1 or max_failures_per_ip < 1 or window_s <= 0:
            raise InvalidInput("login limits and the window must be positive")
        self.max_failures_per_user = int(max_failures_per_user)
        self.max_failures_per_ip = int(max_failures_per_ip)
        self.window_s = float(window_s)
        self.clock = clock

    # -- shared rules ----------------------------------------------------------------
    @staticmethod
    def _key(salt: str, kind: str, value: str) -> str:
        message = f"{kind}\0{value}".encode()
        return hmac.new(bytes.fromhex(salt), message, hashlib.sha256).hexdigest()

    def _keys(self, salt: str, user: str | None, ip: str | None) -> tuple[str, str]:
        """The HMAC keys of the user name (as typed, case and blanks ignored) and address."""
        name = (user or "").strip().lower()
        return self._key(salt, "user", name), self._key(salt, "ip", ip_text(ip))

    def _wait(self, times: Iterable[float], limit: int, now: float) -> float:
        recent = sorted(t for t in times if now - t < self.window_s)
        if len(recent) < limit:
            return 0.0
        # Allowed again once fewer than `limit` failures lie inside the window.
        return max(0.0, recent[len(recent) - limit] + self.window_s - now)

    def _kept(self, times: Iterable[float], limit: int, now: float) -> list[float]:
        """The failure times worth keeping: inside the window, the newest ``limit``."""
        recent = sorted(t for t in times if now - t < self.window_s)
        return recent[-limit:]

    def _wait_both(self, user_times, ip_times, now: float) -> float:
        return max(
            self._wait(user_times, self.max_failures_per_user, now),
            self._wait(ip_times, self.max_failures_per_ip, now),
        )

    # -- the public operations -------------------------------------------------------
    @abstractmethod
    def retry_after(self, user: str | None, ip: str | None) -> float:
        """Return how long a login for ``user`` from ``ip`` must wait.

        Parameters
        ----------
        user : str or None
            The user name as typed (case and blanks are ignored).
        ip : str or None
            The client address.

        Returns
        -------
        float
            Seconds to wait; ``0.0`` if the login attempt is allowed now.
        """

    @abstractmethod
    def failure(self, user: str | None, ip: str | None) -> None:
        """Record a failed login.

        Parameters
        ----------
        user : str or None
            The user name as typed.
        ip : str or None
            The client address.
        """

    @abstractmethod
    def attempt(self, user: str | None, ip: str | None) -> tuple[float, float | None]:
        """Check the limit and count this attempt as a failure, in one atomic step.

        Checking and counting separately would let each server process pass one more
        guess through at the same moment; counting first closes that gap. A login that
        then succeeds takes its attempt back with :meth:`success`.

        Parameters
        ----------
        user : str or None
            The user name as typed.
        ip : str or None
            The client address.

        Returns
        -------
        tuple of (float, float or None)
            Seconds to wait (``0.0``: go ahead) and the attempt's time stamp for
            :meth:`success` (``None`` when refused: nothing was counted).
        """

    @abstractmethod
    def success(self, user: str | None, ip: str | None, attempt_at: float | None = None) -> None:
        """Record a successful login: forget the user's failures.

        The address's failures are kept, so one valid account cannot be used to
        reset the per-address limit while guessing other accounts' passwords.

        Parameters
        ----------
        user : str or None
            The user name as typed.
        ip : str or None
            The client address.
        attempt_at : float, optional
            The time stamp from :meth:`attempt`: that attempt is taken back from the
            address's failures too.
        """


# -- all of them ---------------------------------------------------------------------
@dataclass(frozen=True)
class Accounts:
    """Users, server-side sessions, the login limiter and created teams of one installation.

    Attributes
    ----------
    users : UserStore
        The accounts.
    sessions : SessionStore
        The login sessions.
    limiter : LoginLimiter
        The failed-login counter.
    teams : TeamStore
        Teams created on the admin pages that nothing uses yet.
    backend : str
        ``"files"`` or ``"postgres"``.
    """

    users: UserStore
    sessions: SessionStore
    limiter: LoginLimiter
    teams: TeamStore
    backend: str = "files"
