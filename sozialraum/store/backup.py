"""Backup of one area: a consistent ``.tar.gz`` snapshot with a signed manifest.

Archive layout (members in this order)::

    MANIFEST.json        format, format version, area, created_at (UTC), sozialraum
                         version and, per file, its relative path, size and SHA-256
    area/<path>          every file of the area folder (area.json, <layer>.geojson,
                         audit.jsonl, audit.head, versions/, analysis/ ...), except the
                         sidecar lock ``.lock`` and temp files ``.tmp-*``

The archive format and its signature are in :mod:`sozialraum.store.archive`; restoring is
:mod:`sozialraum.store.restore`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sozialraum import __version__
from sozialraum.errors import InvalidInput, StorageError
from sozialraum.store import audit
from sozialraum.store._atomic import TEMP_PREFIX, fsync_dir, make_dir
from sozialraum.store.archive import (
    CHUNK,
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    path_problem,
    require_geojson_store,
    signed_body,
    walk_area,
)
from sozialraum.store.geojson import GeoJSONStore
from sozialraum.store.keys import KeyFile


@dataclass
class BackupReport:
    """Result of :func:`backup_area`.

    Attributes
    ----------
    area : str
        The area that was saved.
    path : pathlib.Path
        The archive written.
    files : int
        Number of area files in the archive.
    size : int
        Size of the archive in bytes (compressed).
    content_bytes : int
        Sum of the sizes of the area files (uncompressed).
    created_at : str
        UTC time of the snapshot (ISO 8601, ``Z``).
    skipped : list of str
        Entries of the area folder that were left out (links, odd names).
    warnings : list of str
        Problems found in the snapshot (e.g. an audit log that does not verify;
        such an archive is refused by :func:`~sozialraum.store.restore.restore_area`).
    key_id : str
        The id of the audit key that signed the manifest (never the key).
    """

    area: str
    path: Path
    files: int
    size: int
    content_bytes: int
    created_at: str
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key_id: str = ""


def default_archive_name(area: str, when: datetime | None = None) -> str:
    """The default archive file name, ``<area>-<UTC timestamp>.tar.gz``.

    Parameters
    ----------
    area : str
        The area name.
    when : datetime.datetime, optional
        The moment (default: now); converted to UTC.

    Returns
    -------
    str
        e.g. ``musterstadt-nord-20261121T120000Z.tar.gz``.
    """
    moment = (when or datetime.now(UTC)).astimezone(UTC)
    return f"{area}-{moment:%Y%m%dT%H%M%SZ}.tar.gz"


def _copy_hashed(source: Path, target: Path) -> tuple[int, str, int]:
    """Copy ``source`` to a new file ``target``; return size, SHA-256 and mtime."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        mtime = int(os.fstat(src.fileno()).st_mtime)
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest(), mtime


def _snapshot(store: GeoJSONStore, area: str, staging: Path) -> tuple[list[dict], list[str]]:
    """Copy the area's files into ``staging`` under the area lock.

    Returns the manifest entries (path, size, sha256, mtime) and the skipped entries.
    """
    files: list[dict] = []
    skipped: list[str] = []
    with store.locked(area) as folder:
        for rel, kind in walk_area(folder):
            if kind == "dir":
                continue
            problem = path_problem(rel)
            if kind != "file" or problem:
                skipped.append(f"{rel} ({problem or 'not a regular file'})")
                continue
            target = staging / rel
            make_dir(target.parent)
            size, sha256, mtime = _copy_hashed(folder / rel, target)
            files.append({"path": rel, "size": size, "sha256": sha256, "mtime": mtime})
    return files, skipped


def _write_archive(fh, manifest: dict, staging: Path, files: list[dict]) -> None:
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    now = int(datetime.now(UTC).timestamp())
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=now) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):

        def info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
            item = tarfile.TarInfo(name)
            item.size, item.mtime, item.mode = size, mtime, 0o600
            item.uid = item.gid = 0
            item.uname = item.gname = ""
            return item

        tar.addfile(info(MANIFEST_NAME, len(body), now), io.BytesIO(body))
        for entry in files:
            with open(staging / entry["path"], "rb") as src:
                tar.addfile(info(FILES_PREFIX + entry["path"], entry["size"], entry["mtime"]), src)


