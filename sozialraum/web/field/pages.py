"""The field page "Unterwegs": map first, the walk's stops, "Wo bin ich?", a quick note.

Made for a phone in one hand (issue 21 §4): the map at the top and full height, the stops of
the chosen walk as a numbered list under it, controls at least 44 px tall. The position
never reaches a URL: the page asks :func:`sozialraum.web.field.api.here` by POST.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from sozialraum.model.notes import MAILBOX_STATUSES
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services import notes as fieldnotes
from sozialraum.services import walks
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import basemap_options
from sozialraum.web.walks import category_labels, shown_walk


def _stops(area: str, walk: dict | None) -> list[dict]:
    """The walk's stops for the page: number, label, lon/lat (degrees, EPSG:4326).

    The label is the stop's title on the walk sheet (:func:`sozialraum.services.walks.stop_place`):
    a resource without a name is called by its category, a note stop by its category and
    address, never "Ort ohne Namen" or "Notiz".
    """
    if walk is None:
        return []
    store, labels = ctx.store(), category_labels()
    return [
        {
            "number": number,
            "label": walks.stop_place(store, area, stop, labels)[0],
            "lon": stop["lon"],
            "lat": stop["lat"],
        }
        for number, stop in enumerate(shown_walk(area, walk)["properties"]["stops"], start=1)
    ]


def field_page(area: str):
    """Field mode of an area; ``?rundgang=<walk id>`` shows that walk's stops (404 unknown)."""
    meta = ctx.area_meta()
    store, reader = ctx.store(), ctx.current_actor()
    walk_id = request.args.get("rundgang") or None
    walk = walks.get_walk(store, area, walk_id, reader=reader) if walk_id else None
    choices = [
        {"id": w["id"], "title": w["properties"]["title"], "walk_on": w["properties"]["walk_on"]}
        for w in walks.list_walks(store, area, reader=reader)
    ]
    writer = can_write_somewhere(current_user.role)
    return render_template(
        "field/unterwegs.html",
        area=area,
        meta=meta,
        walk=walk,
        walk_title=walk["properties"]["title"] if walk else None,
        walks=choices,
        stops=_stops(area, walk),
        field_data={
            "here": url_for("api.field_here", area=area),
            "nearest": url_for("api.nearest_addresses", area=area),
            "notes": url_for("api.create_note", area=area) if writer else "",
            "noteUrl": url_for("pages.note", area=area, note_id="__ID__"),
            "walk": walk["id"] if walk else None,
            "bbox": meta.get("bbox"),
            "districts": url_for("api.districts", area=area),
            "tiles": current_app.config.get("TILE_URL") or "",
            "tileAttribution": current_app.config.get("TILE_ATTRIBUTION") or "",
            "basemap": basemap_options(area, meta["bbox"]),
        },
        can_write=writer,
        categories=list(ctx.note_rules().categories),
        mailbox_statuses=MAILBOX_STATUSES,
        proposal_radius_m=fieldnotes.PROPOSAL_RADIUS_M,
    )
