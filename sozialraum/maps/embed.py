"""A folium map as parts of a page (issue 21 §5): no iframe, one document.

folium renders a map as a whole HTML document (``get_root()``: a Figure with a header, the
map's ``<div>`` and one script). Embedded in a page template instead, focus, language and
keyboard behave as one page, and the list beside the map calls the map's JavaScript directly.

:func:`map_parts` returns the three parts with every ``<script>`` and ``<style>`` tag of the
header carrying the response's CSP nonce; the page template writes them as

.. code-block:: jinja

    {% block head %}{{ map.header }}{% endblock %}
    ... {{ map.html }} ...
    <script nonce="{{ csp_nonce() }}">{{ map.script }}</script>

What folium puts into the header for a stand-alone document is left out: the
``<meta name="viewport" … user-scalable=no>`` (it would forbid zooming the page: WCAG 1.4.4),
and the styles that make ``html, body`` and ``#map`` fill the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

#: an opening ``<script`` or ``<style`` tag (not ``</script>``, not ``<scripts``)
_TAG = re.compile(r"<(script|style)(?=[\s>/])", re.IGNORECASE)
_HAS_NONCE = re.compile(r"\snonce\s*=", re.IGNORECASE)
#: folium's stand-alone document settings (see the module docstring)
_VIEWPORT = re.compile(r"<meta\s+name=\"viewport\"[^>]*>", re.IGNORECASE)
_PAGE_STYLES = re.compile(
    r"<style>\s*(?:html,\s*body|#map)\s*\{[^}]*\}\s*</style>", re.IGNORECASE | re.DOTALL
)


def nonce_tags(markup: str, nonce: str) -> str:
    """Put ``nonce="…"`` on every opening ``<script>`` and ``<style>`` tag of ``markup``.

    Only for markup the server built from trusted parts (folium's asset links and fixed
    styles): a tag that came from data would get the nonce too. Tags that already carry a
    nonce are left alone.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", nonce):
        raise ValueError("a nonce is URL-safe base64")

    def add(match: re.Match) -> str:
        attributes = markup[match.end() : markup.find(">", match.end())]
        if _HAS_NONCE.search(attributes):
            return match.group(0)
        return f'{match.group(0)} nonce="{nonce}"'

    return _TAG.sub(add, markup)


@dataclass(frozen=True)
class MapParts:
    """A folium map's parts for a page template (all :class:`markupsafe.Markup`).

    Attributes
    ----------
    header : Markup
        Asset links (``static/vendor``, ``static/sozialraum``) and the map's fixed style;
        every ``<script>``/``<style>`` carries the nonce. Goes into ``<head>``.
    html : Markup
        The map's ``<div class="folium-map" id="map_…">``; it fills its parent element.
    script : Markup
        The JavaScript that builds the map, without the ``<script>`` tag (the template
        writes ``<script nonce="…">`` around it, after ``html``).
    name : str
        The map's JavaScript variable (``map_…``).
    """

    header: Markup
    html: Markup
    script: Markup
    name: str


def map_parts(fmap, nonce: str) -> MapParts:
    """The parts of ``fmap`` to render into a page, with ``nonce`` on the header's tags.

    Parameters
    ----------
    fmap : folium.Map
        A map built by :mod:`sozialraum.maps` (data reaches its script as escaped JSON only,
        see :func:`sozialraum.maps.layers.script_json`).
    nonce : str
        The response's Content-Security-Policy nonce.

    Returns
    -------
    MapParts
    """
    root = fmap.get_root()
    for child in root._children.values():  # what Figure.render does before its template
        child.render()
    header = root.header.render()
    header = _PAGE_STYLES.sub("", _VIEWPORT.sub("", header))
    script = root.script.render()
    if re.search(r"</script", script, re.IGNORECASE):  # cannot happen with escaped JSON
        raise ValueError("a map script must not close its <script> element")
    return MapParts(
        header=Markup(nonce_tags(header, nonce)),
        html=Markup(root.html.render()),
        script=Markup(script),
        name=fmap.get_name(),
    )
