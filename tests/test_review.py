"""Team review services on stored notes (demo area): the permission matrix through the
service, four-eyes, audit and review log, visibility for viewers, editing reviewed notes,
re-checks as walk stops, and the review queue with its filters."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from shapely.geometry import shape
from support.review import RULES, TODAY, edit_data, request_recheck, review_note, update_note

from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model.notes import add_months, load_note_categories
from sozialraum.model.privacy import PrivacyViolation, load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.services import notes as fieldnotes
from sozialraum.services import review, walks
from sozialraum.services.notes import Actor, NoteRules

NORD, MUEHLE = "Team Nord", "Team Mühle"

CASEWORKER = Actor("fk-nord", Role.CASEWORKER, NORD)
LEAD = Actor("tl-nord", Role.LEAD, NORD)
LEAD_2 = Actor("tl-nord-2", Role.LEAD, NORD)
LEAD_MUEHLE = Actor("tl-muehle", Role.LEAD, MUEHLE)
VIEWER = Actor("lesend", Role.VIEWER, None)


def _districts(store, area) -> dict[str, dict]:
    """District name → feature."""
    return {d["properties"]["name"]: d for d in store.query(area, "districts")}


def _point(store, area, name: str, shift: int = 0) -> tuple[float, float]:
    """A point inside the district ``name`` (lon/lat), moved a little by ``shift``."""
    polygon = shape(_districts(store, area)[name]["geometry"])
    base = polygon.representative_point()
    lon, lat = base.x + 0.0002 * (shift % 5), base.y + 0.0001 * (shift // 5)
    assert polygon.contains(shape({"type": "Point", "coordinates": [lon, lat]}))
    return lon, lat


def _note(
    store,
    area,
    *,
    author=CASEWORKER,
    district="Nord-West",
    state="eingereicht",
    rules=RULES,
    today=TODAY,
    shift=0,
    **data,
) -> dict:
    """Create a note as ``author`` in ``district`` (``author`` needs write rights there)."""
    lon, lat = _point(store, area, district, shift)
    # the author is just a name: write as a caseworker of the district's team with that name
    district_id = _districts(store, area)[district]["id"]
    writer = Actor(author.name, Role.CASEWORKER, store.read_meta(area)["teams"][district_id])
    fields = {
        "lon": lon,
        "lat": lat,
        "category": "beobachtung",
        "text": "Bank am Spielplatz ist abgebaut.",
        "review_state": "entwurf",
        **data,
    }
    note = fieldnotes.create_note(store, area, fields, actor=writer, rules=rules, today=today)
    return _to_state(store, area, note, state, today=today)


def _to_state(store, area, note, state, *, today=TODAY) -> dict:
    """Move a note through the workflow to ``state`` (as the demo leads of its team)."""
    team = note["properties"]["team"]
    author = note["properties"]["author"]
    writer = Actor("fk-hilfe", Role.CASEWORKER, team)
    reviewer = Actor("tl-hilfe" if author != "tl-hilfe" else "tl-hilfe-2", Role.LEAD, team)
    steps = {
        "entwurf": [],
        "eingereicht": [("einreichen", writer)],
        "freigegeben": [("einreichen", writer), ("freigeben", reviewer)],
        "rueckfrage": [("einreichen", writer), ("rueckfrage", reviewer)],
        "archiviert": [("einreichen", writer), ("archivieren", reviewer)],
    }[state]
    if note["properties"]["review_state"] == "eingereicht" and steps:
        steps = steps[1:]
    for action, actor in steps:
        note = review_note(
            store,
            area,
            note,
            action,
            actor=actor,
            today=today,
            comment="Bitte Ort genauer angeben.",
        )
    assert note["properties"]["review_state"] == state
    return note


def _days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _audit_bytes(store, area) -> bytes:
    return (store.area_dir(area) / "audit.jsonl").read_bytes()


# --- the permission matrix ----------------------------------------------------------------

ACTIONS = ("einreichen", "zurueckziehen", "freigeben", "rueckfrage", "archivieren", "nachpruefen")
#: The state each action is tried from, and where a permitted action leads.
SOURCE = {
    "einreichen": "entwurf",
    "zurueckziehen": "eingereicht",
    "freigeben": "eingereicht",
    "rueckfrage": "eingereicht",
    "archivieren": "eingereicht",
    "nachpruefen": "eingereicht",
}
TARGET = {
    "einreichen": "eingereicht",
    "zurueckziehen": "entwurf",
    "freigeben": "freigegeben",
    "rueckfrage": "rueckfrage",
    "archivieren": "archiviert",
    "nachpruefen": "eingereicht",
}
_ALL = set(ACTIONS)
_WRITER = {"einreichen", "zurueckziehen"}
#: Written out by hand: (role, own team?, own note?) → the actions that are allowed.
EXPECTED: dict[tuple[str, bool, bool], set[str]] = {
    ("viewer", True, True): set(),
    ("viewer", True, False): set(),
    ("viewer", False, True): set(),
    ("viewer", False, False): set(),
    ("caseworker", True, True): {"einreichen", "zurueckziehen"},
    ("caseworker", True, False): {"einreichen", "zurueckziehen"},
    ("caseworker", False, True): set(),
    ("caseworker", False, False): set(),
    ("lead", True, True): {"einreichen", "zurueckziehen", "archivieren", "nachpruefen"},
    ("lead", True, False): _ALL,
    ("lead", False, True): set(),
    ("lead", False, False): set(),
    ("admin", True, True): set(),
    ("admin", True, False): set(),
    ("admin", False, True): set(),
    ("admin", False, False): set(),
}


@pytest.mark.parametrize(
    ("role", "own_team", "own_note", "action"),
    list(
        itertools.product(
            ("viewer", "caseworker", "lead", "admin"), (True, False), (True, False), ACTIONS
        )
    ),
)
def test_permission_matrix_on_stored_notes(demo_store, demo_area, role, own_team, own_note, action):
    actor = Actor(f"{role}-x", Role(role), NORD if own_team else MUEHLE)
    if role == "admin" and not own_team:
        actor = Actor("admin-x", Role.ADMIN, None)
    author = actor if own_note else Actor("jemand-anders", Role.CASEWORKER, NORD)
    note = _note(demo_store, demo_area, author=author, district="Nord-Ost", state=SOURCE[action])
    assert note["properties"]["team"] == NORD
    assert (note["properties"]["author"] == actor.name) is own_note
    version = note["properties"]["version"]
    kwargs = dict(actor=actor, comment="Bitte mit dem Hausmeister klären.")
    audit_before = _audit_bytes(demo_store, demo_area)
    walks_before = demo_store.query(demo_area, "walks")

    def act():
        if action == "nachpruefen":
            return request_recheck(demo_store, demo_area, note, **kwargs)[0]
        return review_note(demo_store, demo_area, note, action, **kwargs)

    if action in EXPECTED[(role, own_team, own_note)]:
        changed = act()
        assert changed["properties"]["review_state"] == TARGET[action]
        assert changed["properties"]["version"] == version + 1
        assert changed["properties"]["review_log"][-1]["by"] == actor.name
    else:
        # a note the actor may not read (another team's; an unreleased one for a viewer)
        # answers like an unknown id: no state, no version, no refusal reason
        readable = role == "admin" or (own_team and role != "viewer")
        with pytest.raises(Forbidden if readable else NotFound) as refused:
            act()
        if not readable:
            assert refused.value.message == f"no note {note['id']!r}"
        stored = demo_store.get(demo_area, "notes", note["id"])
        assert stored["properties"]["version"] == version
        assert stored["properties"].get("review_log") == note["properties"].get("review_log")
        assert _audit_bytes(demo_store, demo_area) == audit_before
        assert demo_store.query(demo_area, "walks") == walks_before


def test_matrix_table_is_complete():
    assert set(EXPECTED) == set(
        itertools.product(("viewer", "caseworker", "lead", "admin"), (True, False), (True, False))
    )
    assert all(allowed <= _ALL for allowed in EXPECTED.values())


# --- four-eyes, audit, comments, versions ------------------------------------------------


def test_four_eyes_a_lead_cannot_release_their_own_note(demo_store, demo_area):
    note = _note(demo_store, demo_area, author=LEAD, state="eingereicht")
    with pytest.raises(Forbidden, match="Vier-Augen"):
        review_note(demo_store, demo_area, note, "freigeben", actor=LEAD)
    with pytest.raises(Forbidden, match="Vier-Augen"):
        review_note(demo_store, demo_area, note, "rueckfrage", comment="Wo genau?", actor=LEAD)
    released = review_note(demo_store, demo_area, note, "freigeben", actor=LEAD_2)
    assert released["properties"]["review_state"] == "freigegeben"
    assert released["properties"]["author"] == LEAD.name
    # a lead of another team cannot either: for them the note does not exist
    other = _note(demo_store, demo_area, author=CASEWORKER, state="eingereicht", shift=1)
    with pytest.raises(NotFound):
        review_note(demo_store, demo_area, other, "freigeben", actor=LEAD_MUEHLE)


#: "edited by" as a dimension: who changed the content after the author wrote it (through
#: ``update_note``, each a content edit), by name.
EDITS = {
    "none": (),
    "lead": (LEAD,),
    "lead 2": (LEAD_2,),
    "caseworker": (CASEWORKER,),
    "lead and caseworker": (LEAD, CASEWORKER),
}
AUTHORS = {"caseworker": CASEWORKER, "lead": LEAD}
DECIDERS = {"lead": LEAD, "lead 2": LEAD_2, "lead Mühle": LEAD_MUEHLE, "caseworker": CASEWORKER}


def _edited(store, area, note, editors) -> dict:
    """``note`` with its text changed by each of ``editors`` in turn (content edits)."""
    for number, editor in enumerate(editors, start=1):
        data = edit_data(note, text=f"Bank am Spielplatz ist abgebaut ({number}).")
        note = update_note(store, area, note, {**data, "review_state": "eingereicht"}, actor=editor)
    return note


@pytest.mark.parametrize(
    ("author", "edits", "decider", "action"),
    list(itertools.product(AUTHORS, EDITS, DECIDERS, ("freigeben", "rueckfrage", "archivieren"))),
)
def test_permission_matrix_with_edited_by(demo_store, demo_area, author, edits, decider, action):
    """author × who changed the content since × actor role/team × action, on stored notes:
    nobody who wrote or changed the submitted text releases or queries it."""
    note = _note(demo_store, demo_area, author=AUTHORS[author], district="Nord-Ost")
    note = _edited(demo_store, demo_area, note, EDITS[edits])
    changed_by = {AUTHORS[author].name, *(e.name for e in EDITS[edits])}
    assert set(note["properties"].get("edited_by") or [AUTHORS[author].name]) == changed_by
    assert note["properties"]["author"] == AUTHORS[author].name  # the author stays
    actor = DECIDERS[decider]
    allowed = actor.role == Role.LEAD and actor.team == NORD
    if action != "archivieren":
        allowed = allowed and actor.name not in changed_by
    audit_before = _audit_bytes(demo_store, demo_area)
    queue = {i["feature"]["id"]: i for i in _queue(demo_store, demo_area, actor=actor)}

    def act():
        return review_note(
            demo_store, demo_area, note, action, actor=actor, comment="Bitte genauer."
        )

    if allowed:
        assert act()["properties"]["review_state"] == TARGET[action]
        assert action in queue[note["id"]]["actions"]
    elif actor.team != NORD:  # another team's note: answered like an unknown id
        with pytest.raises(NotFound, match="no note"):
            act()
        assert _audit_bytes(demo_store, demo_area) == audit_before
        assert note["id"] not in queue
    else:
        with pytest.raises(Forbidden) as refused:
            act()
        assert _audit_bytes(demo_store, demo_area) == audit_before
        if note["id"] in queue:  # the queue offers no button for it, and says why
            assert action not in queue[note["id"]]["actions"]
        if actor.team == NORD and actor.role == Role.LEAD:  # refused by four-eyes only
            assert "Vier-Augen-Prinzip" in refused.value.message
            assert "geändert" in refused.value.message
            assert queue[note["id"]]["blocked"].keys() == {"freigeben", "rueckfrage"}
        elif note["id"] in queue:
            assert queue[note["id"]]["blocked"] == {}


def test_a_lead_who_rewrote_a_note_cannot_release_it(demo_store, demo_area):
    """The case from real use: a lead rewrites a caseworker's submitted note (the author
    field still names the caseworker) and then tries to release it."""
    note = _note(demo_store, demo_area, author=CASEWORKER, state="eingereicht")
    rewritten = update_note(
        demo_store,
        demo_area,
        note,
        edit_data(note, text="Bank am Spielplatz steht noch.", review_state="eingereicht"),
        actor=LEAD,
    )
    props = rewritten["properties"]
    assert props["author"] == CASEWORKER.name
    assert props["edited_by"] == [CASEWORKER.name, LEAD.name]
    entry = demo_store.changes(demo_area, "notes")[-1]
    assert entry["actor"] == LEAD.name and entry["content_edit"] is True
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        review_note(demo_store, demo_area, rewritten, "freigeben", actor=LEAD)
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        review_note(demo_store, demo_area, rewritten, "rueckfrage", comment="?", actor=LEAD)
    released = review_note(demo_store, demo_area, rewritten, "freigeben", actor=LEAD_2)
    assert released["properties"]["review_state"] == "freigegeben"
    assert released["properties"]["edited_by"] == []  # a new round starts
    # the history says who changed the content and who only reviewed
    history = fieldnotes.note_history(demo_store, demo_area, note["id"], today=TODAY)
    assert [(h["actor"], h["content_edit"]) for h in history] == [
        (CASEWORKER.name, True),  # written
        ("fk-hilfe", False),  # submitted
        (LEAD.name, True),  # rewritten
        (LEAD_2.name, False),  # released
    ]


def test_an_edit_after_release_goes_back_to_review_with_the_editor_alone(demo_store, demo_area):
    note = _note(demo_store, demo_area, author=LEAD, state="freigegeben")
    assert note["properties"]["edited_by"] == []
    # after the release, the author may release a text somebody else changed
    data = edit_data(note, text="Bank steht wieder.", review_state="eingereicht")
    edited = update_note(demo_store, demo_area, note, data, actor=LEAD_2)
    assert edited["properties"]["review_state"] == "eingereicht"
    assert edited["properties"]["edited_by"] == [LEAD_2.name]
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        review_note(demo_store, demo_area, edited, "freigeben", actor=LEAD_2)
    again = review_note(demo_store, demo_area, edited, "freigeben", actor=LEAD)
    assert again["properties"]["review_state"] == "freigegeben"


def test_saving_unchanged_content_is_no_edit(demo_store, demo_area):
    """A pure state change through the edit form does not make the lead an editor."""
    note = _note(demo_store, demo_area, author=CASEWORKER, state="entwurf")
    same = update_note(
        demo_store, demo_area, note, edit_data(note, review_state="eingereicht"), actor=LEAD
    )
    assert same["properties"]["review_state"] == "eingereicht"
    assert same["properties"]["edited_by"] == [CASEWORKER.name]
    assert "content_edit" not in demo_store.changes(demo_area, "notes")[-1]
    assert review_note(demo_store, demo_area, same, "freigeben", actor=LEAD)


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Anderer Text."},
        {"category": "problem"},
        {"observed_on": _days_ago(3)},
        {"expires_on": add_months(TODAY, 6).isoformat()},
        {"shift": 1},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_kind_of_content_change_makes_the_lead_an_editor(demo_store, demo_area, change):
    note = _note(demo_store, demo_area, author=CASEWORKER, state="eingereicht")
    data = edit_data(note, review_state="eingereicht")
    if "shift" in change:
        data["lon"], data["lat"] = _point(demo_store, demo_area, "Nord-West", 1)
    else:
        data.update(change)
    edited = update_note(demo_store, demo_area, note, data, actor=LEAD)
    assert edited["properties"]["edited_by"] == [CASEWORKER.name, LEAD.name]
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        review_note(demo_store, demo_area, edited, "freigeben", actor=LEAD)


def test_mailbox_status_and_address_are_content(demo_store, demo_area):
    address = demo_store.query(demo_area, "addresses", district="r1")[0]
    other = demo_store.query(demo_area, "addresses", district="r1")[1]
    writer = Actor(CASEWORKER.name, Role.CASEWORKER, NORD)
    data = {"category": "briefkasten", "mailbox_status": "fehlt", "text": "Kein Kasten.",
            "address_id": address["id"], "review_state": "eingereicht"}  # fmt: skip
    note = fieldnotes.create_note(
        demo_store, demo_area, data, actor=writer, rules=RULES, today=TODAY
    )
    lon, lat = note["geometry"]["coordinates"]
    base = {**data, "lon": lon, "lat": lat, "observed_on": note["properties"]["observed_on"],
            "expires_on": note["properties"]["expires_on"]}  # fmt: skip
    status = update_note(demo_store, demo_area, note, {**base, "mailbox_status": "vorhanden"},
                         actor=LEAD)  # fmt: skip
    assert status["properties"]["edited_by"] == [CASEWORKER.name, LEAD.name]
    olon, olat = other["geometry"]["coordinates"]
    moved = update_note(
        demo_store, demo_area, status,
        {**base, "mailbox_status": "vorhanden", "address_id": other["id"], "lon": olon,
         "lat": olat},
        actor=LEAD_2,
    )  # fmt: skip
    assert moved["properties"]["edited_by"] == [CASEWORKER.name, LEAD.name, LEAD_2.name]


def test_notes_written_before_edited_by_count_their_author(demo_store, demo_area):
    note = _note(demo_store, demo_area, author=LEAD, state="eingereicht")
    props = {k: v for k, v in note["properties"].items() if k not in ("version", "updated_at")}
    props.pop("edited_by", None)
    old = demo_store.update(
        demo_area, "notes", note["id"], {**note, "properties": props},
        expected_version=note["properties"]["version"], actor="migration-test",
    )  # fmt: skip
    assert "edited_by" not in old["properties"]
    with pytest.raises(Forbidden, match="Vier-Augen-Prinzip"):
        review_note(demo_store, demo_area, old, "freigeben", actor=LEAD)
    edited = update_note(
        demo_store, demo_area, old, edit_data(old, text="Neu.", review_state="eingereicht"),
        actor=LEAD_2,
    )  # fmt: skip
    assert edited["properties"]["edited_by"] == [LEAD.name, LEAD_2.name]


def test_audit_has_the_transition_and_never_the_comment(demo_store, demo_area):
    note = _note(demo_store, demo_area, state="eingereicht")
    comment = "Eingang Rückseite nochmal ansehen Zebrastreifen-7731"
    changed = review_note(demo_store, demo_area, note, "rueckfrage", comment=comment, actor=LEAD)
    entry = demo_store.changes(demo_area, "notes")[-1]
    assert entry["id"] == note["id"] and entry["action"] == "update"
    assert entry["review"] == {"action": "rueckfrage", "from": "eingereicht", "to": "rueckfrage"}
    assert entry["actor"] == LEAD.name
    assert "Zebrastreifen-7731" not in _audit_bytes(demo_store, demo_area).decode("utf-8")
    last = changed["properties"]["review_log"][-1]
    assert last["comment"] == comment
    assert (last["by"], last["action"], last["from"], last["to"]) == (
        LEAD.name,
        "rueckfrage",
        "eingereicht",
        "rueckfrage",
    )
    assert changed["properties"]["review_state"] == "rueckfrage"
    # the author submits again, answering the query
    again = review_note(
        demo_store, demo_area, changed, "einreichen", comment="Rückseite ergänzt.", actor=CASEWORKER
    )
    assert [e["action"] for e in again["properties"]["review_log"]] == [
        "einreichen",
        "rueckfrage",
        "einreichen",
    ]


@pytest.mark.parametrize(
    ("action", "comment", "error"),
    [
        ("rueckfrage", None, InvalidInput),
        ("rueckfrage", "   ", InvalidInput),
        ("rueckfrage", "Bitte Az. 4711/2025 prüfen", PrivacyViolation),
        ("freigeben", "Passt, geb. 12.3.1985 steht aber drin", PrivacyViolation),
        ("freigeben", "x" * 501, InvalidInput),
        ("nachpruefen", "Wohnt dort Herr Meier?", PrivacyViolation),
        ("veroeffentlichen", None, InvalidInput),
    ],
)
def test_bad_comments_and_actions_write_nothing(demo_store, demo_area, action, comment, error):
    note = _note(demo_store, demo_area, state="eingereicht")
    before = _audit_bytes(demo_store, demo_area)
    walks_before = demo_store.query(demo_area, "walks")
    kwargs = dict(actor=LEAD, comment=comment)
    with pytest.raises(error):
        if action == "nachpruefen":
            request_recheck(demo_store, demo_area, note, **kwargs)
        else:
            review_note(demo_store, demo_area, note, action, **kwargs)
    assert demo_store.get(demo_area, "notes", note["id"]) == note
    assert _audit_bytes(demo_store, demo_area) == before
    assert demo_store.query(demo_area, "walks") == walks_before


def test_stale_version_is_a_conflict(demo_store, demo_area):
    note = _note(demo_store, demo_area, state="entwurf")
    review_note(demo_store, demo_area, note, "einreichen", expected_version=1, actor=CASEWORKER)
    before = _audit_bytes(demo_store, demo_area)
    with pytest.raises(VersionConflict):
        review_note(
            demo_store, demo_area, note, "zurueckziehen", expected_version=1, actor=CASEWORKER
        )
    with pytest.raises(VersionConflict):
        request_recheck(demo_store, demo_area, note, expected_version=1, actor=LEAD)
    assert _audit_bytes(demo_store, demo_area) == before
    assert demo_store.get(demo_area, "notes", note["id"])["properties"]["version"] == 2


def test_actions_from_the_wrong_state_are_refused(demo_store, demo_area):
    draft = _note(demo_store, demo_area, state="entwurf")
    with pytest.raises(InvalidInput, match="nicht möglich"):
        review_note(demo_store, demo_area, draft, "freigeben", expected_version=1, actor=LEAD)
    with pytest.raises(InvalidInput, match="nicht möglich"):
        request_recheck(demo_store, demo_area, draft, expected_version=1, actor=LEAD)
    archived = _note(demo_store, demo_area, state="archiviert", shift=1)
    with pytest.raises(InvalidInput, match="nicht möglich"):
        request_recheck(demo_store, demo_area, archived, actor=LEAD)


# --- visibility -----------------------------------------------------------------------------


def _ids(features) -> set[str]:
    return {f["id"] for f in features}


def test_viewers_see_released_notes_only(demo_store, demo_area):
    draft = _note(demo_store, demo_area, state="entwurf")
    submitted = _note(demo_store, demo_area, state="eingereicht", shift=1)
    released = _note(demo_store, demo_area, state="freigegeben", shift=2)
    queried = _note(demo_store, demo_area, state="rueckfrage", shift=3)
    archived = _note(demo_store, demo_area, state="archiviert", shift=4)
    mine = {draft["id"], submitted["id"], released["id"], queried["id"], archived["id"]}

    seen = _ids(
        fieldnotes.list_notes(demo_store, demo_area, today=TODAY, reader=VIEWER, rules=RULES)
    )
    assert seen & mine == {released["id"]}
    assert all(
        f["properties"]["review_state"] == "freigegeben"
        for f in fieldnotes.list_notes(
            demo_store, demo_area, today=TODAY, reader=VIEWER, rules=RULES
        )
    )
    assert (
        fieldnotes.get_note(
            demo_store, demo_area, released["id"], today=TODAY, reader=VIEWER, rules=RULES
        )["id"]
        == released["id"]
    )
    for note in (draft, submitted, queried, archived):
        with pytest.raises(NotFound):
            fieldnotes.get_note(
                demo_store, demo_area, note["id"], today=TODAY, reader=VIEWER, rules=RULES
            )
    archived_list = fieldnotes.list_notes(
        demo_store, demo_area, today=TODAY, reader=VIEWER, rules=RULES, review_state="archiviert"
    )
    assert archived_list == []

    # caseworkers of the team (and internal reads) see every state but archived ones in
    # lists; another team's lead sees none of them
    for reader in (CASEWORKER, None):
        listed = _ids(
            fieldnotes.list_notes(demo_store, demo_area, today=TODAY, reader=reader, rules=RULES)
        )
        assert listed & mine == mine - {archived["id"]}
        only_archived = fieldnotes.list_notes(
            demo_store,
            demo_area,
            today=TODAY,
            reader=reader,
            rules=RULES,
            review_state="archiviert",
        )
        assert _ids(only_archived) == {archived["id"]}
    other = fieldnotes.list_notes(
        demo_store, demo_area, today=TODAY, reader=LEAD_MUEHLE, rules=RULES
    )
    assert not _ids(other) & mine
    # a caseworker still opens the archived note itself
    assert (
        fieldnotes.get_note(
            demo_store, demo_area, archived["id"], today=TODAY, reader=CASEWORKER, rules=RULES
        )["id"]
        == archived["id"]
    )
    for state in ("entwurf", "eingereicht", "rueckfrage", "freigegeben"):
        by_state = fieldnotes.list_notes(
            demo_store, demo_area, today=TODAY, reader=CASEWORKER, rules=RULES, review_state=state
        )
        assert all(f["properties"]["review_state"] == state for f in by_state)
    with pytest.raises(InvalidInput):
        fieldnotes.list_notes(demo_store, demo_area, today=TODAY, review_state="fertig")


def test_category_without_release_shows_submitted_notes_to_viewers(demo_store, demo_area, tmp_path):
    override = tmp_path / "note_categories.toml"
    override.write_text('[[category]]\nid = "treffpunkt"\nrelease_required = false\n', "utf-8")
    rules = NoteRules(load_note_categories(override), load_privacy_guard())
    assert rules.categories["treffpunkt"].release_required is False
    assert rules.categories["beobachtung"].release_required is True
    open_submitted = _note(
        demo_store, demo_area, state="eingereicht", category="treffpunkt", rules=rules
    )
    open_archived = _note(
        demo_store, demo_area, state="archiviert", category="treffpunkt", rules=rules, shift=1
    )
    closed_submitted = _note(demo_store, demo_area, state="eingereicht", rules=rules, shift=2)

    seen = _ids(
        fieldnotes.list_notes(demo_store, demo_area, today=TODAY, reader=VIEWER, rules=rules)
    )
    assert open_submitted["id"] in seen
    assert open_archived["id"] not in seen and closed_submitted["id"] not in seen
    fieldnotes.get_note(
        demo_store, demo_area, open_submitted["id"], today=TODAY, reader=VIEWER, rules=rules
    )
    for hidden in (open_archived, closed_submitted):
        with pytest.raises(NotFound):
            fieldnotes.get_note(
                demo_store, demo_area, hidden["id"], today=TODAY, reader=VIEWER, rules=rules
            )
    assert (
        fieldnotes.list_notes(
            demo_store,
            demo_area,
            today=TODAY,
            reader=VIEWER,
            rules=rules,
            review_state="archiviert",
        )
        == []
    )
    # with the default categories the same viewer does not see the submitted meeting point
    default_seen = _ids(
        fieldnotes.list_notes(demo_store, demo_area, today=TODAY, reader=VIEWER, rules=RULES)
    )
    assert open_submitted["id"] not in default_seen


# --- editing reviewed notes -----------------------------------------------------------------


@pytest.mark.parametrize("chosen", ["entwurf", "eingereicht"])
def test_editing_a_released_note_returns_it_to_the_chosen_state(demo_store, demo_area, chosen):
    note = _note(demo_store, demo_area, state="freigegeben")
    log = note["properties"]["review_log"]
    assert [e["action"] for e in log] == ["einreichen", "freigeben"]
    edited = update_note(
        demo_store,
        demo_area,
        note,
        edit_data(note, text="Bank am Spielplatz wieder aufgebaut.", review_state=chosen),
        actor=CASEWORKER,
    )
    assert edited["properties"]["review_state"] == chosen
    assert edited["properties"]["review_log"] == log
    assert demo_store.changes(demo_area, "notes")[-1].get("review") is None
    with pytest.raises(NotFound):  # back out of the viewers' sight until released again
        fieldnotes.get_note(
            demo_store, demo_area, note["id"], today=TODAY, reader=VIEWER, rules=RULES
        )


def test_archived_notes_cannot_be_edited(demo_store, demo_area):
    note = _note(demo_store, demo_area, state="archiviert")
    before = _audit_bytes(demo_store, demo_area)
    for actor in (CASEWORKER, LEAD):
        with pytest.raises(InvalidInput, match="Archiviert"):
            update_note(demo_store, demo_area, note, edit_data(note, text="Neu"), actor=actor)
    assert _audit_bytes(demo_store, demo_area) == before


# --- re-checks ------------------------------------------------------------------------------


def _walks_of(store, area, district_id):
    return walks.list_walks(store, area, district=district_id)


def _stop_refs(walk) -> list:
    return [s.get("ref") for s in walk["properties"]["stops"]]


def _add_stops(store, area, walk, picks, actor=CASEWORKER, **kwargs) -> dict:
    """``walks.add_stops`` to ``walk`` (at its version unless given)."""
    kwargs.setdefault("expected_version", walk["properties"]["version"])
    return walks.add_stops(store, area, walk["id"], picks, actor=actor, **kwargs)


def test_recheck_creates_a_walk_when_the_district_has_none(demo_store, demo_area):
    district = _districts(demo_store, demo_area)["Nord-Ost"]["id"]
    assert _walks_of(demo_store, demo_area, district) == []
    note = _note(demo_store, demo_area, district="Nord-Ost", state="freigegeben")
    changed, walk = request_recheck(
        demo_store, demo_area, note, actor=LEAD, comment="Ist die Bank wieder da?"
    )
    props = walk["properties"]
    assert props["title"] == "Nachprüfung Nord-Ost"
    assert props["walk_on"] == (TODAY + timedelta(days=7)).isoformat()
    assert props["district"] == district and props["team"] == NORD
    assert props["status"] == "geplant"
    assert _stop_refs(walk) == [note["id"]]
    assert changed["properties"]["review_state"] == "freigegeben"  # the state stays
    assert changed["properties"]["recheck"] == {
        "requested_on": TODAY.isoformat(),
        "by": LEAD.name,
        "walk_id": walk["id"],
    }
    entry = changed["properties"]["review_log"][-1]
    assert (entry["action"], entry["from"], entry["to"], entry["comment"]) == (
        "nachpruefen",
        "freigegeben",
        "freigegeben",
        "Ist die Bank wieder da?",
    )
    audit_entry = demo_store.changes(demo_area, "notes")[-1]
    assert audit_entry["review"] == {
        "action": "nachpruefen",
        "from": "freigegeben",
        "to": "freigegeben",
    }
    assert "Bank wieder da" not in _audit_bytes(demo_store, demo_area).decode("utf-8")

    # the next re-check in that district goes to the new walk
    second = _note(demo_store, demo_area, district="Nord-Ost", state="eingereicht", shift=1)
    _, same = request_recheck(demo_store, demo_area, second, actor=LEAD_2)
    assert same["id"] == walk["id"]
    assert _stop_refs(same) == [note["id"], second["id"]]
    assert len(_walks_of(demo_store, demo_area, district)) == 1


def test_recheck_adds_a_stop_to_the_next_planned_walk(demo_store, demo_area):
    district = _districts(demo_store, demo_area)["Nord-West"]["id"]
    (demo_walk,) = _walks_of(demo_store, demo_area, district)
    assert demo_walk["properties"]["status"] == "geplant"
    assert demo_walk["properties"]["walk_on"] > TODAY.isoformat()
    earlier_day = (TODAY + timedelta(days=2)).isoformat()
    details = {"title": "Frühe Runde", "walk_on": earlier_day, "district": district}
    picks = [{"kind": "note", "ref": _note(demo_store, demo_area, shift=9)["id"]}]
    earlier = walks.create_walk(
        demo_store, demo_area, details, picks, actor=CASEWORKER, rules=RULES
    )
    past = walks.create_walk(
        demo_store,
        demo_area,
        {**details, "title": "Alte Runde", "walk_on": _days_ago(3)},
        picks,
        actor=CASEWORKER,
        rules=RULES,
    )
    other_district = _districts(demo_store, demo_area)["Nord-Ost"]["id"]
    foreign = walks.create_walk(
        demo_store,
        demo_area,
        {"title": "Ost", "walk_on": earlier_day, "district": other_district},
        [{"kind": "note", "ref": _note(demo_store, demo_area, district="Nord-Ost")["id"]}],
        actor=CASEWORKER,
        rules=RULES,
    )

    note = _note(demo_store, demo_area, state="eingereicht", shift=1)
    changed, walk = request_recheck(demo_store, demo_area, note, actor=LEAD)
    assert walk["id"] == earlier["id"]  # the next one, not the demo walk later on
    assert _stop_refs(walk)[-1] == note["id"]
    assert walk["properties"]["version"] == earlier["properties"]["version"] + 1
    assert changed["properties"]["recheck"]["walk_id"] == earlier["id"]

    # asked again: the stop is not added twice (the walk stays as it is)
    again, same = request_recheck(demo_store, demo_area, changed, actor=LEAD)
    assert same["id"] == earlier["id"]
    assert _stop_refs(same).count(note["id"]) == 1
    stored = walks.get_walk(demo_store, demo_area, earlier["id"])
    assert stored["properties"]["version"] == walk["properties"]["version"]
    assert [e["action"] for e in again["properties"]["review_log"]][-2:] == [
        "nachpruefen",
        "nachpruefen",
    ]

    # a chosen walk
    chosen = _note(demo_store, demo_area, state="eingereicht", shift=2)
    _, walk = request_recheck(demo_store, demo_area, chosen, actor=LEAD, walk_id=demo_walk["id"])
    assert walk["id"] == demo_walk["id"]
    assert _stop_refs(walk) == [*_stop_refs(demo_walk), chosen["id"]]

    # refused: a walk of another district, a past walk, a walk that took place
    refused = _note(demo_store, demo_area, state="eingereicht", shift=3)
    done = walks.get_walk(demo_store, demo_area, earlier["id"])
    demo_store.update(
        demo_area,
        "walks",
        done["id"],
        {**done, "properties": {**done["properties"], "status": "durchgeführt"}},
        expected_version=done["properties"]["version"],
        actor="test",
    )
    before = _audit_bytes(demo_store, demo_area)
    for walk_id, match in (
        (foreign["id"], "anderen Bezirk"),
        (past["id"], "kein geplanter"),
        (done["id"], "kein geplanter"),
    ):
        with pytest.raises(InvalidInput, match=match):
            request_recheck(demo_store, demo_area, refused, actor=LEAD, walk_id=walk_id)
    assert _audit_bytes(demo_store, demo_area) == before
    with pytest.raises(NotFound):
        request_recheck(demo_store, demo_area, refused, actor=LEAD, walk_id="gibt-es-nicht")
    # without a chosen walk, the durchgeführt and the past walk are skipped: the demo walk
    _, walk = request_recheck(demo_store, demo_area, refused, actor=LEAD)
    assert walk["id"] == demo_walk["id"]


def test_saving_with_a_newer_observation_clears_the_recheck(demo_store, demo_area):
    note = _note(
        demo_store,
        demo_area,
        state="freigegeben",
        observed_on=_days_ago(40),
    )
    changed, _walk = request_recheck(demo_store, demo_area, note, actor=LEAD)
    # an edit that keeps the old observation keeps the re-check (and the log)
    edited = update_note(
        demo_store,
        demo_area,
        changed,
        edit_data(changed, text="Bank fehlt noch immer."),
        actor=CASEWORKER,
    )
    assert edited["properties"]["recheck"] == changed["properties"]["recheck"]
    assert edited["properties"]["review_log"] == changed["properties"]["review_log"]
    # seen again the next day
    tomorrow = TODAY + timedelta(days=1)
    seen = update_note(
        demo_store,
        demo_area,
        edited,
        edit_data(edited, observed_on=tomorrow.isoformat(), review_state="eingereicht"),
        actor=CASEWORKER,
        today=tomorrow,
    )
    assert "recheck" not in seen["properties"]
    assert seen["properties"]["review_log"] == changed["properties"]["review_log"]


def test_add_stops_keeps_the_order_and_skips_stops_already_there(demo_store, demo_area):
    district = _districts(demo_store, demo_area)["Nord-West"]["id"]
    (walk,) = _walks_of(demo_store, demo_area, district)
    refs = _stop_refs(walk)
    first = walk["properties"]["stops"][0]
    note = _note(demo_store, demo_area)
    lon, lat = _point(demo_store, demo_area, "Nord-West", 3)
    picks = [
        {"kind": first["kind"], "ref": first["ref"]},
        {"kind": "note", "ref": note["id"]},
        {"kind": "point", "lon": lon, "lat": lat, "label": "Bank"},
        {"kind": "note", "ref": note["id"]},  # twice in one call: once
    ]
    changed = _add_stops(demo_store, demo_area, walk, picks)
    assert _stop_refs(changed) == [*refs, note["id"], None]
    assert len(changed["properties"]["leg_m"]) == len(refs) + 1
    # a second point elsewhere is a new stop, the same note is not
    lon2, lat2 = _point(demo_store, demo_area, "Nord-West", 4)
    again = _add_stops(
        demo_store,
        demo_area,
        changed,
        [{"kind": "note", "ref": note["id"]}, {"kind": "point", "lon": lon2, "lat": lat2}],
    )
    assert _stop_refs(again) == [*refs, note["id"], None, None]
    unchanged = _add_stops(demo_store, demo_area, again, [{"kind": "note", "ref": note["id"]}])
    assert unchanged["properties"]["version"] == again["properties"]["version"]
    with pytest.raises(NotFound):  # another team's walk: like an unknown id
        _add_stops(
            demo_store, demo_area, again, [{"kind": "note", "ref": note["id"]}], actor=LEAD_MUEHLE
        )
    with pytest.raises(VersionConflict):
        _add_stops(
            demo_store,
            demo_area,
            walk,
            [{"kind": "point", "lon": lon, "lat": lat + 0.0003}],
            expected_version=1,
        )


# --- the queue ------------------------------------------------------------------------------


def _queue(store, area, actor=LEAD, today=TODAY, **filters):
    return review.review_queue(
        store, area, review.QueueFilter(**filters), actor=actor, rules=RULES, today=today
    )


def _queue_ids(items) -> list[str]:
    return [item["feature"]["id"] for item in items]


def test_queue_default_is_submitted_notes_oldest_first(demo_store, demo_area):
    items = _queue(demo_store, demo_area)
    assert items
    assert {i["feature"]["properties"]["review_state"] for i in items} == {"eingereicht"}
    observed = [i["feature"]["properties"]["observed_on"] for i in items]
    assert observed == sorted(observed)
    submitted = {
        n["id"]
        for n in demo_store.query(demo_area, "notes")
        if n["properties"]["review_state"] == "eingereicht" and n["properties"]["team"] == NORD
    }
    assert set(_queue_ids(items)) == submitted  # the lead's own team only
    first = items[0]
    assert first["feature"]["properties"]["category_label"]
    assert first["feature"]["properties"]["district_name"]
    assert first["age_days"] == (TODAY - date.fromisoformat(observed[0])).days


def test_queue_filters(demo_store, demo_area):
    districts = _districts(demo_store, demo_area)
    nord_west, nord_ost, muehle = (
        districts[n]["id"] for n in ("Nord-West", "Nord-Ost", "Mühlenviertel")
    )
    muehle_cw = Actor("fk-muehle", Role.CASEWORKER, MUEHLE)
    old = _note(demo_store, demo_area, observed_on=_days_ago(400))
    mailbox_address = demo_store.query(demo_area, "addresses", district=nord_ost)[0]
    old_mailbox = _note(
        demo_store,
        demo_area,
        author=Actor("fk-2", Role.CASEWORKER, NORD),
        district="Nord-Ost",
        category="briefkasten",
        mailbox_status="fehlt",
        address_id=mailbox_address["id"],
        lon=None,
        lat=None,
        observed_on=_days_ago(200),
    )
    fresh_muehle = _note(
        demo_store,
        demo_area,
        author=muehle_cw,
        district="Mühlenviertel",
        category="problem",
        observed_on=_days_ago(5),
    )
    released = _note(
        demo_store,
        demo_area,
        state="freigegeben",
        shift=1,
        observed_on=_days_ago(380),
    )
    draft = _note(demo_store, demo_area, state="entwurf", shift=2)
    archived = _note(
        demo_store,
        demo_area,
        state="archiviert",
        shift=3,
        observed_on=_days_ago(500),
    )
    assert old_mailbox["properties"]["district"] == nord_ost
    mine = {n["id"] for n in (old, old_mailbox, fresh_muehle, released, draft, archived)}

    admin = Actor("admin-x", Role.ADMIN, None)  # sees every team's notes

    def ids(**filters) -> set[str]:
        """The queue's notes among those made here (the demo has notes of its own)."""
        return set(_queue_ids(_queue(demo_store, demo_area, actor=admin, **filters))) & mine

    # a lead sees the own team's queue only
    lead_ids = set(_queue_ids(_queue(demo_store, demo_area, state=None))) & mine
    assert fresh_muehle["id"] not in lead_ids and old["id"] in lead_ids

    assert ids(district=nord_west) >= {old["id"]}
    assert not ids(district=nord_west) & {old_mailbox["id"], fresh_muehle["id"]}
    assert ids(district=muehle) >= {fresh_muehle["id"]}
    assert ids(author="fk-2") == {old_mailbox["id"]}
    assert ids(author="fk-muehle") == {fresh_muehle["id"]}
    assert ids(category="briefkasten") >= {old_mailbox["id"]}
    assert all(
        i["feature"]["properties"]["category"] == "problem"
        for i in _queue(demo_store, demo_area, category="problem")
    )
    assert fresh_muehle["id"] in ids(category="problem")
    assert ids(team=MUEHLE) >= {fresh_muehle["id"]}
    assert all(
        i["feature"]["properties"]["team"] == NORD for i in _queue(demo_store, demo_area, team=NORD)
    )
    # age: strictly older than the chosen number of days (demo notes are 10 to 170 days old)
    assert set(review.AGE_FILTERS) == {30, 90, 180, 365}
    assert ids(min_age_days=365) == {old["id"]}
    assert ids(min_age_days=180) == {old["id"], old_mailbox["id"]}
    assert all(i["age_days"] > 90 for i in _queue(demo_store, demo_area, min_age_days=90))
    assert fresh_muehle["id"] not in ids(min_age_days=30)
    # state
    assert ids(state="freigegeben") == {released["id"]}
    assert ids(state="entwurf") >= {draft["id"]}
    assert ids(state="archiviert") == {archived["id"]}
    every = ids(state=None)
    assert {old["id"], released["id"], draft["id"], fresh_muehle["id"]} <= every
    assert archived["id"] not in every
    # stale: past the category's re-check months (beobachtung 12, briefkasten 6)
    assert ids(state=None, stale=True) == {old["id"], old_mailbox["id"], released["id"]}
    assert ids(stale=True) == {old["id"], old_mailbox["id"]}
    by_id = {i["feature"]["id"]: i for i in _queue(demo_store, demo_area, state=None)}
    mailbox_observed = date.fromisoformat(old_mailbox["properties"]["observed_on"])
    assert by_id[old_mailbox["id"]]["recheck_due"] == add_months(mailbox_observed, 6).isoformat()
    assert (
        by_id[old["id"]]["recheck_due"] == add_months(TODAY - timedelta(days=400), 12).isoformat()
    )
    assert by_id[old["id"]]["stale"] and not by_id[draft["id"]]["stale"]
    assert ids(state="archiviert", stale=True) == set()  # archived notes are never stale
    # combined
    assert ids(state=None, stale=True, district=nord_west, category="beobachtung") == {
        old["id"],
        released["id"],
    }


