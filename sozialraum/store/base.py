"""The storage interface. Backends (GeoJSON files now, a database later) implement it."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class SyncSummary:
    """Result of :meth:`Store.sync_layer`: ids added, changed, removed and unchanged."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


BBox = tuple[float, float, float, float]


class Store(ABC):
    """Features per area and layer, each with a stable ``id`` and a ``version``.

    Geometries are GeoJSON in EPSG:4326 (lon/lat degrees, RFC 7946). Every write
    is validated, versioned and recorded in the area's audit log.
    """

    @abstractmethod
    def areas(self) -> list[str]:
        """Names of all areas."""

    @abstractmethod
    def check_files(self) -> list[str]:
        """Read everything once; return a message per damaged file (nothing is changed)."""

    def snapshot(self):
        """A scope (one web request) in which reads may reuse what they read first.

        A backend may read an area's metadata and layer revisions once per scope; the scope's
        own writes are seen. The default keeps nothing: every read looks at the storage.

        Returns
        -------
        contextlib.AbstractContextManager
            Enter it around one request.
        """
        return contextlib.nullcontext()

    def reads_ahead(self, area: str) -> dict:
        """The database reads a request about ``area`` makes first, to run with others.

        Inside a :meth:`snapshot`, a backend on a database may name the statement that reads
        the area's state, so the web app sends it together with the session lookup (see
        :mod:`sozialraum.db.read_ahead`). The default names none.

        Parameters
        ----------
        area : str
            The area named in the request's URL (not checked yet).

        Returns
        -------
        dict
            Key → :class:`sozialraum.db.read_ahead.Read`.
        """
        return {}

    @abstractmethod
    def read_meta(self, area: str) -> dict:
        """Area metadata (source, import time, bbox, counts); :class:`NotFound` if missing.

        ``bbox`` is ``[west, south, east, north]`` in degrees (EPSG:4326).
        """

    @abstractmethod
    def write_meta(self, area: str, meta: dict, *, actor: str) -> None:
        """Replace the area metadata (creates the area)."""

    @abstractmethod
    def revision(self, area: str, layer: str) -> str:
        """A token that changes whenever the layer changes (for ETags and caches)."""

    @abstractmethod
    def read_artifact(self, area: str, name: str) -> bytes:
        """A derived artifact of the area (e.g. the walk network); :class:`NotFound` if missing.

        Artifacts are derived from the layers (rebuilt on import), not user data.
        """

    @abstractmethod
    def write_artifact(self, area: str, name: str, data: bytes, *, actor: str) -> None:
        """Replace an artifact atomically."""

    @abstractmethod
    def delete_artifact(self, area: str, name: str, *, actor: str) -> None:
        """Remove an artifact (no error if it does not exist)."""

    @abstractmethod
    def artifact_revision(self, area: str, name: str) -> str:
        """A token that changes whenever the artifact changes (``"0"`` if missing)."""

    @abstractmethod
    def get(self, area: str, layer: str, feature_id: str) -> dict:
        """One feature; :class:`NotFound` if missing."""

    @abstractmethod
    def query(
        self,
        area: str,
        layer: str,
        *,
        bbox: BBox | None = None,
        district: str | None = None,
        category: str | None = None,
    ) -> list[dict]:
        """Features of a layer, optionally filtered.

        Within ``bbox`` (W, S, E, N in degrees, EPSG:4326), in a district (property ``district``) or
        a category (``category`` or ``categories``).
        """

    @abstractmethod
    def add(self, area: str, layer: str, feature: dict, *, actor: str) -> dict:
        """Add a feature (id generated unless given); returns it with ``id`` and version 1."""

    @abstractmethod
    def update(
        self,
        area: str,
        layer: str,
        feature_id: str,
        feature: dict,
        *,
        expected_version: int,
        actor: str,
        audit_fields: dict | None = None,
    ) -> dict:
        """Replace a feature if its current version is ``expected_version``.

        Else :class:`VersionConflict` and nothing written.

        ``audit_fields`` adds fields to the audit entry (e.g. a review transition); never content.
        """

    @abstractmethod
    def delete(
        self, area: str, layer: str, feature_id: str, *, expected_version: int, actor: str
    ) -> None:
        """Delete a feature if its current version is ``expected_version``."""

    @abstractmethod
    def history(self, area: str, layer: str, feature_id: str) -> list[dict]:
        """Every version of a feature, oldest first, from the audit log.

        Each item has ``version``, ``action`` (add/update/delete), ``actor``, ``at``
        (UTC, ISO 8601) and ``feature`` (that version's content, for layers that keep
        versions; ``None`` for a deletion). :class:`NotFound` if the feature never existed.
        """

    @abstractmethod
    def changes(self, area: str, layer: str, *, since: str | None = None) -> list[dict]:
        """Audit entries of a layer after ``since`` (UTC, ISO 8601), oldest first.

        Entries of writes that were aborted are left out. Each has ``seq``, ``ts``,
        ``actor``, ``action``, ``id`` (for single-feature writes), versions and any
        ``audit_fields`` of the write; never content.
        """

    @abstractmethod
    def add_many(self, area: str, layer: str, features: Iterable[dict], *, actor: str) -> list:
        """Add features with given ids in one write; returns the ids that were added.

        Ids already present are skipped (idempotent re-import).
        """

    @abstractmethod
    def upsert_many(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        """Add features with new ids and replace changed ones (matched by id) in one write.

        All or nothing. Other features of the layer stay. Used by bulk imports.
        """

    @abstractmethod
    def purge(self, area: str, layer: str, feature_ids: Iterable[str], *, actor: str) -> int:
        """Delete features and every kept version of them for good.

        Returns how many features were removed. The audit log records ids and the count, never
        content.
        """

    @abstractmethod
    def sync_layer(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        """Make a layer hold exactly ``features`` (matched by id).

        Versions of changed features go up, unchanged ones keep theirs. Used by re-import.
        """
