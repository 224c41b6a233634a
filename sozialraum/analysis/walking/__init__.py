"""Walking: the walk network from OSM, walking distances and times (feature "walking").

Distances, isochrones and the Wegweiser build on this; planned Rundgänge are "walks"
(:mod:`sozialraum.services.walks`), a different feature. The public names of
:mod:`~sozialraum.analysis.walking.network` and :mod:`~sozialraum.analysis.walking.distances`
are importable from here.
"""

from sozialraum.analysis.nearby import points_xy
from sozialraum.analysis.walking.distances import (
    Nearest,
    distances_from_point,
    nearest_arrays,
    nearest_by_category,
    nearest_entry,
    walk_minutes,
)
from sozialraum.analysis.walking.network import (
    CUT_OFF_HINTS,
    CUT_OFF_TEXTS,
    DEFAULT_SPEED_KMH,
    EXCLUDED_HIGHWAYS,
    FOOT_ALLOWED,
    MAX_SNAP_M,
    MIN_EDGE_M,
    NO_FOOT,
    OFF_WAYS,
    OUTSIDE_NETWORK,
    PRIVATE_ACCESS,
    SLOW_SPEED_KMH,
    WalkNetwork,
    build_walk_network,
    network_from_ways,
    walkable,
)

__all__ = [
    "CUT_OFF_HINTS",
    "CUT_OFF_TEXTS",
    "DEFAULT_SPEED_KMH",
    "EXCLUDED_HIGHWAYS",
    "FOOT_ALLOWED",
    "MAX_SNAP_M",
    "MIN_EDGE_M",
    "NO_FOOT",
    "OFF_WAYS",
    "OUTSIDE_NETWORK",
    "PRIVATE_ACCESS",
    "SLOW_SPEED_KMH",
    "Nearest",
    "WalkNetwork",
    "build_walk_network",
    "distances_from_point",
    "nearest_arrays",
    "nearest_by_category",
    "nearest_entry",
    "network_from_ways",
    "points_xy",
    "walk_minutes",
    "walkable",
]
