"""Team review services: review actions, the review queue, stale notes, re-checks (no Flask).

Rules (who may do what, four-eyes) live in :mod:`sozialraum.model.review`; this module
applies them to stored notes. Every change is a new version of the note: its
``review_log`` gains an entry (time in UTC, who, action, states, comment) and the audit
entry of the write carries ``review`` = action and states (never the comment: the audit
log is kept for good, a note and its comments are purged when the note expires).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sozialraum.errors import Forbidden, InvalidInput, VersionConflict
from sozialraum.model.notes import is_stale, recheck_due
from sozialraum.model.review import (
    ACTION_LABELS,
    EDITORS_FIELD,
    MAX_COMMENT_CHARS,
    STATES,
    TRANSITIONS,
    Reviewer,
    check_recheck,
    content_editors,
    refusals,
    transition,
)
from sozialraum.model.roles import Role
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services import walks
from sozialraum.store.base import Store

LAYER = fieldnotes.LAYER
#: A re-check without a planned walk of the district creates one this many days ahead.
NEW_WALK_DAYS = 7
#: Age filters of the queue (days since the observation → German label).
AGE_FILTERS: dict[int, str] = {
    30: "älter als 30 Tage",
    90: "älter als 3 Monate",
    180: "älter als 6 Monate",
    365: "älter als 12 Monate",
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def reviewer_of(actor: fieldnotes.Actor) -> Reviewer:
    """The :class:`~sozialraum.model.review.Reviewer` for an actor."""
    return Reviewer(actor.name, actor.role, actor.team)


def _comment(comment: str | None, rules: fieldnotes.NoteRules) -> str:
    text = " ".join((comment or "").split())
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"Der Kommentar ist zu lang (höchstens {MAX_COMMENT_CHARS} Zeichen).")
    if text:
        rules.guard.check(text)
    return text


def _save(
    store: Store,
    area: str,
    feature: dict,
    change: tuple[str, str, str],
    comment: str,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    **properties,
) -> dict:
    """Write a review change: ``review_log`` entry in the note, action and states (no
    comment) in the audit entry; ``properties`` are set on the note."""
    action, state, target = change
    entry = {"at": _now(), "by": actor.name, "action": action, "from": state, "to": target}
    if comment:
        entry["comment"] = comment
    props = {**feature["properties"], **properties}
    props["review_log"] = [*(props.get("review_log") or []), entry]
    return store.update(
        area,
        LAYER,
        feature["id"],
        {"type": "Feature", "geometry": feature["geometry"], "properties": props},
        expected_version=expected_version,
        actor=actor.name,
        audit_fields={"review": {"action": action, "from": state, "to": target}},
    )


def review_note(
    store: Store,
    area: str,
    note_id: str,
    action: str,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
    comment: str | None = None,
) -> dict:
    """Make a review action on a note (see :data:`~sozialraum.model.review.TRANSITIONS`).

    Parameters
    ----------
    action : str
        ``einreichen``, ``zurueckziehen``, ``freigeben``, ``rueckfrage`` or ``archivieren``.
    expected_version : int
        The version the reviewer saw; a newer one gives :class:`VersionConflict`.
    comment : str, optional
        Up to 500 characters, checked by the data-protection guard; a Rückfrage needs one.

    Four-eyes: nobody who changed the note's content since its last release
    (``edited_by``, see :func:`~sozialraum.model.review.content_editors`) may release or
    query it. A release starts a new round: ``edited_by`` becomes empty.

    Returns
    -------
    dict
        The note's new version.

    Raises
    ------
    NotFound
        For an unknown id and for a note ``actor`` may not read (the same answer: its
        state and version stay secret).
    InvalidInput, Forbidden, VersionConflict, PrivacyViolation
        With German messages (state, role, team, four-eyes, comment).
    """
    current = fieldnotes.get_note(store, area, note_id, today=today, reader=actor, rules=rules)
    props = current["properties"]
    state = props.get("review_state") or "entwurf"
    text = " ".join((comment or "").split())
    editors = content_editors(props)
    target = transition(
        state,
        action,
        reviewer_of(actor),
        note_team=props.get("team"),
        editors=editors,
        comment=text,
    )
    text = _comment(text, rules)  # the data-protection check, once the actor may act
    # the editors are kept as a list on every version (also for notes written before it)
    released = {EDITORS_FIELD: [] if target == "freigegeben" else editors}
    return _save(
        store, area, current, (action, state, target), text,
        expected_version=expected_version, actor=actor, review_state=target, **released,
    )  # fmt: skip


def _walk_for(
    store: Store,
    area: str,
    district: str,
    walk_id: str | None,
    today: date,
    actor: fieldnotes.Actor,
):
    """The planned walk of ``district`` to add a stop to: the chosen one, else the next one."""
    if walk_id:
        walk = walks.get_walk(store, area, walk_id, reader=actor)
        props = walk["properties"]
        if props.get("district") != district:
            raise InvalidInput("Dieser Rundgang gehört zu einem anderen Bezirk.")
        if props.get("status") != "geplant" or props["walk_on"] < today.isoformat():
            raise InvalidInput("Dieser Rundgang ist kein geplanter Rundgang mehr.")
        return walk
    planned = [
        w
        for w in walks.list_walks(store, area, district=district, reader=actor)
        if w["properties"].get("status") == "geplant"
        and w["properties"]["walk_on"] >= today.isoformat()
    ]
    return min(planned, key=lambda w: w["properties"]["walk_on"]) if planned else None


def request_recheck(
    store: Store,
    area: str,
    note_id: str,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
    walk_id: str | None = None,
    comment: str | None = None,
) -> tuple[dict, dict]:
    """A lead asks for a re-check: the note's place becomes a stop of a planned walk.

    The stop goes to ``walk_id`` (a planned walk of the note's district), else to the
    district's next planned walk, else to a new walk "Nachprüfung …" in
    :data:`NEW_WALK_DAYS` days. The note keeps its state and gets ``recheck`` =
    ``{requested_on, by, walk_id}``, cleared when the note is saved with a newer
    observation date.

    Returns
    -------
    tuple of dict
        The note's new version and the walk.
    """
    current = fieldnotes.get_note(store, area, note_id, today=today, reader=actor, rules=rules)
    props = current["properties"]
    if props.get("version") != expected_version:
        raise VersionConflict(
            f"note {note_id!r} is at version {props.get('version')}, not {expected_version}",
            current_version=props.get("version"),
        )
    state = props.get("review_state") or "entwurf"
    check_recheck(state, reviewer_of(actor), note_team=props.get("team"))
    text = _comment(comment, rules)
    district = props.get("district")
    if not district:
        raise InvalidInput("Die Notiz liegt in keinem Bezirk; bitte einen Rundgang selbst planen.")
    walk = _walk_for(store, area, district, walk_id, today, actor)
    pick = {"kind": "note", "ref": note_id}
    if walk is None:
        name = services.district_names(store, area).get(district) or district
        data = {
            "title": f"Nachprüfung {name}"[:120],
            "walk_on": (today + timedelta(days=NEW_WALK_DAYS)).isoformat(),
            "district": district,
            "purpose": "Nachprüfungen aus der Teambesprechung",
        }
        walk = walks.create_walk(store, area, data, [pick], actor=actor, rules=rules, today=today)
    else:
        walk = walks.add_stops(
            store,
            area,
            walk["id"],
            [pick],
            expected_version=walk["properties"]["version"],
            actor=actor,
            rules=rules,
            today=today,
        )
    recheck = {"requested_on": today.isoformat(), "by": actor.name, "walk_id": walk["id"]}
    note = _save(
        store, area, current, ("nachpruefen", state, state), text,
        expected_version=expected_version, actor=actor, recheck=recheck,
    )  # fmt: skip
    return note, walk


@dataclass(frozen=True)
class QueueFilter:
    """Filters of the review queue (all ANDed); ``state`` ``None`` means every state
    but archived; ``stale`` keeps notes past their re-check day only."""

    state: str | None = "eingereicht"
    team: str | None = None
    district: str | None = None
    author: str | None = None
    category: str | None = None
    min_age_days: int | None = None
    stale: bool = False

    @classmethod
    def from_args(cls, args: Mapping, categories) -> QueueFilter:
        """Read filters from query arguments; :class:`InvalidInput` for unknown values."""
        state = args.get("state", "eingereicht") or None
        if state is not None and state not in STATES:
            raise InvalidInput("Unbekannter Status.")
        category = args.get("category") or None
        if category is not None and category not in categories:
            raise InvalidInput("Unbekannte Kategorie.")
        age = args.get("age") or None
        if age is not None:
            try:
                age = int(age)
            except ValueError:
                raise InvalidInput("Alter: bitte eine Zahl von Tagen.") from None
            if age not in AGE_FILTERS:
                raise InvalidInput("Alter: unbekannte Auswahl.")
        return cls(
            state=state,
            team=(args.get("team") or "").strip()[:64] or None,
            district=args.get("district") or None,
            author=(args.get("author") or "").strip()[:64] or None,
            category=category,
            min_age_days=age,
            stale=args.get("stale") in ("1", "on", "true"),
        )


def _submitted_at(props: Mapping) -> str | None:
    for entry in reversed(props.get("review_log") or []):
        if entry.get("to") == "eingereicht":
            return entry.get("at")
    return None


def review_queue(
    store: Store,
    area: str,
    chosen: QueueFilter,
    *,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
) -> list[dict]:
    """The notes to review, oldest observation first, each with what the actor may do.

    Returns
    -------
    list of dict
        Per note: ``feature`` (labelled, EPSG:4326), ``age_days`` (since the
        observation), ``recheck_due`` (ISO date), ``stale``, ``submitted_at`` (UTC or
        None), ``actions`` (action ids the actor may take, plus ``nachpruefen``),
        ``editors`` (who changed the content since the last release) and ``blocked``
        (action id → German reason, for the four-eyes refusals the actor meets here:
        shown instead of a button).
    """
    features = fieldnotes.list_notes(
        store,
        area,
        today=today,
        district=chosen.district,
        category=chosen.category,
        review_state=chosen.state,
        author=chosen.author,
        reader=actor,
        rules=rules,
    )
    names = services.district_names(store, area)
    reviewer = reviewer_of(actor)
    items = []
    for feature in features:
        props = feature["properties"]
        if chosen.team is not None and props.get("team") != chosen.team:
            continue
        observed = date.fromisoformat(props["observed_on"])
        age_days = (today - observed).days
        if chosen.min_age_days is not None and age_days <= chosen.min_age_days:
            continue
        stale = is_stale(props, rules.categories, today)
        if chosen.stale and not stale:
            continue
        state = props.get("review_state") or "entwurf"
        editors = content_editors(props)
        refused = refusals(state, reviewer, note_team=props.get("team"), editors=editors)
        actions = [
            action_id
            for action_id, action in TRANSITIONS.items()
            if state in action.sources and action_id not in refused
        ]
        # refused only because the actor changed the content: the reason, not a button
        others = refusals(state, reviewer, note_team=props.get("team"), editors=())
        blocked = {a: reason for a, reason in refused.items() if a not in others}
        try:
            check_recheck(state, reviewer, note_team=props.get("team"))
            actions.append("nachpruefen")
        except (InvalidInput, Forbidden):
            pass  # not possible here: no button
        due = recheck_due(props, rules.categories)
        items.append(
            {
                "feature": fieldnotes.labelled(feature, rules, names),
                "age_days": age_days,
                "recheck_due": due.isoformat() if due else None,
                "stale": stale,
                "submitted_at": _submitted_at(props),
                "actions": actions,
                "editors": editors,
                "blocked": blocked,
            }
        )
    items.sort(
        key=lambda item: (item["feature"]["properties"]["observed_on"], item["feature"]["id"])
    )
    return items


def last_query(props: Mapping) -> dict | None:
    """The review entry that sent a note back (the lead's Rückfrage with its question),
    while the note is in ``rueckfrage``; ``None`` otherwise."""
    if (props.get("review_state") or "entwurf") != "rueckfrage":
        return None
    for entry in reversed(props.get("review_log") or []):
        if entry.get("to") == "rueckfrage":
            return entry
    return None


def open_queries(
    store: Store,
    area: str,
    *,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
    district: str | None = None,
) -> list[dict]:
    """The open Rückfragen the actor can answer: notes of the actor's team in state
    ``rueckfrage`` (own ones first, then oldest question first).

    Only writers with a team get any (viewers, admins and accounts without a team answer
    no queries), and nobody gets the queries they asked themselves. Each item:
    ``feature`` (labelled, EPSG:4326), ``question`` (the lead's
    comment), ``asked_by``, ``asked_at`` (UTC ISO) and ``own`` (the actor wrote or edited
    the note).
    """
    if actor.role not in (Role.CASEWORKER, Role.LEAD) or not actor.team:
        return []
    features = fieldnotes.list_notes(
        store,
        area,
        today=today,
        district=district,
        review_state="rueckfrage",
        reader=actor,
        rules=rules,
    )
    names = services.district_names(store, area)
    items = []
    for feature in features:
        props = feature["properties"]
        if props.get("team") != actor.team:
            continue
        query = last_query(props) or {}
        if query.get("by") == actor.name:
            continue  # the lead's own question: for the others to answer
        own = props.get("author") == actor.name or actor.name in content_editors(props)
        items.append(
            {
                "feature": fieldnotes.labelled(feature, rules, names),
                "question": query.get("comment") or "",
                "asked_by": query.get("by"),
                "asked_at": query.get("at"),
                "own": own,
            }
        )
    items.sort(key=lambda item: (not item["own"], item["asked_at"] or "", item["feature"]["id"]))
    return items


__all__ = [
    "ACTION_LABELS",
    "AGE_FILTERS",
    "TRANSITIONS",
    "QueueFilter",
    "last_query",
    "open_queries",
    "request_recheck",
    "review_note",
    "review_queue",
    "reviewer_of",
]
