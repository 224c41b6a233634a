"""OpenAPI description of the mailbox check (merged into ``/api/openapi.json``)."""

from __future__ import annotations

from sozialraum.analysis.matching import MATCH_KINDS, MATCH_LABELS
from sozialraum.model.mailbox import RISK_LEVELS, STATUSES
from sozialraum.model.review import STATES as REVIEW_STATES
from sozialraum.web.mailbox.api import MAX_ADDRESSES
from sozialraum.web.notes.openapi import note_errors
from sozialraum.web.openapi_parts import INT, JSON, NSTR, STR, nullable, ok_answer, param, ref

_ADDRESS = {
    "type": "object",
    "required": ["id", "street", "housenumber", "label"],
    "properties": {
        "id": STR,
        "street": STR,
        "housenumber": STR,
        "postcode": NSTR,
        "city": NSTR,
        "label": STR,
    },
}
_EVIDENCE = {
    "type": "object",
    "required": ["status", "observed_on", "source", "role", "expired", "review_state"],
    "properties": {
        "status": {"enum": list(STATUSES)},
        "status_label": STR,
        "observed_on": {"type": "string", "format": "date"},
        "expires_on": nullable({"type": "string", "format": "date"}),
        "expired": {"type": "boolean"},
        "contradicting": {"type": "boolean"},
        "source": {"enum": ["notiz", "rueckläufer", "osm"]},
        "source_label": STR,
        "role": STR,
        "detail": STR,
        "ref": NSTR,
        "review_state": {
            "description": "review state of a note (null: returned mail and OSM are not "
            "reviewed); evidence from a note not released yet counts all the same",
            "enum": [*REVIEW_STATES, None],
        },
        "review_state_label": NSTR,
        "unreleased": {"type": "boolean"},
    },
}
_INPUT = {
    "anyOf": [
        {"type": "string", "description": "One line, e.g. 'Lindenstr. 12, 45903 Musterstadt'"},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "street": STR,
                "housenumber": STR,
                "postcode": NSTR,
                "city": NSTR,
                "address": STR,
            },
        },
    ]
}

SCHEMAS: dict[str, dict] = {
    "MailboxResult": {
        "type": "object",
        "required": ["index", "match_kind", "match_score", "risk", "reasons", "action"],
        "properties": {
            "index": INT,
            "match_kind": {"enum": list(MATCH_KINDS)},
            "match_label": {
                "enum": list(MATCH_LABELS.values()),
                "description": "match_kind in German (for display)",
            },
            "match_score": INT,
            "match_reason": NSTR,
            "matched": nullable(_ADDRESS),
            "candidates": {"type": "array", "items": _ADDRESS},
            "mailbox_status": nullable({"enum": list(STATUSES)}),
            "mailbox_status_label": NSTR,
            "risk": {"enum": list(RISK_LEVELS)},
            "reasons": {"type": "array", "items": STR},
            "action": STR,
            "communal": NSTR,
            "unreleased": {
                "type": "boolean",
                "description": "the risk rests on a note not released yet (the reasons say "
                "'noch nicht freigegeben')",
            },
            "evidence": {"type": "array", "items": _EVIDENCE},
        },
    },
    "MailboxCheck": {
        "type": "object",
        "required": ["area", "checked_on", "counts", "results"],
        "properties": {
            "area": STR,
            "checked_on": {"type": "string", "format": "date"},
            "counts": {
                "type": "object",
                "required": list(RISK_LEVELS),
                "properties": {level: INT for level in RISK_LEVELS},
            },
            "results": {"type": "array", "items": ref("MailboxResult")},
            "columns": {
                "type": "object",
                "description": "For a CSV body: the column used per part (street, "
                "housenumber, postcode, city; one column may hold several)",
                "additionalProperties": STR,
            },
        },
    },
}

PATHS: dict[str, dict] = {
    "/api/areas/{area}/mailbox-check": {
        "post": {
            "summary": "Delivery-risk check: match addresses, mailbox status with evidence, "
            "risk (hoch/mittel/niedrig/unbekannt), reasons and suggested action. Nothing of "
            "the list is stored or logged; the tool advises, it decides nothing.",
            "parameters": [
                param("area", "path", True),
                param(
                    "columns",
                    description="CSV body only: the address columns, e.g. "
                    "street=Straße,housenumber=Hausnummer,postcode=PLZ,city=Ort (detected "
                    "from names and content when not given; unclear columns are a 400 "
                    "naming the candidates)",
                ),
            ],
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_ADDRESSES,
                            "items": _INPUT,
                        }
                    },
                    "text/csv": {
                        "schema": {
                            "type": "string",
                            "description": "A list as exported (UTF-8 or Windows-1252, ';' "
                            f"or ','), header row first, at most {MAX_ADDRESSES:,} rows",
                        }
                    },
                },
            },
            "responses": {**ok_answer("MailboxCheck", JSON), **note_errors(400, 401, 404, 413)},
        }
    }
}
