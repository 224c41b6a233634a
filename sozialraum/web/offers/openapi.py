"""OpenAPI description of the support-offer routes (merged into ``/api/openapi.json``).

The schemas are in :mod:`.openapi_schemas`.
"""

from __future__ import annotations

from sozialraum.model import offers as model
from sozialraum.web.offers.openapi_schemas import SCHEMAS
from sozialraum.web.openapi_parts import (
    GEO,
    JSON,
    STR,
    error_answers,
    file_export,
    ok_answer,
    param,
    ref,
    versioned_item,
)

__all__ = ["PATHS", "SCHEMAS"]

_TEXTS = {
    204: "Deleted",
    304: "Not modified (If-None-Match)",
    400: "Bad input (German reason in detail)",
    401: "Not logged in",
    403: "Not allowed: viewers; caseworkers propose instead (see detail)",
    404: "Not found",
    412: "Stale If-Match: the body holds the current version",
    413: "Body too large",
    422: "The comment looks like client data (names, birth dates, case numbers, phone, e-mail)",
    428: "If-Match missing",
}


def _errors(*codes: int) -> dict:
    return error_answers(_TEXTS, "OfferConflict", *codes)


_AREA = param("area", "path", True)
_OFFER = param("offer_id", "path", True)


def _enum_param(name: str, values, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"enum": list(values)},
        "description": description,
    }


_FILTERS = [
    param("q", description="words in name, provider, description or address (max. 100)"),
    _enum_param("zielgruppe", model.TARGET_GROUPS, "target group id"),
    _enum_param("foerderer", model.FUNDERS, "funder id"),
    _enum_param("rechtsgrundlage", model.LEGAL_BASES, "legal basis id"),
    _enum_param("thema", model.TOPICS, "topic id"),
    _enum_param(
        "hinweis", ("pruefen", "aktuell"), "pruefen: unchecked or ended; aktuell: fit for handouts"
    ),
    _enum_param(
        "archiv", ("nur", "alle"), "archived offers: left out unless nur (only them) or alle"
    ),
]
_BODY = {"required": True, "content": {JSON: {"schema": ref("OfferInput")}}}


def _export(summary: str, media: str, schema: dict) -> dict:
    return file_export(summary, media, schema, [_AREA, *_FILTERS], _errors(400, 401, 404))


PATHS: dict[str, dict] = {
    "/api/offer-vocabularies": {
        "get": {
            "summary": "Offer vocabularies (id → German label): funders, legal bases, target "
            "groups, topics, languages, eligibility conditions, checked-by roles, field names",
            "parameters": [],
            "responses": {**ok_answer("OfferVocabularies"), **_errors(304, 401)},
        }
    },
    "/api/areas/{area}/offers": {
        "get": {
            "summary": "Support offers of the area with flags (ended, not yet, unchecked)",
            "parameters": [_AREA, *_FILTERS],
            "responses": {**ok_answer("OfferCollection", GEO), **_errors(304, 400, 401, 404)},
        },
        "post": {
            "summary": "Create an offer (leads and admins; 201, ETag, Location)",
            "parameters": [_AREA],
            "requestBody": _BODY,
            "responses": {**ok_answer("Offer", GEO, "201"), **_errors(400, 401, 403, 404, 413)},
        },
    },
    "/api/areas/{area}/offers.csv": _export(
        "Offers as CSV (';', UTF-8 with BOM, German headers, formulas neutralised; importable)",
        "text/csv",
        STR,
    ),
    "/api/areas/{area}/offers.geojson": _export(
        "Offers as GeoJSON (EPSG:4326; region-wide offers have a null geometry)",
        GEO,
        ref("OfferExportCollection"),
    ),
    "/api/areas/{area}/offers/find": {
        "post": {
            "summary": "Offers that fit a person's situation, with reasons and what to clarify; "
            "with address_id sorted by walking time. POST: nothing of the request is in a URL, "
            "stored or logged (Cache-Control: no-store).",
            "parameters": [_AREA],
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": ref("OfferFinderInput")}},
            },
            "responses": {
                **ok_answer("OfferFinderResult", etag=False),
                **_errors(400, 401, 404, 413),
            },
        }
    },
    "/api/areas/{area}/offer-proposals": {
        "post": {
            "summary": "Propose a new offer or a change to one (everyone who writes); a lead "
            "or an admin decides",
            "parameters": [_AREA],
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": ref("OfferProposalInput")}},
            },
            "responses": {
                **ok_answer("OfferProposal", GEO, "201", etag=False),
                **_errors(400, 401, 403, 404, 413, 422),
            },
        }
    },
    "/api/areas/{area}/offers/{offer_id}": versioned_item(
        "Offer",
        [_AREA, _OFFER],
        _BODY,
        _errors,
        (
            "One offer with its ETag",
            "Replace an offer (leads and admins; If-Match required)",
            "Delete an offer (leads and admins; If-Match required)",
        ),
        (400, 401, 403, 404, 412, 413, 428),
    ),
}
