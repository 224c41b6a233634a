"""folium elements whose data and labels never reach the page as HTML.

folium does not escape popups or tooltips (and puts them in JS template strings),
so OSM names like ``<img onerror=…>`` or ``${…}`` would run. These elements pass
values as JSON (with ``<``, ``>``, ``&``, ``/`` escaped for the ``<script>`` context);
``static/sozialraum/layers.js`` fetches layer data from the API and builds every
label with ``textContent``.
"""

from __future__ import annotations

import json
import re

from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from jinja2 import Template

from sozialraum.maps import _branca

_branca.install()  # every folium map is built with these layers: text is not compiled again

# "/" as "\/" keeps URLs in data (a resource's website) from reading as links in the page.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "/": "\\/",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


# A JSON string literal (after json.dumps: every quote inside is escaped).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _jinja_inert(match: re.Match) -> str:
    return match.group(0).replace("{", "\\u007b").replace("}", "\\u007d")


def script_json(value: object) -> str:
    """JSON text that is safe inside an inline ``<script>`` element.

    Braces inside strings are escaped as well: branca renders a macro's output a second
    time as a Jinja template, so ``{{ 7*7 }}`` in an OSM street name would otherwise be
    evaluated on the server. Braces outside strings can never open a Jinja tag in JSON
    (``{`` is followed by ``"`` or ``}`` there).
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return _STRING.sub(_jinja_inert, text)


class RemoteLayer(JSCSSMixin, MacroElement):
    """A layer whose GeoJSON is fetched from the API in the browser and drawn as text-only.

    Parameters
    ----------
    url : str
        API URL answering with a GeoJSON FeatureCollection (EPSG:4326).
    options : dict
        ``id`` (registry key), ``title`` (German), ``colour`` (hex), ``kind``
        (``"point"``, ``"area"``, ``"note"`` or ``"offer"``: support offers as diamonds,
        faded when flagged, region-wide ones without a place left out), ``cluster`` (bool),
        ``labels`` (category id -> label), ``cardUrl`` (link template with ``__ID__``),
        ``cardLabel`` (its text), ``highlight`` (feature id to emphasise), ``fit`` (zoom to
        the data when loaded).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumRemoteLayer({{ this._parent.get_name() }}, {{ this.url_json }},
                              {{ this.options_json }});
        {% endmacro %}
        """
    )
    default_js = [
        ("sozialraum_formats", "/static/sozialraum/formats.js"),
        ("sozialraum_layers", "/static/sozialraum/layers.js"),
    ]
    default_css = [("sozialraum_map_css", "/static/sozialraum/map.css")]

    def __init__(self, url: str, options: dict):
        super().__init__()
        self._name = "RemoteLayer"
        self.url_json = script_json(url)
        self.options_json = script_json(options)


class Legend(MacroElement):
    """A legend box (category colours and German labels), built as text in the browser.

    Items: ``label``, ``colour`` (hex), optional ``count`` and ``shape`` (``"diamond"``
    for the offers' markers; round otherwise).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumLegend({{ this._parent.get_name() }}, {{ this.items_json }},
                         {{ this.title_json }});
        {% endmacro %}
        """
    )

    def __init__(self, items: list[dict], title: str = "Legende"):
        super().__init__()
        self._name = "Legend"
        self.items_json = script_json(items)
        self.title_json = script_json(title)


class Attribution(MacroElement):
    """Adds an attribution text (e.g. "© OpenStreetMap-Mitwirkende") to the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution(
            sozialraumText({{ this.text_json }}));
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text_json = script_json(text)


class Basemap(JSCSSMixin, MacroElement):
    """The area's own basemap: vector tiles drawn by protomaps-leaflet below our layers.

    Drawn by ``static/sozialraum/basemap.js``, with German zoom buttons and a metric scale.

    Parameters
    ----------
    url : str
        Tile URL template with ``{z}``, ``{x}``, ``{y}`` (the app's ``/tiles/<area>/…``).
    bounds : list
        ``[[south, west], [north, east]]`` in degrees (EPSG:4326): no tile requests outside.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumBasemap({{ this._parent.get_name() }}, {{ this.url_json }},
                          {{ this.options_json }});
        {% endmacro %}
        """
    )
    default_js = [
        ("protomaps_leaflet", "/static/vendor/protomaps-leaflet/dist/protomaps-leaflet.js"),
        ("sozialraum_basemap", "/static/sozialraum/basemap.js"),
    ]

    def __init__(self, url: str, bounds: list):
        super().__init__()
        self._name = "Basemap"
        self.url_json = script_json(url)
        # attribution "": the map's Attribution element already names OpenStreetMap
        self.options_json = script_json({"bounds": bounds, "attribution": ""})


