"""Reading a backup archive for a restore.

Unpack it into a staging folder and check everything (manifest, members, sizes, SHA-256, layers,
audit log) before the area changes.

Guards against unsafe and oversized archives: links, devices, absolute or ``..`` paths,
members not in the manifest and decompression bombs are refused.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tarfile
import zlib
from pathlib import Path

from sozialraum.errors import InvalidInput, StorageError
from sozialraum.store import audit
from sozialraum.store._atomic import make_dir
from sozialraum.store.archive import (
    CHUNK,
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    path_problem,
)
from sozialraum.store.geojson import AREA_NAME, META_NAME
from sozialraum.store.keys import KeyFile

_SHA256_HEX = frozenset("0123456789abcdef")


class _ArchiveTooLarge(Exception):
    pass


class _CappedReader:
    """A read-only stream that fails once more than ``limit`` bytes were read from it.

    Guards against decompression bombs.
    """

    def __init__(self, raw, limit: int):
        self._raw = raw
        self._limit = limit
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > CHUNK:
            size = CHUNK
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
        problem = path_problem(path)
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
        while chunk := source.read(CHUNK):  # errors here are errors of the archive
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
    limit = max_total_bytes + (max_members + 2) * 4096 + MAX_MANIFEST_BYTES + CHUNK
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
                problem = path_problem(name) or _member_problem(member)
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
        while reader.read(CHUNK):  # read to the end, so gzip checks its CRC and length
            pass
    missing = sorted(set(entries) - seen)
    if missing:
        raise InvalidInput(f"the archive lacks {missing[0]}, which the manifest lists")
    return manifest, entries


def read_checked(source: Path, staging: Path, max_members: int, max_total_bytes: int):
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


def check_contents(staging: Path, entries: dict, keys: KeyFile) -> audit.VerifyResult:
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
