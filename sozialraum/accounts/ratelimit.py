"""Login rate limiting shared by all server processes (``<data_dir>/_accounts/logins.json``).

Failed logins are counted per user name and per client address in a sliding window.
The file holds no raw addresses and no raw user names (a mistyped password in the
name field must not end up on disk): both are stored as HMAC-SHA256 with a random
salt kept in the same file. IPv6 clients are counted per /64 network, since one
household or host usually controls a whole /64.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.errors import InvalidInput

__all__ = ["LoginLimiter"]

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


def _ip_text(ip: str | None) -> str:
    """Canonical text of a client address; IPv6 reduced to its /64 network."""
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


class LoginLimiter:
    """Count failed logins per user and per client address, across processes.

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

    Notes
    -----
    The web layer asks :meth:`retry_after` before checking a password, refuses the
    login while it is positive, and reports the outcome with :meth:`failure` or
    :meth:`success`.
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
        if max_failures_per_user < 1 or max_failures_per_ip < 1 or window_s <= 0:
            raise InvalidInput("login limits and the window must be positive")
        self.path = Path(path)
        self.max_failures_per_user = int(max_failures_per_user)
        self.max_failures_per_ip = int(max_failures_per_ip)
        self.window_s = float(window_s)
        self.clock = clock
        self._file = JsonFile(
            self.path, empty=_empty, validate=_validate, lock_timeout_s=lock_timeout_s
        )

    @staticmethod
    def _key(salt: str, kind: str, value: str) -> str:
        message = f"{kind}\0{value}".encode()
        return hmac.new(bytes.fromhex(salt), message, hashlib.sha256).hexdigest()

    def _keys(self, salt: str, user: str | None, ip: str | None) -> tuple[str, str]:
        name = (user or "").strip().lower()
        return self._key(salt, "user", name), self._key(salt, "ip", _ip_text(ip))

    def _wait(self, times: list[float], limit: int, now: float) -> float:
        recent = sorted(t for t in times if now - t < self.window_s)
        if len(recent) < limit:
            return 0.0
        # Allowed again once fewer than `limit` failures lie inside the window.
        return max(0.0, recent[len(recent) - limit] + self.window_s - now)

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
        data = self._file.read()
        salt = data["salt"]
        if salt is None:
            return 0.0
        now = self.clock()
        user_key, ip_key = self._keys(salt, user, ip)
        return max(
            self._wait(data["users"].get(user_key, []), self.max_failures_per_user, now),
            self._wait(data["ips"].get(ip_key, []), self.max_failures_per_ip, now),
        )

    def _prune(self, data: dict, now: float) -> None:
        for kind, limit in (
            ("users", self.max_failures_per_user),
            ("ips", self.max_failures_per_ip),
        ):
            table = data[kind]
            for key in list(table):
                recent = sorted(t for t in table[key] if now - t < self.window_s)
                if recent:
                    table[key] = recent[-limit:]  # older ones never matter
                else:
                    del table[key]

    def failure(self, user: str | None, ip: str | None) -> None:
        """Record a failed login.

        Parameters
        ----------
        user : str or None
            The user name as typed.
        ip : str or None
            The client address.
        """
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
        """Check the limit and count this attempt as a failure, in one locked step.

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
        now = self.clock()

        def change(data: dict) -> tuple[float, float | None]:
            if data["salt"] is None:
                data["salt"] = secrets.token_hex(32)
            user_key, ip_key = self._keys(data["salt"], user, ip)
            wait_s = max(
                self._wait(data["users"].get(user_key, []), self.max_failures_per_user, now),
                self._wait(data["ips"].get(ip_key, []), self.max_failures_per_ip, now),
            )
            if wait_s > 0:
                return wait_s, None
            self._record(data, user, ip, now)
            return 0.0, now

        return self._file.update(change)

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
