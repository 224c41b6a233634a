"""Derived arrays stored as compressed ``.npz`` files: a format tag, no pickles."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from sozialraum.errors import StorageError


def npz_bytes(format_tag: str, **arrays: np.ndarray) -> bytes:
    """The ``arrays`` and the ``format_tag`` as a compressed ``.npz`` file.

    Parameters
    ----------
    format_tag : str
        Names the layout and its version; :func:`read_npz` refuses any other.
    **arrays : numpy.ndarray
        The arrays by name (no object arrays: they would need pickles).

    Returns
    -------
    bytes
        The ``.npz`` file.
    """
    buffer = io.BytesIO()
    np.savez_compressed(buffer, format=np.array([format_tag]), **arrays)
    return buffer.getvalue()


@contextmanager
def read_npz(data: bytes, format_tag: str, damaged: str) -> Iterator[np.lib.npyio.NpzFile]:
    """Open a file written by :func:`npz_bytes`; damaged data becomes :class:`StorageError`.

    A wrong format tag, an unreadable file, a missing array, or a ``ValueError``,
    ``KeyError`` or ``IndexError`` raised in the ``with`` block (the caller's consistency
    checks) all raise :class:`~sozialraum.errors.StorageError`.

    Parameters
    ----------
    data : bytes
        The ``.npz`` file.
    format_tag : str
        The format tag it must carry.
    damaged : str
        The error message, with ``{exc}`` standing for the reason.

    Yields
    ------
    numpy.lib.npyio.NpzFile
        The arrays by name.
    """
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if str(npz["format"][0]) != format_tag:
                raise ValueError("unknown format")
            yield npz
    except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        raise StorageError(damaged.format(exc=exc)) from None
