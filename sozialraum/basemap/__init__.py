"""The area's own basemap (issue 20): vector tiles built from the imported OSM file.

One streaming pyosmium pass (:mod:`sozialraum.basemap.reader`) collects the features of the
tile schema (roads, paths, rail, buildings, house numbers, water, waterways, green, forest,
landuse, places and the area boundary); :mod:`sozialraum.basemap.tiles` cuts them into
Mapbox Vector Tiles (Web Mercator z/x/y, extent 4096) and :mod:`sozialraum.basemap.archive`
writes one PMTiles v3 archive per area, atomically. :func:`build_basemap` is the one entry
point; :class:`BasemapArchive` reads single tiles back.
"""

from __future__ import annotations

from sozialraum.basemap.archive import BasemapArchive, BasemapArchiveError
from sozialraum.basemap.build import BasemapStats, build_basemap
from sozialraum.basemap.reader import BasemapInputError

__all__ = [
    "BasemapArchive",
    "BasemapArchiveError",
    "BasemapInputError",
    "BasemapStats",
    "build_basemap",
]
