"""Team meetings on the demo area: who starts and closes them, their input checks, what
changed since the last meeting (a scripted history), the meeting's decisions and protocol,
and the store's null-geometry meetings layer."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import shape
from support.review import RULES, TODAY, edit_data, request_recheck, review_note, update_note

from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model.roles import Role
from sozialraum.services import meetings
from sozialraum.services import notes as fieldnotes
from sozialraum.services.notes import Actor

LATER = TODAY + timedelta(days=5)
NORD, MUEHLE = "Team Nord", "Team Mühle"
ROLES = {"Teamleitung": 1, "Fachkraft": 3}

CASEWORKER = Actor("fk-nord", Role.CASEWORKER, NORD)
LEAD = Actor("tl-nord", Role.LEAD, NORD)
LEAD_2 = Actor("tl-nord-2", Role.LEAD, NORD)
CW_MUEHLE = Actor("fk-muehle", Role.CASEWORKER, MUEHLE)
LEAD_MUEHLE = Actor("tl-muehle", Role.LEAD, MUEHLE)


def _point(store, area, name: str, shift: int = 0) -> tuple[float, float]:
    district = next(d for d in store.query(area, "districts") if d["properties"]["name"] == name)
    polygon = shape(district["geometry"])
    base = polygon.representative_point()
    lon, lat = base.x + 0.0002 * shift, base.y
    assert polygon.contains(shape({"type": "Point", "coordinates": [lon, lat]}))
    return lon, lat


def _note(store, area, text: str, *, actor=CASEWORKER, district="Nord-West", shift=0, **data):
    lon, lat = _point(store, area, district, shift)
    fields = {
        "lon": lon,
        "lat": lat,
        "category": "beobachtung",
        "text": text,
        "review_state": "eingereicht",
        **data,
    }
    return fieldnotes.create_note(store, area, fields, actor=actor, rules=RULES, today=TODAY)


def _current(store, area, note) -> dict:
    return store.get(area, "notes", note["id"])


def _review(store, area, note, action, actor=LEAD, comment=None):
    current = _current(store, area, note)
    return review_note(store, area, current, action, actor=actor, comment=comment)


def _recheck(store, area, note, actor=LEAD):
    return request_recheck(store, area, _current(store, area, note), actor=actor)[0]


def _edit(store, area, note, actor=CASEWORKER, **changes):
    current = _current(store, area, note)
    state = current["properties"]["review_state"]
    if state not in ("entwurf", "eingereicht"):
        state = "eingereicht"
    data = edit_data(current, **{"review_state": state, **changes})
    return update_note(store, area, current, data, actor=actor)


def _start(store, area, actor=LEAD, held_on=None, roles=ROLES):
    return meetings.start_meeting(store, area, held_on, roles, actor=actor, today=TODAY)


def _close(store, area, meeting, actor=LEAD):
    current = meetings.get_meeting(store, area, meeting["id"])
    return meetings.close_meeting(
        store, area, meeting["id"], actor=actor, expected_version=current["properties"]["version"]
    )


def _pause():
    time.sleep(0.01)  # meeting and audit times have millisecond precision


# --- starting and closing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "actor",
    [
        CASEWORKER,
        Actor("lesend", Role.VIEWER, NORD),
        Actor("admin", Role.ADMIN, None),
        Actor("admin-nord", Role.ADMIN, NORD),
        Actor("tl-ohne-team", Role.LEAD, None),
    ],
)
def test_only_a_lead_with_a_team_starts_a_meeting(demo_store, demo_area, actor):
    with pytest.raises(Forbidden):
        _start(demo_store, demo_area, actor=actor)
    assert demo_store.query(demo_area, "meetings") == []


def test_start_and_close_a_meeting(demo_store, demo_area):
    meeting = _start(demo_store, demo_area, roles={"Teamleitung": "1", "Fachkraft": 3, "Gast": ""})
    props = meeting["properties"]
    assert meeting["geometry"] is None
    assert props["team"] == NORD and props["held_on"] == TODAY.isoformat()
    assert props["started_by"] == LEAD.name and props["closed_at"] is None
    assert props["roles_present"] == [
        {"role": "Teamleitung", "count": 1},
        {"role": "Fachkraft", "count": 3},
    ]
    assert meetings.open_meeting(demo_store, demo_area, NORD)["id"] == meeting["id"]
    assert meetings.open_meeting(demo_store, demo_area, MUEHLE) is None

    # one open meeting per team; the other team may start its own
    with pytest.raises(InvalidInput, match="schon eine Besprechung"):
        _start(demo_store, demo_area, actor=LEAD_2)
    muehle = _start(demo_store, demo_area, actor=LEAD_MUEHLE)
    assert muehle["properties"]["team"] == MUEHLE

    # only a lead of the meeting's team closes it; for another team it does not exist
    for actor in (CASEWORKER, Actor("admin", Role.ADMIN, None)):
        with pytest.raises(Forbidden):
            _close(demo_store, demo_area, meeting, actor=actor)
    with pytest.raises(NotFound, match="no meeting"):
        _close(demo_store, demo_area, meeting, actor=LEAD_MUEHLE)
    closed = _close(demo_store, demo_area, meeting, actor=LEAD_2)
    assert closed["properties"]["closed_by"] == LEAD_2.name
    assert closed["properties"]["closed_at"] >= props["started_at"]
    assert closed["properties"]["version"] == 2
    with pytest.raises(InvalidInput, match="schon abgeschlossen"):
        _close(demo_store, demo_area, closed)
    assert meetings.open_meeting(demo_store, demo_area, NORD) is None
    assert meetings.last_closed_meeting(demo_store, demo_area, NORD)["id"] == meeting["id"]
    assert meetings.last_closed_meeting(demo_store, demo_area, MUEHLE) is None

    # after closing, the next one can start; newest first in the list
    _pause()
    second = _start(demo_store, demo_area, held_on=(TODAY - timedelta(days=1)).isoformat())
    assert [m["id"] for m in meetings.list_meetings(demo_store, demo_area, team=NORD)] == [
        second["id"],
        meeting["id"],
    ]
    with pytest.raises(NotFound):
        meetings.get_meeting(demo_store, demo_area, "gibt-es-nicht")


@pytest.mark.parametrize(
    ("held_on", "roles", "match"),
    [
        (None, {"Teamleitung": 1, "Zauberer": 2}, "Unbekannte Rolle"),
        (None, {"Fachkraft": -1}, "0 bis"),
        (None, {"Fachkraft": 51}, "0 bis"),
        (None, {"Fachkraft": "drei"}, "Anzahl"),
        (None, {}, "welche Rollen"),
        (None, {"Fachkraft": 0, "Gast": ""}, "welche Rollen"),
        ((TODAY + timedelta(days=1)).isoformat(), ROLES, "Datum"),
        ((TODAY - timedelta(days=31)).isoformat(), ROLES, "Datum"),
        ("31.12.2025", ROLES, "Datum"),
    ],
)
def test_bad_meetings_are_refused(demo_store, demo_area, held_on, roles, match):
    with pytest.raises(InvalidInput, match=match):
        _start(demo_store, demo_area, held_on=held_on, roles=roles)
    assert demo_store.query(demo_area, "meetings") == []


def test_a_meeting_up_to_30_days_back(demo_store, demo_area):
    day = (TODAY - timedelta(days=30)).isoformat()
    assert _start(demo_store, demo_area, held_on=f" {day} ")["properties"]["held_on"] == day


# --- what changed since the last meeting ----------------------------------------------------


@pytest.fixture
def history(demo_store, demo_area):
    """A scripted history of Team Nord's notes around two meetings (see the test)."""
    store, area = demo_store, demo_area
    n = {}
    # before meeting 1
    n["old_edited"] = _note(store, area, "Spielplatz ohne Schatten.")
    n["to_release"] = _note(store, area, "Neue Bank an der Haltestelle.", shift=1)
    n["to_archive"] = _note(store, area, "Baustelle am Weg.", shift=2)
    n["recheck_later"] = _note(store, area, "Ampel zu kurz grün.", shift=3)
    n["muehle"] = _note(
        store, area, "Treffpunkt am Kiosk.", actor=CW_MUEHLE, district="Mühlenviertel"
    )
    n["expiring"] = _note(
        store,
        area,
        "Aushang Sommerfest Zebra-9913.",
        district="Nord-Ost",
        expires_on=(TODAY + timedelta(days=2)).isoformat(),
    )
    n["released_before"] = _note(store, area, "Sitzgruppe im Park.", shift=4)
    n["q_plain"] = _note(store, area, "Briefkastenanlage ohne Namen.", shift=9)
    # decided during meeting 1
    n["m_release"] = _note(
        store, area, "Bücherschrank vor der Kirche.", district="Nord-Ost", shift=1
    )
    n["m_query"] = _note(store, area, "Gehweg schlecht beleuchtet.", district="Nord-Ost", shift=2)
    n["m_recheck"] = _note(store, area, "Stufen am Eingang.", shift=5)
    n["m_archive"] = _note(store, area, "Plakatwand entfernt.", shift=6)
    n["m_muehle"] = _note(
        store, area, "Bank am Mühlenteich.", actor=CW_MUEHLE, district="Mühlenviertel", shift=1
    )
    _edit(store, area, n["old_edited"], text="Spielplatz ohne Schatten, Sonnensegel fehlt.")
    _edit(store, area, n["to_release"], text="Neue Bank an der Haltestelle Kirchweg.")
    _review(store, area, n["released_before"], "freigeben")
    _review(store, area, n["q_plain"], "rueckfrage", comment="Welches Haus?")
    # an expired note, gone before the meeting (written directly: the service refuses it)
    gone = _note(store, area, "Alter Aushang.", shift=7)
    feature = store.get(area, "notes", gone["id"])
    feature["properties"]["expires_on"] = (TODAY - timedelta(days=3)).isoformat()
    n["expired_before"] = store.update(
        area, "notes", gone["id"], feature, expected_version=1, actor="test"
    )
    _pause()

    meeting_1 = _start(store, area, roles={"Teamleitung": 2, "Fachkraft": 4})
    _pause()
    _review(store, area, n["m_release"], "freigeben")
    _review(store, area, n["m_query"], "rueckfrage", comment="Welche Straßenseite?")
    _recheck(store, area, n["m_recheck"])
    _review(store, area, n["m_archive"], "archivieren", actor=LEAD_2)
    _review(store, area, n["expiring"], "freigeben")
    _review(store, area, n["m_muehle"], "freigeben", actor=LEAD_MUEHLE)  # other team
    _edit(store, area, n["recheck_later"], text="Ampel Kirchweg zu kurz grün.")  # no decision
    _pause()
    meeting_1 = _close(store, area, meeting_1)
    _pause()

    # after meeting 1
    n["new"] = _note(store, area, "Neuer Jugendtreff im Gemeindehaus.", shift=8)
    _edit(store, area, n["old_edited"], text="Sonnensegel ist bestellt.")
    _review(store, area, n["to_release"], "freigeben")
    _review(store, area, n["to_archive"], "archivieren")
    _edit(store, area, n["muehle"], actor=CW_MUEHLE, text="Treffpunkt am Kiosk, abends.")
    _review(store, area, n["muehle"], "freigeben", actor=LEAD_MUEHLE)
    n["new_edited"] = _note(store, area, "Hofcafé geöffnet.", district="Nord-Ost", shift=3)
    _edit(store, area, n["new_edited"], text="Hofcafé geöffnet, dienstags.")
    _recheck(store, area, n["recheck_later"])  # a re-check is no change of the note
    _review(
        store, area, n["m_query"], "einreichen", actor=CASEWORKER, comment="Die Nordseite, Nr. 5."
    )  # the answer
    _review(store, area, n["q_plain"], "einreichen", actor=CASEWORKER)  # resubmitted only
    _pause()
    return {key: note["id"] for key, note in n.items()}, meeting_1


