"""The Content-Security-Policy nonce (issue 26, finding 6): the policy, the tags, the folium
map documents and the nonce per response. Every page's tags: ``test_headers.py``; in a real
browser: ``test_browser_csp.py``."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from support.web import login

from sozialraum.maps.area_map import MapOptions, MapUrls, build_area_map
from sozialraum.maps.assets import use_local_assets
from sozialraum.maps.coverage_map import CoverageMapOptions, build_coverage_map
from sozialraum.maps.embed import map_parts
from sozialraum.maps.profile_map import ProfileMapOptions, build_profile_map
from sozialraum.model.categories import load_categories
from sozialraum.web.csp import content_security_policy, map_document, nonce_tags

AREA = "musterstadt-nord"
NONCE = "r4nD0m-N0nce_abcdefghij"
BBOX = (6.93, 51.42, 6.96, 51.44)
TABLE = load_categories()


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in policy.split(";") if p.strip())
    return {name: sources for name, *sources in parts}


def test_the_policy_allows_inline_code_only_with_the_nonce():
    with_nonce = _directives(content_security_policy("https://{s}.t.example.org/{z}", NONCE))
    for name in ("script-src", "style-src"):
        assert with_nonce[name] == ["'self'", f"'nonce-{NONCE}'"]
    assert with_nonce["img-src"] == ["'self'", "data:", "https://*.t.example.org"]
    assert with_nonce["object-src"] == ["'none'"] and with_nonce["base-uri"] == ["'self'"]
    without = _directives(content_security_policy(None))
    assert without["script-src"] == without["style-src"] == ["'self'"]
    assert "unsafe" not in content_security_policy(None, NONCE)


def test_nonce_tags_marks_every_opening_script_and_style_tag():
    markup = (
        '<script src="/static/a.js"></script>\n<SCRIPT>var x = 1;</SCRIPT>'
        "<style>#m { top: 0; }</style><style\nmedia=print>p{}</style>"
        '<script nonce="other">kept()</script><scripts></scripts><stylesheet>'
        '<link rel="stylesheet" href="/s.css"/>'
    )
    out = nonce_tags(markup, NONCE)
    assert out == (
        f'<script nonce="{NONCE}" src="/static/a.js"></script>\n<SCRIPT nonce="{NONCE}">'
        f'var x = 1;</SCRIPT><style nonce="{NONCE}">#m {{ top: 0; }}</style>'
        f'<style nonce="{NONCE}"\nmedia=print>p{{}}</style><script nonce="other">kept()</script>'
        '<scripts></scripts><stylesheet><link rel="stylesheet" href="/s.css"/>'
    )
    with pytest.raises(ValueError):
        nonce_tags(markup, 'x" onload="alert(1)')


class _Tags(HTMLParser):
    """The nonce of every ``<script>`` and ``<style>`` element."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.tags.append(dict(attrs).get("nonce"))


def _maps():
    use_local_assets("/static")  # as the app does at start
    urls = MapUrls(
        districts="/d",
        addresses="/a",
        layers={c.id: f"/l/{c.id}" for c in TABLE},
        resource_card="/r/__ID__",
        isochrones="/i",
        notes="/n",
        new_note="/neu",
        offers="/o",
    )
    row = {
        "id": "r1",
        "name": "Nord",
        "addresses": 10,
        "within": {},
        "per_1000": {},
        "far_from_post_box": 1,
    }
    return {
        "area": build_area_map(TABLE, urls, MapOptions(bbox=BBOX)),
        "coverage": build_coverage_map([], CoverageMapOptions(bbox=BBOX, districts_url="/d")),
        "profile": build_profile_map(
            [row], TABLE, ProfileMapOptions(BBOX, "far_post_box", "/d", far_url="/f")
        ),
    }


def _names(page: str) -> str:
    """The page with folium's random element names numbered in order of appearance."""
    names: dict[str, str] = {}
    hex32 = r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"
    return re.sub(hex32, lambda m: names.setdefault(m[0], f"el{len(names)}"), page).rstrip()


@pytest.mark.parametrize("name", ["area", "coverage", "profile"])
def test_map_document_is_folium_s_page_with_the_nonce_on_every_tag(name):
    document = map_document(_maps()[name], NONCE)
    parser = _Tags()
    parser.feed(document)
    assert len(parser.tags) >= 5 and set(parser.tags) == {NONCE}, parser.tags
    # otherwise exactly folium's own page of the same map (built again: its element names
    # are random; folium's render is not repeatable, it adds lines each time)
    folium_page = _maps()[name].get_root().render()
    assert _names(document.replace(f' nonce="{NONCE}"', "")) == _names(folium_page)
    assert document.count("<script") == document.count(f'<script nonce="{NONCE}"')
    assert "L.control.locate" not in document or "markerClass = L.CircleMarker" in document


def test_the_locate_control_draws_no_svg_with_inline_styles():
    document = map_document(_maps()["area"], NONCE)
    call = re.search(r"var (locate_control_\w+) = L\.control\.locate\((\{.*?\})\);", document, re.S)
    assert call and '"showCompass": false' in call[2]
    assert f"{call[1]}.options.markerClass = L.CircleMarker;" in document


def test_each_page_response_has_its_own_nonce_and_json_none(app):
    client = login(app.test_client())
    seen = set()
    for _ in range(3):
        response = client.get(f"/gebiete/{AREA}/karte")
        policy = _directives(response.headers["Content-Security-Policy"])
        nonce = policy["script-src"][1].removeprefix("'nonce-").removesuffix("'")
        assert policy["style-src"] == policy["script-src"]
        page = response.get_data(as_text=True)
        assert page.count(f'nonce="{nonce}"') == page.count("<script") + page.count("<style")
        seen.add(nonce)
    assert len(seen) == 3 and all(len(n) >= 22 for n in seen)
    api = client.get(f"/api/areas/{AREA}/districts")
    assert _directives(api.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


@pytest.mark.parametrize("name", ["area", "coverage", "profile"])
def test_map_parts_for_a_page_carry_the_nonce_and_nothing_of_a_document(name):
    """Issue 21 §5: the map in the page, not an iframe (sozialraum.maps.embed.map_parts)."""
    parts = map_parts(_maps()[name], NONCE)
    parser = _Tags()
    parser.feed(str(parts.header))
    assert len(parser.tags) >= 2 and set(parser.tags) == {NONCE}, parser.tags
    # nothing of folium's stand-alone page: no zoom lock, no full-window html/body/#map styles
    assert "user-scalable" not in parts.header and "viewport" not in parts.header
    assert "html, body" not in parts.header and "#map {" not in parts.header
    assert f'id="{parts.name}"' in parts.html and "<script" not in parts.html
    assert f"var {parts.name} = L.map(" in parts.script and "</script" not in parts.script
    # local assets only, German controls with a metric scale (no L.control.scale() of folium)
    assert "cdn" not in parts.header.lower() and "sozialraum/map_a11y.js" in parts.header
    assert "sozialraumMapA11y(" in parts.script and "L.control.scale()" not in parts.script


def test_map_parts_refuse_a_bad_nonce():
    with pytest.raises(ValueError):
        map_parts(_maps()["area"], 'x" onload="alert(1)')
