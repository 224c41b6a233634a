"""Basemap archives of the real extracts in ../shared/osm, built once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely
from support.paths import EXTRACTS

from sozialraum.basemap import BasemapStats, build_basemap

#: The area of each extract: where its data lies (SOURCES.md), not the larger node bbox.
AREAS = {
    "dortmund-aplerbeck": shapely.box(7.534, 51.490, 7.561, 51.499),
    "neuss-innenstadt": shapely.box(6.672, 51.185, 6.698, 51.221),
    "karlsruhe-neureut-kirchfeld": shapely.box(8.38772, 49.03815, 8.40534, 49.06475),
    "dreieich-dreieichenhain": shapely.box(8.7006, 49.9935, 8.7256, 50.0099),
}


@dataclass
class Built:
    name: str
    osm: Path
    area: shapely.Geometry
    path: Path
    stats: BasemapStats


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Built]:
    folder = tmp_path_factory.mktemp("basemaps")
    result = {}
    for name, osm in EXTRACTS.items():
        out = folder / name / "basemap.pmtiles"
        stats = build_basemap(osm, AREAS[name], out)
        result[name] = Built(name, osm, AREAS[name], out, stats)
    return result
