"""German display formats of the pages (Jinja filters in ``sozialraum/web/formats.py``)."""

from __future__ import annotations

import pytest

from sozialraum.web.formats import german_distance

#: metres → what a person reads; the JavaScript twin (static/sozialraum/formats.js) is checked
#: against the filter in tests/web/test_browser_planner.py
DISTANCES = [
    (None, ""),
    (0, "0 m"),
    (49.5, "50 m"),
    (850, "850 m"),
    (999.4, "999 m"),
    (999.6, "1,0 km"),
    (1000, "1,0 km"),
    (1049, "1,0 km"),
    (1050, "1,1 km"),
    (1150, "1,2 km"),
    (3000, "3,0 km"),
    (12345, "12,3 km"),
    (1234567, "1.234,6 km"),
]


@pytest.mark.parametrize(("metres", "shown"), DISTANCES)
def test_distances_are_metres_below_a_kilometre_and_kilometres_with_a_comma_above(metres, shown):
    assert german_distance(metres) == shown


def test_the_filter_is_there_for_templates(app):
    with app.app_context():
        template = app.jinja_env.from_string("{{ 3000 | entfernung }} / {{ 850 | entfernung }}")
        assert template.render() == "3,0 km / 850 m"
