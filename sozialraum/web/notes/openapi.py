"""OpenAPI description of the field-note routes (merged into ``/api/openapi.json``)."""

from __future__ import annotations

from sozialraum.web.openapi_parts import (
    GEO,
    INT,
    JSON,
    NSTR,
    NUM,
    STR,
    collection,
    conflict_body,
    error_answers,
    feature,
    file_export,
    ok_answer,
    param,
    ref,
    versioned_item,
)

_NOTE_PROPERTIES = {
    "category": STR,
    "category_label": STR,
    "text": {"type": "string", "maxLength": 2000},
    "observed_on": {"type": "string", "format": "date"},
    "expires_on": {"type": "string", "format": "date"},
    "review_state": STR,
    "review_state_label": NSTR,
    "mailbox_status": NSTR,
    "mailbox_status_label": NSTR,
    "author": STR,
    "team": NSTR,
    "district": NSTR,
    "district_name": NSTR,
    "address_id": NSTR,
    "address_key": NSTR,
    "address_label": NSTR,
    "osm_ref": NSTR,
    "resource_label": NSTR,
    "version": INT,
    "updated_at": STR,
    "can_edit": {"type": "boolean"},
    "review_log": {
        "type": "array",
        "description": "review changes, oldest first: at (UTC), by, action, from, to, comment",
        "items": {"type": "object"},
    },
    "edited_by": {
        "type": "array",
        "description": "who wrote or changed the content since the last release (none of "
        "them may release or query it); missing on notes never edited: the author",
        "items": STR,
    },
    "recheck": {
        "type": ["object", "null"],
        "description": "a lead asked for a re-check: requested_on, by, walk_id",
    },
}

SCHEMAS: dict[str, dict] = {
    "Note": feature(
        ref("Point"),
        ["category", "text", "observed_on", "expires_on", "review_state", "author", "version"],
        _NOTE_PROPERTIES,
    ),
    "NoteCollection": collection("Note"),
    "NoteInput": {
        "type": "object",
        "description": "lon/lat in degrees (EPSG:4326); or address_id/resource_id alone, "
        "then the point is that object's. Dates ISO 8601.",
        "required": ["category", "text"],
        "additionalProperties": False,
        "properties": {
            "lon": NUM,
            "lat": NUM,
            "category": STR,
            "text": {"type": "string", "maxLength": 2000},
            "observed_on": {"type": "string", "format": "date"},
            "expires_on": {"type": "string", "format": "date"},
            "review_state": {"enum": ["entwurf", "eingereicht"]},
            "mailbox_status": {
                "enum": [
                    "vorhanden",
                    "fehlt",
                    "defekt",
                    "ohne_namen",
                    "hausverwaltung",
                    "post_zurueck",
                ]
            },
            "address_id": STR,
            "resource_id": STR,
        },
    },
    "NoteConflict": conflict_body("Note"),
    "NoteHistory": {
        "type": "object",
        "required": ["id", "versions"],
        "properties": {
            "id": STR,
            "versions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["version", "action", "actor", "at", "feature"],
                    "properties": {
                        "version": INT,
                        "action": {"enum": ["add", "update", "delete"]},
                        "actor": STR,
                        "at": STR,
                        "feature": {"anyOf": [ref("Note"), {"type": "null"}]},
                        "content_edit": {
                            "type": "boolean",
                            "description": "this version created or changed the content "
                            "(its actor is an editor), not only the review state",
                        },
                    },
                },
            },
        },
    },
    "NearestAddresses": {
        "type": "object",
        "required": ["radius_m", "tie_radius_m", "addresses"],
        "properties": {
            "radius_m": NUM,
            "tie_radius_m": NUM,
            "addresses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label", "street", "housenumber", "distance_m"],
                    "properties": {
                        "id": STR,
                        "label": STR,
                        "street": STR,
                        "housenumber": STR,
                        "postcode": NSTR,
                        "distance_m": NUM,
                    },
                },
            },
        },
    },
    "NoteCategories": {
        "type": "object",
        "required": ["categories", "mailbox_statuses", "review_states"],
        "properties": {
            "categories": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label", "kind", "expiry_months"],
                    "properties": {
                        "id": STR,
                        "label": STR,
                        "kind": {"enum": ["note", "needle", "mailbox"]},
                        "expiry_months": INT,
                        "colour": STR,
                    },
                },
            },
            "mailbox_statuses": {"type": "array"},
            "review_states": {"type": "array"},
        },
    },
}

