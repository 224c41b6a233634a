"""OpenAPI schemas of the support offers (see :mod:`.openapi` for the routes)."""

from __future__ import annotations

from sozialraum.model import offers as model
from sozialraum.services.offers import PROPOSAL_STATES
from sozialraum.web.openapi_parts import (
    INT,
    NSTR,
    NUM,
    STR,
    collection,
    conflict_body,
    feature,
    nullable,
    ref,
)

_DATE = {"type": "string", "format": "date"}
_NDATE = nullable(_DATE)
_BOOL = {"type": "boolean"}


def _ids(vocabulary: dict) -> dict:
    return {"type": "array", "items": {"enum": list(vocabulary)}, "uniqueItems": True}


def _list_input(vocabulary: dict, what: str) -> dict:
    return {
        "anyOf": [
            {"type": "array", "items": STR},
            {"type": "string", "description": "separated by | , or ;"},
            {"type": "null"},
        ],
        "description": f"{what}: ids ({', '.join(vocabulary)}) or their German labels",
    }


_FLAGS = {
    "type": "object",
    "description": "What is wrong with the offer today; handout: may go on a citizen's handout "
    "(not ended, not archived, checked in the last 12 months)",
    "required": ["ended", "not_yet", "unchecked", "labels", "handout"],
    "properties": {
        "ended": _BOOL,
        "not_yet": _BOOL,
        "unchecked": _BOOL,
        "changed": {
            "type": "array",
            "items": STR,
            "description": "who changed the content since the last check (four-eyes: "
            "another person must mark it as checked; until then it counts as unchecked)",
        },
        "archived": {
            **_NDATE,
            "description": "the day the offer was archived (hidden from finder, handouts, "
            "map and this list unless archiv=nur or archiv=alle), or null",
        },
        "labels": {"type": "array", "items": STR},
        "handout": _BOOL,
    },
}

_OFFER_PROPERTIES = {
    "name": {"type": "string", "maxLength": model.MAX_NAME_CHARS},
    "provider": {"type": "string", "maxLength": model.MAX_NAME_CHARS},
    "funders": _ids(model.FUNDERS),
    "legal_bases": _ids(model.LEGAL_BASES),
    "target_groups": _ids(model.TARGET_GROUPS),
    "eligibility": _ids(model.CONDITIONS),
    "eligibility_note": STR,
    "min_age_years": nullable(
        {"type": "integer", "minimum": model.MIN_AGE_YEARS, "maximum": model.MAX_AGE_YEARS}
    ),
    "max_age_years": nullable(
        {"type": "integer", "minimum": model.MIN_AGE_YEARS, "maximum": model.MAX_AGE_YEARS}
    ),
    "description": {"type": "string", "maxLength": model.MAX_TEXT_CHARS},
    "topics": _ids(model.TOPICS),
    "phone": STR,
    "email": STR,
    "web": STR,
    "opening_hours": STR,
    "languages": _ids(model.LANGUAGES),
    "address": STR,
    "region_wide": _BOOL,
    "valid_from": _NDATE,
    "valid_to": _NDATE,
    "checked_on": _NDATE,
    "checked_by": nullable({"enum": list(model.CHECKED_BY_ROLES)}),
}
_REQUIRED = ["name", "provider", "funders", "description", "region_wide"]