def _kinds(changes) -> dict[str, set[str]]:
    return {kind: {item["id"] for item in items} for kind, items in changes.items.items()}


def test_changes_since_the_last_meeting(demo_store, demo_area, history):
    ids, meeting_1 = history
    meeting, changes = meetings.since_last_meeting(
        demo_store, demo_area, NORD, today=LATER, rules=RULES
    )
    assert meeting["id"] == meeting_1["id"]
    assert changes.since == meeting_1["properties"]["closed_at"]
    assert _kinds(changes) == {
        "neu": {ids["new"], ids["new_edited"]},
        "geaendert": {ids["old_edited"]},
        "beantwortet": {ids["m_query"]},
        "wieder_eingereicht": {ids["q_plain"]},
        "freigegeben": {ids["to_release"]},
        "archiviert": {ids["to_archive"]},
        "abgelaufen": {ids["expiring"]},
    }
    assert changes.counts() == {
        "neu": 2,
        "geaendert": 1,
        "beantwortet": 1,
        "wieder_eingereicht": 1,
        "freigegeben": 1,
        "archiviert": 1,
        "abgelaufen": 1,
    }
    (answered,) = changes.items["beantwortet"]
    assert answered["question"] == "Welche Straßenseite?"
    assert answered["answer"] == "Die Nordseite, Nr. 5."
    assert "answer" not in changes.items["wieder_eingereicht"][0]
    (expired,) = changes.items["abgelaufen"]
    assert expired == {
        "id": ids["expiring"],
        "category_label": "Beobachtung",
        "district_name": "Nord-Ost",
        "expires_on": (TODAY + timedelta(days=2)).isoformat(),
    }
    assert "Zebra-9913" not in repr(changes.items)
    listed = changes.items["neu"][0]["properties"]
    assert listed["category_label"] == "Beobachtung" and listed["district_name"]

    # on the same day, nothing has expired yet
    _, today_changes = meetings.since_last_meeting(
        demo_store, demo_area, NORD, today=TODAY, rules=RULES
    )
    assert today_changes.items["abgelaufen"] == []

    # the other team sees only its own notes: one edit (its release was during meeting 1
    # of Team Nord, but Team Mühle never met)
    _, muehle = meetings.since_last_meeting(demo_store, demo_area, MUEHLE, today=LATER, rules=RULES)
    assert muehle.since is None
    assert ids["muehle"] in {i["id"] for i in muehle.items["neu"]}
    assert ids["muehle"] in {i["id"] for i in muehle.items["freigegeben"]}
    assert ids["m_muehle"] in {i["id"] for i in muehle.items["freigegeben"]}
    everything_nord = set().union(*_kinds(changes).values())
    assert not everything_nord & {ids["muehle"], ids["m_muehle"]}


