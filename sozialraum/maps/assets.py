"""Serve every folium asset from our own ``static/`` folder: no CDN, ever.

Front-end packages come from the npm registry (``package.json``) and are copied
to ``static/vendor`` at set-up by ``scripts/vendor_assets.py``.
"""

from __future__ import annotations

import folium
from folium import plugins

#: folium asset name -> path below ``static/``.
#: Our maps use only Leaflet from folium's defaults: jQuery, Bootstrap, Font Awesome and
#: awesome-markers (about 600 kB) are left out. With ``full=True`` all of folium's defaults
#: are served locally, for pages that use ``folium.Marker`` and ``folium.Icon(prefix="fa")``.
MAP_JS = {"leaflet": "vendor/leaflet/dist/leaflet.js"}
MAP_CSS = {"leaflet_css": "vendor/leaflet/dist/leaflet.css"}
FULL_MAP_JS = {
    **MAP_JS,
    "jquery": "vendor/jquery/dist/jquery.min.js",
    "bootstrap": "vendor/bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "vendor/leaflet.awesome-markers/dist/leaflet.awesome-markers.js",
}
FULL_MAP_CSS = {
    **MAP_CSS,
    "bootstrap_css": "vendor/bootstrap/dist/css/bootstrap.min.css",
    "awesome_markers_font_css": "vendor/@fortawesome/fontawesome-free/css/all.min.css",
    "awesome_markers_css": "vendor/leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
    "awesome_rotate_css": "vendor/folium/awesome-rotate.css",
}
PLUGIN_ASSETS = {
    plugins.MarkerCluster: (
        {"markerclusterjs": "vendor/leaflet.markercluster/dist/leaflet.markercluster.js"},
        {
            "markerclustercss": "vendor/leaflet.markercluster/dist/MarkerCluster.css",
            "markerclusterdefaultcss": (
                "vendor/leaflet.markercluster/dist/MarkerCluster.Default.css"
            ),
        },
    ),
    plugins.Fullscreen: (
        {"Control.Fullscreen.js": "vendor/leaflet.fullscreen/Control.FullScreen.js"},
        {"Control.FullScreen.css": "vendor/leaflet.fullscreen/Control.FullScreen.css"},
    ),
    plugins.LocateControl: (
        {"Control_locate_min_js": "vendor/leaflet.locatecontrol/dist/L.Control.Locate.min.js"},
        {"Control_locate_min_css": "vendor/leaflet.locatecontrol/dist/L.Control.Locate.min.css"},
    ),
}
#: Our own script and style that draw data layers with text-only labels.
LAYERS_JS = "sozialraum/layers.js"
#: German display formats the layer cards use (distances), also loaded by every page.
FORMATS_JS = "sozialraum/formats.js"
MAP_OWN_CSS = "sozialraum/map.css"
#: German controls, metric scale, markers out of the tab order (every map).
MAP_A11Y_JS = "sozialraum/map_a11y.js"
#: The own basemap's renderer (npm protomaps-leaflet) and our style for it.
BASEMAP_JS = {
    "protomaps_leaflet": "vendor/protomaps-leaflet/dist/protomaps-leaflet.js",
    "sozialraum_basemap": "sozialraum/basemap.js",
}


def _urls(static_url: str, assets: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, f"{static_url}/{path}") for name, path in assets.items()]


def use_local_assets(static_url: str = "/static", *, full: bool = False) -> None:
    """Point folium's Map and the plugins we use at files below ``static_url``.

    Assigns new lists per class (never ``add_js_link``, which changes shared lists).
    ``full=True`` also serves folium's jQuery, Bootstrap, Font Awesome and awesome-markers;
    Bootstrap 3 glyphicons have no npm equivalent and are always dropped: use
    ``folium.Icon(prefix="fa")``.
    """
    static_url = static_url.rstrip("/")
    folium.Map.default_js = _urls(static_url, FULL_MAP_JS if full else MAP_JS)
    folium.Map.default_css = _urls(static_url, FULL_MAP_CSS if full else MAP_CSS)
    for cls, (js, css) in PLUGIN_ASSETS.items():
        cls.default_js = _urls(static_url, js)
        cls.default_css = _urls(static_url, css)
    from sozialraum.maps.layers import Basemap, BasemapNotice, GermanControls, RemoteLayer

    GermanControls.default_js = [("sozialraum_map_a11y", f"{static_url}/{MAP_A11Y_JS}")]

    Basemap.default_js = _urls(static_url, BASEMAP_JS)
    BasemapNotice.default_css = [("sozialraum_map_css", f"{static_url}/{MAP_OWN_CSS}")]

    cluster_js, cluster_css = PLUGIN_ASSETS[plugins.MarkerCluster]
    RemoteLayer.default_js = [
        *_urls(static_url, cluster_js),
        ("sozialraum_formats", f"{static_url}/{FORMATS_JS}"),
        ("sozialraum_layers", f"{static_url}/{LAYERS_JS}"),
    ]
    RemoteLayer.default_css = [
        *_urls(static_url, cluster_css),
        ("sozialraum_map_css", f"{static_url}/{MAP_OWN_CSS}"),
    ]
