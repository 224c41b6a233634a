"""folium maps come out byte for byte the same when branca keeps rendered text uncompiled."""

from __future__ import annotations

import itertools

import branca.element
import pytest

from sozialraum.maps import _branca


def _fixed_ids(monkeypatch):
    """branca's element ids from a counter instead of ``os.urandom``: two builds compare."""
    counter = itertools.count()
    monkeypatch.setattr(branca.element, "urandom", lambda n: next(counter).to_bytes(n, "big"))


@pytest.mark.parametrize(
    "source",
    ["plain", "a\r\nb\n", "ends\n\n", "{ width: 1 }", "{{ 7*7 }}", "{% if x %}y{% endif %}", ""],
)
def test_a_literal_renders_as_jinja_would(source):
    expected = _branca._compile(source).render(this=None, kwargs={})
    assert _branca._template(source).render(this=None, kwargs={}) == expected


def test_text_with_jinja_syntax_is_still_compiled():
    assert isinstance(_branca._template("{{ x }}"), _branca._compile)
    assert isinstance(_branca._template("no syntax"), _branca._LiteralTemplate)


def test_the_area_map_is_the_same_with_and_without_the_shortcut(monkeypatch):
    from sozialraum.maps.area_map import MapOptions, MapUrls, build_area_map
    from sozialraum.maps.assets import use_local_assets
    from sozialraum.model.categories import load_categories

    table = load_categories()
    use_local_assets("/static")
    urls = MapUrls(
        districts="/api/areas/a/districts",
        addresses="/api/areas/a/addresses",
        layers={c.id: f"/api/areas/a/layers/{c.id}" for c in table},
        resource_card="/gebiete/a/orte/__ID__",
    )

    def page() -> str:
        _fixed_ids(monkeypatch)
        options = MapOptions(bbox=(6.93, 51.42, 6.96, 51.44))
        return build_area_map(table, urls, options).get_root().render()

    assert branca.element.Template is _branca._template  # installed with sozialraum.maps
    fast = page()
    monkeypatch.setattr(branca.element, "Template", _branca._compile)
    slow = page()
    assert fast == slow and "L.map(" in fast