_INPUT_PROPERTIES = {
    "name": {"type": "string", "maxLength": model.MAX_NAME_CHARS},
    "provider": {"type": "string", "maxLength": model.MAX_NAME_CHARS},
    "funders": _list_input(model.FUNDERS, "Förderer, at least one"),
    "legal_bases": _list_input(model.LEGAL_BASES, "Rechtsgrundlage"),
    "target_groups": _list_input(model.TARGET_GROUPS, "Zielgruppen (none: open to all)"),
    "eligibility": _list_input(model.CONDITIONS, "Voraussetzungen"),
    "eligibility_note": nullable({"type": "string", "maxLength": model.MAX_SHORT_CHARS}),
    "min_age_years": nullable(
        {
            "type": "integer",
            "minimum": model.MIN_AGE_YEARS,
            "maximum": model.MAX_AGE_YEARS,
            "description": "age limit: from this age in whole years (inclusive; 50plus: 50)",
        }
    ),
    "max_age_years": nullable(
        {
            "type": "integer",
            "minimum": model.MIN_AGE_YEARS,
            "maximum": model.MAX_AGE_YEARS,
            "description": "age limit: up to this age in whole years (inclusive; U25: 24)",
        }
    ),
    "description": {"type": "string", "maxLength": model.MAX_TEXT_CHARS},
    "topics": _list_input(model.TOPICS, "Themen"),
    "phone": NSTR,
    "email": NSTR,
    "web": nullable({"type": "string", "description": "http(s) URL"}),
    "opening_hours": nullable({"type": "string", "maxLength": model.MAX_SHORT_CHARS}),
    "languages": _list_input(model.LANGUAGES, "Sprachen (default: de)"),
    "address": nullable({"type": "string", "maxLength": model.MAX_SHORT_CHARS}),
    "region_wide": {
        "anyOf": [_BOOL, {"enum": ["ja", "nein"]}, {"type": "null"}],
        "description": "true: no point (lon/lat must be absent)",
    },
    "valid_from": nullable({"type": "string", "description": "2026-10-01 or 01.10.2026"}),
    "valid_to": nullable({"type": "string", "description": "2026-10-01 or 01.10.2026"}),
    "checked_on": nullable({"type": "string", "description": "not after today"}),
    "checked_by": nullable(
        {"type": "string", "description": "a role id or label (never a person's name)"}
    ),
    "lon": nullable(NUM),
    "lat": nullable(NUM),
}


def _translations(schema) -> dict:
    """Name and description per handout language (``name_ar``, ``description_ar``, …)."""
    return {
        f"{field}_{suffix}": schema(limit, f"{field} in {code}, written by a person (optional)")
        for code, suffix in model.TEXT_LANGUAGES.items()
        for field, limit in (("name", model.MAX_NAME_CHARS), ("description", model.MAX_TEXT_CHARS))
    }


_TRANSLATIONS = _translations(
    lambda n, text: nullable({"type": "string", "maxLength": n, "description": text})
)
_OFFER_PROPERTIES.update(_TRANSLATIONS)
_INPUT_PROPERTIES.update(_TRANSLATIONS)

_SITUATION = {
    "type": "object",
    "additionalProperties": False,
    "description": "A person's situation; empty lists: not asked. Held in memory only.",
    "properties": {
        "target_groups": _ids(model.TARGET_GROUPS),
        "circuits": {**_ids(model.LEGAL_BASES), "description": "legal circuits (Rechtskreise)"},
        "languages": _ids(model.LANGUAGES),
        "topics": _ids(model.TOPICS),
        "employed": {"anyOf": [_BOOL, {"enum": ["ja", "nein", "offen"]}, {"type": "null"}]},
        "disability_recognised": {
            "anyOf": [_BOOL, {"enum": ["ja", "nein", "offen"]}, {"type": "null"}],
            "description": "recognised severe disability (GdB from 50) or equal status",
        },
        "age_years": nullable(
            {
                "type": "integer",
                "minimum": model.MIN_AGE_YEARS,
                "maximum": model.MAX_AGE_YEARS,
                "description": "age in whole years (null: unknown; offers with an age limit "
                "are then listed under to_check); never stored or logged",
            }
        ),
    },
}


def _choices(extra: dict | None = None) -> dict:
    properties = {"id": STR, "label": STR, **(extra or {})}
    return {
        "type": "array",
        "items": {"type": "object", "required": list(properties), "properties": properties},
    }


