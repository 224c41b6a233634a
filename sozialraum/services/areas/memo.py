"""A small thread-safe LRU of derived objects, shared by the area services."""

from __future__ import annotations

import threading
from collections import OrderedDict


class Memo:
    """A small LRU of derived objects keyed by (kind, area, revision)."""

    def __init__(self, size: int = 16):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key, build):
        """The object kept under ``key``, else ``build()``'s result, kept as the newest.

        ``build`` runs outside the lock; the oldest objects beyond the size are dropped.
        """
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


area_memo = Memo()
