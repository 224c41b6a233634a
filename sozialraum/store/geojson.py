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
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from sozialraum.errors import InvalidInput, NotFound, StorageError, VersionConflict
from sozialraum.store import audit
from sozialraum.store._atomic import write_atomic
from sozialraum.store.area_folders import AreaFolders
from sozialraum.store.base import SyncSummary
from sozialraum.store.history import append_version, drop_kept_versions
from sozialraum.store.layer_files import (
    AREA_NAME,
    ARTIFACT_DIR,
    ARTIFACT_NAME,
    META_NAME,
    VERSIONS_DIR,
    CachedLayer,
    encode_utf8,
    file_signature,
    layer_body,
    now_iso,
)
from sozialraum.store.layer_merge import merge_input, merge_into
from sozialraum.store.validation import (
    FEATURE_ID,
    LAYERS,
    check_layer,
    checked_feature,
    validate_feature,
)

__all__ = [
    "AREA_NAME",
    "ARTIFACT_DIR",
    "ARTIFACT_NAME",
    "FEATURE_ID",
    "META_NAME",
    "VERSIONS_DIR",
    "GeoJSONStore",
]

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


class GeoJSONStore(AreaFolders):
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

    # -- writing -------------------------------------------------------------
    def _write_layer(
        self, folder: Path, area: str, layer: str, features: list[dict], body: bytes | None = None
    ) -> None:
        path = folder / f"{layer}.geojson"
        body = layer_body(features) if body is None else body
        try:
            write_atomic(path, body)
        except OSError as exc:
            raise StorageError(
                f"writing {path} failed ({exc.strerror}); the old file is intact"
            ) from None
        index = {f["id"]: i for i, f in enumerate(features)}
        self._cache[(area, layer)] = CachedLayer(file_signature(path), features, index)

    def _change(self, area: str, layer: str, change: Callable[[list[dict], dict], dict]) -> dict:
        check_layer(layer)
        with self.locked(area) as folder:
            current = self._load(area, layer)
            features = list(current.features)
            details = change(features, current.index)
            archive = details.pop("_archive", None)
            drop = details.pop("_drop", None)
            # everything is serialised before anything is written: a text that cannot be
            # stored is refused with nothing in the log or the files
            body = layer_body(features)
            line = None
            if archive is not None and LAYERS[layer].keep_versions:
                line = b"".join(
                    encode_utf8(json.dumps(f, ensure_ascii=False, separators=(",", ":")) + "\n")
                    for f in (archive if isinstance(archive, list) else [archive])
                )
            # write-ahead: the entry is in the log before the change is, so every saved
            # change is audited; a failed write is followed by an "aborted" entry
            entry = audit.append(folder, layer=layer, key=self._audit_key(), **details)
            try:
                if line is not None:
                    append_version(folder, layer, line)
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
                drop_kept_versions(folder, layer, drop)
        return details

    def purge(self, area: str, layer: str, feature_ids: Iterable[str], *, actor: str) -> int:
        """Delete features and their kept versions for good (see :meth:`Store.purge`)."""
        ids = set(feature_ids)
        check_layer(layer)
        with self.locked(area) as folder:
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
            drop_kept_versions(folder, layer, ids)
        return len(removed)

    def write_meta(self, area: str, meta: dict, *, actor: str) -> None:
        """Replace the area metadata atomically, audited; creates the area folder."""
        with self.locked(area, create=True) as folder:
            body = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
            audit.append(folder, key=self._audit_key(), actor=actor, action="meta", layer=None)
            try:
                write_atomic(folder / META_NAME, body)
            except OSError as exc:
                raise StorageError(
                    f"writing {folder / META_NAME} failed ({exc.strerror})"
                ) from None

    def add(self, area: str, layer: str, feature: dict, *, actor: str) -> dict:
        """Add a feature (see :meth:`Store.add`); a missing id is a new random hex id."""
        clean = checked_feature(layer, feature, new_id=uuid.uuid4().hex)
        feature_id = clean["id"]
        clean["properties"].update(version=1, updated_at=now_iso())

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
        """Add features with given ids in one write (see :meth:`Store.add_many`)."""
        incoming = [checked_feature(layer, f) for f in features]
        stamp = now_iso()
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
        """Replace a feature at ``expected_version`` (see :meth:`Store.update`)."""
        clean = validate_feature(layer, feature)
        clean["id"] = feature_id
        result = {}

        def change(features, index):
            position, current = self._versioned(
                features, index, feature_id, expected_version, layer
            )
            clean["properties"].update(version=current + 1, updated_at=now_iso())
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
        """Delete a feature at ``expected_version`` (see :meth:`Store.delete`)."""

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
        """Make a layer hold exactly ``features`` (see :meth:`Store.sync_layer`)."""
        return self._merge(area, layer, features, actor=actor, remove_others=True)

    def upsert_many(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        """Add and replace features in one write (see :meth:`Store.upsert_many`)."""
        return self._merge(area, layer, features, actor=actor, remove_others=False)

    def _merge(self, area, layer, features, *, actor: str, remove_others: bool) -> SyncSummary:
        incoming = merge_input(layer, features, remove_others=remove_others)
        summary = SyncSummary()
        stamp = now_iso()

        def change(existing, index):
            merge_into(existing, index, incoming, summary, stamp=stamp, remove_others=remove_others)
            details = {
                "actor": actor,
                "action": "sync" if remove_others else "upsert",
                "added": len(summary.added),
                "updated": len(summary.updated),
                "removed": len(summary.removed),
            }
            if LAYERS[layer].keep_versions:
                # every new version is kept and named in the entry, so a feature's history
                # has no gap where a bulk write (e.g. new districts) changed it
                changed = set(summary.added) | set(summary.updated)
                written = {f["id"]: f for f in incoming if f["id"] in changed}
                details["versions"] = {
                    fid: f["properties"]["version"] for fid, f in written.items()
                }
                details["_archive"] = list(written.values())
            return details

        self._change(area, layer, change)
        return summary
