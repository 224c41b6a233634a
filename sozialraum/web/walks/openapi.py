"""OpenAPI description of the walk routes (merged into ``/api/openapi.json``)."""

from __future__ import annotations

from sozialraum.web.notes.openapi import note_errors, note_export
from sozialraum.web.openapi_parts import (
    GEO,
    INT,
    JSON,
    NSTR,
    NUM,
    STR,
    collection,
    feature,
    nullable,
    ok_answer,
    param,
)

NINT = nullable(INT)
_AREA = param("area", "path", True)
_DISTRICT = param("district", description="district id")

_WALK_PROPERTIES = {
    "title": STR,
    "walk_on": {"type": "string", "format": "date"},
    "purpose": STR,
    "participants": STR,
    "district": STR,
    "team": NSTR,
    "author": STR,
    "route_m": NINT,
    "leg_m": {"type": "array", "items": NINT},
    "route_kind": {"enum": ["strassen", "luftlinie"]},
    "status": STR,
    "version": INT,
    "stops": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["kind", "label"],
            "properties": {
                "kind": {"enum": ["resource", "address", "note", "point"]},
                "ref": NSTR,
                "label": STR,
                "categories": {"type": "array", "items": STR},
            },
        },
    },
    "route": {
        "type": "object",
        "properties": {
            "type": {"const": "MultiLineString"},
            "coordinates": {"type": "array"},
        },
    },
}

SCHEMAS: dict[str, dict] = {
    "Walk": feature(
        {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {"type": {"const": "MultiPoint"}, "coordinates": {"type": "array"}},
        },
        ["title", "walk_on", "district", "stops", "status", "version"],
        _WALK_PROPERTIES,
    ),
    "WalkCollection": collection("Walk"),
    "WalkPlan": {
        "type": "object",
        "required": ["stops", "route_m", "leg_m", "walk_min", "route_kind", "route"],
        "properties": {
            "stops": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "label", "lon", "lat"],
                    "properties": {
                        "kind": {"enum": ["resource", "address", "note", "point"]},
                        "ref": NSTR,
                        "label": STR,
                        "lon": NUM,
                        "lat": NUM,
                    },
                },
            },
            "route_m": NINT,
            "leg_m": {"type": "array", "items": NINT},
            "walk_min": NINT,
            "route_kind": {"enum": ["strassen", "luftlinie"]},
            "route": _WALK_PROPERTIES["route"],
        },
    },
    "WalkPlaces": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "ref", "value", "label", "what", "match", "lon", "lat"],
                    "properties": {
                        "kind": {"enum": ["resource", "address"]},
                        "ref": STR,
                        "value": STR,
                        "label": STR,
                        "what": STR,
                        "match": STR,
                        "lon": NUM,
                        "lat": NUM,
                    },
                },
            }
        },
    },
}

_PICK = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["resource", "address", "note", "point"]},
        "ref": STR,
        "lon": NUM,
        "lat": NUM,
        "label": STR,
    },
    "additionalProperties": False,
}


def _post(summary: str, body: dict, answer: str) -> dict:
    return {
        "post": {
            "summary": summary,
            "parameters": [_AREA],
            "requestBody": {"required": True, "content": {JSON: {"schema": body}}},
            "responses": {
                **ok_answer(answer, etag=False),
                **note_errors(400, 401, 404, 413),
            },
        }
    }


PATHS: dict[str, dict] = {
    "/api/areas/{area}/walks": {
        "get": {
            "summary": "Walks (Sozialraumerkundungen) of an area, stops in walking order",
            "parameters": [_AREA, _DISTRICT],
            "responses": {**ok_answer("WalkCollection", GEO), **note_errors(304, 401, 404)},
        }
    },
    "/api/areas/{area}/walks/{walk_id}": {
        "get": {
            "summary": "One walk with its route along the streets (MultiLineString, lon/lat)",
            "parameters": [_AREA, param("walk_id", "path", True)],
            "responses": {**ok_answer("Walk", GEO), **note_errors(401, 404)},
        }
    },
    "/api/areas/{area}/walks.csv": note_export("Stops of all walks as CSV", "text/csv"),
    "/api/areas/{area}/walks.geojson": note_export(
        "Stops of all walks as GeoJSON points", GEO, {"type": "object"}
    ),
    "/api/areas/{area}/walks.gpkg": note_export(
        "Stops of all walks as GeoPackage (layer 'rundgaenge')", "application/geopackage+sqlite3"
    ),
    "/api/areas/{area}/walk-planner/route": _post(
        "The planner's route (nothing stored): stops resolved, repeats merged, in the order "
        "sent or the shortest found (propose), with their route along the streets",
        {
            "type": "object",
            "required": ["stops"],
            "properties": {
                "stops": {"type": "array", "items": _PICK, "minItems": 1, "maxItems": 40},
                "propose": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
        "WalkPlan",
    ),
    "/api/areas/{area}/walk-planner/places": _post(
        "Suggestions for the planner's start field: addresses, resource and stop names "
        "(POST: the text is in no URL or log)",
        {
            "type": "object",
            "properties": {
                "q": {"type": "string", "maxLength": 200},
                "limit": {"type": "integer", "minimum": 1, "maximum": 20},
            },
            "additionalProperties": False,
        },
        "WalkPlaces",
    ),
}
