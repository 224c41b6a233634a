"""Team meetings: record a meeting, what changed since the last one, its protocol (no Flask).

A lead starts a meeting (day and the roles present — roles and counts, never names) and
closes it when the team is done. The review decisions its team's leads take in between
(released, Rückfrage, re-check asked, archived) are the meeting's decisions. "Seit letzter
Besprechung" lists what happened to the team's notes after the last closed meeting: new,
edited, answered (a Rückfrage resubmitted with an answer), resubmitted (without one),
released, archived and expired notes. Times are stored in UTC (ISO 8601), days are ISO dates;
the protocol CSV shows local time (Europe/Berlin) like the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model.notes import is_expired, is_stale
from sozialraum.model.roles import Role
from sozialraum.services import areas as services
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
#: Kinds of change since the last meeting (id → German heading), in display order.
CHANGE_KINDS: dict[str, str] = {
    "neu": "Neu",
    "geaendert": "Geändert",
    "beantwortet": "Rückfrage beantwortet",
    "wieder_eingereicht": "Wieder eingereicht",
    "freigegeben": "Freigegeben",
    "archiviert": "Archiviert",
    "abgelaufen": "Abgelaufen",
}
#: Review actions that are decisions of a meeting, in protocol order.
DECISIONS = ("freigeben", "rueckfrage", "nachpruefen", "archivieren")
#: What a decision is called in the protocol (German participles).
DECISION_LABELS: dict[str, str] = {
    "freigeben": "freigegeben",
    "rueckfrage": "zurückgefragt",
    "nachpruefen": "Nachprüfung angefordert",
    "archivieren": "archiviert",
}
#: The time zone of pages, print and CSV (stored times are UTC).
LOCAL_TZ = ZoneInfo("Europe/Berlin")


def local_time(value: str | None) -> str:
    """A stored UTC ISO time as German local time, ``21.11.2026, 09:35`` (Europe/Berlin);
    empty for none."""
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
    """How a meeting is named in lists: its day and, in local time, when it began
    (two meetings on one day stay apart), e.g. ``02.12.2026, 09:30 Uhr``."""
    props = meeting["properties"]
    day = date.fromisoformat(props["held_on"]).strftime("%d.%m.%Y")
    started = local_time(props.get("started_at"))
    if started.startswith(day):
        return f"{started} Uhr"
    return f"{day} (erfasst {started} Uhr)" if started else day


def _now() -> str:
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
            "started_at": _now(),
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
    closed = {**props, "closed_at": _now(), "closed_by": actor.name}
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
        and (before is None or _time(m["properties"]["closed_at"]) <= _time(before))
    ]
    return max(closed, key=lambda m: m["properties"]["closed_at"]) if closed else None


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def review_entry(note: dict, audit_entry: Mapping) -> dict | None:
    """The note's ``review_log`` entry written with an audit entry (same action, states
    and person; the nearest in time), or ``None``. The comment lives there: the audit
    log never holds it."""
    review = audit_entry.get("review") or {}
    try:
        at = _time(audit_entry["ts"])
    except (KeyError, ValueError):
        return None
    best, best_gap = None, None
    for item in note["properties"].get("review_log") or []:
        if (
            item.get("action") != review.get("action")
            or item.get("from") != review.get("from")
            or item.get("to") != review.get("to")
            or item.get("by") != audit_entry.get("actor")
        ):
            continue
        try:
            gap = abs((_time(item["at"]) - at).total_seconds())
        except (KeyError, ValueError):
            continue
        if best_gap is None or gap < best_gap:
            best, best_gap = item, gap
    return best if best_gap is not None and best_gap <= 120 else None


def _question_before(note: dict, answer: dict | None) -> dict | None:
    """The Rückfrage an answer (a ``review_log`` entry) replies to."""
    log = note["properties"].get("review_log") or []
    if answer is None or answer not in log:
        return None
    for item in reversed(log[: log.index(answer)]):
        if item.get("to") == "rueckfrage":
            return item
    return None


def _answer_after(note: dict, query: dict | None) -> dict | None:
    """The resubmission that answers a Rückfrage (a ``review_log`` entry), if any."""
    log = note["properties"].get("review_log") or []
    if query is None or query not in log:
        return None
    for item in log[log.index(query) + 1 :]:
        if item.get("action") == "einreichen" and item.get("from") == "rueckfrage":
            return item
        if item.get("to") == "rueckfrage":
            return None
    return None


@dataclass
class Changes:
    """What happened to a team's notes in a time window.

    ``items`` maps each kind of :data:`CHANGE_KINDS` to labelled notes (for
    ``abgelaufen``: category, district and expiry only — expired content is gone).
    """

    since: str | None
    until: str
    items: dict[str, list[dict]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Kind → number of notes."""
        return {kind: len(self.items.get(kind, [])) for kind in CHANGE_KINDS}


