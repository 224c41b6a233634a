"""The field-note API: list, create, read, change (ETag/If-Match), delete, history, exports.

Changes need the ETag of the version they are based on in ``If-Match``: without it the
answer is 428, with a stale one 412 and the current version in the body, so the UI can
show both instead of overwriting. Parses requests only; the rules live in
:mod:`sozialraum.services.notes`.
"""

from __future__ import annotations

from flask import Response, request, url_for

from sozialraum import settings
from sozialraum.errors import InvalidInput, VersionConflict
from sozialraum.model.notes import MAILBOX_STATUSES
from sozialraum.model.review import STATES
from sozialraum.osm.importer import parse_bbox
from sozialraum.services import notes as fieldnotes
from sozialraum.services.exports import csv_text, geojson_bytes, geopackage_bytes
from sozialraum.web import context as ctx
from sozialraum.web.errors import GERMAN
from sozialraum.web.notes.schemas import (
    NearestAddresses,
    NearestInput,
    Note,
    NoteCategories,
    NoteCollection,
    NoteConflict,
    NoteFilters,
    NoteHistory,
    NoteInput,
)
from sozialraum.web.responses import GEOJSON, cached_json, download, json_response
from sozialraum.web.schemas import STRING, operation

#: What a note's error statuses mean (OpenAPI), where they differ from the general texts.
TEXTS = {
    403: "Not allowed: viewers, or a note of another team",
    404: "Not found (also: expired notes)",
}
#: A note's changes: the statuses besides 200.
CHANGE_ERRORS = (400, 401, 403, 404, 412, 413, 422, 428)


def _public(feature: dict, names: dict[str, str], actor=None, rules=None) -> dict:
    """A note for the API: labelled, with whether the current user may change it.

    A list passes the request's ``actor`` and ``rules`` once for all its notes.
    """
    note = fieldnotes.labelled(feature, rules or ctx.note_rules(), names)
    note["properties"]["can_edit"] = fieldnotes.may_write(
        actor or ctx.current_actor(), feature["properties"].get("team")
    )
    return note


def note_etag(feature: dict) -> str:
    """The (strong) ETag of a note version: ``v<version>``."""
    return f"v{feature['properties']['version']}"


def _input(body: NoteInput) -> dict:
    """The fields the client sent, for the service (which applies the domain rules)."""
    return body.model_dump(exclude_unset=True)


def _conflict(area: str, note_id: str, today) -> Response:
    current = fieldnotes.get_note(
        ctx.store(), area, note_id, today=today, reader=ctx.current_actor(), rules=ctx.note_rules()
    )
    body = {
        "error": GERMAN[412],
        "status": 412,
        "detail": "Die Notiz wurde inzwischen geändert. Hier ist die aktuelle Fassung.",
        "current": _public(current, ctx.district_names(area)),
    }
    return json_response(body, 412, note_etag(current))


# -- views -----------------------------------------------------------------------------


@operation(
    "Note categories, mailbox statuses, review states (German labels)",
    ok=NoteCategories,
    errors=(401,),
)
def note_categories():
    """Note categories, mailbox statuses and review states with German labels."""
    rules = ctx.note_rules()
    return json_response(
        {
            "categories": [
                {
                    "id": c.id,
                    "label": c.label,
                    "kind": c.kind,
                    "expiry_months": c.expiry_months,
                    "colour": c.colour,
                }
                for c in rules.categories
            ],
            "mailbox_statuses": [{"id": k, "label": v} for k, v in MAILBOX_STATUSES.items()],
            "review_states": [{"id": k, "label": v} for k, v in STATES.items()],
        }
    )


def _filtered(area: str, args: NoteFilters) -> list[dict]:
    district = args.district or None
    ctx.check_district(area, district)
    category = args.category or None
    if category is not None and category not in ctx.note_rules().categories:
        raise InvalidInput(f"unknown note category {category!r}")
    bbox = parse_bbox(args.bbox) if args.bbox else None
    return fieldnotes.list_notes(
        ctx.store(),
        area,
        today=settings.today(),
        district=district,
        category=category,
        bbox=bbox,
        review_state=args.review_state or None,
        mailbox_status=args.mailbox_status or None,
        author=args.author or None,
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )


