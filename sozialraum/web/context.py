"""The web layer's request context: the app's services, the current actor, the area of the URL.

The app factory registers one :class:`AppServices` object; views reach it through the
functions below instead of string keys. The area named in a URL (``<area>``) is
resolved once per request, after the access check (see :func:`sozialraum.web.routes.guard`):
views read its metadata with :func:`area_meta`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, session
from flask_login import current_user

from sozialraum import settings
from sozialraum.accounts import Accounts
from sozialraum.db import read_ahead
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.categories import CategoryTable
from sozialraum.services import areas
from sozialraum.services import notes as fieldnotes
from sozialraum.services.basemap import ArchiveCache
from sozialraum.store import Store
from sozialraum.web.responses import make_etag

#: The key of :class:`AppServices` in ``app.extensions``.
EXTENSION = "sozialraum"


@dataclass(frozen=True)
class AppServices:
    """Everything the views share, built once by the app factory.

    Attributes
    ----------
    store : Store
        The data store (GeoJSON files, EPSG:4326).
    categories : CategoryTable
        The resource categories.
    generation : str
        Changes when the category table changes (part of every API ETag).
    accounts : Accounts
        Users, sessions and the login limiter (files or PostgreSQL, see
        :func:`sozialraum.accounts.open_accounts`).
    note_rules : fieldnotes.NoteRules
        Note categories and the data-protection guard.
    mailbox_actions : dict[str, str]
        The mailbox check's recommended action per risk level (German).
    basemaps : ArchiveCache
        One open basemap archive per area (the vector tiles of the own basemap).
    """

    store: Store
    categories: CategoryTable
    generation: str
    accounts: Accounts
    note_rules: fieldnotes.NoteRules
    mailbox_actions: dict[str, str]
    basemaps: ArchiveCache


def services() -> AppServices:
    """The services of the current app."""
    return current_app.extensions[EXTENSION]


def store() -> Store:
    """The current app's data store."""
    return services().store


def categories() -> CategoryTable:
    """The current app's resource categories."""
    return services().categories


def note_rules() -> fieldnotes.NoteRules:
    """Note categories and the data-protection guard of the current app."""
    return services().note_rules


def mailbox_actions() -> dict[str, str]:
    """The mailbox check's recommended action per risk level (German)."""
    return services().mailbox_actions


def current_actor() -> fieldnotes.Actor:
    """The logged-in user as the service functions' :class:`~sozialraum.services.notes.Actor`."""
    return fieldnotes.Actor(current_user.name, current_user.role, current_user.team)


def note_filter():
    """Whether the logged-in user may see a note, given its properties.

    Viewers see released notes only; see :func:`sozialraum.services.notes.visible`.
    """
    actor = current_actor()
    note_categories = note_rules().categories
    return lambda props: fieldnotes.visible(props, actor, note_categories)


def open_snapshot() -> None:
    """Open the store's :meth:`~sozialraum.store.Store.snapshot` for this request.

    Then the request's first reads (the session behind the cookie, the area in the URL) go
    to the database together (:mod:`sozialraum.db.read_ahead`; nothing with files).
    """
    scope = store().snapshot()
    scope.__enter__()
    g.sozialraum_snapshot = scope
    area = (request.view_args or {}).get("area")
    reads = store().reads_ahead(area) if isinstance(area, str) else {}
    if not reads:  # one read alone gains nothing (and static files leave the session alone)
        read_ahead.run({})
        return
    token = session.get("_user_id")  # Flask-Login's key: our session token
    if isinstance(token, str):
        accounts = services().accounts
        reads.update(accounts.sessions.reads_ahead(token, accounts.users))
    read_ahead.run(reads if len(reads) > 1 else {})


def close_snapshot(_exc: BaseException | None = None) -> None:
    """Close the request's snapshot (teardown; also after an error)."""
    read_ahead.clear()
    scope = g.pop("sozialraum_snapshot", None)
    if scope is not None:
        scope.__exit__(None, None, None)


def checked_area(area: str) -> dict:
    """Metadata of ``area``; 404 for unknown or malformed names."""
    try:
        return store().read_meta(area)
    except InvalidInput:
        raise NotFound(f"area {area!r} does not exist") from None


def resolve_area(view_args: dict) -> None:
    """Resolve the URL's ``<area>`` once for this request (404 for an unknown area)."""
    if "area" in view_args:
        g.sozialraum_area = checked_area(view_args["area"])


def area_meta() -> dict:
    """Metadata of the area named in the URL, resolved once per request."""
    return g.sozialraum_area


def district_names(area: str) -> dict[str, str]:
    """District id → name of ``area``."""
    return areas.district_names(store(), area)


def check_district(area: str, district: str | None) -> None:
    """404 unless ``district`` is ``None`` or a district of ``area``."""
    if district is not None:
        ids = {d["id"] for d in store().query(area, "districts")}
        if district not in ids:
            raise NotFound(f"district {district!r} does not exist in area {area!r}")


def etag(*parts) -> str:
    """An API ETag from ``parts``, the endpoint, the category generation and the query."""
    return make_etag(
        request.endpoint, services().generation, *parts, sorted(request.args.items(multi=True))
    )


def team_etag(area: str, *layers: str) -> str:
    """An API ETag of data the current user sees by role and team (notes, walks).

    Parameters
    ----------
    area : str
        The area id.
    *layers : str
        The layers the answer is built from; their revisions are part of the tag.

    Returns
    -------
    str
        :func:`etag` of the area, the layers' revisions, today's date, the user's role and team.
    """
    actor = current_actor()
    revisions = [store().revision(area, layer) for layer in layers]
    return etag(area, *revisions, settings.today(), actor.role, actor.team)
