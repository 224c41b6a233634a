"""Append-only, hash-chained audit log (JSON lines) with a head file.

Each entry holds ``prev`` (the hash of the entry before, or 64 zeros) and ``hash``
(SHA-256 of the entry without ``hash``, canonical JSON). The head file
``audit.head`` records the count and last hash after every append, so a log
that was edited, had lines removed or was truncated fails :func:`verify`.
Entries say who, when, what and which versions, never the content of a note.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sozialraum.store._atomic import write_atomic

LOG_NAME = "audit.jsonl"
HEAD_NAME = "audit.head"
GENESIS = "0" * 64


def _digest(entry: dict) -> str:
    body = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _read_head(folder: Path) -> dict:
    try:
        return json.loads((folder / HEAD_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"count": 0, "hash": GENESIS}


def append(folder: Path, *, actor: str, action: str, **details) -> dict:
    """Append one entry; the caller holds the folder's write lock.

    Parameters
    ----------
    folder : pathlib.Path
        The area folder holding the log.
    actor : str
        Who did it (a user name or ``cli:<user>``).
    action : str
        e.g. ``add``, ``update``, ``delete``, ``import``.
    **details
        layer, feature id, old/new version, counts — never note text.

    Returns
    -------
    dict
        The written entry.
    """
    head = _read_head(folder)
    entry = {
        "seq": head["count"] + 1,
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "actor": actor,
        "action": action,
        **details,
        "prev": head["hash"],
    }
    entry["hash"] = _digest(entry)
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    with open(folder / LOG_NAME, "ab") as fh:
        fh.write(line.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    write_atomic(
        folder / HEAD_NAME, json.dumps({"count": entry["seq"], "hash": entry["hash"]}).encode()
    )
    return entry


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, the number of entries and the problems found."""

    ok: bool
    entries: int
    problems: list[str]


def verify(folder: Path) -> VerifyResult:
    """Check the chain of every entry and the head file.

    Detects edited entries, removed or reordered lines, a truncated file and a
    missing log whose head says entries exist.
    """
    problems: list[str] = []
    prev = GENESIS
    count = 0
    log = folder / LOG_NAME
    lines = log.read_bytes().split(b"\n") if log.exists() else [b""]
    if lines[-1] != b"":
        problems.append(f"{log.name}: last line is incomplete (file truncated)")
    for number, raw in enumerate(lines[:-1], start=1):
        try:
            entry = json.loads(raw)
            stored = entry.pop("hash")
        except (ValueError, KeyError, AttributeError, TypeError):
            problems.append(f"{log.name} line {number}: not a valid entry")
            break
        if entry.get("prev") != prev or entry.get("seq") != number:
            problems.append(f"{log.name} line {number}: chain broken (line removed or reordered)")
            break
        if _digest(entry) != stored:
            problems.append(f"{log.name} line {number}: entry was edited")
            break
        prev, count = stored, number
    head = _read_head(folder)
    if not problems and (head["count"] != count or head["hash"] != prev):
        problems.append(
            f"{log.name} has {count} entries but {HEAD_NAME} records {head['count']}"
            " (entries removed or file truncated)"
        )
    return VerifyResult(not problems, count, problems)
