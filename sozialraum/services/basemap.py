"""Reading the areas' basemap archives for the web app (issue 20).

:class:`ArchiveCache` keeps one open :class:`~sozialraum.basemap.BasemapArchive` per area
and opens the file again when a rebuild or a restore replaced it
(:meth:`~sozialraum.basemap.BasemapArchive.is_current`). A reader that still holds the old
archive reads the old file to the end, so a tile is always wholly old or wholly new.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sozialraum.basemap import BasemapArchive, BasemapArchiveError
from sozialraum.osm.import_basemap import basemap_path
from sozialraum.store.base import Store

__all__ = ["ArchiveCache", "BasemapArchiveError"]


class ArchiveCache:
    """One open basemap archive per area of ``store`` (thread-safe).

    Parameters
    ----------
    store : Store
        The data store whose area folders hold ``basemap.pmtiles``.
    """

    def __init__(self, store: Store):
        self.store = store
        self._open: dict[str, BasemapArchive] = {}
        self._lock = threading.Lock()

    def path(self, area: str) -> Path:
        """The area's archive file (it may not exist)."""
        return basemap_path(self.store, area)

    def exists(self, area: str) -> bool:
        """Whether the area has an archive file at all."""
        return self.path(area).is_file()

    def archive(self, area: str) -> BasemapArchive:
        """The area's archive, opened again if the file was replaced.

        Raises
        ------
        BasemapArchiveError
            The archive is missing, truncated or corrupt.
        """
        with self._lock:
            current = self._open.get(area)
            if current is not None and current.is_current():
                return current
            # the replaced archive is not closed here: a request may still read it (its
            # memory map is released when the last reference goes)
            self._open.pop(area, None)
            archive = BasemapArchive(self.path(area))
            self._open[area] = archive
            return archive
