"""Kept versions: every version of a note for its history, deletion and purge for good."""

from __future__ import annotations

import json

import pytest

from sozialraum.errors import NotFound, StorageError
from sozialraum.store import _atomic

SECRET = "Aushang nur freitags im Schaukasten"


def note(text="Bäckerei bietet Aushang an"):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [6.95, 51.43]},
        "properties": {"category": "ressource", "text": text, "observed_on": "2026-11-01"},
    }


@pytest.fixture
def area(store):
    store.write_meta("test", {"name": "test"}, actor="t")
    return "test"


def test_history_has_every_version_with_who_and_when(store, area):
    added = store.add(area, "notes", note("erste Fassung"), actor="anna")
    store.update(area, "notes", added["id"], note("zweite"), expected_version=1, actor="ben")
    store.update(area, "notes", added["id"], note("dritte"), expected_version=2, actor="anna")
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
    assert all(h["at"].endswith("+00:00") for h in history)


def test_the_audit_log_never_holds_note_text(store, area):
    added = store.add(area, "notes", note(SECRET), actor="anna")
    store.update(area, "notes", added["id"], note(SECRET + "!"), expected_version=1, actor="a")
    assert "Schaukasten" not in (store.area_dir(area) / "audit.jsonl").read_text()


def test_osm_layers_keep_no_versions(store, area):
    feature = {
        "type": "Feature",
        "id": "n1",
        "geometry": {"type": "Point", "coordinates": [6.95, 51.43]},
        "properties": {"categories": ["bakery"], "osm_type": "node", "osm_id": 1},
    }
    store.add(area, "resources", feature, actor="import")
    assert not (store.area_dir(area) / "versions" / "resources.jsonl").exists()
    assert store.history(area, "resources", "n1")[0]["feature"] is None


def test_delete_removes_the_content_of_every_version(store, area):
    keep = store.add(area, "notes", note("bleibt"), actor="anna")
    gone = store.add(area, "notes", note(SECRET), actor="anna")
    store.update(area, "notes", gone["id"], note(SECRET + "."), expected_version=1, actor="a")
    store.delete(area, "notes", gone["id"], expected_version=2, actor="anna")
    kept = (store.area_dir(area) / "versions" / "notes.jsonl").read_text()
    assert "Schaukasten" not in kept and "bleibt" in kept
    history = store.history(area, "notes", gone["id"])
    assert [h["action"] for h in history] == ["add", "update", "delete"]
    assert all(h["feature"] is None for h in history)
    assert store.history(area, "notes", keep["id"])[0]["feature"]["properties"]["text"] == "bleibt"


def test_purge_deletes_for_good_and_logs_ids_without_content(store, area):
    notes = [store.add(area, "notes", note(f"{SECRET} {i}"), actor="anna") for i in range(3)]
    other = store.add(area, "notes", note("bleibt"), actor="anna")
    ids = [n["id"] for n in notes]
    assert store.purge(area, "notes", ids, actor="cli:root") == 3
    assert [f["id"] for f in store.query(area, "notes")] == [other["id"]]
    folder = store.area_dir(area)
    assert "Schaukasten" not in (folder / "versions" / "notes.jsonl").read_text()
    assert "Schaukasten" not in (folder / "notes.geojson").read_text()
    log = [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]
    assert log[-1]["action"] == "purge" and log[-1]["count"] == 3
    assert sorted(log[-1]["ids"]) == sorted(ids)
    assert "Schaukasten" not in (folder / "audit.jsonl").read_text()
    assert store.verify_audit(area).ok
    assert store.purge(area, "notes", ids, actor="cli:root") == 0


def test_history_of_an_unknown_note(store, area):
    with pytest.raises(NotFound):
        store.history(area, "notes", "nichtda")


def test_a_failed_write_leaves_no_version_in_the_history(store, area, monkeypatch):
    added = store.add(area, "notes", note("gespeichert"), actor="anna")
    real = _atomic.write_atomic

    def failing(path, data):
        if str(path).endswith("notes.geojson"):
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr("sozialraum.store.geojson.write_atomic", failing)
    with pytest.raises(StorageError):
        store.update(area, "notes", added["id"], note("verloren"), expected_version=1, actor="a")
    monkeypatch.undo()
    history = store.history(area, "notes", added["id"])
    assert [h["feature"]["properties"]["text"] for h in history] == ["gespeichert"]
    again = store.update(area, "notes", added["id"], note("neu"), expected_version=1, actor="a")
    assert again["properties"]["version"] == 2
    texts = [h["feature"]["properties"]["text"] for h in store.history(area, "notes", added["id"])]
    assert texts == ["gespeichert", "neu"]