def test_queue_from_args_reads_and_checks_filters():
    chosen = review.QueueFilter.from_args(
        {
            "state": "",
            "district": "r1",
            "author": " fk ",
            "category": "problem",
            "age": "90",
            "stale": "1",
        },
        RULES.categories,
    )
    assert chosen == review.QueueFilter(
        state=None, district="r1", author="fk", category="problem", min_age_days=90, stale=True
    )
    assert review.QueueFilter.from_args({}, RULES.categories) == review.QueueFilter()
    for bad in ({"state": "fertig"}, {"category": "nix"}, {"age": "zehn"}, {"age": "45"}):
        with pytest.raises(InvalidInput):
            review.QueueFilter.from_args(bad, RULES.categories)


def test_queue_actions_match_the_actor(demo_store, demo_area):
    by_cw = _note(demo_store, demo_area, author=CASEWORKER, state="eingereicht")
    by_lead = _note(demo_store, demo_area, author=LEAD, state="eingereicht", shift=1)
    released = _note(demo_store, demo_area, author=CASEWORKER, state="freigegeben", shift=2)
    queried = _note(demo_store, demo_area, author=CASEWORKER, state="rueckfrage", shift=3)
    draft = _note(demo_store, demo_area, author=CASEWORKER, state="entwurf", shift=4)
    notes = (by_cw, by_lead, released, queried, draft)
    all_lead = ["zurueckziehen", "freigeben", "rueckfrage", "archivieren", "nachpruefen"]
    expected = {
        LEAD: [
            all_lead,
            ["zurueckziehen", "archivieren", "nachpruefen"],
            ["archivieren", "nachpruefen"],
            ["einreichen", "archivieren", "nachpruefen"],
            ["einreichen"],
        ],
        LEAD_2: [
            all_lead,
            all_lead,
            ["archivieren", "nachpruefen"],
            ["einreichen", "archivieren", "nachpruefen"],
            ["einreichen"],
        ],
        CASEWORKER: [["zurueckziehen"], ["zurueckziehen"], [], ["einreichen"], ["einreichen"]],
        Actor("admin", Role.ADMIN, None): [[], [], [], [], []],
    }
    for actor, wanted in expected.items():
        items = {
            i["feature"]["id"]: i for i in _queue(demo_store, demo_area, actor=actor, state=None)
        }
        got = [sorted(items[n["id"]]["actions"]) for n in notes]
        assert got == [sorted(w) for w in wanted], actor
    # another team's lead does not even see Team Nord's notes in the queue
    other = _queue(demo_store, demo_area, actor=LEAD_MUEHLE, state=None)
    assert not {i["feature"]["id"] for i in other} & {n["id"] for n in notes}
    # submitted_at comes from the review log
    items = {i["feature"]["id"]: i for i in _queue(demo_store, demo_area, state=None)}
    assert items[by_cw["id"]]["submitted_at"] == by_cw["properties"]["review_log"][0]["at"]
    assert items[draft["id"]]["submitted_at"] is None
    # viewers only get released notes in their queue, and no actions
    viewer_items = _queue(demo_store, demo_area, actor=VIEWER, state=None)
    assert {i["feature"]["id"] for i in viewer_items} & {n["id"] for n in notes} == {released["id"]}
    assert {i["feature"]["properties"]["review_state"] for i in viewer_items} == {"freigegeben"}
    assert all(i["actions"] == [] for i in viewer_items)


