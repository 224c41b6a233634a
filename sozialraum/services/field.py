"""Field mode ("Unterwegs", issue 21 §4): where the caseworker stands during a walk.

The distance from the current position to each stop of the walk and which stop comes next.
Straight-line metres in EPSG:25832 (the phone's position is only as good as a few metres,
so walking distances along streets would suggest a precision that is not there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from sozialraum.analysis.nearby import project

#: Within this many metres of a stop it counts as reached (GPS on a phone: 5-20 m).
ARRIVED_M = 30.0


def stop_distances(stops: Sequence[dict], lon: float, lat: float) -> list[float]:
    """Straight-line metres from a point to each stop, 0.1 m.

    Parameters
    ----------
    stops : sequence of dict
        Walk stops with ``lon`` and ``lat`` (degrees, EPSG:4326).
    lon, lat : float
        The position in degrees (EPSG:4326).

    Returns
    -------
    list of float
        Metres (EPSG:25832), one per stop in walk order.
    """
    if not stops:
        return []
    xs, ys = project([s["lon"] for s in stops], [s["lat"] for s in stops])
    (x,), (y,) = project([lon], [lat])
    return [round(float(d), 1) for d in np.hypot(np.asarray(xs) - x, np.asarray(ys) - y)]


def next_stop(
    distances_m: Sequence[float], reached: Iterable[int] = (), *, arrived_m: float = ARRIVED_M
) -> tuple[int | None, list[int]]:
    """The number of the next stop and the numbers of the stops reached so far.

    A stop is reached when it was reached before (``reached``, stop numbers from 1) or the
    position is within ``arrived_m`` metres of it; a reached stop also counts every earlier
    stop as done (a walk is walked in order; a skipped stop stays behind). The next stop is
    the first one after the last reached stop.

    Parameters
    ----------
    distances_m : sequence of float
        Metres from the position to each stop (:func:`stop_distances`).
    reached : iterable of int
        Stop numbers (1-based) the page has seen reached before.
    arrived_m : float
        Radius in metres within which a stop counts as reached now.

    Returns
    -------
    tuple
        ``(number or None, reached numbers sorted)``; ``None`` once the last stop is reached.
    """
    count = len(distances_m)
    done = {n for n in reached if isinstance(n, int) and 1 <= n <= count}
    done |= {i + 1 for i, d in enumerate(distances_m) if d <= arrived_m}
    last = max(done, default=0)
    return (last + 1 if last < count else None), sorted(done)
