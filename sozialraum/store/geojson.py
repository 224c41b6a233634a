"""The embedded default store: one folder per area, one RFC 7946 FeatureCollection per layer.

Layout of ``<data_dir>/<area>/``::

    area.json            metadata (source, import time, bbox, counts)
    resources.geojson    one FeatureCollection per layer
    addresses.geojson
    districts.geojson
    notes.geojson
    audit.jsonl          hash-chained audit log (+ audit.head)
    versions/notes.jsonl every version of every note (layers that keep versions), for history
    analysis/            derived artifacts (walk network, reachability), rebuilt on import
    .lock                sidecar lock file (never replaced)

Writes take the area's sidecar lock (so server workers and the CLI never lose an
update), re-read the layer, change it, and replace the file atomically. Reads are
served from memory and re-read when the file's inode, size or mtime changed.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import filelock

from sozialraum.errors import (
    InvalidInput,
    NotFound,
    ReadOnly,
    StorageError,
    StoreBusy,
    VersionConflict,
)
from sozialraum.settings import StoreSettings
from sozialraum.settings import audit_key_file as audit_key_file_setting
from sozialraum.store import audit
from sozialraum.store._atomic import (
    FILE_MODE,
    make_dir,
    open_append,
    remove_orphaned_temp_files,
    write_atomic,
)
from sozialraum.store.base import BBox, Store, SyncSummary
from sozialraum.store.keys import KeyFile
from sozialraum.store.validation import LAYERS, RESERVED, check_layer, validate_feature

AREA_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
FEATURE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
META_NAME = "area.json"
ARTIFACT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
ARTIFACT_DIR = "analysis"
VERSIONS_DIR = "versions"


@dataclass
class _Layer:
    signature: tuple[int, int, int] | None
    features: list[dict]
    index: dict[str, int]


#: Fields of an audit entry that ``audit_fields`` may not override.
_ENTRY_KEYS = frozenset(
    (
        "seq",
        "ts",
        "actor",
        "action",
        "layer",
        "id",
        "old_version",
        "new_version",
        "prev",
        "hash",
        "kid",
        "key",
    )
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_GENERATION = re.compile(rb'^\{"type":"FeatureCollection","generation":"([0-9a-f]{32})"')


def _signature(path: Path) -> tuple | None:
    """What identifies a version of a layer file: stat fields plus the random generation
    token every write puts at the start of the file (inodes are reused after os.replace)."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            head = fh.read(96)
    except FileNotFoundError:
        return None
    match = _GENERATION.match(head)
    return (st.st_ino, st.st_size, st.st_mtime_ns, match.group(1).decode() if match else "")


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8; a lone surrogate (``"\\ud800"`` in JSON input) is refused."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "the text contains characters that cannot be stored (a lone UTF-16 surrogate)"
        ) from None


def _after(moment: str | None, since: str) -> bool:
    """Whether ISO 8601 time ``moment`` lies after ``since`` (offsets compared properly)."""
    try:
        return datetime.fromisoformat(moment) > datetime.fromisoformat(since)
    except (TypeError, ValueError):
        return False


def _bounds(geometry: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []
    stack = [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], (int, float)):
            xs.append(item[0])
            ys.append(item[1])
        else:
            stack.extend(item)
    return min(xs), min(ys), max(xs), max(ys)


def _matches(feature: dict, bbox, district, category) -> bool:
    props = feature["properties"]
    if district is not None and props.get("district") != district:
        return False
    if (
        category is not None
        and category != props.get("category")
        and category not in (props.get("categories") or ())
    ):
        return False
    if bbox is not None:
        w, s, e, n = bbox
        geom = feature["geometry"]
        if geom is None:
            return False
        if geom["type"] == "Point":
            x, y = geom["coordinates"][:2]
            return w <= x <= e and s <= y <= n
        minx, miny, maxx, maxy = _bounds(geom)
        return not (maxx < w or minx > e or maxy < s or miny > n)
    return True


