"""Crash-safe file writes: temp file in the same folder, fsync, os.replace, fsync of the folder.

Every file the app writes is ``FILE_MODE`` (0600) and every folder ``DIR_MODE`` (0700):
layers, kept versions and the audit log hold notes about places people live. The
processes also run with umask 077 (:func:`sozialraum.settings.restrict_umask`); the
explicit modes here keep the files private when the store is used as a library.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".tmp-"
#: Mode of every file the app writes (owner read/write only).
FILE_MODE = 0o600
#: Mode of every folder the app creates.
DIR_MODE = 0o700


def make_dir(folder: Path) -> None:
    """Create ``folder`` and its missing parents with mode 0700 (no error if it exists)."""
    Path(folder).mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def open_append(path: Path):
    """Open ``path`` for appending bytes, creating it with mode 0600."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE), "ab")


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entry table to disk (makes a rename durable)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.

    A failure at any step (write, fsync, replace) raises ``OSError`` and leaves the
    old file intact; the temp file is removed.
    """
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def is_writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (created if missing).

    Tries it: creates and removes a temp file, so a read-only mount, missing
    permissions or a full disk all count as not writable (``os.access`` does not see
    read-only mounts for every user and is always true for root).
    """
    try:
        make_dir(folder)
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    return True


def remove_orphaned_temp_files(folder: Path) -> list[Path]:
    """Delete temp files left by crashed writers; call only while holding the folder's lock."""
    removed = []
    for tmp in folder.glob(f"{TEMP_PREFIX}*"):
        try:
            tmp.unlink()
            removed.append(tmp)
        except FileNotFoundError:
            pass
    return removed
