"""The OpenAPI 3.1 document of the JSON API (``/api/openapi.json``).

A test checks that every ``/api/`` route of the app is described here and that
real responses validate against these schemas.
"""

from __future__ import annotations

from sozialraum import __version__
from sozialraum.web.areas import openapi as areas_openapi
from sozialraum.web.field import openapi as field_openapi
from sozialraum.web.mailbox import openapi as mailbox_openapi
from sozialraum.web.notes import openapi as notes_openapi
from sozialraum.web.offers import openapi as offers_openapi
from sozialraum.web.offline import openapi as offline_openapi
from sozialraum.web.openapi_parts import INT, STR, read_get, ref
from sozialraum.web.walking import openapi as walking_openapi
from sozialraum.web.walks import openapi as walks_openapi

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
}


PATHS = {
    "/api/openapi.json": read_get(
        "This document",
        [],
        {
            "description": "OpenAPI document",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        public=True,
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
                **areas_openapi.SCHEMAS,
                **walking_openapi.SCHEMAS,
                **notes_openapi.SCHEMAS,
                **walks_openapi.SCHEMAS,
                **mailbox_openapi.SCHEMAS,
                **offers_openapi.SCHEMAS,
                **field_openapi.SCHEMAS,
                **offline_openapi.SCHEMAS,
            },
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
        "security": [{"session": []}],
        "paths": {
            **PATHS,
            **areas_openapi.PATHS,
            **walking_openapi.PATHS,
            **notes_openapi.PATHS,
            **walks_openapi.PATHS,
            **mailbox_openapi.PATHS,
            **offers_openapi.PATHS,
            **field_openapi.PATHS,
            **offline_openapi.PATHS,
        },
    }
