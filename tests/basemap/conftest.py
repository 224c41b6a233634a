"""Basemap archives of the real extracts in ../shared/osm, built once per test session."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely
from conftest import EXTRACTS

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


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ tile containing a lon/lat point (the slippy-map formula)."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def tile_box_4326(z: int, x: int, y: int) -> shapely.Geometry:
    """The tile's bounds in lon/lat degrees."""
    n = 1 << z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return shapely.box(x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def raw_rings(commands: list[int]) -> list[list[tuple[int, int]]]:
    """Rings of a polygon feature from its raw command integers (MVT spec 4.3)."""
    rings, ring, x, y, i = [], [], 0, 0, 0
    while i < len(commands):
        cmd, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if cmd == 7:
            rings.append(ring)
            ring = []
            continue
        for _ in range(count):
            dx, dy = commands[i], commands[i + 1]
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            i += 2
            if cmd == 1:
                ring = [(x, y)]
            else:
                ring.append((x, y))
    return rings


def surveyor_area(ring) -> float:
    return (
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )
