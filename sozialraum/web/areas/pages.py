"""Area pages (German): start page, area and district maps, search, place and address.

Views parse requests and call plain functions.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from sozialraum import settings
from sozialraum.errors import NotFound
from sozialraum.maps.area_map import MapOptions, MapUrls, build_area_map
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services import areas as services
from sozialraum.services import review
from sozialraum.services.mailbox_check import check_one, result_record
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import basemap_options
from sozialraum.web.csp import csp_nonce, map_document, page_map
from sozialraum.web.notes.pages import linked_notes


def _district(area: str, district: str) -> dict:
    for summary in services.district_summaries(ctx.store(), area, ctx.categories()):
        if summary["id"] == district:
            return summary
    raise NotFound(f"district {district!r} does not exist")


def index():
    """Areas with their districts, teams and counts per category."""
    store, table = ctx.store(), ctx.categories()
    areas = []
    for name in store.areas():
        meta = store.read_meta(name)
        areas.append(
            {
                "meta": meta,
                "warnings": services.area_warnings(meta),
                "live": services.live_counts(store, name, table),
                "districts": services.district_summaries(store, name, table),
                "queries": _open_queries(name),
            }
        )
    return render_template(
        "areas/index.html", areas=areas, categories=table, data_date=services.data_date
    )


def _open_queries(area: str, district: str | None = None) -> list[dict]:
    """The open Rückfragen of the user's team in an area (or a district)."""
    return review.open_queries(
        ctx.store(),
        area,
        actor=ctx.current_actor(),
        rules=ctx.note_rules(),
        today=settings.today(),
        district=district,
    )


def _map_page(area: str, district: dict | None):
    meta = ctx.area_meta()
    args = {"district": district["id"]} if district else {}
    place_note = request.args.get("notiz") == "1"
    fmap = build_map(area, district["id"] if district else None, place_note=place_note)
    return render_template(
        "areas/area.html",
        meta=meta,
        area=area,
        district=district,
        categories=ctx.categories(),
        districts=services.district_summaries(ctx.store(), area, ctx.categories()),
        live=services.live_counts(ctx.store(), area, ctx.categories()),
        map=page_map(fmap),
        queries=_open_queries(area, district["id"] if district else None),
        **_list_context(area, args),
    )


def area_page(area: str):
    """Map and list of a whole area."""
    return _map_page(area, None)


def district_page(area: str, district: str):
    """Map and list of one district."""
    return _map_page(area, _district(area, district))


def area_map(area: str):
    """The folium map as a document of its own; ``?district=`` focuses a district.

    The pages render the same map into themselves (:func:`build_map`); this document is
    for linking and embedding elsewhere.
    """
    fmap = build_map(
        area, request.args.get("district") or None, place_note=request.args.get("notiz") == "1"
    )
    return map_document(fmap, csp_nonce()), 200, {"Content-Type": "text/html; charset=utf-8"}


def build_map(area: str, district_id: str | None, *, place_note: bool = False):
    """The folium map of ``area`` (or one district): layers fetched from the API.

    ``place_note`` starts with the "Notiz setzen" control switched on.
    """
    meta = ctx.area_meta()
    table = ctx.categories()
    args = {}
    counts = services.live_counts(ctx.store(), area, table)["counts"]
    bbox = tuple(meta["bbox"])
    if district_id:
        summary = _district(area, district_id)
        counts = summary["counts"]
        args = {"district": district_id}
    writer = can_write_somewhere(current_user.role)
    urls = MapUrls(
        districts=url_for("api.districts", area=area),
        addresses=url_for("api.addresses", area=area, **args),
        layers={c.id: url_for("api.layer", area=area, category=c.id, **args) for c in table},
        resource_card=url_for("pages.resource", area=area, resource_id="__ID__"),
        address_card=url_for("pages.address", area=area, address_id="__ID__"),
        isochrones=url_for("api.isochrones", area=area) if services.has_walk_network(meta) else "",
        notes=url_for("api.notes", area=area, **args),
        note_card=url_for("pages.note", area=area, note_id="__ID__"),
        new_note=url_for("pages.new_note", area=area) if writer else "",
        offers=url_for("api.offers", area=area),
        offer_card=url_for("pages.offer", area=area, offer_id="__ID__"),
    )
    options = MapOptions(
        bbox=bbox,
        counts=counts,
        district=district_id,
        tile_url=current_app.config.get("TILE_URL") or None,
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
        basemap=basemap_options(area, meta["bbox"]),
        csrf_token=generate_csrf(),
        note_categories=[
            {"id": c.id, "label": c.label, "colour": c.colour} for c in ctx.note_rules().categories
        ],
        place_note=place_note,
    )
    return build_area_map(table, urls, options)


def _list_context(area: str, args: dict) -> dict:
    """What the list view (templates/areas/_list.html) needs: API URLs and category labels."""
    table = ctx.categories()
    return {
        "layer_urls": {c.id: url_for("api.layer", area=area, category=c.id, **args) for c in table},
        "addresses_url": url_for("api.addresses", area=area, **args),
        "labels": {c.id: c.label for c in table},
    }


def search_page(area: str):
    """Address search with suggestions, the address card, the map and its list."""
    meta = ctx.area_meta()
    return render_template(
        "areas/search.html",
        meta=meta,
        area=area,
        map=page_map(build_map(area, None)),
        search_url=url_for("api.search_addresses", area=area),
        card_url=url_for("api.address", area=area, address_id="__ID__"),
        resource_url=url_for("pages.resource", area=area, resource_id="__ID__"),
        **_list_context(area, {}),
    )


def resource_page(area: str, resource_id: str):
    """A resource card as a page (text only)."""
    meta = ctx.area_meta()
    card = services.resource_card(ctx.store(), area, resource_id, ctx.categories())
    return render_template(
        "areas/resource.html",
        meta=meta,
        area=area,
        card=card,
        notes=linked_notes(area, osm_ref=resource_id),
        can_write=can_write_somewhere(current_user.role),
    )


def address_page(area: str, address_id: str):
    """An address card as a page, with the resources nearby."""
    meta = ctx.area_meta()
    store, table = ctx.store(), ctx.categories()
    card = services.address_card(store, area, address_id)
    labels = {c.id: c.label for c in table}
    walk = (
        services.nearest_resources(
            store, area, address_id, table, categories=services.GUIDE_CATEGORIES
        )
        if services.has_walk_network(meta)
        else None
    )
    key = store.get(area, "addresses", address_id)["properties"].get("key")
    today = settings.today()
    mailbox = result_record(
        check_one(
            store,
            area,
            address_id=address_id,
            actions=ctx.mailbox_actions(),
            today=today,
            visible=ctx.note_filter(),
        ),
        today,
    )
    return render_template(
        "areas/address.html",
        mailbox=mailbox,
        meta=meta,
        area=area,
        card=card,
        labels=labels,
        walk=walk,
        notes=linked_notes(area, address_key=key) if key else [],
        can_write=can_write_somewhere(current_user.role),
    )
