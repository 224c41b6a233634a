"""Restore of one area from a backup archive (see :mod:`sozialraum.store.backup`).

**Signature**: the manifest is signed with the audit key (HMAC-SHA256 over the canonical
JSON of the manifest without ``signature``; ``signature = {"key_id", "hmac"}``). The key
lives outside the data folder and never goes into the archive, so whoever changes a file
in an archive and recomputes its SHA-256 in the manifest cannot sign the result. Restore
checks the signature with the key the archive names (current or retired, see
:mod:`sozialraum.store.keys`) and says which key id it checked against; an archive signed
with a key this machine lacks is refused with a message saying to copy that key file,
and an unsigned archive (made before the keys existed) only with ``allow_unsigned``.

**Restore** first checks the whole archive (manifest, every member's type, path, size
and SHA-256, no member outside the manifest, every ``.geojson`` a FeatureCollection,
the audit log's hash chain) while unpacking it into a staging folder inside the data
folder. Only then, holding the area's lock, it moves the files into the area folder one
by one with ``os.replace`` (each file atomic, fsynced) and removes files that are not
in the backup. The folder itself is never renamed: the ``.lock`` file inside it stays
the same file, so writers waiting for the lock (other workers, the CLI) serialise
with the restore and see only the old or only the new area. Readers do not lock: each
file they read is wholly old or wholly new, and their caches notice the new files
because every replaced file has a new inode, mtime and (for layers) generation token.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sozialraum.errors import InvalidInput, SozialraumError, StorageError
from sozialraum.store._atomic import DIR_MODE, TEMP_PREFIX, fsync_dir, make_dir, write_atomic
from sozialraum.store.archive import (
    MAX_MEMBERS,
    MAX_TOTAL_BYTES,
    check_signature,
    require_geojson_store,
    walk_area,
)
from sozialraum.store.geojson import META_NAME, GeoJSONStore
from sozialraum.store.unpack import check_contents, read_checked


@dataclass
class RestoreReport:
    """Result of :func:`restore_area`.

    Attributes
    ----------
    area : str
        The area that was written.
    source_area : str
        The area name recorded in the archive.
    created_at : str
        When the backup was taken (UTC, from the manifest).
    files : int
        Number of files restored.
    content_bytes : int
        Their total size.
    replaced : bool
        Whether an existing area was overwritten.
    removed : list of str
        Files of the old area that were not in the backup and were deleted.
    audit_entries : int
        Entries of the restored (verified) audit log.
    key_id : str or None
        The id of the audit key the manifest's signature was checked against; None for
        an unsigned archive restored with ``allow_unsigned``.
    audit_key_ids : list of str
        The ids of the audit keys the restored audit log was checked against.
    """

    area: str
    source_area: str
    created_at: str
    files: int
    content_bytes: int
    replaced: bool
    removed: list[str] = field(default_factory=list)
    audit_entries: int = 0
    key_id: str | None = None
    audit_key_ids: list[str] = field(default_factory=list)


def _has_content(folder: Path) -> bool:
    """Whether ``folder`` holds anything besides the lock and temp files."""
    return next(iter(walk_area(folder)), None) is not None


def _make_parents(folder: Path, rel: str, touched: set[Path]) -> None:
    """Create the folders of ``rel`` below ``folder``.

    A file or symlink in the way (not in the backup) is removed, so nothing is ever written through
    a link.
    """
    current = folder
    for part in rel.split("/")[:-1]:
        current = current / part
        info = _lstat(current)
        if info is not None and not stat.S_ISDIR(info.st_mode):
            current.unlink()
            info = None
        if info is None:
            current.mkdir(mode=DIR_MODE)
            touched.add(current.parent)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None


def _install(staging: Path, folder: Path, entries: dict) -> list[str]:
    """Move the checked files from ``staging`` into ``folder`` (the caller holds the lock).

    What is not in the backup is removed. Returns the removed paths.
    """
    touched: set[Path] = {folder}
    keep_dirs = {"/".join(p.split("/")[:i]) for p in entries for i in range(1, p.count("/") + 1)}
    # area.json last: a new area appears in the area list only once it is complete
    order = sorted(entries, key=lambda p: (p == META_NAME, p))
    for rel in order:
        _make_parents(folder, rel, touched)
        target = folder / rel
        info = _lstat(target)
        if info is not None and stat.S_ISDIR(info.st_mode):
            shutil.rmtree(target)  # a folder where the backup has a file
        try:
            os.replace(staging / rel, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:  # the area folder lies on another file system
                raise
            write_atomic(target, (staging / rel).read_bytes())
        touched.add(target.parent)
    removed = []
    for rel, kind in reversed(list(walk_area(folder))):
        if rel in entries or rel in keep_dirs:
            continue
        path = folder / rel
        if kind == "dir":
            with contextlib.suppress(OSError):
                path.rmdir()  # only if empty (it may hold temp files of a writer)
        else:
            path.unlink()
            removed.append(rel)
        touched.add(path.parent)
    for path in sorted(touched, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            fsync_dir(path)
    return sorted(removed)


def _swap_in(
    store: GeoJSONStore, name: str, staging: Path, entries: dict, *, replace: bool
) -> tuple[bool, list[str]]:
    """Under the area's lock, move the checked files into the area folder.

    Returns whether an area was replaced and the removed paths. A new folder that stayed empty is
    removed again on failure.
    """
    folder = store.area_dir(name)
    new_folder = not folder.exists()
    try:
        with store.locked(name, create=True):
            replaced = _has_content(folder)
            if replaced and not replace:
                raise InvalidInput(f"area {name!r} exists; restore with --replace to overwrite it")
            try:
                removed = _install(staging, folder, entries)
            except OSError as exc:
                raise StorageError(
                    f"restoring area {name!r} failed ({exc.strerror}: {exc.filename}); "
                    "it may be incomplete: run the restore again"
                ) from None
            store.forget_area(name)
    except SozialraumError:
        if new_folder and not _has_content(folder):
            shutil.rmtree(folder, ignore_errors=True)  # only the lock file we created
        raise
    return replaced, removed


def restore_area(
    store: GeoJSONStore,
    archive: str | os.PathLike,
    *,
    area: str | None = None,
    replace: bool = False,
    allow_unsigned: bool = False,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_members: int = MAX_MEMBERS,
) -> RestoreReport:
    """Restore an area from an archive written by :func:`~sozialraum.store.backup.backup_area`.

    The archive is checked completely before anything in the area changes; then the
    files are swapped in under the area's lock (see the module docstring). The audit
    log is restored as it was in the backup (it is part of the verified snapshot).

    Parameters
    ----------
    store : GeoJSONStore
        The store to restore into.
    archive : str or os.PathLike
        The ``.tar.gz`` archive.
    area : str, optional
        Restore under this name (default: the name recorded in the archive).
    replace : bool, default False
        Overwrite an existing area (files not in the backup are deleted).
    allow_unsigned : bool, default False
        Accept an archive without a signature (made before audit keys existed).
    max_total_bytes : int, optional
        Most bytes the archive's files may hold together (default :data:`MAX_TOTAL_BYTES`).
    max_members : int, optional
        Most files the archive may hold (default :data:`MAX_MEMBERS`).

    Returns
    -------
    RestoreReport
        What was restored and what was removed.

    Raises
    ------
    InvalidInput
        If the archive is missing, damaged, altered, unsafe or too large, the area name
        is invalid, or the area exists and ``replace`` is false. Nothing was changed.
    StorageError
        If the data folder cannot be written, or the area is locked for too long
        (StoreBusy). A failure while the files are being swapped in is reported as
        such; run the restore again.
    """
    store = require_geojson_store(store)
    source = Path(archive)
    if not source.is_file():
        raise InvalidInput(f"archive {source} does not exist or is not a file")
    if area is not None:
        store.area_dir(area)  # a bad name fails before the archive is read
    created_data_dir = not store.data_dir.exists()
    try:
        make_dir(store.data_dir)
        staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}restore-", dir=store.data_dir))
    except OSError as exc:
        raise StorageError(f"cannot write to {store.data_dir}: {exc.strerror}") from None
    done = False
    try:
        manifest, entries = read_checked(source, staging, max_members, max_total_bytes)
        key_id = check_signature(manifest, store.audit_keys, allow_unsigned=allow_unsigned)
        name = area or manifest["area"]
        folder = store.area_dir(name)
        if _has_content(folder) and not replace:
            raise InvalidInput(f"area {name!r} exists; restore with --replace to overwrite it")
        checked = check_contents(staging, entries, store.audit_keys)
        replaced, removed = _swap_in(store, name, staging, entries, replace=replace)
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created_data_dir and not done:
            with contextlib.suppress(OSError):
                store.data_dir.rmdir()  # leave the file system as it was
    return RestoreReport(
        area=name,
        source_area=manifest["area"],
        created_at=manifest["created_at"],
        files=len(entries),
        content_bytes=sum(e["size"] for e in entries.values()),
        replaced=replaced,
        removed=removed,
        audit_entries=checked.entries,
        key_id=key_id,
        audit_key_ids=checked.key_ids,
    )
