"""The audit log of account changes in PostgreSQL (tables of revision ``0005``).

``accounts_audit`` (``seq``, ``line``: the entry as in ``audit.jsonl``) and
``accounts_audit_head`` (one row: ``count``, ``hash``). An entry is appended inside the
transaction of the change it describes (:meth:`PostgresAccountAudit.append`), after the
transaction-scoped advisory lock :data:`AUDIT_LOCK`: appends of all app servers queue for
it, the head is read after it is held, so the chain never forks; a change that rolls back
takes its entry with it. See :mod:`sozialraum.accounts.audit`.
"""

from __future__ import annotations

import os

from sozialraum.accounts.audit import AccountAudit, _checked
from sozialraum.errors import StorageError
from sozialraum.store import audit
from sozialraum.store.keys import KeyFile

__all__ = ["AUDIT_LOCK", "PostgresAccountAudit", "postgres_audit"]

#: Advisory lock (two-key form) serialising the appends to the account audit log.
AUDIT_LOCK = (0x736F7A69, 2)  # "sozi", 2


class PostgresAccountAudit(AccountAudit):
    """The account audit log in the tables ``accounts_audit`` and ``accounts_audit_head``.

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL or a pool (as for the account stores).
    keys : KeyFile
        The audit key file; every app server needs the same one.
    """

    name = "accounts_audit"

    def __init__(self, pool, keys: KeyFile):
        self.pool = pool
        self.keys = keys

    def _transaction(self):
        from sozialraum.accounts.postgres import transaction

        return transaction(self.pool)

    @staticmethod
    def _head(conn) -> tuple[int, str]:
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", AUDIT_LOCK)
        # its own statement: its snapshot is taken after the lock is held
        row = conn.execute("SELECT count, hash FROM accounts_audit_head WHERE id = 1").fetchone()
        return (0, audit.GENESIS) if row is None else (int(row[0]), row[1])

    @staticmethod
    def _set_head(conn, count: int, last: str) -> None:
        conn.execute(
            """INSERT INTO accounts_audit_head (id, count, hash) VALUES (1, %s, %s)
               ON CONFLICT (id) DO UPDATE SET count = EXCLUDED.count, hash = EXCLUDED.hash""",
            (count, last),
        )

    def append(self, conn, actor: str, action: str, **details) -> dict:
        """Append one entry in the caller's transaction ``conn`` (after the change's statements).

        Parameters
        ----------
        conn : psycopg.Connection
            The open transaction of the change.
        actor : str
            The admin's login name, or ``cli``.
        action : str
            One of :data:`sozialraum.accounts.audit.ACTIONS`.
        **details
            The account or team affected, old/new role and team; never a password.

        Returns
        -------
        dict
            The entry.
        """
        key = self.keys.current_or_create()
        count, prev = self._head(conn)
        entry = audit.make_entry(
            count, prev, actor=actor, action=action, key=key, **_checked(details)
        )
        conn.execute(
            "INSERT INTO accounts_audit (seq, line) VALUES (%s, %s)",
            (entry["seq"], audit.entry_line(entry).rstrip("\n")),
        )
        self._set_head(conn, entry["seq"], entry["hash"])
        return entry

    def lines(self) -> tuple[list[bytes], dict | StorageError]:
        """The log's lines and head from one snapshot (see :meth:`AccountAudit.lines`)."""
        with self._transaction() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = conn.execute(
                "SELECT count, hash FROM accounts_audit_head WHERE id = 1"
            ).fetchone()
            lines = [
                r[0].encode("utf-8")
                for r in conn.execute("SELECT line FROM accounts_audit ORDER BY seq")
            ]
        head = (
            {"count": 0, "hash": audit.GENESIS}
            if row is None
            else {"count": row[0], "hash": row[1]}
        )
        return [*lines, b""], head

    def _adopt(self, lines: list[bytes], head: dict) -> bool:
        import json

        with self._transaction() as conn:
            count, _ = self._head(conn)
            if count or conn.execute("SELECT 1 FROM accounts_audit LIMIT 1").fetchone():
                return False
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO accounts_audit (seq, line) VALUES (%s, %s)",
                    [(number, line.decode("utf-8")) for number, line in enumerate(lines, 1)],
                )
            self._set_head(conn, len(lines), json.loads(lines[-1])["hash"])
        return True

    def _note(self, actor: str, action: str, details: dict) -> dict:
        with self._transaction() as conn:
            return self.append(conn, actor, action, **details)


def postgres_audit(pool, audit_key_file: str | os.PathLike | None = None) -> PostgresAccountAudit:
    """The account audit log in the database of ``pool``.

    Parameters
    ----------
    pool : str or psycopg_pool.ConnectionPool
        The database URL or a pool.
    audit_key_file : pathlib.Path, optional
        The audit key (default: :func:`sozialraum.settings.audit_key_file`).

    Returns
    -------
    PostgresAccountAudit
    """
    from sozialraum.settings import audit_key_file as audit_key_file_setting

    return PostgresAccountAudit(pool, KeyFile(audit_key_file or audit_key_file_setting()))
