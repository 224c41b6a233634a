"""Services over one area: metadata, districts and their teams, addresses, walking (no Flask).

Reads (summaries, indexes, cards, reachability, profiles) and the one write of this feature,
:func:`assign_team` (team assignments live in the area metadata). Derived structures (search
index, projected resources, walk network) are cached per layer revision in
:data:`~sozialraum.services.areas.memo.area_memo`, so they are rebuilt only after the layer
file changed.
"""

from __future__ import annotations

from sozialraum.services.areas.addresses import (
    NEAR_ADDRESS_RADIUS_M,
    OSM_URL,
    address_card,
    address_index,
    address_matcher,
    address_points,
    feature_address,
    place_address,
    resource_card,
    resource_index,
)
from sozialraum.services.areas.districts import (
    area_teams,
    assign_team,
    assign_team_to_unassigned,
    district_names,
    district_summaries,
    find_district,
    live_counts,
)
from sozialraum.services.areas.memo import (
    Memo,
    area_memo,
)
from sozialraum.services.areas.meta import (
    DATA_DATE_SOURCES,
    area_warnings,
    data_date,
    has_walk_network,
)
from sozialraum.services.areas.walking import (
    GUIDE_CATEGORIES,
    SPEEDS_KMH,
    area_profile,
    nearest_resources,
    reachability,
    speed_kmh,
    walk_isochrones,
    walk_network,
)

__all__ = [
    "DATA_DATE_SOURCES",
    "GUIDE_CATEGORIES",
    "NEAR_ADDRESS_RADIUS_M",
    "OSM_URL",
    "SPEEDS_KMH",
    "Memo",
    "address_card",
    "address_index",
    "address_matcher",
    "address_points",
    "area_memo",
    "area_profile",
    "area_teams",
    "area_warnings",
    "assign_team",
    "assign_team_to_unassigned",
    "data_date",
    "district_names",
    "district_summaries",
    "feature_address",
    "find_district",
    "has_walk_network",
    "live_counts",
    "nearest_resources",
    "place_address",
    "reachability",
    "resource_card",
    "resource_index",
    "speed_kmh",
    "walk_isochrones",
    "walk_network",
]
