"""The GeoJSON store: versions, validation, atomic writes, locking, cache, corruption."""

from __future__ import annotations

import json
import multiprocessing
import os

import filelock
import pytest

from sozialraum.errors import (
    InvalidInput,
    NotFound,
    ReadOnly,
    StorageError,
    StoreBusy,
    VersionConflict,
)
from sozialraum.settings import StoreSettings
from sozialraum.store import GeoJSONStore


def note(text="Bäckerei bietet Aushang an", lon=6.95, lat=51.43, **extra):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"category": "ressource", "text": text, "observed_on": "2026-11-01", **extra},
    }


@pytest.fixture
def area(store):
    store.write_meta("test", {"name": "test", "title": "Test"}, actor="t")
    return "test"


def test_add_get_update_delete_with_versions(store, area):
    added = store.add(area, "notes", note(), actor="anna")
    assert added["properties"]["version"] == 1 and len(added["id"]) == 32
    assert store.get(area, "notes", added["id"]) == added
    changed = note(text="Aushang nur freitags")
    updated = store.update(area, "notes", added["id"], changed, expected_version=1, actor="anna")
    assert updated["properties"]["version"] == 2
    assert store.get(area, "notes", added["id"])["properties"]["text"] == "Aushang nur freitags"
    store.delete(area, "notes", added["id"], expected_version=2, actor="anna")
    with pytest.raises(NotFound):
        store.get(area, "notes", added["id"])


def test_stale_version_is_refused_and_nothing_written(store, area):
    added = store.add(area, "notes", note(), actor="a")
    store.update(area, "notes", added["id"], note(text="zwei"), expected_version=1, actor="a")
    path = store.data_dir / area / "notes.geojson"
    before = path.read_bytes()
    with pytest.raises(VersionConflict) as info:
        store.update(area, "notes", added["id"], note(text="drei"), expected_version=1, actor="b")
    assert info.value.current_version == 2 and info.value.status == 409
    with pytest.raises(VersionConflict):
        store.delete(area, "notes", added["id"], expected_version=1, actor="b")
    assert path.read_bytes() == before


def test_file_is_rfc7946_featurecollection_with_stable_ids(store, area):
    ids = [store.add(area, "notes", note(text=f"Notiz {i}"), actor="a")["id"] for i in range(3)]
    data = json.loads((store.data_dir / area / "notes.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert [f["id"] for f in data["features"]] == ids
    assert all(f["type"] == "Feature" for f in data["features"])


def test_query_by_bbox_district_and_category(store, area):
    store.add(area, "notes", note(lon=6.0, lat=51.0, district="a"), actor="a")
    store.add(area, "notes", note(lon=7.0, lat=52.0, district="b"), actor="a")
    assert len(store.query(area, "notes")) == 2
    assert len(store.query(area, "notes", bbox=(5.5, 50.5, 6.5, 51.5))) == 1
    assert len(store.query(area, "notes", district="b")) == 1
    assert len(store.query(area, "notes", category="ressource")) == 2
    assert store.query(area, "notes", category="problem") == []


@pytest.mark.parametrize(
    ("feature", "reason"),
    [
        ({"type": "Feature"}, "geometry and properties"),
        ([], "not a GeoJSON Feature"),
        (note(lon=200.0), "outside lon/lat range"),
        (note(lat=float("nan")), "finite"),
        ({**note(), "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "Point"),
        ({**note(), "geometry": {"type": "Point", "coordinates": "x"}}, "malformed"),
        (
            {**note(), "properties": {"text": "ohne Kategorie", "observed_on": "2026-01-01"}},
            "missing required properties: category",
        ),
    ],
)
def test_invalid_features_are_refused(store, area, feature, reason):
    with pytest.raises(InvalidInput, match=reason):
        store.add(area, "notes", feature, actor="a")
    assert not (store.data_dir / area / "notes.geojson").exists()


def test_self_intersecting_district_is_refused(store, area):
    bowtie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [bowtie]},
        "properties": {"name": "Schleife"},
    }
    with pytest.raises(InvalidInput, match="Self-intersection"):
        store.add(area, "districts", feature, actor="a")


def test_unknown_layer_and_bad_ids(store, area):
    with pytest.raises(InvalidInput, match="unknown layer"):
        store.add(area, "../secrets", note(), actor="a")
    with pytest.raises(InvalidInput, match="feature ids"):
        store.add(area, "notes", {**note(), "id": "../x"}, actor="a")
    with pytest.raises(InvalidInput, match="area name"):
        store.query("../../etc", "notes")
    with pytest.raises(NotFound):
        store.query("fehlt", "notes")


def test_reserved_properties_cannot_be_forged(store, area):
    added = store.add(area, "notes", note(version=99, updated_at="1999"), actor="a")
    assert added["properties"]["version"] == 1
    assert added["properties"]["updated_at"] != "1999"


def test_failed_fsync_leaves_old_file_intact(store, area, monkeypatch):
    first = store.add(area, "notes", note(), actor="a")
    path = store.data_dir / area / "notes.geojson"
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(StorageError, match="failed"):
        store.update(area, "notes", first["id"], note(text="neu"), expected_version=1, actor="a")
    monkeypatch.undo()
    assert store.verify_audit(area).entries == 2  # meta + add: the failed update left nothing
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".tmp-*"))
    assert (
        GeoJSONStore(store.data_dir).get(area, "notes", first["id"])["properties"]["version"] == 1
    )


