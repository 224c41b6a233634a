"""The walk planner's services on the real Neuss extract: places of one kind and name within
50 m are one ("Am Kaiser"), repeated stops are merged, the start field finds every address as
written, resource and stop names; the walk sheet names every stop with an address."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from support.paths import EXTRACTS

from sozialraum.analysis.nearby import project
from sozialraum.errors import InvalidInput
from sozialraum.model.categories import load_categories
from sozialraum.model.notes import load_note_categories
from sozialraum.model.privacy import load_privacy_guard
from sozialraum.osm.importer import import_area
from sozialraum.services import walks
from sozialraum.services.notes import NoteRules
from sozialraum.services.walks.stops import NOTE_LABEL, UNNAMED_PLACE

AREA = "neuss"
RULES = NoteRules(load_note_categories(), load_privacy_guard())
LABELS = {c.id: c.label for c in load_categories()}
LABELS.update(RULES.categories.labels())


@pytest.fixture(scope="module")
def neuss(tmp_path_factory):
    from sozialraum.store import GeoJSONStore

    store = GeoJSONStore(tmp_path_factory.mktemp("neuss"))
    import_area(store, AREA, osm_file=EXTRACTS["neuss-innenstadt"])
    return store


def _xy(features):
    return project(
        [f["geometry"]["coordinates"][0] for f in features],
        [f["geometry"]["coordinates"][1] for f in features],
    )


def test_am_kaiser_is_one_place_not_six_platforms(neuss):
    resources = neuss.query(AREA, "resources")
    named = [r for r in resources if r["properties"].get("name") == "Am Kaiser"]
    assert len(named) == 6
    groups = [g for g in walks.merge_resources(resources) if g["feature"] in named]
    assert sorted(len(g["ids"]) for g in groups) == [1, 5]
    big = next(g for g in groups if len(g["ids"]) == 5)
    members = [r for r in named if r["id"] in big["ids"]]
    xs, ys = _xy(members)
    far = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    np.fill_diagonal(far, np.inf)
    assert far.min(axis=1).max() <= walks.MERGE_RADIUS_M  # each has a neighbour within 50 m
    alone = next(r for r in named if r["id"] not in big["ids"])
    lone_x, lone_y = _xy([alone])
    assert np.hypot(xs - lone_x[0], ys - lone_y[0]).min() > walks.MERGE_RADIUS_M
    # the planner's list has one entry per place; unnamed playgrounds stay separate places
    places = walks.planner_places(neuss, AREA, "gesamt", labels=LABELS)["resources"]
    assert [p["count"] for p in places if p["label"] == "Am Kaiser"] in ([5, 1], [1, 5])
    playgrounds = [r for r in resources if r["properties"]["categories"] == ["playground"]]
    unnamed = [r for r in playgrounds if not r["properties"].get("name")]
    assert sum(1 for p in places if p["label"] == LABELS["playground"]) >= len(unnamed) > 1


def test_repeated_stops_are_one_stop(neuss):
    resources = neuss.query(AREA, "resources")
    kaiser = [
        r for g in walks.merge_resources(resources) if len(g["ids"]) == 5 for r in resources
        if r["id"] in g["ids"]
    ]  # fmt: skip
    address = neuss.query(AREA, "addresses")[0]
    picks = [
        {"kind": "resource", "ref": kaiser[0]["id"]},
        {"kind": "address", "ref": address["id"]},
        {"kind": "resource", "ref": kaiser[3]["id"]},  # another platform of the same stop
        {"kind": "address", "ref": address["id"]},  # the same address again
        {"kind": "point", "lon": 6.69, "lat": 51.2, "label": "Bank"},
        {"kind": "point", "lon": 6.69, "lat": 51.2, "label": "Bank"},  # points are kept
    ]
    stops = walks.merge_stops(walks.resolve_stops(neuss, AREA, picks))
    assert [(s["kind"], s["ref"]) for s in stops] == [
        ("resource", kaiser[0]["id"]),
        ("address", address["id"]),
        ("point", None),
        ("point", None),
    ]
    # a stop of another kind with the same name is not merged
    other = {**stops[0], "ref": "x", "categories": ["bakery"]}
    assert len(walks.merge_stops([stops[0], other])) == 2


def test_every_address_as_written_is_found_exactly(neuss):
    """Issue 21: "an exact address that exists is never nicht eindeutig" — also an address
    mapped twice (with and without postcode) and house numbers like "19;21" or "18a,18b"."""
    for feature in neuss.query(AREA, "addresses"):
        props = feature["properties"]
        typed = f"{props['street']} {props['housenumber']}"
        pick = walks.resolve_start(neuss, AREA, typed, labels=LABELS)
        assert pick["kind"] == "address", typed
        found = neuss.get(AREA, "addresses", pick["ref"])["properties"]
        assert (found["street"], found["housenumber"]) == (props["street"], props["housenumber"])


@pytest.mark.parametrize(
    ("typed", "kind", "label"),
    [
        ("Neuss Hauptbahnhof", "resource", "Neuss Hauptbahnhof"),
        ("neuss hauptbahnhof", "resource", "Neuss Hauptbahnhof"),
        ("Am Kaiser", "resource", "Am Kaiser"),
        ("Rheydter Straße 102, 41464 Neuss", "address", "Rheydter Straße 102"),
        ("rheydter str 102", "address", "Rheydter Straße 102"),
    ],
)
def test_start_field_takes_addresses_resources_and_stops(neuss, typed, kind, label):
    pick = walks.resolve_start(neuss, AREA, typed, labels=LABELS)
    assert pick["kind"] == kind
    stop = walks.resolve_stops(neuss, AREA, [pick])[0]
    assert stop["label"] == label
    suggestions = walks.find_places(neuss, AREA, typed, labels=LABELS)
    assert suggestions[0]["value"] == f"{kind}:{pick['ref']}"
    assert len({(s["kind"], s["label"]) for s in suggestions}) == len(suggestions)  # no twins


def test_start_field_refuses_what_it_cannot_name(neuss):
    with pytest.raises(InvalidInput, match="nicht eindeutig"):
        walks.resolve_start(neuss, AREA, "Gibtsnichtweg 99", labels=LABELS)
    assert walks.find_places(neuss, AREA, "x", labels=LABELS) == []


def test_the_sheet_names_every_stop_with_an_address(neuss):
    resources = neuss.query(AREA, "resources")
    playground = next(
        r for r in resources
        if r["properties"]["categories"] == ["playground"] and not r["properties"].get("name")
    )  # fmt: skip
    address = neuss.query(AREA, "addresses")[10]
    a = address["properties"]
    lon, lat = address["geometry"]["coordinates"]
    note = neuss.add(
        AREA,
        "notes",
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "category": "treffpunkt", "text": "Bank vor dem Haus.",
                "observed_on": "2026-11-01", "expires_on": "2099-01-01",
                "author": "t", "team": None, "district": "gesamt",
                "review_state": "freigegeben", "address_id": address["id"],
                "address_key": a["key"], "address_label": f"{a['street']} {a['housenumber']}",
            },
        },
        actor="t",
    )  # fmt: skip
    loose = neuss.add(
        AREA,
        "notes",
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon + 0.0003, lat]},
            "properties": {
                "category": "angstraum", "text": "Dunkle Ecke.", "observed_on": "2026-11-01",
                "expires_on": "2099-01-01", "author": "t", "team": None, "district": "gesamt",
                "review_state": "freigegeben",
            },
        },
        actor="t",
    )  # fmt: skip
    picks = [
        {"kind": "note", "ref": note["id"]},
        {"kind": "note", "ref": loose["id"]},
        {"kind": "resource", "ref": playground["id"]},
        {"kind": "point", "lon": lon + 0.0002, "lat": lat, "label": ""},
        {"kind": "address", "ref": address["id"]},
    ]
    stops = walks.resolve_stops(neuss, AREA, picks, today=date(2026, 12, 1))
    assert stops[1]["label"] == NOTE_LABEL and stops[2]["label"] == UNNAMED_PLACE  # as stored
    named = [walks.stop_place(neuss, AREA, s, LABELS) for s in stops]
    street = f"{a['street']} {a['housenumber']}"
    assert named[0] == (f"Treffpunkt: {street}", street)
    title, line = named[1]
    assert title.startswith("Angstraum: bei ") and line.startswith("nächste Adresse: ")
    assert named[2][0] == LABELS["playground"]
    assert named[2][1] and named[2][1].startswith(
        ("nächste Adresse: ", playground["properties"].get("street") or "-")
    )
    title, line = named[3]
    assert title == "Punkt 4"
    # the nearest address of the point and its distance in metres (EPSG:25832)
    x, y = project([lon + 0.0002, lon], [lat, lat])
    metres = round(float(np.hypot(x[0] - x[1], y[0] - y[1])))
    near = line.removeprefix("nächste Adresse: ")
    assert near.endswith(" m)") and abs(int(near.split("ca. ")[1].split(" m")[0]) - metres) <= 15
    assert named[4] == (street, street)
    for title, line in named:
        assert title not in (NOTE_LABEL, UNNAMED_PLACE) and "Ort ohne Namen" not in title
        assert line and any(ch.isdigit() for ch in line)
