"""Every route of the app, declared in one place with who may use it (datasette style).

``access`` is enforced centrally by :func:`guard`:

- ``public``: everyone (login page, OpenAPI document)
- ``read``: any logged-in user (viewer, caseworker, lead, admin)
- ``write``: logged-in users who may write somewhere (not viewers); the team is checked
  by the service functions
- ``admin``: administrators only

Finer rules (own team) are checked in the views. The permission-matrix test
iterates this table and the app's URL map, so a new route is covered automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Flask, current_app, request
from flask_login import current_user

from sozialraum.errors import Forbidden, ReadOnly, Unauthorized
from sozialraum.model.roles import can_administer, can_write_somewhere
from sozialraum.web import (
    api,
    api_mailbox,
    api_notes,
    api_offers,
    api_walk,
    api_walks,
    auth,
    pages,
    pages_coverage,
    pages_mailbox,
    pages_notes,
    pages_offers,
    pages_offers_finder,
    pages_review,
    pages_walk,
    pages_walks,
)


@dataclass(frozen=True)
class Route:
    """One URL rule, its view, methods and access level."""

    rule: str
    endpoint: str
    view: object
    access: str
    methods: tuple[str, ...] = ("GET",)


ROUTES: tuple[Route, ...] = (
    Route("/anmelden", "login", auth.login, "public", ("GET", "POST")),
    Route("/abmelden", "logout", auth.logout, "read", ("POST",)),
    Route("/", "index", pages.index, "read"),
    Route("/gebiete/<area>/", "area", pages.area_page, "read"),
    Route("/gebiete/<area>/bezirke/<district>/", "district", pages.district_page, "read"),
    Route("/gebiete/<area>/karte", "area_map", pages.area_map, "read"),
    Route("/gebiete/<area>/suche", "search", pages.search_page, "read"),
    Route("/gebiete/<area>/orte/<resource_id>", "resource", pages.resource_page, "read"),
    Route("/gebiete/<area>/adressen/<address_id>", "address", pages.address_page, "read"),
    Route("/gebiete/<area>/wegweiser", "guide", pages_walk.guide, "read", ("GET", "POST")),
    Route("/gebiete/<area>/profil", "profile", pages_walk.profile_page, "read"),
    Route("/gebiete/<area>/profil/karte", "profile_map", pages_walk.profile_map, "read"),
    Route("/gebiete/<area>/abdeckung", "coverage", pages_coverage.coverage_page, "read"),
    Route("/gebiete/<area>/abdeckung/karte", "coverage_map", pages_coverage.coverage_map, "read"),
    Route("/gebiete/<area>/abdeckung.csv", "coverage_csv", pages_coverage.coverage_csv, "read"),
    Route("/gebiete/<area>/notizen", "notes", pages_notes.notes_page, "read"),
    Route(
        "/gebiete/<area>/notizen/neu", "new_note", pages_notes.new_note, "write", ("GET", "POST")
    ),
    Route("/gebiete/<area>/notizen/<note_id>", "note", pages_notes.note_page, "read"),
    Route(
        "/gebiete/<area>/notizen/<note_id>", "edit_note", pages_notes.note_page, "write", ("POST",)
    ),
    Route(
        "/gebiete/<area>/notizen/<note_id>/antwort",
        "answer_query",
        pages_notes.answer_query,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/notizen/<note_id>/loeschen",
        "delete_note",
        pages_notes.delete_note,
        "write",
        ("POST",),
    ),
    Route("/gebiete/<area>/pruefung", "review", pages_review.review_page, "read"),
    Route(
        "/gebiete/<area>/pruefung/<note_id>",
        "review_action",
        pages_review.review_action,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/besprechungen",
        "start_meeting",
        pages_review.start_meeting,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/besprechungen/<meeting_id>", "meeting", pages_review.meeting_page, "read"
    ),
    Route(
        "/gebiete/<area>/besprechungen/<meeting_id>/abschliessen",
        "close_meeting",
        pages_review.close_meeting,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/besprechungen/<meeting_id>/protokoll.csv",
        "meeting_csv",
        pages_review.meeting_csv,
        "read",
    ),
    Route("/gebiete/<area>/rundgaenge", "walks", pages_walks.walks_page, "read"),
    Route(
        "/gebiete/<area>/rundgaenge/neu", "new_walk", pages_walks.new_walk, "write", ("GET", "POST")
    ),
    Route("/gebiete/<area>/rundgaenge/<walk_id>", "walk", pages_walks.walk_page, "read"),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>",
        "edit_walk",
        pages_walks.walk_page,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>/laufzettel",
        "walk_sheet",
        pages_walks.walk_sheet,
        "read",
    ),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>/ergebnisse",
        "walk_findings",
        pages_walks.walk_findings,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/briefkasten",
        "mailbox",
        pages_mailbox.mailbox_page,
        "read",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/briefkasten/liste",
        "mailbox_list",
        pages_mailbox.mailbox_list_page,
        "read",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/briefkasten/ruecklaeufer",
        "mailbox_returns",
        pages_mailbox.returns_page,
        "read",
    ),
    Route(
        "/gebiete/<area>/briefkasten/ruecklaeufer",
        "import_returns",
        pages_mailbox.returns_page,
        "write",
        ("POST",),
    ),
    Route("/gebiete/<area>/angebote", "offers", pages_offers.offers_page, "read"),
    Route(
        "/gebiete/<area>/angebote/neu",
        "new_offer",
        pages_offers.new_offer,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/angebote/import",
        "import_offers",
        pages_offers.import_offers,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/angebote/archivieren",
        "archive_offers",
        pages_offers.archive_missing,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/vorschlaege",
        "offer_proposals",
        pages_offers.proposals_page,
        "write",
    ),
    Route(
        "/gebiete/<area>/angebote/vorschlaege/<proposal_id>",
        "decide_proposal",
        pages_offers.decide_proposal,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/finden",
        "offer_finder",
        pages_offers_finder.finder,
        "read",
        ("GET", "POST"),
    ),
    Route("/gebiete/<area>/angebote/<offer_id>", "offer", pages_offers.offer_page, "read"),
    Route(
        "/gebiete/<area>/angebote/<offer_id>",
        "edit_offer",
        pages_offers.offer_page,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/<offer_id>/geprueft",
        "check_offer",
        pages_offers.check_offer,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/<offer_id>/loeschen",
        "delete_offer",
        pages_offers.delete_offer,
        "write",
        ("POST",),
    ),
    Route("/api/openapi.json", "openapi", api.openapi, "public"),
    Route("/api/areas", "areas", api.list_areas, "read"),
    Route("/api/areas/<area>", "area", api.area_detail, "read"),
    Route("/api/areas/<area>/districts", "districts", api.districts, "read"),
    Route("/api/areas/<area>/layers/<category>", "layer", api.layer, "read"),
    Route("/api/areas/<area>/addresses", "addresses", api.addresses, "read"),
    Route("/api/areas/<area>/addresses/search", "search_addresses", api.search_addresses, "read"),
    Route(
        "/api/areas/<area>/addresses/search",
        "search_addresses_post",
        api.search_addresses_post,
        "read",
        ("POST",),
    ),
    Route(
        "/api/areas/<area>/addresses/nearest",
        "nearest_addresses",
        api_notes.nearest_addresses,
        "read",
        ("POST",),
    ),
    Route("/api/areas/<area>/addresses/<address_id>", "address", api.address_card, "read"),
    Route("/api/areas/<area>/resources/<resource_id>", "resource", api.resource_card, "read"),
    Route(
        "/api/areas/<area>/addresses/<address_id>/walk",
        "address_walk",
        api_walk.address_walk,
        "read",
    ),
    Route("/api/areas/<area>/isochrones", "isochrones", api_walk.isochrones, "read", ("POST",)),
    Route("/api/areas/<area>/profile", "profile", api_walk.profile, "read"),
    Route("/api/areas/<area>/profile.csv", "profile_csv", api_walk.profile_csv, "read"),
    Route("/api/areas/<area>/far/<category>", "far_addresses", api_walk.far_addresses, "read"),
    Route("/api/note-categories", "note_categories", api_notes.note_categories, "read"),
    Route("/api/areas/<area>/notes", "notes", api_notes.list_notes, "read"),
    Route("/api/areas/<area>/notes", "create_note", api_notes.create_note, "write", ("POST",)),
    Route("/api/areas/<area>/notes.csv", "notes_csv", api_notes.export_csv, "read"),
    Route("/api/areas/<area>/notes.geojson", "notes_geojson", api_notes.export_geojson, "read"),
    Route("/api/areas/<area>/notes.gpkg", "notes_gpkg", api_notes.export_gpkg, "read"),
    Route("/api/areas/<area>/notes/<note_id>", "note", api_notes.get_note, "read"),
    Route(
        "/api/areas/<area>/notes/<note_id>", "update_note", api_notes.update_note, "write", ("PUT",)
    ),
    Route(
        "/api/areas/<area>/notes/<note_id>",
        "delete_note",
        api_notes.delete_note,
        "write",
        ("DELETE",),
    ),
    Route(
        "/api/areas/<area>/notes/<note_id>/history", "note_history", api_notes.note_history, "read"
    ),
    Route("/api/areas/<area>/walks", "walks", api_walks.list_walks, "read"),
    Route("/api/areas/<area>/walks.csv", "walks_csv", api_walks.export_csv, "read"),
    Route("/api/areas/<area>/walks.geojson", "walks_geojson", api_walks.export_geojson, "read"),
    Route("/api/areas/<area>/walks.gpkg", "walks_gpkg", api_walks.export_gpkg, "read"),
    Route("/api/areas/<area>/walks/<walk_id>", "walk", api_walks.get_walk, "read"),
    Route("/api/offer-vocabularies", "offer_vocabularies", api_offers.vocabularies, "read"),
    Route("/api/areas/<area>/offers", "offers", api_offers.list_offers, "read"),
    Route("/api/areas/<area>/offers", "create_offer", api_offers.create_offer, "write", ("POST",)),
    Route("/api/areas/<area>/offers.csv", "offers_csv", api_offers.export_csv, "read"),
    Route("/api/areas/<area>/offers.geojson", "offers_geojson", api_offers.export_geojson, "read"),
    Route("/api/areas/<area>/offers/find", "find_offers", api_offers.find, "read", ("POST",)),
    Route(
        "/api/areas/<area>/offer-proposals",
        "propose_offer",
        api_offers.propose,
        "write",
        ("POST",),
    ),
    Route("/api/areas/<area>/offers/<offer_id>", "offer", api_offers.get_offer, "read"),
    Route(
        "/api/areas/<area>/offers/<offer_id>",
        "update_offer",
        api_offers.update_offer,
        "write",
        ("PUT",),
    ),
    Route(
        "/api/areas/<area>/offers/<offer_id>",
        "delete_offer",
        api_offers.delete_offer,
        "write",
        ("DELETE",),
    ),
    Route(
        "/api/areas/<area>/mailbox-check",
        "mailbox_check",
        api_mailbox.mailbox_check,
        "read",
        ("POST",),
    ),
)

ACCESS_LEVELS = ("public", "read", "write", "admin")


def guard(view, access: str):
    """Wrap ``view`` so that ``access`` is enforced before it runs."""
    if access not in ACCESS_LEVELS:
        raise ValueError(f"unknown access level {access!r}")

    @wraps(view)
    def wrapped(*args, **kwargs):
        if access != "public":
            if not current_user.is_authenticated:
                raise Unauthorized("login required")
            if access == "admin" and not can_administer(current_user.role):
                raise Forbidden("administrators only")
            if access == "write" and not can_write_somewhere(current_user.role):
                raise Forbidden("viewers read but cannot change data")
            if (
                access in ("write", "admin")
                and request.method != "GET"
                and current_app.config["READ_ONLY"]
            ):
                raise ReadOnly("the app runs read-only; nothing was changed")
        return view(*args, **kwargs)

    wrapped.access = access
    return wrapped


def register(app: Flask) -> None:
    """Register every route on two blueprints: ``pages`` (HTML) and ``api`` (JSON)."""
    blueprints = {"pages": Blueprint("pages", __name__), "api": Blueprint("api", __name__)}
    for route in ROUTES:
        bp = blueprints["api" if route.rule.startswith("/api/") else "pages"]
        bp.add_url_rule(
            route.rule, route.endpoint, guard(route.view, route.access), methods=list(route.methods)
        )
    for bp in blueprints.values():
        app.register_blueprint(bp)
