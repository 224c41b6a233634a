"""The audit log of account changes: who changed which account or team, what, and when.

The same keyed hash chain as the area logs (:mod:`sozialraum.store.audit`: entries made by
:func:`~sozialraum.store.audit.make_entry`, checked by
:func:`~sozialraum.store.audit.verify_lines`) under the same audit key file
(:mod:`sozialraum.store.keys`, ``AUDIT_KEY_FILE``).

- Files: ``<data_dir>/_accounts/audit.jsonl`` with its head ``audit.head``. Every account
  change takes the log's lock ``audit.jsonl.lock`` first, then the lock of the file it
  changes (``users.json``, ``teams.json``); the entry is written (fsync) before the changed
  file is replaced, and a change whose file could not be written is followed by an
  ``aborted`` entry, as in the area logs. One lock for every account change keeps one chain.
- PostgreSQL: the tables ``accounts_audit`` (one line per entry) and ``accounts_audit_head``
  (revision ``0005``); the entry is appended in the transaction of the change, after a
  transaction-scoped advisory lock, so two app servers never fork the chain.

Entries: ``seq``, ``ts`` (UTC), ``actor`` (the admin's login name, or ``cli``), ``action``
(:data:`ACTIONS`), the account (``user``) or team (``team``) affected, and old/new role and
team where they change (``role_old``, ``role_new``, ``team_old``, ``team_new``). Never a
password or a password hash. Failed logins are not logged here (the login limiter counts
them).
"""

from __future__ import annotations

import contextlib
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import filelock

from sozialraum.errors import StorageError, StoreBusy
from sozialraum.store import audit
from sozialraum.store._atomic import FILE_MODE, make_dir, write_atomic
from sozialraum.store.keys import KeyFile

__all__ = [
    "ACTIONS",
    "ACTOR_CLI",
    "AccountAudit",
    "FileAccountAudit",
    "change_details",
]

#: The actor of changes made with the ``sozialraum users`` commands.
ACTOR_CLI = "cli"

#: Every action an entry may name (``aborted``: the change before it was not saved).
ACTIONS = (
    "user_add",
    "user_disable",
    "user_enable",
    "password_set",
    "role_team_set",
    "team_add",
    "team_rename",
    "users_copy",
    "aborted",
)

#: What the admin pages call the actions.
ACTION_LABELS = {
    "user_add": "Konto angelegt",
    "user_disable": "Konto gesperrt",
    "user_enable": "Konto entsperrt",
    "password_set": "Passwort gesetzt",
    "role_team_set": "Rolle/Team geändert",
    "team_add": "Team angelegt",
    "team_rename": "Team umbenannt",
    "users_copy": "Konten kopiert",
    "aborted": "Änderung nicht gespeichert",
}

#: Fields an entry must never carry (checked before every append).
_SECRET_FIELDS = frozenset({"password", "password_hash"})


def change_details(name: str, before: Mapping, after: Mapping) -> dict:
    """The fields of an entry about account ``name``: old and new role and team if they changed.

    Parameters
    ----------
    name : str
        The login name.
    before, after : mapping
        The stored account before and after the change (``role`` as text, ``team``).

    Returns
    -------
    dict
        ``{"user": name}`` plus ``role_old``/``role_new`` and ``team_old``/``team_new`` for
        what changed.
    """
    details: dict = {"user": name}
    for field in ("role", "team"):
        old, new = before.get(field), after.get(field)
        if old != new:
            details[f"{field}_old"] = old
            details[f"{field}_new"] = new
    return details


def _checked(details: dict) -> dict:
    secret = _SECRET_FIELDS & set(details)
    if secret:  # a programming error: never write it
        raise ValueError(f"an account audit entry must not carry {sorted(secret)}")
    return details


class AccountAudit(ABC):
    """The audit log of account changes of one installation (files or PostgreSQL).

    Attributes
    ----------
    keys : KeyFile
        The audit key file (current and retired keys), shared with the area logs.
    name : str
        What verification messages call the log.
    """

    keys: KeyFile
    name: str

    @abstractmethod
    def lines(self) -> tuple[list[bytes], dict | StorageError]:
        """The log as lines (the last item ``b""``) and its head (or why it is unreadable)."""

    @abstractmethod
    def _adopt(self, lines: list[bytes], head: dict) -> bool:
        """Take over the verified ``lines`` (ending at ``head``) if this log is empty."""

    @abstractmethod
    def _note(self, actor: str, action: str, details: dict) -> dict:
        """Append one entry on its own (not part of another change)."""

    def entries(self, limit: int | None = None) -> list[dict]:
        """The entries, oldest first; with ``limit`` only the newest ``limit``.

        A line that is not valid JSON is skipped (verification is :meth:`verify`'s job).

        Parameters
        ----------
        limit : int, optional
            How many of the newest entries.

        Returns
        -------
        list of dict
            The entries as written (``seq``, ``ts``, ``actor``, ``action`` …).
        """
        lines, _ = self.lines()
        found = []
        for raw in lines:
            if not raw:
                continue
            with contextlib.suppress(ValueError):
                entry = json.loads(raw)
                if isinstance(entry, dict):
                    found.append(entry)
        return found[-limit:] if limit else found

    def verify(self) -> audit.VerifyResult:
        """Check the chain, the keys and the head (see :func:`sozialraum.store.audit.verify_lines`).

        Returns
        -------
        VerifyResult
            ``ok`` and the problems (English) if the log was edited, truncated or replaced.
        """
        lines, head = self.lines()
        return audit.verify_lines(lines, head, self.keys, name=self.name)

    def record_copy(self, source: AccountAudit | None, *, actor: str, **details) -> dict:
        """After copying accounts: carry ``source``'s log over, then append a ``users_copy`` entry.

        The source's entries are taken over line by line (the chain and its keys unchanged)
        when this log is still empty and the source's log verifies; otherwise this log keeps
        its own chain. The entry says how many entries the source had (``source_entries``),
        how many were carried over (``carried``) and, with ``source_verified: false``, that
        the source's log did not verify here.

        Parameters
        ----------
        source : AccountAudit or None
            The log of the accounts copied from.
        actor : str
            Who copied.
        **details
            What was copied (``users``, ``skipped``).

        Returns
        -------
        dict
            The ``users_copy`` entry.
        """
        carried = source_entries = 0
        verified = True
        if source is not None:
            lines, head = source.lines()
            result = audit.verify_lines(lines, head, source.keys, name=source.name)
            source_entries = sum(1 for line in lines if line.strip())
            verified = result.ok
            if result.ok and result.entries and self._adopt(lines[:-1], head):
                carried = result.entries
        fields = {**details, "source_entries": source_entries, "carried": carried}
        if not verified:
            fields["source_verified"] = False
        return self._note(actor, "users_copy", fields)


