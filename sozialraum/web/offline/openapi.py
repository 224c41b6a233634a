"""OpenAPI description of the offline route (merged into ``/api/openapi.json``)."""

from __future__ import annotations

from sozialraum.web.notes.openapi import note_errors
from sozialraum.web.openapi_parts import INT, STR, ok_answer, param

_URLS = {"type": "array", "items": STR}

SCHEMAS: dict[str, dict] = {
    "OfflineBundle": {
        "type": "object",
        "required": ["key", "kind", "area", "title", "district", "pages", "data", "tiles"],
        "properties": {
            "key": STR,
            "kind": {"enum": ["walk", "district"]},
            "area": STR,
            "title": STR,
            "district": STR,
            "pages": _URLS,
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["url"],
                    "properties": {"url": STR, "alias": STR},
                },
            },
            "tiles": _URLS,
            "keep_days": INT,
            "user": STR,
        },
    }
}

PATHS: dict[str, dict] = {
    "/api/areas/{area}/offline": {
        "get": {
            "summary": "What 'Für unterwegs speichern' stores for a walk or a district: URLs of "
            "pages, API answers and basemap tiles (zoom 14-18) the user may read",
            "parameters": [
                param("area", "path", True),
                param("walk", description="walk id (or district=)"),
                param("district", description="district id (or walk=)"),
            ],
            "responses": {
                **ok_answer("OfflineBundle", etag=False),
                **note_errors(400, 401, 404),
            },
        }
    }
}
