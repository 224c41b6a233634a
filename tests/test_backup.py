"""Backup and restore of an area: round trip, consistency under a concurrent writer,
refusal of damaged or hostile archives, and the CLI commands."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import time
from pathlib import Path

import pytest

from sozialraum import settings
from sozialraum.cli import main
from sozialraum.demo.area import DEMO_AREA
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.store import GeoJSONStore
from sozialraum.store import audit as audit_log
from sozialraum.store.archive import FORMAT, MANIFEST_NAME
from sozialraum.store.archive import signed_body as _signed_body
from sozialraum.store.backup import backup_area, default_archive_name
from sozialraum.store.keys import KeyFile
from sozialraum.store.restore import restore_area

ROOT = Path(__file__).resolve().parent.parent


def note(text: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [6.95, 51.43]},
        "properties": {"category": "ressource", "text": text, "observed_on": "2026-11-01"},
    }


def area_files(folder: Path) -> dict[str, bytes]:
    """Every file of an area folder except the lock and temp files, with its content."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock" and not p.name.startswith(".tmp-")
    }


def tree(folder: Path) -> dict[str, bytes | None]:
    """Everything below ``folder`` (files with content, folders as None), lock included."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def read_members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isreg() else None) for m in tar.getmembers()]


def write_members(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    """Pack members (content None for links) into a new .tar.gz at ``path``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info, data in members:
            if data is None:
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return path


def member(name: str, data: bytes | None = None, kind=tarfile.REGTYPE, link="") -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o600
    return info, data


def manifest_of(members) -> dict:
    return json.loads(next(data for info, data in members if info.name == MANIFEST_NAME))


def sign(manifest: dict, key=None) -> dict:
    """``manifest`` signed with ``key`` (default: this machine's audit key, as the app does)."""
    key = key or KeyFile(settings.audit_key_file()).current_or_create()
    manifest = {k: v for k, v in manifest.items() if k != "signature"}
    return {**manifest, "signature": {"key_id": key.kid, "hmac": key.mac(_signed_body(manifest))}}


def with_manifest(members, manifest: dict, *, signed: bool = False) -> list:
    """Members with the manifest replaced (and signed again by the key's holder, if asked)."""
    body = json.dumps(sign(manifest) if signed else manifest).encode()
    return [(i, body) if i.name == MANIFEST_NAME else (i, d) for i, d in members]


def change_file(
    members, path: str, data: bytes, *, update_manifest: bool, signed: bool = False
) -> list:
    """Members with one file's content replaced (and, if asked, the manifest updated: by
    someone who knows the format, or, ``signed``, by the holder of the audit key)."""
    changed = [(i, data) if i.name == f"area/{path}" else (i, d) for i, d in members]
    if not update_manifest:
        return changed
    manifest = manifest_of(members)
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    return with_manifest(changed, manifest, signed=signed)


@pytest.fixture
def snapshot(demo_store, tmp_path):
    """A backup of the demo area and the area's files at the moment it was taken."""
    folder = demo_store.data_dir / DEMO_AREA
    files = area_files(folder)
    report = backup_area(demo_store, DEMO_AREA, tmp_path / "backup.tar.gz")
    return report, files


# -- round trip ---------------------------------------------------------------------------


