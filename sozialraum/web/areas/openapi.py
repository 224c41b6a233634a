"""OpenAPI part of the areas API: areas, districts, layers, addresses, search, cards."""

from __future__ import annotations

from sozialraum.web.openapi_parts import (
    AREA_PARAM,
    DISTRICT_PARAM,
    GEO,
    INT,
    NSTR,
    STR,
    cached_ok,
    collection,
    feature,
    nullable,
    read_errors,
    read_get,
    ref,
)

SCHEMAS: dict[str, dict] = {
    "Counts": {
        "type": "object",
        "additionalProperties": INT,
        "description": "Number of resources per category id",
    },
    "Category": {
        "type": "object",
        "required": ["id", "label", "colour", "icon"],
        "properties": {
            "id": STR,
            "label": STR,
            "colour": {"type": "string", "pattern": "^#"},
            "icon": STR,
        },
    },
    "AreaSummary": {
        "type": "object",
        "required": ["name", "title", "bbox", "counts"],
        "properties": {
            "name": STR,
            "title": STR,
            "fictional": nullable({"type": "boolean"}),
            "imported_at": NSTR,
            "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
            "resources": INT,
            "addresses": INT,
            "districts": INT,
            "counts": ref("Counts"),
        },
    },
    "DistrictSummary": {
        "type": "object",
        "required": ["id", "name", "team", "addresses", "counts"],
        "properties": {
            "id": STR,
            "name": STR,
            "team": NSTR,
            "addresses": INT,
            "counts": ref("Counts"),
        },
    },
    "AreaDetail": {
        "type": "object",
        "required": ["name", "title", "bbox", "counts", "categories", "districts"],
        "properties": {
            "name": STR,
            "title": STR,
            "fictional": {"type": "boolean"},
            "imported_at": NSTR,
            "bbox": {"type": "array", "items": {"type": "number"}},
            "source": {"type": "object"},
            "resources": INT,
            "addresses": INT,
            "counts": ref("Counts"),
            "categories": {"type": "array", "items": ref("Category")},
            "districts": {"type": "array", "items": ref("DistrictSummary")},
        },
    },
    "ResourceFeature": feature(
        ref("Point"),
        ["categories", "osm_type", "osm_id"],
        {
            "name": NSTR,
            "categories": {"type": "array", "items": STR},
            "osm_type": {"enum": ["node", "way", "relation"]},
            "osm_id": INT,
            "district": NSTR,
        },
    ),
    "AddressFeature": feature(
        ref("Point"),
        ["street", "housenumber"],
        {"street": STR, "housenumber": STR, "postcode": NSTR, "district": NSTR},
    ),
    "DistrictFeature": feature(
        ref("Polygonal"), ["name", "team"], {"name": STR, "source": NSTR, "team": NSTR}
    ),
    "Suggestion": {
        "type": "object",
        "required": ["id", "label", "street", "housenumber", "match", "score"],
        "properties": {
            "id": STR,
            "label": STR,
            "street": STR,
            "housenumber": STR,
            "postcode": NSTR,
            "district": NSTR,
            "match": {"enum": ["exakt", "Straße", "ähnlich"]},
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
        },
    },
    "Address": {
        "type": "object",
        "properties": {"street": NSTR, "housenumber": NSTR, "postcode": NSTR, "city": NSTR},
    },
    "AddressCard": {
        "type": "object",
        "required": ["id", "address", "geometry", "nearby", "radius_m"],
        "properties": {
            "id": STR,
            "address": ref("Address"),
            "district": NSTR,
            "geometry": ref("Point"),
            "radius_m": {"type": "number"},
            "nearby": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "categories", "distance_m"],
                    "properties": {
                        "id": STR,
                        "name": NSTR,
                        "categories": {"type": "array"},
                        "distance_m": {"type": "integer", "minimum": 0},
                    },
                },
            },
        },
    },
    "ResourceCard": {
        "type": "object",
        "required": ["id", "name", "categories", "address", "osm_url"],
        "properties": {
            "id": STR,
            "name": NSTR,
            "address": ref("Address"),
            "categories": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label"],
                    "properties": {"id": STR, "label": STR},
                },
            },
            "opening_hours": NSTR,
            "wheelchair": NSTR,
            "phone": NSTR,
            "email": NSTR,
            "website": NSTR,
            "operator": NSTR,
            "district": NSTR,
            "osm_url": STR,
            "geometry": ref("Point"),
        },
    },
}


SCHEMAS["ResourceCollection"] = collection("ResourceFeature")
SCHEMAS["AddressCollection"] = collection("AddressFeature")
SCHEMAS["DistrictCollection"] = collection("DistrictFeature")

_BBOX = {
    "name": "bbox",
    "in": "query",
    "required": False,
    "schema": STR,
    "description": "W,S,E,N in degrees (EPSG:4326)",
}

_LIMIT = {"type": "integer", "minimum": 1, "maximum": 50}
_SUGGESTIONS = {
    "description": "OK",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["query", "results"],
                "properties": {
                    "query": STR,
                    "results": {"type": "array", "items": ref("Suggestion")},
                },
            }
        }
    },
}


PATHS: dict[str, dict] = {
    "/api/areas": read_get(
        "All areas with counts",
        [],
        {
            "description": "OK",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["areas"],
                        "properties": {"areas": {"type": "array", "items": ref("AreaSummary")}},
                    }
                }
            },
        },
        401,
    ),
    "/api/areas/{area}": read_get(
        "One area with categories and districts", [AREA_PARAM], cached_ok("AreaDetail"), 401, 404
    ),
    "/api/areas/{area}/districts": read_get(
        "District polygons with team", [AREA_PARAM], cached_ok("DistrictCollection", GEO), 401, 404
    ),
    "/api/areas/{area}/layers/{category}": read_get(
        "Resources of one category",
        [
            AREA_PARAM,
            {"name": "category", "in": "path", "required": True, "schema": STR},
            DISTRICT_PARAM,
            _BBOX,
        ],
        cached_ok("ResourceCollection", GEO),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/addresses": read_get(
        "Addresses as points",
        [AREA_PARAM, DISTRICT_PARAM, _BBOX],
        cached_ok("AddressCollection", GEO),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/addresses/search": {
        "get": {
            **read_get(
                "Suggestions for a typed address (deprecated: the address is in the URL, "
                "which proxies may log; use POST)",
                [
                    AREA_PARAM,
                    {"name": "q", "in": "query", "required": True, "schema": STR},
                    {"name": "limit", "in": "query", "required": False, "schema": _LIMIT},
                ],
                _SUGGESTIONS,
                400,
                401,
                404,
            )["get"],
            "deprecated": True,
        },
        "post": {
            "summary": "Suggestions for a typed address, sent in the body: the address is in "
            "no URL or log and is not stored",
            "parameters": [AREA_PARAM],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["q"],
                            "properties": {
                                "q": {"type": "string", "maxLength": 200},
                                "limit": _LIMIT,
                            },
                            "additionalProperties": False,
                        }
                    }
                },
            },
            "responses": {"200": _SUGGESTIONS, **read_errors(400, 401, 404, 413)},
        },
    },
    "/api/areas/{area}/addresses/{address_id}": read_get(
        "Address card with resources nearby",
        [AREA_PARAM, {"name": "address_id", "in": "path", "required": True, "schema": STR}],
        cached_ok("AddressCard"),
        401,
        404,
    ),
    "/api/areas/{area}/resources/{resource_id}": read_get(
        "Resource card",
        [AREA_PARAM, {"name": "resource_id", "in": "path", "required": True, "schema": STR}],
        cached_ok("ResourceCard"),
        401,
        404,
    ),
}