def test_changes_until_the_meeting_started(demo_store, demo_area, history):
    ids, meeting_1 = history
    before = meetings.changes_since(
        demo_store,
        demo_area,
        NORD,
        None,
        today=TODAY,
        rules=RULES,
        until=meeting_1["properties"]["started_at"],
    )
    kinds = _kinds(before)
    assert ids["new"] not in kinds["neu"] and ids["new_edited"] not in kinds["neu"]
    assert {ids["old_edited"], ids["to_release"], ids["m_release"]} <= kinds["neu"]
    assert kinds["geaendert"] == set()  # edited, but new in the window
    assert kinds["freigegeben"] == {ids["released_before"]}
    assert kinds["archiviert"] == set()
    assert ids["expired_before"] not in kinds["neu"]  # expired: not listed with content


def test_decisions_of_a_meeting_and_its_protocol(demo_store, demo_area, history):
    ids, meeting_1 = history
    found = meetings.decisions(demo_store, demo_area, meeting_1, today=TODAY, rules=RULES)
    assert [(d["action"], d["note_id"]) for d in found] == [
        ("freigeben", ids["m_release"]),
        ("rueckfrage", ids["m_query"]),
        ("nachpruefen", ids["m_recheck"]),
        ("archivieren", ids["m_archive"]),
        ("freigeben", ids["expiring"]),
    ]
    assert [d["by"] for d in found] == [LEAD.name, LEAD.name, LEAD.name, LEAD_2.name, LEAD.name]
    assert [d["action_label"] for d in found][:4] == [
        "freigegeben",
        "zurückgefragt",
        "Nachprüfung angefordert",
        "archiviert",
    ]
    query = found[1]
    assert query["comment"] == "Welche Straßenseite?"
    # the answer came after the meeting and is in its protocol
    assert query["answer"] == "Die Nordseite, Nr. 5." and query["answered_by"] == CASEWORKER.name
    closed = datetime.fromisoformat(meeting_1["properties"]["closed_at"])
    # review_log times have whole seconds, the meeting's milliseconds
    assert datetime.fromisoformat(query["answered_at"]) >= closed.replace(microsecond=0)
    assert found[0]["comment"] == "" and found[0]["answer"] == ""
    props = meeting_1["properties"]
    assert all(props["started_at"] < d["at"] <= props["closed_at"] for d in found)
    assert all(d["note"]["properties"]["text"] for d in found)

    rows = meetings.protocol_rows(meeting_1, found)
    assert len(rows) == len(found)
    assert all(len(row) == len(meetings.PROTOCOL_HEADER) for row in rows)
    first = dict(zip(meetings.PROTOCOL_HEADER, rows[0], strict=True))
    assert first["Besprechung am"] == TODAY.strftime("%d.%m.%Y") and first["Team"] == NORD
    assert first["Entscheidung"] == "freigegeben" and first["Durch"] == LEAD.name
    # local time (Europe/Berlin), not UTC
    at = datetime.fromisoformat(found[0]["at"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert first["Zeit"] == at.strftime("%d.%m.%Y, %H:%M")
    assert first["Beginn"] == meetings.local_time(props["started_at"])
    second_row = dict(zip(meetings.PROTOCOL_HEADER, rows[1], strict=True))
    assert second_row["Entscheidung"] == "zurückgefragt"
    assert second_row["Kommentar"] == "Welche Straßenseite?"
    assert second_row["Antwort"] == "Die Nordseite, Nr. 5." and second_row["Antwort am"]
    assert first["Notiz-Id"] == ids["m_release"] and first["Kategorie"] == "Beobachtung"
    assert first["Bezirk"] == "Nord-Ost" and first["Text"] == "Bücherschrank vor der Kirche."

    # days later the released note has expired: still a decision, without its content
    later = meetings.decisions(demo_store, demo_area, meeting_1, today=LATER, rules=RULES)
    assert [d["note_id"] for d in later] == [d["note_id"] for d in found]
    assert later[-1]["note"] is None
    later_rows = meetings.protocol_rows(meeting_1, later)
    last = dict(zip(meetings.PROTOCOL_HEADER, later_rows[-1], strict=True))
    assert last["Notiz-Id"] == ids["expiring"] and last["Text"] == "(nicht sichtbar)"
    assert [last["Kategorie"], last["Ort"], last["Bezirk"]] == ["", "", ""]
    assert "Zebra-9913" not in repr(later_rows)

    # a running meeting's decisions run up to now; a new meeting has none yet
    second = _start(demo_store, demo_area)
    assert meetings.decisions(demo_store, demo_area, second, today=TODAY, rules=RULES) == []
    _pause()
    _review(demo_store, demo_area, {"id": ids["new"]}, "freigeben")
    running = meetings.decisions(demo_store, demo_area, second, today=TODAY, rules=RULES)
    assert [(d["action"], d["note_id"]) for d in running] == [("freigeben", ids["new"])]
    # and meeting 1 is not affected
    assert len(meetings.decisions(demo_store, demo_area, meeting_1, today=TODAY, rules=RULES)) == 5


def test_team_counts(demo_store, demo_area, history):
    counts = meetings.team_counts(demo_store, demo_area, NORD, today=TODAY, rules=RULES)
    expected = {"eingereicht": 0, "rueckfrage": 0, "freigegeben": 0, "entwurf": 0}
    for note in demo_store.query(demo_area, "notes"):
        props = note["properties"]
        state = props["review_state"]
        if props["team"] == NORD and props["expires_on"] >= TODAY.isoformat() and state in expected:
            expected[state] += 1
    assert counts == {**expected, "veraltet": 0}
    later = meetings.team_counts(demo_store, demo_area, NORD, today=LATER, rules=RULES)
    assert later["freigegeben"] == counts["freigegeben"] - 1  # the expiring one is gone
    far = TODAY + timedelta(days=400)  # past every demo note's re-check day, before expiry
    stale = meetings.team_counts(demo_store, demo_area, NORD, today=far, rules=RULES)
    assert stale["veraltet"] > 0


# --- the store's meetings layer ---------------------------------------------------------


def _meeting_feature(**changes) -> dict:
    props = {"team": NORD, "held_on": TODAY.isoformat(), "started_at": "2026-01-01T10:00:00+00:00"}
    return {"type": "Feature", "geometry": None, "properties": props, **changes}


def test_meetings_layer_takes_null_geometries_only(demo_store, demo_area):
    point = {"type": "Point", "coordinates": [6.95, 51.43]}
    with pytest.raises(InvalidInput, match="null geometry"):
        demo_store.add(demo_area, "meetings", _meeting_feature(geometry=point), actor="test")
    added = demo_store.add(demo_area, "meetings", _meeting_feature(), actor="test")
    assert added["geometry"] is None and added["properties"]["version"] == 1
    with pytest.raises(InvalidInput, match="null geometry"):
        demo_store.update(
            demo_area,
            "meetings",
            added["id"],
            _meeting_feature(geometry=point),
            expected_version=1,
            actor="test",
        )
    with pytest.raises(InvalidInput, match="missing required"):
        demo_store.add(
            demo_area,
            "meetings",
            {"type": "Feature", "geometry": None, "properties": {"team": NORD}},
            actor="test",
        )
    with pytest.raises(InvalidInput):  # other layers still need a geometry
        demo_store.add(
            demo_area,
            "notes",
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "category": "beobachtung",
                    "text": "x",
                    "observed_on": TODAY.isoformat(),
                },
            },
            actor="test",
        )
    bbox = (-180.0, -90.0, 180.0, 90.0)
    assert demo_store.query(demo_area, "meetings", bbox=bbox) == []
    assert [m["id"] for m in demo_store.query(demo_area, "meetings")] == [added["id"]]
    assert demo_store.query(demo_area, "notes", bbox=bbox)  # points are still found
    history = demo_store.history(demo_area, "meetings", added["id"])
    assert history[0]["feature"]["geometry"] is None


