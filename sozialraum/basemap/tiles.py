"""Cut the basemap features into Mapbox Vector Tiles (Web Mercator z/x/y, extent 4096).

Everything geometric happens on arrays (shapely 2): per zoom the features are simplified
once (Douglas-Peucker, 4 tile units = 1/1024 of a tile below the top zoom), an STRtree
finds the features of each tile, ``clip_by_rect`` clips them to the tile plus its buffer
(64 units), and one vectorised transform moves all coordinates of a batch of tiles into
integer tile coordinates (y down, 0..4096). Polygons that rounding made invalid are
repaired, all are oriented for MVT, and :mod:`sozialraum.basemap.mvt` encodes the batch.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely
from pmtiles.tile import zxy_to_tileid
from shapely.geometry.base import BaseGeometry

from sozialraum.basemap import mvt
from sozialraum.basemap.reader import LAYERS

RADIUS = 6378137.0
HALF = math.pi * RADIUS  # half the Web Mercator world width in metres
WORLD = 2 * HALF
MAX_LAT = 85.0511287798
EXTENT = 4096
BUFFER = 64  # tile units around each tile (MVT buffer)
POINT, LINE, POLYGON = 0, 1, 2
LAYER_NAMES = list(LAYERS)
BATCH = 512  # tiles clipped and transformed together (at most)
MAX_PAIRS = 20_000  # (tile, feature) pairs clipped together (at least one tile)


def to_mercator(geoms: np.ndarray) -> np.ndarray:
    """Project geometries to Web Mercator, vectorised.

    Parameters
    ----------
    geoms : numpy array of shapely geometries
        EPSG:4326, lon/lat degrees (latitudes clipped to +-85.0511).

    Returns
    -------
    numpy array of shapely geometries
        EPSG:3857, metres.
    """

    def project(coords: np.ndarray) -> np.ndarray:
        lon = coords[:, 0]
        lat = np.clip(coords[:, 1], -MAX_LAT, MAX_LAT)
        x = np.radians(lon) * RADIUS
        y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * RADIUS
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), project)


def tile_size(z: int) -> float:
    """Width of a tile at zoom ``z`` in Web Mercator metres."""
    return WORLD / (1 << z)


def tile_bounds(z: int, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """(minx, miny, maxx, maxy) of XYZ tiles in Web Mercator metres."""
    size = tile_size(z)
    minx = -HALF + x * size
    maxy = HALF - y * size
    return minx, maxy - size, minx + size, maxy


def area_tiles(area_merc: BaseGeometry, z: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tiles of one zoom that the area needs.

    Parameters
    ----------
    area_merc : shapely (Multi)Polygon
        The area in EPSG:3857 metres.
    z : int
        Zoom level.

    Returns
    -------
    tuple of numpy arrays
        x, y (XYZ, y from the north) and PMTiles tile ids of the tiles whose interior meets
        the area's interior (a tile that only touches the outline is left out), sorted by
        tile id.
    """
    size = tile_size(z)
    last = (1 << z) - 1
    minx, miny, maxx, maxy = area_merc.bounds
    x0, x1 = (int(np.clip(math.floor((v + HALF) / size), 0, last)) for v in (minx, maxx))
    y0, y1 = (int(np.clip(math.floor((HALF - v) / size), 0, last)) for v in (maxy, miny))
    xs, ys = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1))
    xs, ys = xs.ravel(), ys.ravel()
    boxes = shapely.box(*tile_bounds(z, xs, ys))
    shapely.prepare(area_merc)
    meets = shapely.intersects(area_merc, boxes) & ~shapely.touches(area_merc, boxes)
    xs, ys = xs[meets], ys[meets]
    ids = np.array([zxy_to_tileid(z, int(x), int(y)) for x, y in zip(xs, ys, strict=True)])
    order = np.argsort(ids)
    return xs[order], ys[order], ids[order]


