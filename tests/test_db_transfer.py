"""``sozialraum db migrate-from`` / ``db export``: folder → PostgreSQL → folder, unchanged."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from sozialraum.cli import main
from sozialraum.errors import InvalidInput
from sozialraum.store import GeoJSONStore, audit
from sozialraum.store.postgres import PostgresStore
from sozialraum.store.postgres.transfer import export_area, migrate_area


def _without_generation(path):
    data = json.loads(path.read_bytes())
    data.pop("generation", None)
    return data


def _same_folders(a, b):
    names_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != ".lock")
    names_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.name != ".lock")
    assert names_a == names_b
    for name in names_a:
        if name.suffix == ".geojson":
            assert _without_generation(a / name) == _without_generation(b / name), name
            # the same bytes apart from the generation token
            assert len((a / name).read_bytes()) == len((b / name).read_bytes()), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_demo_area_round_trip_is_identical(demo_store, pg_url, tmp_path, demo_area):
    database = PostgresStore(pg_url, data_dir=tmp_path / "local")
    report = migrate_area(demo_store, database, demo_area)
    assert report.problems == []
    assert report.features["notes"] == len(demo_store.query(demo_area, "notes")) > 0
    assert report.audit_entries == demo_store.verify_audit(demo_area).entries
    assert "basemap.pmtiles" in report.local_files
    for layer, count in report.features.items():
        assert [f["id"] for f in database.query(demo_area, layer)] == [
            f["id"] for f in demo_store.query(demo_area, layer)
        ]
        assert len(database.query(demo_area, layer)) == count
    assert database.verify_audit(demo_area).ok
    # the copy goes on being written to, in the same chain
    note = demo_store.query(demo_area, "notes")[0]
    database.update(
        demo_area,
        "notes",
        note["id"],
        note,
        expected_version=note["properties"]["version"],
        actor="anna",
    )
    demo_store.update(
        demo_area,
        "notes",
        note["id"],
        note,
        expected_version=note["properties"]["version"],
        actor="anna",
    )
    out = tmp_path / "export"
    exported = export_area(database, demo_area, out)
    assert exported.problems == []
    assert GeoJSONStore(out).verify_audit(demo_area).ok
    # the same as the folder written to directly, apart from times and hashes of the last write
    for name in ("area.json", "analysis/walk-network.npz", "basemap.pmtiles"):
        assert (out / demo_area / name).read_bytes() == (
            demo_store.area_dir(demo_area) / name
        ).read_bytes()


def test_round_trip_without_changes_gives_the_same_files(demo_store, pg_url, tmp_path, demo_area):
    database = PostgresStore(pg_url, data_dir=tmp_path / "local")
    assert migrate_area(demo_store, database, demo_area).problems == []
    out = tmp_path / "export"
    assert export_area(database, demo_area, out).problems == []
    _same_folders(demo_store.area_dir(demo_area), out / demo_area)


def test_an_area_is_not_copied_twice_and_a_broken_log_is_refused(
    demo_store, pg_url, tmp_path, demo_area
):
    database = PostgresStore(pg_url, data_dir=tmp_path / "local")
    migrate_area(demo_store, database, demo_area)
    with pytest.raises(InvalidInput, match="exists in the database"):
        migrate_area(demo_store, database, demo_area)
    broken = tmp_path / "broken"
    shutil.copytree(demo_store.data_dir, broken)
    log = broken / demo_area / audit.LOG_NAME
    lines = log.read_bytes().split(b"\n")
    log.write_bytes(b"\n".join(lines[:2] + lines[3:]))
    other = PostgresStore(pg_url, data_dir=tmp_path / "local2")
    with pytest.raises(InvalidInput, match="does not verify"):
        migrate_area(GeoJSONStore(broken), other, demo_area)


def test_cli_migrate_from_export_and_audit_verify(
    runner, demo_store, pg_url, tmp_path, demo_area, monkeypatch
):
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", pg_url)
    local = str(tmp_path / "local")
    result = runner.invoke(
        main, ["db", "migrate-from", "--data-dir", local, str(demo_store.data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert f"{demo_area}: copied" in result.output
    result = runner.invoke(main, ["audit", "verify", "--data-dir", local])
    assert result.exit_code == 0, result.output
    assert f"{demo_area}: ok" in result.output
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["db", "export", "--data-dir", local, "--area", demo_area, str(out)]
    )
    assert result.exit_code == 0, result.output
    _same_folders(demo_store.area_dir(demo_area), out / demo_area)
    result = runner.invoke(main, ["db", "export", "--data-dir", local, str(out)])
    assert result.exit_code == 1 and "exists already" in result.output


def test_cli_db_commands_need_a_url(runner, monkeypatch):
    monkeypatch.delenv("SOZIALRAUM_DATABASE_URL", raising=False)
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1 and "no database" in result.output


def test_cli_db_upgrade(runner, pg_cluster, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", "")  # --database-url sets it; undone after
    url = pg_cluster.create_database()
    result = runner.invoke(main, ["--database-url", url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    from sozialraum.db.migrate import head_revision

    assert f"revision {head_revision()}" in result.output
    assert os.environ["SOZIALRAUM_DATABASE_URL"] == url


# -- purge, backup and restore on the database -----------------------------------------------


def _database_text(url: str, needle: str) -> int:
    """How many rows of the store's tables hold ``needle`` anywhere."""
    from sozialraum.db import get_pool

    with get_pool(url).connection() as conn:
        return sum(
            conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column}::text LIKE %s", (f"%{needle}%",)
            ).fetchone()[0]
            for table, column in (
                ("features", "feature"),
                ("feature_versions", "feature"),
                ("audit_log", "line"),
                ("areas", "meta"),
            )
        )


