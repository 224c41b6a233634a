"""Backup and restore of one area: a consistent ``.tar.gz`` snapshot with a checked manifest.

Archive layout (members in this order)::

    MANIFEST.json        format, format version, area, created_at (UTC), sozialraum
                         version and, per file, its relative path, size and SHA-256
    area/<path>          every file of the area folder (area.json, <layer>.geojson,
                         audit.jsonl, audit.head, versions/, analysis/ ...), except the
                         sidecar lock ``.lock`` and temp files ``.tmp-*``

**Backup** copies the files while holding the area's write lock, so no write of the
app (or another process) is half in the snapshot: the audit log and the layers match.
The copy goes to a staging folder next to the destination, so the lock is held only
for the copy, not for the compression. The archive is written to a temp file, fsynced
and then linked into place: the destination never holds a half-written archive.

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
import gzip
import hashlib
import hmac
import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sozialraum import __version__
from sozialraum.errors import InvalidInput, SozialraumError, StorageError
from sozialraum.store import audit
from sozialraum.store._atomic import DIR_MODE, TEMP_PREFIX, fsync_dir, make_dir, write_atomic
from sozialraum.store.geojson import AREA_NAME, META_NAME, GeoJSONStore
from sozialraum.store.keys import KeyFile

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "MAX_MEMBERS",
    "MAX_TOTAL_BYTES",
    "BackupReport",
    "RestoreReport",
    "backup_area",
    "default_archive_name",
    "restore_area",
]

FORMAT = "sozialraum-area-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "MANIFEST.json"
#: Prefix of the area's files inside the archive (keeps them apart from the manifest).
FILES_PREFIX = "area/"
LOCK_NAME = ".lock"
#: Most files an archive may hold (an area has about twenty).
MAX_MEMBERS = 10_000
#: Most bytes the files of an archive may hold together, unpacked.
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_MANIFEST_BYTES = 8 * 1024**2
_MAX_DEPTH = 8
_CHUNK = 1024**2
_SHA256_HEX = frozenset("0123456789abcdef")


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
        such an archive is refused by :func:`restore_area`).
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


# -- shared helpers ------------------------------------------------------------------


def _signed_body(manifest: dict) -> bytes:
    """The bytes the signature covers: the manifest without ``signature``, canonical JSON."""
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _check_signature(manifest: dict, keys: KeyFile, *, allow_unsigned: bool) -> str | None:
    """The key id the manifest's signature checks out with; :class:`InvalidInput` if it
    is missing (unless ``allow_unsigned``), names a key this machine lacks, or fails."""
    signature = manifest.get("signature")
    if signature is None:
        if allow_unsigned:
            return None
        raise InvalidInput(
            "the archive is not signed (made before audit keys existed, or its signature "
            "was removed); restore it with --allow-unsigned only if you know where it "
            "comes from"
        )
    kid = signature.get("key_id") if isinstance(signature, dict) else None
    mac = signature.get("hmac") if isinstance(signature, dict) else None
    if not isinstance(kid, str) or not isinstance(mac, str):
        raise InvalidInput(f"{MANIFEST_NAME} is malformed: signature needs key_id and hmac")
    key = keys.get(kid)
    if key is None:
        raise InvalidInput(
            f"the archive is signed with audit key {kid}, which this machine does not have "
            f"(it has {keys.describe()}): copy the key file of the machine that made the "
            f"backup to {keys.path} (or beside it as {keys.path.name}.{kid}) through a "
            "separate channel, never with the archive, and restore again"
        )
    if not hmac.compare_digest(key.mac(_signed_body(manifest)), mac):
        raise InvalidInput(
            f"the archive's manifest does not match its signature (checked against audit "
            f"key {kid}): the archive was changed after the backup"
        )
    return kid


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


def _is_ignored(name: str) -> bool:
    """Names never backed up or restored: the sidecar lock and temp files."""
    return name == LOCK_NAME or name.startswith(TEMP_PREFIX)


def _path_problem(path: object) -> str | None:
    """Why ``path`` may not be a file path inside an area, or ``None`` if it may."""
    if not isinstance(path, str) or not path:
        return "empty or not a string"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "absolute path"
    if "\\" in path:
        return "backslash in path"
    parts = path.split("/")
    if len(parts) > _MAX_DEPTH:
        return "too deeply nested"
    for part in parts:
        if part in ("", ".", ".."):
            return "'..', '.' or empty path component"
        if any(ord(char) < 32 or ord(char) == 127 for char in part):
            return "control character in path"
        try:
            encoded = part.encode("utf-8")
        except UnicodeError:
            return "path is not UTF-8"
        if len(encoded) > 255:
            return "path component too long"
        if _is_ignored(part):
            return "lock or temp file"
    return None


def _walk(folder: Path, prefix: str = ""):
    """Entries below ``folder`` as ``(relative path, kind)``, kind ``file``, ``dir`` or
    ``other`` (symlinks, devices ...); symlinks are never followed. Lock and temp
    entries are left out."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return
    for entry in entries:
        if _is_ignored(entry.name):
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            yield rel, "dir"
            yield from _walk(Path(entry.path), f"{rel}/")
        elif entry.is_file(follow_symlinks=False):
            yield rel, "file"
        else:
            yield rel, "other"


