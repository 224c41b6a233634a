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

from flask import Blueprint, Flask, current_app, redirect, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, NotFound

from sozialraum.errors import Forbidden, ReadOnly, Unauthorized
from sozialraum.model.roles import can_administer, can_write_somewhere
from sozialraum.web import context
from sozialraum.web.accounts import auth
from sozialraum.web.admin import accounts as admin_accounts
from sozialraum.web.admin import districts as admin_districts
from sozialraum.web.admin import index as admin_index
from sozialraum.web.admin import teams as admin_teams
from sozialraum.web.areas import api as areas_api
from sozialraum.web.areas import pages as areas_pages
from sozialraum.web.basemap import tiles as basemap_tiles
from sozialraum.web.coverage import pages as coverage_pages
from sozialraum.web.field import api as field_api
from sozialraum.web.field import pages as field_pages
from sozialraum.web.mailbox import api as mailbox_api
from sozialraum.web.mailbox import pages as mailbox_pages
from sozialraum.web.meetings import pages as meetings_pages
from sozialraum.web.notes import api as notes_api
from sozialraum.web.notes import pages as notes_pages
from sozialraum.web.offers import api as offers_api
from sozialraum.web.offers import finder as offers_finder
from sozialraum.web.offers import imports as offers_imports
from sozialraum.web.offers import pages as offers_pages
from sozialraum.web.offers import proposals as offers_proposals
from sozialraum.web.offline import api as offline_api
from sozialraum.web.offline import pages as offline_pages
from sozialraum.web.review import pages as review_pages
from sozialraum.web.walking import api as walking_api
from sozialraum.web.walking import pages as walking_pages
from sozialraum.web.walks import api as walks_api
from sozialraum.web.walks import pages as walks_pages


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
    Route("/", "index", areas_pages.index, "read"),
    # the offline service worker: served at the root so that its scope is every page
    Route("/sw.js", "service_worker", offline_pages.service_worker, "public"),
    Route("/gebiete/<area>/", "area", areas_pages.area_page, "read"),
    Route("/gebiete/<area>/bezirke/<district>/", "district", areas_pages.district_page, "read"),
    Route("/gebiete/<area>/karte", "area_map", areas_pages.area_map, "read"),
    # the own basemap: OSM data of the area only, read like the area's other data
    Route("/tiles/<area>/<int:z>/<int:x>/<int:y>.mvt", "basemap_tile", basemap_tiles.tile, "read"),
    Route("/gebiete/<area>/suche", "search", areas_pages.search_page, "read"),
    Route("/gebiete/<area>/orte/<resource_id>", "resource", areas_pages.resource_page, "read"),
    Route("/gebiete/<area>/adressen/<address_id>", "address", areas_pages.address_page, "read"),
    Route("/gebiete/<area>/wegweiser", "guide", walking_pages.guide, "read", ("GET", "POST")),
    Route("/gebiete/<area>/profil", "profile", walking_pages.profile_page, "read"),
    Route("/gebiete/<area>/profil/karte", "profile_map", walking_pages.profile_map, "read"),
    Route("/gebiete/<area>/abdeckung", "coverage", coverage_pages.coverage_page, "read"),
    Route("/gebiete/<area>/abdeckung/karte", "coverage_map", coverage_pages.coverage_map, "read"),
    Route("/gebiete/<area>/abdeckung.csv", "coverage_csv", coverage_pages.coverage_csv, "read"),
    # field mode on the phone during a walk (issue 21 §4); ?rundgang=<walk id>
    Route("/gebiete/<area>/unterwegs", "field", field_pages.field_page, "read"),
    Route("/gebiete/<area>/notizen", "notes", notes_pages.notes_page, "read"),
    Route(
        "/gebiete/<area>/notizen/neu", "new_note", notes_pages.new_note, "write", ("GET", "POST")
    ),
    Route("/gebiete/<area>/notizen/<note_id>", "note", notes_pages.note_page, "read"),
    Route(
        "/gebiete/<area>/notizen/<note_id>", "edit_note", notes_pages.note_page, "write", ("POST",)
    ),
    Route(
        "/gebiete/<area>/notizen/<note_id>/antwort",
        "answer_query",
        notes_pages.answer_query,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/notizen/<note_id>/einreichen",
        "submit_note",
        notes_pages.submit_note,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/notizen/<note_id>/loeschen",
        "delete_note",
        notes_pages.delete_note,
        "write",
        ("POST",),
    ),
    Route("/gebiete/<area>/pruefung", "review", review_pages.review_page, "read"),
    Route(
        "/gebiete/<area>/pruefung/<note_id>",
        "review_action",
        review_pages.review_action,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/besprechungen",
        "start_meeting",
        review_pages.start_meeting,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/besprechungen/<meeting_id>", "meeting", meetings_pages.meeting_page, "read"
    ),
    Route(
        "/gebiete/<area>/besprechungen/<meeting_id>/abschliessen",
        "close_meeting",
        review_pages.close_meeting,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/besprechungen/<meeting_id>/protokoll.csv",
        "meeting_csv",
        meetings_pages.meeting_csv,
        "read",
    ),
    Route("/gebiete/<area>/rundgaenge", "walks", walks_pages.walks_page, "read"),
    Route(
        "/gebiete/<area>/rundgaenge/neu", "new_walk", walks_pages.new_walk, "write", ("GET", "POST")
    ),
    Route("/gebiete/<area>/rundgaenge/<walk_id>", "walk", walks_pages.walk_page, "read"),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>",
        "edit_walk",
        walks_pages.walk_page,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>/stationen",
        "walk_stops",
        walks_pages.walk_stops,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>/laufzettel",
        "walk_sheet",
        walks_pages.walk_sheet,
        "read",
    ),
    Route(
        "/gebiete/<area>/rundgaenge/<walk_id>/ergebnisse",
        "walk_findings",
        walks_pages.walk_findings,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/briefkasten",
        "mailbox",
        mailbox_pages.mailbox_page,
        "read",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/briefkasten/liste",
        "mailbox_list",
        mailbox_pages.mailbox_list_page,
        "read",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/briefkasten/ruecklaeufer",
        "mailbox_returns",
        mailbox_pages.returns_page,
        "read",
    ),
    Route(
        "/gebiete/<area>/briefkasten/ruecklaeufer",
        "import_returns",
        mailbox_pages.returns_page,
        "write",
        ("POST",),
    ),
    Route("/gebiete/<area>/angebote", "offers", offers_pages.offers_page, "read"),
    Route(
        "/gebiete/<area>/angebote/neu",
        "new_offer",
        offers_pages.new_offer,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/angebote/import",
        "import_offers",
        offers_imports.import_offers,
        "write",
        ("GET", "POST"),
    ),
    Route(
        "/gebiete/<area>/angebote/archivieren",
        "archive_offers",
        offers_imports.archive_missing,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/vorschlaege",
        "offer_proposals",
        offers_proposals.proposals_page,
        "write",
    ),
    Route(
        "/gebiete/<area>/angebote/vorschlaege/<proposal_id>",
        "decide_proposal",
        offers_proposals.decide_proposal,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/finden",
        "offer_finder",
        offers_finder.finder,
        "read",
        ("GET", "POST"),
    ),
    Route("/gebiete/<area>/angebote/<offer_id>", "offer", offers_pages.offer_page, "read"),
    Route(
        "/gebiete/<area>/angebote/<offer_id>",
        "edit_offer",
        offers_pages.offer_page,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/<offer_id>/geprueft",
        "check_offer",
        offers_pages.check_offer,
        "write",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/angebote/<offer_id>/loeschen",
        "delete_offer",
        offers_pages.delete_offer,
        "write",
        ("POST",),
    ),
    # administration ("Verwaltung"): accounts, teams, districts
    Route("/verwaltung/", "admin", admin_index.admin_page, "admin"),
    Route("/verwaltung/konten", "admin_accounts", admin_accounts.accounts_page, "admin"),
    Route(
        "/verwaltung/konten",
        "admin_create_account",
        admin_accounts.create_account,
        "admin",
        ("POST",),
    ),
    Route(
        "/verwaltung/konten/<user>/sperren",
        "admin_disable_account",
        admin_accounts.disable_account,
        "admin",
        ("POST",),
    ),
    Route(
        "/verwaltung/konten/<user>/entsperren",
        "admin_enable_account",
        admin_accounts.enable_account,
        "admin",
        ("POST",),
    ),
    Route(
        "/verwaltung/konten/<user>/passwort",
        "admin_reset_password",
        admin_accounts.reset_password,
        "admin",
        ("POST",),
    ),
    Route(
        "/verwaltung/konten/<user>/rolle",
        "admin_change_role",
        admin_accounts.change_role,
        "admin",
        ("POST",),
    ),
    Route("/verwaltung/teams", "admin_teams", admin_teams.teams_page, "admin"),
    Route("/verwaltung/teams", "admin_create_team", admin_teams.create_team, "admin", ("POST",)),
    Route(
        "/verwaltung/teams/umbenennen",
        "admin_rename_team",
        admin_teams.rename_team,
        "admin",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/verwaltung/bezirke",
        "admin_districts",
        admin_districts.districts_page,
        "admin",
    ),
    Route(
        "/gebiete/<area>/verwaltung/bezirke/<district>/team",
        "admin_assign_team",
        admin_districts.assign_team,
        "admin",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/verwaltung/bezirke/<district>/name",
        "admin_rename_district",
        admin_districts.rename_district,
        "admin",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/verwaltung/bezirke/datei",
        "admin_upload_districts",
        admin_districts.upload_districts,
        "admin",
        ("POST",),
    ),
    Route(
        "/gebiete/<area>/verwaltung/bezirke/zeichnen",
        "admin_draw_district",
        admin_districts.draw_district,
        "admin",
        ("POST",),
    ),
    Route("/api/openapi.json", "openapi", areas_api.openapi, "public"),
    Route("/api/areas", "areas", areas_api.list_areas, "read"),
    Route("/api/areas/<area>", "area", areas_api.area_detail, "read"),
    Route("/api/areas/<area>/districts", "districts", areas_api.districts, "read"),
    Route("/api/areas/<area>/layers/<category>", "layer", areas_api.layer, "read"),
    Route("/api/areas/<area>/addresses", "addresses", areas_api.addresses, "read"),
    Route(
        "/api/areas/<area>/addresses/search", "search_addresses", areas_api.search_addresses, "read"
    ),
    Route(
        "/api/areas/<area>/addresses/search",
        "search_addresses_post",
        areas_api.search_addresses_post,
        "read",
        ("POST",),
    ),
    Route(
        "/api/areas/<area>/addresses/nearest",
        "nearest_addresses",
        notes_api.nearest_addresses,
        "read",
        ("POST",),
    ),
    # what is at the caseworker's position (field mode): POST, the position is in no URL
    Route("/api/areas/<area>/here", "field_here", field_api.here, "read", ("POST",)),
    Route("/api/areas/<area>/addresses/<address_id>", "address", areas_api.address_card, "read"),
    Route("/api/areas/<area>/resources/<resource_id>", "resource", areas_api.resource_card, "read"),
    Route(
        "/api/areas/<area>/addresses/<address_id>/walk",
        "address_walk",
        walking_api.address_walk,
        "read",
    ),
    Route("/api/areas/<area>/isochrones", "isochrones", walking_api.isochrones, "read", ("POST",)),
    Route("/api/areas/<area>/offline", "offline_bundle", offline_api.offline_bundle, "read"),
    Route("/api/areas/<area>/profile", "profile", walking_api.profile, "read"),
    Route("/api/areas/<area>/profile.csv", "profile_csv", walking_api.profile_csv, "read"),
    Route("/api/areas/<area>/far/<category>", "far_addresses", walking_api.far_addresses, "read"),
    Route("/api/note-categories", "note_categories", notes_api.note_categories, "read"),
    Route("/api/areas/<area>/notes", "notes", notes_api.list_notes, "read"),
    Route("/api/areas/<area>/notes", "create_note", notes_api.create_note, "write", ("POST",)),
    Route("/api/areas/<area>/notes.csv", "notes_csv", notes_api.export_csv, "read"),
    Route("/api/areas/<area>/notes.geojson", "notes_geojson", notes_api.export_geojson, "read"),
    Route("/api/areas/<area>/notes.gpkg", "notes_gpkg", notes_api.export_gpkg, "read"),
    Route("/api/areas/<area>/notes/<note_id>", "note", notes_api.get_note, "read"),
    Route(
        "/api/areas/<area>/notes/<note_id>", "update_note", notes_api.update_note, "write", ("PUT",)
    ),
    Route(
        "/api/areas/<area>/notes/<note_id>",
        "delete_note",
        notes_api.delete_note,
        "write",
        ("DELETE",),
    ),
    Route(
        "/api/areas/<area>/notes/<note_id>/history", "note_history", notes_api.note_history, "read"
    ),
    Route("/api/areas/<area>/walks", "walks", walks_api.list_walks, "read"),
    Route("/api/areas/<area>/walks.csv", "walks_csv", walks_api.export_csv, "read"),
    Route("/api/areas/<area>/walks.geojson", "walks_geojson", walks_api.export_geojson, "read"),
    Route("/api/areas/<area>/walks.gpkg", "walks_gpkg", walks_api.export_gpkg, "read"),
    Route("/api/areas/<area>/walks/<walk_id>", "walk", walks_api.get_walk, "read"),
    Route(
        "/api/areas/<area>/walk-planner/route",
        "walk_planner_route",
        walks_api.route_preview,
        "read",
        ("POST",),
    ),
    Route(
        "/api/areas/<area>/walk-planner/places",
        "walk_planner_places",
        walks_api.places,
        "read",
        ("POST",),
    ),
    Route("/api/offer-vocabularies", "offer_vocabularies", offers_api.vocabularies, "read"),
    Route("/api/areas/<area>/offers", "offers", offers_api.list_offers, "read"),
    Route("/api/areas/<area>/offers", "create_offer", offers_api.create_offer, "write", ("POST",)),
    Route("/api/areas/<area>/offers.csv", "offers_csv", offers_api.export_csv, "read"),
    Route("/api/areas/<area>/offers.geojson", "offers_geojson", offers_api.export_geojson, "read"),
    Route("/api/areas/<area>/offers/find", "find_offers", offers_api.find, "read", ("POST",)),
    Route(
        "/api/areas/<area>/offer-proposals",
        "propose_offer",
        offers_api.propose,
        "write",
        ("POST",),
    ),
    Route("/api/areas/<area>/offers/<offer_id>", "offer", offers_api.get_offer, "read"),
    Route(
        "/api/areas/<area>/offers/<offer_id>",
        "update_offer",
        offers_api.update_offer,
        "write",
        ("PUT",),
    ),
    Route(
        "/api/areas/<area>/offers/<offer_id>",
        "delete_offer",
        offers_api.delete_offer,
        "write",
        ("DELETE",),
    ),
    Route(
        "/api/areas/<area>/mailbox-check",
        "mailbox_check",
        mailbox_api.mailbox_check,
        "read",
        ("POST",),
    ),
)

