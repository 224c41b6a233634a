"""Append-only, keyed hash-chained audit log (JSON lines) with a head file.

Each entry holds ``prev`` (the hash of the entry before, or 64 zeros) and ``hash``: the
HMAC-SHA256 of the entry without ``hash`` (canonical JSON) under the audit key named by
the entry's ``kid`` (see :mod:`sozialraum.store.keys`). Without the key file, which is
kept outside the data folder, nobody can edit an entry and recompute the chain.

Logs written before the key existed (entries without ``kid``, ``hash`` = plain SHA-256)
keep verifying: :func:`verify` checks such a leading run of entries as a plain hash
chain; the first keyed entry covers the ``hash`` of the last plain one in its ``prev``,
so the plain part cannot be rewritten either once a keyed entry follows. From the first
keyed entry on every entry must be keyed; the key id may change only to a key not used
before in the log (a rotation). A log that has no keyed entry yet verifies with a note
(``require_keyed`` makes it a problem); the next write, or ``sozialraum audit seal``,
anchors it. The head file
``audit.head`` records the count and last hash after every append, so a log
that was edited, had lines removed or was truncated fails :func:`verify`.
Entries say who, when, what and which versions, never the content of a note.

Crash consistency: an append writes the log line (fsync) and then the head. A
crash in between leaves the log one valid entry ahead of the head; a crash
during the line write leaves a partial last line. The next append repairs both
(under the caller's lock) and :func:`verify` accepts a log that is ahead of its
head by valid, chained entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sozialraum.errors import StorageError
from sozialraum.store._atomic import open_append, write_atomic
from sozialraum.store.keys import AuditKey, KeyFile

LOG_NAME = "audit.jsonl"
HEAD_NAME = "audit.head"
GENESIS = "0" * 64
_TAIL_BYTES = 64 * 1024


def _digest(entry: dict, key: AuditKey | None = None) -> str:
    """SHA-256 (no key: entries from before the key) or HMAC-SHA256 of the entry."""
    body = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = body.encode("utf-8")
    return key.mac(data) if key is not None else hashlib.sha256(data).hexdigest()


def _read_head(folder: Path) -> dict:
    """The head file; :class:`StorageError` if it is unreadable or malformed."""
    path = folder / HEAD_NAME
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(head["count"], int) or not isinstance(head["hash"], str):
            raise TypeError("bad field types")
        return head
    except FileNotFoundError:
        return {"count": 0, "hash": GENESIS}
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise StorageError(f"{path} is unreadable ({exc}); run 'sozialraum audit verify'") from None


def _line_start(fh, end: int) -> int:
    """Offset just after the last newline before ``end`` (0 if there is none).

    Reads backwards in chunks of ``_TAIL_BYTES``, so a line of any length is found whole.
    """
    pos = end
    while pos > 0:
        step = min(_TAIL_BYTES, pos)
        pos -= step
        fh.seek(pos)
        cut = fh.read(step).rfind(b"\n")
        if cut >= 0:
            return pos + cut + 1
    return 0


def _last_entry(log: Path) -> dict | None:
    """The last complete entry of the log, after cutting a partial last line (crash).

    Entries may be longer than any fixed tail (one bulk write of thousands of features is one
    line), so the last line is found by reading backwards until the newline before it.
    """
    try:
        size = log.stat().st_size
    except FileNotFoundError:
        return None
    with open(log, "rb+") as fh:
        if size == 0:
            return None
        fh.seek(size - 1)
        if fh.read(1) != b"\n":  # a partial last line: a crash in the middle of an append
            size = _line_start(fh, size)
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())
            if size == 0:
                return None
        end = size
        fh.seek(end - 1)
        while end > 0 and fh.read(1) == b"\n":  # blank lines at the end are no entry
            end -= 1
            fh.seek(max(0, end - 1))
        start = _line_start(fh, end)
        fh.seek(start)
        line = fh.read(end - start)
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except ValueError:
        raise StorageError(
            f"{log} ends with an invalid entry; run 'sozialraum audit verify'"
        ) from None


def append(
    folder: Path, *, actor: str, action: str, key: AuditKey | None = None, **details
) -> dict:
    """Append one entry; the caller holds the folder's write lock.

    Parameters
    ----------
    folder : pathlib.Path
        The area folder holding the log.
    key : AuditKey, optional
        The audit key: the entry's ``hash`` is then an HMAC and it carries ``kid``.
        Without a key (tests, tools) the entry is a plain SHA-256 link, which is refused
        after keyed entries.
    actor : str
        Who did it (a user name or ``cli:<user>``).
    action : str
        e.g. ``add``, ``update``, ``delete``, ``sync``, ``aborted``.
    **details
        layer, feature id, old/new version, counts — never note text.

    Returns
    -------
    dict
        The written entry.

    Raises
    ------
    StorageError
        If the head or the log is damaged or shorter than the head (not repaired:
        that needs a person), or the write fails.
    """
    head = _read_head(folder)
    log = folder / LOG_NAME
    last = _last_entry(log)
    if last is not None and last.get("seq", 0) > head["count"]:
        head = {"count": last["seq"], "hash": last["hash"]}  # a crash before the head update
    elif (last is None and head["count"] > 0) or (
        last is not None and last.get("seq") != head["count"]
    ):
        raise StorageError(f"{log} is shorter than {HEAD_NAME}; run 'sozialraum audit verify'")
    if key is None and last is not None and "kid" in last:
        raise StorageError(f"{log} is keyed: an entry needs the audit key")
    entry = make_entry(head["count"], head["hash"], actor=actor, action=action, key=key, **details)
    line = entry_line(entry)
    with open_append(log) as fh:
        size_before = fh.seek(0, os.SEEK_END)
        try:
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        except OSError as exc:
            with contextlib.suppress(OSError):
                fh.truncate(size_before)  # the entry was not durably written: take it back
            raise StorageError(
                f"writing the audit log in {folder} failed ({exc.strerror})"
            ) from None
    head_body = json.dumps({"count": entry["seq"], "hash": entry["hash"]}).encode()
    # the log line is durable; if the head write fails, the next append brings it up to date
    with contextlib.suppress(OSError):
        write_atomic(folder / HEAD_NAME, head_body)
    return entry


def make_entry(
    count: int, prev: str, /, *, actor: str, action: str, key: AuditKey | None = None, **details
) -> dict:
    """The entry that follows ``count`` entries whose last hash is ``prev``, with its ``hash``.

    Shared by the file log (:func:`append`) and the PostgreSQL store, so both chains are the
    same and :func:`verify_lines` checks either. ``ts`` is now (UTC, ISO 8601, milliseconds).
    """
    entry = {
        "seq": count + 1,
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "actor": actor,
        "action": action,
        **details,
        "prev": prev,
    }
    if key is not None:
        entry["kid"] = key.kid
    entry["hash"] = _digest(entry, key)
    return entry


def entry_line(entry: dict) -> str:
    """The entry as one log line (compact JSON, UTF-8 text, with the newline)."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`.

    Attributes
    ----------
    ok : bool
        No problem found.
    entries : int
        Entries checked.
    problems, notes : list of str
        What is wrong; what is worth knowing (e.g. a plain, not yet keyed part).
    key_ids : list of str
        The ids of the audit keys the keyed entries were checked against, in order.
    plain_entries : int
        Leading entries from before the key existed, checked as a plain hash chain.
    """

    ok: bool
    entries: int
    problems: list[str]
    notes: list[str] = field(default_factory=list)
    key_ids: list[str] = field(default_factory=list)
    plain_entries: int = 0

    @property
    def keyed(self) -> bool:
        """Whether the log has keyed entries (its whole chain is then protected)."""
        return bool(self.key_ids)


def verify(
    folder: Path, keys: KeyFile | None = None, *, require_keyed: bool = False
) -> VerifyResult:
    """Check the chain of every entry and the head file.

    Detects edited entries, removed or reordered lines, a truncated file, a
    damaged head and a missing log whose head says entries exist; keyed entries are
    checked with the audit key they name (current or retired, from ``keys``).

    Parameters
    ----------
    folder : pathlib.Path
        The folder holding the log.
    keys : KeyFile, optional
        Where the audit keys are; without it a keyed entry cannot be checked (a problem).
    require_keyed : bool
        Make a log without any keyed entry a problem (after ``sozialraum audit seal``).
    """
    log = folder / LOG_NAME
    lines = log.read_bytes().split(b"\n") if log.exists() else [b""]
    try:
        head: dict | StorageError = _read_head(folder)
    except StorageError as exc:
        head = exc
    return verify_lines(lines, head, keys, require_keyed=require_keyed, name=log.name)


def verify_lines(
    lines: list[bytes],
    head: dict | StorageError,
    keys: KeyFile | None = None,
    *,
    require_keyed: bool = False,
    name: str = LOG_NAME,
) -> VerifyResult:
    """Check a log given as its lines (the file split at newlines; the last item is ``b""``).

    The check of :func:`verify`, for any place the lines are kept (a file, a database table).

    Parameters
    ----------
    lines : list of bytes
        The log's bytes split at newlines; a complete log ends with an empty item.
    head : dict or StorageError
        ``{"count": int, "hash": str}`` as recorded beside the log, or why it is unreadable.
    keys : KeyFile, optional
    require_keyed : bool
    name : str
        What the problems call the log.
    """
    problems: list[str] = []
    notes: list[str] = []
    prev = GENESIS
    count = 0
    key_ids: list[str] = []
    resolved: dict[str, AuditKey | None] = {}
    plain = 0
    log = Path(name)
    if lines[-1] != b"":
        problems.append(f"{log.name}: last line is incomplete (file truncated)")
    for number, raw in enumerate(lines[:-1], start=1):
        try:
            entry = json.loads(raw)
            stored = entry.pop("hash")
            kid = entry.get("kid")
        except (ValueError, KeyError, AttributeError, TypeError):
            problems.append(f"{log.name} line {number}: not a valid entry")
            break
        if entry.get("prev") != prev or entry.get("seq") != number:
            problems.append(f"{log.name} line {number}: chain broken (line removed or reordered)")
            break
        key = None
        if kid is None:
            if key_ids:
                problems.append(
                    f"{log.name} line {number}: entry without the audit key after keyed "
                    "entries (the log was rewritten by someone without the key)"
                )
                break
            plain = number
        else:
            key, problem = _entry_key(log.name, number, kid, key_ids, resolved, keys)
            if problem is not None:
                problems.append(problem)
                break
        if not hmac.compare_digest(_digest(entry, key), str(stored)):
            problems.append(f"{log.name} line {number}: entry was edited")
            break
        prev, count = stored, number
    if isinstance(head, StorageError):
        problems.append(head.message)
        return VerifyResult(False, count, problems, notes, key_ids, plain)
    if not problems:
        _check_head(log.name, count, prev, head, problems, notes)
    if not problems:
        _check_keying(count, key_ids, plain, require_keyed, problems, notes)
    return VerifyResult(not problems, count, problems, notes, key_ids, plain)


def _entry_key(log_name, number, kid, key_ids, resolved, keys):
    """The audit key entry ``number`` names (``kid``), or a problem why it cannot be used.

    ``key_ids`` (the keys in the order the log used them) and ``resolved`` (kid → key) are
    updated. Returns ``(key, None)`` or ``(None, problem)``.
    """
    if not key_ids or kid != key_ids[-1]:
        if kid in key_ids:
            return None, (
                f"{log_name} line {number}: keyed with audit key {kid} again after "
                f"key {key_ids[-1]} replaced it (forged with a retired key)"
            )
        key_ids.append(kid)
    if kid not in resolved:
        resolved[kid] = keys.get(kid) if keys is not None else None
    key = resolved[kid]
    if key is None:
        where = keys.describe() if keys is not None else "no audit key given"
        return None, (
            f"{log_name} line {number}: keyed with audit key {kid}, which is not "
            f"here ({where}): copy that key file from the machine that wrote the "
            "log (see 'Security model' in the README)"
        )
    return key, None


def _check_head(log_name, count, prev, head, problems, notes) -> None:
    """Compare the chain's end (``count`` entries, last hash ``prev``) with the head file."""
    if count < head["count"]:
        problems.append(
            f"{log_name} has {count} entries but {HEAD_NAME} records "
            f"{head['count']} (entries removed or file truncated)"
        )
    elif count > head["count"]:
        notes.append(
            f"{HEAD_NAME} is {count - head['count']} entries behind (an interrupted "
            "write); it is brought up to date by the next write"
        )
    elif head["hash"] != prev:
        problems.append(f"{HEAD_NAME} does not match the last entry (log replaced)")


def _check_keying(count, key_ids, plain, require_keyed, problems, notes) -> None:
    """Say which entries are only a plain hash chain (a problem with ``require_keyed``)."""
    if key_ids and plain:
        notes.append(
            f"entries 1-{plain} predate the audit key: checked as a plain hash chain, "
            f"anchored by the keyed entry {plain + 1}"
        )
    elif not key_ids and count:
        message = (
            f"not keyed yet: {count} entries checked as a plain hash chain only (the "
            "next write keys the log; 'sozialraum audit seal' does it now)"
        )
        (problems if require_keyed else notes).append(message)


def entries(folder: Path, *, layer: str | None = None) -> list[dict]:
    """Entries of the log, oldest first, optionally only those of one layer.

    A partial last line (a crash during a write) is skipped; verification is
    :func:`verify`'s job.
    """
    log = folder / LOG_NAME
    try:
        raw = log.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StorageError(f"cannot read {log}: {exc.strerror}") from None
    found = []
    for line in raw.split(b"\n"):
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if layer is None or entry.get("layer") == layer:
            found.append(entry)
    return found
