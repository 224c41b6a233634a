"""The keyed, hash-chained audit log detects edits, removed lines and truncation, also by
an editor who knows the format (issue 26, finding 9)."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import stat

import pytest

from sozialraum.errors import StorageError
from sozialraum.store import GeoJSONStore, audit
from sozialraum.store.keys import KeyFile


@pytest.fixture
def keys(tmp_path):
    """The audit key, in its own folder (the instance folder), apart from the log."""
    return KeyFile(tmp_path / "instance" / "audit_key", data_dir=tmp_path / "area")


@pytest.fixture
def log(tmp_path, keys):
    folder = tmp_path / "area"
    folder.mkdir()
    for i in range(5):
        audit.append(
            folder,
            key=keys.current_or_create(),
            actor="anna",
            action="add",
            layer="notes",
            id=f"n{i}",
            old_version=None,
            new_version=1,
        )
    return folder


def test_intact_log_verifies(log, keys):
    result = audit.verify(log, keys)
    assert result.ok and result.entries == 5 and result.problems == []


def test_entries_are_chained_and_hold_no_content(log, keys):
    lines = [json.loads(line) for line in (log / audit.LOG_NAME).read_text().splitlines()]
    assert lines[0]["prev"] == audit.GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(lines))
    assert all("text" not in entry for entry in lines)


def test_edited_entry_is_detected(log, keys):
    path = log / audit.LOG_NAME
    path.write_text(path.read_text().replace('"actor":"anna"', '"actor":"bert"', 1))
    result = audit.verify(log, keys)
    assert not result.ok and "edited" in result.problems[0]


def test_removed_line_is_detected(log, keys):
    path = log / audit.LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2] + lines[3:]))
    assert "chain broken" in audit.verify(log, keys).problems[0]


def test_removed_last_lines_are_detected(log, keys):
    path = log / audit.LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]))
    result = audit.verify(log, keys)
    assert not result.ok and "records 5" in result.problems[0]


def test_truncated_file_is_detected(log, keys):
    path = log / audit.LOG_NAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    assert not audit.verify(log, keys).ok


def test_deleted_log_is_detected(log, keys):
    (log / audit.LOG_NAME).unlink()
    assert not audit.verify(log, keys).ok


def test_crash_between_log_line_and_head_is_repaired(log, keys):
    head = (log / audit.HEAD_NAME).read_text()
    audit.append(log, key=keys.current(), actor="anna", action="add", layer="notes", id="n5")
    (log / audit.HEAD_NAME).write_text(head)  # as if the process died before the head write
    result = audit.verify(log, keys)
    assert result.ok and result.entries == 6 and "behind" in result.notes[0]
    audit.append(log, key=keys.current(), actor="anna", action="add", layer="notes", id="n6")
    result = audit.verify(log, keys)
    assert result.ok and result.entries == 7 and result.notes == []


def test_partial_last_line_from_a_crash_is_cut_on_next_append(log, keys):
    path = log / audit.LOG_NAME
    with open(path, "ab") as fh:
        fh.write(b'{"seq":6,"ts":"2026-')  # the process died mid-write
    assert not audit.verify(log, keys).ok
    audit.append(log, key=keys.current(), actor="anna", action="add", layer="notes", id="n6")
    result = audit.verify(log, keys)
    assert result.ok and result.entries == 6


def test_damaged_head_is_reported_not_a_traceback(log, keys):
    (log / audit.HEAD_NAME).write_text('{"count": ')
    result = audit.verify(log, keys)
    assert not result.ok and "unreadable" in result.problems[0]
    with pytest.raises(audit.StorageError, match="unreadable"):
        audit.append(log, key=keys.current(), actor="anna", action="add")


def test_append_refuses_when_lines_were_removed(log, keys):
    path = log / audit.LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]))
    with pytest.raises(audit.StorageError, match="shorter"):
        audit.append(log, key=keys.current(), actor="anna", action="add")
    assert len(path.read_text().splitlines()) == 3


# -- an editor who knows the format (issue 26, finding 9) ------------------------------------
def _rewrite_as_an_editor(log, change, *, keep_kid=True) -> None:
    """Change entries with ``change(entry)`` and recompute the whole chain and the head the
    way anyone who read this module could: SHA-256, without the key file."""
    prev = audit.GENESIS
    lines = []
    for raw in (log / audit.LOG_NAME).read_text().splitlines():
        entry = json.loads(raw)
        entry.pop("hash")
        if not keep_kid:
            entry.pop("kid", None)
        change(entry)
        entry["prev"] = prev
        body = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        entry["hash"] = prev = hashlib.sha256(body.encode()).hexdigest()
        lines.append(json.dumps(entry, separators=(",", ":")) + "\n")
    (log / audit.LOG_NAME).write_text("".join(lines))
    (log / audit.HEAD_NAME).write_text(json.dumps({"count": len(lines), "hash": prev}))


def _blame_bert(entry):
    if entry.get("id") == "n2":
        entry["actor"] = "bert"


def test_an_edit_with_a_recomputed_chain_and_head_is_detected(log, keys):
    _rewrite_as_an_editor(log, _blame_bert)
    result = audit.verify(log, keys)
    assert not result.ok and "line 1: entry was edited" in result.problems[0]


def test_stripping_the_key_ids_is_no_way_around_it(log, keys):
    _rewrite_as_an_editor(log, _blame_bert, keep_kid=False)
    result = audit.verify(log, keys)
    # a log without keyed entries is reported as not keyed, and fails where keys are required
    assert result.ok and not result.keyed and "not keyed yet" in result.notes[0]
    strict = audit.verify(log, keys, require_keyed=True)
    assert not strict.ok and "not keyed yet" in strict.problems[0]


def test_entries_carry_the_key_id_never_the_key(log, keys):
    key = keys.current()
    text = (log / audit.LOG_NAME).read_text() + (log / audit.HEAD_NAME).read_text()
    assert key.secret.hex() not in text
    entries = [json.loads(line) for line in text.splitlines()[:5]]
    assert {e["kid"] for e in entries} == {key.kid}
    result = audit.verify(log, keys)
    assert result.ok and result.key_ids == [key.kid] and result.notes == []


def test_a_log_from_before_the_key_keeps_verifying_and_is_anchored_by_the_first_keyed_entry(
    tmp_path, keys
):
    folder = tmp_path / "alt"
    folder.mkdir()
    for i in range(3):  # written by a version without audit keys
        audit.append(folder, actor="anna", action="add", layer="notes", id=f"n{i}")
    legacy = audit.verify(folder, keys)
    assert legacy.ok and legacy.entries == 3 and not legacy.keyed
    audit.append(folder, key=keys.current_or_create(), actor="anna", action="add", id="n3")
    result = audit.verify(folder, keys)
    assert result.ok and result.plain_entries == 3 and result.key_ids == [keys.current().kid]
    assert "entries 1-3 predate the audit key" in result.notes[0]
    assert audit.verify(folder, keys, require_keyed=True).ok
    with pytest.raises(StorageError, match="needs the audit key"):
        audit.append(folder, actor="anna", action="add")  # no unkeyed entry after keyed ones
    # an editor rewrites the plain part: the keyed entry no longer links to it
    _rewrite_as_an_editor(folder, lambda e: e.get("seq") == 2 and e.update(actor="bert"))
    assert not audit.verify(folder, keys).ok


def test_an_unkeyed_entry_after_keyed_ones_is_detected(log, keys):
    entries = [json.loads(line) for line in (log / audit.LOG_NAME).read_text().splitlines()]
    forged = {"seq": 6, "ts": "2026-11-30T10:00:00.000+00:00", "actor": "bert", "action": "add"}
    forged["prev"] = entries[-1]["hash"]
    body = json.dumps(forged, sort_keys=True, separators=(",", ":"))
    forged["hash"] = hashlib.sha256(body.encode()).hexdigest()
    with open(log / audit.LOG_NAME, "a") as fh:
        fh.write(json.dumps(forged) + "\n")
    (log / audit.HEAD_NAME).write_text(json.dumps({"count": 6, "hash": forged["hash"]}))
    result = audit.verify(log, keys)
    assert not result.ok and "line 6: entry without the audit key" in result.problems[0]


def test_a_missing_or_different_key_is_named_by_its_id(log, keys, tmp_path):
    kid = keys.current().kid
    elsewhere = KeyFile(tmp_path / "other" / "audit_key")
    result = audit.verify(log, elsewhere)
    assert not result.ok and f"audit key {kid}" in result.problems[0]
    assert "no audit key yet" in result.problems[0] and "copy that key file" in result.problems[0]
    other = elsewhere.current_or_create()
    result = audit.verify(log, elsewhere)
    assert not result.ok and other.kid in result.problems[0] and kid in result.problems[0]


def test_rotation_keeps_old_entries_verifiable_and_old_keys_cannot_forge_new_ones(log, keys):
    old = keys.current()
    retired_kid, new_kid = keys.rotate()
    assert retired_kid == old.kid and new_kid != old.kid
    assert (keys.path.parent / f"audit_key.{old.kid}").read_text().strip() == old.secret.hex()
    audit.append(log, key=keys.current(), actor="anna", action="add", id="n5")
    result = audit.verify(log, keys)
    assert result.ok and result.key_ids == [old.kid, new_kid]
    # whoever kept the retired key cannot append entries in its name after the rotation
    audit.append(log, key=old, actor="bert", action="add", id="n6")
    result = audit.verify(log, keys)
    assert not result.ok and "again after" in result.problems[0]


def test_the_key_is_created_0600_in_the_instance_folder_on_the_first_write(
    tmp_path, monkeypatch, _isolated_instance
):
    monkeypatch.delenv("SOZIALRAUM_AUDIT_KEY_FILE")
    old = os.umask(0o022)
    try:
        store = GeoJSONStore(tmp_path / "data")
        assert not (_isolated_instance / "audit_key").exists()  # not before it is used
        store.write_meta("gebiet", {"name": "Gebiet"}, actor="test")
    finally:
        os.umask(old)
    key_file = _isolated_instance / "audit_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert store.audit_keys.path == key_file
    assert not any(p.name.startswith("audit_key") for p in (tmp_path / "data").rglob("*"))
    assert store.verify_audit("gebiet").key_ids == [store.audit_keys.current().kid]


def test_a_key_file_inside_the_data_folder_is_refused(tmp_path):
    with pytest.raises(StorageError, match="outside the data folder"):
        GeoJSONStore(tmp_path / "data", audit_key_file=tmp_path / "data" / "audit_key")


def test_an_entry_longer_than_the_read_tail_is_found_whole(tmp_path):
    """One bulk write of thousands of features is one audit line longer than 64 KB."""
    first = audit.append(tmp_path, actor="a", action="sync", ids=["x" * 40] * 5000)
    second = audit.append(tmp_path, actor="a", action="sync", ids=["y" * 40] * 5000)
    assert second["seq"] == first["seq"] + 1
    assert audit.verify(tmp_path).ok


def test_a_long_partial_last_line_is_cut_back_to_the_last_entry(tmp_path):
    audit.append(tmp_path, actor="a", action="sync", ids=["x" * 40] * 5000)
    log = tmp_path / audit.LOG_NAME
    with open(log, "ab") as fh:
        fh.write(b'{"seq": 2, ' + b"z" * 200_000)  # a crash in the middle of a long append
    entry = audit.append(tmp_path, actor="a", action="note")
    assert entry["seq"] == 2
    assert audit.verify(tmp_path).ok