@operation(
    "Field notes that have not expired",
    query=NoteFilters,
    ok=NoteCollection,
    media=GEOJSON,
    errors=(304, 400, 401, 404),
    texts=TEXTS,
)
def list_notes(area: str, query: NoteFilters):
    """Notes that have not expired (GeoJSON).

    Filtered by district, category, bbox (``W,S,E,N`` in degrees, EPSG:4326), review_state,
    mailbox_status, author.
    """
    etag = ctx.team_etag(area, "notes", "districts")
    features = _filtered(area, query)  # outside build: bad filters are a 400 even on a cache hit
    names, actor, rules = ctx.district_names(area), ctx.current_actor(), ctx.note_rules()
    return cached_json(
        etag,
        lambda: {
            "type": "FeatureCollection",
            "features": [_public(f, names, actor, rules) for f in features],
        },
        GEOJSON,
    )


@operation(
    "Create a field note (201, ETag, Location). A mailbox observation without address_id is "
    "tied to the nearest address within 15 m (400 if there is none)",
    body=NoteInput,
    ok=Note,
    status=201,
    media=GEOJSON,
    errors=(400, 401, 403, 404, 413, 422),
    texts=TEXTS,
)
def create_note(area: str, body: NoteInput):
    """Create a note from a JSON object (201 with ETag and Location)."""
    feature = fieldnotes.create_note(
        ctx.store(),
        area,
        _input(body),
        actor=ctx.current_actor(),
        rules=ctx.note_rules(),
        today=settings.today(),
    )
    location = url_for("api.note", area=area, note_id=feature["id"])
    return json_response(
        _public(feature, ctx.district_names(area)), 201, note_etag(feature), Location=location
    )


@operation(
    "Addresses within 50 m of a point, nearest first (distance_m in metres, EPSG:25832), to "
    "tie a mailbox note to its house. POST: the point may be a caseworker's position and is "
    "in no URL or log. A mailbox note created without address_id is tied to the nearest "
    "address within tie_radius_m (15 m) or refused.",
    body=NearestInput,
    ok=NearestAddresses,
    etag=False,
    errors=(400, 401, 404, 413),
)
def nearest_addresses(area: str, body: NearestInput):
    """The addresses near a point, nearest first, for tying a mailbox note to its house.

    POST (``{"lon", "lat"}``): the point may be a caseworker's own position ("Aktuellen
    Standort verwenden"), so it is in no URL or access log; answered with ``no-store``.
    """
    found = fieldnotes.nearest_addresses(ctx.store(), area, body.lon, body.lat)
    keys = ("id", "label", "street", "housenumber", "postcode", "distance_m")
    answer = {
        "radius_m": fieldnotes.PROPOSAL_RADIUS_M,
        "tie_radius_m": fieldnotes.TIE_RADIUS_M,
        "addresses": [{k: a[k] for k in keys} for a in found],
    }
    return json_response(answer)  # private, no-store


@operation(
    "One note with its ETag",
    ok=Note,
    media=GEOJSON,
    errors=(304, 401, 404),
    texts=TEXTS,
)
def get_note(area: str, note_id: str):
    """One note with its ETag (304 if unchanged)."""
    feature = fieldnotes.get_note(
        ctx.store(),
        area,
        note_id,
        today=settings.today(),
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )
    etag = note_etag(feature)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    return json_response(_public(feature, ctx.district_names(area)), etag=etag)


