"""``GET /api/areas/{area}/offline``: what "Für unterwegs speichern" stores on the phone.

The answer lists URLs only: the browser fetches each with the user's own session, so the
device stores exactly what this user may read (every URL is a read route with its own
checks). A walk brings its page, its results form, the note form, the cards of its stops
(addresses, places, notes) and its district; a district brings its map page, the map's
data (addresses, places per category, released notes, offers) and the basemap tiles of
zooms 14-18 that touch it.
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.basemap.archive import BasemapArchiveError
from sozialraum.errors import NotFound
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services import notes as fieldnotes
from sozialraum.services import offline, walks
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import archives
from sozialraum.web.offline.schemas import OfflineBundle, OfflineQuery
from sozialraum.web.responses import json_response
from sozialraum.web.schemas import operation
from sozialraum.web.walks import shown_walk


def _district_urls(area: str, district: str) -> tuple[list[str], list[dict]]:
    """The district's map page, its map document and the data the map loads."""
    args = {"district": district}
    pages = [
        url_for("pages.district", area=area, district=district),
        url_for("pages.area_map", area=area, **args),
    ]
    data = [
        {"url": url_for("api.districts", area=area)},
        {"url": url_for("api.addresses", area=area, **args)},
        {"url": url_for("api.offers", area=area)},
        {"url": url_for("api.note_categories")},
        # released notes only; the map asks for the district's notes: the same answer
        {
            "url": url_for("api.notes", area=area, review_state="freigegeben", **args),
            "alias": url_for("api.notes", area=area, **args),
        },
    ]
    data += [
        {"url": url_for("api.layer", area=area, category=c.id, **args)} for c in ctx.categories()
    ]
    return pages, data


def _tiles(area: str, district: str) -> list[str]:
    """URLs of the basemap tiles (zoom 14-18) that touch the district; none without a basemap."""
    try:
        archive = archives().archive(area)
    except BasemapArchiveError:
        return []
    feature = next((d for d in ctx.store().query(area, "districts") if d["id"] == district), None)
    if feature is None:
        return []
    template = url_for("pages.basemap_tile", area=area, z=0, x=0, y=0)
    prefix = template[: -len("0/0/0.mvt")]
    urls = []
    for z, x, y in offline.tiles_covering(feature["geometry"]):
        if archive.get(z, x, y) is not None:  # tiles outside the area's basemap are 404
            urls.append(f"{prefix}{z}/{x}/{y}.mvt")
    return urls


def _walk_urls(area: str, walk_id: str) -> tuple[dict, list[str], list[dict]]:
    store = ctx.store()
    reader = ctx.current_actor()
    walk = shown_walk(area, walks.get_walk(store, area, walk_id, reader=reader))
    props = walk["properties"]
    pages = [url_for("pages.walk", area=area, walk_id=walk_id)]
    if fieldnotes.may_write(reader, props.get("team")):
        pages.append(url_for("pages.walk_findings", area=area, walk_id=walk_id))
    data = [{"url": url_for("api.walk", area=area, walk_id=walk_id)}]
    stops = walks.stop_details(
        store,
        area,
        walk,
        today=settings.today(),
        labels={},
        reader=reader,
        rules=ctx.note_rules(),
    )
    cards: list[str] = []
    for detail in stops:
        stop = detail["stop"]
        if stop["kind"] == "address" and stop.get("ref"):
            cards.append(url_for("pages.address", area=area, address_id=stop["ref"]))
        elif stop["kind"] == "resource" and stop.get("ref"):
            cards.append(url_for("pages.resource", area=area, resource_id=stop["ref"]))
        for note in detail["known"]:
            cards.append(url_for("pages.note", area=area, note_id=note["id"]))
            key = note["properties"].get("address_key")
            address_id = note["properties"].get("address_id") or (
                key and fieldnotes.address_id_for_key(store, area, key)
            )
            if address_id:
                cards.append(url_for("pages.address", area=area, address_id=address_id))
    pages += list(dict.fromkeys(cards))
    return walk, pages, data


@operation(
    "What 'Für unterwegs speichern' stores for a walk or a district: URLs of "
    "pages, API answers and basemap tiles (zoom 14-18) the user may read",
    query=OfflineQuery,
    ok=OfflineBundle,
    etag=False,
    errors=(400, 401, 404),
)
def offline_bundle(area: str, query: OfflineQuery):
    """What to store for ``?walk=ID`` or ``?district=ID`` (one of them).

    Returns JSON: ``key``, ``kind``, ``title``, ``district``, ``pages`` (HTML pages),
    ``data`` (API answers: ``url`` and an optional ``alias`` URL the same answer is kept
    under), ``tiles`` (basemap tile URLs, zoom 14-18), ``keep_days``, ``user``.
    """
    walk_id = query.walk or None
    district = query.district or None
    pages: list[str] = []
    data: list[dict] = []
    if walk_id is not None:
        walk, pages, data = _walk_urls(area, walk_id)
        district = walk["properties"]["district"]
        title = f"Rundgang: {walk['properties']['title']}"
        key = f"{area}/rundgang/{walk_id}"
    else:
        ctx.check_district(area, district)
        key = f"{area}/bezirk/{district}"
        title = None
    names = ctx.district_names(area)
    if district not in names:
        raise NotFound(f"district {district!r} does not exist in area {area!r}")
    title = title or f"Bezirk {names[district]}"
    more_pages, more_data = _district_urls(area, district)
    if can_write_somewhere(current_user.role):
        more_pages.append(url_for("pages.new_note", area=area))
    return json_response(
        {
            "key": key,
            "kind": "walk" if walk_id else "district",
            "area": area,
            "title": title,
            "district": district,
            "pages": list(dict.fromkeys(pages + more_pages)),
            "data": data + more_data,
            "tiles": _tiles(area, district),
            "keep_days": offline.KEEP_DAYS,
            "user": current_user.name,
        }
    )
