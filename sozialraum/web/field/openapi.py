"""OpenAPI description of the field-mode route (merged into ``/api/openapi.json``)."""

from __future__ import annotations

from sozialraum.web.notes.openapi import note_errors
from sozialraum.web.openapi_parts import INT, JSON, NSTR, NUM, STR, nullable, ok_answer, param

_STOP = {
    "type": "object",
    "required": ["number", "label", "distance_m"],
    "properties": {"number": INT, "label": STR, "distance_m": NUM},
}
_NOTE = {
    "type": "object",
    "required": ["id", "category_label", "text", "url"],
    "properties": {
        "id": STR,
        "category_label": STR,
        "mailbox_status_label": NSTR,
        "text": STR,
        "observed_on": NSTR,
        "url": STR,
    },
}
_ADDRESS = {
    "type": "object",
    "required": ["id", "label", "distance_m", "url", "notes", "mailbox"],
    "properties": {
        "id": STR,
        "label": STR,
        "distance_m": NUM,
        "url": STR,
        "notes": {"type": "array", "items": _NOTE},
        "mailbox": {
            "type": "object",
            "properties": {"status": NSTR, "status_label": NSTR, "risk": NSTR, "action": NSTR},
        },
    },
}

SCHEMAS: dict[str, dict] = {
    "FieldPosition": {
        "type": "object",
        "required": ["radius_m", "address", "stops", "reached", "next_stop"],
        "properties": {
            "radius_m": NUM,
            "address": nullable(_ADDRESS),
            "stops": {"type": "array", "items": _STOP},
            "reached": {"type": "array", "items": INT},
            "next_stop": nullable(_STOP),
        },
    }
}

PATHS = {
    "/api/areas/{area}/here": {
        "post": {
            "summary": "Field mode: what is at a position. The nearest address within 50 m "
            "(distance_m in metres, EPSG:25832) with its known notes and mailbox status and, "
            "with rundgang (a walk id), the straight-line distance to each stop and the next "
            "stop (the one after the last stop reached: within 30 m now or listed in "
            "erreicht). POST: the position is in no URL or log; answered no-store.",
            "parameters": [param("area", "path", True)],
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "type": "object",
                            "required": ["lon", "lat"],
                            "properties": {
                                "lon": NUM,
                                "lat": NUM,
                                "rundgang": STR,
                                "erreicht": {"type": "array", "items": INT},
                            },
                        }
                    }
                },
            },
            "responses": {**ok_answer("FieldPosition"), **note_errors(400, 401, 404, 413)},
        }
    }
}
