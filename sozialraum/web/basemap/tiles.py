"""The tile endpoint of the own basemap and the basemap settings of the map pages.

Tiles hold OpenStreetMap data of the area only (streets, buildings, house numbers,
names): no notes, no resources, nothing of a team. They are read like the area's other
data (any logged-in user), and they may be kept in the browser's cache
(``Cache-Control: private``): for a day when the URL names the archive's current
identity (``?v=…``, as the map pages do: a rebuild changes the URL), otherwise they are
revalidated with the ETag every time. A tile outside the area or of an area without a
basemap is a 404 with an EMPTY body (the renderer parses any body as a tile); a corrupt
archive is a 503 with a German text, never a 500.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, request, url_for

from sozialraum.basemap.ground import ground_in_box
from sozialraum.services.basemap import ArchiveCache, BasemapArchiveError
from sozialraum.web import context as ctx

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
#: How long a browser may keep a tile whose URL names the archive's identity (seconds).
MAX_AGE_S = 86_400
UNAVAILABLE = "Die Grundkarte ist gerade nicht verfügbar."
#: The notice on a map page whose area has no readable basemap.
NOTICE = (
    "Grundkarte nicht verfügbar: Die Karte zeigt unsere Daten ohne Straßen und Gebäude. "
    "Bitte wenden Sie sich an Ihre IT (sozialraum basemap build)."
)


def archives() -> ArchiveCache:
    """The app's open basemap archives (one per area)."""
    return ctx.services().basemaps


def print_ground(area: str):
    """The basemap's ground for the area's printed maps, or ``None`` without a readable basemap.

    Returns
    -------
    callable or None
        ``(west_m, south_m, east_m, north_m) -> dict`` of ground polygons in metres
        (EPSG:25832, see :func:`sozialraum.basemap.ground.ground_in_box`); a damaged tile
        gives no ground instead of an error, the map keeps its streets.
    """
    cache = archives()
    if not cache.exists(area):
        return None
    try:
        archive = cache.archive(area)
    except BasemapArchiveError as exc:
        log.error("basemap of area %s unavailable for a printed map: %s", area, exc.message)
        return None

    def ground(west_m, south_m, east_m, north_m):
        try:
            return ground_in_box(archive, west_m, south_m, east_m, north_m)
        except BasemapArchiveError as exc:
            log.error("basemap of area %s unreadable for a printed map: %s", area, exc.message)
            return {}

    return ground


def _empty(status: int) -> Response:
    return Response(b"", status=status, mimetype=MEDIA_TYPE)


def _unavailable(area: str, why: str) -> Response:
    log.error("basemap of area %s unavailable: %s", area, why)
    response = Response(UNAVAILABLE, status=503, mimetype="text/plain")
    response.headers["Retry-After"] = "60"
    return response


def tile(area: str, z: int, x: int, y: int):
    """One vector tile, with ETag and 304 on ``If-None-Match``.

    Sent gzip-compressed as stored (MVT); uncompressed for a client without gzip.
    """
    cache = archives()
    if not cache.exists(area):
        return _empty(404)
    try:
        archive = cache.archive(area)
        data = archive.get(z, x, y)
        if data is None:
            return _empty(404)
        gzip_ok = request.accept_encodings["gzip"] > 0
        if not gzip_ok:
            data = archive.tile(z, x, y)
    except BasemapArchiveError as exc:
        return _unavailable(area, exc.message)
    etag = f"{archive.identity}-{z}-{x}-{y}" + ("" if gzip_ok else "-plain")
    current = request.args.get("v") == archive.identity
    cache_control = f"private, max-age={MAX_AGE_S}" if current else "private, no-cache"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(bytes(data), mimetype=MEDIA_TYPE)
        if gzip_ok:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding"
    return response


def basemap_options(area: str, bbox) -> dict | None:
    """What a map page needs to draw the basemap.

    ``url`` (a ``{z}/{x}/{y}`` template naming the archive's identity) and ``bounds``
    (``[[south, west], [north, east]]``, degrees, EPSG:4326); or ``{"notice": …}`` when the
    archive is missing or unreadable; ``None`` when the municipality's tile server
    (``TILE_URL``) replaces it.
    """
    if current_app.config.get("TILE_URL"):
        return None
    cache = archives()
    try:
        archive = cache.archive(area)
    except BasemapArchiveError as exc:
        log.warning("basemap of area %s not shown: %s", area, exc.message)
        return {"notice": NOTICE}
    template = url_for("pages.basemap_tile", area=area, z=0, x=0, y=0, v=archive.identity)
    url = template.replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    h = archive.header
    west, south = h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7
    east, north = h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7
    if not (west < east and south < north):
        west, south, east, north = bbox
    return {"url": url, "bounds": [[south, west], [north, east]]}
