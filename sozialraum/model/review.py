"""The team review of field notes: states, transitions and who may make them (pure).

Entwurf → Eingereicht → Freigegeben or Rückfrage (back to the author with a comment) →
Archiviert. Only a lead of the note's team releases, queries or archives. Four-eyes:
nobody releases or queries a version whose content they wrote or changed themselves —
the check is against everyone who changed the note's content since it was last released
(:func:`content_editors`), not only its author. Authors (and writers of the note's team)
submit and withdraw. Every transition may carry a comment; a Rückfrage needs one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sozialraum.errors import Forbidden, InvalidInput
from sozialraum.model.roles import Role, parse_role

#: Review states (id → German label), in workflow order.
STATES: dict[str, str] = {
    "entwurf": "Entwurf",
    "eingereicht": "Eingereicht",
    "freigegeben": "Freigegeben",
    "rueckfrage": "Rückfrage",
    "archiviert": "Archiviert",
}
MAX_COMMENT_CHARS = 500


@dataclass(frozen=True)
class Transition:
    """One action: the states it starts from, where it leads, who makes it."""

    label: str
    sources: tuple[str, ...]
    target: str
    #: "writer": the note's team may write (caseworker, lead); "lead": a lead of the team
    by: str
    four_eyes: bool = False
    needs_comment: bool = False


TRANSITIONS: dict[str, Transition] = {
    "einreichen": Transition("Einreichen", ("entwurf", "rueckfrage"), "eingereicht", "writer"),
    "zurueckziehen": Transition("Zurückziehen", ("eingereicht",), "entwurf", "writer"),
    "freigeben": Transition("Freigeben", ("eingereicht",), "freigegeben", "lead", True),
    "rueckfrage": Transition(
        "Rückfrage", ("eingereicht",), "rueckfrage", "lead", True, needs_comment=True
    ),
    "archivieren": Transition(
        "Archivieren", ("eingereicht", "freigegeben", "rueckfrage"), "archiviert", "lead"
    ),
}


#: A lead asks for a re-check: the state stays, the place becomes a stop of a planned walk.
RECHECK = Transition(
    "Nachprüfung anfordern", ("eingereicht", "freigegeben", "rueckfrage"), "", "lead"
)
#: What a review change is called in histories and protocols (action id → German).
ACTION_LABELS: dict[str, str] = {
    **{key: action.label for key, action in TRANSITIONS.items()},
    "nachpruefen": RECHECK.label,
}


@dataclass(frozen=True)
class Reviewer:
    """Who acts: name, role and team."""

    name: str
    role: Role | str
    team: str | None


#: The fields of a note that make its statement: a change to any of them is a content
#: edit (the writer joins :func:`content_editors`). The point is the geometry; the
#: address and resource links are what the place is called. A pure review change
#: (state, log, re-check) is no content edit; team and district follow the point.
CONTENT_FIELDS = (
    "category",
    "text",
    "mailbox_status",
    "observed_on",
    "expires_on",
    "address_id",
    "address_label",
    "osm_ref",
    "resource_label",
)
#: The note property that lists who changed the content since the last release.
EDITORS_FIELD = "edited_by"


def content_editors(properties: Mapping) -> list[str]:
    """Everyone who wrote or changed a note's content since it was last released.

    Reads ``edited_by``; notes written before it existed count their author as the only
    editor (until their next release).
    """
    editors = properties.get(EDITORS_FIELD)
    if isinstance(editors, list):
        return [name for name in editors if isinstance(name, str)]
    author = properties.get("author")
    return [author] if isinstance(author, str) and author else []


def content_changed(
    before: Mapping, after: Mapping, fields: Collection[str] = CONTENT_FIELDS
) -> bool:
    """Whether two versions of a note (``{"geometry", "properties"}``) differ in content.

    Compares ``fields`` (by default :data:`CONTENT_FIELDS`; missing and empty are equal)
    and the point (lon/lat degrees, EPSG:4326, to 7 decimals). Offers use the same
    comparison with their own fields.
    """

    def point(feature: Mapping):
        geometry = feature.get("geometry") or {}
        return [round(float(c), 7) for c in (geometry.get("coordinates") or [])[:2]]

    old, new = before.get("properties") or {}, after.get("properties") or {}
    if any((old.get(k) or None) != (new.get(k) or None) for k in fields):
        return True
    return point(before) != point(after)


def editors_after_edit(properties: Mapping, editor: str) -> list[str]:
    """``edited_by`` after ``editor`` changed the content of a note with ``properties``.

    An edit of a released note starts a new review round: the editor alone. Otherwise
    the editor joins the editors since the last release (in order of their first edit).
    """
    if properties.get("review_state") == "freigegeben":
        return [editor]
    editors = content_editors(properties)
    return editors if editor in editors else [*editors, editor]


def four_eyes_refusal(action_label: str, actor: str, editors: Collection[str]) -> str | None:
    """Why ``actor`` may not release (``action_label``) content they changed, or ``None``.

    The German reason names the rule and that another person must act.
    """
    if actor not in editors:
        return None
    return (
        f"Vier-Augen-Prinzip: Sie haben diesen Inhalt seit der letzten Freigabe geschrieben "
        f"oder geändert; „{action_label}“ muss eine andere Person übernehmen."
    )


def _refusal(action: Transition, reviewer: Reviewer, note_team, editors) -> str | None:
    """Why ``reviewer`` may not make ``action`` (German), or ``None``."""
    role = parse_role(reviewer.role)
    own_team = note_team is not None and reviewer.team == note_team
    if action.by == "lead":
        if role != Role.LEAD or not own_team:
            return f"„{action.label}“ darf nur eine Teamleitung des Teams der Notiz."
        if action.four_eyes and reviewer.name in editors:
            return (
                f"Vier-Augen-Prinzip: Sie haben diese Notiz seit der letzten Freigabe "
                f"geschrieben oder geändert; „{action.label}“ muss eine andere "
                "Teamleitung übernehmen."
            )
        return None
    if role in (Role.CASEWORKER, Role.LEAD) and own_team:
        return None
    return f"„{action.label}“ dürfen nur Fachkräfte und Teamleitungen des Teams der Notiz."


def _editors(editors: Collection[str] | None, author: str | None) -> Collection[str]:
    if editors is not None:
        return editors
    return (author,) if author else ()


def refusals(
    state: str,
    reviewer: Reviewer,
    *,
    note_team: str | None,
    editors: Collection[str] | None = None,
    author: str | None = None,
) -> dict[str, str]:
    """Why ``reviewer`` may not take the actions that start from ``state`` (id → German).

    Actions that are possible are left out; see :func:`allowed_actions`.
    """
    who = _editors(editors, author)
    found = {}
    for action_id, action in TRANSITIONS.items():
        if state in action.sources:
            reason = _refusal(action, reviewer, note_team, who)
            if reason:
                found[action_id] = reason
    return found


def allowed_actions(
    state: str,
    reviewer: Reviewer,
    *,
    note_team: str | None,
    editors: Collection[str] | None = None,
    author: str | None = None,
) -> list[str]:
    """The actions ``reviewer`` may take on a note in ``state`` (ids of :data:`TRANSITIONS`).

    Parameters
    ----------
    editors : collection of str, optional
        Who changed the note's content since its last release (:func:`content_editors`);
        none of them may release or query it. Without it, ``author`` alone.
    author : str, optional
        For callers that know only the author (treated as the only editor).
    """
    who = _editors(editors, author)
    return [
        action_id
        for action_id, action in TRANSITIONS.items()
        if state in action.sources and _refusal(action, reviewer, note_team, who) is None
    ]


def transition(
    state: str,
    action_id: str,
    reviewer: Reviewer,
    *,
    note_team: str | None,
    editors: Collection[str] | None = None,
    author: str | None = None,
    comment: str | None = None,
) -> str:
    """The new state after ``action_id``.

    ``editors`` are everyone who changed the note's content since its last release
    (:func:`content_editors`; without it ``author`` alone): none of them may release or
    query it.

    Raises
    ------
    InvalidInput
        Unknown action or state, an action that does not start from ``state``, a missing
        comment for a Rückfrage or one longer than :data:`MAX_COMMENT_CHARS` (German).
    Forbidden
        The reviewer may not make this transition (team, role, four-eyes), in German.
    """
    action = TRANSITIONS.get(action_id)
    if action is None:
        raise InvalidInput(f"Unbekannte Aktion; möglich: {', '.join(TRANSITIONS)}.")
    if state not in STATES:
        raise InvalidInput(f"Unbekannter Status {state[:20]!r}.")
    if state not in action.sources:
        raise InvalidInput(f"„{action.label}“ ist im Status „{STATES[state]}“ nicht möglich.")
    text = (comment or "").strip()
    if action.needs_comment and not text:
        raise InvalidInput(
            "Eine Rückfrage braucht einen Kommentar an die Verfasserin/den Verfasser."
        )
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"Der Kommentar ist zu lang (höchstens {MAX_COMMENT_CHARS} Zeichen).")
    refusal = _refusal(action, reviewer, note_team, _editors(editors, author))
    if refusal:
        raise Forbidden(refusal)
    return action.target


def check_recheck(state: str, reviewer: Reviewer, *, note_team: str | None) -> None:
    """Whether ``reviewer`` may ask for a re-check of a note in ``state``.

    Raises
    ------
    InvalidInput
        For drafts and archived notes (German).
    Forbidden
        Unless the reviewer is a lead of the note's team (German).
    """
    if state not in RECHECK.sources:
        raise InvalidInput(
            f"„{RECHECK.label}“ ist im Status „{STATES.get(state, state)}“ nicht möglich."
        )
    refusal = _refusal(RECHECK, reviewer, note_team, ())
    if refusal:
        raise Forbidden(refusal)


def visible_to_viewers(properties: Mapping, release_required: bool) -> bool:
    """Whether viewers (read-only accounts) see a note.

    Released ones, or submitted ones (not drafts, not archived) when its category does not require a
    release.
    """
    state = properties.get("review_state") or "entwurf"
    return state == "freigegeben" or (
        not release_required and state not in ("entwurf", "archiviert")
    )
