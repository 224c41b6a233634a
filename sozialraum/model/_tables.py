"""Pieces the configurable tables share.

An ordered table keyed by id, and reading the ``[[name]]`` entries of a municipality's TOML file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from sozialraum.errors import ConfigError


class IdTable:
    """Items with an ``id`` in display order; ids must be unique.

    Parameters
    ----------
    items : iterable
        Objects with an ``id`` attribute.
    what : str
        How errors name an item (e.g. ``"category"``).
    """

    def __init__(self, items: Iterable, what: str = "item"):
        self._by_id: dict = {}
        for item in items:
            if item.id in self._by_id:
                raise ConfigError(f"duplicate {what} id {item.id!r}")
            self._by_id[item.id] = item

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def __getitem__(self, item_id: str):
        return self._by_id[item_id]

    @property
    def ids(self) -> list[str]:
        """Ids in display order."""
        return list(self._by_id)


def read_entries(path: Path, name: str, what: str) -> list[dict]:
    """The ``[[name]]`` tables of a TOML file.

    Raises
    ------
    ConfigError
        If the file is unreadable or ``name`` is not a list of tables; the message
        names the file (``what``: e.g. ``"category file"``).
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None
    entries = data.get(name, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: expected [[{name}]] tables")
    return entries