def test_corrupt_layer_file_gives_error_naming_it_and_is_never_overwritten(store, area):
    store.add(area, "notes", note(), actor="a")
    path = store.data_dir / area / "notes.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    fresh = GeoJSONStore(store.data_dir)
    with pytest.raises(StorageError, match="notes.geojson"):
        fresh.query(area, "notes")
    with pytest.raises(StorageError):
        fresh.add(area, "notes", note(), actor="a")
    assert path.read_text(encoding="utf-8") == '{"type": "FeatureCollection", "features": ['


def test_reads_are_cached_and_refreshed_when_the_file_changes(store, area):
    other = GeoJSONStore(store.data_dir)
    store.add(area, "notes", note(), actor="a")
    assert len(other.query(area, "notes")) == 1
    first = other.query(area, "notes")
    assert other.query(area, "notes")[0] is first[0]  # served from memory
    store.add(area, "notes", note(text="zweite"), actor="b")  # another process/worker writes
    assert len(other.query(area, "notes")) == 2


def test_orphaned_temp_files_are_removed_at_start(store, area):
    folder = store.data_dir / area
    (folder / ".tmp-notes.geojson-abc").write_text("halb")
    GeoJSONStore(store.data_dir).cleanup()
    assert not list(folder.glob(".tmp-*"))


def test_temp_files_of_a_killed_writer_go_with_the_next_write(store, area):
    """Server workers are forked and replaced while the store object lives on: every
    write (not only the first) removes temp files a killed writer left behind."""
    store.add(area, "notes", note(), actor="a")
    folder = store.data_dir / area
    (folder / "analysis").mkdir(exist_ok=True)
    left = [
        folder / ".tmp-notes.geojson-k1",
        folder / "analysis" / ".tmp-walk-k2",
        folder / "versions" / ".tmp-notes.jsonl-k3",
    ]
    for path in left:
        path.write_text("halb")
    store.add(area, "notes", note(text="zweite"), actor="a")
    assert not [path for path in left if path.exists()]
    assert len(store.query(area, "notes")) == 2


def test_read_only_store_refuses_writes_and_reads(store, area):
    store.add(area, "notes", note(), actor="a")
    before = (store.data_dir / area / "notes.geojson").read_bytes()
    reader = GeoJSONStore(store.data_dir, read_only=True)
    with pytest.raises(ReadOnly):
        reader.add(area, "notes", note(), actor="a")
    assert len(reader.query(area, "notes")) == 1
    assert reader.cleanup() == []
    assert (store.data_dir / area / "notes.geojson").read_bytes() == before


def test_check_files_names_every_damaged_file(store, area):
    store.add(area, "notes", note(), actor="a")
    assert GeoJSONStore(store.data_dir).check_files() == []
    (store.data_dir / area / "notes.geojson").write_text("{", encoding="utf-8")
    problems = GeoJSONStore(store.data_dir).check_files()
    assert len(problems) == 1 and "notes.geojson" in problems[0]
    assert (store.data_dir / area / "notes.geojson").read_text(encoding="utf-8") == "{"


def test_lock_held_by_another_process_gives_busy(store, area):
    store.settings = StoreSettings(lock_timeout_s=0.2)
    other = filelock.FileLock(store.data_dir / area / ".lock")
    holder = multiprocessing.get_context("spawn").Process(
        target=_hold_lock, args=(str(other.lock_file), 3.0)
    )
    ready = store.data_dir / area / "held"
    holder.start()
    try:
        for _ in range(200):
            if ready.exists():
                break
            holder.join(0.05)
        with pytest.raises(StoreBusy):
            store.add(area, "notes", note(), actor="a")
    finally:
        holder.terminate()
        holder.join()


