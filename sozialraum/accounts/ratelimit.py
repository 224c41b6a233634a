"""Login rate limiting in one JSON file (``<data_dir>/_accounts/logins.json``).

Shared by all server processes of one machine. The file holds no raw addresses and no
raw user names, only HMAC-SHA256 keys with a random salt kept in the same file (see
:class:`~sozialraum.accounts.base.LoginLimiter`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.accounts.base import LoginLimiter, ip_text

__all__ = ["FileLoginLimiter", "ip_text"]

FILE_FORMAT = "sozialraum-logins"


def _empty() -> dict:
    return {"format": FILE_FORMAT, "version": 1, "salt": None, "users": {}, "ips": {}}


def _validate(data: dict) -> None:
    require(data.get("format") == FILE_FORMAT, "not a sozialraum logins file")
    salt = data["salt"]
    require(salt is None or (isinstance(salt, str) and len(salt) >= 32), "bad salt")
    bytes.fromhex(salt or "")
    for kind in ("users", "ips"):
        table = data[kind]
        require(isinstance(table, dict), f"{kind!r} is not an object")
        for times in table.values():
            require(
                isinstance(times, list) and all(isinstance(t, (int, float)) for t in times),
                f"bad failure times in {kind!r}",
            )


class FileLoginLimiter(LoginLimiter):
    """Count failed logins per user and per client address in one file, across processes.

    Parameters
    ----------
    path : pathlib.Path
        The file, e.g. ``<data_dir>/_accounts/logins.json``; the lock is ``<path>.lock``.
    max_failures_per_user : int, optional
        Failed logins for one user name within the window before it is blocked.
    max_failures_per_ip : int, optional
        Failed logins from one address (IPv6: one /64) within the window before it is
        blocked.
    window_s : float, optional
        Length of the sliding window in seconds.
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``).
    lock_timeout_s : float, optional
        How long a writer waits for another process's lock (seconds).
    """

    def __init__(
        self,
        path: Path,
        max_failures_per_user: int = 5,
        max_failures_per_ip: int = 20,
        window_s: float = 900,
        clock: Callable[[], float] = time.time,
        lock_timeout_s: float = 10.0,
    ):
        super().__init__(max_failures_per_user, max_failures_per_ip, window_s, clock)
        self.path = Path(path)
        self._file = JsonFile(
            self.path, empty=_empty, validate=_validate, lock_timeout_s=lock_timeout_s
        )

    def retry_after(self, user: str | None, ip: str | None) -> float:
        """Return how long a login for ``user`` from ``ip`` must wait (seconds, ``0.0``: now)."""
        data = self._file.read()
        salt = data["salt"]
        if salt is None:
            return 0.0
        user_key, ip_key = self._keys(salt, user, ip)
        return self._wait_both(
            data["users"].get(user_key, []), data["ips"].get(ip_key, []), self.clock()
        )

    def _prune(self, data: dict, now: float) -> None:
        for kind, limit in (
            ("users", self.max_failures_per_user),
            ("ips", self.max_failures_per_ip),
        ):
            table = data[kind]
            for key in list(table):
                kept = self._kept(table[key], limit, now)  # older ones never matter
                if kept:
                    table[key] = kept
                else:
                    del table[key]

    def failure(self, user: str | None, ip: str | None) -> None:
        """Record a failed login (see :meth:`LoginLimiter.failure`)."""
        now = self.clock()
        self._file.update(lambda data: self._record(data, user, ip, now))

    def _record(self, data: dict, user: str | None, ip: str | None, now: float) -> None:
        """Count a failure at ``now`` (inside a locked update)."""
        if data["salt"] is None:
            data["salt"] = secrets.token_hex(32)
        user_key, ip_key = self._keys(data["salt"], user, ip)
        data["users"].setdefault(user_key, []).append(now)
        data["ips"].setdefault(ip_key, []).append(now)
        self._prune(data, now)

    def attempt(self, user: str | None, ip: str | None) -> tuple[float, float | None]:
        """Check the limit and count the attempt, in one locked step (see the interface)."""
        now = self.clock()

        def change(data: dict) -> tuple[float, float | None]:
            if data["salt"] is None:
                data["salt"] = secrets.token_hex(32)
            user_key, ip_key = self._keys(data["salt"], user, ip)
            wait_s = self._wait_both(
                data["users"].get(user_key, []), data["ips"].get(ip_key, []), now
            )
            if wait_s > 0:
                return wait_s, None
            self._record(data, user, ip, now)
            return 0.0, now

        return self._file.update(change)

    def success(self, user: str | None, ip: str | None, attempt_at: float | None = None) -> None:
        """Forget the user's failures and take the attempt back (see the interface)."""
        now = self.clock()
        data = self._file.read()
        if data["salt"] is None:
            return
        user_key, _ = self._keys(data["salt"], user, ip)
        if user_key not in data["users"] and attempt_at is None:
            return  # nothing to clear: no write on the common path

        def change(data: dict) -> None:
            if data["salt"] is None:
                return
            user_key, ip_key = self._keys(data["salt"], user, ip)
            data["users"].pop(user_key, None)
            times = data["ips"].get(ip_key, [])
            if attempt_at in times:
                times.remove(attempt_at)
            self._prune(data, now)

        self._file.update(change)