def _team_entries(store: Store, area: str, notes: dict, team: str, since, until: str):
    """``(audit entry, note)`` of the notes layer from ``since`` to ``until`` (UTC ISO)
    for notes of ``team`` that still exist (deleted ones have no team to tell)."""
    end = _time(until)
    for entry in store.changes(area, fieldnotes.LAYER, since=since):
        if _time(entry["ts"]) > end:
            break
        note = notes.get(entry.get("id"))
        if note is not None and note["properties"].get("team") == team:
            yield entry, note


def changes_since(
    store: Store,
    area: str,
    team: str,
    since: str | None,
    *,
    today: date,
    rules: fieldnotes.NoteRules,
    until: str | None = None,
    reader: fieldnotes.Actor | None = None,
) -> Changes:
    """What changed in the team's notes after ``since`` (UTC ISO; ``None``: ever).

    A note counts once per kind; a note that is new in the window is not also listed as
    edited. A Rückfrage resubmitted with an answer is ``beantwortet`` (the item carries
    ``question`` and ``answer``), without one ``wieder_eingereicht``. Released and
    archived come from the review entries of the audit log; expired
    are notes whose ``expires_on`` lies from the day of ``since`` up to the day of ``until``
    (and before ``today``). Notes ``reader`` may not see (viewers: unreleased) are left out.
    """
    last_day = today
    if until is not None:  # a closed window: notes that expired up to its end
        last_day = min(today, _time(until).date() + timedelta(days=1))
    until = until or _now()
    notes = {f["id"]: f for f in store.query(area, fieldnotes.LAYER)}
    names = services.district_names(store, area)
    seen: dict[str, set[str]] = {kind: set() for kind in CHANGE_KINDS}
    changes = Changes(since, until, {kind: [] for kind in CHANGE_KINDS})
    for entry, note in _team_entries(store, area, notes, team, since, until):
        if is_expired(note["properties"], today) or not fieldnotes.visible(
            note["properties"], reader, rules.categories
        ):
            continue
        review = entry.get("review") or {}
        if entry["action"] == "add":
            kind = "neu"
        elif entry["action"] == "update" and not review:
            kind = "geaendert"
        elif review.get("to") in ("freigegeben", "archiviert") and review.get("action") != (
            "nachpruefen"
        ):
            kind = review["to"]
        elif review.get("action") == "einreichen" and review.get("from") == "rueckfrage":
            found = review_entry(note, entry)
            answer = (found or {}).get("comment") or ""
            kind = "beantwortet" if answer else "wieder_eingereicht"
        else:
            continue
        if note["id"] in seen[kind] or (kind == "geaendert" and note["id"] in seen["neu"]):
            continue
        seen[kind].add(note["id"])
        item = fieldnotes.labelled(note, rules, names)
        if kind == "beantwortet":
            item["answer"] = answer
            item["question"] = (_question_before(note, found) or {}).get("comment") or ""
        changes.items[kind].append(item)
    first_day = _time(since).date().isoformat() if since else ""
    for note in notes.values():
        props = note["properties"]
        expires_on = props.get("expires_on") or ""
        if props.get("team") == team and first_day <= expires_on < last_day.isoformat():
            category = props.get("category")
            changes.items["abgelaufen"].append(
                {
                    "id": note["id"],
                    "category_label": rules.categories[category].label
                    if category in rules.categories
                    else category,
                    "district_name": names.get(props.get("district")),
                    "expires_on": expires_on,
                }
            )
    changes.items["abgelaufen"].sort(key=lambda item: item["expires_on"])
    return changes


def since_last_meeting(
    store: Store,
    area: str,
    team: str,
    *,
    today: date,
    rules: fieldnotes.NoteRules,
    reader: fieldnotes.Actor | None = None,
) -> tuple[dict | None, Changes]:
    """The team's last closed meeting and what changed after it closed (as ``reader``
    may see it)."""
    meeting = last_closed_meeting(store, area, team)
    since = meeting["properties"]["closed_at"] if meeting else None
    changes = changes_since(store, area, team, since, today=today, rules=rules, reader=reader)
    return meeting, changes