_TEXTS = {
    204: "Deleted",
    304: "Not modified (If-None-Match)",
    400: "Bad input (German message in detail)",
    401: "Not logged in",
    403: "Not allowed: viewers, or a note of another team",
    404: "Not found (also: expired notes)",
    412: "Stale If-Match: the body holds the current version",
    413: "Body too large",
    422: "Text looks like client data (names, birth dates, case numbers, phone, e-mail)",
    428: "If-Match missing",
}


def note_errors(*codes: int) -> dict:
    """The OpenAPI error answers of a note endpoint for the status ``codes``."""
    return error_answers(_TEXTS, "NoteConflict", *codes)


_AREA = param("area", "path", True)
_NOTE = param("note_id", "path", True)
_FILTERS = [
    param("district", description="district id"),
    param("category", description="note category id"),
    param("bbox", description="W,S,E,N in degrees (EPSG:4326)"),
    param("review_state"),
    param("mailbox_status"),
    param("author"),
]
_BODY = {"required": True, "content": {JSON: {"schema": ref("NoteInput")}}}


def note_export(summary: str, media: str, schema: dict = STR) -> dict:
    """The OpenAPI path item of a notes export (``GET``, note filters, file as ``media``)."""
    return file_export(summary, media, schema, [_AREA, *_FILTERS], note_errors(400, 401, 404))


PATHS: dict[str, dict] = {
    "/api/note-categories": {
        "get": {
            "summary": "Note categories, mailbox statuses, review states (German labels)",
            "parameters": [],
            "responses": {**ok_answer("NoteCategories"), **note_errors(401)},
        }
    },
    "/api/areas/{area}/notes": {
        "get": {
            "summary": "Field notes that have not expired",
            "parameters": [_AREA, *_FILTERS],
            "responses": {**ok_answer("NoteCollection", GEO), **note_errors(304, 400, 401, 404)},
        },
        "post": {
            "summary": "Create a field note (201, ETag, Location). A mailbox observation "
            "without address_id is tied to the nearest address within 15 m (400 if there is "
            "none)",
            "parameters": [_AREA],
            "requestBody": _BODY,
            "responses": {
                **ok_answer("Note", GEO, "201"),
                **note_errors(400, 401, 403, 404, 413, 422),
            },
        },
    },
    "/api/areas/{area}/addresses/nearest": {
        "post": {
            "summary": "Addresses within 50 m of a point, nearest first (distance_m in metres, "
            "EPSG:25832), to tie a mailbox note to its house. POST: the point may be a "
            "caseworker's position and is in no URL or log. A mailbox note created without "
            "address_id is tied to the nearest address within tie_radius_m (15 m) or refused.",
            "parameters": [_AREA],
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "type": "object",
                            "required": ["lon", "lat"],
                            "properties": {"lon": NUM, "lat": NUM},
                        }
                    }
                },
            },
            "responses": {**ok_answer("NearestAddresses"), **note_errors(400, 401, 404, 413)},
        }
    },
    "/api/areas/{area}/notes.csv": note_export(
        "Notes as CSV (';', decimal comma, UTF-8 with BOM, formulas neutralised)", "text/csv"
    ),
    "/api/areas/{area}/notes.geojson": note_export(
        "Notes as GeoJSON (EPSG:4326)", GEO, ref("NoteCollection")
    ),
    "/api/areas/{area}/notes.gpkg": note_export(
        "Notes as GeoPackage for QGIS (layer 'notizen', EPSG:4326)",
        "application/geopackage+sqlite3",
    ),
    "/api/areas/{area}/notes/{note_id}": versioned_item(
        "Note",
        [_AREA, _NOTE],
        _BODY,
        note_errors,
        (
            "One note with its ETag",
            "Replace a note (If-Match required)",
            "Delete a note and its earlier versions (If-Match required)",
        ),
        (400, 401, 403, 404, 412, 413, 422, 428),
    ),
    "/api/areas/{area}/notes/{note_id}/history": {
        "get": {
            "summary": "Every version of a note: who, when, what (from the audit log)",
            "parameters": [_AREA, _NOTE],
            "responses": {**ok_answer("NoteHistory"), **note_errors(401, 404)},
        }
    },
}
