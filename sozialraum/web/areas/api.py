"""The areas JSON API: areas, districts, layers, addresses, search, cards. Parses requests only."""

from __future__ import annotations

from dataclasses import asdict

from sozialraum.errors import NotFound
from sozialraum.osm.importer import parse_bbox
from sozialraum.services import areas as services
from sozialraum.web import context as ctx
from sozialraum.web.areas.schemas import (
    AddressCard,
    AddressCollection,
    AreaDetail,
    AreaFilters,
    AreaList,
    DistrictCollection,
    ResourceCard,
    ResourceCollection,
    SearchInput,
    SearchQuery,
    Suggestions,
)
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


def _filters(query: AreaFilters) -> tuple[str | None, tuple | None]:
    return query.district or None, parse_bbox(query.bbox) if query.bbox else None


@operation("All areas with counts", ok=AreaList, errors=(304, 401))
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


@operation("One area with categories and districts", ok=AreaDetail, errors=(304, 401, 404))
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


@operation(
    "District polygons with team", ok=DistrictCollection, media=GEOJSON, errors=(304, 401, 404)
)
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


@operation(
    "Resources of one category",
    query=AreaFilters,
    ok=ResourceCollection,
    media=GEOJSON,
    errors=(304, 400, 401, 404),
)
def layer(area: str, category: str, query: AreaFilters):
    """Resources of one category, optionally in a district or bbox (GeoJSON).

    ``bbox`` is ``W,S,E,N`` in degrees (EPSG:4326); so are the answer's coordinates.
    """
    if category not in ctx.categories():
        raise NotFound(f"category {category!r} does not exist")
    district, bbox = _filters(query)
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


@operation(
    "Addresses as points",
    query=AreaFilters,
    ok=AddressCollection,
    media=GEOJSON,
    errors=(304, 400, 401, 404),
)
def addresses(area: str, query: AreaFilters):
    """Addresses as points with street, house number, postcode, district (GeoJSON)."""
    district, bbox = _filters(query)
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


def _suggestions(area: str, query: str, limit: int) -> dict:
    index = services.address_index(ctx.store(), area)
    return {"query": query, "results": [asdict(s) for s in index.search(query, limit)]}


@operation(
    "Suggestions for a typed address (deprecated: the address is in the URL, which proxies "
    "may log; use POST)",
    query=SearchQuery,
    ok=Suggestions,
    errors=(304, 400, 401, 404),
    deprecated=True,
)
def search_addresses(area: str, query: SearchQuery):
    """Suggestions for a typed address (GET ``?q=``; kept for other tools).

    Deprecated: the query string is part of the URL, which proxies and browsers may
    record. The app's pages use :func:`search_addresses_post`. The app itself stores and
    logs no query (no access log).
    """
    store = ctx.store()
    etag = ctx.etag(area, store.revision(area, "addresses"))
    return cached_json(etag, lambda: _suggestions(area, query.q, query.limit))


@operation(
    "Suggestions for a typed address, sent in the body: the address is in no URL or log and "
    "is not stored",
    body=SearchInput,
    ok=Suggestions,
    etag=False,
    errors=(400, 401, 404, 413),
)
def search_addresses_post(area: str, body: SearchInput):
    """Suggestions for a typed address sent in the body (``{"q": …, "limit": 10}``).

    So the address is in no URL or access log; answered with ``no-store``, stored nowhere.
    """
    return json_response(_suggestions(area, body.q, body.limit))


@operation("Address card with resources nearby", ok=AddressCard, errors=(304, 401, 404))
def address_card(area: str, address_id: str):
    """An address with the resources nearby (straight-line metres)."""
    store = ctx.store()
    etag = ctx.etag(
        area, address_id, store.revision(area, "addresses"), store.revision(area, "resources")
    )
    # built only on a cache miss; an ETag can only come from an earlier 200 at this revision
    return cached_json(etag, lambda: services.address_card(store, area, address_id))


@operation("Resource card", ok=ResourceCard, errors=(304, 401, 404))
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
