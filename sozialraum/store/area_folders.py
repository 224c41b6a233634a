"""The GeoJSON store's folders: paths, the area lock, reading layers, artifacts and history.

:class:`AreaFolders` is the reading half of :class:`~sozialraum.store.geojson.GeoJSONStore`
(which adds the writes); see :mod:`sozialraum.store.geojson` for the layout of an area folder.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import filelock

from sozialraum.errors import InvalidInput, NotFound, ReadOnly, StorageError, StoreBusy
from sozialraum.settings import StoreSettings
from sozialraum.settings import audit_key_file as audit_key_file_setting
from sozialraum.store import audit
from sozialraum.store._atomic import FILE_MODE, make_dir, remove_orphaned_temp_files, write_atomic
from sozialraum.store.base import BBox, Store
from sozialraum.store.feature_filter import feature_matches
from sozialraum.store.history import applied_changes, feature_history, kept_versions
from sozialraum.store.keys import KeyFile
from sozialraum.store.layer_files import (
    AREA_NAME,
    ARTIFACT_DIR,
    ARTIFACT_NAME,
    META_NAME,
    VERSIONS_DIR,
    CachedLayer,
    file_signature,
    read_layer_file,
)
from sozialraum.store.validation import LAYERS, check_layer


class AreaFolders(Store):
    """Reading side of the GeoJSON store: one folder per area in ``data_dir``.

    Parameters are those of :class:`~sozialraum.store.geojson.GeoJSONStore`.
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
        self._cache: dict[tuple[str, str], CachedLayer] = {}
        self._mutex = threading.Lock()

    # -- paths and locking -------------------------------------------------
    def area_dir(self, area: str) -> Path:
        """Folder of ``area``; :class:`InvalidInput` for names that are not slugs."""
        if not isinstance(area, str) or not AREA_NAME.match(area):
            raise InvalidInput(
                f"invalid area name {area!r}: use lower-case letters, digits, '-' and '_'"
            )
        return self.data_dir / area

    def existing_area_dir(self, area: str) -> Path:
        """Folder of an existing ``area``; :class:`NotFound` if it has no metadata file."""
        folder = self.area_dir(area)
        if not (folder / META_NAME).exists():
            raise NotFound(f"area {area!r} does not exist")
        return folder

    @contextmanager
    def locked(self, area: str, create: bool = False):
        """Hold the area's lock (threads of this process, then the sidecar file lock).

        Yields the area folder (created with ``create``); removes orphaned temp files of a
        killed writer first. :class:`ReadOnly` for a read-only store, :class:`StoreBusy`
        after the lock timeout (seconds, :class:`~sozialraum.settings.StoreSettings`).
        """
        if self.read_only:
            raise ReadOnly(f"the data folder {self.data_dir} is read-only; nothing was changed")
        folder = self.area_dir(area) if create else self.existing_area_dir(area)
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
                with self.locked(area):
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
        """Names of the areas in the data folder (sorted; folders without metadata left out)."""
        if not self.data_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.data_dir.iterdir()
            if (p / META_NAME).is_file() and AREA_NAME.match(p.name)
        )

    def read_meta(self, area: str) -> dict:
        """Area metadata from its file.

        :class:`NotFound` if the area is missing, :class:`StorageError` if the file is unreadable.
        """
        path = self.existing_area_dir(area) / META_NAME
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read {path}: {exc}") from None

    def _load(self, area: str, layer: str) -> CachedLayer:
        check_layer(layer)
        path = self.existing_area_dir(area) / f"{layer}.geojson"
        signature = file_signature(path)
        cached = self._cache.get((area, layer))
        if cached is not None and cached.signature == signature:
            return cached
        if signature is None:
            loaded = CachedLayer(None, [], {})
        else:
            loaded = read_layer_file(path, signature)
        self._cache[(area, layer)] = loaded
        return loaded

    def _artifact_path(self, area: str, name: str) -> Path:
        if not isinstance(name, str) or not ARTIFACT_NAME.match(name) or ".." in name:
            raise InvalidInput(f"invalid artifact name {name!r}")
        return self.existing_area_dir(area) / ARTIFACT_DIR / name

    def read_artifact(self, area: str, name: str) -> bytes:
        """A derived artifact of the area; :class:`NotFound` if missing."""
        path = self._artifact_path(area, name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"area {area!r} has no {name!r}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from None

    def artifact_revision(self, area: str, name: str) -> str:
        """A token from the artifact file's signature (``"0"`` if missing)."""
        signature = file_signature(self._artifact_path(area, name))
        return "0" if signature is None else "-".join(str(part) for part in signature)

    def write_artifact(self, area: str, name: str, data: bytes, *, actor: str) -> None:
        """Replace an artifact atomically under the area lock."""
        path = self._artifact_path(area, name)
        with self.locked(area):
            try:
                make_dir(path.parent)
                write_atomic(path, data)
            except OSError as exc:
                raise StorageError(
                    f"writing {path} failed ({exc.strerror}); the old file is intact"
                ) from None

    def delete_artifact(self, area: str, name: str, *, actor: str) -> None:
        """Remove an artifact under the area lock (no error if it does not exist)."""
        path = self._artifact_path(area, name)
        with self.locked(area):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot remove {path}: {exc.strerror}") from None

    def revision(self, area: str, layer: str) -> str:
        """A token from the layer file's signature (``"0"`` for a layer never written)."""
        signature = self._load(area, layer).signature
        return "0" if signature is None else "-".join(str(part) for part in signature)

    def get(self, area: str, layer: str, feature_id: str) -> dict:
        """A copy of one feature; :class:`NotFound` if missing."""
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
        return [f for f in features if feature_matches(f, bbox, district, category)]

    # -- history and audit ---------------------------------------------------
    def history(self, area: str, layer: str, feature_id: str) -> list[dict]:
        """Every version of a feature, oldest first (see :meth:`Store.history`)."""
        check_layer(layer)
        folder = self.existing_area_dir(area)
        kept = kept_versions(folder, layer, feature_id)
        entries = audit.entries(folder, layer=layer)  # one pass: the feature's and aborts
        items = feature_history(entries, kept, feature_id)
        if not items:
            raise NotFound(f"no feature {feature_id!r} in layer {layer!r} of area {area!r}")
        return items

    def changes(self, area: str, layer: str, *, since: str | None = None) -> list[dict]:
        """Audit entries of saved changes to a layer after ``since`` (see :meth:`Store.changes`)."""
        check_layer(layer)
        return applied_changes(audit.entries(self.existing_area_dir(area), layer=layer), since)

    def audit_entries(self, area: str, *, layer: str | None = None) -> list[dict]:
        """The area's audit entries, oldest first, optionally of one layer (``audit.jsonl``).

        :class:`NotFound` for an unknown area, as :meth:`PostgresStore.audit_entries`.
        """
        return audit.entries(self.existing_area_dir(area), layer=layer)

    def verify_audit(self, area: str, *, require_keyed: bool = False) -> audit.VerifyResult:
        """Verify the keyed hash chain of the area's audit log (see :func:`audit.verify`)."""
        return audit.verify(
            self.existing_area_dir(area), self.audit_keys, require_keyed=require_keyed
        )

    def seal_audit(self, area: str, *, actor: str) -> dict:
        """Append a keyed ``seal`` entry to the area's audit log (under its lock).

        It anchors every entry before it, including those from before the audit key
        existed; afterwards ``verify_audit(area, require_keyed=True)`` holds.
        """
        with self.locked(area) as folder:
            return audit.append(
                folder, key=self._audit_key(), actor=actor, action="seal", layer=None
            )

    def _audit_key(self):
        """The current audit key, created on first use (a write).

        :class:`StorageError` if it cannot be read or created.
        """
        return self.audit_keys.current_or_create()

    def forget_area(self, area: str) -> None:
        """Drop every cached layer of ``area``, so the next read loads them from disk.

        For use after its files were replaced, e.g. by a restore.
        """
        for key in [k for k in self._cache if k[0] == area]:
            self._cache.pop(key, None)
