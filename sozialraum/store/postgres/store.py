"""The PostgreSQL + PostGIS store: the same interface and behaviour as the GeoJSON store.

Tables (``sozialraum/db/migrations``): ``areas`` (metadata, audit head), ``features`` (the exact
GeoJSON of each feature; ``geom`` in EPSG:4326 with a GiST index, ``properties`` jsonb,
``version``), ``feature_versions`` (kept versions), ``audit_log`` (one line per entry, the same
keyed hash chain as ``audit.jsonl``), ``layers`` (a generation token per layer, for ETags and the
read cache) and ``artifacts``.

Every write is one transaction: it takes the area's advisory lock (so the audit chain of an area
never forks, also across app servers), changes the rows, appends its audit entry and bumps the
layer's generation; all of it or nothing is committed. Optimistic concurrency is in SQL
(``UPDATE … WHERE id = … AND version = …``) with the GeoJSON store's exceptions.

Reads of whole layers are cached per process and revalidated by the layer's generation (one
small query), so a write on another app server is seen at the next read. Within
:meth:`PostgresStore.snapshot` (one web request) the area's metadata and all its generations are
read once, in one statement (:mod:`sozialraum.store.postgres.snapshot`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

from sozialraum.db import one_message
from sozialraum.errors import (
    InvalidInput,
    NotFound,
    ReadOnly,
    StorageError,
    StoreBusy,
    VersionConflict,
)
from sozialraum.settings import audit_key_file as audit_key_file_setting
from sozialraum.settings import data_dir as data_dir_setting
from sozialraum.store import audit
from sozialraum.store.base import BBox, Store, SyncSummary
from sozialraum.store.feature_filter import feature_matches
from sozialraum.store.history import applied_changes, feature_history
from sozialraum.store.keys import KeyFile
from sozialraum.store.layer_files import (
    AREA_NAME,
    ARTIFACT_NAME,
    CachedLayer,
    encode_utf8,
    now_iso,
)
from sozialraum.store.layer_merge import merge_input, merge_into
from sozialraum.store.postgres import snapshot
from sozialraum.store.validation import LAYERS, check_layer, checked_feature, validate_feature

#: True unless this transaction's audit head check failed (:meth:`PostgresStore._write_one`):
#: every statement of a write carries it, so a write built on a stale head changes nothing.
_GUARD = "coalesce(nullif(current_setting('sozialraum.head_ok', true), ''), 'true')::boolean"

#: How often a single-feature write is built on the audit head it saw before it falls back to
#: reading the head while it holds the area's lock (which always succeeds, one round trip more).
_OPTIMISTIC_ATTEMPTS = 3

#: An area's audit head: the number of entries and the last entry's hash.
_HEAD_SQL = "SELECT audit_count, audit_hash FROM areas WHERE name = %s"

#: First key of the advisory locks this store takes (the second is ``hashtext(area)``).
LOCK_CLASS = 0x50A1

#: Fields of an audit entry that ``audit_fields`` may not override (as in the GeoJSON store).
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


def _text(value) -> str:
    """Compact JSON text of ``value`` (UTF-8 safe; a lone surrogate is :class:`InvalidInput`)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    encode_utf8(text)
    return text


def _without_nul(value):
    """``value`` with NUL characters removed from every string (jsonb cannot hold them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _props_text(feature: dict) -> str:
    """The properties as jsonb input text."""
    text = _text(feature["properties"])
    return _text(_without_nul(feature["properties"])) if "\\u0000" in text else text


#: The PostGIS geometry of a GeoJSON geometry parameter (NULL stays NULL), EPSG:4326.
_GEOM = "ST_SetSRID(ST_GeomFromGeoJSON(%s::text), 4326)"


def _geometry_text(feature: dict) -> str | None:
    """The feature's geometry as GeoJSON text, or ``None``."""
    geometry = feature.get("geometry")
    return None if geometry is None else json.dumps(geometry, separators=(",", ":"))


def _storable_id(feature_id) -> bool:
    """Whether ``feature_id`` can be a stored id (PostgreSQL text cannot hold NUL)."""
    return isinstance(feature_id, str) and "\x00" not in feature_id


@contextlib.contextmanager
def _database_errors():
    """Turn driver errors into the store's: busy (lock or pool wait) or unavailable."""
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg_pool import PoolTimeout

    try:
        yield
    except (PoolTimeout, pg_errors.LockNotAvailable, pg_errors.QueryCanceled):
        raise StoreBusy("the database is busy; try again") from None
    except pg_errors.SerializationFailure:
        raise StoreBusy("a concurrent write got in the way; try again") from None
    except psycopg.OperationalError as exc:
        raise StorageError(f"the database is unavailable ({type(exc).__name__})") from None


def _head(row, area: str) -> tuple[int, str]:
    """The audit head from a :data:`_HEAD_SQL` row; :class:`NotFound` without the area."""
    if row is None:
        raise NotFound(f"area {area!r} does not exist")
    return row[0], row[1]


def read_audit_log(conn, area: str) -> tuple[list[bytes], dict]:
    """The area's audit lines (as in ``audit.jsonl``, ending with ``b""``) and its head.

    On ``conn``, so a caller can read inside its own transaction; :class:`NotFound` without
    the area.
    """
    count, last_hash = _head(conn.execute(_HEAD_SQL, (area,)).fetchone(), area)
    lines = [
        r[0].encode("utf-8")
        for r in conn.execute("SELECT line FROM audit_log WHERE area = %s ORDER BY seq", (area,))
    ]
    return [*lines, b""], {"count": count, "hash": last_hash}


def _roll_back(conn) -> None:
    """End the connection's transaction, if one is open (an explicit ``BEGIN``)."""
    from psycopg import Error
    from psycopg.pq import TransactionStatus

    if conn.info.transaction_status != TransactionStatus.IDLE:
        with contextlib.suppress(Error):
            conn.rollback()