@operation(
    "Replace a note (If-Match required)",
    body=NoteInput,
    ok=Note,
    media=GEOJSON,
    errors=CHANGE_ERRORS,
    texts=TEXTS,
    conflict=NoteConflict,
    if_match=True,
)
def update_note(area: str, note_id: str, body: NoteInput, expected: int):
    """Replace a note; needs ``If-Match`` (428 without, 412 with the current one if stale)."""
    today = settings.today()
    try:
        feature = fieldnotes.update_note(
            ctx.store(),
            area,
            note_id,
            _input(body),
            expected_version=expected,
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=today,
        )
    except VersionConflict:
        return _conflict(area, note_id, today)
    return json_response(_public(feature, ctx.district_names(area)), etag=note_etag(feature))


@operation(
    "Delete a note and its earlier versions (If-Match required)",
    status=204,
    etag=False,
    errors=(401, 403, 404, 412, 428),
    texts=TEXTS,
    conflict=NoteConflict,
    if_match=True,
)
def delete_note(area: str, note_id: str, expected: int):
    """Delete a note; needs ``If-Match`` like a change (204)."""
    today = settings.today()
    try:
        fieldnotes.delete_note(
            ctx.store(),
            area,
            note_id,
            expected_version=expected,
            actor=ctx.current_actor(),
            today=today,
            rules=ctx.note_rules(),
        )
    except VersionConflict:
        return _conflict(area, note_id, today)
    return Response(status=204)


@operation(
    "Every version of a note: who, when, what (from the audit log)",
    ok=NoteHistory,
    etag=False,
    errors=(401, 404),
    texts=TEXTS,
)
def note_history(area: str, note_id: str):
    """Every version of a note with who changed it and when (from the audit log)."""
    store = ctx.store()
    today = settings.today()
    items = fieldnotes.note_history(
        store, area, note_id, today=today, reader=ctx.current_actor(), rules=ctx.note_rules()
    )
    names = ctx.district_names(area)
    for item in items:
        if item["feature"] is not None:
            item["feature"] = fieldnotes.labelled(item["feature"], ctx.note_rules(), names)
    return json_response({"id": note_id, "versions": items})


def _export_name(area: str, suffix: str) -> str:
    return f"notizen-{area}-{settings.today().isoformat()}.{suffix}"


def _export_features(area: str, query: NoteFilters) -> list[dict]:
    names = ctx.district_names(area)
    return [fieldnotes.labelled(f, ctx.note_rules(), names) for f in _filtered(area, query)]


def export(summary: str, media: str, schema: type | dict = STRING) -> object:
    """Declare a notes export: ``GET`` with the note filters, a ``media`` file."""
    return operation(
        summary,
        query=NoteFilters,
        ok=schema,
        media=media,
        etag=False,
        errors=(400, 401, 404),
        texts=TEXTS,
    )


@export("Notes as CSV (';', decimal comma, UTF-8 with BOM, formulas neutralised)", "text/csv")
def export_csv(area: str, query: NoteFilters):
    """Notes as CSV for German spreadsheets (filters as for the list; expired never)."""
    header, rows = fieldnotes.export_rows(_export_features(area, query))
    body = csv_text(header, rows).encode("utf-8")
    return download(body, "text/csv", _export_name(area, "csv"))


@export("Notes as GeoJSON (EPSG:4326)", GEOJSON, NoteCollection)
def export_geojson(area: str, query: NoteFilters):
    """Notes as a GeoJSON file (RFC 7946, EPSG:4326)."""
    features = _export_features(area, query)
    return download(geojson_bytes(features), GEOJSON, _export_name(area, "geojson"))


@export(
    "Notes as GeoPackage for QGIS (layer 'notizen', EPSG:4326)", "application/geopackage+sqlite3"
)
def export_gpkg(area: str, query: NoteFilters):
    """Notes as a GeoPackage for QGIS (layer ``notizen``, EPSG:4326)."""
    features = _export_features(area, query)
    body = geopackage_bytes(features, list(fieldnotes.EXPORT_COLUMNS), "notizen")
    return download(body, "application/geopackage+sqlite3", _export_name(area, "gpkg"))
