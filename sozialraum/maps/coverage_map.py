"""The coverage map: the streets of a district coloured by the age of their last visit.

A district or all of them, with a legend and a tooltip (street name, district, last visit).

Street names come from OpenStreetMap and are data, never HTML: the streets are embedded as
JSON (:func:`~sozialraum.maps.layers.script_json`, safe inside ``<script>``) and
``static/sozialraum/coverage.js`` builds every tooltip with ``textContent``. folium's own
tooltips and ``GeoJsonTooltip`` would insert them as HTML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from jinja2 import Template

from sozialraum.analysis.coverage import AGE_CLASSES
from sozialraum.maps.area_map import base_map
from sozialraum.maps.layers import Legend, RemoteLayer, script_json


@dataclass
class CoverageMapOptions:
    """Where the coverage map is and what it fetches."""

    bbox: tuple[float, float, float, float]  # west, south, east, north (degrees, EPSG:4326)
    districts_url: str = ""  # district outlines (API); empty: none
    district: str | None = None  # district id to emphasise
    tile_url: str | None = None
    tile_attribution: str = ""
    basemap: dict | None = None  # the own basemap (see area_map.base_map)


class CoverageLines(JSCSSMixin, MacroElement):
    """Street lines coloured per feature (``properties.colour``), labels as text only.

    Parameters
    ----------
    features : list of dict
        GeoJSON features (lon/lat, EPSG:4326) as made by
        :func:`sozialraum.services.coverage.coverage_features`.
    fit : bool
        Zoom the map to the streets when drawn.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumCoverageLines({{ this._parent.get_name() }}, {{ this.data_json }},
                                {{ this.options_json }});
        {% endmacro %}
        """
    )
    default_js = [
        ("sozialraum_layers", "/static/sozialraum/layers.js"),
        ("sozialraum_coverage", "/static/sozialraum/coverage.js"),
    ]
    default_css = [("sozialraum_map_css", "/static/sozialraum/map.css")]

    def __init__(self, features: list[dict], fit: bool = True):
        super().__init__()
        self._name = "CoverageLines"
        self.data_json = script_json({"type": "FeatureCollection", "features": features})
        self.options_json = script_json({"fit": bool(fit)})


def legend_items(features: list[dict]) -> list[dict]:
    """One legend row per age class (newest first) with the number of streets in it."""
    counts = Counter(f["properties"]["age_class"] for f in features)
    return [
        {"label": label, "colour": colour, "count": counts.get(label, 0)}
        for label, colour in AGE_CLASSES.items()
    ]


def build_coverage_map(features: list[dict], options: CoverageMapOptions) -> folium.Map:
    """Build the coverage map.

    Parameters
    ----------
    features : list of dict
        Street features in lon/lat (EPSG:4326) with ``name``, ``district``, ``last_visit``,
        ``last_kind``, ``visits_12m``, ``age_class`` and ``colour`` properties
        (:func:`sozialraum.services.coverage.coverage_features`).
    options : CoverageMapOptions
        Bounding box (degrees, EPSG:4326), district outlines URL, tile server (``None``: no
        background tiles).

    Returns
    -------
    folium.Map
    """
    fmap = base_map(
        options.bbox,
        options.tile_url,
        options.tile_attribution,
        zoom_start=15,
        basemap=options.basemap,
    )
    if options.districts_url:
        outlines = folium.FeatureGroup(name="Bezirksgrenzen", show=True)
        outlines.add_child(
            RemoteLayer(
                options.districts_url,
                {
                    "id": "districts",
                    "title": "Bezirksgrenzen",
                    "kind": "area",
                    "colour": "#3367d6",
                    "highlight": options.district,
                    "fit": not features,
                },
            )
        )
        outlines.add_to(fmap)
    streets = folium.FeatureGroup(name="Straßen nach letztem Besuch", show=True)
    streets.add_child(CoverageLines(features, fit=bool(features)))
    streets.add_to(fmap)
    fmap.add_child(Legend(legend_items(features), title="Letzter Besuch"))
    folium.LayerControl(collapsed=True).add_to(fmap)
    plugins.Fullscreen(title="Vollbild", title_cancel="Vollbild beenden").add_to(fmap)
    return fmap