def decisions(
    store: Store,
    area: str,
    meeting: dict,
    *,
    today: date,
    rules: fieldnotes.NoteRules,
    reader: fieldnotes.Actor | None = None,
) -> list[dict]:
    """The meeting's decisions: review actions (see :data:`DECISIONS`) on the team's
    notes from its start to its close (or now), oldest first.

    Each item: ``at`` (UTC), ``by``, ``action``, ``action_label`` (German participle,
    see :data:`DECISION_LABELS`), ``note_id``, ``note`` (labelled note, or ``None`` once
    it expired or if ``reader`` may not see it, e.g. a viewer and an unreleased note),
    ``comment`` (the decision's comment) and, for a Rückfrage, ``answer`` /
    ``answered_at`` (the resubmission's comment and time, also when it came after the
    meeting); comments only where the note is shown. Decisions on notes deleted
    since are left out (the audit log does not say which team they belonged to).
    """
    props = meeting["properties"]
    until = props.get("closed_at") or _now()
    notes = {f["id"]: f for f in store.query(area, fieldnotes.LAYER)}
    names = services.district_names(store, area)
    found = []
    for entry, note in _team_entries(store, area, notes, props["team"], props["started_at"], until):
        action = (entry.get("review") or {}).get("action")
        if action not in DECISIONS:
            continue
        visible = not is_expired(note["properties"], today) and fieldnotes.visible(
            note["properties"], reader, rules.categories
        )
        logged = review_entry(note, entry) if visible else None
        answer = _answer_after(note, logged) if action == "rueckfrage" else None
        found.append(
            {
                "at": entry["ts"],
                "by": entry.get("actor"),
                "action": action,
                "action_label": DECISION_LABELS[action],
                "note_id": note["id"],
                "note": fieldnotes.labelled(note, rules, names) if visible else None,
                "comment": (logged or {}).get("comment") or "",
                "answer": (answer or {}).get("comment") or "",
                "answered_at": (answer or {}).get("at"),
                "answered_by": (answer or {}).get("by"),
            }
        )
    return found


def team_counts(
    store: Store, area: str, team: str, *, today: date, rules: fieldnotes.NoteRules
) -> dict[str, int]:
    """Current numbers of the team's notes: per review state, and past their re-check day."""
    counts = {"eingereicht": 0, "rueckfrage": 0, "freigegeben": 0, "entwurf": 0, "veraltet": 0}
    for note in fieldnotes.list_notes(store, area, today=today):
        props = note["properties"]
        if props.get("team") != team:
            continue
        state = props.get("review_state") or "entwurf"
        counts[state] = counts.get(state, 0) + 1
        counts["veraltet"] += is_stale(props, rules.categories, today)
    return counts


#: Header of the protocol CSV.
PROTOCOL_HEADER = [
    "Besprechung am",
    "Team",
    "Beginn",
    "Zeit",
    "Entscheidung",
    "Durch",
    "Kommentar",
    "Antwort",
    "Antwort am",
    "Notiz-Id",
    "Kategorie",
    "Ort",
    "Bezirk",
    "Text",
]


def protocol_rows(meeting: dict, found: list[dict]) -> list[list]:
    """Rows of the protocol CSV: one per decision (see :func:`decisions`); times in local
    time (Europe/Berlin), the meeting's day as ``TT.MM.JJJJ`` and its start beside it."""
    props = meeting["properties"]
    day = date.fromisoformat(props["held_on"]).strftime("%d.%m.%Y")
    rows = []
    for item in found:
        note = (item["note"] or {}).get("properties") or {}
        place = note.get("address_label") or note.get("resource_label") or ""
        rows.append(
            [
                day,
                props["team"],
                local_time(props.get("started_at")),
                local_time(item["at"]),
                item["action_label"],
                item["by"],
                item.get("comment") or "",
                item.get("answer") or "",
                local_time(item.get("answered_at")),
                item["note_id"],
                note.get("category_label") or "",
                place,
                note.get("district_name") or "",
                note.get("text") or ("(nicht sichtbar)" if item["note"] is None else ""),
            ]
        )
    return rows
