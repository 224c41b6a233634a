"""The position API of field mode: what is at the caseworker's position during a walk.

POST only (the position is in no URL or access log), answered ``no-store``.
"""

from __future__ import annotations

from flask import url_for

from sozialraum import settings
from sozialraum.services import field, walks
from sozialraum.services import notes as fieldnotes
from sozialraum.services.mailbox_check import check_one, result_record
from sozialraum.web import context as ctx
from sozialraum.web.field.schemas import FieldPosition, PositionInput
from sozialraum.web.notes.pages import linked_notes
from sozialraum.web.responses import json_response
from sozialraum.web.schemas import operation
from sozialraum.web.walks import shown_walk

#: Known notes shown per address (newest first).
MAX_NOTES = 5


def _address(area: str, lon: float, lat: float) -> dict | None:
    """The nearest address within the proposal radius with its notes and mailbox status."""
    found = fieldnotes.nearest_addresses(ctx.store(), area, lon, lat, limit=1)
    if not found:
        return None
    nearest = found[0]
    today = settings.today()
    mailbox = result_record(
        check_one(
            ctx.store(),
            area,
            address_id=nearest["id"],
            actions=ctx.mailbox_actions(),
            today=today,
            visible=ctx.note_filter(),
        ),
        today,
    )
    notes = []
    for note in linked_notes(area, address_key=nearest["key"])[:MAX_NOTES]:
        props = note["properties"]
        notes.append(
            {
                "id": note["id"],
                "category_label": props.get("category_label") or props.get("category"),
                "mailbox_status_label": props.get("mailbox_status_label"),
                "text": props.get("text") or "",
                "observed_on": props.get("observed_on"),
                "url": url_for("pages.note", area=area, note_id=note["id"]),
            }
        )
    return {
        "id": nearest["id"],
        "label": nearest["label"],
        "distance_m": nearest["distance_m"],
        "url": url_for("pages.address", area=area, address_id=nearest["id"]),
        "notes": notes,
        "mailbox": {
            "status": mailbox.get("mailbox_status"),
            "status_label": mailbox.get("mailbox_status_label"),
            "risk": mailbox.get("risk"),
            "action": mailbox.get("action"),
        },
    }


@operation(
    "Field mode: what is at a position. The nearest address within 50 m "
    "(distance_m in metres, EPSG:25832) with its known notes and mailbox status and, "
    "with rundgang (a walk id), the straight-line distance to each stop and the next "
    "stop (the one after the last stop reached: within 30 m now or listed in "
    "erreicht). POST: the position is in no URL or log; answered no-store.",
    body=PositionInput,
    ok=FieldPosition,
    etag=False,
    errors=(400, 401, 404, 413),
)
def here(area: str, body: PositionInput):
    """What is at a position: nearest address (notes, mailbox status), the walk's next stop.

    Body ``{"lon", "lat"}`` (degrees, EPSG:4326), optionally ``"rundgang"`` (a walk id the
    user may see) and ``"erreicht"`` (stop numbers reached before, see
    :func:`sozialraum.services.field.next_stop`). Distances in metres, straight line,
    EPSG:25832.
    """
    lon, lat = body.lon, body.lat
    reached = body.erreicht[:500]
    answer = {
        "radius_m": fieldnotes.PROPOSAL_RADIUS_M,
        "address": _address(area, lon, lat),
        "stops": [],
        "reached": [],
        "next_stop": None,
    }
    walk_id = body.rundgang
    if walk_id is not None:
        walk = walks.get_walk(ctx.store(), area, walk_id, reader=ctx.current_actor())
        stops = shown_walk(area, walk)["properties"]["stops"]
        distances = field.stop_distances(stops, lon, lat)
        number, done = field.next_stop(distances, reached)
        answer["stops"] = [
            {"number": i, "label": s["label"], "distance_m": d}
            for i, (s, d) in enumerate(zip(stops, distances, strict=True), start=1)
        ]
        answer["reached"] = done
        if number is not None:
            answer["next_stop"] = answer["stops"][number - 1]
    return json_response(answer)  # private, no-store
