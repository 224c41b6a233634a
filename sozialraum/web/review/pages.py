"""Team review pages (German): the review queue with map; starting and closing meetings.

The queue shows a team's notes by review state with filters (district, author, category,
age, state, past the re-check day), map and list side by side; one button per action
(keyboard: see static/sozialraum/review.js). Leads start and close team meetings; a
closed meeting has a printable A4 protocol and a CSV (:mod:`sozialraum.web.meetings.pages`).
Rules and checks live in :mod:`sozialraum.services.review` and :mod:`sozialraum.services.meetings`.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl, urlencode

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from sozialraum import settings
from sozialraum.errors import InvalidInput, NotFound, SozialraumError
from sozialraum.model.review import STATES
from sozialraum.model.roles import Role
from sozialraum.services import areas as services
from sozialraum.services import meetings, review
from sozialraum.services import notes as fieldnotes
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import basemap_options
from sozialraum.web.paging import one_page

#: Query arguments of the queue (kept across an action).
QUEUE_ARGS = ("state", "team", "district", "author", "category", "age", "stale", "seite")
#: Notes per page of the queue (a meeting works through it page by page).
PAGE_SIZE = 100
#: Marker colour per review state (map and protocol).
STATE_COLOURS = {
    "entwurf": "#7f7f7f",
    "eingereicht": "#1f4e9c",
    "freigegeben": "#2e7d32",
    "rueckfrage": "#b8860b",
    "archiviert": "#555555",
}


def _queue_args(args) -> dict[str, str]:
    return {k: args[k] for k in QUEUE_ARGS if args.get(k)}


def _team(args) -> str | None:
    """The team whose notes the page shows: the user's own, or the chosen one (no team)."""
    return current_user.team or (args.get("team") or "").strip()[:64] or None


def _map_items(items: list[dict], first: int = 0) -> list[dict]:
    found = []
    for number, item in enumerate(items, start=first + 1):
        feature = item["feature"]
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        found.append(
            {
                "id": feature["id"],
                "number": number,
                "lon": lon,
                "lat": lat,
                "label": f"{number}. {props.get('category_label')}: "
                + (props.get("address_label") or props.get("resource_label") or "")
                + (" – " if props.get("address_label") or props.get("resource_label") else "")
                + (props.get("text") or "")[:80],
                "colour": STATE_COLOURS.get(props.get("review_state"), "#333333"),
            }
        )
    return found


def _review_context(area: str, meta: dict, args, **extra) -> dict:
    store, rules, today = ctx.store(), ctx.note_rules(), settings.today()
    actor = ctx.current_actor()
    team = _team(args)
    chosen = review.QueueFilter.from_args(args, rules.categories)
    if chosen.district:
        services.find_district(store, area, chosen.district)
    chosen = dataclasses.replace(chosen, team=team)
    items = review.review_queue(store, area, chosen, actor=actor, rules=rules, today=today)
    blocked = sum(1 for item in items if item["blocked"])  # four-eyes: not for this lead
    page = one_page(items, args.get("seite", type=int), PAGE_SIZE)
    names = services.district_names(store, area)
    teams = (meta.get("teams") or {}) if isinstance(meta.get("teams"), dict) else {}
    since = last = running = None
    history: list[dict] = []
    counts = {}
    if team:
        last, since = meetings.since_last_meeting(
            store, area, team, today=today, rules=rules, reader=actor
        )
        running = meetings.open_meeting(store, area, team)
        history = meetings.list_meetings(store, area, team=team)[:8]
        counts = meetings.team_counts(store, area, team, today=today, rules=rules)
    authors = sorted(
        {
            n["properties"].get("author")
            for n in fieldnotes.list_notes(store, area, today=today, reader=actor, rules=rules)
            if n["properties"].get("author")
            and (team is None or n["properties"].get("team") == team)
        }
    )
    return {
        "area": area,
        "meta": meta,
        "team": team,
        "teams": sorted({t for t in teams.values() if t}),
        "chosen": chosen,
        "query": _queue_args(args),
        "items": page.items,
        "map_items": _map_items(page.items, page.start),
        "blocked": blocked,
        "page": page,
        "districts": sorted(
            # a district without a team is open to every team: its notes may be this team's
            ((i, n) for i, n in names.items() if team is None or teams.get(i) in (team, None)),
            key=lambda item: item[1] or "",
        ),
        "authors": authors,
        "categories": list(rules.categories),
        "states": STATES,
        "age_filters": review.AGE_FILTERS,
        "action_labels": review.ACTION_LABELS,
        "since": since,
        "last_meeting": last,
        "running": running,
        "history": history,
        "counts": counts,
        "change_kinds": meetings.CHANGE_KINDS,
        "meeting_label": meetings.meeting_label,
        "roles_present": meetings.ROLES_PRESENT,
        "is_lead": actor.role == Role.LEAD and bool(actor.team),
        "tile_url": current_app.config.get("TILE_URL") or "",
        "tile_attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "basemap": basemap_options(area, meta.get("bbox") or [0, 0, 0, 0]),
        "bbox": meta.get("bbox"),
        "focus": args.get("fokus", type=int),
        "done": args.get("erledigt"),
        "today": today.isoformat(),
        **extra,
    }


