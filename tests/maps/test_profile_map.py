"""The profile choropleth: classes, legend, colours per district, no HTML from data."""

from __future__ import annotations

import pytest

from sozialraum.maps.profile_map import (
    FAR,
    GREENS,
    NO_VALUE,
    REDS,
    ProfileMapOptions,
    build_profile_map,
    classify,
    metric_choices,
    metric_value,
)
from sozialraum.model.categories import load_categories

TABLE = load_categories()


def _row(district_id, name, addresses, pharmacy_share, far, bakeries):
    return {
        "id": district_id,
        "name": name,
        "team": None,
        "addresses": addresses,
        "cut_off": 0,
        "counts": {c: 0 for c in TABLE.ids} | {"bakery": bakeries},
        "per_1000": {c: 0.0 for c in TABLE.ids}
        | {"bakery": bakeries * 1000 / addresses if addresses else None},
        "within": {"pharmacy": pharmacy_share, "post_office": 1.0, "doctor": 1.0, "kita": 1.0},
        "far_from_post_box": far,
    }


ROWS = [
    _row("a", "</script><script>alert(1)</script>", 200, 0.05, 50, 1),
    _row("b", "Mitte", 400, 0.95, 0, 4),
    _row("c", "Leer", 0, None, 0, 0),
    _row("_gesamt", "Gesamtes Gebiet", 600, 0.65, 50, 5),
]


def test_metric_values():
    assert metric_value(ROWS[0], "within:pharmacy") == pytest.approx(5.0)
    assert metric_value(ROWS[0], FAR) == pytest.approx(25.0)
    assert metric_value(ROWS[1], "per_1000:bakery") == pytest.approx(10.0)
    assert metric_value(ROWS[2], FAR) is None and metric_value(ROWS[2], "within:pharmacy") is None
    keys = dict(metric_choices(TABLE))
    assert "within:kita" in keys and FAR in keys and "per_1000:playground" in keys


def test_percentages_use_fixed_classes_and_grey_for_no_value():
    fills, legend = classify({"a": 5.0, "b": 95.0, "c": None}, percent=True, palette=GREENS)
    assert fills == {"a": GREENS[0], "b": GREENS[4], "c": NO_VALUE}
    assert [item["label"] for item in legend[:2]] == ["0 % bis 20 %", "20 % bis 40 %"]
    assert legend[-1] == {"label": "keine Adressen", "colour": NO_VALUE}


def test_counts_spread_from_smallest_to_largest():
    fills, legend = classify({"a": 2.5, "b": 10.0}, percent=False, palette=REDS)
    assert fills == {"a": REDS[0], "b": REDS[4]}
    assert legend[0]["label"] == "2,5 bis 4,0" and legend[-1]["label"] == "8,5 bis 10,0"
    same, _ = classify({"a": 3.0, "b": 3.0}, percent=False, palette=REDS)
    assert same == {"a": REDS[0], "b": REDS[0]}


def test_map_passes_colours_as_json_and_no_names():
    options = ProfileMapOptions(
        bbox=(6.9, 51.4, 7.0, 51.5),
        metric=FAR,
        districts_url="/api/areas/x/districts",
        far_url="/api/areas/x/far/post_box",
    )
    page = build_profile_map(ROWS, TABLE, options).get_root().render()
    assert f'"fills":{{"a":"{REDS[1]}","b":"{REDS[0]}","c":"{NO_VALUE}"}}' in page
    assert "alert(1)" not in page  # district names come from the API as text, not in the page
    assert '"distanceLabel":"Weg zum nächsten Briefkasten"' in page
    assert "Anteil der Adressen mehr als 1.000 m vom nächsten Briefkasten" in page
    with pytest.raises(KeyError):
        build_profile_map(ROWS, TABLE, ProfileMapOptions((0, 0, 1, 1), "nix", "/d"))