def _hold_lock(lock_path: str, seconds: float) -> None:
    import time
    from pathlib import Path

    with filelock.FileLock(lock_path):
        (Path(lock_path).parent / "held").touch()
        time.sleep(seconds)


def _writer(data_dir: str, area: str, count: int, worker: int) -> None:
    store = GeoJSONStore(data_dir)
    for i in range(count):
        store.add(area, "notes", note(text=f"w{worker} n{i}"), actor=f"w{worker}")


def test_concurrent_processes_never_lose_an_update(store, area):
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(target=_writer, args=(str(store.data_dir), area, 25, w)) for w in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert all(w.exitcode == 0 for w in workers)
    texts = sorted(
        f["properties"]["text"] for f in GeoJSONStore(store.data_dir).query(area, "notes")
    )
    assert texts == sorted(f"w{w} n{i}" for w in range(4) for i in range(25))
    result = store.verify_audit(area)
    assert result.ok and result.entries == 1 + 100


def test_failed_audit_write_is_a_storage_error_and_nothing_is_written(store, area, monkeypatch):
    from sozialraum.store import audit

    def full_disk(*args, **kwargs):
        raise StorageError("writing the audit log failed (No space left on device)")

    monkeypatch.setattr(audit, "append", full_disk)
    with pytest.raises(StorageError, match="audit log"):
        store.add(area, "notes", note(), actor="a")
    assert not (store.data_dir / area / "notes.geojson").exists()


def test_failed_layer_write_is_followed_by_an_aborted_entry(store, area, monkeypatch):
    from sozialraum.store import _atomic, audit

    real = _atomic.write_atomic

    def failing(path, data):
        if path.name == "notes.geojson":
            raise OSError(5, "Input/output error")
        return real(path, data)

    monkeypatch.setattr("sozialraum.store.geojson.write_atomic", failing)
    with pytest.raises(StorageError, match="old file is intact"):
        store.add(area, "notes", note(), actor="a")
    entries = [json.loads(line) for line in (store.data_dir / area / audit.LOG_NAME).open()]
    assert [e["action"] for e in entries[-2:]] == ["add", "aborted"]
    assert entries[-1]["aborted_seq"] == entries[-2]["seq"]
    assert store.verify_audit(area).ok


def test_cleanup_skips_an_area_locked_by_another_process(store, area):
    store.settings = StoreSettings(lock_timeout_s=0.1)
    ctx = multiprocessing.get_context("spawn")
    holder = ctx.Process(target=_hold_lock, args=(str(store.data_dir / area / ".lock"), 3.0))
    holder.start()
    try:
        for _ in range(200):
            if (store.data_dir / area / "held").exists():
                break
            holder.join(0.05)
        assert store.cleanup() == [area]
    finally:
        holder.terminate()
        holder.join()


def test_same_size_rewrite_on_a_reused_inode_is_still_seen(store, area, monkeypatch):
    """The cache must not trust (inode, size, mtime) alone: inodes are reused after os.replace."""
    first = store.add(area, "notes", note(text="aaaa"), actor="a")
    other = GeoJSONStore(store.data_dir)
    assert other.get(area, "notes", first["id"])["properties"]["text"] == "aaaa"
    path = store.data_dir / area / "notes.geojson"
    stat = path.stat()
    store.update(area, "notes", first["id"], note(text="bbbb"), expected_version=1, actor="a")
    data = path.read_bytes()
    # simulate the worst case: same inode, same size, same mtime, different content
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cached = other._cache[(area, "notes")]
    other._cache[(area, "notes")] = type(cached)(
        (path.stat().st_ino, path.stat().st_size, stat.st_mtime_ns, "0" * 32),
        cached.features,
        cached.index,
    )
    assert other.get(area, "notes", first["id"])["properties"]["text"] == "bbbb"


def test_threads_queue_for_the_area_and_give_up_after_the_timeout(store, area):
    import threading

    store.settings = StoreSettings(lock_timeout_s=0.2)
    inside, leave = threading.Event(), threading.Event()

    def hold():
        with store.locked(area):
            inside.set()
            leave.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(10)
        with pytest.raises(StoreBusy):
            store.add(area, "notes", note(), actor="a")
    finally:
        leave.set()
        holder.join()
    store.settings = StoreSettings(lock_timeout_s=10)
    writers = [
        threading.Thread(target=store.add, args=(area, "notes", note(text=f"n{i}")),
                         kwargs={"actor": "a"})
        for i in range(8)
    ]  # fmt: skip
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    assert len(store.query(area, "notes")) == 8
