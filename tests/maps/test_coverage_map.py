"""The coverage map: lines coloured by age class, legend counts, street names only as text."""

from __future__ import annotations

import json
import re

from sozialraum.analysis.coverage import AGE_CLASSES, NEVER
from sozialraum.maps.coverage_map import CoverageMapOptions, build_coverage_map, legend_items

EVIL = "<img src=x onerror=alert(1)>"
TRICKY = "Weg ${alert(2)} `tick` </script><script>alert(3)</script> C:\\daten\\2019"


def _feature(name: str, age: str, last_visit=None) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": [[[6.94, 51.43], [6.95, 51.43]]]},
        "properties": {
            "name": name,
            "district": EVIL,
            "last_visit": last_visit,
            "last_kind": "Notiz" if last_visit else None,
            "visits_12m": 1 if last_visit else 0,
            "age_class": age,
            "colour": AGE_CLASSES[age],
        },
    }


FEATURES = [
    _feature(EVIL, NEVER),
    _feature(TRICKY, "bis 3 Monate", "2026-11-01"),
    _feature("Lindenstraße", "bis 3 Monate", "2026-10-01"),
]
OPTIONS = CoverageMapOptions(
    bbox=(6.93, 51.42, 6.96, 51.44), districts_url="/api/areas/x/districts"
)


def _page(features=FEATURES, options=OPTIONS) -> str:
    return build_coverage_map(features, options).get_root().render()


def test_street_names_reach_the_page_only_as_escaped_json():
    page = _page()
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert "</script><script>alert(3)" not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page
    # the data is one JSON argument of our own drawing function, labels built with textContent
    match = re.search(r"sozialraumCoverageLines\(\w+, (\{.*?\}),\s*\{\"fit\"", page, re.S)
    data = json.loads(match.group(1).replace("\\/", "/"))
    names = [f["properties"]["name"] for f in data["features"]]
    assert names == [EVIL, TRICKY, "Lindenstraße"]
    assert "bindTooltip" not in page and "GeoJsonTooltip" not in page  # no folium tooltips


def test_lines_legend_and_local_scripts():
    page = _page()
    assert '"colour":"#6a3d9a"' in page and '"colour":"#1a9850"' in page
    assert "/static/sozialraum/coverage.js" in page and "/static/sozialraum/layers.js" in page
    assert legend_items(FEATURES) == [
        {"label": label, "colour": colour, "count": {NEVER: 1, "bis 3 Monate": 2}.get(label, 0)}
        for label, colour in AGE_CLASSES.items()
    ]
    assert '"label":"nie besucht","colour":"#6a3d9a","count":1' in page
    assert "sozialraumRemoteLayer" in page  # district outlines from the API


def test_map_without_streets_still_builds():
    page = _page([], CoverageMapOptions(bbox=(6.93, 51.42, 6.96, 51.44)))
    assert '{"type":"FeatureCollection","features":[]}' in page
    assert "sozialraumRemoteLayer" not in page


def test_coverage_script_builds_labels_as_text():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/sozialraum/coverage.js").read_text()
    assert "textContent" in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_template_syntax_in_a_street_name_is_not_evaluated():
    """branca renders macro output a second time as Jinja: ``{{ 7*7 }}`` from OSM must stay
    text (server-side template injection) and ``{%`` must not break the map."""
    names = ["Str {{7*7}} weg", "Gasse {% if 1 %}x{% endif %}", "Pfad {# c #} {{ config }}"]
    page = _page([_feature(name, NEVER) for name in names])
    match = re.search(r"sozialraumCoverageLines\(\w+, (\{.*?\}),\s*\{\"fit\"", page, re.S)
    data = json.loads(match.group(1).replace("\\/", "/"))
    assert [f["properties"]["name"] for f in data["features"]] == names
    assert "49" not in match.group(1)  # the data only: the layer's random id may hold "49"
