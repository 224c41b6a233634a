"""The OpenAPI 3.1 document of the JSON API (``/api/openapi.json``).

A test checks that every ``/api/`` route of the app is described here and that
real responses validate against these schemas.
"""

from __future__ import annotations

from sozialraum import __version__
from sozialraum.web import openapi_mailbox, openapi_notes, openapi_offers, openapi_walks
from sozialraum.web._openapi_parts import (
    GEO,
    INT,
    NSTR,
    NUM,
    STR,
    collection,
    feature,
    nullable,
    ref,
)

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": STR, "status": INT, "detail": STR},
    },
    "Position": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}},
    "Point": {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {"type": {"const": "Point"}, "coordinates": ref("Position")},
    },
    "Polygonal": {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"enum": ["Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array"},
        },
    },
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


NNUM = nullable(NUM)
SCHEMAS["WalkItem"] = {
    "type": "object",
    "required": ["category", "label", "colour", "resource", "distance_m", "walk_min"],
    "properties": {
        "category": STR,
        "label": STR,
        "colour": STR,
        "resource": nullable(
            {
                "type": "object",
                "required": ["id", "name", "lon", "lat"],
                "properties": {"id": STR, "name": NSTR, "address": STR, "lon": NUM, "lat": NUM},
            }
        ),
        "distance_m": nullable({"type": "integer", "minimum": 0}),
        "walk_min": NNUM,
    },
}
SCHEMAS["AddressWalk"] = {
    "type": "object",
    "required": ["cut_off", "cut_off_reason", "cut_off_text", "cut_off_hint", "speed_kmh", "items"],
    "properties": {
        "cut_off": {"type": "boolean", "description": "Farther than 250 m from the walk network"},
        "cut_off_reason": {
            "enum": ["off_ways", "outside_network", None],
            "description": "why cut off: off_ways = no walkable way within 250 m; "
            "outside_network = the ways near it are not connected to the network in the "
            "imported data (a street cut off at the edge of the imported area: import a "
            "larger area); null = not cut off",
        },
        "cut_off_text": {**NSTR, "description": "the reason in German, for people"},
        "cut_off_hint": {
            **NSTR,
            "description": "why and what to do, in German for staff (outside_network only)",
        },
        "speed_kmh": NUM,
        "items": {"type": "array", "items": ref("WalkItem")},
    },
}
_SHARES = {"type": "object", "additionalProperties": NNUM}
SCHEMAS["ProfileRow"] = {
    "type": "object",
    "required": ["id", "name", "addresses", "counts", "per_1000", "within", "far_from_post_box"],
    "properties": {
        "id": STR,
        "name": STR,
        "team": NSTR,
        "addresses": INT,
        "cut_off": {**INT, "description": "addresses farther than 250 m from the walk network"},
        "outside_network": {
            **INT,
            "description": "of those, addresses whose ways are not connected to the network "
            "(cut off at the edge of the imported area)",
        },
        "counts": ref("Counts"),
        "per_1000": _SHARES,
        "within": {**_SHARES, "description": "Share (0-1) of addresses within reach on foot"},
        "far_from_post_box": nullable(INT),
    },
}
SCHEMAS["Profile"] = {
    "type": "object",
    "required": ["area", "speed_kmh", "within_min", "post_box_max_m", "districts"],
    "properties": {
        "area": STR,
        "speed_kmh": NUM,
        "within_min": NUM,
        "post_box_max_m": NUM,
        "districts": {"type": "array", "items": ref("ProfileRow")},
    },
}
SCHEMAS["FarAddressFeature"] = feature(
    ref("Point"),
    ["street", "housenumber", "distance_m", "walk_min"],
    {"street": STR, "housenumber": STR, "distance_m": nullable(INT), "walk_min": NNUM},
)
SCHEMAS["Isochrone"] = feature(
    ref("Polygonal"),
    ["walk_min", "distance_m", "speed_kmh"],
    {"walk_min": NUM, "distance_m": NUM, "speed_kmh": NUM},
    with_id=False,
)
SCHEMAS["ResourceCollection"] = collection("ResourceFeature")
SCHEMAS["FarAddressCollection"] = collection("FarAddressFeature")
SCHEMAS["IsochroneCollection"] = collection("Isochrone")
SCHEMAS["AddressCollection"] = collection("AddressFeature")
SCHEMAS["DistrictCollection"] = collection("DistrictFeature")

_AREA = {
    "name": "area",
    "in": "path",
    "required": True,
    "schema": STR,
    "description": "Area name, e.g. musterstadt-nord",
}
_DISTRICT = {
    "name": "district",
    "in": "query",
    "required": False,
    "schema": STR,
    "description": "Only features in this district (id)",
}
_BBOX = {
    "name": "bbox",
    "in": "query",
    "required": False,
    "schema": STR,
    "description": "W,S,E,N in degrees (EPSG:4326)",
}


_PROFILE = {
    "name": "profil",
    "in": "query",
    "required": False,
    "schema": {"enum": ["normal", "langsam"]},
    "description": "Walking speed: normal 4.5 km/h (default) or langsam 3 km/h",
}


def _ok(schema: str, media: str = "application/json", text: str = "OK") -> dict:
    return {
        "description": text,
        "content": {media: {"schema": ref(schema)}},
        "headers": {"ETag": {"schema": STR}},
    }


