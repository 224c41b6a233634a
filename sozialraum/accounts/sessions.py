"""Server-side login sessions (``<data_dir>/_accounts/sessions.json``).

The browser's cookie holds a random token; the file holds only the token's SHA-256
(so a leaked file does not let anyone log in), the user name and two timestamps.
A session ends after ``idle_timeout_s`` without a request, on logout (:meth:`revoke`),
or when the account is disabled or its password changed (:meth:`revoke_user`). A
replayed cookie of an ended session is refused because its entry is gone.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.errors import InvalidInput

__all__ = ["SessionStore"]

FILE_FORMAT = "sozialraum-sessions"
#: Tokens longer than this are refused without hashing (``token_urlsafe(32)`` gives 43).
MAX_TOKEN_LENGTH = 256


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _empty() -> dict:
    return {"format": FILE_FORMAT, "version": 1, "sessions": {}}


def _validate(data: dict) -> None:
    require(data.get("format") == FILE_FORMAT, "not a sozialraum sessions file")
    sessions = data["sessions"]
    require(isinstance(sessions, dict), "'sessions' is not an object")
    for entry in sessions.values():
        require(isinstance(entry["user"], str), "bad user of a session")
        require(isinstance(entry["created"], (int, float)), "bad 'created' of a session")
        require(isinstance(entry["last_seen"], (int, float)), "bad 'last_seen' of a session")


class SessionStore:
    """Login sessions persisted in one JSON file, safe across server processes.

    Parameters
    ----------
    path : pathlib.Path
        The sessions file, e.g. ``<data_dir>/_accounts/sessions.json``; the lock is
        ``<path>.lock``.
    idle_timeout_s : float, optional
        A session expires after this many seconds without a request.
    touch_interval_s : float, optional
        ``last_seen`` is written at most once per this many seconds per session, so
        not every request writes the file. The effective idle timeout therefore lies
        between ``idle_timeout_s - touch_interval_s`` and ``idle_timeout_s``.
    lock_timeout_s : float, optional
        How long a writer waits for another process's lock (seconds).
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``); tests
        pass a fake clock.
    """

    def __init__(
        self,
        path: Path,
        idle_timeout_s: float = 3600,
        touch_interval_s: float = 60,
        lock_timeout_s: float = 10,
        *,
        clock: Callable[[], float] = time.time,
    ):
        if idle_timeout_s <= 0 or touch_interval_s < 0:
            raise InvalidInput("idle_timeout_s must be positive and touch_interval_s not negative")
        self.path = Path(path)
        self.idle_timeout_s = float(idle_timeout_s)
        self.touch_interval_s = float(touch_interval_s)
        self.clock = clock
        self._file = JsonFile(
            self.path, empty=_empty, validate=_validate, lock_timeout_s=lock_timeout_s
        )

    def _expired(self, entry: dict, now: float) -> bool:
        return now - entry["last_seen"] >= self.idle_timeout_s

    def _drop_expired(self, sessions: dict, now: float) -> int:
        expired = [key for key, entry in sessions.items() if self._expired(entry, now)]
        for key in expired:
            del sessions[key]
        return len(expired)

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
        now = self.clock()

        def change(data: dict) -> None:
            self._drop_expired(data["sessions"], now)
            data["sessions"][_digest(token)] = {"user": user_name, "created": now, "last_seen": now}

        self._file.update(change)
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
        ``touch_interval_s`` old; other lookups only read (from memory while the file
        is unchanged).
        """
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key = _digest(token)
        now = self.clock()
        entry = self._file.read()["sessions"].get(key)
        if entry is None or self._expired(entry, now):
            return None
        if now - entry["last_seen"] < self.touch_interval_s:
            return entry["user"]

        def touch(data: dict) -> str | None:
            sessions = data["sessions"]
            self._drop_expired(sessions, now)
            current = sessions.get(key)
            if current is None:  # revoked or expired meanwhile
                return None
            current["last_seen"] = max(current["last_seen"], now)
            return current["user"]

        return self._file.update(touch)

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
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return False
        key = _digest(token)
        now = self.clock()

        def change(data: dict) -> bool:
            self._drop_expired(data["sessions"], now)
            return data["sessions"].pop(key, None) is not None

        return self._file.update(change)

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
        now = self.clock()

        def change(data: dict) -> int:
            sessions = data["sessions"]
            self._drop_expired(sessions, now)
            keys = [key for key, entry in sessions.items() if entry["user"] == name]
            for key in keys:
                del sessions[key]
            return len(keys)

        return self._file.update(change)

    def purge_expired(self) -> int:
        """Remove expired sessions from the file.

        Returns
        -------
        int
            How many sessions were removed.
        """
        now = self.clock()
        return self._file.update(lambda data: self._drop_expired(data["sessions"], now))

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
        now = self.clock()
        return sum(
            1
            for entry in self._file.read()["sessions"].values()
            if not self._expired(entry, now) and (name is None or entry["user"] == name)
        )
