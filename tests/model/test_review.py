"""Review transitions: the full matrix of roles × actions × own/other team × author, the
four-eyes rule, states and comments."""

from __future__ import annotations

import itertools

import pytest

from sozialraum.errors import Forbidden, InvalidInput
from sozialraum.model.review import (
    STATES,
    TRANSITIONS,
    Reviewer,
    allowed_actions,
    transition,
)

ROLES = ("viewer", "caseworker", "lead", "admin")
# Written out independently of the module: (action, from) → to
WORKFLOW = {
    ("einreichen", "entwurf"): "eingereicht",
    ("einreichen", "rueckfrage"): "eingereicht",
    ("zurueckziehen", "eingereicht"): "entwurf",
    ("freigeben", "eingereicht"): "freigegeben",
    ("rueckfrage", "eingereicht"): "rueckfrage",
    ("archivieren", "eingereicht"): "archiviert",
    ("archivieren", "freigegeben"): "archiviert",
    ("archivieren", "rueckfrage"): "archiviert",
}
LEAD_ONLY = {"freigeben", "rueckfrage", "archivieren"}
FOUR_EYES = {"freigeben", "rueckfrage"}


def _expected(action, role, own_team, is_author) -> bool:
    if action in LEAD_ONLY:
        return role == "lead" and own_team and not (is_author and action in FOUR_EYES)
    return role in ("caseworker", "lead") and own_team


@pytest.mark.parametrize(
    ("action", "role", "own_team", "is_author"),
    list(itertools.product(TRANSITIONS, ROLES, (True, False), (True, False))),
)
def test_full_permission_matrix(action, role, own_team, is_author):
    reviewer = Reviewer("anna" if is_author else "ben", role, "Team Nord" if own_team else "Süd")
    for (act, source), target in WORKFLOW.items():
        if act != action:
            continue
        args = dict(note_team="Team Nord", author="anna", comment="Bitte Hausnummer prüfen.")
        if _expected(action, role, own_team, is_author):
            assert transition(source, action, reviewer, **args) == target
            assert action in allowed_actions(source, reviewer, note_team="Team Nord", author="anna")
        else:
            with pytest.raises(Forbidden):
                transition(source, action, reviewer, **args)
            assert action not in allowed_actions(
                source, reviewer, note_team="Team Nord", author="anna"
            )


def test_workflow_is_complete_and_nothing_else_is_possible():
    lead = Reviewer("ben", "lead", "Team Nord")
    for action, state in itertools.product(TRANSITIONS, STATES):
        if (action, state) in WORKFLOW:
            continue
        with pytest.raises(InvalidInput, match="nicht möglich"):
            transition(state, action, lead, note_team="Team Nord", author="anna", comment="x")


def test_nobody_releases_their_own_note():
    lead = Reviewer("anna", "lead", "Team Nord")
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        transition("eingereicht", "freigeben", lead, note_team="Team Nord", author="anna")
    assert "freigeben" not in allowed_actions(
        "eingereicht", lead, note_team="Team Nord", author="anna"
    )
    # archiving is no release: a lead may archive their own note
    assert transition("freigegeben", "archivieren", lead, note_team="Team Nord", author="anna")


def test_rueckfrage_needs_a_comment_and_comments_are_bounded():
    lead = Reviewer("ben", "lead", "Team Nord")
    args = dict(note_team="Team Nord", author="anna")
    with pytest.raises(InvalidInput, match="Kommentar"):
        transition("eingereicht", "rueckfrage", lead, **args, comment="  ")
    with pytest.raises(InvalidInput, match="zu lang"):
        transition("eingereicht", "freigeben", lead, **args, comment="x" * 501)
    assert transition("eingereicht", "freigeben", lead, **args) == "freigegeben"


def test_unknown_action_and_state():
    lead = Reviewer("ben", "lead", "Team Nord")
    with pytest.raises(InvalidInput, match="Unbekannte Aktion"):
        transition("eingereicht", "loeschen", lead, note_team="Team Nord", author="a")
    with pytest.raises(InvalidInput, match="Unbekannter Status"):
        transition("fertig", "freigeben", lead, note_team="Team Nord", author="a")


def test_notes_without_team_cannot_be_reviewed():
    lead = Reviewer("ben", "lead", None)
    with pytest.raises(Forbidden):
        transition("eingereicht", "freigeben", lead, note_team=None, author="anna")