def _errors(*codes: int) -> dict:
    texts = {
        304: "Not modified (If-None-Match)",
        400: "Bad input",
        401: "Not logged in",
        404: "Not found (also: the area has no walk network; import it again)",
        413: "Body too large",
    }
    answers = {}
    for code in codes:
        answers[str(code)] = (
            {"description": texts[code]}
            if code == 304
            else {
                "description": texts[code],
                "content": {"application/json": {"schema": ref("Error")}},
            }
        )
    return answers


def _get(summary: str, parameters: list, ok: dict, *errors: int, public=False) -> dict:
    operation = {
        "summary": summary,
        "parameters": parameters,
        "responses": {"200": ok, **_errors(304, *errors)},
    }
    if public:
        operation["security"] = []
    return {"get": operation}


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


PATHS = {
    "/api/openapi.json": _get(
        "This document",
        [],
        {
            "description": "OpenAPI document",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        public=True,
    ),
    "/api/areas": _get(
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
    "/api/areas/{area}": _get(
        "One area with categories and districts", [_AREA], _ok("AreaDetail"), 401, 404
    ),
    "/api/areas/{area}/districts": _get(
        "District polygons with team", [_AREA], _ok("DistrictCollection", GEO), 401, 404
    ),
    "/api/areas/{area}/layers/{category}": _get(
        "Resources of one category",
        [
            _AREA,
            {"name": "category", "in": "path", "required": True, "schema": STR},
            _DISTRICT,
            _BBOX,
        ],
        _ok("ResourceCollection", GEO),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/addresses": _get(
        "Addresses as points",
        [_AREA, _DISTRICT, _BBOX],
        _ok("AddressCollection", GEO),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/addresses/search": {
        "get": {
            **_get(
                "Suggestions for a typed address (deprecated: the address is in the URL, "
                "which proxies may log; use POST)",
                [
                    _AREA,
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
            "parameters": [_AREA],
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
            "responses": {"200": _SUGGESTIONS, **_errors(400, 401, 404, 413)},
        },
    },
    "/api/areas/{area}/addresses/{address_id}": _get(
        "Address card with resources nearby",
        [_AREA, {"name": "address_id", "in": "path", "required": True, "schema": STR}],
        _ok("AddressCard"),
        401,
        404,
    ),
    "/api/areas/{area}/resources/{resource_id}": _get(
        "Resource card",
        [_AREA, {"name": "resource_id", "in": "path", "required": True, "schema": STR}],
        _ok("ResourceCard"),
        401,
        404,
    ),
    "/api/areas/{area}/addresses/{address_id}/walk": _get(
        "Nearest resource of each category on foot (metres along streets, minutes)",
        [_AREA, {"name": "address_id", "in": "path", "required": True, "schema": STR}, _PROFILE],
        _ok("AddressWalk"),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/isochrones": {
        "post": {
            "summary": "5/10/15-minute walking areas around a point (POST: the point is in no "
            "URL or log)",
            "parameters": [_AREA],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["lon", "lat"],
                            "properties": {
                                "lon": NUM,
                                "lat": NUM,
                                "profil": {"enum": ["normal", "langsam"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "Largest band first",
                    "content": {GEO: {"schema": ref("IsochroneCollection")}},
                },
                **_errors(400, 401, 404),
            },
        }
    },
    "/api/areas/{area}/profile": _get(
        "District profile: counts, per 1,000 addresses, share within 10 minutes on foot, "
        "addresses more than 1,000 m from a post box",
        [_AREA, _PROFILE],
        _ok("Profile"),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/profile.csv": {
        "get": {
            "summary": "District profile as CSV (';' separated, decimal comma, UTF-8 with BOM)",
            "parameters": [_AREA, _PROFILE],
            "responses": {
                "200": {"description": "CSV", "content": {"text/csv": {"schema": STR}}},
                **_errors(400, 401, 404),
            },
        }
    },
    "/api/areas/{area}/far/{category}": _get(
        "Addresses at least min_distance_m on foot from the nearest resource of a category",
        [
            _AREA,
            {"name": "category", "in": "path", "required": True, "schema": STR},
            {
                "name": "min_distance_m",
                "in": "query",
                "required": False,
                "schema": {"type": "number", "minimum": 0, "default": 1000},
            },
            _DISTRICT,
            _PROFILE,
        ],
        _ok("FarAddressCollection", GEO),
        400,
        401,
        404,
    ),
}


def openapi_document() -> dict:
    """The OpenAPI 3.1 document as a dict."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sozialraum API",
            "version": __version__,
            "description": "Resources, addresses, districts, field notes and support offers of "
            "imported areas. "
            "Coordinates in EPSG:4326 (RFC 7946). Requires a login session "
            "(cookie); writes need the X-CSRFToken header.",
        },
        "components": {
            "schemas": {
                **SCHEMAS,
                **openapi_notes.SCHEMAS,
                **openapi_walks.SCHEMAS,
                **openapi_mailbox.SCHEMAS,
                **openapi_offers.SCHEMAS,
            },
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
        "security": [{"session": []}],
        "paths": {
            **PATHS,
            **openapi_notes.PATHS,
            **openapi_walks.PATHS,
            **openapi_mailbox.PATHS,
            **openapi_offers.PATHS,
        },
    }