# -- files ---------------------------------------------------------------------------
class FileAccountAudit(AccountAudit):
    """The account audit log in ``audit.jsonl`` of the accounts folder.

    Parameters
    ----------
    folder : pathlib.Path
        The accounts folder (``<data_dir>/_accounts``).
    keys : KeyFile
        The audit key file (outside the data folder).
    lock_timeout_s : float, optional
        How long a change waits for another change's lock (seconds).
    """

    def __init__(self, folder: Path, keys: KeyFile, lock_timeout_s: float = 10.0):
        self.folder = Path(folder)
        self.keys = keys
        self.lock_timeout_s = lock_timeout_s
        self.name = str(self.folder / audit.LOG_NAME)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            make_dir(self.folder)
        except OSError as exc:
            raise StorageError(f"cannot create folder {self.folder}: {exc.strerror}") from None
        path = self.folder / (audit.LOG_NAME + ".lock")
        lock = filelock.FileLock(path, timeout=self.lock_timeout_s, mode=FILE_MODE)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreBusy(
                "the accounts are being changed by another process; try again"
            ) from None
        except OSError as exc:
            raise StorageError(f"cannot lock {path}: {exc.strerror}") from None
        try:
            yield
        finally:
            lock.release()

    def _append(self, actor: str, action: str, details: dict) -> dict:
        key = self.keys.current_or_create()
        return audit.append(self.folder, key=key, actor=actor, action=action, **_checked(details))

    @contextlib.contextmanager
    def writing(self, actor: str) -> Iterator[Callable[..., dict]]:
        """Hold the log's lock around one change; yields ``log(action, **details)``.

        Call ``log`` once the change is checked and before its file is written (the entry
        is then durable first). If the block fails after ``log`` was called, an
        ``aborted`` entry naming the entry's ``seq`` follows.

        Parameters
        ----------
        actor : str
            Who changes (the admin's login name, or ``cli``).
        """
        written: list[dict] = []

        def log(action: str, **details) -> dict:
            entry = self._append(actor, action, details)
            written.append(entry)
            return entry

        with self._locked():
            try:
                yield log
            except BaseException:
                for entry in written:
                    with contextlib.suppress(StorageError, OSError):
                        self._append(actor, "aborted", {"aborted_seq": entry["seq"]})
                raise

    def lines(self) -> tuple[list[bytes], dict | StorageError]:
        """The lines of ``audit.jsonl`` and its head (see :meth:`AccountAudit.lines`)."""
        log = self.folder / audit.LOG_NAME
        try:
            raw = log.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise StorageError(f"cannot read {log}: {exc.strerror}") from None
        try:
            head: dict | StorageError = audit._read_head(self.folder)
        except StorageError as exc:
            head = exc
        return raw.split(b"\n"), head

    def _adopt(self, lines: list[bytes], head: dict) -> bool:
        with self._locked():
            log = self.folder / audit.LOG_NAME
            if (log.exists() and log.stat().st_size) or audit._read_head(self.folder)["count"]:
                return False
            try:
                write_atomic(log, b"".join(line + b"\n" for line in lines))
                count = len(lines)
                last = json.loads(lines[-1])["hash"]
                body = json.dumps({"count": count, "hash": last}).encode()
                write_atomic(self.folder / audit.HEAD_NAME, body)
            except OSError as exc:
                raise StorageError(f"writing {log} failed ({exc.strerror})") from None
            return True

    def _note(self, actor: str, action: str, details: dict) -> dict:
        with self.writing(actor) as log:
            return log(action, **details)


def file_audit(
    folder: Path,
    audit_key_file: str | os.PathLike | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
) -> FileAccountAudit:
    """The account audit log of the accounts folder ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        The accounts folder (``<data_dir>/_accounts``).
    audit_key_file : pathlib.Path, optional
        The audit key (default: :func:`sozialraum.settings.audit_key_file`).
    data_dir : pathlib.Path, optional
        The data folder, which the key file must lie outside of (default: ``folder``).

    Returns
    -------
    FileAccountAudit
    """
    from sozialraum.settings import audit_key_file as audit_key_file_setting

    keys = KeyFile(audit_key_file or audit_key_file_setting(), data_dir=data_dir or folder)
    return FileAccountAudit(folder, keys)
