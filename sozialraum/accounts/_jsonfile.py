"""One small JSON document on disk, shared safely by threads and processes.

Writers take a sidecar lock (``<file>.lock``, never replaced), re-read the file from
disk, change a copy and replace the file atomically. Readers are served from memory
and re-read when the file's stat signature (inode, size, mtime, ctime) changed. A
file that cannot be parsed or fails validation raises :class:`StorageError` and is
never overwritten.
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import filelock

from sozialraum.errors import StorageError, StoreBusy
from sozialraum.store._atomic import FILE_MODE, TEMP_PREFIX, make_dir, write_atomic

T = TypeVar("T")

Signature = tuple[int, int, int, int]


def _signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class JsonFile:
    """A JSON object in ``path`` with cached reads and locked, atomic updates.

    Parameters
    ----------
    path : pathlib.Path
        The JSON file; its folder is created on the first write.
    empty : callable
        Returns the document used while the file does not exist.
    validate : callable
        Called with the parsed document; raises ``ValueError``, ``KeyError`` or
        ``TypeError`` if the document is malformed.
    lock_timeout_s : float
        How long a writer waits for another writer's lock (seconds).
    """

    def __init__(
        self,
        path: Path,
        *,
        empty: Callable[[], dict],
        validate: Callable[[dict], None],
        lock_timeout_s: float = 10.0,
    ):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout_s = lock_timeout_s
        self._empty = empty
        self._validate = validate
        self._signature: Signature | None = None
        self._data: dict | None = None
        self._cleaned = False
        self._mutex = threading.Lock()

    # -- reading ---------------------------------------------------------------
    def _parse(self) -> dict:
        try:
            data = json.loads(self.path.read_bytes())
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            self._validate(data)
        except FileNotFoundError:
            return self._empty()
        except OSError as exc:
            raise StorageError(f"cannot read {self.path}: {exc.strerror}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StorageError(
                f"account file {self.path} is unreadable or corrupt ({exc}); it was not changed"
            ) from None
        return data

    def read(self) -> dict:
        """Return the current document (shared: do not change it).

        Returns
        -------
        dict
            The parsed document, or the empty document if the file does not exist.

        Raises
        ------
        StorageError
            If the file is unreadable or corrupt.
        """
        signature = _signature(self.path)
        with self._mutex:
            if self._data is not None and signature == self._signature:
                return self._data
        data = self._empty() if signature is None else self._parse()
        with self._mutex:
            self._signature, self._data = signature, data
        return data

    # -- writing ---------------------------------------------------------------
    def _remove_own_temp_files(self) -> None:
        # Only this file's temp files: the folder holds other files with their own locks.
        for tmp in self.path.parent.glob(f"{TEMP_PREFIX}{self.path.name}-*"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def update(self, change: Callable[[dict], T]) -> T:
        """Change the document under the lock and write it if it changed.

        Parameters
        ----------
        change : callable
            Called with a private deep copy of the current document (read from disk,
            not from the cache); changes it in place and returns a result. An
            exception raised by ``change`` aborts the update; nothing is written.

        Returns
        -------
        object
            What ``change`` returned.

        Raises
        ------
        StoreBusy
            If another process holds the lock longer than ``lock_timeout_s``.
        StorageError
            If the file is corrupt (it is left as it was) or the write failed.
        """
        try:
            make_dir(self.path.parent)
        except OSError as exc:
            raise StorageError(f"cannot create folder {self.path.parent}: {exc.strerror}") from None
        lock = filelock.FileLock(self.lock_path, timeout=self.lock_timeout_s, mode=FILE_MODE)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreBusy(f"{self.path.name} is locked by another process; try again") from None
        except OSError as exc:
            raise StorageError(f"cannot lock {self.lock_path}: {exc.strerror}") from None
        try:
            if not self._cleaned:
                self._remove_own_temp_files()
                self._cleaned = True
            signature = _signature(self.path)
            current = self._empty() if signature is None else self._parse()
            data = copy.deepcopy(current)
            result = change(data)
            if data != current:
                self._write(data)
            return result
        finally:
            lock.release()

    def _write(self, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        try:
            write_atomic(self.path, body)  # mkstemp creates the file with mode 0600
        except OSError as exc:
            raise StorageError(
                f"writing {self.path} failed ({exc.strerror}); the old file is intact"
            ) from None
        signature = _signature(self.path)
        with self._mutex:
            self._signature, self._data = signature, data


def require(condition: Any, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds (for validators)."""
    if not condition:
        raise ValueError(message)
