"""The review queue of a team and the open queries (Rückfragen) of a note's author."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sozialraum.errors import Forbidden, InvalidInput
from sozialraum.model.notes import is_stale, recheck_due
from sozialraum.model.review import (
    STATES,
    TRANSITIONS,
    check_recheck,
    content_editors,
    refusals,
)
from sozialraum.model.roles import Role
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services.review.actions import reviewer_of
from sozialraum.store.base import Store

#: Age filters of the queue (days since the observation → German label).
AGE_FILTERS: dict[int, str] = {
    30: "älter als 30 Tage",
    90: "älter als 3 Monate",
    180: "älter als 6 Monate",
    365: "älter als 12 Monate",
}


@dataclass(frozen=True)
class QueueFilter:
    """Filters of the review queue (all ANDed).

    ``state`` ``None`` means every state but archived; ``stale`` keeps notes past their re-check day
    only.
    """

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
    """The review entry that sent a note back, while the note is in ``rueckfrage``.

    The lead's Rückfrage with its question; ``None`` otherwise.
    """
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
    """The open Rückfragen the actor can answer.

    Notes of the actor's team in state ``rueckfrage`` (own ones first, then oldest question first).

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