@contextlib.contextmanager
def _rolled_back_on_error(conn):
    """Roll back a transaction left open by an error (the connection returns to its pool)."""
    try:
        yield
    except BaseException:
        _roll_back(conn)
        raise


class _Writer:
    """One write transaction of an area: appends audit entries and bumps layer generations."""

    def __init__(self, conn, area: str, count: int, prev: str, key):
        self.conn = conn
        self.area = area
        self.count = count
        self.prev = prev
        self.key = key
        self.layers: set[str] = set()
        #: whether the area's metadata was replaced (the request's snapshot forgets the area)
        self.meta_changed = False
        self._expected: list = []
        #: the rows the :meth:`expect`-ed statements returned, in order
        self.returned: list[tuple] = []
        #: layer → (generation before, generation after) once :meth:`finish` ran
        self.generations: dict[str, tuple[str | None, str]] = {}

    def audit(self, *, actor: str, action: str, **details) -> dict:
        """Append an audit entry (the same chain as :func:`audit.append`)."""
        entry = audit.make_entry(
            self.count, self.prev, actor=actor, action=action, key=self.key, **details
        )
        line = audit.entry_line(entry).rstrip("\n")
        encode_utf8(line)
        self.conn.execute(
            f"INSERT INTO audit_log (area, seq, layer, line) SELECT %s, %s, %s, %s WHERE {_GUARD}",
            (self.area, entry["seq"], details.get("layer"), line),
        )
        self.count, self.prev = entry["seq"], entry["hash"]
        return entry

    def expect(self, cursor, error) -> None:
        """``cursor``'s statement must return its row, else ``error()`` is raised.

        The statement wraps its change in ``sozialraum_expect`` (see :func:`_expecting`): a
        missing row fails it in the database, which rolls back everything sent with it.
        """
        self._expected.append((cursor, error))

    def expectation_failed(self) -> Exception:
        """The error of the expectation that failed (the transaction is rolled back)."""
        return self._expected[0][1]()

    def check(self) -> None:
        """Raise the first failed :meth:`expect` (reads the answers sent so far)."""
        expected, self._expected = self._expected, []
        for cursor, error in expected:
            row = cursor.fetchone()
            if row is None:
                raise error()
            self.returned.append(row)

    def touch(self, layer: str) -> None:
        """Mark the layer changed (a new generation at commit)."""
        self.layers.add(layer)

    def finish(self) -> None:
        """Record the audit head and the new layer generations (inside the transaction).

        The statements are only sent here; :meth:`settle` reads their answers (in pipeline mode
        all of them travel in one round trip).
        """
        self.conn.execute(
            f"UPDATE areas SET audit_count = %s, audit_hash = %s WHERE name = %s AND {_GUARD}",
            (self.count, self.prev, self.area),
        )
        self._pending = []
        for layer in sorted(self.layers):
            after = uuid.uuid4().hex
            # one statement: the generation before (the CTE sees the snapshot before the upsert)
            cursor = self.conn.execute(
                "WITH before AS (SELECT generation FROM layers WHERE area = %s AND layer = %s), "
                "upsert AS (INSERT INTO layers (area, layer, generation) "
                f"SELECT %s, %s, %s WHERE {_GUARD} "
                "ON CONFLICT (area, layer) DO UPDATE SET generation = EXCLUDED.generation) "
                "SELECT (SELECT generation FROM before)",
                (self.area, layer, self.area, layer, after),
            )
            self._pending.append((layer, after, cursor))

    def settle(self) -> None:
        """Read the answers of :meth:`finish` (the generations replaced)."""
        for layer, after, cursor in getattr(self, "_pending", ()):
            before = cursor.fetchone()
            self.generations[layer] = (before[0] if before else None, after)
        self._pending = []