@dataclass
class FeatureTable:
    """Basemap features in Web Mercator, as parallel arrays (one row per feature)."""

    geometry: np.ndarray  # shapely geometries, EPSG:3857
    layer: np.ndarray  # index into LAYER_NAMES
    kind: np.ndarray  # POINT, LINE or POLYGON
    minzoom: np.ndarray
    props: list[dict]
    group: np.ndarray  # features of one layer, kind and attributes share a group id

    def __len__(self) -> int:
        return len(self.geometry)


def _kind_of(geoms: np.ndarray) -> np.ndarray:
    type_id = shapely.get_type_id(geoms)  # 0 point, 1/2 line, 3 polygon, 4 mpoint, 5 mline, 6 mpoly
    kind = np.full(len(geoms), LINE, dtype=np.int8)
    kind[(type_id == 0) | (type_id == 4)] = POINT
    kind[(type_id == 3) | (type_id == 6)] = POLYGON
    return kind


def make_table(
    layers: list[str], geoms_4326, props: list[dict], minzooms, clip_merc: BaseGeometry
) -> FeatureTable:
    """The features as a :class:`FeatureTable`: projected and clipped.

    Parameters
    ----------
    layers, props, minzooms : lists
        Layer name, tile attributes and first zoom per feature.
    geoms_4326 : sequence of shapely geometries
        EPSG:4326, lon/lat degrees.
    clip_merc : shapely (Multi)Polygon
        The area plus its margin in EPSG:3857 metres; features are cut to it.
    """
    geoms = to_mercator(np.asarray(geoms_4326, dtype=object))
    shapely.prepare(clip_merc)
    inside = shapely.contains_properly(clip_merc, geoms)
    rest = np.flatnonzero(~inside)
    if len(rest):
        geoms[rest] = shapely.intersection(shapely.make_valid(geoms[rest]), clip_merc)
    # an intersection can leave mixed collections (a polygon touching the margin along a line)
    mixed = np.flatnonzero(shapely.get_type_id(geoms) == 7)
    for i in mixed:
        parts = [p for p in shapely.get_parts(geoms[i]) if p.geom_type.endswith("Polygon")]
        if not parts:
            parts = [p for p in shapely.get_parts(geoms[i]) if p.geom_type.endswith("LineString")]
        geoms[i] = shapely.union_all(parts) if parts else shapely.Point()
    kind = _kind_of(geoms)
    keep = ~shapely.is_empty(geoms)
    layer_index = {name: i for i, name in enumerate(LAYER_NAMES)}
    layer = np.array([layer_index[n] for n in layers], dtype=np.int8)[keep]
    kind = kind[keep]
    props = [p for p, k in zip(props, keep, strict=True) if k]
    # lines and points of one layer and attributes are merged per tile; polygons stay
    # single features (terraced houses share walls: merged, they were an invalid multipolygon)
    groups: dict[tuple, int] = {}
    group = np.array(
        [
            groups.setdefault(
                (int(lay), int(kin), i if kin == POLYGON else tuple(sorted(p.items()))),
                len(groups),
            )
            for i, (lay, kin, p) in enumerate(zip(layer, kind, props, strict=True))
        ],
        dtype=np.int64,
    )
    return FeatureTable(
        geometry=geoms[keep],
        layer=layer,
        kind=kind,
        minzoom=np.asarray(minzooms, dtype=np.int8)[keep],
        props=props,
        group=group,
    )


