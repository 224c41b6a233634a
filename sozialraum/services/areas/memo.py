"""A small thread-safe LRU of derived objects, shared by the area services."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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


def layer_memo(store, area: str, layer: str, kind: str, build: Callable[[list[dict]], T]) -> T:
    """An object built from one layer of an area, kept in :data:`area_memo` per layer revision.

    Parameters
    ----------
    store : Store
        The feature store.
    area : str
        The area id.
    layer : str
        The layer the object is built from (``"addresses"``, ``"resources"`` …).
    kind : str
        What the object is (``"matcher"``, ``"address_points"`` …); part of the key, so that
        objects of different kinds from the same layer are kept apart.
    build : callable
        Builds the object from the layer's features (EPSG:4326).

    Returns
    -------
    object
        The kept object, or ``build``'s result after the layer changed.
    """
    revision = store.revision(area, layer)
    return area_memo.get((kind, id(store), area, revision), lambda: build(store.query(area, layer)))
