"""Street coverage rules on hand-made geometries (metres, EPSG:25832) and on a real extract."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box
from support.paths import EXTRACTS

from sozialraum.analysis.coverage import (
    AGE_CLASSES,
    NEVER,
    OLDER,
    VISIT_RADIUS_M,
    District,
    Visits,
    age_class,
    street_coverage,
)
from sozialraum.analysis.streets import read_streets

TODAY = date(2026, 11, 21)
WHOLE = District("d1", "Mitte", box(-1000, -1000, 1000, 1000))


def visits(*items) -> Visits:
    """Visits from ``(x_m, y_m, day, kind)`` tuples (kind defaults to a note)."""
    rows = [(*item, "notiz") if len(item) == 3 else item for item in items]
    if not rows:
        return Visits.empty()
    return Visits(
        np.array([r[0] for r in rows], float),
        np.array([r[1] for r in rows], float),
        np.array([r[2].toordinal() for r in rows], np.int64),
        np.array([r[3] for r in rows], str),
    )


def table(result) -> dict[str, tuple]:
    """name -> (last_visit, visits_12m, age_class) of one district."""
    return {s.name: (s.last_visit, s.visits_12m, s.age_class) for s in result.streets}


def one(names, lines, found, districts=(WHOLE,)):
    return street_coverage(names, lines, list(districts), found, today=TODAY)


def test_radius_is_inclusive_and_a_hair_more_does_not_count():
    line = LineString([(0, 0), (200, 0)])
    day = TODAY - timedelta(days=3)
    on_edge = one(["A"], [line], visits((100, VISIT_RADIUS_M, day)))[0]
    outside = one(["A"], [line], visits((100, VISIT_RADIUS_M + 0.01, day)))[0]
    beyond_end = one(["A"], [line], visits((229.9, 0, day), (-30.01, 0, day)))[0]
    assert table(on_edge)["A"] == (day, 1, "bis 3 Monate")
    assert table(outside)["A"] == (None, 0, NEVER)
    assert table(beyond_end)["A"][1] == 1  # 29.9 m past the end counts, 30.01 m does not


def test_a_visit_near_several_streets_counts_for_the_nearest_only():
    names = ["Ahornweg", "Birkenweg", "Corner"]
    lines = [
        LineString([(0, 0), (200, 0)]),
        LineString([(0, 20), (200, 20)]),
        LineString([(-5, -100), (-5, 100)]),
    ]
    day = TODAY - timedelta(days=10)
    result = one(names, lines, visits((100, 6, day), (100, 16, day), (1, 4, day)))[0]
    rows = table(result)
    # (100, 6): 6 m from Ahornweg, 14 m from Birkenweg; (1, 4): 4 m from Ahornweg, 6 m
    # from Corner; (100, 16): Birkenweg. Each visit marks one street.
    assert rows["Ahornweg"][1] == 2
    assert rows["Birkenweg"][1] == 1
    assert rows["Corner"] == (None, 0, NEVER)


def test_a_street_of_several_ways_is_one_row_and_a_tie_goes_to_one_street():
    lines = [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (250, 0)])]
    lines.append(LineString([(0, 20), (250, 20)]))
    day = TODAY - timedelta(days=1)
    result = one(["Weg", "Weg", "Anderer Weg"], lines, visits((200, 10, day)))[0]
    assert len(result.streets) == 2
    weg = next(s for s in result.streets if s.name == "Weg")
    assert weg.length_m == pytest.approx(250.0)
    assert sum(s.visits_12m for s in result.streets) == 1  # equidistant: counted once


def test_lines_are_clipped_and_a_boundary_street_belongs_to_both_districts():
    west = District("w", "West", box(-1000, -1000, 0, 1000))
    east = District("e", "Ost", box(0, -1000, 1000, 1000))
    line = LineString([(-100, 0), (300, 0)])
    day = TODAY - timedelta(days=5)
    result = street_coverage(
        ["Grenzstraße"],
        [line],
        [west, east],
        visits((200, 10, day), (-200, 10, day)),  # the second is 100 m from the street's end
        today=TODAY,
    )
    assert [r.id for r in result] == ["w", "e"]
    (w,), (e,) = result[0].streets, result[1].streets
    assert w.length_m == pytest.approx(100.0) and e.length_m == pytest.approx(300.0)
    assert shapely.get_coordinates(w.geometry_m)[:, 0].max() == pytest.approx(0.0)
    assert (w.visits_12m, e.visits_12m) == (0, 1)
    # a visit just across the boundary is within 30 m of both parts: it counts in both
    both = street_coverage(
        ["Grenzstraße"], [line], [west, east], visits((-5, 10, day)), today=TODAY
    )
    assert [r.streets[0].visits_12m for r in both] == [1, 1]


def test_same_name_in_two_districts_is_two_rows_with_their_own_visits():
    north = District("n", "Nord", box(-1000, 0, 1000, 1000))
    south = District("s", "Süd", box(-1000, -1000, 1000, 0))
    lines = [LineString([(0, 500), (200, 500)]), LineString([(0, -500), (200, -500)])]
    result = street_coverage(
        ["Kirchstraße", "Kirchstraße"],
        lines,
        [north, south],
        visits((100, 495, TODAY - timedelta(days=200))),
        today=TODAY,
    )
    assert table(result[0]) == {"Kirchstraße": (TODAY - timedelta(days=200), 1, "6–12 Monate")}
    assert table(result[1]) == {"Kirchstraße": (None, 0, NEVER)}


@pytest.mark.parametrize(
    ("last", "label"),
    [
        (date(2026, 11, 21), "bis 3 Monate"),
        (date(2026, 8, 21), "bis 3 Monate"),
        (date(2026, 8, 20), "3–6 Monate"),
        (date(2026, 5, 21), "3–6 Monate"),
        (date(2026, 5, 20), "6–12 Monate"),
        (date(2025, 11, 21), "6–12 Monate"),
        (date(2025, 11, 20), OLDER),
        (None, NEVER),
    ],
)
def test_age_class_boundaries_in_calendar_months(last, label):
    assert age_class(last, TODAY) == label
    assert label in AGE_CLASSES


def test_month_ends_are_clamped():
    # 31 May minus 3 months is 28 February (2027 is no leap year)
    assert age_class(date(2027, 2, 28), date(2027, 5, 31)) == "bis 3 Monate"
    assert age_class(date(2027, 2, 27), date(2027, 5, 31)) == "3–6 Monate"


def test_twelve_month_window_future_dates_and_last_visit():
    line = LineString([(0, 0), (200, 0)])
    found = visits(
        (10, 1, TODAY + timedelta(days=1)),  # future: ignored entirely
        (20, 1, TODAY),
        (30, 1, date(2025, 11, 21)),  # exactly 12 months ago: inside the window
        (40, 1, date(2025, 11, 20)),  # one day older: outside
        (50, 1, date(2020, 1, 1)),
    )
    (street,) = one(["A"], [line], found)[0].streets
    assert street.last_visit == TODAY and street.visits_12m == 2
    old = one(["A"], [line], visits((40, 1, date(2025, 11, 20))))[0].streets[0]
    assert (old.last_visit, old.visits_12m, old.age_class) == (date(2025, 11, 20), 0, OLDER)
    future = one(["A"], [line], visits((40, 1, TODAY + timedelta(days=30))))[0].streets[0]
    assert future.last_visit is None and future.age_class == NEVER


def test_last_kind_prefers_a_walk_on_the_same_day():
    line = LineString([(0, 0), (200, 0)])
    day = TODAY - timedelta(days=2)
    found = visits((10, 1, day, "notiz"), (20, 1, day, "rundgang"), (30, 1, day - timedelta(1)))
    (street,) = one(["A"], [line], found)[0].streets
    assert (street.last_kind, street.visits_12m) == ("rundgang", 3)


def test_table_order_and_summary():
    names = ["Neu", "Alt", "Nie", "Mittel"]
    lines = [LineString([(0, y), (100, y)]) for y in (0, 200, 400, 600)]
    found = visits(
        (50, 0, TODAY - timedelta(days=1)),
        (50, 200, date(2024, 1, 1)),
        (50, 600, TODAY - timedelta(days=100)),
    )
    (result,) = one(names, lines, found)
    assert [s.name for s in result.streets] == ["Nie", "Alt", "Mittel", "Neu"]
    assert result.summary() == {
        "streets_total": 4,
        "streets_visited": 2,
        "length_m": pytest.approx(400.0),
        "covered_length_m": pytest.approx(200.0),
        "covered_share_pct": pytest.approx(50.0),
    }
    assert result.streets[0].colour == AGE_CLASSES[NEVER]


def test_no_visits_no_streets_and_an_empty_district():
    line = LineString([(0, 0), (100, 0)])
    far = District("f", "Fern", box(5000, 5000, 6000, 6000))
    result = street_coverage(["A"], [line], [WHOLE, far], Visits.empty(), today=TODAY)
    assert table(result[0]) == {"A": (None, 0, NEVER)}
    assert result[1].streets == [] and result[1].covered_share_pct is None
    nothing = street_coverage([], [], [WHOLE], visits((0, 0, TODAY)), today=TODAY)
    assert nothing[0].streets == [] and nothing[0].summary()["streets_total"] == 0


def test_real_extract_marks_the_streets_visited_at_their_middle():
    streets = read_streets(EXTRACTS["neuss-innenstadt"])
    names, lines = streets.line_names(), streets.lines_m()
    xmin, ymin, xmax, ymax = shapely.total_bounds(lines)
    core = District(
        "core",
        "Innenstadt",
        box(
            xmin + (xmax - xmin) * 0.2,
            ymin + (ymax - ymin) * 0.2,
            xmin + (xmax - xmin) * 0.8,
            ymin + (ymax - ymin) * 0.8,
        ),
    )
    (whole,) = street_coverage(names, lines, [core], Visits.empty(), today=TODAY)
    inside = [s.name for s in whole.streets]
    assert len(inside) > 20 and all(s.length_m > 0 for s in whole.streets)
    assert whole.length_m < shapely.length(lines).sum()
    # one visit at the middle of three streets' longest parts inside the core
    chosen = sorted(whole.streets, key=lambda s: -s.length_m)[:3]
    points = [shapely.line_interpolate_point(s.geometry_m.geoms[0], 0.5, normalized=True)
              for s in chosen]  # fmt: skip
    day = TODAY - timedelta(days=30)
    found = visits(*[(p.x, p.y, day) for p in points])
    (result,) = street_coverage(names, lines, [core], found, today=TODAY)
    visited = {s.name for s in result.streets if s.visits_12m}
    assert visited <= {s.name for s in chosen} and len(visited) >= 2
    assert result.streets_visited == len(visited)
    assert result.streets[-1].last_visit == day and result.streets[0].last_visit is None
