"""The store's contract, run against both backends (GeoJSON files and PostgreSQL + PostGIS).

Every test here runs once per backend (the ``backend`` fixture); the last tests run one scenario
on both and compare what they store, so a difference between the backends fails a test.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import threading

import pytest

from sozialraum.errors import InvalidInput, NotFound, ReadOnly, VersionConflict
from sozialraum.store import GeoJSONStore, open_store

SECRET = "Aushang nur freitags im Schaukasten"


def note(text="Bäckerei bietet Aushang an", lon=6.95, lat=51.43, **extra):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"category": "ressource", "text": text, "observed_on": "2026-11-01", **extra},
    }


def resource(fid, lon=6.95, lat=51.43, **extra):
    return {
        "type": "Feature",
        "id": fid,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"categories": ["bakery"], "osm_type": "node", "osm_id": 1, **extra},
    }


def district(name, x0, y0, size=1.0):
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {
        "type": "Feature",
        "id": name,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": name},
    }


@pytest.fixture
def store(any_store):
    return any_store


@pytest.fixture
def area(store):
    store.write_meta("test", {"name": "test", "title": "Test", "bbox": [6, 51, 7, 52]}, actor="t")
    return "test"


def audit_text(store, area) -> str:
    """Everything the backend keeps of the area's audit log, as text."""
    if isinstance(store, GeoJSONStore):
        return (store.area_dir(area) / "audit.jsonl").read_text(encoding="utf-8")
    lines, _head = store.audit_lines(area)
    return b"\n".join(lines).decode()


def test_meta_and_areas(store, area):
    assert store.areas() == ["test"]
    assert store.read_meta(area)["title"] == "Test"
    store.write_meta(area, {"name": "test", "title": "Neu"}, actor="t")
    assert store.read_meta(area) == {"name": "test", "title": "Neu"}
    with pytest.raises(NotFound):
        store.read_meta("fehlt")
    with pytest.raises(InvalidInput, match="area name"):
        store.read_meta("../x")


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
    with pytest.raises(InvalidInput, match="already exists"):
        store.add(area, "notes", {**note(), "id": "x1"}, actor="a")
        store.add(area, "notes", {**note(), "id": "x1"}, actor="a")


def test_stale_version_is_refused_and_nothing_written(store, area):
    added = store.add(area, "notes", note(), actor="a")
    store.update(area, "notes", added["id"], note(text="zwei"), expected_version=1, actor="a")
    revision = store.revision(area, "notes")
    with pytest.raises(VersionConflict) as info:
        store.update(area, "notes", added["id"], note(text="drei"), expected_version=1, actor="b")
    assert info.value.current_version == 2 and info.value.status == 409
    with pytest.raises(VersionConflict):
        store.delete(area, "notes", added["id"], expected_version=1, actor="b")
    with pytest.raises(NotFound):
        store.update(area, "notes", "fehlt", note(), expected_version=1, actor="b")
    assert store.revision(area, "notes") == revision
    assert store.get(area, "notes", added["id"])["properties"]["text"] == "zwei"
    assert [c["action"] for c in store.changes(area, "notes")] == ["add", "update"]


def test_revision_changes_with_every_write(store, area):
    assert store.revision(area, "notes") == "0"
    store.add(area, "notes", note(), actor="a")
    first = store.revision(area, "notes")
    store.add(area, "notes", note(), actor="a")
    assert store.revision(area, "notes") not in ("0", first)
    assert store.revision(area, "resources") == "0"


def test_query_by_bbox_district_and_category(store, area):
    store.add(area, "notes", note(lon=6.0, lat=51.0, district="a"), actor="a")
    store.add(area, "notes", note(lon=7.0, lat=52.0, district="b"), actor="a")
    assert len(store.query(area, "notes")) == 2
    assert len(store.query(area, "notes", bbox=(5.5, 50.5, 6.5, 51.5))) == 1
    # a point on the edge of the box is inside (both backends)
    assert len(store.query(area, "notes", bbox=(6.0, 51.0, 6.5, 51.5))) == 1
    assert len(store.query(area, "notes", bbox=(5.0, 50.0, 5.9999999, 50.9999999))) == 0
    assert len(store.query(area, "notes", district="b")) == 1
    assert len(store.query(area, "notes", category="ressource")) == 2
    assert store.query(area, "notes", category="problem") == []
    assert len(store.query(area, "notes", bbox=(5, 50, 8, 53), district="a")) == 1


