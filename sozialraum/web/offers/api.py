"""The support-offer API: directory, one offer (ETag/If-Match), proposals, finder, exports.

Leads and admins create, change and delete offers; caseworkers get a 403 that points them to
``offer-proposals``; viewers read. Changes need the ETag of the version they are based on
in ``If-Match`` (428 without, 412 with the current version if stale), as for notes.

The finder's situation and address come in a POST body and live only in memory: they are
neither stored nor logged and the answer is ``no-store``. Parses requests only; the rules
live in :mod:`sozialraum.services.offers` and :mod:`sozialraum.model.offers`.
"""

from __future__ import annotations

import json

from flask import Response, request, url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.analysis.walking import CUT_OFF_HINTS, CUT_OFF_TEXTS
from sozialraum.errors import InvalidInput, NotFound, VersionConflict
from sozialraum.model import offers as model
from sozialraum.model.roles import can_edit_offers
from sozialraum.services import offers as services
from sozialraum.services import offers_io
from sozialraum.services.areas import speed_kmh
from sozialraum.web import context as ctx
from sozialraum.web.errors import GERMAN
from sozialraum.web.offers.schemas import (
    MAX_BODY_BYTES,
    FinderInput,
    FinderResult,
    Offer,
    OfferCollection,
    OfferConflict,
    OfferExportCollection,
    OfferFilters,
    OfferInput,
    OfferProposal,
    OfferVocabularies,
    ProposalInput,
)
from sozialraum.web.responses import GEOJSON, cached_json, download, json_response, make_etag
from sozialraum.web.schemas import STRING, operation

_EDITORS_ONLY = (
    "Angebote legen Teamleitungen und die Administration an und ändern sie; "
    "Fachkräfte schlagen Angebote und Änderungen vor."
)
#: What an offer's error statuses mean (OpenAPI), where they differ from the general texts.
TEXTS = {
    403: "Not allowed: viewers; caseworkers propose instead (see detail)",
    422: "The comment looks like client data (names, birth dates, case numbers, phone, e-mail)",
}


def offer_etag(feature: dict) -> str:
    """The (strong) ETag of an offer version: ``v<version>``."""
    return f"v{feature['properties']['version']}"


def _public(feature: dict, flags: dict | None = None) -> dict:
    """An offer for the API: stored fields plus ``flags`` and ``can_edit``."""
    props = dict(feature["properties"])
    props["flags"] = flags if flags is not None else model.offer_flags(props, settings.today())
    props["can_edit"] = can_edit_offers(current_user.role)
    return {
        "type": "Feature",
        "id": feature["id"],
        "geometry": feature.get("geometry"),
        "properties": props,
    }


def _editors_only(area: str, **_ids) -> Response | None:
    """A 403 for users who may not edit offers (caseworkers); ``None`` for others.

    The 403 says where to propose instead; ``None`` for leads and admins. (Viewers are stopped by
    the route's access.)
    """
    if can_edit_offers(current_user.role):
        return None
    target = url_for("api.propose_offer", area=area)
    detail = f"{_EDITORS_ONLY} Vorschläge bitte an {target} senden."
    return json_response({"error": GERMAN[403], "status": 403, "detail": detail}, 403)


def _conflict(area: str, offer_id: str) -> Response:
    current = services.get_offer(ctx.store(), area, offer_id)
    body = {
        "error": GERMAN[412],
        "status": 412,
        "detail": "Das Angebot wurde inzwischen geändert. Hier ist die aktuelle Fassung.",
        "current": _public(current),
    }
    return json_response(body, 412, offer_etag(current))


def _filters(query: OfferFilters) -> services.OfferFilter:
    return services.OfferFilter.from_args(query.model_dump())


def _input(body: OfferInput) -> dict:
    """The fields the client sent, for the service (which applies the domain rules)."""
    return body.model_dump(exclude_unset=True)


# -- views -----------------------------------------------------------------------------


def _choices(vocabulary: dict[str, str]) -> list[dict]:
    return [{"id": key, "label": label} for key, label in vocabulary.items()]


@operation(
    "Offer vocabularies (id → German label): funders, legal bases, target groups, topics, "
    "languages, eligibility conditions, checked-by roles, field names",
    ok=OfferVocabularies,
    errors=(304, 401),
)
def vocabularies():
    """The id → label tables of offers, for building forms and reading the API."""
    body = {
        "funders": _choices(model.FUNDERS),
        "legal_bases": _choices(model.LEGAL_BASES),
        "target_groups": _choices(model.TARGET_GROUPS),
        "topics": _choices(model.TOPICS),
        "languages": _choices(model.LANGUAGES),
        "eligibility": [
            {"id": c.id, "label": c.label, "plain": c.plain} for c in model.CONDITIONS.values()
        ],
        "checked_by": _choices(model.CHECKED_BY_ROLES),
        "fields": _choices(model.FIELD_LABELS),
        "check_months": model.CHECK_MONTHS,
    }
    etag = make_etag(request.endpoint, json.dumps(body, sort_keys=True))
    return cached_json(etag, lambda: body)


