"""The area backup archive: format, manifest signature and shared path rules.

The path rules backup and restore share (see :mod:`sozialraum.store.backup` and
:mod:`sozialraum.store.restore`).

Archive layout (members in this order)::

**Backup** copies the files while holding the area's write lock, so no write of the
app (or another process) is half in the snapshot: the audit log and the layers match.
The copy goes to a staging folder next to the destination, so the lock is held only
for the copy, not for the compression. The archive is written to a temp file, fsynced
and then linked into place: the destination never holds a half-written archive.
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path

from sozialraum.errors import InvalidInput, StorageError
from sozialraum.store._atomic import TEMP_PREFIX
from sozialraum.store.geojson import GeoJSONStore
from sozialraum.store.keys import KeyFile

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
#: Bytes copied, hashed or read per step.
CHUNK = 1024**2
_MAX_DEPTH = 8


def signed_body(manifest: dict) -> bytes:
    """The bytes the signature covers: the manifest without ``signature``, canonical JSON."""
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def check_signature(manifest: dict, keys: KeyFile, *, allow_unsigned: bool) -> str | None:
    """The key id the manifest's signature checks out with.

    :class:`InvalidInput` if it is missing (unless ``allow_unsigned``), names a key this machine
    lacks, or fails.
    """
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
    if not hmac.compare_digest(key.mac(signed_body(manifest)), mac):
        raise InvalidInput(
            f"the archive's manifest does not match its signature (checked against audit "
            f"key {kid}): the archive was changed after the backup"
        )
    return kid


def is_ignored(name: str) -> bool:
    """Names never backed up or restored: the sidecar lock and temp files."""
    return name == LOCK_NAME or name.startswith(TEMP_PREFIX)


def path_problem(path: object) -> str | None:
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
        if is_ignored(part):
            return "lock or temp file"
    return None


def walk_area(folder: Path, prefix: str = ""):
    """Entries below ``folder`` as ``(relative path, kind)``.

    Kind ``file``, ``dir`` or ``other`` (symlinks, devices ...); symlinks are never followed. Lock
    and temp entries are left out.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return
    for entry in entries:
        if is_ignored(entry.name):
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            yield rel, "dir"
            yield from walk_area(Path(entry.path), f"{rel}/")
        elif entry.is_file(follow_symlinks=False):
            yield rel, "file"
        else:
            yield rel, "other"


def require_geojson_store(store) -> GeoJSONStore:
    """``store`` if it is a :class:`GeoJSONStore`; :class:`StorageError` otherwise."""
    if not isinstance(store, GeoJSONStore):
        raise StorageError("backup and restore work with the GeoJSON file store only")
    return store