def review_page(area: str):
    """The review queue of the user's team with filters, map and list, and meetings."""
    meta = ctx.area_meta()
    return render_template("review/pruefung.html", **_review_context(area, meta, request.args))


def _posted_filters() -> list[tuple[str, str]]:
    """The queue filters a form carries back (field ``filters``, known keys only)."""
    return [(k, v) for k, v in parse_qsl(request.form.get("filters") or "") if k in QUEUE_ARGS]


def _back(area: str, **extra) -> str:
    """The review page with the queue filters the form came from (known keys only)."""
    kept = dict(_posted_filters())
    kept.update({k: v for k, v in extra.items() if v is not None})
    query = urlencode(kept)
    return url_for("pages.review", area=area) + (f"?{query}" if query else "")


def _failed(area: str, meta: dict, error: SozialraumError, note_id: str | None = None):
    """The review page again with the error (German), keeping the filters.

    For an action on a note, the error is repeated at the note and the typed comment kept in its
    field (shown again to its writer only, stored nowhere).
    """
    extra = {"error": error.message}
    if note_id:
        extra["failed"] = {"id": note_id, "comment": (request.form.get("comment") or "")[:500]}
        extra["focus"] = request.form.get("position", type=int)
    context = _review_context(area, meta, MultiDict(_posted_filters()), **extra)
    return render_template("review/pruefung.html", **context), error.status


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput("Die Fassung der Notiz fehlt; bitte die Seite neu laden.") from None


def review_action(area: str, note_id: str):
    """One review action on a note (form: action, version, comment), back to the queue."""
    meta = ctx.area_meta()
    action = request.form.get("action") or ""
    try:
        kwargs = {
            "expected_version": _version(),
            "actor": ctx.current_actor(),
            "rules": ctx.note_rules(),
            "today": settings.today(),
            "comment": request.form.get("comment"),
        }
        if action == "nachpruefen":
            review.request_recheck(ctx.store(), area, note_id, **kwargs)
        else:
            review.review_note(ctx.store(), area, note_id, action, **kwargs)
    except NotFound:
        raise
    except SozialraumError as exc:
        return _failed(area, meta, exc, note_id)
    position = request.form.get("position", type=int)
    return redirect(_back(area, erledigt=action, fokus=position), 303)


def start_meeting(area: str):
    """A lead starts a team meeting (day, roles present)."""
    meta = ctx.area_meta()
    roles = {role: request.form.get(role, "") for role in meetings.ROLES_PRESENT}
    try:
        meetings.start_meeting(
            ctx.store(),
            area,
            request.form.get("held_on"),
            roles,
            actor=ctx.current_actor(),
            today=settings.today(),
        )
    except SozialraumError as exc:
        return _failed(area, meta, exc)
    return redirect(_back(area), 303)


def close_meeting(area: str, meeting_id: str):
    """A lead closes the running meeting; on to its protocol."""
    meta = ctx.area_meta()
    try:
        meetings.close_meeting(
            ctx.store(), area, meeting_id, expected_version=_version(), actor=ctx.current_actor()
        )
    except NotFound:
        raise
    except SozialraumError as exc:
        return _failed(area, meta, exc)
    return redirect(url_for("pages.meeting", area=area, meeting_id=meeting_id), 303)