@operation(
    "Support offers of the area with flags (ended, not yet, unchecked)",
    query=OfferFilters,
    ok=OfferCollection,
    media=GEOJSON,
    errors=(304, 400, 401, 404),
)
def list_offers(area: str, query: OfferFilters):
    """Offers of the area with their flags (GeoJSON), filtered.

    Filters: q, zielgruppe, foerderer, rechtsgrundlage, thema, hinweis (pruefen/aktuell).
    """
    store = ctx.store()
    today = settings.today()
    filters = _filters(query)  # outside build: bad filters are a 400 even on a cache hit
    etag = ctx.etag(area, store.revision(area, "offers"), today, current_user.role)
    return cached_json(
        etag,
        lambda: {
            "type": "FeatureCollection",
            "features": [
                _public(item["offer"], item["flags"])
                for item in services.list_offers(store, area, today=today, filters=filters)
            ],
        },
        GEOJSON,
    )


@operation(
    "Create an offer (leads and admins; 201, ETag, Location)",
    before=_editors_only,
    body=OfferInput,
    max_bytes=MAX_BODY_BYTES,
    ok=Offer,
    status=201,
    media=GEOJSON,
    errors=(400, 401, 403, 404, 413),
    texts=TEXTS,
)
def create_offer(area: str, body: OfferInput):
    """Create an offer from a JSON object (201 with ETag and Location); leads and admins."""
    feature = services.create_offer(
        ctx.store(), area, _input(body), actor=ctx.current_actor(), today=settings.today()
    )
    location = url_for("api.offer", area=area, offer_id=feature["id"])
    return json_response(_public(feature), 201, offer_etag(feature), Location=location)


@operation("One offer with its ETag", ok=Offer, media=GEOJSON, errors=(304, 401, 404))
def get_offer(area: str, offer_id: str):
    """One offer with its ETag (304 if unchanged)."""
    feature = services.get_offer(ctx.store(), area, offer_id)
    etag = offer_etag(feature)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    return json_response(_public(feature), etag=etag)


@operation(
    "Replace an offer (leads and admins; If-Match required)",
    before=_editors_only,
    body=OfferInput,
    max_bytes=MAX_BODY_BYTES,
    ok=Offer,
    media=GEOJSON,
    errors=(400, 401, 403, 404, 412, 413, 428),
    texts=TEXTS,
    conflict=OfferConflict,
    if_match=True,
)
def update_offer(area: str, offer_id: str, body: OfferInput, expected: int):
    """Replace an offer; needs ``If-Match`` (428 without, 412 with the current one if stale)."""
    try:
        feature = services.update_offer(
            ctx.store(),
            area,
            offer_id,
            _input(body),
            expected_version=expected,
            actor=ctx.current_actor(),
            today=settings.today(),
        )
    except VersionConflict:
        return _conflict(area, offer_id)
    return json_response(_public(feature), etag=offer_etag(feature))


@operation(
    "Delete an offer (leads and admins; If-Match required)",
    before=_editors_only,
    status=204,
    etag=False,
    errors=(401, 403, 404, 412, 428),
    texts=TEXTS,
    conflict=OfferConflict,
    if_match=True,
)
def delete_offer(area: str, offer_id: str, expected: int):
    """Delete an offer; needs ``If-Match`` like a change (204)."""
    try:
        services.delete_offer(
            ctx.store(), area, offer_id, expected_version=expected, actor=ctx.current_actor()
        )
    except VersionConflict:
        return _conflict(area, offer_id)
    return Response(status=204)


@operation(
    "Propose a new offer or a change to one (everyone who writes); a lead or an admin decides",
    body=ProposalInput,
    max_bytes=MAX_BODY_BYTES,
    ok=OfferProposal,
    status=201,
    media=GEOJSON,
    etag=False,
    errors=(400, 401, 403, 404, 413, 422),
    texts=TEXTS,
)
def propose(area: str, body: ProposalInput):
    """Propose a new offer or a change (anyone who writes); 201 with the stored proposal.

    Body: ``{"offer": {…fields…}, "offer_id": optional, "base_version": optional,
    "comment": optional}``. The comment is checked by the data-protection rules (422).
    """
    proposal = services.propose(
        ctx.store(),
        area,
        _input(body.offer),
        actor=ctx.current_actor(),
        guard=ctx.note_rules().guard,
        today=settings.today(),
        offer_id=body.offer_id,
        base_version=body.base_version,
        comment=body.comment or "",
    )
    return json_response(proposal, 201)


