"""The choropleth map of a district profile: districts coloured by one figure, with a legend.

The districts and the "far from a post box" addresses are fetched from the API in the
browser (:class:`~sozialraum.maps.layers.RemoteLayer`); colours and value texts are passed as
JSON, never as HTML. branca's colour-map legend loads d3 from a CDN, so the legend is our own.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from folium import plugins

from sozialraum.analysis import profile as _profile
from sozialraum.maps.area_map import base_map
from sozialraum.maps.layers import Legend, RemoteLayer
from sozialraum.model.categories import CategoryTable

#: Five classes, light to dark (ColorBrewer): good when high, bad when high.
GREENS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
REDS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
NO_VALUE = "#bdbdbd"
FAR = "far_post_box"


@dataclass
class ProfileMapOptions:
    """Where the profile map fetches its layers and what it colours."""

    bbox: tuple[float, float, float, float]  # west, south, east, north (degrees, EPSG:4326)
    metric: str
    districts_url: str
    far_url: str | None = None
    tile_url: str | None = None
    tile_attribution: str = ""
    basemap: dict | None = None  # the own basemap (see area_map.base_map)


def metric_choices(table: CategoryTable) -> list[tuple[str, str]]:
    """The figures a profile map can show: ``(key, German label)``."""
    within = _profile.WITHIN_MIN
    choices = [
        (f"within:{c}", f"Anteil der Adressen ≤ {within:g} Minuten zu Fuß zu: {table[c].label}")
        for c in _profile.REACH_CATEGORIES
        if c in table
    ]
    if _profile.POST_BOX in table:
        choices.append((FAR, "Anteil der Adressen mehr als 1.000 m vom nächsten Briefkasten"))
    choices += [(f"per_1000:{c.id}", f"{c.label} je 1.000 Adressen") for c in table]
    return choices


def metric_value(row: dict, metric: str) -> float | None:
    """A profile row's figure for ``metric`` (percent for shares)."""
    if metric == FAR:
        far = row["far_from_post_box"]
        return None if far is None or not row["addresses"] else 100 * far / row["addresses"]
    kind, _, category = metric.partition(":")
    if kind == "within":
        share = row["within"].get(category)
        return None if share is None else 100 * share
    if kind == "per_1000":
        return row["per_1000"].get(category)
    raise KeyError(metric)


def _format(value: float, percent: bool) -> str:
    text = f"{value:.0f}" if percent else f"{value:.1f}"
    return text.replace(".", ",") + (" %" if percent else "")


def classify(values: dict[str, float | None], *, percent: bool, palette) -> tuple[dict, list]:
    """Colour per district id and legend items.

    Five equal classes (0–100 for percentages, else from the smallest to the largest value);
    districts without a value are grey.
    """
    known = [v for v in values.values() if v is not None]
    low, high = (0.0, 100.0) if percent else (min(known, default=0.0), max(known, default=0.0))
    step = (high - low) / len(palette) or 1.0
    fills, used = {}, set()
    for district_id, value in values.items():
        if value is None:
            fills[district_id] = NO_VALUE
            used.add(-1)
            continue
        index = min(int((value - low) / step), len(palette) - 1)
        fills[district_id] = palette[index]
        used.add(index)
    legend = []
    for index, colour in enumerate(palette):
        start, end = low + index * step, low + (index + 1) * step
        if index in used or percent:
            label = f"{_format(start, percent)} bis {_format(end, percent)}"
            legend.append({"label": label, "colour": colour})
    if -1 in used:
        legend.append({"label": "keine Adressen", "colour": NO_VALUE})
    return fills, legend


def build_profile_map(
    rows: list[dict], table: CategoryTable, options: ProfileMapOptions
) -> folium.Map:
    """Build the choropleth map of a district profile.

    Parameters
    ----------
    rows : list of dict
        District profile rows (:func:`sozialraum.analysis.profile.district_profile`).
    table : CategoryTable
    options : ProfileMapOptions
        Bounding box (degrees, EPSG:4326), metric key (see :func:`metric_choices`), API URLs.

    Returns
    -------
    folium.Map
    """
    labels = dict(metric_choices(table))
    if options.metric not in labels:
        raise KeyError(options.metric)
    percent = not options.metric.startswith("per_1000:")
    palette = REDS if options.metric == FAR else GREENS
    districts = [r for r in rows if r["id"] != _profile.TOTAL_ID]
    values = {r["id"]: metric_value(r, options.metric) for r in districts}
    fills, legend = classify(values, percent=percent, palette=palette)
    texts = {
        d: f"{labels[options.metric]}: " + ("keine Adressen" if v is None else _format(v, percent))
        for d, v in values.items()
    }

    fmap = base_map(
        options.bbox,
        options.tile_url,
        options.tile_attribution,
        zoom_start=14,
        basemap=options.basemap,
    )
    group = folium.FeatureGroup(name="Bezirke", show=True)
    group.add_child(
        RemoteLayer(
            options.districts_url,
            {
                "id": "districts",
                "title": "Bezirke",
                "kind": "area",
                "colour": "#333333",
                "fills": fills,
                "values": texts,
                "fit": True,
            },
        )
    )
    group.add_to(fmap)
    if options.far_url:
        far = folium.FeatureGroup(name="Adressen > 1.000 m vom Briefkasten", show=True)
        far.add_child(
            RemoteLayer(
                options.far_url,
                {
                    "id": "far",
                    "title": "Adressen mehr als 1.000 m vom Briefkasten",
                    "kind": "point",
                    "colour": "#b71c1c",
                    "radius": 5,
                    "distanceLabel": "Weg zum nächsten Briefkasten",
                },
            )
        )
        far.add_to(fmap)
        legend.append({"label": "Adresse > 1.000 m vom Briefkasten", "colour": "#b71c1c"})
    fmap.add_child(Legend(legend, title=labels[options.metric]))
    folium.LayerControl(collapsed=True).add_to(fmap)
    plugins.Fullscreen(title="Vollbild", title_cancel="Vollbild beenden").add_to(fmap)
    return fmap
