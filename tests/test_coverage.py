"""The coverage service on the demo area: notes and walk stops as visits, cache, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from sozialraum.analysis.coverage import NEVER
from sozialraum.analysis.streets import STREETS_ARTIFACT, save_streets, streets_from_lines
from sozialraum.errors import NotFound
from sozialraum.services import coverage

AREA = "musterstadt-nord"


def _walk(store) -> dict:
    return store.query(AREA, "walks")[0]


def _note(lon, lat, observed_on: date) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "category": "beobachtung",
            "text": "Bank am Platz.",
            "observed_on": observed_on.isoformat(),
            "expires_on": "2099-01-01",
            "author": "demo-fachkraft",
            "team": "Team Nord",
            "district": "r1",
        },
    }


def _never_visited(store, today):
    """A never-visited street of district r1 and a point in its middle (lon/lat)."""
    (result,) = coverage.district_coverage(store, AREA, today=today, district="r1")
    street = next(s for s in result.streets if s.age_class == NEVER and s.length_m > 300)
    feature = next(
        f for f in coverage.coverage_features([result]) if f["properties"]["name"] == street.name
    )
    line = feature["geometry"]["coordinates"][0]
    return street.name, line[len(line) // 2]


def test_walk_stops_count_from_the_walk_day_on(demo_store):
    walk = _walk(demo_store)
    walk_on = date.fromisoformat(walk["properties"]["walk_on"])
    before = coverage.district_coverage(demo_store, AREA, today=walk_on - timedelta(days=1))
    on_the_day = coverage.district_coverage(demo_store, AREA, today=walk_on)
    kinds_before = {s.last_kind for r in before for s in r.streets if s.last_visit == walk_on}
    walked = [s for r in on_the_day for s in r.streets if s.last_kind == "rundgang"]
    assert not kinds_before
    assert walked and all(s.last_visit == walk_on for s in walked)
    visits = coverage.visits(demo_store, AREA, today=walk_on)
    stops = len(walk["properties"]["stops"])
    assert (visits.kinds == "rundgang").sum() == stops
    assert (visits.kinds == "notiz").sum() == len(demo_store.query(AREA, "notes"))


def test_result_is_cached_until_a_note_changes_it_and_future_notes_do_not_count(demo_store):
    today = date(2026, 11, 21)
    first = coverage.district_coverage(demo_store, AREA, today=today)
    assert coverage.district_coverage(demo_store, AREA, today=today) is first
    name, (lon, lat) = _never_visited(demo_store, today)

    demo_store.add(AREA, "notes", _note(lon, lat, today + timedelta(days=1)), actor="test")
    later = coverage.district_coverage(demo_store, AREA, today=today)
    assert later is not first
    (r1,) = [r for r in later if r.id == "r1"]
    assert next(s for s in r1.streets if s.name == name).age_class == NEVER

    demo_store.add(AREA, "notes", _note(lon, lat, today - timedelta(days=3)), actor="test")
    (r1,) = coverage.district_coverage(demo_store, AREA, today=today, district="Nord-West")
    street = next(s for s in r1.streets if s.name == name)
    assert (street.last_visit, street.visits_12m, street.last_kind) == (
        today - timedelta(days=3),
        1,
        "notiz",
    )
    assert r1.streets[-1].name == name  # the newest visit is last in the table


def test_district_by_id_or_name_and_unknown_district(demo_store):
    today = date(2026, 11, 21)
    by_id = coverage.district_coverage(demo_store, AREA, today=today, district="r3")
    by_name = coverage.district_coverage(demo_store, AREA, today=today, district="mühlenviertel")
    assert [r.id for r in by_id] == [r.id for r in by_name] == ["r3"]
    every = coverage.district_coverage(demo_store, AREA, today=today)
    assert sorted(r.id for r in every) == ["r1", "r2", "r3"]
    with pytest.raises(NotFound):
        coverage.district_coverage(demo_store, AREA, today=today, district="nirgendwo")


def test_area_without_stored_streets_says_so(demo_store):
    demo_store.delete_artifact(AREA, STREETS_ARTIFACT, actor="test")
    with pytest.raises(coverage.StreetsUnavailable):
        coverage.district_coverage(demo_store, AREA, today=date(2026, 11, 21))


def test_csv_has_german_headers_and_neutralises_formulas(demo_store):
    lon, lat = demo_store.query(AREA, "addresses", district="r1")[0]["geometry"]["coordinates"]
    evil = '=HYPERLINK("http://example.org","x")'
    streets = streets_from_lines(
        [(evil, [(lon, lat), (lon + 0.001, lat)]), ("@SUMME(1)", [(lon, lat), (lon, lat + 0.001)])]
    )
    save_streets(demo_store, AREA, streets, actor="test")
    results = coverage.district_coverage(demo_store, AREA, today=date(2026, 11, 21))
    text = coverage.coverage_csv(results)
    assert text.startswith("\ufeffBezirk;Straße;Länge (m);Letzter Besuch;")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == list(coverage.CSV_HEADER)
    names = {row[1] for row in rows[1:]}
    assert "'" + evil in names and "'@SUMME(1)" in names
    assert all(not row[1].startswith(("=", "@", "+", "-")) for row in rows[1:])


def test_features_are_lon_lat_inside_the_area(demo_store):
    results = coverage.district_coverage(demo_store, AREA, today=date(2026, 11, 21))
    features = coverage.coverage_features(results)
    west, south, east, north = demo_store.read_meta(AREA)["bbox"]
    assert len(features) == sum(len(r.streets) for r in results)
    for feature in features:
        assert feature["geometry"]["type"] == "MultiLineString"
        for line in feature["geometry"]["coordinates"]:
            for lon, lat in line:
                assert west - 0.01 <= lon <= east + 0.01 and south - 0.01 <= lat <= north + 0.01
        assert feature["properties"]["colour"].startswith("#")


def test_coverage_counts_only_what_the_reader_may_see_cached_per_scope(demo_store):
    """Issue 26: another team's draft is no visit for Team Nord (street, day and kind
    stay secret), its walk neither; the admin, the CLI (no reader) and Team Mühle count
    them; each scope gets its own cached result, never another team's."""
    from sozialraum.model.roles import Role
    from sozialraum.services.notes import Actor

    today = date(2026, 11, 21)
    nord = Actor("demo-fachkraft", Role.CASEWORKER, "Team Nord")
    nord_lead = Actor("demo-leitung", Role.LEAD, "Team Nord")
    muehle = Actor("muehle", Role.CASEWORKER, "Team Mühle")
    admin = Actor("demo-admin", Role.ADMIN, None)
    name, (lon, lat) = _never_visited(demo_store, today)
    draft = _note(lon, lat, today - timedelta(days=2))
    draft["properties"].update(team="Team Mühle", review_state="entwurf")
    demo_store.add(AREA, "notes", draft, actor="muehle")

    def street(reader):
        (r1,) = coverage.district_coverage(
            demo_store, AREA, today=today, district="r1", reader=reader
        )
        return next(s for s in r1.streets if s.name == name)

    for reader in (muehle, admin, None):  # the note's team, the admin and the CLI count it
        assert (street(reader).last_visit, street(reader).last_kind) == (
            today - timedelta(days=2),
            "notiz",
        )
    for reader in (nord, nord_lead):  # asked after the others: no cached result leaks
        assert street(reader).age_class == NEVER and street(reader).last_visit is None
    rows = coverage.coverage_rows(
        coverage.district_coverage(demo_store, AREA, today=today, reader=nord)
    )
    assert not [r for r in rows if r[1] == name and r[3] is not None]
    # same scope, same cached result; another scope, another result
    first = coverage.district_coverage(demo_store, AREA, today=today, reader=nord)
    assert coverage.district_coverage(demo_store, AREA, today=today, reader=nord_lead) is first
    assert coverage.district_coverage(demo_store, AREA, today=today, reader=muehle) is not first

    # walks count for their team only
    walk = _walk(demo_store)
    walk_on = date.fromisoformat(walk["properties"]["walk_on"])
    assert walk["properties"]["team"] == "Team Nord"
    assert (coverage.visits(demo_store, AREA, today=walk_on, reader=nord).kinds == "rundgang").any()
    theirs = coverage.visits(demo_store, AREA, today=walk_on, reader=muehle)
    assert not (theirs.kinds == "rundgang").any()
