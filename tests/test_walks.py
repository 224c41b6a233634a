"""Walk services on the demo area: plan, proposed order, reorder with versions, route, the
sheet's stop details, findings that become notes (all or nothing)."""

from __future__ import annotations

from datetime import date

import pytest

from sozialraum import walks
from sozialraum.errors import Forbidden, InvalidInput, VersionConflict
from sozialraum.fieldnotes import Actor, NoteRules
from sozialraum.model.categories import load_categories
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import PrivacyViolation, load_privacy_guard
from sozialraum.model.roles import Role

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
