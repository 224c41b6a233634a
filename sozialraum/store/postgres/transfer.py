"""Copying areas between a GeoJSON data folder and PostgreSQL (``db migrate-from``/``export``).

Both directions keep everything as it is: features in their order with their ids and versions
(the exact JSON), kept versions, the audit log line by line (so its keyed chain verifies with
the same key afterwards), the metadata, the derived artifacts (``analysis/``) and the files that
stay beside the database on each server (the basemap). A folder exported from the database is a
GeoJSON data folder the file store opens as usual; a round trip gives the same files (the layer
files differ only in their random ``generation`` token).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sozialraum.errors import InvalidInput, StorageError
from sozialraum.store import audit
from sozialraum.store._atomic import make_dir, write_atomic
from sozialraum.store.backup import BackupReport
from sozialraum.store.geojson import GeoJSONStore
from sozialraum.store.layer_files import (
    ARTIFACT_DIR,
    ARTIFACT_NAME,
    META_NAME,
    VERSIONS_DIR,
    layer_body,
)
from sozialraum.store.postgres.store import (
    LOCK_CLASS,
    PostgresStore,
    _database_errors,
    _geometry_text,
    _props_text,
    _text,
    read_audit_log,
)
from sozialraum.store.restore import RestoreReport
from sozialraum.store.validation import LAYERS

#: Files of an area folder that are the store's own (everything else is a local file).
_STORE_FILES = {META_NAME, audit.LOG_NAME, audit.HEAD_NAME, ".lock"} | {
    f"{layer}.geojson" for layer in LAYERS
}
_STORE_DIRS = {ARTIFACT_DIR, VERSIONS_DIR}


@dataclass
class AreaReport:
    """What was copied of one area and what the check after the copy found.

    Attributes
    ----------
    area : str
    features : dict
        Layer → number of features copied.
    versions : int
        Kept versions copied.
    audit_entries : int
        Audit entries copied (and verified afterwards).
    artifacts, local_files : list of str
        Artifact names; files copied beside the database (basemap).
    problems : list of str
        Differences found by the check; empty when the copy is complete.
    """

    area: str
    features: dict[str, int] = field(default_factory=dict)
    versions: int = 0
    audit_entries: int = 0
    artifacts: list[str] = field(default_factory=list)
    local_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _kept_lines(folder: Path, layer: str) -> list[dict]:
    """The kept versions of a layer in file order; for a repeated version the last one."""
    path = folder / VERSIONS_DIR / f"{layer}.jsonl"
    if not path.exists():
        return []
    last: dict[tuple[str, int], dict] = {}
    for line in path.read_bytes().split(b"\n"):
        if not line:
            continue
        try:
            feature = json.loads(line)
        except ValueError:
            continue  # a partial last line after a crash
        key = (feature.get("id"), feature["properties"]["version"])
        last.pop(key, None)
        last[key] = feature
    return list(last.values())


def _local_files(folder: Path) -> list[Path]:
    """Files of an area folder that are not the store's (e.g. ``basemap.pmtiles``)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name not in _STORE_FILES and not p.name.startswith(".tmp-")
    )


