"""The map of an area: districts, one toggleable layer per category, legend, attribution."""

from __future__ import annotations

import html

import folium
from folium import plugins

from sozialraum.maps.layers import Attribution, Legend, SafeDataLayer
from sozialraum.model.categories import CategoryTable
from sozialraum.settings import OSM_ATTRIBUTION


def build_area_map(
    meta: dict,
    districts: list[dict],
    resources: list[dict],
    categories: CategoryTable,
    *,
    tile_url: str | None = None,
    tile_attribution: str = "",
) -> folium.Map:
    """Build the folium map of an area.

    Parameters
    ----------
    meta : dict
        Area metadata; ``bbox`` (west, south, east, north, degrees EPSG:4326) frames the map.
    districts, resources : list of dict
        GeoJSON Features (EPSG:4326) from the store.
    categories : CategoryTable
        One layer per category, in table order, labelled in German.
    tile_url : str, optional
        XYZ tile URL template; ``None`` or ``""`` for a map without background tiles.
    tile_attribution : str
        Attribution of the tile server (text; "© OpenStreetMap contributors" is always shown).

    Returns
    -------
    folium.Map
        All names reach the page as text (see :mod:`sozialraum.maps.layers`).
    """
    west, south, east, north = meta["bbox"]
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=15,
        tiles=None,
        max_zoom=19,
        control_scale=True,
        prefer_canvas=True,
    )
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=html.escape(tile_attribution or OSM_ATTRIBUTION),
            name="Hintergrundkarte",
            max_zoom=19,
            overlay=False,
            control=False,
        ).add_to(fmap)
    fmap.add_child(Attribution(OSM_ATTRIBUTION))

    area_group = folium.FeatureGroup(name=html.escape("Bezirke"), show=True)
    area_group.add_child(
        SafeDataLayer(districts, {"id": "districts", "kind": "area", "colour": "#3367d6"})
    )
    area_group.add_to(fmap)

    labels = {cat.id: cat.label for cat in categories}
    legend = []
    for cat in categories:
        members = [f for f in resources if cat.id in f["properties"].get("categories", ())]
        legend.append(
            {"id": cat.id, "label": cat.label, "colour": cat.colour, "count": len(members)}
        )
        if not members:
            continue
        group = folium.FeatureGroup(name=html.escape(f"{cat.label} ({len(members)})"), show=True)
        group.add_child(
            SafeDataLayer(
                members,
                {
                    "id": cat.id,
                    "kind": "point",
                    "colour": cat.colour,
                    "labels": labels,
                    "title": cat.label,
                },
            )
        )
        group.add_to(fmap)
    fmap.add_child(Legend(legend))
    folium.LayerControl(collapsed=True).add_to(fmap)
    plugins.Fullscreen(title="Vollbild", title_cancel="Vollbild beenden").add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
