"""The files of an area in the GeoJSON store: names, layer files and their signatures.

Layer files are RFC 7946 FeatureCollections with one foreign member, ``generation``, a random
token that changes on every write; together with inode, size and mtime it tells whether a
cached layer is still current.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sozialraum.errors import InvalidInput, StorageError

#: Area names: slugs (the folder name).
AREA_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
#: The area's metadata file.
META_NAME = "area.json"
#: Names of derived artifacts and the folder they lie in.
ARTIFACT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
ARTIFACT_DIR = "analysis"
#: The folder of kept versions (``versions/<layer>.jsonl``).
VERSIONS_DIR = "versions"


@dataclass
class CachedLayer:
    """A layer as read: its file signature (``None``: no file), features and id → position."""

    signature: tuple[int, int, int] | None
    features: list[dict]
    index: dict[str, int]
    #: PostgreSQL store: the highest change number the features include (``None``: unknown)
    mark: int | None = None
    #: PostgreSQL store: the highest position the features include (``None``: unknown)
    last_pos: int | None = None


def now_iso() -> str:
    """The current time in UTC, ISO 8601 to the second (``updated_at``)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_GENERATION = re.compile(rb'^\{"type":"FeatureCollection","generation":"([0-9a-f]{32})"')


def file_signature(path: Path) -> tuple | None:
    """What identifies a version of a layer file.

    Stat fields plus the random generation token every write puts at the start of the file (inodes
    are reused after os.replace).
    """
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            head = fh.read(96)
    except FileNotFoundError:
        return None
    match = _GENERATION.match(head)
    return (st.st_ino, st.st_size, st.st_mtime_ns, match.group(1).decode() if match else "")


def encode_utf8(text: str) -> bytes:
    r"""``text`` as UTF-8; a lone surrogate (``"\ud800"`` in JSON input) is refused."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "the text contains characters that cannot be stored (a lone UTF-16 surrogate)"
        ) from None


def layer_body(features: list[dict]) -> bytes:
    """The layer file's bytes; :class:`InvalidInput` if a text cannot be UTF-8."""
    # a FeatureCollection with one foreign member (RFC 7946 § 6.1) that changes on every write
    return encode_utf8(
        json.dumps(
            {"type": "FeatureCollection", "generation": uuid.uuid4().hex, "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    )


def read_layer_file(path: Path, signature: tuple) -> CachedLayer:
    """Read a layer file; :class:`StorageError` if it is unreadable or no FeatureCollection."""
    try:
        data = json.loads(path.read_bytes())
        features = data["features"]
        if data.get("type") != "FeatureCollection" or not isinstance(features, list):
            raise ValueError("not a FeatureCollection")
        index = {f["id"]: i for i, f in enumerate(features)}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StorageError(
            f"layer file {path} is unreadable or corrupt ({exc}); it was not changed"
        ) from None
    return CachedLayer(signature, features, index)