def test_manifest_lists_every_file_with_size_and_checksum(demo_store, snapshot):
    report, files = snapshot
    members = read_members(report.path)
    assert members[0][0].name == MANIFEST_NAME
    manifest = manifest_of(members)
    assert manifest["format"] == FORMAT and manifest["format_version"] == 1
    assert manifest["area"] == DEMO_AREA and manifest["sozialraum_version"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["created_at"])
    listed = {e["path"]: (e["size"], e["sha256"]) for e in manifest["files"]}
    assert listed == {p: (len(b), hashlib.sha256(b).hexdigest()) for p, b in files.items()}
    assert {"audit.jsonl", "audit.head", "notes.geojson", "versions/notes.jsonl"} <= set(listed)
    assert ".lock" not in listed and (demo_store.data_dir / DEMO_AREA / ".lock").exists()
    names = [info.name for info, _ in members[1:]]
    assert names == [f"area/{p}" for p in listed]
    assert all(info.isreg() and info.mode == 0o600 for info, _ in members)
    assert report.files == len(files) and report.size == report.path.stat().st_size
    assert report.content_bytes == sum(len(b) for b in files.values())
    assert not [p for p in report.path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_round_trip_restores_the_snapshot_byte_for_byte(demo_store, snapshot):
    report, files = snapshot
    folder = demo_store.data_dir / DEMO_AREA
    layers = [p[: -len(".geojson")] for p in files if p.endswith(".geojson")]
    before = {layer: demo_store.query(DEMO_AREA, layer) for layer in layers}
    entries_before = demo_store.verify_audit(DEMO_AREA).entries

    notes = demo_store.query(DEMO_AREA, "notes")
    first, second = notes[0], notes[1]
    changed = {**first, "properties": {**first["properties"], "text": "geändert"}}
    demo_store.update(
        DEMO_AREA, "notes", first["id"], changed, expected_version=first["properties"]["version"],
        actor="test",
    )  # fmt: skip
    demo_store.delete(
        DEMO_AREA, "notes", second["id"], expected_version=second["properties"]["version"],
        actor="test",
    )  # fmt: skip
    demo_store.add(DEMO_AREA, "notes", note("nach der Sicherung"), actor="test")
    demo_store.write_artifact(DEMO_AREA, "extra.bin", b"neu", actor="test")
    (folder / "stray.txt").write_bytes(b"not in the backup")
    assert area_files(folder) != files

    result = restore_area(demo_store, report.path, replace=True)

    assert area_files(folder) == files  # byte-identical, files added since are gone
    assert result.replaced and result.area == DEMO_AREA and result.files == len(files)
    assert result.removed == ["analysis/extra.bin", "stray.txt"]
    # the same store instance (its layer cache was warm) and a fresh one read the snapshot
    for reader in (demo_store, GeoJSONStore(demo_store.data_dir)):
        assert {layer: reader.query(DEMO_AREA, layer) for layer in layers} == before
        assert reader.get(DEMO_AREA, "notes", second["id"]) == second
    verified = demo_store.verify_audit(DEMO_AREA)
    assert verified.ok and verified.entries == entries_before == result.audit_entries
    # the restored area takes writes again, with an intact audit chain
    demo_store.add(DEMO_AREA, "notes", note("nach der Wiederherstellung"), actor="test")
    assert demo_store.verify_audit(DEMO_AREA).entries == entries_before + 1
    assert not [p for p in demo_store.data_dir.iterdir() if p.name.startswith(".tmp-")]


def test_restore_under_another_name_leaves_the_original_alone(demo_store, snapshot, tmp_path):
    report, files = snapshot
    original = tree(demo_store.data_dir / DEMO_AREA)
    result = restore_area(demo_store, report.path, area="kopie")
    assert result.area == "kopie" and result.source_area == DEMO_AREA and not result.replaced
    assert area_files(demo_store.data_dir / "kopie") == files
    assert tree(demo_store.data_dir / DEMO_AREA) == original
    assert "kopie" in demo_store.areas() and demo_store.verify_audit("kopie").ok

    fresh = GeoJSONStore(tmp_path / "new-data-dir")  # the data folder does not exist yet
    restore_area(fresh, report.path)
    assert fresh.areas() == [DEMO_AREA]
    assert area_files(fresh.data_dir / DEMO_AREA) == files


def test_restore_over_an_existing_area_needs_replace(demo_store, snapshot):
    report, _ = snapshot
    demo_store.add(DEMO_AREA, "notes", note("bleibt"), actor="test")
    before = tree(demo_store.data_dir)
    with pytest.raises(InvalidInput, match="exists; restore with --replace"):
        restore_area(demo_store, report.path)
    assert tree(demo_store.data_dir) == before


def test_backup_refuses_unknown_area_and_existing_destination(demo_store, snapshot, tmp_path):
    report, _ = snapshot
    with pytest.raises(NotFound, match="does not exist"):
        backup_area(demo_store, "gibt-es-nicht", tmp_path / "x.tar.gz")
    with pytest.raises(InvalidInput, match="invalid area name"):
        backup_area(demo_store, "../etc", tmp_path / "x.tar.gz")
    existing = report.path.read_bytes()
    with pytest.raises(InvalidInput, match="already exists"):
        backup_area(demo_store, DEMO_AREA, report.path)
    assert report.path.read_bytes() == existing
    with pytest.raises(InvalidInput, match="inside the area folder"):
        backup_area(demo_store, DEMO_AREA, demo_store.data_dir / DEMO_AREA / "b.tar.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz", "data"]

    folder = tmp_path / "sicherungen"
    folder.mkdir()
    into_folder = backup_area(demo_store, DEMO_AREA, folder)
    assert into_folder.path.parent == folder
    assert re.fullmatch(rf"{DEMO_AREA}-\d{{8}}T\d{{6}}Z\.tar\.gz", into_folder.path.name)
    assert [p.name for p in folder.iterdir()] == [into_folder.path.name]


def test_links_are_neither_saved_nor_written_through(demo_store, snapshot, tmp_path):
    report, files = snapshot
    folder = demo_store.data_dir / DEMO_AREA
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"geheim")
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    linked = backup_area(demo_store, DEMO_AREA, tmp_path / "linked.tar.gz")
    assert linked.skipped == ["leak.txt (not a regular file)"]
    assert "area/leak.txt" not in [info.name for info, _ in read_members(linked.path)]

    # an "analysis" folder replaced by a link to a foreign folder is not written through
    shutil.rmtree(folder / "analysis")
    (folder / "analysis").symlink_to(outside, target_is_directory=True)
    result = restore_area(demo_store, report.path, replace=True)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert not (folder / "analysis").is_symlink() and area_files(folder) == files
    assert result.removed == ["leak.txt"] and (outside / "secret.txt").read_bytes() == b"geheim"


