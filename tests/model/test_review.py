"""Review transitions: the full matrix of roles × actions × own/other team × author (and ×
who changed the content since the last release), the four-eyes rule, states and comments."""

from __future__ import annotations

import itertools

import pytest

from sozialraum.errors import Forbidden, InvalidInput
from sozialraum.model.review import (
    CONTENT_FIELDS,
    STATES,
    TRANSITIONS,
    Reviewer,
    allowed_actions,
    content_changed,
    content_editors,
    editors_after_edit,
    four_eyes_refusal,
    refusals,
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


# --- four-eyes against everyone who changed the content ------------------------------------

#: Who changed the note's content since its last release ("edited by"), besides the author.
EDITOR_SETS = {
    "only the author": ("anna",),
    "author and ben": ("anna", "ben"),
    "ben rewrote it": ("ben",),
    "carla changed it": ("anna", "carla"),
    "released, nobody since": (),
}


def _expected_with_editors(action, role, own_team, actor, editors) -> bool:
    if action in LEAD_ONLY:
        return role == "lead" and own_team and not (action in FOUR_EYES and actor in editors)
    return role in ("caseworker", "lead") and own_team


@pytest.mark.parametrize(
    ("action", "role", "own_team", "actor", "edited"),
    list(
        itertools.product(
            TRANSITIONS, ROLES, (True, False), ("anna", "ben", "dora"), sorted(EDITOR_SETS)
        )
    ),
)
def test_full_matrix_with_edited_by(action, role, own_team, actor, edited):
    """author (anna) × who changed the content × actor role/team × action."""
    editors = EDITOR_SETS[edited]
    reviewer = Reviewer(actor, role, "Team Nord" if own_team else "Süd")
    expected = _expected_with_editors(action, role, own_team, actor, editors)
    args = dict(note_team="Team Nord", editors=editors, author="anna")
    for (act, source), target in WORKFLOW.items():
        if act != action:
            continue
        allowed = allowed_actions(source, reviewer, **args)
        if expected:
            assert transition(source, action, reviewer, comment="Bitte prüfen.", **args) == target
            assert action in allowed
            assert action not in refusals(source, reviewer, **args)
        else:
            with pytest.raises(Forbidden) as refused:
                transition(source, action, reviewer, comment="Bitte prüfen.", **args)
            assert action not in allowed
            assert refusals(source, reviewer, **args)[action] == str(refused.value.message)
            if role == "lead" and own_team:  # refused only by four-eyes: says so
                assert "Vier-Augen-Prinzip" in refused.value.message
                assert "andere Teamleitung" in refused.value.message


def test_the_original_author_may_release_a_text_others_rewrote():
    """The check is against who changed it since the last release, not who wrote it first."""
    anna = Reviewer("anna", "lead", "Team Nord")
    ben = Reviewer("ben", "lead", "Team Nord")
    args = dict(note_team="Team Nord", author="anna")
    assert transition("eingereicht", "freigeben", anna, editors=("ben",), **args)
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        transition("eingereicht", "freigeben", ben, editors=("ben",), **args)
    # without editors, the author alone counts (callers that know only the author)
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        transition("eingereicht", "freigeben", anna, note_team="Team Nord", author="anna")


def _props(**extra) -> dict:
    return {
        "category": "briefkasten",
        "text": "Kein Briefkasten am Hinterhaus.",
        "mailbox_status": "fehlt",
        "observed_on": "2026-11-02",
        "expires_on": "2027-11-02",
        "address_id": "a1",
        "address_label": "Lindenstraße 3",
        "author": "anna",
        "review_state": "eingereicht",
        **extra,
    }


def _version(coordinates=(6.95, 51.43), **props) -> dict:
    return {"geometry": {"type": "Point", "coordinates": list(coordinates)}, "properties": props}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Briefkasten ist wieder da."),
        ("category", "beobachtung"),
        ("mailbox_status", "defekt"),
        ("observed_on", "2026-11-01"),
        ("expires_on", "2027-06-01"),
        ("address_id", "a2"),
        ("address_label", "Lindenstraße 5"),
        ("osm_ref", "n123"),
        ("resource_label", "Bäckerei Korn"),
    ],
)
def test_every_content_field_is_a_content_edit(field, value):
    assert field in CONTENT_FIELDS
    before = _version(**_props())
    assert content_changed(before, _version(**_props(**{field: value})))


def test_moving_the_point_is_a_content_edit_review_changes_are_not():
    before = _version(**_props())
    assert content_changed(before, _version((6.951, 51.43), **_props()))
    assert not content_changed(before, _version((6.95000001, 51.43), **_props()))  # < 7 digits
    review_only = _props(
        review_state="freigegeben",
        review_log=[{"action": "freigeben", "by": "ben"}],
        recheck={"requested_on": "2026-11-03"},
        version=7,
        updated_at="2026-11-03T10:00:00+00:00",
        edited_by=[],
        team="Team Süd",
        district="r2",
    )
    assert not content_changed(before, _version(**review_only))
    # missing and empty are the same statement
    assert not content_changed(_version(**_props(osm_ref=None)), _version(**_props(osm_ref="")))


def test_content_editors_and_how_an_edit_changes_them():
    assert content_editors(_props()) == ["anna"]  # written before edited_by existed
    assert content_editors(_props(author=None)) == []
    assert content_editors(_props(edited_by=[])) == []  # released: nobody since
    assert content_editors(_props(edited_by=["anna", "ben"])) == ["anna", "ben"]
    assert editors_after_edit(_props(), "ben") == ["anna", "ben"]
    assert editors_after_edit(_props(edited_by=["anna", "ben"]), "anna") == ["anna", "ben"]
    # an edit of a released note starts a new round: the editor alone
    released = _props(review_state="freigegeben", edited_by=[])
    assert editors_after_edit(released, "carla") == ["carla"]
    assert editors_after_edit(_props(review_state="freigegeben"), "carla") == ["carla"]


def test_four_eyes_refusal_names_the_rule():
    assert four_eyes_refusal("Als geprüft markieren", "anna", ["ben"]) is None
    reason = four_eyes_refusal("Als geprüft markieren", "anna", ["anna", "ben"])
    assert reason.startswith("Vier-Augen-Prinzip") and "andere Person" in reason
