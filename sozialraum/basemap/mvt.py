"""A vectorised Mapbox Vector Tile geometry encoder (MVT spec 2.1, section 4.3).

``mapbox_vector_tile.encode`` walks every coordinate in Python (about 1 µs each, plus the
winding check per polygon); a city has millions of them. Here the command integers of a
whole batch of geometries are computed with numpy at once, packed as protobuf varints at
once, and the tile message (``vector_tile.proto`` as ``mapbox_vector_tile`` ships it) is
written byte by byte. The tests decode it with ``mapbox_vector_tile.decode`` and compare it
with ``mapbox_vector_tile.encode``.

Input geometries are in integer tile coordinates with **y down** (0..4096 plus buffer).
Polygons must already be valid and oriented with exterior rings clockwise on screen
(positive area by the surveyor's formula in tile coordinates); see :func:`orient_for_mvt`.
"""

from __future__ import annotations

import struct

import numpy as np
import shapely

MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7
POINT, LINE, POLYGON = 0, 1, 2
MVT_TYPE = {POINT: 1, LINE: 2, POLYGON: 3}
CLOSE = (1 << 3) | CLOSE_PATH


def _zigzag(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.int64)
    return ((values << 1) ^ (values >> 63)).astype(np.uint32)


def _command(cmd: int, count: np.ndarray) -> np.ndarray:
    return ((count.astype(np.int64) << 3) | cmd).astype(np.uint32)


def orient_for_mvt(polygons: np.ndarray) -> np.ndarray:
    """Orient polygons given in y-down tile coordinates for MVT.

    Exterior rings get a positive surveyor's area in tile coordinates, interior rings a negative
    one.
    """
    # y down: positive surveyor's area is what shapely calls counter-clockwise
    return shapely.orient_polygons(polygons, exterior_cw=False)


def _pieces(coords, piece, geom_of_piece, n_geoms, closed):
    """Command arrays for pieces (points of one multipoint, line parts or polygon rings).

    ``coords`` (N x 2 int) belong to piece ``piece[i]`` (sorted); each piece belongs to
    geometry ``geom_of_piece[p]`` (sorted). Returns (commands, start per geometry).
    """
    n_pieces = len(geom_of_piece)
    if closed:  # rings: leave out the closing point
        last = np.ones(len(piece), dtype=bool)
        last[:-1] = piece[1:] != piece[:-1]
        coords, piece = coords[~last], piece[~last]
    # consecutive repeated points (after rounding) say nothing
    keep = np.ones(len(piece), dtype=bool)
    same = (coords[1:] == coords[:-1]).all(axis=1) & (piece[1:] == piece[:-1])
    keep[1:] = ~same
    coords, piece = coords[keep], piece[keep]
    count = np.bincount(piece, minlength=n_pieces)
    minimum = 3 if closed else 2
    ok = count >= minimum
    if not ok.all():
        good = ok[piece]
        coords, piece = coords[good], piece[good]
        count = np.where(ok, count, 0)
    # pieces are renumbered to the kept ones
    kept_pieces = np.flatnonzero(ok)
    renumber = np.full(n_pieces, -1)
    renumber[kept_pieces] = np.arange(len(kept_pieces))
    piece = renumber[piece]
    count = count[kept_pieces]
    geom = geom_of_piece[kept_pieces]
    if not len(coords):
        return np.empty(0, dtype=np.uint32), np.zeros(n_geoms + 1, dtype=np.int64)
    # deltas: the cursor runs on over the pieces of a geometry and starts at 0,0 for each
    deltas = np.empty_like(coords)
    deltas[1:] = coords[1:] - coords[:-1]
    deltas[0] = coords[0]
    first_of_geom = np.ones(len(piece), dtype=bool)
    geom_of_point = geom[piece]
    first_of_geom[1:] = geom_of_point[1:] != geom_of_point[:-1]
    deltas[first_of_geom] = coords[first_of_geom]
    length = 2 * count + 2 + (1 if closed else 0)
    start = np.zeros(len(count) + 1, dtype=np.int64)
    np.cumsum(length, out=start[1:])
    out = np.empty(start[-1], dtype=np.uint32)
    out[start[:-1]] = _command(MOVE_TO, np.ones(len(count)))
    out[start[:-1] + 3] = _command(LINE_TO, count - 1)
    if closed:
        out[start[1:] - 1] = CLOSE
    piece_first = np.zeros(len(count), dtype=np.int64)
    np.cumsum(count[:-1], out=piece_first[1:])
    k = np.arange(len(piece)) - piece_first[piece]
    pos = start[piece] + 1 + 2 * k + (k > 0)
    out[pos] = _zigzag(deltas[:, 0])
    out[pos + 1] = _zigzag(deltas[:, 1])
    geom_start = np.searchsorted(geom, np.arange(n_geoms + 1))
    return out, start[geom_start]