def _require_geojson_store(store) -> GeoJSONStore:
    if not isinstance(store, GeoJSONStore):
        raise StorageError("backup and restore work with the GeoJSON file store only")
    return store


# -- backup ----------------------------------------------------------------------------


def _copy_hashed(source: Path, target: Path) -> tuple[int, str, int]:
    """Copy ``source`` to a new file ``target``; return size, SHA-256 and mtime."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        mtime = int(os.fstat(src.fileno()).st_mtime)
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest(), mtime


def _snapshot(store: GeoJSONStore, area: str, staging: Path) -> tuple[list[dict], list[str]]:
    """Copy the area's files into ``staging`` under the area lock; return the manifest
    entries (path, size, sha256, mtime) and the skipped entries."""
    files: list[dict] = []
    skipped: list[str] = []
    with store._locked(area) as folder:
        for rel, kind in _walk(folder):
            if kind == "dir":
                continue
            problem = _path_problem(rel)
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
    store = _require_geojson_store(store)
    folder = store._existing_area_dir(area)
    created = datetime.now(UTC)
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
    try:
        staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}backup-", dir=target.parent))
    except OSError as exc:
        raise StorageError(f"cannot write to {target.parent}: {exc.strerror}") from None
    tmp: Path | None = None
    try:
        try:
            files, skipped = _snapshot(store, area, staging)
        except OSError as exc:
            raise StorageError(
                f"copying area {area!r} failed ({exc.strerror}: {exc.filename})"
            ) from None
        warnings = []
        key = store.audit_keys.current_or_create()
        if (staging / audit.LOG_NAME).exists() or (staging / audit.HEAD_NAME).exists():
            result = audit.verify(staging, store.audit_keys)
            if not result.ok:
                warnings.append(
                    "the audit log does not verify ("
                    + "; ".join(result.problems)
                    + "); restoring this archive will be refused"
                )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "area": area,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sozialraum_version": __version__,
            "files": [{"path": f["path"], "size": f["size"], "sha256": f["sha256"]} for f in files],
        }
        manifest["signature"] = {"key_id": key.kid, "hmac": key.mac(_signed_body(manifest))}
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
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        shutil.rmtree(staging, ignore_errors=True)


# -- restore: reading and checking -------------------------------------------------------


class _ArchiveTooLarge(Exception):
    pass


class _CappedReader:
    """A read-only stream that fails once more than ``limit`` bytes were read from it
    (guards against decompression bombs)."""

    def __init__(self, raw, limit: int):
        self._raw = raw
        self._limit = limit
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > _CHUNK:
            size = _CHUNK
        data = self._raw.read(size)
        self.count += len(data)
        if self.count > self._limit:
            raise _ArchiveTooLarge
        return data


def _check_manifest(manifest: object, *, max_members: int, max_total_bytes: int) -> dict:
    """The manifest's file entries by path; :class:`InvalidInput` if it is malformed."""

    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"{MANIFEST_NAME} is malformed: {why}")

    if not isinstance(manifest, dict):
        raise bad("not a JSON object")
    if manifest.get("format") != FORMAT:
        raise InvalidInput("the archive is not a sozialraum area backup")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("format_version is missing or not a positive integer")
    if version > FORMAT_VERSION:
        raise InvalidInput(
            f"the archive has format version {version}; this sozialraum reads up to "
            f"{FORMAT_VERSION} (update sozialraum)"
        )
    name = manifest.get("area")
    if not isinstance(name, str) or not AREA_NAME.match(name):
        raise bad(f"area name {name!r} is not a valid area name")
    if not isinstance(manifest.get("created_at"), str):
        raise bad("created_at is missing")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise bad("files is not a list")
    if len(files) > max_members:
        raise InvalidInput(f"the archive lists {len(files)} files; at most {max_members} allowed")
    entries: dict[str, dict] = {}
    total = 0
    for item in files:
        if not isinstance(item, dict):
            raise bad("a file entry is not an object")
        path, size, sha256 = item.get("path"), item.get("size"), item.get("sha256")
        problem = _path_problem(path)
        if problem:
            raise InvalidInput(f"{MANIFEST_NAME} lists an unsafe path {path!r} ({problem})")
        if path in entries:
            raise bad(f"{path} is listed twice")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise bad(f"size of {path} is not a non-negative integer")
        if not (isinstance(sha256, str) and len(sha256) == 64 and set(sha256) <= _SHA256_HEX):
            raise bad(f"sha256 of {path} is not 64 lower-case hex digits")
        total += size
        entries[path] = {"size": size, "sha256": sha256}
    if total > max_total_bytes:
        raise InvalidInput(
            f"the archive's files hold {total} bytes; at most {max_total_bytes} allowed"
        )
    folders = {path.rsplit("/", 1)[0] for path in entries if "/" in path}
    parents = {"/".join(p.split("/")[:i]) for p in folders for i in range(1, p.count("/") + 2)}
    clash = sorted(parents & set(entries))
    if clash:
        raise bad(f"{clash[0]} is listed both as a file and as a folder")
    if META_NAME not in entries:
        raise bad(f"it does not list {META_NAME}")
    return entries


