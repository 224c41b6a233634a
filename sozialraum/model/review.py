"""The team review of field notes: states, transitions and who may make them (pure).

Entwurf → Eingereicht → Freigegeben or Rückfrage (back to the author with a comment) →
Archiviert. Only a lead of the note's team releases, queries or archives; nobody releases
or queries their own note (four-eyes). Authors (and writers of the note's team) submit and
withdraw. Every transition may carry a comment; a Rückfrage needs one.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def _refusal(action: Transition, reviewer: Reviewer, note_team, author) -> str | None:
    """Why ``reviewer`` may not make ``action`` (German), or ``None``."""
    role = parse_role(reviewer.role)
    own_team = note_team is not None and reviewer.team == note_team
    if action.by == "lead":
        if role != Role.LEAD or not own_team:
            return f"„{action.label}“ darf nur eine Teamleitung des Teams der Notiz."
        if action.four_eyes and reviewer.name == author:
            return (
                f"Vier-Augen-Prinzip: „{action.label}“ bei der eigenen Notiz ist nicht "
                "möglich; bitte eine andere Teamleitung."
            )
        return None
    if role in (Role.CASEWORKER, Role.LEAD) and own_team:
        return None
    return f"„{action.label}“ dürfen nur Fachkräfte und Teamleitungen des Teams der Notiz."


def allowed_actions(
    state: str, reviewer: Reviewer, *, note_team: str | None, author: str | None
) -> list[str]:
    """The actions ``reviewer`` may take on a note in ``state`` (ids of :data:`TRANSITIONS`)."""
    return [
        action_id
        for action_id, action in TRANSITIONS.items()
        if state in action.sources and _refusal(action, reviewer, note_team, author) is None
    ]


def transition(
    state: str,
    action_id: str,
    reviewer: Reviewer,
    *,
    note_team: str | None,
    author: str | None,
    comment: str | None = None,
) -> str:
    """The new state after ``action_id``.

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
    refusal = _refusal(action, reviewer, note_team, author)
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
    refusal = _refusal(RECHECK, reviewer, note_team, None)
    if refusal:
        raise Forbidden(refusal)


def visible_to_viewers(properties: Mapping, release_required: bool) -> bool:
    """Whether viewers (read-only accounts) see a note: released ones, or submitted ones
    (not drafts, not archived) when its category does not require a release."""
    state = properties.get("review_state") or "entwurf"
    return state == "freigegeben" or (
        not release_required and state not in ("entwurf", "archiviert")
    )
