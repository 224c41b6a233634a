"""Walk services on the demo area: plan, proposed order, reorder with versions, route, the
sheet's stop details, findings that become notes (all or nothing)."""

from __future__ import annotations

from datetime import date

import pytest

from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model.categories import load_categories
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import PrivacyViolation, load_privacy_guard
from sozialraum.model.roles import Role
from sozialraum.services import walks
from sozialraum.services.notes import Actor, NoteRules

AREA = "musterstadt-nord"
TODAY = date.today()
CASEWORKER = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
RULES = NoteRules(load_note_categories(), load_privacy_guard())
LABELS = {c.id: c.label for c in load_categories()}


def _picks(demo_store, district="r1"):
    resources = demo_store.query(AREA, "resources", district=district)[:4]
    addresses = demo_store.query(AREA, "addresses", district=district)[::40][:3]
    picks = [{"kind": "resource", "ref": r["id"]} for r in resources]
    picks += [{"kind": "address", "ref": a["id"]} for a in addresses]
    lon, lat = addresses[0]["geometry"]["coordinates"]
    picks.append({"kind": "point", "lon": lon + 0.0003, "lat": lat, "label": "Bank am Weg"})
    return picks


def _details(district="r1", **changes):
    data = {"title": "Erkundung Nord-West", "walk_on": TODAY.isoformat(), "district": district,
            "purpose": "Orte für Aushänge finden", "participants": "2 Fachkräfte"}  # fmt: skip
    data.update(changes)
    return data


def test_plan_proposes_a_short_order_along_the_streets(demo_store):
    picks = _picks(demo_store)
    walk = walks.create_walk(demo_store, AREA, _details(), picks, actor=CASEWORKER, rules=RULES)
    props = walk["properties"]
    assert props["team"] == "Team Nord" and props["route_kind"] == "strassen"
    assert len(props["stops"]) == len(picks) and props["stops"][0]["ref"] == picks[0]["ref"]
    assert props["route_m"] == sum(props["leg_m"]) > 0
    entered = walks.plan_order(
        demo_store, AREA, walks.resolve_stops(demo_store, AREA, picks), propose=False
    )
    assert props["route_m"] <= entered["route_m"]
    route = walks.walk_route(demo_store, AREA, walk)
    assert len(route["legs_lonlat"]) == len(picks) - 1
    assert all(len(leg) >= 2 for leg in route["legs_lonlat"])


def test_reorder_keeps_versions_and_refuses_bad_orders(demo_store):
    walk = walks.create_walk(
        demo_store, AREA, _details(), _picks(demo_store), actor=CASEWORKER, rules=RULES
    )
    count = len(walk["properties"]["stops"])
    reversed_order = list(range(count))[::-1]
    changed = walks.reorder_walk(
        demo_store, AREA, walk["id"], reversed_order, expected_version=1, actor=CASEWORKER
    )
    assert changed["properties"]["stops"] == walk["properties"]["stops"][::-1]
    assert changed["properties"]["version"] == 2
    with pytest.raises(VersionConflict):
        walks.reorder_walk(demo_store, AREA, walk["id"], None, expected_version=1, actor=CASEWORKER)
    with pytest.raises(InvalidInput, match="genau einmal"):
        walks.reorder_walk(
            demo_store, AREA, walk["id"], [0] * count, expected_version=2, actor=CASEWORKER
        )


@pytest.mark.parametrize(
    ("details", "picks", "error", "match"),
    [
        (_details(title=""), None, InvalidInput, "Titel"),
        (_details(walk_on="morgen"), None, InvalidInput, "Datum"),
        (_details(district="r9"), None, InvalidInput, "Bezirk"),
        (_details(purpose="Besuch bei Herrn Meier"), None, PrivacyViolation, "Person"),
        (_details(), [], InvalidInput, "mindestens eine Station"),
        (_details(), [{"kind": "resource", "ref": "nix"}], InvalidInput, "gibt es"),
        (_details(district="r3"), None, Forbidden, "team"),
    ],
)
def test_bad_walks_are_refused(demo_store, details, picks, error, match):
    before = len(demo_store.query(AREA, "walks"))
    with pytest.raises(error, match=match):
        walks.create_walk(
            demo_store,
            AREA,
            details,
            _picks(demo_store) if picks is None else picks,
            actor=CASEWORKER,
            rules=RULES,
        )
    assert len(demo_store.query(AREA, "walks")) == before


def test_stop_details_have_checklists_and_what_is_known(demo_store):
    walk = walks.create_walk(
        demo_store, AREA, _details(), _picks(demo_store), actor=CASEWORKER, rules=RULES
    )
    details = walks.stop_details(demo_store, AREA, walk, today=TODAY, labels=LABELS)
    kinds = {d["stop"]["kind"]: d for d in details}
    assert "Briefkasten vorhanden?" in kinds["address"]["checklist"]
    assert details[0]["leg_m"] is None and all(d["leg_m"] for d in details[1:])
    assert [d["number"] for d in details] == list(range(1, len(details) + 1))


