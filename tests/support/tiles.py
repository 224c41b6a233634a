"""Vector tile arithmetic of the basemap tests: tile numbers, tile bounds, raw MVT rings."""

from __future__ import annotations

import math

import shapely


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
