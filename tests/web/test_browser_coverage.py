"""The coverage page in real headless Chromium: streets drawn in the colour of their age
class, tooltips and the table show hostile OSM street names as text, nothing leaves 127.0.0.1.

Server, browser, sessions and the privacy checks come from ``support.browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.browser import AREA, INJECTED, MAP, PAYLOADS, log_in

from sozialraum import settings
from sozialraum.analysis.streets import load_streets, save_streets, streets_from_lines
from sozialraum.services import coverage

pytestmark = pytest.mark.browser


EVIL = PAYLOADS[0]  # "<img src=x onerror=alert(1)>"
READY = """() => { const w = window; return !!(document.getElementById('karte')
    && w.sozialraumCoverageReady === true && w.sozialraumReady === true); }"""
LINES = f"""() => {{ const map = {MAP}; const out = [];
    map.eachLayer(l => {{ if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.feature)
        out.push([l.feature.properties.name, l.options.color]); }});
    return out.sort(); }}"""
TOOLTIP = f"""(name) => {{ const map = {MAP}; let found = null;
    map.eachLayer(l => {{ if (!found && l instanceof L.Polyline && l.feature
        && l.feature.properties.name === name) found = l; }});
    if (!found) return null;
    found.fire('mouseover', {{ latlng: found.getCenter() }}, true);  // as a pointer would
    const t = document.querySelector('.leaflet-tooltip');
    return t ? [t.innerText, t.querySelectorAll('img, svg, script').length] : null; }}"""
#: elements or handlers hostile names could have created (the map's own inline script holds
#: the names as inert JSON text, so scripts are not searched for the payload here)
CREATED = """() => { const bad = [];
    document.querySelectorAll('img[src="x"], svg[onload]').forEach(e => bad.push(e.outerHTML));
    document.querySelectorAll('*').forEach(e => { for (const a of e.attributes) {
        if (a.name.startsWith('on')) bad.push(e.tagName + ' ' + a.name); } });
    return bad; }"""


@pytest.fixture
def hostile_street(demo_store):
    """Add streets named with every payload inside district r1, one visited yesterday."""
    streets = load_streets(demo_store, AREA)
    names = streets.line_names()
    lines = [
        (str(names[i]), list(zip(streets.lons[a:b], streets.lats[a:b], strict=True)))
        for i, (a, b) in enumerate(zip(streets.offsets[:-1], streets.offsets[1:], strict=True))
    ]
    lon, lat = demo_store.query(AREA, "addresses", district="r1")[0]["geometry"]["coordinates"]
    for k, payload in enumerate(PAYLOADS):
        y = lat + 0.0004 * (k + 1)
        lines.append((payload, [(lon - 0.0006, y), (lon + 0.0006, y)]))
    save_streets(demo_store, AREA, streets_from_lines(lines), actor="test")
    today = settings.today()
    note = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat + 0.0004]},
        "properties": {
            "category": "beobachtung",
            "text": "Neue Bank vor dem Haus.",
            "observed_on": (today - timedelta(days=1)).isoformat(),
            "expires_on": "2099-01-01",
            "author": "demo-fachkraft",
            "team": "Team Nord",
            "district": "r1",
        },
    }
    demo_store.add(AREA, "notes", note, actor="test")
    return coverage.district_coverage(demo_store, AREA, today=today, district="r1")


def test_coverage_page_draws_streets_by_age_and_shows_names_as_text(s, live_server, hostile_street):
    (r1,) = hostile_street
    expected = sorted([street.name, street.colour] for street in r1.streets)
    evil = next(street for street in r1.streets if street.name == EVIL)
    assert evil.age_class == "bis 3 Monate"

    log_in(s.page, live_server)
    s.page.goto(f"{live_server}/gebiete/{AREA}/abdeckung?district=r1")
    s.page.wait_for_function(READY)
    frame = s.page.main_frame  # the map is part of the page (issue 21 §5)
    assert frame.evaluate(LINES) == expected
    for payload in PAYLOADS:
        text, elements = frame.evaluate(TOOLTIP, payload)
        assert payload in text and elements == 0
    text, _ = frame.evaluate(TOOLTIP, EVIL)
    assert "Besuche in 12 Monaten: 1" in text and "Notiz" in text
    legend = frame.locator(".sr-legend").inner_text()
    assert "nie besucht" in legend and "bis 3 Monate" in legend
    assert frame.evaluate(CREATED) == [] and s.page.evaluate(INJECTED) == []

    table = s.page.locator("table.coverage-table")
    assert table.locator("th", has_text=EVIL).count() == 1
    summary = s.page.locator(".coverage-summary").inner_text()
    assert f"von {r1.streets_total} Straßen" in summary
    s.screenshot("abdeckung")
    s.check()