def test_findings_become_notes_all_or_nothing(demo_store):
    walk = walks.create_walk(
        demo_store, AREA, _details(), _picks(demo_store), actor=CASEWORKER, rules=RULES
    )
    stops = walk["properties"]["stops"]
    findings = [{} for _ in stops]
    address_at = next(i for i, s in enumerate(stops) if s["kind"] == "address")
    resource_at = next(i for i, s in enumerate(stops) if s["kind"] == "resource")
    findings[address_at] = {"mailbox_status": "fehlt", "text": "Kein Briefkasten am Haus."}
    findings[resource_at] = {"category": "rolle", "text": "Inhaberin hängt Aushänge auf."}
    bad = [dict(f) for f in findings]
    bad[resource_at] = {"text": "Frau Yilmaz wohnt oben"}
    before = len(demo_store.query(AREA, "notes"))
    with pytest.raises(PrivacyViolation, match=f"Station {resource_at + 1}"):
        walks.record_findings(
            demo_store, AREA, walk["id"], bad, actor=CASEWORKER, rules=RULES, today=TODAY
        )
    assert len(demo_store.query(AREA, "notes")) == before
    created = walks.record_findings(
        demo_store, AREA, walk["id"], findings, actor=CASEWORKER, rules=RULES, today=TODAY
    )
    assert len(created) == 2
    mailbox = next(n for n in created if n["properties"]["category"] == "briefkasten")
    assert mailbox["properties"]["mailbox_status"] == "fehlt"
    assert mailbox["properties"]["address_id"] == stops[address_at]["ref"]
    role = next(n for n in created if n["properties"]["category"] == "rolle")
    assert role["properties"]["osm_ref"] == stops[resource_at]["ref"]
    done = walks.get_walk(demo_store, AREA, walk["id"])["properties"]
    assert done["status"] == "durchgeführt"
    assert set(done["findings"]) == {n["id"] for n in created}


def test_free_point_labels_lose_control_characters(demo_store):
    picks = _picks(demo_store)
    picks[-1]["label"] = "Bank\x00 am\x1b[31m\tWeg\u200b"
    stops = walks.resolve_stops(demo_store, AREA, picks)
    assert stops[-1]["label"] == "Bank am [31m Weg"


def _team_note(demo_store, *, team="Team Nord", district="r1", state="entwurf") -> dict:
    address = demo_store.query(AREA, "addresses", district=district)[5]
    a = address["properties"]
    feature = {
        "type": "Feature",
        "geometry": address["geometry"],
        "properties": {
            "category": "problem", "text": "Treppe ohne Licht.", "observed_on": "2026-11-01",
            "expires_on": "2099-01-01", "author": "x", "team": team, "district": district,
            "review_state": state, "address_id": address["id"], "address_key": a["key"],
            "address_label": f"{a['street']} {a['housenumber']}",
        },
    }  # fmt: skip
    return demo_store.add(AREA, "notes", feature, actor="x")


def test_a_note_stop_needs_a_note_the_planner_may_read_of_the_walks_team(demo_store):
    """Issue 26: another team's note is refused like an unknown id (the caseworker), and
    for whoever may read it (the admin) because a walk shows its stops to its team."""
    foreign = _team_note(demo_store, team="Team Mühle", district="r3")
    unknown = "0" * 32
    before = len(demo_store.query(AREA, "walks"))
    messages = []
    for ref in (foreign["id"], unknown):
        with pytest.raises(InvalidInput) as refused:
            walks.create_walk(
                demo_store, AREA, _details(), [{"kind": "note", "ref": ref}],
                actor=CASEWORKER, rules=RULES, today=TODAY,
            )  # fmt: skip
        messages.append(refused.value.message.replace(ref, "ID"))
    assert messages[0] == messages[1] and "gibt es in diesem Gebiet nicht" in messages[0]
    admin = Actor("demo-admin", Role.ADMIN, None)
    with pytest.raises(InvalidInput, match="anderen Team"):
        walks.create_walk(
            demo_store, AREA, _details(), [{"kind": "note", "ref": foreign["id"]}],
            actor=admin, rules=RULES, today=TODAY,
        )  # fmt: skip
    assert len(demo_store.query(AREA, "walks")) == before  # nothing stored


def test_a_walk_shows_note_stops_with_the_readers_visibility(demo_store):
    """A viewer of the team sees the walk but not the draft behind a note stop: label,
    category and id are hidden, the place stays (the route goes there)."""
    draft = _team_note(demo_store)
    walk = walks.create_walk(
        demo_store, AREA, _details(), [*_picks(demo_store), {"kind": "note", "ref": draft["id"]}],
        actor=CASEWORKER, rules=RULES, today=TODAY,
    )  # fmt: skip
    (stored,) = [s for s in walk["properties"]["stops"] if s["kind"] == "note"]
    assert stored["categories"] == ["problem"] and stored["label"] != walks.HIDDEN_NOTE_LABEL
    viewer = Actor("demo-lesend", Role.VIEWER, "Team Nord")
    for reader, hidden in ((viewer, True), (CASEWORKER, False)):
        shown = walks.shown_walk(demo_store, AREA, walk, reader=reader, rules=RULES, today=TODAY)
        (stop,) = [s for s in shown["properties"]["stops"] if s["kind"] == "note"]
        assert (stop["label"] == walks.HIDDEN_NOTE_LABEL) is hidden
        assert (stop["categories"], stop["ref"]) == (
            ([], None) if hidden else (["problem"], draft["id"])
        )
        assert (stop["lon"], stop["lat"]) == (stored["lon"], stored["lat"])
        details = walks.stop_details(
            demo_store, AREA, shown, today=TODAY, labels=LABELS, reader=reader, rules=RULES
        )
        (note_stop,) = [d for d in details if d["stop"]["kind"] == "note"]
        assert bool(note_stop["what"]) is not hidden
    # the stored walk keeps everything (only the shown copy hides)
    assert (
        walks.get_walk(demo_store, AREA, walk["id"])["properties"]["stops"]
        == walk["properties"]["stops"]
    )
    # another team's reader does not get the walk at all
    with pytest.raises(NotFound, match="no walk"):
        walks.get_walk(demo_store, AREA, walk["id"], reader=Actor("m", Role.LEAD, "Team Mühle"))
    assert walk["id"] not in {
        w["id"]
        for w in walks.list_walks(demo_store, AREA, reader=Actor("m", Role.LEAD, "Team Mühle"))
    }