class BasemapNotice(JSCSSMixin, MacroElement):
    """A visible notice on the map, e.g. when the area's basemap is missing or unreadable.

    The German text is set with ``textContent``, never as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, text) {
            var notice = L.control({ position: "bottomleft" });
            notice.onAdd = function () {
                var box = L.DomUtil.create("div", "leaflet-control sozialraum-basemap-notice");
                box.setAttribute("role", "status");
                box.textContent = text;
                return box;
            };
            notice.addTo(map);
        })({{ this._parent.get_name() }}, {{ this.text_json }});
        {% endmacro %}
        """
    )
    default_css = [("sozialraum_map_css", "/static/sozialraum/map.css")]

    def __init__(self, text: str):
        super().__init__()
        self._name = "BasemapNotice"
        self.text_json = script_json(text)


class WalkZones(JSCSSMixin, MacroElement):
    """A map control: click a point, see what is reachable on foot in 5/10/15 minutes.

    Parameters
    ----------
    url : str
        The isochrone API (POST, JSON ``{"lon", "lat", "profil"}``).
    csrf_token : str
        Sent as ``X-CSRFToken``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumWalkZones({{ this._parent.get_name() }}, {{ this.url_json }},
                            {{ this.token_json }});
        {% endmacro %}
        """
    )
    default_js = [("sozialraum_walk", "/static/sozialraum/walk.js")]

    def __init__(self, url: str, csrf_token: str):
        super().__init__()
        self._name = "WalkZones"
        self.url_json = script_json(url)
        self.token_json = script_json(csrf_token)


class NotePlacer(JSCSSMixin, MacroElement):
    """A map control "Notiz setzen": the next click on the map opens the new-note form there.

    Parameters
    ----------
    url : str
        The new-note page; ``lon`` and ``lat`` (degrees, EPSG:4326) are added as query.
    active : bool
        Start switched on (the note form's "choose on the map" link).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumNotePlacer({{ this._parent.get_name() }}, {{ this.url_json }},
                             {{ this.active_json }});
        {% endmacro %}
        """
    )
    default_js = [("sozialraum_notes_map", "/static/sozialraum/notes_map.js")]

    def __init__(self, url: str, active: bool = False):
        super().__init__()
        self._name = "NotePlacer"
        self.url_json = script_json(url)
        self.active_json = script_json(bool(active))


class LocateControl(plugins.LocateControl):
    """folium's "where am I" control, with the position drawn as a Leaflet circle marker.

    leaflet.locatecontrol 0.66 draws the position and the compass heading as SVG markup with
    ``style=""`` attributes, which the Content-Security-Policy (no ``'unsafe-inline'``)
    blocks; a ``L.CircleMarker`` gets the same colours through the attributes Leaflet sets
    itself. The compass heading is switched off. Options as for folium's ``LocateControl``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control.locate({{ this.options | tojson }});
            {{ this.get_name() }}.options.markerClass = L.CircleMarker;
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, **kwargs):
        kwargs["showCompass"] = False
        super().__init__(**kwargs)


class GermanControls(JSCSSMixin, MacroElement):
    """Leaflet's controls in German, a metric-only scale, markers not in the tab order.

    Drawn by ``static/sozialraum/map_a11y.js`` (issue 21 §5): zoom buttons "Vergrößern" /
    "Verkleinern", layer switcher "Ebenen", popup close button "Schließen"; a scale in metres
    only where the map has none yet; marker icons get ``tabindex="-1"`` (they are reached
    through the list beside the map).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sozialraumMapA11y({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [("sozialraum_map_a11y", "/static/sozialraum/map_a11y.js")]

    def __init__(self):
        super().__init__()
        self._name = "GermanControls"