def _member_problem(member: tarfile.TarInfo) -> str | None:
    """Why a member may not be unpacked at all (links, devices, folders ...)."""
    if member.issym():
        return "is a symbolic link"
    if member.islnk():
        return "is a hard link"
    if member.ischr() or member.isblk() or member.isfifo():
        return "is a device or pipe"
    if member.isdir():
        return "is a folder"
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        return "is not a regular file"
    return None


def _unpack_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> str:
    """Stream a member into the new file ``target``; return its SHA-256."""
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    try:
        make_dir(target.parent)
        out = os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except OSError as exc:
        raise _StagingError(exc) from None
    with out:
        while chunk := source.read(_CHUNK):  # errors here are errors of the archive
            digest.update(chunk)
            try:
                out.write(chunk)
            except OSError as exc:
                raise _StagingError(exc) from None
        try:
            out.flush()
            os.fsync(out.fileno())
        except OSError as exc:
            raise _StagingError(exc) from None
    return digest.hexdigest()


class _StagingError(Exception):
    """Writing the staging copy failed (a storage problem, not a bad archive)."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


def _unpack(archive: Path, staging: Path, *, max_members: int, max_total_bytes: int):
    """Unpack and check ``archive`` into ``staging``; return the manifest and its entries."""
    limit = max_total_bytes + (max_members + 2) * 4096 + MAX_MANIFEST_BYTES + _CHUNK
    with open(archive, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        reader = _CappedReader(gz, limit)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST_NAME:
                raise InvalidInput(
                    f"the archive does not start with {MANIFEST_NAME}: not a sozialraum "
                    "backup, or it was altered"
                )
            if _member_problem(first) or first.size > MAX_MANIFEST_BYTES:
                raise InvalidInput(f"{MANIFEST_NAME} in the archive is not a small regular file")
            try:
                manifest = json.loads(tar.extractfile(first).read())
            except ValueError as exc:
                raise InvalidInput(f"{MANIFEST_NAME} is not valid JSON ({exc})") from None
            entries = _check_manifest(
                manifest, max_members=max_members, max_total_bytes=max_total_bytes
            )
            seen: set[str] = set()
            total = 0
            while (member := tar.next()) is not None:
                name = member.name
                problem = _path_problem(name) or _member_problem(member)
                if problem:
                    raise InvalidInput(f"refused member {name!r}: {problem}")
                rel = name[len(FILES_PREFIX) :] if name.startswith(FILES_PREFIX) else None
                if rel not in entries:
                    raise InvalidInput(f"member {name!r} is not listed in {MANIFEST_NAME}")
                if rel in seen:
                    raise InvalidInput(f"member {name!r} occurs twice")
                expected = entries[rel]
                if member.size != expected["size"]:
                    raise InvalidInput(
                        f"{rel} has {member.size} bytes, the manifest says {expected['size']}"
                    )
                total += member.size
                if total > max_total_bytes:
                    raise InvalidInput(f"the archive holds more than {max_total_bytes} bytes")
                if _unpack_member(tar, member, staging / rel) != expected["sha256"]:
                    raise InvalidInput(f"{rel} does not match its SHA-256 in the manifest")
                seen.add(rel)
        while reader.read(_CHUNK):  # read to the end, so gzip checks its CRC and length
            pass
    missing = sorted(set(entries) - seen)
    if missing:
        raise InvalidInput(f"the archive lacks {missing[0]}, which the manifest lists")
    return manifest, entries


def _check_contents(staging: Path, entries: dict, keys: KeyFile) -> audit.VerifyResult:
    """Check the unpacked files: area.json, layers, audit log; return the log's check."""
    try:
        meta = json.loads((staging / META_NAME).read_bytes())
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise InvalidInput(f"{META_NAME} in the archive is not a JSON object")
    for path in sorted(p for p in entries if p.endswith(".geojson")):
        try:
            data = json.loads((staging / path).read_bytes())
        except ValueError as exc:
            raise InvalidInput(f"{path} in the archive is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            data = {}
        features = data.get("features")
        if data.get("type") != "FeatureCollection" or not isinstance(features, list):
            raise InvalidInput(f"{path} in the archive is not a GeoJSON FeatureCollection")
        for feature in features:
            if not (
                isinstance(feature, dict)
                and feature.get("type") == "Feature"
                and isinstance(feature.get("id"), str)
                and isinstance(feature.get("properties"), dict)
            ):
                raise InvalidInput(f"{path} in the archive holds a feature without id")
    result = audit.verify(staging, keys)
    if not result.ok:
        raise InvalidInput(
            "the audit log in the archive does not verify: " + "; ".join(result.problems)
        )
    return result


# -- restore: installing ---------------------------------------------------------------


def _has_content(folder: Path) -> bool:
    """Whether ``folder`` holds anything besides the lock and temp files."""
    return next(iter(_walk(folder)), None) is not None


def _make_parents(folder: Path, rel: str, touched: set[Path]) -> None:
    """Create the folders of ``rel`` below ``folder``; a file or symlink in the way
    (not in the backup) is removed, so nothing is ever written through a link."""
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
    """Move the checked files from ``staging`` into ``folder`` (the caller holds the lock);
    remove what is not in the backup. Returns the removed paths."""
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
    for rel, kind in reversed(list(_walk(folder))):
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
    """Restore an area from an archive written by :func:`backup_area`.

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
    store = _require_geojson_store(store)
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
        manifest, entries = _read_checked(source, staging, max_members, max_total_bytes)
        key_id = _check_signature(manifest, store.audit_keys, allow_unsigned=allow_unsigned)
        name = area or manifest["area"]
        folder = store.area_dir(name)
        if _has_content(folder) and not replace:
            raise InvalidInput(f"area {name!r} exists; restore with --replace to overwrite it")
        checked = _check_contents(staging, entries, store.audit_keys)
        new_folder = not folder.exists()
        try:
            with store._locked(name, create=True):
                replaced = _has_content(folder)
                if replaced and not replace:
                    raise InvalidInput(
                        f"area {name!r} exists; restore with --replace to overwrite it"
                    )
                try:
                    removed = _install(staging, folder, entries)
                except OSError as exc:
                    raise StorageError(
                        f"restoring area {name!r} failed ({exc.strerror}: {exc.filename}); "
                        "it may be incomplete: run the restore again"
                    ) from None
                for key in [k for k in store._cache if k[0] == name]:
                    store._cache.pop(key, None)
        except SozialraumError:
            if new_folder and not _has_content(folder):
                shutil.rmtree(folder, ignore_errors=True)  # only the lock file we created
            raise
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


def _read_checked(source: Path, staging: Path, max_members: int, max_total_bytes: int):
    """:func:`_unpack` with its errors turned into clear :mod:`sozialraum.errors`."""
    try:
        return _unpack(source, staging, max_members=max_members, max_total_bytes=max_total_bytes)
    except _ArchiveTooLarge:
        raise InvalidInput(
            f"{source.name} unpacks to more than the allowed {max_total_bytes} bytes"
        ) from None
    except _StagingError as exc:
        raise StorageError(
            f"unpacking into {staging.parent} failed ({exc.error.strerror})"
        ) from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InvalidInput(f"{source.name} is not a readable .tar.gz archive ({exc})") from None
    except OSError as exc:
        raise InvalidInput(
            f"{source.name} cannot be read as a .tar.gz archive ({exc.strerror or exc})"
        ) from None