def migrate_area(
    source: GeoJSONStore, target: PostgresStore, area: str, *, replace: bool = False
) -> AreaReport:
    """Copy one area of a GeoJSON data folder into the database, in one transaction.

    The source's audit log must verify; the area must not exist in the database yet (with
    ``replace`` it is replaced, in the same transaction: all of it or nothing). After the
    copy the database is read back and compared (counts, ids in order, versions, kept
    versions, the audit chain verifies with the same result); a difference is in
    :attr:`AreaReport.problems` (the copy is then rolled back).

    Raises
    ------
    InvalidInput
        The area already exists in the database, or its audit log does not verify.
    """
    folder = source.existing_area_dir(area)
    checked = source.verify_audit(area)
    if not checked.ok:
        raise InvalidInput(f"area {area!r}: its audit log does not verify: {checked.problems}")
    if area in target.areas() and not replace:
        raise InvalidInput(f"area {area!r} exists in the database already; nothing was copied")
    report = AreaReport(area)
    meta_text = (folder / META_NAME).read_text(encoding="utf-8")
    raw_log = (folder / audit.LOG_NAME).read_bytes() if (folder / audit.LOG_NAME).exists() else b""
    lines = [line for line in raw_log.split(b"\n") if line]
    if raw_log and not raw_log.endswith(b"\n"):
        lines = lines[:-1]  # a partial last line (a crash during a write) is not part of the log
    last = json.loads(lines[-1]) if lines else None
    with _database_errors(), target.pool.connection() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, area))
        if replace:
            conn.execute("DELETE FROM areas WHERE name = %s", (area,))  # cascades to its rows
        conn.execute(
            "INSERT INTO areas (name, meta, audit_count, audit_hash) VALUES (%s, %s, %s, %s)",
            (
                area,
                meta_text,
                last["seq"] if last else 0,
                last["hash"] if last else audit.GENESIS,
            ),
        )
        with (
            conn.cursor() as cur,
            cur.copy("COPY audit_log (area, seq, layer, line) FROM STDIN") as copy_,
        ):
            for line in lines:
                entry = json.loads(line)
                copy_.write_row((area, entry["seq"], entry.get("layer"), line.decode("utf-8")))
        report.audit_entries = len(lines)
        for layer in LAYERS:
            if not (folder / f"{layer}.geojson").exists():
                continue
            features = source.query(area, layer)
            _copy_features(conn, area, layer, features)
            conn.execute(
                "INSERT INTO layers (area, layer, generation) VALUES (%s, %s, %s)",
                (area, layer, uuid.uuid4().hex),
            )
            report.features[layer] = len(features)
            kept = _kept_lines(folder, layer)
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY feature_versions (area, layer, id, version, feature) FROM STDIN"
                ) as copy_,
            ):
                for feature in kept:
                    copy_.write_row(
                        (
                            area,
                            layer,
                            feature["id"],
                            feature["properties"]["version"],
                            _text(feature),
                        )
                    )
            report.versions += len(kept)
        artifacts = folder / ARTIFACT_DIR
        if artifacts.is_dir():
            for path in sorted(artifacts.iterdir()):
                if path.is_file() and ARTIFACT_NAME.match(path.name):
                    conn.execute(
                        "INSERT INTO artifacts (area, name, data, generation) "
                        "VALUES (%s, %s, %s, %s)",
                        (area, path.name, path.read_bytes(), uuid.uuid4().hex),
                    )
                    report.artifacts.append(path.name)
        report.problems = _compare(conn, source, target, area, folder, report)
        if report.problems:
            conn.rollback()
            return report
    local = target.area_dir(area)
    if local.resolve() != folder.resolve():
        for path in _local_files(folder):
            make_dir(local)
            shutil.copy2(path, local / path.name)
            report.local_files.append(path.name)
    target.forget_area(area)
    return report


def _copy_features(conn, area: str, layer: str, features: list[dict]) -> None:
    """COPY features of a layer in order (positions from the shared sequence)."""
    if not features:
        return
    positions = [
        r[0]
        for r in conn.execute(
            "SELECT nextval('feature_pos') FROM generate_series(1, %s)", (len(features),)
        )
    ]
    conn.execute(
        "CREATE TEMP TABLE incoming_features (id text, pos bigint, feature json, "
        "properties jsonb, version integer, geometry text) ON COMMIT DROP"
    )
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY incoming_features (id, pos, feature, properties, version, geometry) FROM STDIN"
        ) as copy_,
    ):
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
        (area, layer),
    )
    conn.execute("DROP TABLE incoming_features")


def _compare(conn, source, target, area, folder, report) -> list[str]:
    """Read the copy back inside its transaction and compare it with the folder."""
    problems = []
    for layer, count in report.features.items():
        rows = conn.execute(
            "SELECT id, version FROM features WHERE area = %s AND layer = %s ORDER BY pos",
            (area, layer),
        ).fetchall()
        expected = [(f["id"], f["properties"]["version"]) for f in source.query(area, layer)]
        if len(rows) != count or [tuple(r) for r in rows] != expected:
            problems.append(f"{layer}: ids or versions differ after the copy")
    kept = conn.execute(
        "SELECT count(*) FROM feature_versions WHERE area = %s", (area,)
    ).fetchone()[0]
    if kept != report.versions:
        problems.append(f"kept versions: {kept} copied, {report.versions} in the folder")
    lines, head = read_audit_log(conn, area)
    result = audit.verify_lines(lines, head, target.audit_keys, name="audit_log")
    before = source.verify_audit(area)
    if not result.ok:
        problems.extend(f"audit: {p}" for p in result.problems)
    elif result.entries != before.entries or result.key_ids != before.key_ids:
        problems.append(
            f"audit: {result.entries} entries verify after the copy, {before.entries} before"
        )
    return problems


def migrate_folder(source: GeoJSONStore, target: PostgresStore, areas=None) -> list[AreaReport]:
    """Copy every area (or ``areas``) of a data folder; see :func:`migrate_area`."""
    return [migrate_area(source, target, area) for area in (areas or source.areas())]


