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
from sozialraum.web._json import json_body
from sozialraum.web.errors import GERMAN
from sozialraum.web.responses import (
    GEOJSON,
    cached_json,
    download,
    expected_version,
    json_response,
    make_etag,
)

#: Largest JSON body accepted by the offer routes (an offer is a few kilobytes).
MAX_BODY_BYTES = 64 * 1024
PROPOSAL_KEYS = frozenset({"offer", "offer_id", "base_version", "comment"})
FIND_KEYS = frozenset({"situation", "address_id", "speed"})
SITUATION_KEYS = frozenset(
    {
        "target_groups",
        "circuits",
        "languages",
        "topics",
        "employed",
        "disability_recognised",
        "age_years",
    }
)
_EDITORS_ONLY = (
    "Angebote legen Teamleitungen und die Administration an und ändern sie; "
    "Fachkräfte schlagen Angebote und Änderungen vor."
)
_EXAMPLE = (
    '{"name": "…", "provider": "…", "funders": ["kommune"], "description": "…", '
    '"phone": "…", "lon": 6.95, "lat": 51.43}'
)


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


def _body(example: str = _EXAMPLE) -> dict:
    """The request body as a JSON object (strict JSON, at most :data:`MAX_BODY_BYTES`).

    400 with the reason otherwise (413 when too large).
    """
    body = json_body(MAX_BODY_BYTES)
    if not isinstance(body, dict):
        raise InvalidInput(f"Bitte ein JSON-Objekt senden, z. B. {example}")
    return body


def _unknown(body: dict, allowed: frozenset, where: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(
            f"{where}: unbekannte Felder {', '.join(map(str, unknown))[:200]}; "
            f"möglich sind {', '.join(sorted(allowed))}."
        )


def _editors_only(area: str) -> Response | None:
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


def _filters() -> services.OfferFilter:
    return services.OfferFilter.from_args(request.args)


# -- views -----------------------------------------------------------------------------


def _choices(vocabulary: dict[str, str]) -> list[dict]:
    return [{"id": key, "label": label} for key, label in vocabulary.items()]


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


def list_offers(area: str):
    """Offers of the area with their flags (GeoJSON), filtered.

    Filters: q, zielgruppe, foerderer, rechtsgrundlage, thema, hinweis (pruefen/aktuell).
    """
    store = ctx.store()
    today = settings.today()
    filters = _filters()  # outside build: bad filters are a 400 even on a cache hit
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


def create_offer(area: str):
    """Create an offer from a JSON object (201 with ETag and Location); leads and admins."""
    refused = _editors_only(area)
    if refused is not None:
        return refused
    feature = services.create_offer(
        ctx.store(), area, _body(), actor=ctx.current_actor(), today=settings.today()
    )
    location = url_for("api.offer", area=area, offer_id=feature["id"])
    return json_response(_public(feature), 201, offer_etag(feature), Location=location)


def get_offer(area: str, offer_id: str):
    """One offer with its ETag (304 if unchanged)."""
    feature = services.get_offer(ctx.store(), area, offer_id)
    etag = offer_etag(feature)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    return json_response(_public(feature), etag=etag)


def update_offer(area: str, offer_id: str):
    """Replace an offer; needs ``If-Match`` (428 without, 412 with the current one if stale)."""
    refused = _editors_only(area)
    if refused is not None:
        return refused
    expected = expected_version()
    body = _body()
    try:
        feature = services.update_offer(
            ctx.store(),
            area,
            offer_id,
            body,
            expected_version=expected,
            actor=ctx.current_actor(),
            today=settings.today(),
        )
    except VersionConflict:
        return _conflict(area, offer_id)
    return json_response(_public(feature), etag=offer_etag(feature))


def delete_offer(area: str, offer_id: str):
    """Delete an offer; needs ``If-Match`` like a change (204)."""
    refused = _editors_only(area)
    if refused is not None:
        return refused
    expected = expected_version()
    try:
        services.delete_offer(
            ctx.store(), area, offer_id, expected_version=expected, actor=ctx.current_actor()
        )
    except VersionConflict:
        return _conflict(area, offer_id)
    return Response(status=204)


def propose(area: str):
    """Propose a new offer or a change (anyone who writes); 201 with the stored proposal.

    Body: ``{"offer": {…fields…}, "offer_id": optional, "base_version": optional,
    "comment": optional}``. The comment is checked by the data-protection rules (422).
    """
    body = _body('{"offer": {…}, "offer_id": "…" (bei Änderungen), "comment": "…"}')
    _unknown(body, PROPOSAL_KEYS, "Vorschlag")
    offer = body.get("offer")
    if not isinstance(offer, dict):
        raise InvalidInput(f"Vorschlag: „offer“ muss ein JSON-Objekt sein, z. B. {_EXAMPLE}")
    offer_id = body.get("offer_id")
    if offer_id is not None and (not isinstance(offer_id, str) or not offer_id.strip()):
        raise InvalidInput("Vorschlag: „offer_id“ muss die Kennung eines Angebots sein.")
    base_version = body.get("base_version")
    if base_version is not None:
        if offer_id is None:
            raise InvalidInput("Vorschlag: „base_version“ gibt es nur mit „offer_id“.")
        if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 1:
            raise InvalidInput("Vorschlag: „base_version“ muss eine ganze Zahl ab 1 sein.")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise InvalidInput("Kommentar: bitte einen Text angeben.")
    proposal = services.propose(
        ctx.store(),
        area,
        offer,
        actor=ctx.current_actor(),
        guard=ctx.note_rules().guard,
        today=settings.today(),
        offer_id=offer_id,
        base_version=base_version,
        comment=comment or "",
    )
    return json_response(proposal, 201)


def _situation(body: dict) -> model.Situation:
    data = body.get("situation", {})
    if not isinstance(data, dict):
        raise InvalidInput("„situation“ muss ein JSON-Objekt sein.")
    _unknown(data, SITUATION_KEYS, "Lage")
    return model.situation_from(data)


def _address(area: str, address_id: object) -> dict | None:
    if address_id is None:
        return None
    if not isinstance(address_id, str) or not address_id.strip():
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


def find(area: str):
    """Offers that fit a person's situation, with reasons.

    Sorted by walking time from ``address_id`` if given. Nothing of the request is stored or logged
    (``no-store``).
    """
    body = _body('{"situation": {"target_groups": ["schwerbehinderte"], "employed": "nein"}}')
    _unknown(body, FIND_KEYS, "Anfrage")
    situation = _situation(body)
    speed = body.get("speed")
    if speed is not None and not isinstance(speed, str):
        raise InvalidInput("„speed“ muss normal oder langsam sein.")
    speed = speed_kmh(speed)
    store = ctx.store()
    address = _address(area, body.get("address_id"))
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


def _export_features(area: str) -> list[dict]:
    items = services.list_offers(ctx.store(), area, today=settings.today(), filters=_filters())
    return [item["offer"] for item in items]


def export_csv(area: str):
    """Offers as CSV for German spreadsheets (filters as for the list)."""
    features = _export_features(area)
    body = offers_io.export_csv(features, settings.today()).encode("utf-8")
    return download(body, "text/csv", f"angebote-{area}.csv")


def export_geojson(area: str):
    """Offers as a GeoJSON file (RFC 7946, EPSG:4326; region-wide offers: null geometry)."""
    features = _export_features(area)
    return download(offers_io.export_geojson(features), GEOJSON, f"angebote-{area}.geojson")
