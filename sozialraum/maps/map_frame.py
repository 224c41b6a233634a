"""The view box of a server-drawn map: which metres (EPSG:25832) it shows, at what pixel size.

North up (grid north of EPSG:25832); inside the SVG the user units are pixels, x to the right,
y downward. Also the round scale-bar length and clipping segments to the view box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Pixels between the map's edge and the legend, scale bar and north arrow.
MARGIN_PX = 10.0


@dataclass(frozen=True)
class MapFrame:
    """The part of the world shown on the map and its pixel size.

    Attributes
    ----------
    west_m, south_m, east_m, north_m : float
        Edges of the view box in metres, EPSG:25832.
    width_px, height_px : float
        Size of the drawing in pixels (SVG user units).
    """

    west_m: float
    south_m: float
    east_m: float
    north_m: float
    width_px: float
    height_px: float

    @property
    def scale_px_per_m(self) -> float:
        """Pixels per metre, the same on both axes."""
        return self.width_px / (self.east_m - self.west_m)

    def to_px(self, xs_m, ys_m) -> tuple[np.ndarray, np.ndarray]:
        """Pixel positions of points given in metres (EPSG:25832); north up, y downward.

        Parameters
        ----------
        xs_m, ys_m : array_like
            Eastings and northings in metres.

        Returns
        -------
        tuple of numpy.ndarray
            x and y in pixels from the top-left corner of the map.
        """
        scale = self.scale_px_per_m
        xs = (np.asarray(xs_m, float) - self.west_m) * scale
        ys = (self.north_m - np.asarray(ys_m, float)) * scale
        return xs, ys


def map_frame(
    xs_m,
    ys_m,
    *,
    width_px: float = 640,
    height_px: float = 480,
    padding_m: float = 120.0,
    min_span_m: float = 400.0,
) -> MapFrame:
    """The view box around some points: padded, at least ``min_span_m``, in the drawing's shape.

    The bounding box of the points is grown by ``padding_m`` on every side, then to at least
    ``min_span_m`` in both directions, then in one direction until its width/height ratio is
    that of the drawing (so metres are equally long on both axes); it stays centred on the
    points' bounding box.

    Parameters
    ----------
    xs_m, ys_m : array_like
        Eastings and northings in metres (EPSG:25832), at least one point.
    width_px, height_px : float
        Size of the drawing in pixels.
    padding_m : float
        Space around the points in metres.
    min_span_m : float
        Smallest width and height of the view box in metres.

    Returns
    -------
    MapFrame
    """
    xs = np.asarray(xs_m, float).ravel()
    ys = np.asarray(ys_m, float).ravel()
    if xs.size == 0 or xs.size != ys.size:
        raise ValueError("map_frame needs at least one point (equally many x and y)")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("map_frame: coordinates must be finite")
    if not (width_px > 0 and height_px > 0):
        raise ValueError("map size must be positive")
    if not (padding_m >= 0 and min_span_m > 0):
        raise ValueError("padding_m must be >= 0 and min_span_m > 0")
    span_x = max(float(xs.max() - xs.min()) + 2 * padding_m, min_span_m)
    span_y = max(float(ys.max() - ys.min()) + 2 * padding_m, min_span_m)
    aspect = width_px / height_px
    if span_x / span_y < aspect:
        span_x = span_y * aspect
    else:
        span_y = span_x / aspect
    centre_x = (float(xs.max()) + float(xs.min())) / 2
    centre_y = (float(ys.max()) + float(ys.min())) / 2
    return MapFrame(
        west_m=centre_x - span_x / 2,
        south_m=centre_y - span_y / 2,
        east_m=centre_x + span_x / 2,
        north_m=centre_y + span_y / 2,
        width_px=float(width_px),
        height_px=float(height_px),
    )


def scale_bar_length_m(span_m: float, *, fraction: float = 0.25) -> int:
    """A round scale bar length: the largest 1, 2 or 5 × 10ⁿ metres ≤ ``fraction`` of the span.

    Parameters
    ----------
    span_m : float
        Width of the map in metres.
    fraction : float
        Longest share of the map width the bar may take.

    Returns
    -------
    int
        Length in metres (at least 1).
    """
    limit = max(span_m * fraction, 1.0)
    power = 10 ** math.floor(math.log10(limit))
    return max(step * power for step in (1, 2, 5) if step * power <= limit)


def scale_label(length_m: int) -> str:
    """German label: "200 m", or whole kilometres as "2 km"."""
    if length_m >= 1000 and length_m % 1000 == 0:
        return f"{length_m // 1000} km"
    return f"{length_m} m"


def clip_segments(x0, y0, x1, y1, frame: MapFrame):
    """Liang–Barsky clipping of many segments to the view box, vectorised.

    Returns the indices of segments that intersect the box (touching counts) and their
    clipped end points, all in metres.
    """
    dx = x1 - x0
    dy = y1 - y0
    p = np.stack([-dx, dx, -dy, dy])
    q = np.stack([x0 - frame.west_m, frame.east_m - x0, y0 - frame.south_m, frame.north_m - y0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = q / p
    outside = np.any((p == 0) & (q < 0), axis=0)
    t_in = np.max(np.where(p < 0, ratio, 0.0), axis=0)
    t_out = np.min(np.where(p > 0, ratio, 1.0), axis=0)
    keep = np.flatnonzero(~outside & (t_in <= t_out))
    t_in, t_out = t_in[keep], t_out[keep]
    x0, y0, dx, dy = x0[keep], y0[keep], dx[keep], dy[keep]
    return keep, x0 + t_in * dx, y0 + t_in * dy, x0 + t_out * dx, y0 + t_out * dy