class GeoJSONStore(Store):
    """Store backed by GeoJSON files in ``data_dir`` (see module docstring).

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder holding one sub-folder per area; created on first write.
    settings : StoreSettings, optional
        Lock timeout.
    read_only : bool, optional
        Refuse every write with :class:`~sozialraum.errors.ReadOnly` (a read-only data
        folder); reading works as usual.
    audit_key_file : pathlib.Path, optional
        The audit key that keys the audit chain (created 0600 on the first write); must
        lie outside ``data_dir``. Default: :func:`sozialraum.settings.audit_key_file`.
    """

    def __init__(
        self,
        data_dir: Path,
        settings: StoreSettings | None = None,
        *,
        read_only: bool = False,
        audit_key_file: Path | None = None,
    ):
        self.data_dir = Path(data_dir)
        #: The audit keys (current and retired); see :mod:`sozialraum.store.keys`.
        self.audit_keys = KeyFile(audit_key_file or audit_key_file_setting(), data_dir=data_dir)
        self.settings = settings or StoreSettings()
        self.read_only = read_only
        self._area_locks: dict[str, threading.Lock] = {}
        self._cache: dict[tuple[str, str], _Layer] = {}
        self._mutex = threading.Lock()

    # -- paths and locking -------------------------------------------------
    def area_dir(self, area: str) -> Path:
        """Folder of ``area``; :class:`InvalidInput` for names that are not slugs."""
        if not isinstance(area, str) or not AREA_NAME.match(area):
            raise InvalidInput(
                f"invalid area name {area!r}: use lower-case letters, digits, '-' and '_'"
            )
        return self.data_dir / area

    def _existing_area_dir(self, area: str) -> Path:
        folder = self.area_dir(area)
        if not (folder / META_NAME).exists():
            raise NotFound(f"area {area!r} does not exist")
        return folder

    @contextmanager
    def _locked(self, area: str, create: bool = False):
        if self.read_only:
            raise ReadOnly(f"the data folder {self.data_dir} is read-only; nothing was changed")
        folder = self.area_dir(area) if create else self._existing_area_dir(area)
        try:
            make_dir(folder)
        except OSError as exc:
            raise StorageError(f"cannot create area folder {folder}: {exc.strerror}") from None
        # threads of this process queue on a plain lock (woken at once when it is free);
        # only one of them at a time polls the file lock that other processes share
        timeout_s = self.settings.lock_timeout_s
        started = time.monotonic()
        with self._mutex:
            local = self._area_locks.setdefault(area, threading.Lock())
        if not local.acquire(timeout=timeout_s):
            raise StoreBusy(f"area {area!r} is busy; try again")
        try:
            lock = filelock.FileLock(folder / ".lock", mode=FILE_MODE)
            try:
                remaining_s = max(0.0, timeout_s - (time.monotonic() - started))
                lock.acquire(timeout=remaining_s, poll_interval=0.005)
            except filelock.Timeout:
                raise StoreBusy(f"area {area!r} is locked by another process; try again") from None
            try:
                # temp files of a writer that was killed (a listing of three small folders;
                # on every write, because server workers are forked and replaced while running)
                for sub in (folder, folder / ARTIFACT_DIR, folder / VERSIONS_DIR):
                    remove_orphaned_temp_files(sub)
                yield folder
            finally:
                lock.release()
        finally:
            local.release()

    def cleanup(self) -> list[str]:
        """Remove orphaned temp files in every area (call at start).

        Returns the areas skipped because another process held their lock; their
        temp files are removed on the next write.
        """
        busy = []
        if self.read_only:
            return busy
        for area in self.areas():
            try:
                with self._locked(area):
                    pass
            except StoreBusy:
                busy.append(area)
        return busy

    def check_files(self) -> list[str]:
        """Read every area's metadata and layer files once; return the damaged ones.

        Each problem names the file and why it cannot be read. Nothing is changed:
        a damaged file is never overwritten (every write re-reads the layer first and
        refuses). The layers read stay in the memory cache.
        """
        problems = []
        for area in self.areas():
            try:
                self.read_meta(area)
            except StorageError as exc:
                problems.append(exc.message)
                continue
            for layer in LAYERS:
                try:
                    self._load(area, layer)
                except StorageError as exc:
                    problems.append(exc.message)
        return problems

    # -- reading -------------------------------------------------------------
    def areas(self) -> list[str]:
        if not self.data_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.data_dir.iterdir()
            if (p / META_NAME).is_file() and AREA_NAME.match(p.name)
        )

    def read_meta(self, area: str) -> dict:
        path = self._existing_area_dir(area) / META_NAME
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read {path}: {exc}") from None

    def _load(self, area: str, layer: str) -> _Layer:
        check_layer(layer)
        path = self._existing_area_dir(area) / f"{layer}.geojson"
        signature = _signature(path)
        cached = self._cache.get((area, layer))
        if cached is not None and cached.signature == signature:
            return cached
        if signature is None:
            loaded = _Layer(None, [], {})
        else:
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
            loaded = _Layer(signature, features, index)
        self._cache[(area, layer)] = loaded
        return loaded

    def _artifact_path(self, area: str, name: str) -> Path:
        if not isinstance(name, str) or not ARTIFACT_NAME.match(name) or ".." in name:
            raise InvalidInput(f"invalid artifact name {name!r}")
        return self._existing_area_dir(area) / ARTIFACT_DIR / name

    def read_artifact(self, area: str, name: str) -> bytes:
        path = self._artifact_path(area, name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"area {area!r} has no {name!r}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from None

    def artifact_revision(self, area: str, name: str) -> str:
        signature = _signature(self._artifact_path(area, name))
        return "0" if signature is None else "-".join(str(part) for part in signature)

    def write_artifact(self, area: str, name: str, data: bytes, *, actor: str) -> None:
        path = self._artifact_path(area, name)
        with self._locked(area):
            try:
                make_dir(path.parent)
                write_atomic(path, data)
            except OSError as exc:
                raise StorageError(
                    f"writing {path} failed ({exc.strerror}); the old file is intact"
                ) from None

    def delete_artifact(self, area: str, name: str, *, actor: str) -> None:
        path = self._artifact_path(area, name)
        with self._locked(area):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot remove {path}: {exc.strerror}") from None

    def revision(self, area: str, layer: str) -> str:
        signature = self._load(area, layer).signature
        return "0" if signature is None else "-".join(str(part) for part in signature)

    def get(self, area: str, layer: str, feature_id: str) -> dict:
        loaded = self._load(area, layer)
        position = loaded.index.get(feature_id)
        if position is None:
            raise NotFound(f"no feature {feature_id!r} in layer {layer!r} of area {area!r}")
        return copy.deepcopy(loaded.features[position])

    def query(self, area, layer, *, bbox: BBox | None = None, district=None, category=None):
        """See :meth:`Store.query`. The returned features are shared: do not change them."""
        features = self._load(area, layer).features
        if bbox is None and district is None and category is None:
            return list(features)
        return [f for f in features if _matches(f, bbox, district, category)]

    # -- writing -------------------------------------------------------------
    @staticmethod
    def _layer_body(features: list[dict]) -> bytes:
        """The layer file's bytes; :class:`InvalidInput` if a text cannot be UTF-8."""
        # a FeatureCollection with one foreign member (RFC 7946 § 6.1) that changes on every write
        return _utf8(
            json.dumps(
                {"type": "FeatureCollection", "generation": uuid.uuid4().hex, "features": features},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        )

    def _write_layer(
        self, folder: Path, area: str, layer: str, features: list[dict], body: bytes | None = None
    ) -> None:
        path = folder / f"{layer}.geojson"
        body = self._layer_body(features) if body is None else body
        try:
            write_atomic(path, body)
        except OSError as exc:
            raise StorageError(
                f"writing {path} failed ({exc.strerror}); the old file is intact"
            ) from None
        index = {f["id"]: i for i, f in enumerate(features)}
        self._cache[(area, layer)] = _Layer(_signature(path), features, index)

    def _change(self, area: str, layer: str, change: Callable[[list[dict], dict], dict]) -> dict:
        check_layer(layer)
        with self._locked(area) as folder:
            current = self._load(area, layer)
            features = list(current.features)
            details = change(features, current.index)
            archive = details.pop("_archive", None)
            drop = details.pop("_drop", None)
            # everything is serialised before anything is written: a text that cannot be
            # stored is refused with nothing in the log or the files
            body = self._layer_body(features)
            line = None
            if archive is not None and LAYERS[layer].keep_versions:
                line = _utf8(json.dumps(archive, ensure_ascii=False, separators=(",", ":")) + "\n")
            # write-ahead: the entry is in the log before the change is, so every saved
            # change is audited; a failed write is followed by an "aborted" entry
            entry = audit.append(folder, layer=layer, key=self._audit_key(), **details)
            try:
                if line is not None:
                    self._archive(folder, layer, line)
                self._write_layer(folder, area, layer, features, body)
            except BaseException:
                with contextlib.suppress(StorageError, OSError):
                    audit.append(
                        folder,
                        key=self._audit_key(),
                        actor=details["actor"],
                        action="aborted",
                        layer=layer,
                        aborted_seq=entry["seq"],
                    )
                raise
            if drop and LAYERS[layer].keep_versions:
                # a deleted note is deleted with its earlier versions (its audit entries stay)
                self._drop_kept_versions(folder, layer, drop)
        return details

    # -- kept versions -------------------------------------------------------
    def _archive(self, folder: Path, layer: str, line: bytes) -> None:
        """Append one version's content (a JSON line) to ``versions/<layer>.jsonl`` (durably)."""
        path = folder / VERSIONS_DIR / f"{layer}.jsonl"
        try:
            make_dir(path.parent)
            with open_append(path) as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise StorageError(f"writing {path} failed ({exc.strerror})") from None

    def _kept_versions(self, folder: Path, layer: str, feature_id: str) -> dict[int, dict]:
        path = folder / VERSIONS_DIR / f"{layer}.jsonl"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from None
        needle = json.dumps(feature_id).encode()
        kept = {}
        for line in raw.split(b"\n"):
            if needle in line:
                try:
                    feature = json.loads(line)
                except ValueError:
                    continue  # a partial last line after a crash
                if feature.get("id") == feature_id:
                    kept[feature["properties"]["version"]] = feature  # the last write wins
        return kept

    def _drop_kept_versions(self, folder: Path, layer: str, ids: set[str]) -> None:
        path = folder / VERSIONS_DIR / f"{layer}.jsonl"
        if not ids or not path.exists():
            return
        keep = []
        try:
            for line in path.read_bytes().split(b"\n"):
                if not line:
                    continue
                try:
                    feature_id = json.loads(line).get("id")
                except ValueError:
                    continue
                if feature_id not in ids:
                    keep.append(line + b"\n")
            write_atomic(path, b"".join(keep))
        except OSError as exc:
            raise StorageError(f"rewriting {path} failed ({exc.strerror})") from None

    def history(self, area: str, layer: str, feature_id: str) -> list[dict]:
        check_layer(layer)
        folder = self._existing_area_dir(area)
        kept = self._kept_versions(folder, layer, feature_id)
        entries = audit.entries(folder, layer=layer)  # one pass: the feature's and aborts
        aborted = {e.get("aborted_seq") for e in entries if e.get("action") == "aborted"}
        items = []
        for entry in entries:
            if (
                entry.get("id") != feature_id
                or entry["seq"] in aborted
                or entry.get("action") not in ("add", "update", "delete")
            ):
                continue
            version = entry.get("new_version") or entry.get("old_version")
            items.append(
                {
                    "version": version,
                    "action": entry["action"],
                    "actor": entry.get("actor"),
                    "at": entry.get("ts"),
                    "feature": None if entry["action"] == "delete" else kept.get(version),
                }
            )
        if not items:
            raise NotFound(f"no feature {feature_id!r} in layer {layer!r} of area {area!r}")
        return items

    def changes(self, area: str, layer: str, *, since: str | None = None) -> list[dict]:
        check_layer(layer)
        entries = audit.entries(self._existing_area_dir(area), layer=layer)
        aborted = {e.get("aborted_seq") for e in entries if e.get("action") == "aborted"}
        return [
            e
            for e in entries
            if e["seq"] not in aborted
            and e.get("action") != "aborted"
            and (since is None or _after(e.get("ts"), since))
        ]

    def purge(self, area: str, layer: str, feature_ids: Iterable[str], *, actor: str) -> int:
        ids = set(feature_ids)
        check_layer(layer)
        with self._locked(area) as folder:
            current = self._load(area, layer)
            features = [f for f in current.features if f["id"] not in ids]
            removed = sorted(ids & set(current.index))
            audit.append(
                folder,
                key=self._audit_key(),
                actor=actor,
                action="purge",
                layer=layer,
                ids=sorted(ids),
                count=len(removed),
            )
            if removed:
                self._write_layer(folder, area, layer, features)
            self._drop_kept_versions(folder, layer, ids)
        return len(removed)

    def write_meta(self, area: str, meta: dict, *, actor: str) -> None:
        with self._locked(area, create=True) as folder:
            body = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
            audit.append(folder, key=self._audit_key(), actor=actor, action="meta", layer=None)
            try:
                write_atomic(folder / META_NAME, body)
            except OSError as exc:
                raise StorageError(
                    f"writing {folder / META_NAME} failed ({exc.strerror})"
                ) from None

    def add(self, area: str, layer: str, feature: dict, *, actor: str) -> dict:
        clean = validate_feature(layer, feature)
        feature_id = feature.get("id") or uuid.uuid4().hex
        if not isinstance(feature_id, str) or not FEATURE_ID.match(feature_id):
            raise InvalidInput("feature ids are 1–64 letters, digits, '-' or '_'")
        clean["id"] = feature_id
        clean["properties"].update(version=1, updated_at=_now())

        def change(features, index):
            if feature_id in index:
                raise InvalidInput(f"feature {feature_id!r} already exists")
            features.append(clean)
            return {
                "actor": actor,
                "action": "add",
                "id": feature_id,
                "old_version": None,
                "new_version": 1,
                "_archive": clean,
            }

        self._change(area, layer, change)
        return copy.deepcopy(clean)

    def add_many(self, area: str, layer: str, features: Iterable[dict], *, actor: str) -> list:
        incoming = []
        for feature in features:
            clean = validate_feature(layer, feature)
            feature_id = feature.get("id")
            if not isinstance(feature_id, str) or not FEATURE_ID.match(feature_id):
                raise InvalidInput("feature ids are 1–64 letters, digits, '-' or '_'")
            clean["id"] = feature_id
            incoming.append(clean)
        stamp = _now()
        added: list[str] = []

        def change(existing, index):
            seen = set(index)
            for feature in incoming:
                if feature["id"] in seen:
                    continue
                seen.add(feature["id"])
                feature["properties"].update(version=1, updated_at=stamp)
                existing.append(feature)
                added.append(feature["id"])
            return {"actor": actor, "action": "add_many", "added": len(added)}

        if incoming:
            self._change(area, layer, change)
        return added

    def _versioned(self, features, index, feature_id, expected_version, layer):
        position = index.get(feature_id)
        if position is None:
            raise NotFound(f"no feature {feature_id!r} in layer {layer!r}")
        current = features[position]["properties"]["version"]
        if current != expected_version:
            raise VersionConflict(
                f"feature {feature_id!r} is at version {current}, not {expected_version}:"
                " someone else changed it",
                current_version=current,
            )
        return position, current

    def update(
        self,
        area,
        layer,
        feature_id,
        feature,
        *,
        expected_version: int,
        actor: str,
        audit_fields: dict | None = None,
    ) -> dict:
        clean = validate_feature(layer, feature)
        clean["id"] = feature_id
        result = {}

        def change(features, index):
            position, current = self._versioned(
                features, index, feature_id, expected_version, layer
            )
            clean["properties"].update(version=current + 1, updated_at=_now())
            features[position] = clean
            result.update(clean)
            return {
                "actor": actor,
                "action": "update",
                "id": feature_id,
                "old_version": current,
                "new_version": current + 1,
                **{k: v for k, v in (audit_fields or {}).items() if k not in _ENTRY_KEYS},
                "_archive": clean,
            }

        self._change(area, layer, change)
        return copy.deepcopy(result)

    def delete(self, area, layer, feature_id, *, expected_version: int, actor: str) -> None:
        def change(features, index):
            position, current = self._versioned(
                features, index, feature_id, expected_version, layer
            )
            del features[position]
            return {
                "actor": actor,
                "action": "delete",
                "id": feature_id,
                "old_version": current,
                "new_version": None,
                "_drop": {feature_id},
            }

        self._change(area, layer, change)

    def sync_layer(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        return self._merge(area, layer, features, actor=actor, remove_others=True)

    def upsert_many(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        return self._merge(area, layer, features, actor=actor, remove_others=False)

    def _merge(self, area, layer, features, *, actor: str, remove_others: bool) -> SyncSummary:
        incoming = []
        for feature in features:
            clean = validate_feature(layer, feature)
            fid = feature.get("id")
            if not remove_others and not (isinstance(fid, str) and FEATURE_ID.match(fid)):
                raise InvalidInput("feature ids are 1–64 letters, digits, '-' or '_'")
            clean["id"] = fid
            incoming.append(clean)
        summary = SyncSummary()
        stamp = _now()

        def change(existing, index):
            seen = set()
            result = []
            for feature in incoming:
                fid = feature["id"]
                if fid in seen:
                    raise InvalidInput(f"duplicate feature id {fid!r}")
                seen.add(fid)
                old = existing[index[fid]] if fid in index else None
                if old is None:
                    feature["properties"].update(version=1, updated_at=stamp)
                    summary.added.append(fid)
                else:
                    old_props = {k: v for k, v in old["properties"].items() if k not in RESERVED}
                    if (
                        old_props == feature["properties"]
                        and old["geometry"] == feature["geometry"]
                    ):
                        result.append(old)
                        summary.unchanged += 1
                        continue
                    feature["properties"].update(
                        version=old["properties"]["version"] + 1, updated_at=stamp
                    )
                    summary.updated.append(fid)
                result.append(feature)
            others = [f for f in existing if f["id"] not in seen]
            if remove_others:
                summary.removed.extend(f["id"] for f in others)
                existing[:] = result
            else:
                kept = {f["id"]: f for f in result}
                existing[:] = [kept.pop(f["id"], f) for f in existing] + list(kept.values())
            return {
                "actor": actor,
                "action": "sync" if remove_others else "upsert",
                "added": len(summary.added),
                "updated": len(summary.updated),
                "removed": len(summary.removed),
            }

        self._change(area, layer, change)
        return summary

    def verify_audit(self, area: str, *, require_keyed: bool = False) -> audit.VerifyResult:
        """Verify the keyed hash chain of the area's audit log (see :func:`audit.verify`)."""
        return audit.verify(
            self._existing_area_dir(area), self.audit_keys, require_keyed=require_keyed
        )

    def seal_audit(self, area: str, *, actor: str) -> dict:
        """Append a keyed ``seal`` entry to the area's audit log (under its lock).

        It anchors every entry before it, including those from before the audit key
        existed; afterwards ``verify_audit(area, require_keyed=True)`` holds.
        """
        with self._locked(area) as folder:
            return audit.append(
                folder, key=self._audit_key(), actor=actor, action="seal", layer=None
            )

    def _audit_key(self):
        """The current audit key, created on first use (a write); :class:`StorageError`
        if it cannot be read or created."""
        return self.audit_keys.current_or_create()
