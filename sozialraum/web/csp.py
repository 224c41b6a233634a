"""Content-Security-Policy with a per-response nonce: no ``'unsafe-inline'`` anywhere.

Every response that renders a page draws a fresh random nonce (:func:`csp_nonce`, also a
Jinja global); templates put ``nonce="{{ csp_nonce() }}"`` on each ``<script>`` and
``<style>`` they emit, and the folium map documents get it through :func:`map_document`.
``script-src`` and ``style-src`` allow ``'self'`` (our own files) and that nonce only, so an
inline script or style that reached a page any other way (an injection) does not run, and
neither do inline event handlers (``onclick=``) or ``style=""`` attributes. Leaflet styles
its elements through the CSSOM (``element.style``), which CSP does not restrict.
"""

from __future__ import annotations

import html
import secrets
from urllib.parse import urlsplit

from flask import g

from sozialraum.maps.embed import map_parts, nonce_tags

__all__ = [
    "content_security_policy",
    "csp_nonce",
    "map_document",
    "nonce_tags",
    "page_map",
    "tile_source",
]


def csp_nonce() -> str:
    """The nonce of the current response (drawn on first use, 128 random bits, URL-safe).

    The Content-Security-Policy of the response names it only when the response asked for
    one, so a page without inline scripts or styles allows none.
    """
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def tile_source(tile_url: str | None) -> str:
    """The CSP source for a tile URL template (``{s}`` subdomains become ``*``)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(tile_url: str | None, nonce: str | None = None) -> str:
    """The policy: our own host only (plus the tile server for images).

    Parameters
    ----------
    tile_url : str or None
        The tile URL template; its host is allowed for images.
    nonce : str, optional
        The response's nonce: inline ``<script>`` and ``<style>`` elements that carry it
        run. Without one no inline script or style runs at all.
    """
    inline = f" 'nonce-{nonce}'" if nonce else ""
    img = " ".join(filter(None, ("'self'", "data:", tile_source(tile_url))))
    return (
        f"default-src 'self'; script-src 'self'{inline}; style-src 'self'{inline}; "
        f"img-src {img}; font-src 'self'; connect-src 'self'; worker-src 'self'; "
        "manifest-src 'self'; "
        "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


def map_document(fmap, nonce: str) -> str:
    """The HTML document of a folium map whose scripts and styles carry ``nonce``.

    folium's own page template puts every map script into one ``<script>`` element and its
    asset links, fixed styles and settings into ``<head>``. Here the head (built only from
    our asset lists and folium's fixed templates, never from data) gets the nonce on each
    tag, and the scripts are wrapped in one ``<script nonce>``. The body (the map's
    ``<div>``) is left as it is: a script or style element in it would be blocked.

    Parameters
    ----------
    fmap : folium.Map
    nonce : str
        The response's nonce (:func:`csp_nonce`).

    Returns
    -------
    str
        The whole document, like ``fmap.get_root().render()``.
    """
    root = fmap.get_root()
    for child in root._children.values():  # what Figure.render does before its template
        child.render()
    title = f"<title>{html.escape(root.title)}</title>" if root.title else ""
    head = nonce_tags(root.header.render(), nonce)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{title}    {head}\n</head>\n<body>\n    {root.html.render()}\n</body>\n"
        f'<script nonce="{nonce}">\n    {root.script.render()}\n</script>\n</html>\n'
    )


def page_map(fmap):
    """A folium map's parts for a page template, with the response's nonce (no iframe).

    See :func:`sozialraum.maps.embed.map_parts`; the template includes
    ``templates/_map.html``.
    """
    return map_parts(fmap, csp_nonce())
