"""Walk services: plan a Sozialraumerkundung, order its stops, route, record findings (no Flask).

Stops are points in lon/lat degrees (EPSG:4326); distances are metres along the area's
walk network (EPSG:25832). Without a walk network (an old import) distances fall back
to straight lines and the walk says so (``route_kind = "luftlinie"``).

Visibility: a walk belongs to its district's team, like a note. A reader with a team sees
only that team's walks; admins and accounts without a team see every walk; another
team's walk is :class:`NotFound`, exactly like an unknown id. A note becomes a stop only
if the planner may read it and it belongs to the walk's team. When a walk is shown, a
note stop whose note the reader may not read (a draft for a viewer, a note that has
expired, been deleted or moved to another team) keeps its place on the route but loses
its label, category and note id (:func:`shown_walk`).
"""

from __future__ import annotations

from sozialraum.services.walks.planner import (
    MERGE_RADIUS_M,
    find_places,
    merge_resources,
    merge_stops,
    planner_places,
    resolve_start,
)
from sozialraum.services.walks.records import (
    LAYER,
    add_stops,
    create_walk,
    get_walk,
    list_walks,
    record_findings,
    reorder_walk,
    replace_stops,
    shown_walk,
    walk_visible,
)
from sozialraum.services.walks.stops import (
    HIDDEN_NOTE_LABEL,
    plan_order,
    resolve_stops,
    stop_details,
    stop_place,
    walk_route,
)

__all__ = [
    "HIDDEN_NOTE_LABEL",
    "LAYER",
    "MERGE_RADIUS_M",
    "add_stops",
    "create_walk",
    "find_places",
    "get_walk",
    "list_walks",
    "merge_resources",
    "merge_stops",
    "plan_order",
    "planner_places",
    "record_findings",
    "reorder_walk",
    "replace_stops",
    "resolve_start",
    "resolve_stops",
    "shown_walk",
    "stop_details",
    "stop_place",
    "walk_route",
    "walk_visible",
]
