"""Server-side login sessions in one JSON file (``<data_dir>/_accounts/sessions.json``).

The file holds only the token's SHA-256, the user name and two timestamps (see
:class:`~sozialraum.accounts.base.SessionStore`). A replayed cookie of an ended
session is refused because its entry is gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sozialraum.accounts._jsonfile import JsonFile, require
from sozialraum.accounts.base import MAX_TOKEN_LENGTH, SessionStore

__all__ = ["MAX_TOKEN_LENGTH", "FileSessionStore"]

FILE_FORMAT = "sozialraum-sessions"


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


class FileSessionStore(SessionStore):
    """Login sessions persisted in one JSON file, safe across server processes.

    Parameters
    ----------
    path : pathlib.Path
        The sessions file, e.g. ``<data_dir>/_accounts/sessions.json``; the lock is
        ``<path>.lock``.
    idle_timeout_s : float, optional
        A session expires after this many seconds without a request.
    touch_interval_s : float, optional
        ``last_seen`` is written at most once per this many seconds per session.
    lock_timeout_s : float, optional
        How long a writer waits for another process's lock (seconds).
    clock : callable, optional
        Returns the current time in seconds since the epoch (``time.time``).
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
        super().__init__(idle_timeout_s, touch_interval_s, clock=clock)
        self.path = Path(path)
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

    def _create(self, key: str, user_name: str, now: float) -> None:
        def change(data: dict) -> None:
            self._drop_expired(data["sessions"], now)
            data["sessions"][key] = {"user": user_name, "created": now, "last_seen": now}

        self._file.update(change)

    def _lookup(self, key: str, now: float) -> str | None:
        # served from memory while the file is unchanged; written once per touch interval
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

    def _revoke(self, key: str, now: float) -> bool:
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
