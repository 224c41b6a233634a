"""The offers layer of the area map: fetched from the offers API, own markers, legend entry,
no data and no third-party URL in the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sozialraum.maps.area_map import OFFER_COLOUR, MapOptions, MapUrls, build_area_map
from sozialraum.maps.assets import use_local_assets
from sozialraum.model.categories import load_categories

TABLE = load_categories()
ROOT = Path(__file__).resolve().parents[2]
OFFERS_URL = "/api/areas/musterstadt-nord/offers"
OFFER_CARD = "/gebiete/musterstadt-nord/angebote/__ID__"
#: any URL with a host (also inside JSON, where "/" is written "\/")
URL = re.compile(r"""(?:https?:)?//[^\s"'<>)\\]+""", re.IGNORECASE)


def _urls(**extra) -> MapUrls:
    return MapUrls(
        districts="/api/areas/musterstadt-nord/districts",
        addresses="/api/areas/musterstadt-nord/addresses",
        layers={c.id: f"/api/areas/musterstadt-nord/layers/{c.id}" for c in TABLE},
        resource_card="/gebiete/musterstadt-nord/orte/__ID__",
        **extra,
    )


def _page(urls: MapUrls) -> str:
    use_local_assets("/static")  # as the app does at start
    options = MapOptions(bbox=(6.93, 51.42, 6.96, 51.44))
    return build_area_map(TABLE, urls, options).get_root().render()


def _remote_layers(page: str) -> list[tuple[str, dict]]:
    calls = re.findall(r"sozialraumRemoteLayer\(\w+, (\"[^\"]*\"),\s*(\{.*?\})\);", page, re.S)
    return [(json.loads(url), json.loads(options)) for url, options in calls]


def test_offers_are_a_layer_fetched_from_the_api():
    page = _page(_urls(offers=OFFERS_URL, offer_card=OFFER_CARD))
    layers = dict((options["id"], (url, options)) for url, options in _remote_layers(page))
    url, options = layers["offers"]
    assert url == OFFERS_URL
    assert options["kind"] == "offer" and options["title"] == "Angebote"
    assert options["cardUrl"] == OFFER_CARD and options["colour"] == OFFER_COLOUR
    assert json.dumps("Angebote") in page  # the layer control's name
    legend = re.search(r"sozialraumLegend\(\w+, (\[.*?\]),", page, re.S).group(1)
    entry = json.loads(legend.replace("\\/", "/"))[-1]
    assert entry == {
        "id": "offers",
        "label": "Angebote",
        "colour": OFFER_COLOUR,
        "shape": "diamond",
    }
    assert len(layers) == len(TABLE) + 3  # districts, categories, addresses, offers


def test_map_without_offers_url_has_no_offers_layer():
    page = _page(_urls())
    assert all(options["id"] != "offers" for _, options in _remote_layers(page))
    assert '"label":"Angebote"' not in page


def test_the_map_references_no_third_party_host():
    page = _page(_urls(offers=OFFERS_URL, offer_card=OFFER_CARD))
    assert set(URL.findall(page.replace("\\/", "/"))) == set()
    for src in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert src.startswith("/static/"), src


def test_offer_markers_and_labels_are_built_as_text():
    script = (ROOT / "static/sozialraum/layers.js").read_text()
    offers_part = script.split("// -- support offers", 1)[1].split("function featureCard", 1)[0]
    assert "textContent" in offers_part
    assert "innerHTML" not in offers_part and "bindTooltip(" not in offers_part
    assert "region_wide" in offers_part  # region-wide offers are not drawn
    assert "https:" not in script and "http:" not in script