def test_update_audit_fields_and_changes_since(demo_store, demo_area):
    note = _note(demo_store, demo_area, "Bank am Teich.")
    mark = demo_store.changes(demo_area, "notes")[-1]["ts"]
    _pause()
    feature = demo_store.get(demo_area, "notes", note["id"])
    demo_store.update(
        demo_area,
        "notes",
        note["id"],
        feature,
        expected_version=1,
        actor="tl",
        audit_fields={"review": {"action": "x"}, "actor": "jemand", "seq": 0},
    )
    entries = demo_store.changes(demo_area, "notes", since=mark)
    assert len(entries) == 1
    (entry,) = entries
    assert entry["review"] == {"action": "x"}
    assert entry["actor"] == "tl" and entry["seq"] > 1 and entry["new_version"] == 2
    assert demo_store.verify_audit(demo_area).ok
    all_entries = demo_store.changes(demo_area, "notes")
    assert [e["seq"] for e in all_entries] == sorted(e["seq"] for e in all_entries)
    assert all(e["layer"] == "notes" for e in all_entries)


def test_local_time_and_meeting_labels():
    # winter (CET, +1) and summer (CEST, +2)
    assert meetings.local_time("2026-12-02T08:30:00+00:00") == "02.12.2026, 09:30"
    assert meetings.local_time("2026-07-01T22:15:00+00:00") == "02.07.2026, 00:15"
    assert meetings.local_time(None) == ""
    morning = {"properties": {"held_on": "2026-12-02", "started_at": "2026-12-02T08:30:00+00:00"}}
    afternoon = {"properties": {"held_on": "2026-12-02", "started_at": "2026-12-02T13:05:00+00:00"}}
    assert meetings.meeting_label(morning) == "02.12.2026, 09:30 Uhr"
    assert meetings.meeting_label(afternoon) == "02.12.2026, 14:05 Uhr"
    # recorded later for an earlier day: the day, and when it was recorded
    late = {"properties": {"held_on": "2026-11-30", "started_at": "2026-12-02T08:30:00+00:00"}}
    assert meetings.meeting_label(late) == "30.11.2026 (erfasst 02.12.2026, 09:30 Uhr)"
