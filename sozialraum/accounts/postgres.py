"""Users, sessions and the login limiter in PostgreSQL, shared by every app server.

Used when a database URL is set (see :func:`sozialraum.accounts.open_accounts`). The
tables come from the Alembic revision ``0002_accounts`` (``sozialraum db upgrade``):

=================== ======================================================================
``users``           one row per account: role, team, scrypt password hash, timestamps
``sessions``        SHA-256 of the session token (never the token), user, ``created`` and
                    ``last_seen`` in seconds since the epoch (UTC)
``login_attempts``  failed logins per HMAC key of a user name or a client address: the
                    times inside the window (seconds since the epoch), newest ``limit`` only
``login_salt``      the one random HMAC salt of the limiter
``teams``           teams created on the admin pages that nothing uses yet (revision ``0003``)
``accounts_audit``  the audit log of account changes, with ``accounts_audit_head``
                    (revision ``0005``, :mod:`sozialraum.accounts.postgres_audit`)
=================== ======================================================================

Every operation is one transaction from the process's connection pool. Times come from
the app server's clock (as with the files): app servers sharing a database need
synchronised clocks (NTP). Concurrency:

- a session created on one server is found by every other one; logout and
  :meth:`~PostgresSessionStore.revoke_user` delete the row, so the session ends everywhere;
- the limiter locks the address's row, then the user's (always in that order, so two
  servers never deadlock) with ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: checking
  and counting an attempt is atomic across servers;
- new accounts and team changes take a transaction-scoped advisory lock, so concurrent
  changes resolve team spellings against each other;
- every change appends its audit entry in its own transaction, after the audit log's
  advisory lock (taken last, held briefly), so the chain never forks;
- disabling an account or changing its role locks the account's row and every enabled
  admin's row (``SELECT … FOR UPDATE``, in name order) before the last-admin rule is
  checked, so two servers cannot each disable one of the last two admins.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sozialraum.accounts.audit import ACTOR_CLI, change_details
from sozialraum.accounts.base import (
    Accounts,
    LoginLimiter,
    SessionStore,
    TeamStore,
    User,
    UserStore,
    _token_ok,
    checked_fields,
    token_digest,
)
from sozialraum.accounts.postgres_audit import PostgresAccountAudit, postgres_audit
from sozialraum.db import read_ahead
from sozialraum.errors import InvalidInput, StorageError, StoreBusy
from sozialraum.model.roles import Role
from sozialraum.model.teams import resolve_team

__all__ = [
    "PostgresLoginLimiter",
    "PostgresSessionStore",
    "PostgresTeamStore",
    "PostgresUserStore",
    "postgres_accounts",
]

#: Advisory lock (two-key form) serialising the creation of accounts.
_USERS_LOCK = (0x736F7A69, 1)  # "sozi", 1


@contextlib.contextmanager
def transaction(pool) -> Iterator:
    """One transaction on a pooled connection; database trouble as the store's errors.

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL (the calling process's pool for it is used, see
        :func:`sozialraum.db.get_pool`), or a pool.

    Yields
    ------
    psycopg.Connection
        Committed when the block ends, rolled back on an exception.

    Raises
    ------
    StoreBusy
        If no connection was free in time, or the database broke a deadlock.
    StorageError
        If the database cannot be reached or refused the statement.
    """
    import psycopg
    from psycopg_pool import PoolTimeout

    if isinstance(pool, str):
        from sozialraum.db import get_pool

        pool = get_pool(pool)  # this process's pool: a forked worker gets its own
    try:
        with pool.connection() as conn:
            yield conn
    except PoolTimeout:
        raise StoreBusy("the database has no free connection; try again") from None
    except psycopg.errors.TransactionRollback:
        raise StoreBusy("the database is busy; try again") from None
    except psycopg.OperationalError as exc:
        reason = type(exc).__name__
        raise StorageError(f"the accounts database is unavailable ({reason})") from None


@contextlib.contextmanager
def statements(pool) -> Iterator:
    """A pooled connection in autocommit, for a read that is one statement: one round trip.

    A transaction costs three (``BEGIN``, the statement, ``COMMIT``); the session lookup and
    the user behind it run on every request. With a pool object (not a URL) this is
    :func:`transaction`.
    """
    if not isinstance(pool, str):
        with transaction(pool) as conn:
            yield conn
        return
    from sozialraum.db import get_pool

    with transaction(get_pool(pool, autocommit=True)) as conn:
        yield conn


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


_USER_COLUMNS = "name, role, team, disabled, created_at, password_changed_at"


def _user(row) -> User:
    name, role, team, disabled, created_at, changed_at = row[:6]
    return User(name, Role(role), team, bool(disabled), _stamp(created_at), _stamp(changed_at))


# -- users ---------------------------------------------------------------------------
class PostgresUserStore(UserStore):
    """User accounts in the ``users`` table.

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL (each process then uses its own pool, see
        :func:`sozialraum.db.get_pool`; safe across ``fork``), or a pool.
    audit : PostgresAccountAudit, optional
        The audit log of account changes (default: the database's, keyed with
        :func:`sozialraum.settings.audit_key_file`).
    """

    def __init__(self, pool, *, audit: PostgresAccountAudit | None = None):
        self.pool = pool
        self.audit = audit if audit is not None else postgres_audit(pool)

    def list(self) -> list[User]:
        """Return all accounts, sorted by name (disabled ones included).

        Returns
        -------
        list of User
            Every account.
        """
        with transaction(self.pool) as conn:
            rows = conn.execute(
                f'SELECT {_USER_COLUMNS} FROM users ORDER BY name COLLATE "C"'
            ).fetchall()
        return [_user(row) for row in rows]

    def _load(self, name: str) -> tuple[User, str] | None:
        with statements(self.pool) as conn:
            row = conn.execute(
                f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE name = %s", (name,)
            ).fetchone()
        return None if row is None else (_user(row), row[6])

    def _insert(
        self,
        user: User,
        password_hash: str,
        known_teams: set[str],
        *,
        actor: str = ACTOR_CLI,
        audited: bool = True,
    ) -> User:
        with transaction(self.pool) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _USERS_LOCK)
            team = user.team
            if team is not None:
                others = {
                    row[0]
                    for row in conn.execute(
                        "SELECT DISTINCT team FROM users WHERE team IS NOT NULL"
                    ).fetchall()
                }
                team = resolve_team(team, others | known_teams)
            row = conn.execute(
                f"""INSERT INTO users ({_USER_COLUMNS}, password_hash)
                    VALUES (%s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (name) DO NOTHING
                    RETURNING {_USER_COLUMNS}""",
                (
                    user.name,
                    user.role.value,
                    team,
                    user.disabled,
                    datetime.fromisoformat(user.created_at),
                    datetime.fromisoformat(user.password_changed_at),
                    password_hash,
                ),
            ).fetchone()
            if row is not None and audited:
                self.audit.append(conn, actor, "user_add", user=user.name, role=row[1], team=row[2])
        if row is None:
            raise InvalidInput(
                f"user {user.name!r} already exists", f"Das Konto „{user.name}“ gibt es schon."
            )
        return _user(row)

    _FIELDS = ("password_hash", "password_changed_at", "disabled", "role", "team")

    def _change(
        self,
        name: str,
        fields: dict,
        known_teams: set[str] = frozenset(),
        *,
        actor: str,
        action: str,
    ) -> User:
        unknown = sorted(set(fields) - set(self._FIELDS))
        if unknown:
            raise ValueError(f"unknown account fields: {unknown}")
        with transaction(self.pool) as conn:
            if "team" in fields:  # resolved against the others like a new account's team
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _USERS_LOCK)
            if "role" in fields or "disabled" in fields:
                # the account and every enabled admin, locked in one statement in name order
                # (two servers lock in the same order: no deadlock); a row another
                # transaction changed is re-checked after it commits, so an admin disabled
                # meanwhile no longer counts
                query = """SELECT name, role, disabled, team FROM users
                           WHERE name = %s OR (role = 'admin' AND NOT disabled)
                           ORDER BY name COLLATE "C" FOR UPDATE"""
            else:
                query = "SELECT name, role, disabled, team FROM users WHERE name = %s FOR UPDATE"
            users = {
                row[0]: {"role": row[1], "disabled": row[2], "team": row[3]}
                for row in conn.execute(query, (name,)).fetchall()
            }
            teams: set[str] = set()
            if fields.get("team") is not None:
                teams = {
                    row[0]
                    for row in conn.execute(
                        "SELECT DISTINCT team FROM users WHERE team IS NOT NULL AND name <> %s",
                        (name,),
                    ).fetchall()
                }
            values = checked_fields(name, users, fields, teams=teams | set(known_teams))
            if "password_changed_at" in values:
                stamp = datetime.fromisoformat(values["password_changed_at"])
                values = {**values, "password_changed_at": stamp}
            columns = [column for column in self._FIELDS if column in values]
            assignments = ", ".join(f"{column} = %s" for column in columns)
            row = conn.execute(
                f"UPDATE users SET {assignments} WHERE name = %s RETURNING {_USER_COLUMNS}",
                (*(values[column] for column in columns), name),
            ).fetchone()
            after = {"role": row[1], "team": row[2]}
            self.audit.append(conn, actor, action, **change_details(name, users[name], after))
        return _user(row)

    def rename_team(self, old: str, new: str, *, actor: str = ACTOR_CLI) -> list[str]:
        """Give every account of team ``old`` the team ``new`` (see the interface)."""
        with transaction(self.pool) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", _USERS_LOCK)
            rows = conn.execute(
                "UPDATE users SET team = %s WHERE team = %s RETURNING name", (new, old)
            ).fetchall()
            changed = sorted(row[0] for row in rows)
            self.audit.append(conn, actor, "team_rename", team_old=old, team_new=new, users=changed)
        return changed


# -- created teams -------------------------------------------------------------------
class PostgresTeamStore(TeamStore):
    """Teams created on the admin pages, in the ``teams`` table (revision ``0003``).

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL (each process then uses its own pool, see
        :func:`sozialraum.db.get_pool`; safe across ``fork``), or a pool.
    audit : PostgresAccountAudit, optional
        The audit log of account changes (default: the database's).
    """

    def __init__(self, pool, *, audit: PostgresAccountAudit | None = None):
        self.pool = pool
        self.audit = audit if audit is not None else postgres_audit(pool)

    def list(self) -> list[str]:
        """Return the created teams, sorted (see :meth:`TeamStore.list`)."""
        with transaction(self.pool) as conn:
            rows = conn.execute('SELECT name FROM teams ORDER BY name COLLATE "C"').fetchall()
        return [row[0] for row in rows]

    def add(self, name: str, *, actor: str = ACTOR_CLI) -> None:
        """Add team ``name``; nothing if it is there (see :meth:`TeamStore.add`)."""
        with transaction(self.pool) as conn:
            added = conn.execute(
                "INSERT INTO teams (name) VALUES (%s) ON CONFLICT (name) DO NOTHING RETURNING 1",
                (name,),
            ).fetchone()
            if added is not None:
                self.audit.append(conn, actor, "team_add", team=name)

    def rename(self, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` in one transaction (see :meth:`TeamStore.rename`)."""
        with transaction(self.pool) as conn:
            conn.execute("DELETE FROM teams WHERE name = %s AND name <> %s", (old, new))
            conn.execute(
                "INSERT INTO teams (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (new,)
            )


# -- sessions ------------------------------------------------------------------------
class PostgresSessionStore(SessionStore):
    """Login sessions in the ``sessions`` table, valid on every app server.

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL (each process then uses its own pool, see
        :func:`sozialraum.db.get_pool`; safe across ``fork``), or a pool.
    idle_timeout_s : float, optional
        A session expires after this many seconds without a request.
    touch_interval_s : float, optional
        ``last_seen`` is written at most once per this many seconds per session.
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``).
    """

    def __init__(
        self,
        pool,
        idle_timeout_s: float = 3600,
        touch_interval_s: float = 60,
        *,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(idle_timeout_s, touch_interval_s, clock=clock)
        self.pool = pool

    #: Whether a session is expired, with the same arithmetic as the file backend.
    _EXPIRED = "%(now)s - last_seen >= %(idle)s"

    def _params(self, now: float, **more) -> dict:
        return {"now": now, "idle": self.idle_timeout_s, **more}

    def _drop_expired(self, conn, now: float) -> int:
        """Delete expired sessions; rows another transaction holds are left for later.

        Skipping locked rows means this clean-up never waits, so it cannot deadlock with
        a logout or :meth:`revoke_user` on another server.
        """
        query = f"""DELETE FROM sessions WHERE token_hash IN (
                        SELECT token_hash FROM sessions WHERE {self._EXPIRED}
                        FOR UPDATE SKIP LOCKED)"""
        return conn.execute(query, self._params(now)).rowcount

    def _create(self, key: str, user_name: str, now: float) -> None:
        with transaction(self.pool) as conn:
            self._drop_expired(conn, now)
            conn.execute(
                "INSERT INTO sessions (token_hash, user_name, created, last_seen)"
                " VALUES (%s, %s, %s, %s)",
                (key, user_name, now, now),
            )

    def _lookup(self, key: str, now: float) -> str | None:
        with statements(self.pool) as conn:  # every request: one round trip
            row = conn.execute(
                "SELECT user_name, last_seen FROM sessions WHERE token_hash = %s", (key,)
            ).fetchone()
        if row is None or now - row[1] >= self.idle_timeout_s:
            return None
        if now - row[1] < self.touch_interval_s:
            return row[0]
        with transaction(self.pool) as conn:
            # revoked or expired meanwhile on another server: no row, nothing resurrected
            touched = conn.execute(
                "UPDATE sessions SET last_seen = greatest(last_seen, %(now)s)"
                f" WHERE token_hash = %(key)s AND NOT ({self._EXPIRED}) RETURNING user_name",
                self._params(now, key=key),
            ).fetchone()
        return None if touched is None else touched[0]

    def _session_user_read(self, token: str | None, users) -> read_ahead.Read | None:
        """The one statement that reads session and account, or ``None`` if it cannot."""
        if not isinstance(users, PostgresUserStore) or not _token_ok(token):
            return None
        return read_ahead.Read(
            self.pool if isinstance(self.pool, str) else "",
            f"SELECT s.last_seen, {', '.join('u.' + c for c in _USER_COLUMNS.split(', '))} "
            "FROM sessions s LEFT JOIN users u ON u.name = s.user_name "
            "WHERE s.token_hash = %s",
            (token_digest(token),),
            single_row=True,  # token_hash is the key
        )

    def reads_ahead(self, token: str | None, users) -> dict:
        """Session and account in one statement, to run ahead (with a URL, not a pool)."""
        read = self._session_user_read(token, users)
        if read is None or not read.url:
            return {}
        return {read: read}

    def session_user(self, token: str | None, users) -> User | None:
        """The account of a live session (see :meth:`SessionStore.session_user`).

        With the accounts in the same database: session and account in one statement (read
        ahead at the request's start, see :meth:`reads_ahead`).
        """
        read = self._session_user_read(token, users)
        if read is None:
            return super().session_user(token, users)
        now = self.clock()
        rows = read_ahead.take(read) if read.url else None
        if rows is None:
            with statements(self.pool) as conn:  # every request: one round trip
                rows = conn.execute(read.sql, read.params).fetchall()
        row = rows[0] if rows else None
        if row is None or now - row[0] >= self.idle_timeout_s or row[1] is None:
            return None
        if now - row[0] >= self.touch_interval_s and self._lookup(read.params[0], now) is None:
            return None  # revoked or expired meanwhile
        return _user(row[1:])

    def _revoke(self, key: str, now: float) -> bool:
        with transaction(self.pool) as conn:
            self._drop_expired(conn, now)
            live = conn.execute(
                f"DELETE FROM sessions WHERE token_hash = %(key)s RETURNING NOT ({self._EXPIRED})",
                self._params(now, key=key),
            ).fetchone()
        return bool(live and live[0])  # an expired one is removed but was no session any more

    def revoke_user(self, name: str) -> int:
        """End every session of a user on every server (see :meth:`SessionStore.revoke_user`)."""
        now = self.clock()
        with transaction(self.pool) as conn:
            self._drop_expired(conn, now)
            rows = conn.execute(
                f"DELETE FROM sessions WHERE user_name = %(name)s RETURNING NOT ({self._EXPIRED})",
                self._params(now, name=name),
            ).fetchall()
        return sum(1 for (live,) in rows if live)  # expired ones are not counted

    def purge_expired(self) -> int:
        """Remove expired sessions (see :meth:`SessionStore.purge_expired`)."""
        now = self.clock()
        with transaction(self.pool) as conn:
            return self._drop_expired(conn, now)

    def active(self, name: str | None = None) -> int:
        """Count the live sessions, of one user or all (see :meth:`SessionStore.active`)."""
        now = self.clock()
        query = f"SELECT count(*) FROM sessions WHERE NOT ({self._EXPIRED})"
        if name is not None:
            query += " AND user_name = %(name)s"
        with transaction(self.pool) as conn:
            return int(conn.execute(query, self._params(now, name=name)).fetchone()[0])


# -- the login limiter ---------------------------------------------------------------
class PostgresLoginLimiter(LoginLimiter):
    """Failed logins in the ``login_attempts`` table, counted across every app server.

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL (each process then uses its own pool, see
        :func:`sozialraum.db.get_pool`; safe across ``fork``), or a pool.
    max_failures_per_user : int, optional
        Failed logins for one user name within the window before it is blocked.
    max_failures_per_ip : int, optional
        Failed logins from one address (IPv6: one /64) within the window before it is
        blocked.
    window_s : float, optional
        Length of the sliding window in seconds.
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``).
    """

    def __init__(
        self,
        pool,
        max_failures_per_user: int = 5,
        max_failures_per_ip: int = 20,
        window_s: float = 900,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(max_failures_per_user, max_failures_per_ip, window_s, clock)
        self.pool = pool
        self._salt_value: str | None = None

    # -- helpers ---------------------------------------------------------------------
    def _salt(self, conn, *, create: bool) -> str | None:
        if self._salt_value is None:
            if create:
                conn.execute(
                    "INSERT INTO login_salt (id, salt) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
                    (secrets.token_hex(32),),
                )
            row = conn.execute("SELECT salt FROM login_salt WHERE id = 1").fetchone()
            self._salt_value = None if row is None else row[0]
        return self._salt_value

    def _prune(self, conn, now: float) -> None:
        """Delete the rows whose newest failure left the window (never waits for a lock)."""
        conn.execute(
            """DELETE FROM login_attempts WHERE (kind, key) IN (
                   SELECT kind, key FROM login_attempts WHERE %s - last_at >= %s
                   FOR UPDATE SKIP LOCKED)""",
            (now, self.window_s),
        )

    @staticmethod
    def _lock(conn, kind: str, key: str, now: float) -> list[float]:
        """Lock the row of ``(kind, key)`` (creating it) and return its failure times."""
        row = conn.execute(
            """INSERT INTO login_attempts (kind, key, times, last_at)
               VALUES (%s, %s, '{}'::float8[], %s)
               ON CONFLICT (kind, key) DO UPDATE SET last_at = login_attempts.last_at
               RETURNING times""",
            (kind, key, now),
        ).fetchone()
        return list(row[0])

    def _store(self, conn, kind: str, key: str, times: list[float], limit: int, now: float):
        kept = self._kept(times, limit, now)  # older ones never matter
        if kept:
            conn.execute(
                "UPDATE login_attempts SET times = %s::float8[], last_at = %s"
                " WHERE kind = %s AND key = %s",
                (kept, max(kept), kind, key),
            )
        else:
            conn.execute("DELETE FROM login_attempts WHERE kind = %s AND key = %s", (kind, key))

    def _check_and_count(
        self, user: str | None, ip: str | None, *, check: bool
    ) -> tuple[float, float | None]:
        now = self.clock()
        with transaction(self.pool) as conn:
            self._prune(conn, now)
            user_key, ip_key = self._keys(self._salt(conn, create=True), user, ip)
            ip_times = self._lock(conn, "ip", ip_key, now)  # always the address first
            user_times = self._lock(conn, "user", user_key, now)
            wait_s = self._wait_both(user_times, ip_times, now) if check else 0.0
            if wait_s == 0:
                ip_times.append(now)
                user_times.append(now)
            self._store(conn, "ip", ip_key, ip_times, self.max_failures_per_ip, now)
            self._store(conn, "user", user_key, user_times, self.max_failures_per_user, now)
        return (wait_s, None) if wait_s > 0 else (0.0, now)

    # -- the public operations -------------------------------------------------------
    def retry_after(self, user: str | None, ip: str | None) -> float:
        """Return how long a login for ``user`` from ``ip`` must wait (seconds, ``0.0``: now)."""
        now = self.clock()
        with transaction(self.pool) as conn:
            salt = self._salt(conn, create=False)
            if salt is None:
                return 0.0
            user_key, ip_key = self._keys(salt, user, ip)
            rows = conn.execute(
                "SELECT kind, times FROM login_attempts"
                " WHERE (kind = 'user' AND key = %s) OR (kind = 'ip' AND key = %s)",
                (user_key, ip_key),
            ).fetchall()
        times = {kind: list(values) for kind, values in rows}
        return self._wait_both(times.get("user", []), times.get("ip", []), now)

    def failure(self, user: str | None, ip: str | None) -> None:
        """Record a failed login (see :meth:`LoginLimiter.failure`)."""
        self._check_and_count(user, ip, check=False)

    def attempt(self, user: str | None, ip: str | None) -> tuple[float, float | None]:
        """Check the limit and count the attempt in one transaction (see the interface)."""
        return self._check_and_count(user, ip, check=True)

    def success(self, user: str | None, ip: str | None, attempt_at: float | None = None) -> None:
        """Forget the user's failures and take the attempt back (see the interface)."""
        now = self.clock()
        with transaction(self.pool) as conn:
            salt = self._salt(conn, create=False)
            if salt is None:
                return
            user_key, ip_key = self._keys(salt, user, ip)
            if attempt_at is not None:  # the address's row first, as in _check_and_count
                row = conn.execute(
                    "SELECT times FROM login_attempts WHERE kind = 'ip' AND key = %s FOR UPDATE",
                    (ip_key,),
                ).fetchone()
                if row is not None:
                    times = list(row[0])
                    if attempt_at in times:
                        times.remove(attempt_at)
                    self._store(conn, "ip", ip_key, times, self.max_failures_per_ip, now)
            conn.execute("DELETE FROM login_attempts WHERE kind = 'user' AND key = %s", (user_key,))


# -- all of them ---------------------------------------------------------------------
def postgres_accounts(
    database_url: str,
    *,
    idle_timeout_s: float = 3600,
    max_failures_per_user: int = 5,
    max_failures_per_ip: int = 20,
    window_s: float = 900,
    pool=None,
    audit_key_file=None,
) -> Accounts:
    """Users, sessions, the login limiter and created teams in the database at ``database_url``.

    Parameters
    ----------
    database_url : str
        libpq URL (``postgresql://…``); the schema must be current (``sozialraum db
        upgrade``).
    idle_timeout_s : float, optional
        A session ends after this many seconds without a request.
    max_failures_per_user, max_failures_per_ip : int, optional
        Failed logins within the window before a user name or an address is blocked.
    window_s : float, optional
        The login limiter's sliding window (seconds).
    pool : psycopg_pool.ConnectionPool, optional
        A pool to use in this process only (default: each process's own pool for the URL,
        :func:`sozialraum.db.get_pool`, looked up per operation, so the stores may be made
        before gunicorn forks its workers).
    audit_key_file : pathlib.Path, optional
        The audit key of the account audit log (default:
        :func:`sozialraum.settings.audit_key_file`).

    Returns
    -------
    Accounts
        The four stores, ``backend="postgres"``.
    """
    if pool is None:
        pool = database_url
    audit = postgres_audit(pool, audit_key_file)
    return Accounts(
        users=PostgresUserStore(pool, audit=audit),
        sessions=PostgresSessionStore(pool, idle_timeout_s=idle_timeout_s),
        limiter=PostgresLoginLimiter(
            pool,
            max_failures_per_user=max_failures_per_user,
            max_failures_per_ip=max_failures_per_ip,
            window_s=window_s,
        ),
        teams=PostgresTeamStore(pool, audit=audit),
        backend="postgres",
    )