class PostgresStore(Store):
    """Store backed by PostgreSQL + PostGIS (see module docstring).

    Parameters
    ----------
    url : str
        libpq URL of a database migrated with ``sozialraum db upgrade``.
    data_dir : pathlib.Path, optional
        A local folder for the files that stay beside the database on each server (an area's
        basemap, the raw OSM download); default: :func:`sozialraum.settings.data_dir`.
    read_only : bool, optional
        Refuse every write with :class:`~sozialraum.errors.ReadOnly`.
    audit_key_file : pathlib.Path, optional
        The audit key (as for the GeoJSON store); every app server needs the same key file.
    lock_timeout_s : float, optional
        How long a writer waits for another writer of the same area (seconds).
    """

    def __init__(
        self,
        url: str,
        *,
        data_dir: Path | None = None,
        read_only: bool = False,
        audit_key_file: Path | None = None,
        lock_timeout_s: float = 10.0,
    ):
        self.url = url
        self.data_dir = Path(data_dir) if data_dir is not None else data_dir_setting()
        #: The audit keys (current and retired); see :mod:`sozialraum.store.keys`.
        self.audit_keys = KeyFile(
            audit_key_file or audit_key_file_setting(), data_dir=self.data_dir
        )
        self.read_only = read_only
        self.lock_timeout_s = lock_timeout_s
        self._cache: dict[tuple[str, str], CachedLayer] = {}
        #: area → (audit entries, last hash) as of this process's last write
        self._heads: dict[str, tuple[int, str]] = {}
        self._mutex = threading.Lock()

    # -- connections -----------------------------------------------------------
    @property
    def pool(self):
        """The connection pool of this process for :attr:`url`."""
        from sozialraum.db import get_pool

        return get_pool(self.url)

    @contextlib.contextmanager
    def _reading(self):
        """A read-only transaction on one snapshot (REPEATABLE READ), for several statements."""
        with _database_errors(), self.pool.connection() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn

    @contextlib.contextmanager
    def _statements(self):
        """A connection that runs each statement on its own (autocommit): one round trip each.

        For reads whose every statement stands alone (each sees one snapshot).
        """
        from sozialraum.db import get_pool

        with _database_errors(), get_pool(self.url, autocommit=True).connection() as conn:
            yield conn

    @contextlib.contextmanager
    def _writing(self, area: str, *, create: bool = False):
        """A write transaction holding the area's advisory lock; yields a :class:`_Writer`.

        For bulk writes and metadata (single-feature writes use :meth:`_write_one`).
        :class:`ReadOnly` for a read-only store, :class:`NotFound` for a missing area (unless
        ``create``), :class:`StoreBusy` after the lock timeout. The lock timeout, the lock and
        the audit head go to the server in one round trip (libpq pipeline mode).
        """
        if self.read_only:
            raise ReadOnly("the store is read-only; nothing was changed")
        self.area_dir(area)
        key = self.audit_keys.current_or_create()
        with _database_errors(), self.pool.connection() as conn:
            with conn.pipeline():
                self._lock(conn, area)
                # its own statement: its snapshot is taken after the lock is held
                row = conn.execute(_HEAD_SQL, (area,)).fetchone()
            if row is None:
                if not create:
                    raise NotFound(f"area {area!r} does not exist")
                row = (0, audit.GENESIS)
            writer = _Writer(conn, area, row[0], row[1], key)
            yield writer
            if writer.count != row[0] or writer.layers:
                writer.finish()
            writer.check()
            writer.settle()
        self._committed(writer)

    def _lock(self, conn, area: str) -> None:
        """Send the lock timeout and the area's advisory lock (pipeline mode: no wait here)."""
        conn.execute(
            "SELECT set_config('lock_timeout', %s, true)", (f"{int(self.lock_timeout_s * 1000)}ms",)
        )
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, area))

    def _committed(self, writer: _Writer) -> None:
        """After a commit: remember the audit head; this request sees its own write."""
        area = writer.area
        with self._mutex:
            self._heads[area] = (writer.count, writer.prev)
        if writer.meta_changed:
            snapshot.forget(self.url, area)
        for layer, (_before, after) in writer.generations.items():
            snapshot.saw(self.url, area, layer, after)

    def _write_one(self, area: str, body) -> _Writer:
        """A single-feature write in one round trip under the area's lock; returns its writer.

        ``body(writer)`` records the write's statements and registers its
        :meth:`_Writer.expect`. The audit entry is built on the audit head this process saw
        last (read first if it has none). The lock, a check that the head is still that one,
        the statements and the end of the transaction go to the server as one message
        (:mod:`~sozialraum.store.postgres.one_message`), so the database holds the area's lock
        only while it runs them, never while this process waits for its interpreter lock.
        Every statement carries the check's outcome (``_GUARD``): if another process wrote
        meanwhile, the transaction changes nothing and the write is built again on the head
        the check saw. After :data:`_OPTIMISTIC_ATTEMPTS` such tries the head is read while
        the lock is held (two messages), so a writer that keeps losing the race to busy
        neighbours still gets through (or :class:`StoreBusy` after the lock timeout).
        """
        from psycopg.errors import NoDataFound

        if self.read_only:
            raise ReadOnly("the store is read-only; nothing was changed")
        self.area_dir(area)
        key = self.audit_keys.current_or_create()
        head = self._heads.get(area)
        for attempt in range(_OPTIMISTIC_ATTEMPTS + 1):
            holding = attempt == _OPTIMISTIC_ATTEMPTS  # last try: the head is read under the lock
            if head is None and not holding:
                head = self._read_head(area)
            with self._statements() as conn, _rolled_back_on_error(conn):
                if holding:
                    head = self._lock_and_read_head(conn, area)
                message = one_message.Recorder()
                if not holding:
                    self._lock(message, area)
                # one row always (a missing area: false); the head as it is, for another try
                checked = message.execute(
                    "SELECT set_config('sozialraum.head_ok', coalesce(a.audit_count = %s "
                    "AND a.audit_hash = %s, false)::text, true), a.audit_count, a.audit_hash "
                    "FROM (SELECT 1) AS one LEFT JOIN areas a ON a.name = %s",
                    (head[0], head[1], area),
                )
                writer = _Writer(message, area, head[0], head[1], key)
                body(writer)
                writer.finish()
                if holding:
                    message.execute("COMMIT")
                try:
                    one_message.send(conn, message)
                except NoDataFound:  # an expectation failed: everything was rolled back
                    _roll_back(conn)
                    writer.conn = conn  # the error may look up the current version
                    raise writer.expectation_failed() from None
                ok, count, last_hash = checked.fetchone()
                if ok != "true":  # another process wrote first: nothing changed, build it again
                    head = None if count is None else (count, last_hash)
                    continue
                writer.check()
                writer.settle()
            self._committed(writer)
            return writer
        raise StoreBusy("the area changed under a write that held its lock; try again")

    def _lock_and_read_head(self, conn, area: str) -> tuple[int, str]:
        """Begin a transaction, take the area's lock and read its audit head (one message)."""
        message = one_message.Recorder()
        message.execute("BEGIN")
        self._lock(message, area)
        head = message.execute(_HEAD_SQL, (area,))
        one_message.send(conn, message)
        return _head(head.fetchone(), area)

    def _read_head(self, area: str) -> tuple[int, str]:
        """The area's audit head (entries, last hash); :class:`NotFound` without the area."""
        with self._statements() as conn:
            return _head(conn.execute(_HEAD_SQL, (area,)).fetchone(), area)

    # -- paths (files that stay local) ----------------------------------------
    def area_dir(self, area: str) -> Path:
        """Local folder of ``area`` (basemap files); :class:`InvalidInput` for non-slugs."""
        if not isinstance(area, str) or not AREA_NAME.match(area):
            raise InvalidInput(
                f"invalid area name {area!r}: use lower-case letters, digits, '-' and '_'"
            )
        return self.data_dir / area

    def existing_area_dir(self, area: str) -> Path:
        """Local folder of an existing ``area``; :class:`NotFound` if the area is not stored."""
        self.read_meta(area)
        return self.area_dir(area)

    def cleanup(self) -> list[str]:
        """Nothing to clean up (no temp files); returns no busy areas."""
        return []

    def check_files(self) -> list[str]:
        """Whether the database is reachable and its schema is current (messages if not)."""
        from sozialraum.db.migrate import current_revision, head_revision

        try:
            current = current_revision(self.url)
        except Exception as exc:  # any connection problem is reported
            return [f"the database is unavailable ({type(exc).__name__})"]
        head = head_revision()
        if current != head:
            return [
                f"the database schema is at revision {current}, this version needs {head}: "
                "run 'sozialraum db upgrade'"
            ]
        return []

    def forget_area(self, area: str) -> None:
        """Drop the cached layers of ``area``."""
        snapshot.forget(self.url, area)
        with self._mutex:
            for key in [k for k in self._cache if k[0] == area]:
                self._cache.pop(key, None)

    def snapshot(self):
        """One request's scope: the area's metadata and layer generations are read once.

        See :mod:`sozialraum.store.postgres.snapshot`; the request's own writes are seen.
        """
        return snapshot.scope()

    def reads_ahead(self, area: str) -> dict:
        """The area's state statement, to send with the session lookup (inside a snapshot)."""
        return snapshot.reads_ahead(self.url, area)

    def _area(self, area: str) -> snapshot.AreaState:
        """The area as this request sees it (one statement at the first read)."""
        return snapshot.area_state(self._statements, self.url, area)

    # -- areas -----------------------------------------------------------------
    def areas(self) -> list[str]:
        """Names of all areas, sorted."""
        return snapshot.all_area_names(self._statements, self.url)

    def read_meta(self, area: str) -> dict:
        """Area metadata; :class:`NotFound` if the area is missing."""
        self.area_dir(area)
        return self._area(area).meta()

    def write_meta(self, area: str, meta: dict, *, actor: str) -> None:
        """Replace the area metadata (creates the area), audited."""
        body = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True)
        encode_utf8(body)
        with self._writing(area, create=True) as writer:
            writer.conn.execute(
                "INSERT INTO areas (name, meta) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET meta = EXCLUDED.meta",
                (area, body),
            )
            writer.meta_changed = True
            writer.audit(actor=actor, action="meta", layer=None)

    # -- reading layers ----------------------------------------------------------
    def _load(self, area: str, layer: str) -> CachedLayer:
        """The layer as this request sees it: the process's cache, brought up to date.

        A cache behind the current generation reads only the rows changed since (and the ids
        in order, for removals and order): after another process's note write that is one
        note, not the whole layer (:func:`_read_changes`).
        """
        check_layer(layer)
        self.area_dir(area)
        generation = self._area(area).generations.get(layer)
        cached = self._cache.get((area, layer))
        if cached is not None and cached.signature == generation:
            return cached
        if generation is None:
            loaded = CachedLayer(None, [], {}, 0)
        else:
            with self._statements() as conn:
                loaded = _read_changes(conn, area, layer, cached) if cached else None
                if loaded is None:
                    loaded = _read_layer(conn, area, layer)
        snapshot.saw(self.url, area, layer, loaded.signature)
        with self._mutex:
            self._cache[(area, layer)] = loaded
        return loaded

    def revision(self, area: str, layer: str) -> str:
        """The layer's generation token (``"0"`` for a layer never written)."""
        check_layer(layer)
        self.area_dir(area)
        return self._area(area).generations.get(layer) or "0"

    def get(self, area: str, layer: str, feature_id: str) -> dict:
        """One feature (a fresh copy); :class:`NotFound` if missing.

        From this process's cached layer when it holds the generation this request sees (no
        round trip), else one statement.
        """
        check_layer(layer)
        self.area_dir(area)
        if snapshot.active():
            generation = self._area(area).generations.get(layer)
            cached = self._cache.get((area, layer))
            if cached is not None and cached.signature == generation:
                position = cached.index.get(feature_id) if isinstance(feature_id, str) else None
                if position is None:
                    raise NotFound(f"no feature {feature_id!r} in layer {layer!r} of area {area!r}")
                return copy.deepcopy(cached.features[position])
        with self._statements() as conn:
            row = None
            if _storable_id(feature_id):
                row = conn.execute(
                    "SELECT feature::text FROM features WHERE area = %s AND layer = %s AND id = %s",
                    (area, layer, feature_id),
                ).fetchone()
            if row is None:
                if conn.execute("SELECT 1 FROM areas WHERE name = %s", (area,)).fetchone() is None:
                    raise NotFound(f"area {area!r} does not exist")
                raise NotFound(f"no feature {feature_id!r} in layer {layer!r} of area {area!r}")
        return json.loads(row[0])

    def query(self, area, layer, *, bbox: BBox | None = None, district=None, category=None):
        """See :meth:`Store.query`. The returned features are shared: do not change them.

        A ``bbox`` query selects candidates with the GiST index (``geom && envelope``) and then
        applies exactly the GeoJSON store's test, so both backends return the same features.
        """
        if bbox is None:
            features = self._load(area, layer).features
            if district is None and category is None:
                return list(features)
            return [f for f in features if feature_matches(f, None, district, category)]
        check_layer(layer)
        self.area_dir(area)
        west, south, east, north = (float(v) for v in bbox)
        with self._reading() as conn:
            if conn.execute("SELECT 1 FROM areas WHERE name = %s", (area,)).fetchone() is None:
                raise NotFound(f"area {area!r} does not exist")
            body = conn.execute(
                "SELECT coalesce(json_agg(feature ORDER BY pos), '[]')::text FROM features "
                "WHERE area = %s AND layer = %s AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
                (area, layer, west, south, east, north),
            ).fetchone()[0]
        return [f for f in json.loads(body) if feature_matches(f, bbox, district, category)]

    # -- artifacts ---------------------------------------------------------------
    def _check_artifact(self, area: str, name: str) -> None:
        self.area_dir(area)
        if not isinstance(name, str) or not ARTIFACT_NAME.match(name) or ".." in name:
            raise InvalidInput(f"invalid artifact name {name!r}")

    def read_artifact(self, area: str, name: str) -> bytes:
        """A derived artifact of the area; :class:`NotFound` if missing."""
        self._check_artifact(area, name)
        with self._statements() as conn:
            row = conn.execute(
                "SELECT a.name, x.data FROM areas a LEFT JOIN artifacts x "
                "ON x.area = a.name AND x.name = %s WHERE a.name = %s",
                (name, area),
            ).fetchone()
        if row is None:
            raise NotFound(f"area {area!r} does not exist")
        if row[1] is None:
            raise NotFound(f"area {area!r} has no {name!r}")
        return bytes(row[1])

    def artifact_revision(self, area: str, name: str) -> str:
        """The artifact's generation token (``"0"`` if missing)."""
        self._check_artifact(area, name)
        with self._statements() as conn:
            row = conn.execute(
                "SELECT a.name, x.generation FROM areas a LEFT JOIN artifacts x "
                "ON x.area = a.name AND x.name = %s WHERE a.name = %s",
                (name, area),
            ).fetchone()
        if row is None:
            raise NotFound(f"area {area!r} does not exist")
        return row[1] or "0"

    def write_artifact(self, area: str, name: str, data: bytes, *, actor: str) -> None:
        """Replace an artifact (one transaction)."""
        self._check_artifact(area, name)
        with self._writing(area) as writer:
            writer.conn.execute(
                "INSERT INTO artifacts (area, name, data, generation) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (area, name) DO UPDATE SET data = EXCLUDED.data, "
                "generation = EXCLUDED.generation",
                (area, name, bytes(data), uuid.uuid4().hex),
            )

    def delete_artifact(self, area: str, name: str, *, actor: str) -> None:
        """Remove an artifact (no error if it does not exist)."""
        self._check_artifact(area, name)
        with self._writing(area) as writer:
            writer.conn.execute("DELETE FROM artifacts WHERE area = %s AND name = %s", (area, name))

    # -- single-feature writes -------------------------------------------------
    def _patch_cache(
        self,
        area: str,
        layer: str,
        writer: _Writer,
        change,
        *,
        mark: int | None = None,
        pos: int | None = None,
    ) -> None:
        """After a committed single-feature write, bring this process's cached layer along.

        Only if the cache held exactly the state before the write (its generation is the one
        the write replaced; writes of an area are serialised), so a big layer is not read again
        after each of this process's own writes. ``change(features, index)`` edits a copy of the
        list and returns the new id → position index, or ``None`` if positions did not change
        (the old index is shared then: a write costs no rebuild of a 100,000-entry index).
        """
        before, after = writer.generations.get(layer, (None, None))
        if after is None:
            return
        with self._mutex:
            cached = self._cache.get((area, layer))
            if cached is None or cached.signature != before:
                return
            features = list(cached.features)
            index = change(features, cached.index)
            mark = cached.mark if mark is None else mark  # a removal takes no change number
            last_pos = cached.last_pos
            if last_pos is not None and pos is not None:
                last_pos = max(last_pos, pos)
            self._cache[(area, layer)] = CachedLayer(
                after, features, index or cached.index, mark, last_pos
            )

    def _keep(self, writer: _Writer, layer: str, features: list[dict]) -> None:
        if not LAYERS[layer].keep_versions or not features:
            return
        with writer.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO feature_versions (area, layer, id, version, feature) "
                f"SELECT %s, %s, %s, %s, %s WHERE {_GUARD} ON CONFLICT (area, layer, id, version) "
                "DO UPDATE SET feature = EXCLUDED.feature",
                [
                    (writer.area, layer, f["id"], f["properties"]["version"], _text(f))
                    for f in features
                ],
            )

    def add(self, area: str, layer: str, feature: dict, *, actor: str) -> dict:
        """Add a feature (see :meth:`Store.add`); a missing id is a new random hex id."""
        clean = checked_feature(layer, feature, new_id=uuid.uuid4().hex)
        feature_id = clean["id"]
        clean["properties"].update(version=1, updated_at=now_iso())
        text = _text(clean)

        def body(writer: _Writer) -> None:
            inserted = writer.conn.execute(
                _expecting(
                    "INSERT INTO features (area, layer, id, feature, properties, version, geom) "
                    f"SELECT %s, %s, %s, %s, %s, 1, {_GEOM} WHERE {_GUARD} "
                    "ON CONFLICT DO NOTHING"
                ),
                (area, layer, feature_id, text, _props_text(clean), _geometry_text(clean)),
            )
            writer.expect(inserted, lambda: InvalidInput(f"feature {feature_id!r} already exists"))
            writer.audit(
                actor=actor,
                action="add",
                layer=layer,
                id=feature_id,
                old_version=None,
                new_version=1,
            )
            self._keep(writer, layer, [clean])
            writer.touch(layer)

        writer = self._write_one(area, body)
        stored = copy.deepcopy(clean)

        def append(features, index):
            features.append(stored)
            return {**index, feature_id: len(features) - 1}

        _ok, mark, pos = writer.returned[0]
        self._patch_cache(area, layer, writer, append, mark=mark, pos=pos)
        return copy.deepcopy(clean)

    def _refuse(self, area, layer, feature_id, expected_version) -> None:
        """Raise the error for a change with an impossible version or id (nothing is written)."""
        if self.read_only:
            raise ReadOnly("the store is read-only; nothing was changed")
        self.area_dir(area)
        with self._statements() as conn:
            if conn.execute("SELECT 1 FROM areas WHERE name = %s", (area,)).fetchone() is None:
                raise NotFound(f"area {area!r} does not exist")
            raise self._conflict(conn, area, layer, feature_id, expected_version)

    def _conflict(self, conn, area, layer, feature_id, expected_version):
        """The error for an UPDATE/DELETE that matched no row: missing, or a stale version."""
        row = None
        if _storable_id(feature_id):
            row = conn.execute(
                "SELECT version FROM features WHERE area = %s AND layer = %s AND id = %s",
                (area, layer, feature_id),
            ).fetchone()
        if row is None:
            return NotFound(f"no feature {feature_id!r} in layer {layer!r}")
        return VersionConflict(
            f"feature {feature_id!r} is at version {row[0]}, not {expected_version}:"
            " someone else changed it",
            current_version=row[0],
        )

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
        valid_version = isinstance(expected_version, int) and not isinstance(expected_version, bool)
        clean["properties"].update(
            version=expected_version + 1 if valid_version else 0, updated_at=now_iso()
        )
        text = _text(clean)
        if not valid_version or not _storable_id(feature_id):
            self._refuse(area, layer, feature_id, expected_version)

        def body(writer: _Writer) -> None:
            changed = writer.conn.execute(
                _expecting(
                    "UPDATE features SET feature = %s, properties = %s, version = version + 1, "
                    f"geom = {_GEOM}, changed = nextval('feature_change') "
                    f"WHERE area = %s AND layer = %s AND id = %s AND version = %s AND {_GUARD}"
                ),
                (
                    text,
                    _props_text(clean),
                    _geometry_text(clean),
                    area,
                    layer,
                    feature_id,
                    expected_version,
                ),
            )
            writer.expect(
                changed,
                lambda: self._conflict(writer.conn, area, layer, feature_id, expected_version),
            )
            writer.audit(
                actor=actor,
                action="update",
                layer=layer,
                id=feature_id,
                old_version=expected_version,
                new_version=expected_version + 1,
                **{k: v for k, v in (audit_fields or {}).items() if k not in _ENTRY_KEYS},
            )
            self._keep(writer, layer, [clean])
            writer.touch(layer)

        writer = self._write_one(area, body)
        stored = copy.deepcopy(clean)

        def replace(features, index):
            features[index[feature_id]] = stored

        self._patch_cache(area, layer, writer, replace, mark=writer.returned[0][1])
        return copy.deepcopy(clean)

    def delete(self, area, layer, feature_id, *, expected_version: int, actor: str) -> None:
        """Delete a feature at ``expected_version`` (see :meth:`Store.delete`)."""
        check_layer(layer)
        if (
            not isinstance(expected_version, int)
            or isinstance(expected_version, bool)
            or not _storable_id(feature_id)
        ):
            self._refuse(area, layer, feature_id, expected_version)

        def body(writer: _Writer) -> None:
            deleted = writer.conn.execute(
                _expecting(
                    "DELETE FROM features WHERE area = %s AND layer = %s AND id = %s "
                    f"AND version = %s AND {_GUARD}"
                ),
                (area, layer, feature_id, expected_version),
            )
            writer.expect(
                deleted,
                lambda: self._conflict(writer.conn, area, layer, feature_id, expected_version),
            )
            writer.audit(
                actor=actor,
                action="delete",
                layer=layer,
                id=feature_id,
                old_version=expected_version,
                new_version=None,
            )
            if LAYERS[layer].keep_versions:
                # a deleted note is deleted with its earlier versions (its audit entries stay)
                writer.conn.execute(
                    "DELETE FROM feature_versions WHERE area = %s AND layer = %s AND id = %s "
                    f"AND {_GUARD}",
                    (area, layer, feature_id),
                )
            writer.touch(layer)

        writer = self._write_one(area, body)

        def remove(features, index):
            del features[index[feature_id]]
            return {f["id"]: i for i, f in enumerate(features)}

        self._patch_cache(area, layer, writer, remove)

    def purge(self, area: str, layer: str, feature_ids: Iterable[str], *, actor: str) -> int:
        """Delete features and their kept versions for good (see :meth:`Store.purge`)."""
        ids = sorted(set(feature_ids))
        check_layer(layer)
        storable = [i for i in ids if _storable_id(i)]
        with self._writing(area) as writer:
            removed = writer.conn.execute(
                "DELETE FROM features WHERE area = %s AND layer = %s AND id = ANY(%s) RETURNING id",
                (area, layer, storable),
            ).fetchall()
            writer.audit(actor=actor, action="purge", layer=layer, ids=ids, count=len(removed))
            writer.conn.execute(
                "DELETE FROM feature_versions WHERE area = %s AND layer = %s AND id = ANY(%s)",
                (area, layer, storable),
            )
            if removed:
                writer.touch(layer)
        return len(removed)

    # -- bulk writes -----------------------------------------------------------
    def _insert_rows(self, writer: _Writer, layer: str, features: list[dict]) -> None:
        """Append features to the layer (COPY into a temporary table; positions in list order)."""
        if not features:
            return
        positions = self._next_positions(writer, len(features))
        conn = writer.conn
        conn.execute(
            "CREATE TEMP TABLE incoming_features (id text, pos bigint, feature json, "
            "properties jsonb, version integer, geometry text) ON COMMIT DROP"
        )
        copy_sql = (
            "COPY incoming_features (id, pos, feature, properties, version, geometry) FROM STDIN"
        )
        with conn.cursor() as cur, cur.copy(copy_sql) as copy_:
            for pos, f in zip(positions, features, strict=True):
                copy_.write_row(
                    (
                        f["id"],
                        pos,
                        _text(f),
                        _props_text(f),
                        f["properties"]["version"],
                        _geometry_text(f),
                    )
                )
        conn.execute(
            "INSERT INTO features (area, layer, id, pos, feature, properties, version, geom) "
            "SELECT %s, %s, id, pos, feature, properties, version, "
            "ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326) FROM incoming_features",
            (writer.area, layer),
        )
        conn.execute("DROP TABLE incoming_features")

    @staticmethod
    def _next_positions(writer: _Writer, count: int) -> list[int]:
        if not count:
            return []
        return [
            r[0]
            for r in writer.conn.execute(
                "SELECT nextval('feature_pos') FROM generate_series(1, %s)", (count,)
            )
        ]

    def add_many(self, area: str, layer: str, features: Iterable[dict], *, actor: str) -> list:
        """Add features with given ids in one transaction (see :meth:`Store.add_many`)."""
        incoming = [checked_feature(layer, f) for f in features]
        if not incoming:
            return []
        stamp = now_iso()
        with self._writing(area) as writer:
            seen = {
                r[0]
                for r in writer.conn.execute(
                    "SELECT id FROM features WHERE area = %s AND layer = %s AND id = ANY(%s)",
                    (area, layer, [f["id"] for f in incoming]),
                )
            }
            new = []
            for feature in incoming:
                if feature["id"] in seen:
                    continue
                seen.add(feature["id"])
                feature["properties"].update(version=1, updated_at=stamp)
                new.append(feature)
            writer.audit(actor=actor, action="add_many", layer=layer, added=len(new))
            self._insert_rows(writer, layer, new)
            writer.touch(layer)
        return [f["id"] for f in new]

    def sync_layer(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        """Make a layer hold exactly ``features`` (see :meth:`Store.sync_layer`)."""
        return self._merge(area, layer, features, actor=actor, remove_others=True)

    def upsert_many(
        self, area: str, layer: str, features: Iterable[dict], *, actor: str
    ) -> SyncSummary:
        """Add and replace features in one transaction (see :meth:`Store.upsert_many`)."""
        return self._merge(area, layer, features, actor=actor, remove_others=False)

    def _merge(self, area, layer, features, *, actor: str, remove_others: bool) -> SyncSummary:
        incoming = merge_input(layer, features, remove_others=remove_others)
        summary = SyncSummary()
        stamp = now_iso()
        with self._writing(area) as writer:
            conn = writer.conn
            body = conn.execute(
                "SELECT coalesce(json_agg(feature ORDER BY pos), '[]')::text "
                "FROM features WHERE area = %s AND layer = %s",
                (area, layer),
            ).fetchone()[0]
            existing = json.loads(body)
            old_order = [f["id"] for f in existing]
            index = {fid: i for i, fid in enumerate(old_order)}
            # the GeoJSON store's merge, so both backends decide alike
            merge_into(existing, index, incoming, summary, stamp=stamp, remove_others=remove_others)
            details = {
                "layer": layer,
                "added": len(summary.added),
                "updated": len(summary.updated),
                "removed": len(summary.removed),
            }
            changed = set(summary.added) | set(summary.updated)
            written = {f["id"]: f for f in incoming if f["id"] in changed}
            if LAYERS[layer].keep_versions:
                details["versions"] = {
                    fid: f["properties"]["version"] for fid, f in written.items()
                }
            action = "sync" if remove_others else "upsert"
            writer.audit(actor=actor, action=action, **details)
            if summary.removed:
                conn.execute(
                    "DELETE FROM features WHERE area = %s AND layer = %s AND id = ANY(%s)",
                    (area, layer, summary.removed),
                )
            updated = [written[fid] for fid in summary.updated]
            if updated:
                with conn.cursor() as cur:
                    cur.executemany(
                        "UPDATE features SET feature = %s, properties = %s, version = %s, "
                        f"geom = {_GEOM}, changed = nextval('feature_change') "
                        "WHERE area = %s AND layer = %s AND id = %s",
                        [
                            (
                                _text(f),
                                _props_text(f),
                                f["properties"]["version"],
                                _geometry_text(f),
                                area,
                                layer,
                                f["id"],
                            )
                            for f in updated
                        ],
                    )
            added = [written[fid] for fid in summary.added]
            self._insert_rows(writer, layer, added)
            new_order = [f["id"] for f in existing]
            removed = set(summary.removed)
            stored_order = [fid for fid in old_order if fid not in removed] + summary.added
            if new_order != stored_order:
                positions = self._next_positions(writer, len(new_order))
                conn.execute(
                    "UPDATE features f SET pos = v.pos FROM unnest(%s::text[], %s::bigint[]) "
                    "AS v(id, pos) WHERE f.area = %s AND f.layer = %s AND f.id = v.id",
                    (new_order, positions, area, layer),
                )
            self._keep(writer, layer, list(written.values()))
            writer.touch(layer)
        return summary

    # -- history and audit -------------------------------------------------------
    def _entries(self, conn, area: str, layer: str | None) -> list[dict]:
        if conn.execute("SELECT 1 FROM areas WHERE name = %s", (area,)).fetchone() is None:
            raise NotFound(f"area {area!r} does not exist")
        if layer is None:
            rows = conn.execute("SELECT line FROM audit_log WHERE area = %s ORDER BY seq", (area,))
        else:
            rows = conn.execute(
                "SELECT line FROM audit_log WHERE area = %s AND layer = %s ORDER BY seq",
                (area, layer),
            )
        return [json.loads(r[0]) for r in rows]

    def audit_entries(self, area: str, *, layer: str | None = None) -> list[dict]:
        """The area's audit entries, oldest first (as :func:`audit.entries` for a folder)."""
        self.area_dir(area)
        with self._reading() as conn:
            return self._entries(conn, area, layer)

    def history(self, area: str, layer: str, feature_id: str) -> list[dict]:
        """Every version of a feature, oldest first (see :meth:`Store.history`)."""
        check_layer(layer)
        self.area_dir(area)
        with self._reading() as conn:
            entries = self._entries(conn, area, layer)
            kept = {}
            if _storable_id(feature_id):
                kept = {
                    r[0]: r[1]
                    for r in conn.execute(
                        "SELECT version, feature FROM feature_versions "
                        "WHERE area = %s AND layer = %s AND id = %s",
                        (area, layer, feature_id),
                    )
                }
        items = feature_history(entries, kept, feature_id)
        if not items:
            raise NotFound(f"no feature {feature_id!r} in layer {layer!r} of area {area!r}")
        return items

    def changes(self, area: str, layer: str, *, since: str | None = None) -> list[dict]:
        """Audit entries of saved changes to a layer after ``since`` (see :meth:`Store.changes`)."""
        check_layer(layer)
        return applied_changes(self.audit_entries(area, layer=layer), since)

    def audit_lines(self, area: str) -> tuple[list[bytes], dict]:
        """The area's audit log as lines (as in ``audit.jsonl``) and its head."""
        self.area_dir(area)
        with self._reading() as conn:
            return read_audit_log(conn, area)

    def verify_audit(self, area: str, *, require_keyed: bool = False) -> audit.VerifyResult:
        """Verify the area's audit chain with the file log's code (:func:`audit.verify_lines`)."""
        lines, head = self.audit_lines(area)
        return audit.verify_lines(
            lines, head, self.audit_keys, require_keyed=require_keyed, name="audit_log"
        )

    def seal_audit(self, area: str, *, actor: str) -> dict:
        """Append a keyed ``seal`` entry to the area's audit log."""
        with self._writing(area) as writer:
            return writer.audit(actor=actor, action="seal", layer=None)


def _expecting(change: str) -> str:
    """``change`` (one row's INSERT, UPDATE or DELETE) failing when it touches no row.

    The statement returns the row's change number and position; see :meth:`_Writer.expect`.
    """
    return (
        f"WITH changed_row AS ({change} RETURNING changed, pos) "
        f"SELECT sozialraum_expect(count(*) = 1 OR NOT {_GUARD}), max(changed), max(pos) "
        "FROM changed_row"
    )


#: The rows of one layer (parameters ``a`` area, ``l`` layer).
_LAYER_ROWS = "FROM features WHERE area = %(a)s AND layer = %(l)s"
#: A layer's generation, change mark and last position, the first columns of every layer read
#: (the marks come from the subquery ``m``, which may add columns of its own).
_LAYER_STATE = (
    "SELECT (SELECT generation FROM layers WHERE area = %(a)s AND layer = %(l)s), "
    "m.mark, m.last_pos"
)
_MARKS = "coalesce(max(changed), 0) AS mark, coalesce(max(pos), 0) AS last_pos"


def _read_layer(conn, area: str, layer: str) -> CachedLayer:
    """The whole layer with its generation, change mark and last position (one snapshot)."""
    generation, mark, last_pos, body = conn.execute(
        f"{_LAYER_STATE}, (SELECT coalesce(json_agg(feature ORDER BY pos), '[]')::text "
        f"{_LAYER_ROWS}) FROM (SELECT {_MARKS} {_LAYER_ROWS}) m",
        {"a": area, "l": layer},
    ).fetchone()
    features = json.loads(body)
    index = {f["id"]: i for i, f in enumerate(features)}
    return CachedLayer(generation, features, index, mark, last_pos)


def _read_changes(conn, area: str, layer: str, cached: CachedLayer) -> CachedLayer | None:
    """``cached`` brought up to date with the rows changed after its mark.

    Positions come from one sequence, so a row's position only grows: a row added since
    has a position beyond the cache's last one, a row changed in place keeps its own, and a
    new order (or a row removed and added again) gives rows new positions. When the
    changed rows are changes in place and additions at the end, and the count says nothing
    was removed, the cache is patched with them (the usual case: one note written by another
    process, :func:`_patched`). Otherwise the ids are read in order (:func:`_read_order`).
    ``None`` when the cache cannot be brought along at all: the caller reads the whole layer.
    """
    if cached.mark is None:
        return None
    generation, mark, last_pos, count, kept_last_pos, body = conn.execute(
        f"{_LAYER_STATE}, m.count, m.kept_last_pos, "
        "(SELECT coalesce(json_agg(json_build_array(pos, feature) ORDER BY pos), '[]')::text "
        f"{_LAYER_ROWS} AND changed > %(m)s) "
        f"FROM (SELECT {_MARKS}, count(*) AS count, "
        f"coalesce(max(pos) FILTER (WHERE changed <= %(m)s), 0) AS kept_last_pos {_LAYER_ROWS}) m",
        {"a": area, "l": layer, "m": cached.mark},
    ).fetchone()
    before = cached.last_pos
    if before is not None and kept_last_pos <= before:  # the unchanged rows kept their places
        patched = _patched(cached, json.loads(body), count)
        if patched is not None:
            return CachedLayer(generation, *patched, mark, last_pos)
    return _read_order(conn, area, layer, cached)


def _patched(cached: CachedLayer, rows: list, count: int) -> tuple[list, dict] | None:
    """Features and index of ``cached`` with the changed ``rows`` (``[position, feature]``).

    ``None`` unless every row is a change in place or an addition at the end and the layer
    has ``count`` rows, i.e. nothing was removed.
    """
    old, index, before = cached.features, cached.index, cached.last_pos
    features, added = list(old), []
    for pos, feature in rows:
        position = index.get(feature["id"])
        if position is None and pos > before:
            added.append(feature)
        elif position is not None and pos <= before:
            features[position] = feature
        else:
            return None  # moved, or removed and added again
    if count != len(old) + len(added):  # something was removed
        return None
    if added:
        index = dict(index)
        for feature in added:
            index[feature["id"]] = len(features)
            features.append(feature)
    return features, index


def _read_order(conn, area: str, layer: str, cached: CachedLayer) -> CachedLayer | None:
    """``cached`` with the rows changed after its mark, in the order of all ids now.

    One statement (one snapshot); ``None`` when an id is neither changed nor cached.
    """
    generation, mark, last_pos, body, ids = conn.execute(
        f"{_LAYER_STATE}, (SELECT coalesce(json_agg(feature ORDER BY pos), '[]')::text "
        f"{_LAYER_ROWS} AND changed > %(m)s), "
        f"(SELECT coalesce(array_agg(id ORDER BY pos), '{{}}') {_LAYER_ROWS}) "
        f"FROM (SELECT {_MARKS} {_LAYER_ROWS}) m",
        {"a": area, "l": layer, "m": cached.mark},
    ).fetchone()
    changed = {f["id"]: f for f in json.loads(body)}
    old, index = cached.features, cached.index
    features = []
    for feature_id in ids:
        feature = changed.get(feature_id)
        if feature is None:
            position = index.get(feature_id)
            if position is None:
                return None
            feature = old[position]
        features.append(feature)
    return CachedLayer(generation, features, {fid: i for i, fid in enumerate(ids)}, mark, last_pos)
