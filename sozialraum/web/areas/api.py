"""The areas JSON API: areas, districts, layers, addresses, search, cards. Parses requests only."""

from __future__ import annotations

from dataclasses import asdict

from flask import request

from sozialraum.errors import InvalidInput, NotFound
from sozialraum.osm.importer import parse_bbox
from sozialraum.services import areas as services
from sozialraum.web import context as ctx
from sozialraum.web._json import json_body
from sozialraum.web.responses import (
    GEOJSON,
    cached_json,
    feature_collection,
    json_response,
    public_feature,
)
from sozialraum.web.schemas import operation

#: Properties an address carries in the map/list API (the rest stays on the card).
ADDRESS_FIELDS = ("street", "housenumber", "postcode", "district")


def _filters() -> tuple[str | None, tuple | None]:
    district = request.args.get("district") or None
    bbox = request.args.get("bbox")
    return district, parse_bbox(bbox) if bbox else None


def list_areas():
    """All areas with their counts."""
    store = ctx.store()
    metas = [store.read_meta(name) for name in store.areas()]
    etag = ctx.etag(*(m.get("imported_at") for m in metas), *(m.get("title") for m in metas))
    keys = (
        "name",
        "title",
        "fictional",
        "imported_at",
        "bbox",
        "resources",
        "addresses",
        "districts",
        "counts",
    )
    return cached_json(etag, lambda: {"areas": [{k: m.get(k) for k in keys} for m in metas]})


def area_detail(area: str):
    """One area: metadata, categories and districts with team and counts."""
    meta = ctx.area_meta()
    store, table = ctx.store(), ctx.categories()
    revisions = [store.revision(area, layer) for layer in ("resources", "addresses", "districts")]

    live = services.live_counts(store, area, table)

    def build():
        return {
            "name": area,
            "title": meta.get("title", area),
            "fictional": bool(meta.get("fictional")),
            "imported_at": meta.get("imported_at"),
            "bbox": meta.get("bbox"),
            "source": meta.get("source"),
            "resources": live["resources"],
            "addresses": meta.get("addresses"),
            "counts": live["counts"],
            "categories": [
                {"id": c.id, "label": c.label, "colour": c.colour, "icon": c.icon} for c in table
            ],
            "districts": services.district_summaries(store, area, table),
        }

    return cached_json(ctx.etag(area, meta.get("teams"), *revisions), build)


def districts(area: str):
    """District polygons with name and team (GeoJSON)."""
    meta = ctx.area_meta()
    store = ctx.store()
    teams = meta.get("teams", {})

    def build():
        features = []
        for d in store.query(area, "districts"):
            feature = public_feature(d, ("name", "source"))
            feature["properties"]["team"] = teams.get(d["id"])
            features.append(feature)
        return feature_collection(features)

    return cached_json(ctx.etag(area, store.revision(area, "districts"), teams), build, GEOJSON)


def layer(area: str, category: str):
    """Resources of one category, optionally in a district or bbox (GeoJSON).

    ``bbox`` is ``W,S,E,N`` in degrees (EPSG:4326); so are the answer's coordinates.
    """
    if category not in ctx.categories():
        raise NotFound(f"category {category!r} does not exist")
    district, bbox = _filters()
    ctx.check_district(area, district)
    store = ctx.store()
    etag = ctx.etag(area, category, store.revision(area, "resources"))
    return cached_json(
        etag,
        lambda: feature_collection(
            [
                public_feature(f)
                for f in store.query(
                    area, "resources", category=category, district=district, bbox=bbox
                )
            ]
        ),
        GEOJSON,
    )


def addresses(area: str):
    """Addresses as points with street, house number, postcode, district (GeoJSON)."""
    district, bbox = _filters()
    ctx.check_district(area, district)
    store = ctx.store()
    etag = ctx.etag(area, store.revision(area, "addresses"))
    return cached_json(
        etag,
        lambda: feature_collection(
            [
                public_feature(f, ADDRESS_FIELDS)
                for f in store.query(area, "addresses", district=district, bbox=bbox)
            ]
        ),
        GEOJSON,
    )


def _search_limit(limit: int) -> int:
    if not 1 <= limit <= 50:
        raise InvalidInput("limit must be between 1 and 50")
    return limit


def _suggestions(area: str, query: str, limit: int) -> dict:
    if len(query) > 200:
        raise InvalidInput("the query is too long (at most 200 characters)")
    index = services.address_index(ctx.store(), area)
    return {"query": query, "results": [asdict(s) for s in index.search(query, limit)]}


def search_addresses(area: str):
    """Suggestions for a typed address (GET ``?q=``; kept for other tools).

    Deprecated: the query string is part of the URL, which proxies and browsers may
    record. The app's pages use :func:`search_addresses_post`. The app itself stores and
    logs no query (no access log).
    """
    query = request.args.get("q", "")
    try:
        limit = _search_limit(int(request.args.get("limit", "10")))
    except ValueError:
        raise InvalidInput("limit must be a whole number") from None
    store = ctx.store()
    etag = ctx.etag(area, store.revision(area, "addresses"))
    if len(query) > 200:
        raise InvalidInput("the query is too long (at most 200 characters)")
    return cached_json(etag, lambda: _suggestions(area, query, limit))


def search_addresses_post(area: str):
    """Suggestions for a typed address sent in the body (``{"q": …, "limit": 10}``).

    So the address is in no URL or access log; answered with ``no-store``, stored nowhere.
    """
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput('send a JSON object {"q": "Lindenstraße 12", "limit": 10}')
    unknown = sorted(set(body) - {"q", "limit"})
    if unknown:
        raise InvalidInput(f"unknown fields {', '.join(unknown)}: send q and limit only")
    query = body.get("q", "")
    if not isinstance(query, str):
        raise InvalidInput("q must be a string")
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise InvalidInput("limit must be a whole number")
    return json_response(_suggestions(area, query, _search_limit(limit)))


def address_card(area: str, address_id: str):
    """An address with the resources nearby (straight-line metres)."""
    store = ctx.store()
    etag = ctx.etag(
        area, address_id, store.revision(area, "addresses"), store.revision(area, "resources")
    )
    # built only on a cache miss; an ETag can only come from an earlier 200 at this revision
    return cached_json(etag, lambda: services.address_card(store, area, address_id))


def resource_card(area: str, resource_id: str):
    """A resource card: name, categories, address, opening hours, contact, OSM link."""
    store = ctx.store()
    table = ctx.categories()
    return cached_json(
        ctx.etag(area, resource_id, store.revision(area, "resources")),
        lambda: services.resource_card(store, area, resource_id, table),
    )


@operation("This document", ok={"type": "object"}, errors=(304,), texts={200: "OpenAPI document"})
def openapi():
    """The OpenAPI 3.1 document describing every API route."""
    from sozialraum.web.openapi import openapi_document

    return cached_json(ctx.etag(), openapi_document)