# --- open queries (Rückfragen) --------------------------------------------------------------


def test_open_queries_for_the_team_with_the_question(demo_store, demo_area):
    store, area = demo_store, demo_area
    mine = _note(store, area, text="Briefkasten hängt schief.", state="rueckfrage", shift=1)
    colleague = _note(
        store, area, author=Actor("fk-nord-2", Role.CASEWORKER, NORD), state="rueckfrage", shift=2
    )
    _note(store, area, state="eingereicht", shift=3)  # no query
    other_team = _note(store, area, district="Mühlenviertel", state="rueckfrage")

    found = review.open_queries(store, area, actor=CASEWORKER, rules=RULES, today=TODAY)
    ids = [item["feature"]["id"] for item in found]
    assert ids[0] == mine["id"] and colleague["id"] in ids  # own ones first
    assert other_team["id"] not in ids
    assert all(item["feature"]["properties"]["review_state"] == "rueckfrage" for item in found)
    first = found[0]
    assert first["own"] is True and first["question"] == "Bitte Ort genauer angeben."
    assert first["asked_by"] == "tl-hilfe" and first["asked_at"]
    assert first["feature"]["properties"]["category_label"] == "Beobachtung"
    assert next(i for i in found if i["feature"]["id"] == colleague["id"])["own"] is False
    # a district filter, the other team's lead, a viewer and an admin
    nord_ost = _districts(store, area)["Nord-Ost"]["id"]
    assert not [
        i
        for i in review.open_queries(
            store, area, actor=CASEWORKER, rules=RULES, today=TODAY, district=nord_ost
        )
        if i["feature"]["id"] in (mine["id"], colleague["id"])
    ]
    muehle = review.open_queries(store, area, actor=LEAD_MUEHLE, rules=RULES, today=TODAY)
    assert [i["feature"]["id"] for i in muehle if i["feature"]["id"] == other_team["id"]]
    assert mine["id"] not in {i["feature"]["id"] for i in muehle}
    assert review.open_queries(store, area, actor=VIEWER, rules=RULES, today=TODAY) == []
    admin = Actor("admin", Role.ADMIN, None)
    assert review.open_queries(store, area, actor=admin, rules=RULES, today=TODAY) == []

    # answered (resubmitted with the answer): no longer open; the question stays in the log
    answered = review_note(
        store, area, mine, "einreichen", actor=CASEWORKER, today=TODAY, comment="Nr. 12, links."
    )
    assert review.last_query(answered["properties"]) is None
    left = review.open_queries(store, area, actor=CASEWORKER, rules=RULES, today=TODAY)
    assert mine["id"] not in {i["feature"]["id"] for i in left}
    log = answered["properties"]["review_log"]
    assert log[-1]["comment"] == "Nr. 12, links." and log[-1]["from"] == "rueckfrage"