def _address(area: str, address_id: str | None) -> dict | None:
    if address_id is None:
        return None
    if not address_id.strip():
        raise InvalidInput("„address_id“ muss die Kennung einer Adresse sein.")
    try:
        return ctx.store().get(area, "addresses", address_id)
    except (NotFound, InvalidInput):
        # the message does not repeat the id: addresses of the finder are never echoed
        raise NotFound("Diese Adresse gibt es in diesem Gebiet nicht.") from None


def _fit(item: dict, handout_ids: set[str]) -> dict:
    offer, match = item["offer"], item["match"]
    return {
        "id": offer["id"],
        "name": offer["properties"]["name"],
        "reasons": match.reasons,
        "to_check": match.to_check,
        "walk_min": item["walk_min"],
        "distance_m": item["distance_m"],
        "flags": item["flags"],
        "handout": offer["id"] in handout_ids,
    }


def _miss(item: dict) -> dict:
    offer = item["offer"]
    return {"id": offer["id"], "name": offer["properties"]["name"], "misses": item["match"].misses}


@operation(
    "Offers that fit a person's situation, with reasons and what to clarify; with address_id "
    "sorted by walking time. POST: nothing of the request is in a URL, stored or logged "
    "(Cache-Control: no-store).",
    body=FinderInput,
    max_bytes=MAX_BODY_BYTES,
    ok=FinderResult,
    etag=False,
    errors=(400, 401, 404, 413),
)
def find(area: str, body: FinderInput):
    """Offers that fit a person's situation, with reasons.

    Sorted by walking time from ``address_id`` if given. Nothing of the request is stored or logged
    (``no-store``).
    """
    situation = model.situation_from(
        body.situation.model_dump(exclude_unset=True) if body.situation else {}
    )
    speed = speed_kmh(body.speed)
    store = ctx.store()
    address = _address(area, body.address_id)
    today = settings.today()
    walk_times = address is not None
    try:
        found = services.find_offers(
            store, area, situation, today=today, address=address, speed_kmh=speed
        )
    except AnalysisUnavailable:  # no walk network: the same answer without walking times
        walk_times = False
        found = services.find_offers(store, area, situation, today=today)
    handout_ids = {i["offer"]["id"] for i in services.handout_items(found)}
    answer = {
        "fits": [_fit(i, handout_ids) for i in found["fits"]],
        "others": [_miss(i) for i in found["others"]],
        "cut_off": found["cut_off"],
        "cut_off_reason": found["cut_off_reason"],
        "cut_off_text": CUT_OFF_TEXTS.get(found["cut_off_reason"]),
        "cut_off_hint": CUT_OFF_HINTS.get(found["cut_off_reason"]),
        "walk_times": walk_times,
    }
    return json_response(answer, **{"Cache-Control": "private, no-store"})


def _export_features(area: str, query: OfferFilters) -> list[dict]:
    filters = _filters(query)
    items = services.list_offers(ctx.store(), area, today=settings.today(), filters=filters)
    return [item["offer"] for item in items]


def export(summary: str, media: str, schema: type | dict):
    """Declare an offers export: ``GET`` with the offer filters, a ``media`` file."""
    return operation(
        summary, query=OfferFilters, ok=schema, media=media, etag=False, errors=(400, 401, 404)
    )


@export(
    "Offers as CSV (';', UTF-8 with BOM, German headers, formulas neutralised; importable)",
    "text/csv",
    STRING,
)
def export_csv(area: str, query: OfferFilters):
    """Offers as CSV for German spreadsheets (filters as for the list)."""
    features = _export_features(area, query)
    body = offers_io.export_csv(features, settings.today()).encode("utf-8")
    return download(body, "text/csv", f"angebote-{area}.csv")


@export(
    "Offers as GeoJSON (EPSG:4326; region-wide offers have a null geometry)",
    GEOJSON,
    OfferExportCollection,
)
def export_geojson(area: str, query: OfferFilters):
    """Offers as a GeoJSON file (RFC 7946, EPSG:4326; region-wide offers: null geometry)."""
    features = _export_features(area, query)
    return download(offers_io.export_geojson(features), GEOJSON, f"angebote-{area}.geojson")