def _zoom_geometries(table: FeatureTable, z: int, maxzoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers and simplified geometries of the features shown at zoom ``z``."""
    unit = tile_size(z) / EXTENT
    rows = np.flatnonzero(table.minzoom <= z)
    geoms = table.geometry[rows].copy()
    kind = table.kind[rows]
    if z < maxzoom:
        # polygons smaller than about a pixel are left out below the highest zoom
        small = (kind == POLYGON) & (shapely.area(geoms) < (8 * unit) ** 2)
        rows, geoms, kind = rows[~small], geoms[~small], kind[~small]
    if z < maxzoom:  # at the top zoom the integer grid (0.04 m at zoom 18) is enough
        # Douglas-Peucker without topology checks; polygons are made valid per tile later
        shaped = kind != POINT
        geoms[shaped] = shapely.simplify(geoms[shaped], unit * 4.0, preserve_topology=False)
    keep = ~shapely.is_empty(geoms)
    return rows[keep], geoms[keep]


def zoom_tiles(
    table: FeatureTable, z: int, xs: np.ndarray, ys: np.ndarray, maxzoom: int
) -> Iterator[tuple[int, int, bytes]]:
    """Encode the tiles of one zoom.

    Parameters
    ----------
    table : FeatureTable
        All features (EPSG:3857).
    z : int
        Zoom level.
    xs, ys : numpy arrays
        The tiles to make (from :func:`area_tiles`), in the order they are yielded.
    maxzoom : int
        The archive's top zoom (no simplification there).

    Yields
    ------
    tuple of (int, int, bytes)
        x, y and the uncompressed MVT bytes of each tile.

    Within a tile, the lines and points of one layer with the same attributes (the parts
    of one street, the unnamed footways) become one multi-geometry feature: fewer features,
    smaller tiles, the same drawing. Polygons stay one feature each (valid geometries).
    """
    rows, geoms = _zoom_geometries(table, z, maxzoom)
    tree = shapely.STRtree(geoms)
    unit = tile_size(z) / EXTENT
    pad = BUFFER * unit
    minx, miny, maxx, maxy = tile_bounds(z, xs, ys)
    boxes = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    all_tiles, all_geoms = tree.query(boxes, predicate="intersects")
    all_features = rows[all_geoms]  # row in the table per (tile, feature) pair
    order = np.lexsort((all_geoms, table.group[all_features], table.layer[all_features], all_tiles))
    all_tiles, all_geoms = all_tiles[order], all_geoms[order]
    pairs_before = np.searchsorted(all_tiles, np.arange(len(xs) + 1))
    cache: dict = {}  # encoded keys and values, shared by the tiles of this zoom
    for start, end in _batches(pairs_before):
        lo, hi = pairs_before[start], pairs_before[end]
        bx, by = xs[start:end], ys[start:end]
        minx, miny, maxx, maxy = tile_bounds(z, bx, by)
        tile_i, geom_j = all_tiles[lo:hi] - start, all_geoms[lo:hi]
        feature = rows[geom_j]
        kinds = table.kind[feature]
        clipped = geoms[geom_j].copy()
        bounds = np.searchsorted(tile_i, np.arange(len(bx) + 1))
        for t in range(len(bx)):
            lo, hi = bounds[t], bounds[t + 1]
            part = np.flatnonzero(kinds[lo:hi] != POINT) + lo
            if len(part):
                clipped[part] = shapely.clip_by_rect(
                    clipped[part], minx[t] - pad, miny[t] - pad, maxx[t] + pad, maxy[t] + pad
                )
        clipped = _single_kind(clipped, kinds)
        # all coordinates of the batch into integer tile coordinates (y down) at once
        coords, index = shapely.get_coordinates(clipped, return_index=True)
        owner = tile_i[index]
        local = np.empty_like(coords)
        local[:, 0] = (coords[:, 0] - minx[owner]) / unit
        local[:, 1] = (maxy[owner] - coords[:, 1]) / unit
        # points belong to the one tile they lie in (no label twice across tiles)
        point_rows = np.flatnonzero(kinds == POINT)
        drop = np.zeros(len(clipped), dtype=bool)
        if len(point_rows):
            first = np.searchsorted(index, point_rows)
            px, py = local[first, 0], local[first, 1]
            drop[point_rows] = (px < 0) | (px >= EXTENT) | (py < 0) | (py >= EXTENT)
        clipped = shapely.set_coordinates(clipped, np.rint(local))
        polygon_rows = np.flatnonzero(kinds == POLYGON)
        clipped[polygon_rows] = _valid_on_grid(clipped[polygon_rows])
        keep = ~(drop | shapely.is_empty(clipped))
        clipped, kinds, tile_i, feature = clipped[keep], kinds[keep], tile_i[keep], feature[keep]
        # one output feature per run of (tile, group)
        group = table.group[feature]
        new = np.ones(len(feature), dtype=bool)
        new[1:] = (tile_i[1:] != tile_i[:-1]) | (group[1:] != group[:-1])
        out_id = np.cumsum(new) - 1
        commands = mvt.packed_geometries(clipped, kinds, out_id)
        heads = np.flatnonzero(new)  # first pair of each output feature
        head_bounds = np.searchsorted(tile_i[heads], np.arange(len(bx) + 1)).tolist()
        head_rows = feature[heads]
        head_layers = table.layer[head_rows].tolist()
        head_kinds = kinds[heads].tolist()
        head_rows = head_rows.tolist()
        props = table.props
        xs_out, ys_out = bx.tolist(), by.tolist()
        for t in range(len(bx)):
            writer = mvt.TileWriter(EXTENT, cache)
            features: list = []
            current = -1
            for f in range(head_bounds[t], head_bounds[t + 1]):
                if commands[f] is None:
                    continue
                layer = head_layers[f]
                if layer != current:
                    if features:
                        writer.add_layer(LAYER_NAMES[current], features)
                    features, current = [], layer
                features.append((head_kinds[f], commands[f], props[head_rows[f]]))
            if features:
                writer.add_layer(LAYER_NAMES[current], features)
            yield xs_out[t], ys_out[t], writer.serialize()


def _batches(pairs_before: np.ndarray) -> Iterator[tuple[int, int]]:
    """Ranges of tiles clipped together.

    At most ``BATCH`` tiles and about ``MAX_PAIRS`` (tile, feature) pairs, so that memory stays flat
    at low zooms of a large area.
    """
    n = len(pairs_before) - 1
    start = 0
    while start < n:
        limit = pairs_before[start] + MAX_PAIRS
        end = int(np.searchsorted(pairs_before, limit, side="right")) - 1
        end = min(max(end, start + 1), start + BATCH, n)
        yield start, end
        start = end


def _single_kind(geoms: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """Keep the parts of each feature's own kind.

    Clipping can leave collections (a polygon touching the tile edge along a line).
    """
    for i in np.flatnonzero(shapely.get_type_id(geoms) == 7):
        parts = _flat_parts(geoms[i])
        if kinds[i] == POLYGON:
            parts = [p for p in parts if p.geom_type == "Polygon"]
            geoms[i] = shapely.multipolygons(parts) if parts else shapely.Polygon()
        else:
            parts = [p for p in parts if p.geom_type == "LineString"]
            geoms[i] = shapely.multilinestrings(parts) if parts else shapely.LineString()
    return geoms


def _flat_parts(geom) -> list:
    """The single parts of a geometry, collections inside collections flattened."""
    parts = shapely.get_parts(geom)
    while any(shapely.get_type_id(parts) >= 4):
        parts = shapely.get_parts(parts)
    return list(parts)


def _valid_on_grid(polygons: np.ndarray) -> np.ndarray:
    """Polygons with rounded coordinates made valid and oriented for MVT.

    Collapsed ones become empty.
    """
    bad = np.flatnonzero(~shapely.is_valid(polygons))
    for i in bad:
        parts = [p for p in _flat_parts(polygons[i]) if p.area > 0]
        polygons[i] = shapely.Polygon()
        for make in (shapely.make_valid, lambda g: g.buffer(0)):
            try:
                fixed = make(shapely.multipolygons(parts)) if parts else None
            except shapely.errors.GEOSException:
                continue
            if fixed is not None:
                kept = [p for p in _flat_parts(fixed) if p.geom_type == "Polygon" and p.area > 0]
                polygons[i] = shapely.multipolygons(kept) if kept else shapely.Polygon()
            break
    return mvt.orient_for_mvt(polygons)


def compress(data: bytes) -> bytes:
    """Gzip a tile as PMTiles stores it (``tile_compression`` gzip), reproducibly."""
    return gzip.compress(data, compresslevel=6, mtime=0)
