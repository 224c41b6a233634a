"""The hash-chained audit log detects edits, removed lines and truncation."""

from __future__ import annotations

import itertools
import json

import pytest

from sozialraum.store import audit


@pytest.fixture
def log(tmp_path):
    for i in range(5):
        audit.append(
            tmp_path,
            actor="anna",
            action="add",
            layer="notes",
            id=f"n{i}",
            old_version=None,
            new_version=1,
        )
    return tmp_path


def test_intact_log_verifies(log):
    result = audit.verify(log)
    assert result.ok and result.entries == 5 and result.problems == []


def test_entries_are_chained_and_hold_no_content(log):
    lines = [json.loads(line) for line in (log / audit.LOG_NAME).read_text().splitlines()]
    assert lines[0]["prev"] == audit.GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(lines))
    assert all("text" not in entry for entry in lines)


def test_edited_entry_is_detected(log):
    path = log / audit.LOG_NAME
    path.write_text(path.read_text().replace('"actor":"anna"', '"actor":"bert"', 1))
    result = audit.verify(log)
    assert not result.ok and "edited" in result.problems[0]


def test_removed_line_is_detected(log):
    path = log / audit.LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2] + lines[3:]))
    assert "chain broken" in audit.verify(log).problems[0]


def test_removed_last_lines_are_detected(log):
    path = log / audit.LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]))
    result = audit.verify(log)
    assert not result.ok and "records 5" in result.problems[0]


def test_truncated_file_is_detected(log):
    path = log / audit.LOG_NAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    assert not audit.verify(log).ok


def test_deleted_log_is_detected(log):
    (log / audit.LOG_NAME).unlink()
    assert not audit.verify(log).ok


def test_crash_between_log_line_and_head_is_repaired(log):
    head = (log / audit.HEAD_NAME).read_text()
    audit.append(log, actor="anna", action="add", layer="notes", id="n5")
    (log / audit.HEAD_NAME).write_text(head)  # as if the process died before the head write
    result = audit.verify(log)
    assert result.ok and result.entries == 6 and "behind" in result.notes[0]
    audit.append(log, actor="anna", action="add", layer="notes", id="n6")
    result = audit.verify(log)
    assert result.ok and result.entries == 7 and result.notes == []


def test_partial_last_line_from_a_crash_is_cut_on_next_append(log):
    path = log / audit.LOG_NAME
    with open(path, "ab") as fh:
        fh.write(b'{"seq":6,"ts":"2026-')  # the process died mid-write
    assert not audit.verify(log).ok
    audit.append(log, actor="anna", action="add", layer="notes", id="n6")
    result = audit.verify(log)
    assert result.ok and result.entries == 6


def test_damaged_head_is_reported_not_a_traceback(log):
    (log / audit.HEAD_NAME).write_text('{"count": ')
    result = audit.verify(log)
    assert not result.ok and "unreadable" in result.problems[0]
    with pytest.raises(audit.StorageError, match="unreadable"):
        audit.append(log, actor="anna", action="add")


def test_append_refuses_when_lines_were_removed(log):
    path = log / audit.LOG_NAME
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3]))
    with pytest.raises(audit.StorageError, match="shorter"):
        audit.append(log, actor="anna", action="add")
    assert len(path.read_text().splitlines()) == 3