def export_area(source: PostgresStore, area: str, data_dir: Path) -> AreaReport:
    """Write one area from the database as a GeoJSON area folder ``data_dir/<area>``.

    The folder must not exist yet. Everything is read in one snapshot. The written folder is
    opened with :class:`GeoJSONStore` and its audit log verified afterwards (problems in the
    report).
    """
    folder = Path(data_dir) / source.area_dir(area).name
    if folder.exists():
        raise InvalidInput(f"{folder} exists already; export into an empty data folder")
    report = AreaReport(area)
    with source._reading() as conn:
        row = conn.execute(
            "SELECT meta::text, audit_count, audit_hash FROM areas WHERE name = %s", (area,)
        ).fetchone()
        if row is None:
            raise InvalidInput(f"area {area!r} is not in the database")
        meta_text, count, last_hash = row
        layers = {
            layer: json.loads(body)
            for layer, body in conn.execute(
                "SELECT l.layer, coalesce((SELECT json_agg(f.feature ORDER BY f.pos) "
                "FROM features f WHERE f.area = l.area AND f.layer = l.layer), '[]')::text "
                "FROM layers l WHERE l.area = %s",
                (area,),
            )
        }
        kept: dict[str, list[str]] = {}
        for layer, text in conn.execute(
            "SELECT layer, feature::text FROM feature_versions WHERE area = %s ORDER BY pos",
            (area,),
        ):
            kept.setdefault(layer, []).append(text)
        lines = [
            r[0]
            for r in conn.execute(
                "SELECT line FROM audit_log WHERE area = %s ORDER BY seq", (area,)
            )
        ]
        artifacts = conn.execute(
            "SELECT name, data FROM artifacts WHERE area = %s ORDER BY name", (area,)
        ).fetchall()
    try:
        make_dir(folder)
        write_atomic(folder / META_NAME, meta_text.encode("utf-8"))
        for layer, features in layers.items():
            write_atomic(folder / f"{layer}.geojson", layer_body(features))
            report.features[layer] = len(features)
        for layer, texts in kept.items():
            make_dir(folder / VERSIONS_DIR)
            body = "".join(f"{text}\n" for text in texts)  # the lines as they were
            write_atomic(folder / VERSIONS_DIR / f"{layer}.jsonl", body.encode("utf-8"))
            report.versions += len(texts)
        if lines:
            write_atomic(folder / audit.LOG_NAME, "".join(f"{x}\n" for x in lines).encode())
            write_atomic(
                folder / audit.HEAD_NAME, json.dumps({"count": count, "hash": last_hash}).encode()
            )
        report.audit_entries = len(lines)
        for name, data in artifacts:
            make_dir(folder / ARTIFACT_DIR)
            write_atomic(folder / ARTIFACT_DIR / name, bytes(data))
            report.artifacts.append(name)
        local = source.area_dir(area)
        if local.is_dir():
            for path in _local_files(local):
                shutil.copy2(path, folder / path.name)
                report.local_files.append(path.name)
    except OSError as exc:
        raise StorageError(f"writing {folder} failed ({exc.strerror})") from None
    exported = GeoJSONStore(Path(data_dir), audit_key_file=source.audit_keys.path)
    result = exported.verify_audit(area)
    if not result.ok:
        report.problems.extend(f"audit: {p}" for p in result.problems)
    for layer, features in layers.items():
        if [f["id"] for f in exported.query(area, layer)] != [f["id"] for f in features]:
            report.problems.append(f"{layer}: ids differ in the exported folder")
    return report


def backup_database_area(store: PostgresStore, area: str, destination) -> BackupReport:
    """``sozialraum backup`` for the database: the same signed archive as for the files.

    The area is exported in one snapshot (:func:`export_area`) into a temporary folder and
    packed by :func:`~sozialraum.store.backup.backup_area`, so the archive restores into either
    backend.
    """
    from sozialraum.store.backup import backup_area

    store.read_meta(area)  # NotFound before any work
    with tempfile.TemporaryDirectory(prefix="sozialraum-db-backup-") as tmp:
        report = export_area(store, area, Path(tmp))
        if report.problems:
            raise StorageError(f"area {area!r}: the snapshot failed its check: {report.problems}")
        files = GeoJSONStore(Path(tmp), audit_key_file=store.audit_keys.path)
        return backup_area(files, area, destination)


def restore_database_area(
    store: PostgresStore,
    archive,
    *,
    area: str | None = None,
    replace: bool = False,
    allow_unsigned: bool = False,
) -> RestoreReport:
    """``sozialraum restore`` into the database (archives of either backend).

    The archive is checked completely by :func:`~sozialraum.store.restore.restore_area` into a
    temporary folder, then copied in by :func:`migrate_area` in one transaction (an existing
    area is replaced only with ``replace``).
    """
    from sozialraum.store.restore import restore_area

    if area is not None and area in store.areas() and not replace:
        raise InvalidInput(f"area {area!r} exists; restore with --replace to overwrite it")
    with tempfile.TemporaryDirectory(prefix="sozialraum-db-restore-") as tmp:
        files = GeoJSONStore(Path(tmp), audit_key_file=store.audit_keys.path)
        report = restore_area(files, archive, area=area, allow_unsigned=allow_unsigned)
        exists = report.area in store.areas()
        if exists and not replace:
            raise InvalidInput(
                f"area {report.area!r} exists; restore with --replace to overwrite it"
            )
        copied = migrate_area(files, store, report.area, replace=replace)
        if copied.problems:
            raise StorageError(f"area {report.area!r}: the copy failed its check; nothing changed")
    return dataclasses.replace(report, replaced=exists, removed=[])