def test_default_archive_name_is_utc():
    from datetime import datetime, timedelta, timezone

    when = datetime(2026, 11, 21, 13, 5, 9, tzinfo=timezone(timedelta(hours=1)))
    assert default_archive_name("nord", when) == "nord-20261121T120509Z.tar.gz"


# -- a backup while another process writes ------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(sys.argv[1])
    stop = Path(sys.argv[2])
    count = 0
    while not stop.exists() and count < 5000:
        store.add(sys.argv[3], "notes", {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [6.95, 51.43]},
            "properties": {"category": "ressource", "text": f"Schreiber {count}",
                           "observed_on": "2026-11-01"},
        }, actor="writer")
        count += 1
        time.sleep(0.02)  # filelock is not fair: give the backup a chance at the lock
    print(count)
    """
)


def _writer_entries(folder: Path) -> int:
    return sum(1 for e in audit_log.entries(folder) if e.get("actor") == "writer")


def _wait_for_more_writes(proc, folder: Path, than: int) -> int:
    """Wait until the writer process has added more notes than ``than``."""
    while (count := _writer_entries(folder)) <= than:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)  # leave the CPU to the writer
    return count


def test_backup_while_another_process_writes_is_consistent(demo_store, tmp_path):
    folder = demo_store.data_dir / DEMO_AREA
    stop = tmp_path / "stop"
    entries_before = demo_store.verify_audit(DEMO_AREA).entries
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(demo_store.data_dir), str(stop), DEMO_AREA],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    archives = []
    try:
        seen = _wait_for_more_writes(proc, folder, 2)
        for number in range(5):
            archives.append(backup_area(demo_store, DEMO_AREA, tmp_path / f"b{number}.tar.gz"))
            seen = _wait_for_more_writes(proc, folder, seen)  # the writer went on meanwhile
    finally:
        stop.touch()
        out, err = proc.communicate()
    assert proc.returncode == 0, err
    written = int(out)

    counts = []
    for number, report in enumerate(archives):
        for info, data in read_members(report.path):
            if info.name.endswith(".geojson"):
                assert json.loads(data)["type"] == "FeatureCollection", info.name
        target = GeoJSONStore(tmp_path / f"restored-{number}")
        result = restore_area(target, report.path)
        restored = target.data_dir / DEMO_AREA
        assert target.verify_audit(DEMO_AREA).ok
        layer_ids = {
            n["id"]
            for n in target.query(DEMO_AREA, "notes")
            if n["properties"]["text"].startswith("Schreiber")
        }
        audited = {
            e["id"]
            for e in audit_log.entries(restored, layer="notes")
            if e.get("actor") == "writer" and e["action"] == "add"
        }
        # under the lock the snapshot holds every audited note and nothing unaudited
        assert layer_ids == audited and len(layer_ids) == result.audit_entries - entries_before
        counts.append(len(layer_ids))
        # a restored area is a working area
        target.add(DEMO_AREA, "notes", note("nach der Wiederherstellung"), actor="test")
        assert target.verify_audit(DEMO_AREA).ok
    assert counts == sorted(set(counts)) and counts[0] >= 3 and counts[-1] < written
    assert demo_store.verify_audit(DEMO_AREA).ok


# -- damaged and hostile archives ----------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _flip_byte(report, tmp_path) -> Path:
    data = bytearray(report.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "flipped.tar.gz"
    path.write_bytes(bytes(data))
    return path


def _audit_edited(members, *, signed: bool = False) -> list:
    log = next(d for i, d in members if i.name == "area/audit.jsonl")
    edited = log.replace(b'"actor":"', b'"actor":"x', 1)
    return change_file(members, "audit.jsonl", edited, update_manifest=True, signed=signed)


def _note_text_edited(members) -> list:
    """What the pen test did: a note changed and its SHA-256 recomputed in the manifest."""
    layer = next(d for i, d in members if i.name == "area/notes.geojson")
    edited = re.sub(rb'"text":"[^"]*"', b'"text":"geaendert"', layer, count=1)
    assert edited != layer
    return change_file(members, "notes.geojson", edited, update_manifest=True)


TAMPERED = {
    "changed byte in a file": (
        lambda m: change_file(m, "notes.geojson", b"X" + next(
            d for i, d in m if i.name == "area/notes.geojson")[1:], update_manifest=False),
        "does not match its SHA-256",
    ),
    "extra member": (
        lambda m: [*m, member("area/extra.txt", b"hallo")],
        "not listed in MANIFEST.json",
    ),
    "member with ../": (
        lambda m: [*m, member("area/../../evil.txt", b"boese")],
        "refused member 'area/../../evil.txt'",
    ),
    "absolute member": (
        lambda m: [*m, member(str(Path("/tmp/evil.txt")), b"boese")],
        "absolute path",
    ),
    "../ listed in the manifest": (
        lambda m: [
            *with_manifest(m, {**manifest_of(m), "files": [*manifest_of(m)["files"], {
                "path": "../evil.txt", "size": 5,
                "sha256": hashlib.sha256(b"boese").hexdigest()}]}),
            member("area/../evil.txt", b"boese"),
        ],
        "unsafe path '../evil.txt'",
    ),
    "symlink member": (
        lambda m: [*m, member("area/link", None, tarfile.SYMTYPE, "/etc/passwd")],
        "is a symbolic link",
    ),
    "hard link member": (
        lambda m: [*m, member("area/hard", None, tarfile.LNKTYPE, "area/area.json")],
        "is a hard link",
    ),
    "device member": (
        lambda m: [*m, member("area/dev", None, tarfile.CHRTYPE)],
        "device",
    ),
    "missing manifest": (
        lambda m: [(i, d) for i, d in m if i.name != MANIFEST_NAME],
        "does not start with MANIFEST.json",
    ),
    "manifest not JSON": (
        lambda m: [(i, b"{kaputt") if i.name == MANIFEST_NAME else (i, d) for i, d in m],
        "not valid JSON",
    ),
    "missing file": (
        lambda m: [(i, d) for i, d in m if i.name != "area/notes.geojson"],
        "lacks notes.geojson",
    ),
    "invalid area name": (
        lambda m: with_manifest(m, {**manifest_of(m), "area": "../nord"}),
        "not a valid area name",
    ),
    "newer format": (
        lambda m: with_manifest(m, {**manifest_of(m), "format_version": 99}),
        "format version 99",
    ),
    "foreign archive": (
        lambda m: with_manifest(m, {"files": []}),
        "not a sozialraum area backup",
    ),
    "layer not a FeatureCollection (signed)": (
        lambda m: change_file(m, "notes.geojson", b'{"type": "Feature"}', update_manifest=True,
                              signed=True),
        "notes.geojson in the archive is not a GeoJSON FeatureCollection",
    ),
    "layer not JSON (signed)": (
        lambda m: change_file(m, "notes.geojson", b"[1, 2", update_manifest=True, signed=True),
        "notes.geojson in the archive is not valid JSON",
    ),
    "audit log edited (manifest fitted)": (
        _audit_edited,
        "does not match its signature (checked against audit key",
    ),
    "audit log edited (manifest fitted and signed)": (
        lambda m: _audit_edited(m, signed=True),
        "audit log in the archive does not verify",
    ),
    "note edited (manifest fitted)": (
        _note_text_edited,
        "does not match its signature (checked against audit key",
    ),
    "signature removed (manifest fitted)": (
        lambda m: with_manifest(_note_text_edited(m), {
            k: v for k, v in manifest_of(_note_text_edited(m)).items() if k != "signature"}),
        "the archive is not signed",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", TAMPERED)
def test_tampered_archive_is_refused_and_nothing_changes(demo_store, snapshot, tmp_path, case):
    report, _ = snapshot
    tamper, message = TAMPERED[case]
    archive = write_members(tmp_path / "tampered.tar.gz", tamper(read_members(report.path)))
    demo_store.add(DEMO_AREA, "notes", note("nach der Sicherung"), actor="test")
    before = tree(demo_store.data_dir)
    with pytest.raises(InvalidInput) as info:
        restore_area(demo_store, archive, replace=True)
    assert message in info.value.message
    assert tree(demo_store.data_dir) == before
    assert not list(tmp_path.rglob("evil.txt")) and not Path("/tmp/evil.txt").exists()


def test_repacked_untampered_archive_is_accepted(demo_store, snapshot, tmp_path):
    """The helpers above build archives restore accepts: the refusals are the tampering."""
    report, files = snapshot
    archive = write_members(tmp_path / "repacked.tar.gz", read_members(report.path))
    demo_store.add(DEMO_AREA, "notes", note("nach der Sicherung"), actor="test")
    restore_area(demo_store, archive, replace=True)
    assert area_files(demo_store.data_dir / DEMO_AREA) == files


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_flip_byte, None),  # a checksum, CRC or format error, depending on the byte
        (lambda r, t: _write(t / "text.tar.gz", b"kein Archiv"),
         "not a readable .tar.gz archive"),
        (lambda r, t: _write(t / "cut.tar.gz", r.path.read_bytes()[:5000]), "archive"),
        (lambda r, t: t / "fehlt.tar.gz", "does not exist"),
    ],
    ids=["flipped byte", "not gzip", "truncated", "missing"],
)  # fmt: skip
def test_damaged_archive_file_is_refused(demo_store, snapshot, tmp_path, make, message):
    report, _ = snapshot
    archive = make(report, tmp_path)
    before = tree(demo_store.data_dir)
    with pytest.raises(InvalidInput) as info:
        restore_area(demo_store, archive, replace=True)
    assert message is None or message in info.value.message
    assert tree(demo_store.data_dir) == before


def test_archives_beyond_the_limits_are_refused(demo_store, snapshot, tmp_path):
    report, files = snapshot
    total = sum(len(b) for b in files.values())
    demo_store.add(DEMO_AREA, "notes", note("nach der Sicherung"), actor="test")
    before = tree(demo_store.data_dir)
    with pytest.raises(InvalidInput, match="at most 3 allowed"):
        restore_area(demo_store, report.path, replace=True, max_members=3)
    with pytest.raises(InvalidInput, match=f"at most {total - 1} allowed"):
        restore_area(demo_store, report.path, replace=True, max_total_bytes=total - 1)
    # a decompression bomb: 64 MiB of zeros after the end of the tar stream
    tar_bytes = gzip.decompress(report.path.read_bytes())
    bomb = tmp_path / "bomb.tar.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(tar_bytes)
        for _ in range(64):
            fh.write(bytes(1024**2))
    assert bomb.stat().st_size < 1024**2
    with pytest.raises(InvalidInput, match="unpacks to more than"):
        restore_area(demo_store, bomb, replace=True, max_total_bytes=total, max_members=20)
    assert tree(demo_store.data_dir) == before
    restore_area(demo_store, report.path, replace=True, max_total_bytes=total, max_members=20)
    assert area_files(demo_store.data_dir / DEMO_AREA) == files


# -- command line ---------------------------------------------------------------------------


def test_cli_backup_and_restore_end_to_end(runner, demo_store, tmp_path, monkeypatch):
    data = str(demo_store.data_dir)
    folder = demo_store.data_dir / DEMO_AREA
    files = area_files(folder)
    archive = tmp_path / "sicherung.tar.gz"

    result = runner.invoke(main, ["backup", DEMO_AREA, "--data-dir", data, "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert f"wrote {archive} ({len(files)} files, " in result.output and archive.is_file()
    assert f"signed with audit key {demo_store.audit_keys.current().kid}" in result.output

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = runner.invoke(main, ["backup", DEMO_AREA, "--data-dir", data])
    assert result.exit_code == 0, result.output
    written = list(cwd.iterdir())
    assert len(written) == 1
    assert re.fullmatch(rf"{DEMO_AREA}-\d{{8}}T\d{{6}}Z\.tar\.gz", written[0].name)
    assert f"wrote {written[0]} (" in result.output

    demo_store.add(DEMO_AREA, "notes", note("nach der Sicherung"), actor="test")
    changed = tree(demo_store.data_dir)
    result = runner.invoke(main, ["restore", str(archive), "--data-dir", data])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: area '{DEMO_AREA}' exists; restore with --replace to overwrite it\n"
    )
    assert tree(demo_store.data_dir) == changed

    result = runner.invoke(main, ["restore", str(archive), "--replace", "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert f"restored area '{DEMO_AREA}' from the backup of " in result.output
    assert "audit log ok" in result.output and "replaced the existing area" in result.output
    kid = demo_store.audit_keys.current().kid
    assert f"signature checked against audit key {kid}" in result.output
    assert demo_store.audit_keys.current().secret.hex() not in result.output
    assert area_files(folder) == files

    result = runner.invoke(main, ["restore", str(archive), "--area", "kopie", "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert f"restored area 'kopie' (saved as '{DEMO_AREA}')" in result.output
    assert area_files(demo_store.data_dir / "kopie") == files

    result = runner.invoke(main, ["audit", "verify", "--data-dir", data])
    assert result.exit_code == 0 and "kopie: ok" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backup", "gibt-es-nicht"], "error: area 'gibt-es-nicht' does not exist"),
        (["backup", "Kein Name"], "error: invalid area name 'Kein Name'"),
        (["restore", "fehlt.tar.gz"], "error: archive fehlt.tar.gz does not exist"),
        (["restore", "kaputt.tar.gz"], "error: kaputt.tar.gz is not a readable .tar.gz"),
        (["restore", "sicherung.tar.gz", "--area", "X Y"], "error: invalid area name 'X Y'"),
        (["backup", DEMO_AREA, "-o", "sicherung.tar.gz"], "already exists"),
    ],
)
def test_cli_errors_are_one_line_with_exit_status_1(
    runner, demo_store, tmp_path, monkeypatch, args, message
):
    data = str(demo_store.data_dir)
    monkeypatch.chdir(tmp_path)
    Path("kaputt.tar.gz").write_text("kein Archiv")
    backup = ["backup", DEMO_AREA, "-o", "sicherung.tar.gz", "--data-dir", data]
    assert runner.invoke(main, backup).exit_code == 0
    before = tree(demo_store.data_dir)
    result = runner.invoke(main, [*args, "--data-dir", data])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert tree(demo_store.data_dir) == before


# -- signed manifests (issue 26, finding 9) --------------------------------------------------
def test_the_manifest_is_signed_and_the_archive_never_holds_the_key(demo_store, snapshot):
    report, _ = snapshot
    key = demo_store.audit_keys.current()
    members = read_members(report.path)
    manifest = manifest_of(members)
    assert report.key_id == key.kid and manifest["signature"]["key_id"] == key.kid
    assert manifest == sign(manifest)  # the HMAC of the rest of the manifest
    raw = gzip.decompress(report.path.read_bytes())
    assert key.secret.hex().encode() not in raw and key.secret not in raw
    assert not any("audit_key" in info.name for info, _ in members)


def test_restore_on_another_machine_needs_the_key_and_says_which(
    demo_store, snapshot, tmp_path, monkeypatch
):
    report, files = snapshot
    kid = report.key_id
    elsewhere = tmp_path / "anderer-rechner"
    monkeypatch.setenv("SOZIALRAUM_AUDIT_KEY_FILE", str(elsewhere / "audit_key"))
    target = GeoJSONStore(elsewhere / "daten")
    with pytest.raises(InvalidInput) as info:
        restore_area(target, report.path)
    assert f"signed with audit key {kid}, which this machine does not have" in info.value.message
    assert "no audit key yet" in info.value.message and "separate channel" in info.value.message
    assert target.areas() == []
    own = target.audit_keys.current_or_create()  # the machine has a key of its own
    with pytest.raises(InvalidInput, match=f"it has audit key {own.kid}"):
        restore_area(target, report.path)
    # the key file copied beside its own key (as a retired key) through a separate channel
    shutil.copy(demo_store.audit_keys.current().path, elsewhere / f"audit_key.{kid}")
    restored = restore_area(target, report.path)
    assert restored.key_id == kid and restored.audit_key_ids == [kid]
    assert area_files(target.data_dir / DEMO_AREA) == files
    target.add(DEMO_AREA, "notes", note("auf dem neuen Rechner"), actor="test")
    assert target.verify_audit(DEMO_AREA).key_ids == [kid, own.kid]


def test_an_archive_signed_with_a_stranger_key_is_refused(demo_store, snapshot, tmp_path):
    report, _ = snapshot
    stranger = KeyFile(tmp_path / "fremd" / "audit_key").current_or_create()
    members = change_file(read_members(report.path), "area.json", b"{}", update_manifest=True)
    forged = with_manifest(members, sign(manifest_of(members), stranger))
    archive = write_members(tmp_path / "fremd.tar.gz", forged)
    with pytest.raises(InvalidInput, match=f"signed with audit key {stranger.kid}, which"):
        restore_area(demo_store, archive, replace=True)


def test_an_unsigned_archive_from_before_the_keys_only_with_allow_unsigned(
    runner, demo_store, snapshot, tmp_path
):
    report, files = snapshot
    members = read_members(report.path)
    legacy = {k: v for k, v in manifest_of(members).items() if k != "signature"}
    archive = write_members(tmp_path / "alt.tar.gz", with_manifest(members, legacy))
    data = str(demo_store.data_dir)
    result = runner.invoke(main, ["restore", str(archive), "--replace", "--data-dir", data])
    assert result.exit_code == 1 and "the archive is not signed" in result.stderr
    result = runner.invoke(
        main, ["restore", str(archive), "--replace", "--allow-unsigned", "--data-dir", data]
    )
    assert result.exit_code == 0, result.output
    assert "warning: the archive was not signed" in result.output
    assert area_files(demo_store.data_dir / DEMO_AREA) == files