def _encode(geoms, kinds, owner):
    """Per kind: (feature numbers, command integers, bounds of each feature in them)."""
    for kind in (POINT, LINE, POLYGON):
        rows = np.flatnonzero(kinds == kind)
        if not len(rows):
            continue
        features, local = np.unique(owner[rows], return_inverse=True)
        group = geoms[rows]
        if kind == POINT:
            coords, of_geom = shapely.get_coordinates(group, return_index=True)
            of_point = local[of_geom]
            count = np.bincount(of_point, minlength=len(features))
            coords = np.rint(coords).astype(np.int64)
            deltas = np.empty_like(coords)
            deltas[1:] = coords[1:] - coords[:-1]
            first = np.ones(len(of_point), dtype=bool)
            first[1:] = of_point[1:] != of_point[:-1]
            deltas[first] = coords[first]
            start = np.zeros(len(features) + 1, dtype=np.int64)
            np.cumsum(np.where(count > 0, 2 * count + 1, 0), out=start[1:])
            out = np.empty(start[-1], dtype=np.uint32)
            has = count > 0
            out[start[:-1][has]] = _command(MOVE_TO, count[has])
            point_first = np.zeros(len(features), dtype=np.int64)
            np.cumsum(count[:-1], out=point_first[1:])
            k = np.arange(len(of_point)) - point_first[of_point]
            pos = start[of_point] + 1 + 2 * k
            out[pos] = _zigzag(deltas[:, 0])
            out[pos + 1] = _zigzag(deltas[:, 1])
            bounds = start
        elif kind == LINE:
            parts, of_geom = shapely.get_parts(group, return_index=True)
            coords, piece = shapely.get_coordinates(parts, return_index=True)
            coords = np.rint(coords).astype(np.int64)
            out, bounds = _pieces(coords, piece, local[of_geom], len(features), closed=False)
        else:
            polygons, of_geom = shapely.get_parts(group, return_index=True)
            rings, polygon_of_ring = shapely.get_rings(polygons, return_index=True)
            coords, piece = shapely.get_coordinates(rings, return_index=True)
            coords = np.rint(coords).astype(np.int64)
            out, bounds = _pieces(
                coords, piece, local[of_geom[polygon_of_ring]], len(features), closed=True
            )
        yield features, out, bounds


def encode_geometries(
    geoms: np.ndarray, kinds: np.ndarray, owner: np.ndarray | None = None
) -> list[np.ndarray | None]:
    """MVT command integers per feature (``None`` where nothing is left).

    Parameters
    ----------
    geoms : numpy array of shapely geometries
        Integer tile coordinates, y down; points, lines or polygons (also multi-).
    kinds : numpy array
        ``POINT``, ``LINE`` or ``POLYGON`` per geometry.
    owner : numpy array, optional
        The feature each geometry belongs to (0..n-1, non-decreasing within each kind; all
        geometries of a feature of one kind): geometries of one feature are encoded as one
        multi-geometry. By default each geometry is its own feature.

    Returns
    -------
    list
        One uint32 array (or ``None``) per feature.
    """
    if owner is None:
        owner = np.arange(len(geoms))
    result: list[np.ndarray | None] = [None] * (int(owner.max()) + 1 if len(owner) else 0)
    for features, out, bounds in _encode(geoms, kinds, owner):
        for i, feature in enumerate(features):
            if bounds[i + 1] > bounds[i]:
                result[feature] = out[bounds[i] : bounds[i + 1]]
    return result


def packed_geometries(
    geoms: np.ndarray, kinds: np.ndarray, owner: np.ndarray | None = None
) -> list[bytes | None]:
    """Like :func:`encode_geometries`, but as packed protobuf varints.

    Each feature's geometry as the bytes of the ``geometry`` field, computed for the whole batch at
    once.
    """
    if owner is None:
        owner = np.arange(len(geoms))
    result: list[bytes | None] = [None] * (int(owner.max()) + 1 if len(owner) else 0)
    for features, out, bounds in _encode(geoms, kinds, owner):
        data, offset = varints(out)
        byte_bounds = offset[bounds].tolist()
        for i, feature in enumerate(features.tolist()):
            lo, hi = byte_bounds[i], byte_bounds[i + 1]
            if hi > lo:
                result[feature] = data[lo:hi]
    return result


def varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Protobuf varint bytes of unsigned 32-bit integers, and the byte offset of each value.

    The total length is appended to the offsets.
    """
    v = values.astype(np.uint64)
    size = np.ones(len(v), dtype=np.int64)
    for shift in (7, 14, 21, 28):
        size += v >= (1 << shift)
    offset = np.zeros(len(v) + 1, dtype=np.int64)
    np.cumsum(size, out=offset[1:])
    out = np.empty(offset[-1], dtype=np.uint8)
    for k in range(5):
        has = size > k
        chunk = (v[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (size[has] > k + 1).astype(np.uint64) << np.uint64(7)
        out[offset[:-1][has] + k] = (chunk | more).astype(np.uint8)
    return out.tobytes(), offset


def _slow_varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_SMALL = [_slow_varint(n) for n in range(1 << 14)]


def _varint(n: int) -> bytes:
    return _SMALL[n] if n < 16384 else _slow_varint(n)


def _value(value) -> bytes:
    """A ``Value`` message (vector_tile.proto)."""
    if isinstance(value, bool):
        return b"\x38" + _varint(int(value))  # bool_value = 7
    if isinstance(value, int):
        return b"\x20" + _varint(value & 0xFFFFFFFFFFFFFFFF)  # int_value = 4 (int64)
    if isinstance(value, float):
        return b"\x19" + struct.pack("<d", value)  # double_value = 3
    text = str(value).encode("utf-8")
    return b"\x0a" + _varint(len(text)) + text  # string_value = 1


class TileWriter:
    """Write one MVT tile (``vector_tile.proto``) layer by layer.

    Keys and values are shared within a layer.

    Parameters
    ----------
    extent : int
        Tile extent (4096).
    cache : dict, optional
        Encoded ``Value`` and key messages, shared by the writers of many tiles.
    """

    def __init__(self, extent: int = 4096, cache: dict | None = None):
        self.extent = extent
        self.layers: list[bytes] = []
        self.cache = {} if cache is None else cache

    def add_layer(self, name: str, features: list[tuple[int, bytes, dict]]) -> None:
        """Add a layer of (kind, packed geometry, properties) features.

        Field numbers as in vector_tile.proto: Layer name 1, features 2, keys 3, values 4, extent 5,
        version 15; Feature tags 2, type 3, geometry 4.
        """
        if not features:
            return
        keys: dict[str, int] = {}
        values: dict[tuple, int] = {}
        small, slow, type_field = _SMALL, _slow_varint, _TYPE_FIELD
        encoded = name.encode("utf-8")
        parts = [b"\x0a" + small[len(encoded)] + encoded]
        for kind, geometry, props in features:
            if props:
                tags = []
                for key, value in props.items():
                    k = keys.get(key)
                    if k is None:
                        k = keys[key] = len(keys)
                    v = values.get((type(value), value))
                    if v is None:
                        v = values[(type(value), value)] = len(values)
                    tags += (k, v)
                packed = bytes(tags) if max(tags) < 0x80 else b"".join(map(_varint, tags))
                head = b"\x12" + small[len(packed)] + packed + type_field[kind]
            else:
                head = type_field[kind]
            n = len(geometry)
            size = small[n] if n < 16384 else slow(n)
            n += len(head) + len(size)
            parts += (b"\x12", small[n] if n < 16384 else slow(n), head, size, geometry)
        cache = self.cache
        for key in keys:
            encoded = cache.get(key)
            if encoded is None:
                text = key.encode("utf-8")
                encoded = cache[key] = b"\x1a" + _varint(len(text)) + text
            parts.append(encoded)
        for typed in values:
            encoded = cache.get(typed)
            if encoded is None:
                message = _value(typed[1])
                encoded = cache[typed] = b"\x22" + _varint(len(message)) + message
            parts.append(encoded)
        parts.append(b"\x28" + _varint(self.extent) + b"\x78\x02")
        layer = b"".join(parts)
        self.layers.append(b"\x1a" + _varint(len(layer)) + layer)  # Tile.layers = 3

    def serialize(self) -> bytes:
        """The tile as protobuf bytes: the layers added so far, in order."""
        return b"".join(self.layers)


#: Feature.type = 3 with its value, then the key of Feature.geometry = 4 (packed)
_TYPE_FIELD = {kind: bytes((0x18, mvt_type, 0x22)) for kind, mvt_type in MVT_TYPE.items()}
