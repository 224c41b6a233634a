"""Team meetings in the store: start, close, list; who was present."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model.roles import Role
from sozialraum.services import notes as fieldnotes
from sozialraum.store.base import Store

LAYER = "meetings"


#: Roles that can be present (German); counted, never named.
ROLES_PRESENT = (
    "Teamleitung",
    "Fachkraft",
    "Sozialplanung",
    "Quartiersmanagement",
    "Fachdienst",
    "Gast",
)


MAX_PER_ROLE = 50


#: How far back a meeting's day may lie when it is recorded (days).
MAX_PAST_DAYS = 30


#: The time zone of pages, print and CSV (stored times are UTC).
LOCAL_TZ = ZoneInfo("Europe/Berlin")


def local_time(value: str | None) -> str:
    """A stored UTC ISO time as German local time (Europe/Berlin); empty for none.

    For example ``21.11.2026, 09:35``.
    """
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).strftime("%d.%m.%Y, %H:%M")


def meeting_label(meeting: dict) -> str:
    """How a meeting is named in lists: its day and when it began (local time).

    Two meetings on one day stay apart, e.g. ``02.12.2026, 09:30 Uhr``.
    """
    props = meeting["properties"]
    day = date.fromisoformat(props["held_on"]).strftime("%d.%m.%Y")
    started = local_time(props.get("started_at"))
    if started.startswith(day):
        return f"{started} Uhr"
    return f"{day} (erfasst {started} Uhr)" if started else day


def now_iso() -> str:
    """The current time in UTC, ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _require_lead(actor: fieldnotes.Actor, team: str | None) -> None:
    if actor.role != Role.LEAD or not actor.team or actor.team != team:
        raise Forbidden("Besprechungen hält nur eine Teamleitung für ihr Team fest.")


def _roles(data: Mapping) -> list[dict]:
    roles = []
    for role in ROLES_PRESENT:
        raw = data.get(role)
        if raw in (None, "", 0, "0"):
            continue
        try:
            count = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput(f"{role}: bitte eine Anzahl angeben.") from None
        if not 0 <= count <= MAX_PER_ROLE:
            raise InvalidInput(f"{role}: 0 bis {MAX_PER_ROLE}.")
        if count:
            roles.append({"role": role, "count": count})
    unknown = set(data) - set(ROLES_PRESENT)
    if unknown:
        raise InvalidInput("Unbekannte Rolle; möglich: " + ", ".join(ROLES_PRESENT) + ".")
    if not roles:
        raise InvalidInput("Bitte angeben, welche Rollen anwesend sind.")
    return roles


def list_meetings(store: Store, area: str, *, team: str | None = None) -> list[dict]:
    """Meetings of an area (of one team), newest first."""
    found = [m for m in store.query(area, LAYER) if team is None or m["properties"]["team"] == team]
    return sorted(found, key=lambda m: m["properties"]["started_at"], reverse=True)


def open_meeting(store: Store, area: str, team: str) -> dict | None:
    """The team's meeting that was started and not closed yet, or ``None``."""
    return next(
        (m for m in list_meetings(store, area, team=team) if not m["properties"].get("closed_at")),
        None,
    )


def get_meeting(
    store: Store, area: str, meeting_id: str, *, reader: fieldnotes.Actor | None = None
) -> dict:
    """One meeting that ``reader`` may see; :class:`NotFound` otherwise.

    A meeting belongs to its team: a reader with a team sees only that team's meetings,
    admins and accounts without a team every one (as with notes). An unknown id and a
    meeting ``reader`` may not see raise the same :class:`NotFound`.
    """
    try:
        meeting = store.get(area, LAYER, meeting_id)
    except (NotFound, InvalidInput):
        raise NotFound(f"no meeting {meeting_id!r}") from None
    if (
        reader is not None
        and reader.team
        and reader.role != Role.ADMIN
        and meeting["properties"].get("team") != reader.team
    ):
        raise NotFound(f"no meeting {meeting_id!r}")
    return meeting


def start_meeting(
    store: Store, area: str, held_on: str | None, roles: Mapping, *, actor: fieldnotes.Actor,
    today: date,
) -> dict:  # fmt: skip
    """A lead starts a meeting of their team.

    Parameters
    ----------
    held_on : str or None
        The day (ISO; default today; not in the future, at most 30 days back).
    roles : mapping
        German role (see :data:`ROLES_PRESENT`) → number present.

    Raises
    ------
    Forbidden
        Unless the actor is a lead with a team.
    InvalidInput
        Bad day or roles, or the team already has an open meeting (German).
    """
    _require_lead(actor, actor.team)
    try:
        day = date.fromisoformat(held_on.strip()) if held_on and held_on.strip() else today
    except ValueError:
        raise InvalidInput("Datum: bitte im Format JJJJ-MM-TT angeben.") from None
    if day > today or day < today - timedelta(days=MAX_PAST_DAYS):
        raise InvalidInput(f"Datum: heute oder bis zu {MAX_PAST_DAYS} Tage zurück.")
    present = _roles(roles)
    if open_meeting(store, area, actor.team):
        raise InvalidInput("Es läuft schon eine Besprechung dieses Teams; bitte erst abschließen.")
    feature = {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "team": actor.team,
            "held_on": day.isoformat(),
            "roles_present": present,
            "started_at": now_iso(),
            "started_by": actor.name,
            "closed_at": None,
        },
    }
    return store.add(area, LAYER, feature, actor=actor.name)


def close_meeting(
    store: Store, area: str, meeting_id: str, *, expected_version: int, actor: fieldnotes.Actor
) -> dict:
    """Close a running meeting of the actor's team (its decisions end here).

    Another team's meeting is :class:`NotFound`, like an unknown id.
    """
    meeting = get_meeting(store, area, meeting_id, reader=actor)
    props = meeting["properties"]
    _require_lead(actor, props["team"])
    if props.get("closed_at"):
        raise InvalidInput("Diese Besprechung ist schon abgeschlossen.")
    closed = {**props, "closed_at": now_iso(), "closed_by": actor.name}
    feature = {"type": "Feature", "geometry": None, "properties": closed}
    return store.update(
        area, LAYER, meeting_id, feature, expected_version=expected_version, actor=actor.name
    )


def last_closed_meeting(
    store: Store, area: str, team: str, *, before: str | None = None
) -> dict | None:
    """The team's last closed meeting (closed before ``before``, UTC ISO, if given)."""
    closed = [
        m
        for m in list_meetings(store, area, team=team)
        if m["properties"].get("closed_at")
        and (before is None or parse_time(m["properties"]["closed_at"]) <= parse_time(before))
    ]
    return max(closed, key=lambda m: m["properties"]["closed_at"]) if closed else None


def parse_time(value: str) -> datetime:
    """An ISO 8601 time as written by :func:`now_iso` or the audit log."""
    return datetime.fromisoformat(value)