@pytest.mark.parametrize("backend", ["postgres"])
def test_cli_purge_on_the_database(runner, backend_demo_store, demo_area, monkeypatch):
    store = backend_demo_store
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", store.url)
    notes = store.query(demo_area, "notes")
    secret = "Nur dieser Text darf nach dem Löschen nirgends mehr stehen."
    for note in notes[:2]:
        props = note["properties"]
        changed = {
            **note,
            "properties": {**props, "text": secret, "expires_on": "2021-01-01"},
        }
        store.update(
            demo_area, "notes", note["id"], changed, expected_version=props["version"], actor="t"
        )
    assert _database_text(store.url, secret) == 4  # two notes, two kept versions
    data = ["--data-dir", str(store.data_dir)]
    result = runner.invoke(main, ["purge", *data, "--area", demo_area])
    assert result.exit_code == 0, result.output
    assert f"{demo_area}: 2 expired notes" in result.output
    assert len(store.query(demo_area, "notes")) == len(notes) - 2
    assert _database_text(store.url, secret) == 0
    assert store.changes(demo_area, "notes")[-1]["action"] == "purge"
    assert runner.invoke(main, ["audit", "verify", *data]).exit_code == 0


@pytest.mark.parametrize("backend", ["postgres"])
def test_cli_backup_and_restore_on_the_database(
    runner, backend_demo_store, demo_area, tmp_path, monkeypatch
):
    store = backend_demo_store
    monkeypatch.setenv("SOZIALRAUM_DATABASE_URL", store.url)
    data = ["--data-dir", str(store.data_dir)]
    out = tmp_path / "backups"
    out.mkdir()
    result = runner.invoke(main, ["backup", *data, demo_area, "-o", str(out)])
    assert result.exit_code == 0, result.output
    (archive,) = out.glob("*.tar.gz")
    before = [f["id"] for f in store.query(demo_area, "notes")]
    note = store.query(demo_area, "notes")[0]
    store.delete(
        demo_area, "notes", note["id"], expected_version=note["properties"]["version"], actor="t"
    )
    result = runner.invoke(main, ["restore", *data, str(archive)])
    assert result.exit_code != 0 and "--replace" in result.output
    result = runner.invoke(main, ["restore", *data, str(archive), "--replace"])
    assert result.exit_code == 0, result.output
    assert [f["id"] for f in store.query(demo_area, "notes")] == before
    assert store.verify_audit(demo_area).ok
    # the same archive restores into a GeoJSON data folder too
    monkeypatch.delenv("SOZIALRAUM_DATABASE_URL")
    files = tmp_path / "files"
    result = runner.invoke(main, ["restore", "--data-dir", str(files), str(archive)])
    assert result.exit_code == 0, result.output
    assert [f["id"] for f in GeoJSONStore(files).query(demo_area, "notes")] == before