ACCESS_LEVELS = ("public", "read", "write", "admin")


def guard(view, access: str):
    """Wrap ``view`` so that ``access`` is enforced before it runs.

    After the access check, the URL's ``<area>`` is resolved once for the request
    (:func:`sozialraum.web.context.resolve_area`, 404 for an unknown area): the views read
    it with :func:`~sozialraum.web.context.area_meta`. A blueprint's
    ``url_value_preprocessor`` would run before this check and answer 404 where a
    logged-out user gets 401.
    """
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
        context.resolve_area(kwargs)  # once per request, after the access check
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
    app.before_request(_redirect_trailing_slash)


def _redirect_trailing_slash():
    """A page address with one slash too many redirects to the page (308, query kept).

    Werkzeug redirects ``/gebiete/x`` to the canonical ``/gebiete/x/`` of a rule that ends
    with a slash, but answers 404 for ``/gebiete/x/rundgaenge/`` where the rule is
    ``/gebiete/x/rundgaenge``; this runs before the view (and its access check) only for
    such a 404 of a GET or HEAD request outside ``/api/`` and ``/tiles/``.
    """
    path = request.path
    if (
        request.method not in ("GET", "HEAD")
        or not isinstance(request.routing_exception, NotFound)
        or len(path) < 2
        or not path.endswith("/")
        or path.startswith(("/api/", "/tiles/", "/static/"))
    ):
        return None
    canonical = path.rstrip("/")
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(canonical, method="GET")
    except HTTPException:  # no page there either (or a redirect of its own)
        return None
    query = request.query_string.decode("latin-1")
    target = request.script_root + canonical + (f"?{query}" if query else "")
    return redirect(target, code=308)