def _publish(tmp: Path, destination: Path) -> None:
    """Move the finished temp archive to ``destination`` without overwriting a file."""
    try:
        os.link(tmp, destination)
    except FileExistsError:
        raise InvalidInput(f"{destination} already exists; choose another file name") from None
    except OSError:
        # file systems without hard links: check, then rename (atomic, but may overwrite
        # a file created in between)
        if destination.exists():
            raise InvalidInput(f"{destination} already exists; choose another file name") from None
        os.replace(tmp, destination)
    fsync_dir(destination.parent)


def _archive_path(folder: Path, area: str, destination, created: datetime) -> Path:
    """The archive file to write.

    ``destination``, or the default name inside it if it is a folder; :class:`InvalidInput` if it
    exists, lies inside the area or has no folder.
    """
    target = Path(destination).expanduser()
    if target.is_dir():
        target = target / default_archive_name(area, created)
    target = target.absolute()
    if target.resolve().is_relative_to(folder.resolve()):
        raise InvalidInput("the archive may not be written inside the area folder")
    if target.exists():
        raise InvalidInput(f"{target} already exists; choose another file name")
    if not target.parent.is_dir():
        raise InvalidInput(f"folder {target.parent} does not exist")
    return target


def _audit_warnings(staging: Path, keys: KeyFile) -> list[str]:
    """A warning if the snapshot's audit log does not verify (a restore would refuse it)."""
    if not ((staging / audit.LOG_NAME).exists() or (staging / audit.HEAD_NAME).exists()):
        return []
    result = audit.verify(staging, keys)
    if result.ok:
        return []
    return [
        "the audit log does not verify ("
        + "; ".join(result.problems)
        + "); restoring this archive will be refused"
    ]


def _manifest(area: str, created: datetime, files: list[dict]) -> dict:
    """The unsigned manifest of a snapshot (see :mod:`sozialraum.store.archive`)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "area": area,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sozialraum_version": __version__,
        "files": [{"path": f["path"], "size": f["size"], "sha256": f["sha256"]} for f in files],
    }


def _write_published(target: Path, manifest: dict, staging: Path, files: list[dict]) -> None:
    """Write the archive to a temp file beside ``target``, fsync it and link it into place.

    :class:`StorageError` (and no archive at ``target``) if that fails.
    """
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tar.gz", dir=target.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            _write_archive(fh, manifest, staging, files)
            fh.flush()
            os.fsync(fh.fileno())
        _publish(tmp, target)
    except OSError as exc:
        raise StorageError(
            f"writing {target} failed ({exc.strerror}); no archive was written"
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def backup_area(store: GeoJSONStore, area: str, destination: str | os.PathLike) -> BackupReport:
    """Write a consistent snapshot of ``area`` to a ``.tar.gz`` archive.

    Safe while the app runs: the files are copied while holding the area's write lock
    (writers wait a moment; readers are not blocked), then packed without the lock.

    Parameters
    ----------
    store : GeoJSONStore
        The store holding the area.
    area : str
        The area name.
    destination : str or os.PathLike
        The archive file to write, or an existing folder to write
        :func:`default_archive_name` into. An existing file is never overwritten.

    Returns
    -------
    BackupReport
        Where the archive is, how many files and bytes it holds, what was skipped.

    Raises
    ------
    NotFound
        If the area does not exist.
    InvalidInput
        For an invalid area name, an existing destination file, or a destination
        inside the area folder.
    StorageError
        If a file cannot be read or the archive cannot be written (nothing is left
        at the destination then), or the area is locked for too long (StoreBusy).
    """
    store = require_geojson_store(store)
    folder = store.existing_area_dir(area)
    created = datetime.now(UTC)
    target = _archive_path(folder, area, destination, created)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}backup-", dir=target.parent))
    except OSError as exc:
        raise StorageError(f"cannot write to {target.parent}: {exc.strerror}") from None
    try:
        try:
            files, skipped = _snapshot(store, area, staging)
        except OSError as exc:
            raise StorageError(
                f"copying area {area!r} failed ({exc.strerror}: {exc.filename})"
            ) from None
        warnings = _audit_warnings(staging, store.audit_keys)
        key = store.audit_keys.current_or_create()
        manifest = _manifest(area, created, files)
        manifest["signature"] = {"key_id": key.kid, "hmac": key.mac(signed_body(manifest))}
        _write_published(target, manifest, staging, files)
        return BackupReport(
            area=area,
            path=target,
            files=len(files),
            size=target.stat().st_size,
            content_bytes=sum(f["size"] for f in files),
            created_at=manifest["created_at"],
            skipped=skipped,
            warnings=warnings,
            key_id=key.kid,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
