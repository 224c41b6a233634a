"""JSON/GeoJSON responses with ETag, conditional GET and gzip, cached per data revision.

Layer responses for a whole city are megabytes of JSON; they are serialised and
compressed once per revision of the underlying files and then served from memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

import orjson
from flask import Response, request
from werkzeug.wsgi import wrap_file

from sozialraum.errors import PreconditionRequired

GEOJSON = "application/geo+json"
JSON = "application/json"
MIN_GZIP_BYTES = 1024


class _BodyCache:
    """LRU of (body, gzipped body) by ETag, bounded in bytes."""

    def __init__(self, max_bytes: int = 128 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[bytes, bytes | None]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str):
        with self._lock:
            item = self._items.get(etag)
            if item is not None:
                self._items.move_to_end(etag)
            return item

    def put(self, etag: str, item: tuple[bytes, bytes | None]) -> None:
        size = len(item[0]) + len(item[1] or b"")
        if size > self.max_bytes:
            return
        with self._lock:
            if etag in self._items:
                return
            self._items[etag] = item
            self._size += size
            while self._size > self.max_bytes:
                _, (body, gz) = self._items.popitem(last=False)
                self._size -= len(body) + len(gz or b"")


_cache = _BodyCache()


def make_etag(*parts: object) -> str:
    """A stable ETag from the parts that determine a response (revisions, arguments)."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def json_bytes(body: object) -> bytes:
    """``body`` as compact UTF-8 JSON, as ``json.dumps(…, ensure_ascii=False)`` writes it.

    orjson writes it (a notes list of thousands of notes in a fraction of the time, and
    ``NaN`` as ``null``); what orjson refuses (an integer beyond 64 bits) goes to
    :mod:`json`.
    """
    try:
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cached_json(etag: str, build: Callable[[], object], mimetype: str = JSON) -> Response:
    """Answer with JSON built by ``build`` unless the client has ``etag`` (304).

    The body is built, serialised and gzipped at most once per ETag.
    """
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    item = _cache.get(etag)
    if item is None:
        body = json_bytes(build())
        gz = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_GZIP_BYTES else None
        item = (body, gz)
        _cache.put(etag, item)
    body, gz = item
    data = gz if gz is not None and "gzip" in request.accept_encodings else body
    # hand the bytes to the server as a file: waitress then streams them instead of copying
    # large bodies into a temporary overflow file
    response = Response(
        wrap_file(request.environ, io.BytesIO(data)), mimetype=mimetype, direct_passthrough=True
    )
    response.content_length = len(data)
    if data is gz:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding, Cookie"
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(etag)
    return response


def json_response(body: object, status: int = 200, etag: str | None = None, **headers) -> Response:
    """JSON never stored by browsers or proxies (``private, no-store``).

    GeoJSON for a Feature; with an optional strong ETag and extra headers (e.g. ``Location``).
    """
    data = json_bytes(body)
    feature = isinstance(body, dict) and body.get("type") == "Feature"
    response = Response(data, status=status, mimetype=GEOJSON if feature else JSON)
    response.headers["Cache-Control"] = "private, no-store"
    if etag:
        response.set_etag(etag)
    response.headers.update(headers)
    return response


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """A file download: ``Content-Disposition: attachment``, never cached."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def feature_collection(features: list[dict]) -> dict:
    """A GeoJSON FeatureCollection of ``features``."""
    return {"type": "FeatureCollection", "features": features}


def public_feature(feature: dict, fields: tuple[str, ...] | None = None) -> dict:
    """``feature`` with only ``fields`` (default: all but ``version`` and ``updated_at``)."""
    props = feature["properties"]
    keep = fields or tuple(k for k in props if k not in ("version", "updated_at"))
    return {
        "type": "Feature",
        "id": feature["id"],
        "geometry": feature["geometry"],
        "properties": {k: props.get(k) for k in keep},
    }


#: The ETag of a stored version: ``v3``.
VERSION_TAG = re.compile(r"^v(\d{1,9})$")


def expected_version() -> int:
    """The version named by ``If-Match``; 428 without one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            "send If-Match with the ETag of the version you changed (from GET or the last write)"
        )
    if request.if_match.star_tag:
        raise PreconditionRequired("If-Match: * is not accepted; send the ETag of your version")
    for tag in request.if_match.as_set():
        match = VERSION_TAG.match(tag or "")  # werkzeug reads an empty tag '""' as None
        if match:
            return int(match.group(1))
    return 0  # no version of ours: always stale (412)
