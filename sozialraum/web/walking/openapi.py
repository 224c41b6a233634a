"""OpenAPI part of the walking API: walks from an address, isochrones, profiles, far addresses."""

from __future__ import annotations

from sozialraum.web.openapi_parts import (
    AREA_PARAM,
    DISTRICT_PARAM,
    GEO,
    INT,
    NSTR,
    NUM,
    STR,
    cached_ok,
    collection,
    feature,
    nullable,
    read_errors,
    read_get,
    ref,
)

SCHEMAS: dict[str, dict] = {}
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
SCHEMAS["FarAddressCollection"] = collection("FarAddressFeature")
SCHEMAS["IsochroneCollection"] = collection("Isochrone")


_PROFILE = {
    "name": "profil",
    "in": "query",
    "required": False,
    "schema": {"enum": ["normal", "langsam"]},
    "description": "Walking speed: normal 4.5 km/h (default) or langsam 3 km/h",
}


PATHS: dict[str, dict] = {
    "/api/areas/{area}/addresses/{address_id}/walk": read_get(
        "Nearest resource of each category on foot (metres along streets, minutes)",
        [
            AREA_PARAM,
            {"name": "address_id", "in": "path", "required": True, "schema": STR},
            _PROFILE,
        ],
        cached_ok("AddressWalk"),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/isochrones": {
        "post": {
            "summary": "5/10/15-minute walking areas around a point (POST: the point is in no "
            "URL or log)",
            "parameters": [AREA_PARAM],
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
                **read_errors(400, 401, 404),
            },
        }
    },
    "/api/areas/{area}/profile": read_get(
        "District profile: counts, per 1,000 addresses, share within 10 minutes on foot, "
        "addresses more than 1,000 m from a post box",
        [AREA_PARAM, _PROFILE],
        cached_ok("Profile"),
        400,
        401,
        404,
    ),
    "/api/areas/{area}/profile.csv": {
        "get": {
            "summary": "District profile as CSV (';' separated, decimal comma, UTF-8 with BOM)",
            "parameters": [AREA_PARAM, _PROFILE],
            "responses": {
                "200": {"description": "CSV", "content": {"text/csv": {"schema": STR}}},
                **read_errors(400, 401, 404),
            },
        }
    },
    "/api/areas/{area}/far/{category}": read_get(
        "Addresses at least min_distance_m on foot from the nearest resource of a category",
        [
            AREA_PARAM,
            {"name": "category", "in": "path", "required": True, "schema": STR},
            {
                "name": "min_distance_m",
                "in": "query",
                "required": False,
                "schema": {"type": "number", "minimum": 0, "default": 1000},
            },
            DISTRICT_PARAM,
            _PROFILE,
        ],
        cached_ok("FarAddressCollection", GEO),
        400,
        401,
        404,
    ),
}
