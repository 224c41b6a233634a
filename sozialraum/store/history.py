"""Kept versions of features (``versions/<layer>.jsonl``) and the history read from the audit log.

Layers that keep versions (:data:`~sozialraum.store.validation.LAYERS`) append every version's
content as one JSON line; the audit log says who wrote which version when.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from sozialraum.errors import StorageError
from sozialraum.store._atomic import make_dir, open_append, write_atomic
from sozialraum.store.layer_files import VERSIONS_DIR


def append_version(folder: Path, layer: str, line: bytes) -> None:
    """Append one version's content (a JSON line) to ``versions/<layer>.jsonl`` (durably)."""
    path = folder / VERSIONS_DIR / f"{layer}.jsonl"
    try:
        make_dir(path.parent)
        with open_append(path) as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StorageError(f"writing {path} failed ({exc.strerror})") from None


def kept_versions(folder: Path, layer: str, feature_id: str) -> dict[int, dict]:
    """The kept versions of one feature: version number → the feature as it was then."""
    path = folder / VERSIONS_DIR / f"{layer}.jsonl"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None
    needle = json.dumps(feature_id).encode()
    kept = {}
    for line in raw.split(b"\n"):
        if needle in line:
            try:
                feature = json.loads(line)
            except ValueError:
                continue  # a partial last line after a crash
            if feature.get("id") == feature_id:
                kept[feature["properties"]["version"]] = feature  # the last write wins
    return kept


def drop_kept_versions(folder: Path, layer: str, ids: set[str]) -> None:
    """Remove every kept version of the features ``ids`` (their audit entries stay)."""
    path = folder / VERSIONS_DIR / f"{layer}.jsonl"
    if not ids or not path.exists():
        return
    keep = []
    try:
        for line in path.read_bytes().split(b"\n"):
            if not line:
                continue
            try:
                feature_id = json.loads(line).get("id")
            except ValueError:
                continue
            if feature_id not in ids:
                keep.append(line + b"\n")
        write_atomic(path, b"".join(keep))
    except OSError as exc:
        raise StorageError(f"rewriting {path} failed ({exc.strerror})") from None


def feature_history(entries: list[dict], kept: dict[int, dict], feature_id: str) -> list[dict]:
    """One feature's versions from its audit entries (aborted writes left out), oldest first.

    Parameters
    ----------
    entries : list of dict
        The layer's audit entries (:func:`sozialraum.store.audit.entries`).
    kept : dict
        Its kept versions (:func:`kept_versions`).
    feature_id : str

    Returns
    -------
    list of dict
        ``version``, ``action`` (add, update, delete), ``actor``, ``at`` (ISO time) and
        ``feature`` (the content of that version; ``None`` for a delete or if not kept).
        Empty if the feature never existed.
    """
    aborted = {e.get("aborted_seq") for e in entries if e.get("action") == "aborted"}
    items = []
    for entry in entries:
        if entry["seq"] in aborted:
            continue
        bulk = entry.get("versions") if entry.get("action") in ("upsert", "sync") else None
        if isinstance(bulk, dict) and feature_id in bulk:
            version = bulk[feature_id]
            action = "add" if version == 1 else "update"
        elif entry.get("id") == feature_id and entry.get("action") in ("add", "update", "delete"):
            version = entry.get("new_version") or entry.get("old_version")
            action = entry["action"]
        else:
            continue
        items.append(
            {
                "version": version,
                "action": action,
                "actor": entry.get("actor"),
                "at": entry.get("ts"),
                "feature": None if action == "delete" else kept.get(version),
            }
        )
    return items


def applied_changes(entries: list[dict], since: str | None) -> list[dict]:
    """The audit entries of changes that were saved (no aborted ones).

    After ``since`` (ISO 8601 time; ``None``: all).
    """
    aborted = {e.get("aborted_seq") for e in entries if e.get("action") == "aborted"}
    return [
        e
        for e in entries
        if e["seq"] not in aborted
        and e.get("action") != "aborted"
        and (since is None or _after(e.get("ts"), since))
    ]


def _after(moment: str | None, since: str) -> bool:
    """Whether ISO 8601 time ``moment`` lies after ``since`` (offsets compared properly)."""
    try:
        return datetime.fromisoformat(moment) > datetime.fromisoformat(since)
    except (TypeError, ValueError):
        return False
