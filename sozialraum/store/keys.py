"""The audit key: a secret kept outside the data folder.

It keys the audit chain and signs backup manifests.

Anyone who can write the data folder could otherwise edit an audit entry and recompute
the SHA-256 chain and the head, or change a file in a backup and recompute the
manifest's checksum. With the key, every new audit entry's ``hash`` is an HMAC-SHA256
and every backup manifest carries an HMAC signature: without the key file nobody can
produce them.

The key file (``AUDIT_KEY_FILE``, default ``<instance>/audit_key``) holds 32 random bytes
as hex. It is created with mode 0600 on first use, never inside the data folder, and
never goes into a backup archive. Entries and signatures name the key by its **key id**
(the first 16 hex digits of a SHA-256 of the key, see :func:`key_id`), never the key.

Rotation (:meth:`KeyFile.rotate`, ``sozialraum audit rotate-key``): the current key is
renamed to ``<name>.<key id>`` beside it (a retired key, still used to check the entries
and archives it signed) and a new key is created; later entries are keyed with the new
one.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sozialraum.errors import StorageError
from sozialraum.store._atomic import FILE_MODE, TEMP_PREFIX, fsync_dir, make_dir

_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def key_id(secret: bytes) -> str:
    """The public name of a key: 16 hex digits of a SHA-256 (reveals nothing of the key)."""
    return hashlib.sha256(b"sozialraum audit key id\0" + secret).hexdigest()[:16]


@dataclass(frozen=True)
class AuditKey:
    """One key: its id, the secret and the file it came from."""

    kid: str
    secret: bytes
    path: Path

    def mac(self, body: bytes) -> str:
        """HMAC-SHA256 of ``body`` as hex."""
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never the secret in a traceback or log
        return f"AuditKey(kid={self.kid!r}, path={str(self.path)!r})"


def _read_key(path: Path) -> AuditKey:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a key file"
        raise StorageError(f"cannot read the audit key {path} ({reason})") from None
    if not _HEX_KEY.match(text):
        raise StorageError(f"the audit key {path} is damaged (expected 64 hex digits)")
    secret = bytes.fromhex(text)
    return AuditKey(key_id(secret), secret, path)


class KeyFile:
    """The audit key file at ``path`` with its retired keys beside it.

    Reading is cheap and repeated: the current key is re-read when the file changed (a
    rotation by the CLI while the server runs takes effect on the next write).

    Parameters
    ----------
    path : pathlib.Path
        The current key file (``AUDIT_KEY_FILE``).
    data_dir : pathlib.Path, optional
        The data folder; the key file must not be inside it (a copy of the data folder
        or a backup must never carry the key).
    """

    def __init__(self, path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None):
        self.path = Path(path).resolve()
        if data_dir is not None:
            data = Path(data_dir).resolve()
            if self.path == data or data in self.path.parents:
                raise StorageError(
                    f"the audit key file {self.path} must be outside the data folder {data} "
                    "(set AUDIT_KEY_FILE / SOZIALRAUM_AUDIT_KEY_FILE elsewhere)"
                )
        self._cached: tuple[tuple, AuditKey] | None = None

    def _stat(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read the audit key {self.path} ({exc.strerror})") from None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def current(self) -> AuditKey | None:
        """The current key, or None when the file does not exist (yet)."""
        signature = self._stat()
        if signature is None:
            return None
        if self._cached is None or self._cached[0] != signature:
            self._cached = (signature, _read_key(self.path))
        return self._cached[1]

    def current_or_create(self) -> AuditKey:
        """The current key; created (mode 0600) when missing: the first use."""
        key = self.current()
        if key is not None:
            return key
        self._create()
        key = self.current()
        if key is None:  # pragma: no cover - the file was just linked into place
            raise StorageError(f"the audit key {self.path} could not be created")
        return key

    def _create(self) -> None:
        # a complete file under a temp name, then linked into place: a crash never leaves
        # an empty key, and of two processes creating it at once exactly one key wins
        try:
            make_dir(self.path.parent)
            fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}audit-key-", dir=self.path.parent)
        except OSError as exc:
            raise StorageError(
                f"cannot create the audit key {self.path} ({exc.strerror})"
            ) from None
        try:
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, self.path)
            fsync_dir(self.path.parent)
        except OSError as exc:
            raise StorageError(
                f"cannot create the audit key {self.path} ({exc.strerror})"
            ) from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def retired(self) -> dict[str, AuditKey]:
        """Retired keys (``<name>.<key id>`` beside the key file) by key id."""
        found = {}
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for candidate in self.path.parent.iterdir():
                prefix, _, kid = candidate.name.rpartition(".")
                if prefix != self.path.name or not _KEY_ID.match(kid):
                    continue
                key = _read_key(candidate)
                if key.kid == kid:
                    found[kid] = key
        return found

    def get(self, kid: str) -> AuditKey | None:
        """The current or a retired key with id ``kid``, or None."""
        current = self.current()
        if current is not None and current.kid == kid:
            return current
        return self.retired().get(kid)

    def describe(self) -> str:
        """``audit key 0123456789abcdef (/path)`` or that the file does not exist."""
        current = self.current()
        if current is None:
            return f"no audit key yet ({self.path})"
        return f"audit key {current.kid} ({self.path})"

    def rotate(self) -> tuple[str | None, str]:
        """Retire the current key (kept as ``<name>.<key id>``) and create a new one.

        Returns
        -------
        tuple of (str or None, str)
            The old key id (None if there was no key) and the new one.
        """
        old = self.current()
        if old is not None:
            retired = self.path.with_name(f"{self.path.name}.{old.kid}")
            try:
                os.link(self.path, retired)
            except FileExistsError:
                pass
            except OSError as exc:
                raise StorageError(
                    f"cannot keep the old key as {retired} ({exc.strerror})"
                ) from None
            self.path.unlink()
            self._cached = None
        new = self.current_or_create()
        return (old.kid if old else None), new.kid