def test_bbox_query_on_polygons(store, area):
    store.add_many(
        area, "districts", [district("a", 6.0, 51.0, 0.2), district("b", 6.5, 51.5, 0.2)], actor="i"
    )
    assert [f["id"] for f in store.query(area, "districts", bbox=(6.1, 51.1, 6.3, 51.3))] == ["a"]
    assert [f["id"] for f in store.query(area, "districts", bbox=(6.2, 51.2, 6.5, 51.5))] == [
        "a",
        "b",
    ]


@pytest.mark.parametrize(
    ("feature", "reason"),
    [
        ({"type": "Feature"}, "geometry and properties"),
        (note(lon=200.0), "outside lon/lat range"),
        ({**note(), "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "Point"),
        (note(text="\ud800"), "cannot be stored"),
    ],
)
def test_invalid_features_are_refused_and_nothing_written(store, area, feature, reason):
    with pytest.raises(InvalidInput, match=reason):
        store.add(area, "notes", feature, actor="a")
    assert store.query(area, "notes") == []
    assert store.changes(area, "notes") == []


def test_unknown_layer_and_bad_ids(store, area):
    with pytest.raises(InvalidInput, match="unknown layer"):
        store.add(area, "../secrets", note(), actor="a")
    with pytest.raises(InvalidInput, match="feature ids"):
        store.add(area, "notes", {**note(), "id": "../x"}, actor="a")
    with pytest.raises(InvalidInput, match="area name"):
        store.query("../../etc", "notes")
    with pytest.raises(NotFound):
        store.query("fehlt", "notes")
    with pytest.raises(NotFound):
        store.add("fehlt", "notes", note(), actor="a")


def test_ids_that_cannot_exist_are_not_found(store, area):
    added = store.add(area, "notes", note(), actor="a")
    for bad in ("a\x00b", "\x00"):
        with pytest.raises(NotFound):
            store.get(area, "notes", bad)
        with pytest.raises(NotFound):
            store.update(area, "notes", bad, note(), expected_version=1, actor="a")
        with pytest.raises(NotFound):
            store.delete(area, "notes", bad, expected_version=1, actor="a")
        with pytest.raises(NotFound):
            store.history(area, "notes", bad)
    assert store.purge(area, "notes", ["\x00", added["id"]], actor="a") == 1


def test_text_is_kept_exactly(store, area):
    text = 'Zeile 1\nZeile 2 "zitiert" \\ Ümläut \x00 ✓ 🏠'
    added = store.add(area, "notes", note(text=text, extra={"b": 1, "a": [1.5, 2]}), actor="a")
    assert store.get(area, "notes", added["id"])["properties"]["text"] == text
    assert list(store.get(area, "notes", added["id"])["properties"]) == list(added["properties"])
    assert store.query(area, "notes")[0] == added


def test_reserved_properties_cannot_be_forged(store, area):
    added = store.add(area, "notes", note(version=99, updated_at="1999"), actor="a")
    assert added["properties"]["version"] == 1
    assert added["properties"]["updated_at"] != "1999"


def test_history_and_changes(store, area):
    added = store.add(area, "notes", note("erste Fassung"), actor="anna")
    store.update(area, "notes", added["id"], note("zweite"), expected_version=1, actor="ben")
    store.update(
        area,
        "notes",
        added["id"],
        note("dritte"),
        expected_version=2,
        actor="anna",
        audit_fields={"review": "approved", "seq": 999},
    )
    history = store.history(area, "notes", added["id"])
    assert [(h["version"], h["action"], h["actor"]) for h in history] == [
        (1, "add", "anna"),
        (2, "update", "ben"),
        (3, "update", "anna"),
    ]
    assert [h["feature"]["properties"]["text"] for h in history] == [
        "erste Fassung",
        "zweite",
        "dritte",
    ]
    changes = store.changes(area, "notes")
    assert [c["seq"] for c in changes] == [2, 3, 4]
    assert changes[-1]["review"] == "approved"
    assert store.changes(area, "notes", since=changes[-1]["ts"]) == []
    with pytest.raises(NotFound):
        store.history(area, "notes", "nichtda")


def test_delete_and_purge_remove_content_and_log_no_text(store, area):
    keep = store.add(area, "notes", note("bleibt"), actor="anna")
    gone = store.add(area, "notes", note(SECRET), actor="anna")
    store.update(area, "notes", gone["id"], note(SECRET + "."), expected_version=1, actor="a")
    store.delete(area, "notes", gone["id"], expected_version=2, actor="anna")
    history = store.history(area, "notes", gone["id"])
    assert [h["action"] for h in history] == ["add", "update", "delete"]
    assert all(h["feature"] is None for h in history)
    notes = [store.add(area, "notes", note(f"{SECRET} {i}"), actor="anna") for i in range(3)]
    ids = [n["id"] for n in notes]
    assert store.purge(area, "notes", ids, actor="cli:root") == 3
    assert [f["id"] for f in store.query(area, "notes")] == [keep["id"]]
    assert all(h["feature"] is None for h in store.history(area, "notes", ids[0]))
    log = audit_text(store, area)
    assert "Schaukasten" not in log
    last = json.loads(log.strip().splitlines()[-1])
    assert last["action"] == "purge" and last["count"] == 3 and last["ids"] == sorted(ids)
    assert store.purge(area, "notes", ids, actor="cli:root") == 0
    assert store.verify_audit(area).ok


def test_osm_layers_keep_no_versions(store, area):
    store.add(area, "resources", resource("n1"), actor="import")
    assert store.history(area, "resources", "n1")[0]["feature"] is None


def test_add_many_skips_known_ids(store, area):
    assert store.add_many(area, "resources", [resource("a"), resource("b")], actor="i") == [
        "a",
        "b",
    ]
    added = store.add_many(
        area, "resources", [resource("b"), resource("c"), resource("c")], actor="i"
    )
    assert added == ["c"]
    assert [f["id"] for f in store.query(area, "resources")] == ["a", "b", "c"]
    assert store.add_many(area, "resources", [], actor="i") == []


def test_upsert_and_sync_keep_order_versions_and_history(store, area):
    store.add_many(area, "resources", [resource(x) for x in "abcd"], actor="i")
    summary = store.upsert_many(
        area, "resources", [resource("b", name="neu"), resource("e"), resource("a")], actor="i"
    )
    assert (summary.added, summary.updated, summary.unchanged) == (["e"], ["b"], 1)
    assert [f["id"] for f in store.query(area, "resources")] == list("abcde")
    assert store.get(area, "resources", "b")["properties"]["version"] == 2
    summary = store.sync_layer(
        area, "resources", [resource("e"), resource("c", name="x"), resource("f")], actor="i"
    )
    assert summary.removed == ["a", "b", "d"] and summary.added == ["f"]
    assert summary.updated == ["c"] and summary.unchanged == 1
    assert [f["id"] for f in store.query(area, "resources")] == ["e", "c", "f"]
    with pytest.raises(InvalidInput, match="duplicate"):
        store.sync_layer(area, "resources", [resource("e"), resource("e")], actor="i")
    assert [f["id"] for f in store.query(area, "resources")] == ["e", "c", "f"]


def test_bulk_write_of_notes_keeps_every_version(store, area):
    notes = [{**note(f"n{i}"), "id": f"n{i}"} for i in range(3)]
    store.upsert_many(area, "notes", notes, actor="i")
    store.upsert_many(area, "notes", [{**note("n0 neu"), "id": "n0"}], actor="i")
    history = store.history(area, "notes", "n0")
    assert [(h["version"], h["action"]) for h in history] == [(1, "add"), (2, "update")]
    assert history[1]["feature"]["properties"]["text"] == "n0 neu"


def test_a_failing_bulk_write_writes_nothing(store, area):
    store.add_many(area, "resources", [resource("a")], actor="i")
    before = (store.revision(area, "resources"), audit_text(store, area))
    bad = [resource("b"), {**resource("c"), "geometry": {"type": "Point", "coordinates": [999, 0]}}]
    with pytest.raises(InvalidInput):
        store.upsert_many(area, "resources", bad, actor="i")
    assert (store.revision(area, "resources"), audit_text(store, area)) == before
    assert [f["id"] for f in store.query(area, "resources")] == ["a"]


def test_artifacts(store, area):
    assert store.artifact_revision(area, "walk.graphml") == "0"
    with pytest.raises(NotFound):
        store.read_artifact(area, "walk.graphml")
    store.write_artifact(area, "walk.graphml", b"\x00\x01graph", actor="i")
    first = store.artifact_revision(area, "walk.graphml")
    assert store.read_artifact(area, "walk.graphml") == b"\x00\x01graph"
    store.write_artifact(area, "walk.graphml", b"neu", actor="i")
    assert store.artifact_revision(area, "walk.graphml") not in ("0", first)
    store.delete_artifact(area, "walk.graphml", actor="i")
    store.delete_artifact(area, "walk.graphml", actor="i")
    assert store.artifact_revision(area, "walk.graphml") == "0"
    with pytest.raises(InvalidInput):
        store.read_artifact(area, "../x")


def test_audit_chain_verifies_and_seal(store, area):
    for i in range(5):
        store.add(area, "notes", note(f"n{i}"), actor="a")
    result = store.verify_audit(area, require_keyed=True)
    assert result.ok and result.entries == 6 and result.keyed
    entry = store.seal_audit(area, actor="cli")
    assert entry["action"] == "seal" and entry["seq"] == 7
    assert store.verify_audit(area).entries == 7


def test_audit_entries_of_an_area_and_a_layer(store, area):
    added = store.add(area, "notes", note("Geheimer Vermerk"), actor="a")
    store.add(area, "resources", resource("n1"), actor="b")
    store.delete(area, "notes", added["id"], expected_version=1, actor="c")
    entries = store.audit_entries(area)
    assert [(e["action"], e["layer"], e["actor"]) for e in entries] == [
        ("meta", None, "t"), ("add", "notes", "a"), ("add", "resources", "b"),
        ("delete", "notes", "c"),
    ]  # fmt: skip
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert [e["action"] for e in store.audit_entries(area, layer="notes")] == ["add", "delete"]
    assert "Geheimer Vermerk" not in json.dumps(entries, ensure_ascii=False)  # no text logged
    with pytest.raises(NotFound):
        store.audit_entries("gibtsnicht")


def test_read_only_store_refuses_writes(store, area, tmp_path):
    added = store.add(area, "notes", note(), actor="a")
    if isinstance(store, GeoJSONStore):
        reader = GeoJSONStore(store.data_dir, read_only=True)
    else:
        reader = open_store(tmp_path / "ro", read_only=True, database_url=store.url)
    with pytest.raises(ReadOnly):
        reader.add(area, "notes", note(), actor="a")
    with pytest.raises(ReadOnly):
        reader.write_meta(area, {"name": "x"}, actor="a")
    assert reader.get(area, "notes", added["id"]) == added


def test_a_second_instance_sees_writes_at_once(store, area, tmp_path):
    other = (
        GeoJSONStore(store.data_dir)
        if isinstance(store, GeoJSONStore)
        else open_store(tmp_path / "other", database_url=store.url)
    )
    assert other.query(area, "notes") == []
    added = store.add(area, "notes", note(), actor="a")
    assert other.query(area, "notes") == [added]
    other.update(area, "notes", added["id"], note("zwei"), expected_version=1, actor="b")
    assert store.query(area, "notes")[0]["properties"]["text"] == "zwei"


def test_a_request_snapshot_sees_its_own_writes_and_the_next_sees_others(store, area, tmp_path):
    """One web request reads within ``store.snapshot()`` (see the web app's request hooks)."""
    other = (
        GeoJSONStore(store.data_dir)
        if isinstance(store, GeoJSONStore)
        else open_store(tmp_path / "other", database_url=store.url)
    )
    first = store.add(area, "notes", note("eins"), actor="a")
    with store.snapshot():
        before = store.revision(area, "notes")
        assert store.read_meta(area)["title"] == "Test"
        assert [f["id"] for f in store.query(area, "notes")] == [first["id"]]
        got = store.get(area, "notes", first["id"])
        got["properties"]["text"] = "verändert"  # a copy: the cache keeps the stored text
        assert store.get(area, "notes", first["id"])["properties"]["text"] == "eins"
        with pytest.raises(NotFound):
            store.get(area, "notes", "gibt-es-nicht")
        own = store.add(area, "notes", note("zwei"), actor="a")
        assert store.revision(area, "notes") != before
        assert store.get(area, "notes", own["id"]) == own
        assert [f["id"] for f in store.query(area, "notes")] == [first["id"], own["id"]]
        store.write_meta(area, {**store.read_meta(area), "title": "Neu"}, actor="a")
        assert store.read_meta(area)["title"] == "Neu"
        third = other.add(area, "notes", note("drei"), actor="b")
        # a stale snapshot never lets a write through: versions are checked where they are stored
        other.update(area, "notes", first["id"], note("eins*"), expected_version=1, actor="b")
        with pytest.raises(VersionConflict):
            store.update(area, "notes", first["id"], note("x"), expected_version=1, actor="a")
    with store.snapshot():
        ids = [f["id"] for f in store.query(area, "notes")]
        assert ids == [first["id"], own["id"], third["id"]]
        assert store.get(area, "notes", first["id"])["properties"]["text"] == "eins*"
    assert store.snapshot() is not None


def test_postgres_snapshot_reads_an_area_in_one_statement(tmp_path, pg_url):
    """Within a snapshot the area's metadata and all generations come from one statement."""
    import psycopg

    from sozialraum.store.postgres import PostgresStore

    store = PostgresStore(pg_url, data_dir=tmp_path / "data")
    store.write_meta("test", {"name": "test", "title": "Test"}, actor="t")
    added = store.add("test", "notes", note(), actor="a")
    store.query("test", "notes")  # the process's cache holds the layer
    other = PostgresStore(pg_url, data_dir=tmp_path / "other")
    statements = []
    original = psycopg.Connection.execute

    def counting(self, query, params=None, **kwargs):
        statements.append(str(query))
        return original(self, query, params, **kwargs)

    psycopg.Connection.execute = counting
    try:
        with store.snapshot():
            store.read_meta("test")
            store.revision("test", "notes")
            store.revision("test", "walks")
            store.query("test", "notes")
            store.get("test", "notes", added["id"])
            store.read_meta("test")
            assert len(statements) == 1, statements
            # another request (another thread; its own context) writes meanwhile
            writer = threading.Thread(
                target=lambda: other.add("test", "notes", note("später"), actor="b")
            )
            writer.start()
            writer.join()
            statements.clear()
            assert len(store.query("test", "notes")) == 1  # the request's snapshot
            assert statements == []
        assert len(store.query("test", "notes")) == 2  # outside: every read revalidates
    finally:
        psycopg.Connection.execute = original


def test_threads_never_lose_an_update(store, area):
    added = store.add(area, "notes", note("0"), actor="a")
    errors = []

    def bump(worker):
        done = 0
        while done < 10:
            current = store.get(area, "notes", added["id"])
            try:
                store.update(
                    area,
                    "notes",
                    added["id"],
                    note(f"{worker}-{done}"),
                    expected_version=current["properties"]["version"],
                    actor=f"w{worker}",
                )
                done += 1
            except VersionConflict:
                continue
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return

    threads = [threading.Thread(target=bump, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.get(area, "notes", added["id"])["properties"]["version"] == 41
    assert len(store.history(area, "notes", added["id"])) == 41
    assert store.verify_audit(area).ok


def _writer(backend: str, location: str, area: str, count: int, worker: int) -> None:
    if backend == "geojson":
        store = GeoJSONStore(location)
    else:
        store = open_store("/nonexistent-data", database_url=location)
    for i in range(count):
        store.add(area, "notes", note(text=f"w{worker}-{i}"), actor=f"w{worker}")


def test_concurrent_processes_never_lose_a_write(store, area, backend):
    location = str(store.data_dir) if backend == "geojson" else store.url
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(backend, location, area, 15, w)) for w in range(3)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    assert [p.exitcode for p in workers] == [0, 0, 0]
    texts = sorted(f["properties"]["text"] for f in store.query(area, "notes"))
    assert texts == sorted(f"w{w}-{i}" for w in range(3) for i in range(15))
    result = store.verify_audit(area)
    assert result.ok and result.entries == 1 + 45


# -- both backends side by side ---------------------------------------------------------------


def _scenario(store) -> dict:
    """The same writes on a store; returns what it holds, without times and random ids."""
    area = "same"
    store.write_meta(area, {"name": area, "bbox": [6, 51, 7, 52]}, actor="t")
    kept = store.add(area, "notes", {**note("eins"), "id": "k1"}, actor="anna")
    store.update(area, "notes", "k1", note("zwei", district="d1"), expected_version=1, actor="b")
    with pytest.raises(VersionConflict):
        store.update(area, "notes", "k1", note("drei"), expected_version=1, actor="c")
    store.add(area, "notes", {**note("weg"), "id": "k2"}, actor="anna")
    store.delete(area, "notes", "k2", expected_version=1, actor="anna")
    store.add_many(area, "districts", [district("d1", 6, 51), district("d2", 6.5, 51.5)], actor="i")
    store.upsert_many(area, "resources", [resource(x) for x in "abc"], actor="i")
    store.sync_layer(area, "resources", [resource("c"), resource("a", name="n")], actor="i")
    store.purge(area, "notes", ["k2", "zz"], actor="cli")
    store.write_artifact(area, "walk.graphml", b"g", actor="i")
    assert kept["id"] == "k1"

    def timeless(feature):
        feature = copy.deepcopy(feature)
        if feature and feature.get("properties"):
            feature["properties"].pop("updated_at", None)
        return feature

    layers = {
        layer: [timeless(f) for f in store.query(area, layer)]
        for layer in ("notes", "districts", "resources", "walks")
    }
    entries = [
        {k: v for k, v in e.items() if k not in ("ts", "hash", "prev", "kid")}
        for layer in ("notes", "districts", "resources")
        for e in store.changes(area, layer)
    ]
    history = [
        {**{k: v for k, v in h.items() if k != "at"}, "feature": timeless(h["feature"])}
        for h in store.history(area, "notes", "k1") + store.history(area, "notes", "k2")
    ]
    return {
        "meta": store.read_meta(area),
        "layers": layers,
        "entries": sorted(entries, key=lambda e: e["seq"]),
        "history": history,
        "bbox": [f["id"] for f in store.query(area, "districts", bbox=(6.6, 51.6, 6.7, 51.7))],
        "district": [f["id"] for f in store.query(area, "notes", district="d1")],
        "artifact": store.read_artifact(area, "walk.graphml"),
        "verify": store.verify_audit(area).entries,
    }


def test_both_backends_store_the_same(tmp_path, pg_url):
    from sozialraum.store.postgres import PostgresStore

    files = _scenario(GeoJSONStore(tmp_path / "data"))
    database = _scenario(PostgresStore(pg_url, data_dir=tmp_path / "pg-data"))
    assert database == files


def _acknowledging_writer(backend: str, location: str, area: str, log: str, worker: int) -> None:
    """Add notes forever; after each acknowledged write append its id to ``log`` (flushed)."""
    if backend == "geojson":
        store = GeoJSONStore(location)
    else:
        store = open_store("/nonexistent-data", database_url=location)
    with open(log, "a", encoding="utf-8") as fh:
        i = 0
        while True:
            added = store.add(area, "notes", note(text=f"k{worker}-{i}"), actor=f"w{worker}")
            fh.write(added["id"] + "\n")
            fh.flush()
            i += 1


def test_kill_9_during_writes_loses_no_acknowledged_write(store, area, backend, tmp_path):
    import os
    import signal
    import time

    location = str(store.data_dir) if backend == "geojson" else store.url
    ctx = multiprocessing.get_context("spawn")
    acknowledged: set[str] = set()
    for round_ in range(3):
        logs = [tmp_path / f"ack-{round_}-{w}.txt" for w in range(2)]
        workers = [
            ctx.Process(target=_acknowledging_writer, args=(backend, location, area, str(log), w))
            for w, log in enumerate(logs)
        ]
        for p in workers:
            p.start()
        # kill once each writer has acknowledged a few writes (they are in the middle of more)
        while not all(log.exists() and len(log.read_text().split()) >= 3 for log in logs):
            assert all(p.is_alive() for p in workers), "a writer died"
            time.sleep(0.01)
        for p in workers:
            os.kill(p.pid, signal.SIGKILL)
        for p in workers:
            p.join()
        for log in logs:
            acknowledged |= set(log.read_text().split())
    stored = {f["id"] for f in open_store_like(store, tmp_path).query(area, "notes")}
    assert acknowledged <= stored
    result = store.verify_audit(area)
    assert result.ok, result.problems
    store.add(area, "notes", note("danach"), actor="a")  # the next write works
    assert store.verify_audit(area).ok


def open_store_like(store, tmp_path):
    """A fresh store on the same data (no cache of this process)."""
    if isinstance(store, GeoJSONStore):
        return GeoJSONStore(store.data_dir)
    return open_store(tmp_path / "fresh", database_url=store.url)


def test_own_writes_and_other_writers_keep_reads_current(store, area, tmp_path):
    other = open_store_like(store, tmp_path)
    first = store.add(area, "notes", note("eins"), actor="a")
    assert [f["id"] for f in store.query(area, "notes")] == [first["id"]]  # cached now
    second = store.add(area, "notes", note("zwei"), actor="a")  # the cache follows
    changed = store.update(area, "notes", first["id"], note("neu"), expected_version=1, actor="a")
    assert store.query(area, "notes") == [changed, second]
    third = other.add(area, "notes", note("drei"), actor="b")  # another process writes
    store.delete(area, "notes", second["id"], expected_version=1, actor="a")
    assert store.query(area, "notes") == [changed, third]
    assert other.query(area, "notes") == [changed, third]
    assert open_store_like(store, tmp_path).query(area, "notes") == [changed, third]


def test_postgres_cache_follows_other_writers_by_changed_rows(tmp_path, pg_url):
    """A process's cached layer is brought along with the rows changed since, never stale.

    Store ``a`` writes at random (adds, changes, removals, bulk writes, new order), and now
    and then ``b`` adds a note itself (its cache is patched); ``b`` must always read what a
    fresh store reads, taking unchanged features from its cache (the same objects) instead of
    the database, and an addition or a change in place must not need the ids in order.
    """
    import random

    from sozialraum.store.postgres import PostgresStore
    from sozialraum.store.postgres import store as postgres_store

    a = PostgresStore(pg_url, data_dir=tmp_path / "a")
    b = PostgresStore(pg_url, data_dir=tmp_path / "b")
    a.write_meta("test", {"name": "test"}, actor="t")
    rng = random.Random(22)
    ids = [a.add("test", "notes", note(f"n{i}"), actor="a")["id"] for i in range(20)]
    in_order = []
    original = postgres_store._read_order
    postgres_store._read_order = lambda *args: in_order.append(1) or original(*args)
    try:
        _random_writes(a, b, pg_url, tmp_path, rng, ids, in_order)
    finally:
        postgres_store._read_order = original


def _random_writes(a, b, pg_url, tmp_path, rng, ids, in_order):
    from sozialraum.store.postgres import PostgresStore

    kinds = set()
    for step in range(160):
        before = {f["id"]: f for f in b.query("test", "notes")}
        op = rng.choice(
            ["add", "update", "update", "delete", "sync", "many", "purge", "own", "reorder"]
        )
        if op == "own":  # b's own write: its cache is patched, its position kept
            ids.append(b.add("test", "notes", note(f"b{step}"), actor="b")["id"])
        elif op == "add":
            ids.append(a.add("test", "notes", note(f"s{step}"), actor="a")["id"])
        elif op in ("update", "delete") and ids:
            target = rng.choice(ids)
            version = a.get("test", "notes", target)["properties"]["version"]
            if op == "update":
                a.update(
                    "test", "notes", target, note(f"u{step}"), expected_version=version, actor="a"
                )
            else:
                a.delete("test", "notes", target, expected_version=version, actor="a")
                ids.remove(target)
        elif op == "sync":
            current = a.query("test", "notes")
            rng.shuffle(current)
            kept = [copy.deepcopy(f) for f in current[: max(1, len(current) - 1)]]
            if kept:
                kept[0]["properties"]["text"] = f"sync{step}"
            a.sync_layer("test", "notes", kept, actor="a")
            ids = [f["id"] for f in kept]
        elif op == "reorder":  # the same features in a new order: no row changed
            current = a.query("test", "notes")
            shuffled = [copy.deepcopy(f) for f in reversed(current)]
            a.sync_layer("test", "notes", shuffled, actor="a")
            ids = [f["id"] for f in shuffled]
        elif op == "many":
            new = [{**note(f"m{step}.{i}"), "id": f"m{step}x{i}"} for i in range(3)]
            ids += a.add_many("test", "notes", new, actor="a")
        elif op == "purge" and ids:
            gone = rng.sample(ids, min(2, len(ids)))
            a.purge("test", "notes", gone, actor="a")
            ids = [i for i in ids if i not in gone]
        fresh = PostgresStore(pg_url, data_dir=tmp_path / "c").query("test", "notes")
        in_order.clear()  # b's reading only (a's own reads may have been counted)
        seen = b.query("test", "notes")
        assert seen == fresh, (step, op)
        assert [f["id"] for f in seen] == ids
        if op in ("add", "update", "delete"):  # one row changed: the others are the cached ones
            unchanged = [f for f in seen if f["id"] in before and f == before[f["id"]]]
            assert all(f is before[f["id"]] for f in unchanged)
            assert len(unchanged) >= len(seen) - 1
        if op in ("add", "update", "many"):  # only rows changed in place or added at the end
            assert in_order == [], (step, op)
            kinds.add(op)
        if op in ("sync", "purge", "delete", "reorder") and len(ids) > 1:  # rows gone or moved
            assert in_order == [1], (step, op)  # the ids in order, read once
            kinds.add(op)
    assert kinds == {"add", "update", "many", "sync", "purge", "delete", "reorder"}  # all seen


def test_postgres_write_on_a_stale_audit_head_is_built_again(tmp_path, pg_url):
    """A write built on an audit head another process has moved changes nothing; built again."""
    import psycopg

    from sozialraum.store.postgres import PostgresStore

    a = PostgresStore(pg_url, data_dir=tmp_path / "a")
    b = PostgresStore(pg_url, data_dir=tmp_path / "b")
    a.write_meta("test", {"name": "test"}, actor="t")
    first = b.add("test", "notes", note("b1"), actor="b")  # b now knows the head
    heads = []
    original = b._read_head
    b._read_head = lambda area: heads.append(area) or original(area)
    a.add("test", "notes", note("a1"), actor="a")  # moves the head b knows
    second = b.add("test", "notes", note("b2"), actor="b")
    assert heads == []  # the stale attempt got the head with its check: no extra read
    a.update("test", "notes", first["id"], note("a2"), expected_version=1, actor="a")
    with pytest.raises(VersionConflict):  # stale head and stale version: the version wins
        b.update("test", "notes", first["id"], note("b3"), expected_version=1, actor="b")
    b.delete("test", "notes", second["id"], expected_version=1, actor="b")
    texts = sorted(f["properties"]["text"] for f in a.query("test", "notes"))
    assert texts == ["a1", "a2"]
    check = b.verify_audit("test")
    assert check.ok and check.entries == 6, check  # meta, 3 adds, 1 update, 1 delete
    with psycopg.connect(pg_url) as conn:
        kept = conn.execute(
            "SELECT id, version FROM feature_versions WHERE area = 'test' ORDER BY id, version"
        ).fetchall()
    assert sorted(kept) == sorted(
        [(first["id"], 1), (first["id"], 2)]
        + [(f["id"], 1) for f in a.query("test", "notes") if f["id"] != first["id"]]
    )


def test_postgres_write_that_keeps_losing_the_race_still_gets_through(tmp_path, pg_url):
    """A writer whose head another process moves before every try ends up holding the lock.

    Before the fallback, three writers in tight loops made one give up with StoreBusy (CI).
    """
    from sozialraum.store.postgres import PostgresStore
    from sozialraum.store.postgres import store as pg_store

    a = PostgresStore(pg_url, data_dir=tmp_path / "a")
    b = PostgresStore(pg_url, data_dir=tmp_path / "b")
    a.write_meta("test", {"name": "test"}, actor="t")
    b.add("test", "notes", note("b0"), actor="b")  # b knows the head
    locks = []
    original = b._lock

    def neighbour_first(conn, area):  # another process writes just before each of b's tries
        a.add("test", "notes", note(f"a{len(locks)}"), actor="a")
        locks.append(area)
        original(conn, area)

    b._lock = neighbour_first
    b.add("test", "notes", note("b1"), actor="b")
    assert len(locks) == pg_store._OPTIMISTIC_ATTEMPTS + 1  # every optimistic try lost
    texts = [f["properties"]["text"] for f in a.query("test", "notes")]
    assert texts.count("b1") == 1 and len(texts) == 2 + len(locks)
    check = a.verify_audit("test")
    assert check.ok and check.entries == 3 + len(locks), check


def test_postgres_write_holding_the_lock_fails_cleanly(tmp_path, pg_url, monkeypatch):
    """With the head read under the lock, a stale version or a missing area leave no open
    transaction behind: the next write on the pooled connections goes through."""
    from sozialraum.store.postgres import PostgresStore
    from sozialraum.store.postgres import store as pg_store

    monkeypatch.setattr(pg_store, "_OPTIMISTIC_ATTEMPTS", 0)  # every write holds the lock
    store = PostgresStore(pg_url, data_dir=tmp_path / "a")
    store.write_meta("test", {"name": "test"}, actor="t")
    first = store.add("test", "notes", note("one"), actor="a")
    store.update("test", "notes", first["id"], note("two"), expected_version=1, actor="a")
    for _ in range(3):  # more often than the pool has idle connections
        with pytest.raises(VersionConflict):
            store.update("test", "notes", first["id"], note("x"), expected_version=1, actor="a")
        with pytest.raises(NotFound):
            store.add("missing", "notes", note("y"), actor="a")
    store.delete("test", "notes", first["id"], expected_version=2, actor="a")
    assert store.query("test", "notes") == []
    check = store.verify_audit("test")
    assert check.ok and check.entries == 4, check