SCHEMAS: dict[str, dict] = {
    "OfferFlags": _FLAGS,
    "Offer": feature(
        nullable(ref("Point")),
        [*_REQUIRED, "flags", "can_edit", "version"],
        {
            **_OFFER_PROPERTIES,
            "version": INT,
            "updated_at": STR,
            "edited_by": {
                "type": "array",
                "items": STR,
                "description": "who changed the content since the last check; none of "
                "them may mark it as checked",
            },
            "flags": ref("OfferFlags"),
            "can_edit": {
                "type": "boolean",
                "description": "whether the current user may change it (leads, admins)",
            },
        },
    ),
    "OfferCollection": collection("Offer"),
    "OfferExport": feature(nullable(ref("Point")), _REQUIRED, _OFFER_PROPERTIES),
    "OfferExportCollection": collection("OfferExport"),
    "OfferInput": {
        "type": "object",
        "description": "lon/lat in degrees (EPSG:4326), in or near the area; or region_wide "
        "true and no point. Contact: phone, email, web or address.",
        "required": ["name", "provider", "funders", "description"],
        "additionalProperties": False,
        "properties": _INPUT_PROPERTIES,
    },
    "OfferConflict": conflict_body("Offer"),
    "OfferProposalInput": {
        "type": "object",
        "required": ["offer"],
        "additionalProperties": False,
        "properties": {
            "offer": ref("OfferInput"),
            "offer_id": {"type": "string", "description": "the offer to change; none: new"},
            "base_version": {
                "type": "integer",
                "minimum": 1,
                "description": "the offer version the change is based on (default: current)",
            },
            "comment": {
                "type": "string",
                "maxLength": 500,
                "description": "checked by the data-protection rules (no client data)",
            },
        },
    },
    "OfferProposal": feature(
        {"type": "null"},
        ["kind", "state", "offer", "offer_id", "comment", "proposed_by", "proposed_at"],
        {
            "kind": {"enum": ["neu", "aenderung"]},
            "state": {"enum": list(PROPOSAL_STATES)},
            "offer": {"type": "object", "description": "the checked offer fields plus lon/lat"},
            "offer_id": NSTR,
            "base_version": nullable(INT),
            "comment": STR,
            "proposed_by": STR,
            "proposed_at": STR,
            "version": INT,
            "updated_at": STR,
        },
    ),
    "OfferFinderInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "situation": ref("OfferSituation"),
            "address_id": {"type": "string", "description": "sort by walking time from here"},
            "speed": {"enum": ["normal", "langsam"], "description": "4.5 or 3 km/h"},
        },
    },
    "OfferSituation": _SITUATION,
    "OfferFinderResult": {
        "type": "object",
        "required": [
            "fits",
            "others",
            "cut_off",
            "cut_off_reason",
            "cut_off_text",
            "cut_off_hint",
            "walk_times",
        ],
        "properties": {
            "fits": {
                "type": "array",
                "description": "sorted by walking time with address_id (region-wide and "
                "unreachable ones last), else by how much speaks for them",
                "items": {
                    "type": "object",
                    "required": [
                        "id",
                        "name",
                        "reasons",
                        "to_check",
                        "walk_min",
                        "distance_m",
                        "flags",
                        "handout",
                    ],
                    "properties": {
                        "id": STR,
                        "name": STR,
                        "reasons": {"type": "array", "items": STR},
                        "to_check": {
                            "type": "array",
                            "items": STR,
                            "description": "conditions the situation does not answer",
                        },
                        "walk_min": nullable(NUM),
                        "distance_m": nullable({"type": "integer", "minimum": 0}),
                        "flags": ref("OfferFlags"),
                        "handout": {
                            "type": "boolean",
                            "description": "may go on the citizen's handout",
                        },
                    },
                },
            },
            "others": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "misses"],
                    "properties": {
                        "id": STR,
                        "name": STR,
                        "misses": {"type": "array", "items": STR, "minItems": 1},
                    },
                },
            },
            "cut_off": {"type": "boolean", "description": "the address is far from the network"},
            "cut_off_reason": {
                "enum": ["off_ways", "outside_network", None],
                "description": "off_ways: no walkable way within 250 m; outside_network: the "
                "ways near it are not connected to the network in the imported data (cut off "
                "at the edge of the imported area)",
            },
            "cut_off_text": {**NSTR, "description": "the reason in German, for people"},
            "cut_off_hint": {
                **NSTR,
                "description": "why and what to do, in German for staff (outside_network only)",
            },
            "walk_times": {
                "type": "boolean",
                "description": "walking times were computed (false without address_id or "
                "when the area has no walk network)",
            },
        },
    },
    "OfferVocabularies": {
        "type": "object",
        "required": [
            "funders",
            "legal_bases",
            "target_groups",
            "topics",
            "languages",
            "eligibility",
            "checked_by",
            "fields",
        ],
        "properties": {
            "funders": _choices(),
            "legal_bases": _choices(),
            "target_groups": _choices(),
            "topics": _choices(),
            "languages": _choices(),
            "eligibility": _choices({"plain": {**STR, "description": "for the handout"}}),
            "checked_by": _choices(),
            "fields": _choices(),
            "check_months": INT,
        },
    },
}
