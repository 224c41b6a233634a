"""The map of an area or district: layers fetched from the API, legend, controls."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import folium
from folium import plugins

from sozialraum.maps.layers import (
    Attribution,
    Basemap,
    BasemapNotice,
    GermanControls,
    Legend,
    LocateControl,
    NotePlacer,
    RemoteLayer,
    WalkZones,
)
from sozialraum.model.categories import CategoryTable
from sozialraum.settings import OSM_ATTRIBUTION


@dataclass
class MapUrls:
    """API URLs the map fetches in the browser (built by the web layer)."""

    districts: str
    addresses: str
    layers: dict[str, str]
    resource_card: str = ""  # template with __ID__
    address_card: str = ""
    isochrones: str = ""  # POST API; empty: no walking-zones control
    notes: str = ""  # field notes (GeoJSON); empty: no notes layer
    note_card: str = ""  # note page template with __ID__
    new_note: str = ""  # new-note page; empty: no "place a note" control (viewers)
    offers: str = ""  # support offers (GeoJSON); empty: no offers layer
    offer_card: str = ""  # offer page template with __ID__


#: Colour of the offers layer (markers are diamonds, distinct from the round resource markers).
OFFER_COLOUR = "#6a1b9a"


@dataclass
class MapOptions:
    """What the map shows and where."""

    bbox: tuple[float, float, float, float]  # west, south, east, north (degrees, EPSG:4326)
    counts: dict[str, int] = field(default_factory=dict)
    district: str | None = None
    show_addresses: bool = True
    tile_url: str | None = None
    tile_attribution: str = ""
    csrf_token: str = ""
    note_categories: list[dict] = field(default_factory=list)  # id, label, colour
    place_note: bool = False  # start with the "place a note" control switched on
    basemap: dict | None = None  # the own basemap: url and bounds, or a notice (base_map)


def base_map(
    bbox: tuple[float, float, float, float],
    tile_url: str | None = None,
    tile_attribution: str = "",
    zoom_start: int = 15,
    basemap: dict | None = None,
) -> folium.Map:
    """An empty map fitted to ``bbox`` (west, south, east, north in degrees, EPSG:4326).

    With the OSM attribution and the municipality's tile server if one is configured, else the
    area's own basemap (issue 20).

    ``basemap``: ``{"url": "/tiles/<area>/{z}/{x}/{y}.mvt", "bounds": [[s, w], [n, e]]}``
    draws the own vector tiles (zoom up to 20);
    ``{"notice": text}`` shows that German notice on the map instead; ``None``: neither.
    Every map gets German controls, a scale in metres only and markers outside the tab order
    (:class:`~sozialraum.maps.layers.GermanControls`).

    Returns
    -------
    folium.Map
    """
    west, south, east, north = bbox
    own = bool(not tile_url and basemap and basemap.get("url"))
    max_zoom = 20 if own else 19
    # folium passes max_zoom only to its tile layer; without tiles the map itself needs
    # maxZoom, or Leaflet.markercluster refuses to work ("Map has no maxZoom specified")
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=zoom_start,
        tiles=None,
        max_zoom=max_zoom,
        maxZoom=max_zoom,
        # explicit, or Leaflet takes the basemap layer's minZoom (12) for the map's and a
        # whole city could no longer be seen at once (the basemap starts at zoom 12)
        minZoom=0,
        # Leaflet's default scale shows miles too: GermanControls adds one in metres only
        control_scale=False,
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
    elif own:
        fmap.add_child(Basemap(basemap["url"], basemap["bounds"]))
    elif basemap and basemap.get("notice"):
        fmap.add_child(BasemapNotice(basemap["notice"]))
    fmap.add_child(Attribution(OSM_ATTRIBUTION))
    fmap.add_child(GermanControls())
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def build_area_map(categories: CategoryTable, urls: MapUrls, options: MapOptions) -> folium.Map:
    """Build the folium map of an area (or one district of it).

    The page holds no data: each layer is fetched from the JSON API in the browser
    (see :class:`sozialraum.maps.layers.RemoteLayer`), so a map of a whole city
    stays small and layers refresh without rebuilding the page.

    Parameters
    ----------
    categories : CategoryTable
        One toggleable layer per category (in table order, German labels).
    urls : MapUrls
        API URLs for districts, addresses and each category layer.
    options : MapOptions
        Bounding box (degrees, EPSG:4326), counts per category for labels, the
        district to emphasise, tile server (``None`` = no background tiles).

    Returns
    -------
    folium.Map
    """
    fmap = base_map(
        options.bbox, options.tile_url, options.tile_attribution, basemap=options.basemap
    )
    _add_layer(
        fmap,
        "Bezirksgrenzen",
        urls.districts,
        {
            "id": "districts",
            "title": "Bezirksgrenzen",
            "kind": "area",
            "colour": "#3367d6",
            "highlight": options.district,
            "fit": True,
        },
    )
    legend = _add_category_layers(fmap, categories, urls, options.counts)
    _add_record_layers(fmap, urls, options, legend)
    fmap.add_child(Legend(legend))
    if urls.new_note:
        fmap.add_child(NotePlacer(urls.new_note, options.place_note))
    if urls.isochrones:
        fmap.add_child(WalkZones(urls.isochrones, options.csrf_token))
    _add_controls(fmap)
    return fmap


def _add_layer(fmap: folium.Map, name: str, url: str, spec: dict) -> None:
    """One toggleable group named ``name`` holding a :class:`RemoteLayer` fetched from ``url``.

    The caller HTML-escapes ``name`` where needed.
    """
    group = folium.FeatureGroup(name=name, show=True)
    group.add_child(RemoteLayer(url, spec))
    group.add_to(fmap)


def _add_category_layers(
    fmap: folium.Map, categories: CategoryTable, urls: MapUrls, counts: dict
) -> list[dict]:
    """One point layer per category, in table order; returns their legend entries."""
    labels = {cat.id: cat.label for cat in categories}
    legend = []
    for cat in categories:
        count = counts.get(cat.id, 0)
        legend.append({"id": cat.id, "label": cat.label, "colour": cat.colour, "count": count})
        _add_layer(
            fmap,
            html.escape(f"{cat.label} ({count})"),
            urls.layers[cat.id],
            {
                "id": cat.id,
                "title": cat.label,
                "kind": "point",
                "colour": cat.colour,
                "labels": labels,
                "cardUrl": urls.resource_card,
            },
        )
    return legend


def _add_record_layers(
    fmap: folium.Map, urls: MapUrls, options: MapOptions, legend: list[dict]
) -> None:
    """Addresses, notes and offers, each where asked for (offers get a legend entry)."""
    if options.show_addresses:
        _add_layer(
            fmap,
            "Adressen",
            urls.addresses,
            {
                "id": "addresses",
                "title": "Adressen",
                "kind": "point",
                "colour": "#9e9e9e",
                "radius": 4,
                "cluster": True,
                "cardUrl": urls.address_card,
                "cardLabel": "Adresskarte",
            },
        )
    if urls.notes:
        _add_layer(
            fmap,
            "Notizen",
            urls.notes,
            {
                "id": "notes",
                "title": "Notizen",
                "kind": "note",
                "colour": "#444444",
                "colours": {c["id"]: c["colour"] for c in options.note_categories},
                "cardUrl": urls.note_card,
                "cardLabel": "Notiz öffnen",
            },
        )
    if urls.offers:
        legend.append(
            {"id": "offers", "label": "Angebote", "colour": OFFER_COLOUR, "shape": "diamond"}
        )
        _add_layer(
            fmap,
            "Angebote",
            urls.offers,
            {
                "id": "offers",
                "title": "Angebote",
                "kind": "offer",
                "colour": OFFER_COLOUR,
                "cardUrl": urls.offer_card,
                "cardLabel": "Angebot öffnen",
            },
        )


def _add_controls(fmap: folium.Map) -> None:
    """Layer switcher, full screen and "Wo bin ich?" (the browser's location)."""
    folium.LayerControl(collapsed=True).add_to(fmap)
    plugins.Fullscreen(title="Vollbild", title_cancel="Vollbild beenden").add_to(fmap)
    LocateControl(
        strings={"title": "Wo bin ich?", "popup": "Sie sind hier (± {distance} m)"},
        flyTo=True,
        showPopup=True,
        icon="sr-locate-icon",
        iconLoading="sr-locate-icon",
    ).add_to(fmap)
