"""Online import through osmnx (Overpass API, Nominatim for place names).

Run as a CLI job, never inside a web request: osmnx changes process-wide state
(``socket.getaddrinfo``). Timeouts are set, HTTP 429/504 are not retried, the
DNS-over-HTTPS fallback is off, and the response cache is off.
"""

from __future__ import annotations

import contextvars
import math
import re
import socket
from contextlib import contextmanager

import requests
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from sozialraum.errors import OsmImportError, OverpassUnavailable
from sozialraum.model.categories import CategoryTable
from sozialraum.model.mailbox import osm_filter_tags
from sozialraum.osm._reader import DISTRICT_ADMIN_LEVELS, iso_timestamp
from sozialraum.osm._records import Boundary, OsmData, OsmObject
from sozialraum.settings import ImportSettings

HOW_TO_USE_A_FILE = (
    "Import from a file instead: download an OSM extract of the area (for example from"
    " a Geofabrik mirror or the export function of openstreetmap.org) and run"
    " 'sozialraum import --osm-file FILE --area NAME [--clip AREA.geojson]'."
)
_ELEMENT_TYPES = {"node": "n", "way": "w", "relation": "r"}
ADMIN_LEVELS = tuple(str(level) for level in DISTRICT_ADMIN_LEVELS)


#: The ``osm3s.timestamp_osm_base`` values of the Overpass answers of the running fetch.
_BASE_TIMES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "overpass_base_times", default=None
)


def _check_response(response, *args, **kwargs):
    """Response hook: no endless retries, runtime errors are errors, data time kept.

    No endless 429/504 retries; Overpass runtime errors are errors; the answer's data time
    (``osm3s.timestamp_osm_base``) is remembered.
    """
    if response.status_code in (429, 504):
        raise OverpassUnavailable(
            f"the server {response.url.split('?')[0]} is overloaded "
            f"(HTTP {response.status_code}). Try again later. {HOW_TO_USE_A_FILE}"
        )
    if response.ok and response.url.split("?")[0].endswith("/interpreter"):
        try:
            body = response.json()
        except ValueError:
            body = None
        remark = body.get("remark", "") if isinstance(body, dict) else ""
        base = (
            (body.get("osm3s") or {}).get("timestamp_osm_base") if isinstance(body, dict) else None
        )
        seen = _BASE_TIMES.get()
        if seen is not None and isinstance(base, str) and base:
            seen.append(base)
        if "error" in remark:
            raise OverpassUnavailable(
                f"the Overpass server stopped the query: {remark[:200]} {HOW_TO_USE_A_FILE}"
            )
    return response


def _short(exc: Exception) -> str:
    """The gist of an HTTP error (Overpass sends whole HTML pages)."""
    text = re.sub(r"<[^>]+>", " ", str(exc))
    match = re.search(r"Error\s*:\s*(.+)", text)
    text = match.group(1) if match else text
    return " ".join(text.split())[:200]


@contextmanager
def _osmnx_settings(settings: ImportSettings):
    import osmnx as ox

    names = (
        "overpass_url",
        "nominatim_url",
        "requests_timeout",
        "doh_url_template",
        "use_cache",
        "overpass_rate_limit",
        "requests_kwargs",
        "log_console",
    )
    saved = {name: getattr(ox.settings, name) for name in names}
    original_getaddrinfo = socket.getaddrinfo
    ox.settings.overpass_url = settings.overpass_url
    ox.settings.nominatim_url = settings.nominatim_url
    # also the query's [timeout:N], which Overpass reads as a whole number of seconds
    ox.settings.requests_timeout = max(1, math.ceil(settings.timeout_s))
    ox.settings.doh_url_template = None
    ox.settings.use_cache = False
    ox.settings.overpass_rate_limit = False
    ox.settings.log_console = False
    ox.settings.requests_kwargs = {"hooks": {"response": [_check_response]}}
    try:
        yield ox
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)
        socket.getaddrinfo = original_getaddrinfo


def _objects_from_gdf(gdf, classify) -> list[OsmObject]:
    objects = []
    tag_columns = [c for c in gdf.columns if c not in ("geometry", "nodes", "ways")]
    for (element, osm_id), geometry, *values in zip(
        gdf.index, gdf.geometry, *(gdf[c] for c in tag_columns), strict=True
    ):
        if geometry is None or geometry.is_empty:
            continue
        tags = {
            c: str(v) for c, v in zip(tag_columns, values, strict=True) if v is not None and v == v
        }
        point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
        objects.append(
            OsmObject(_ELEMENT_TYPES[element], int(osm_id), point.x, point.y, tags, classify(tags))
        )
    return objects


def _boundaries(ox, polygon) -> list[Boundary]:
    """Administrative boundaries with admin_level 9/10 intersecting ``polygon`` (may be none)."""
    from osmnx._errors import InsufficientResponseError

    try:
        gdf = ox.features_from_polygon(polygon, tags={"admin_level": list(ADMIN_LEVELS)})
    except InsufficientResponseError:
        return []
    found = []
    for (element, osm_id), row in gdf.iterrows():
        geometry = row.geometry
        if row.get("boundary") != "administrative" or geometry is None:
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        level = int(row["admin_level"])
        name = row.get("name") if isinstance(row.get("name"), str) else f"Bezirk {osm_id}"
        found.append(Boundary(_ELEMENT_TYPES[element], int(osm_id), name, level, geometry))
    return found


def _walk_ways(ox, polygon) -> tuple[list[list[tuple[int, float, float]]], list]:
    """Walkable ways intersecting ``polygon`` as node lists, and the named streets among them.

    The node lists are for the walk network; the streets come as ``(name, [(lon, lat), ...])``
    (degrees, EPSG:4326).

    osmnx's features carry no node ids: ways are joined where they share a coordinate (as
    OSM ways share nodes), with negative synthetic node ids.
    """
    from osmnx._errors import InsufficientResponseError

    from sozialraum.analysis.streets import is_named_street
    from sozialraum.analysis.walking import walkable

    try:
        gdf = ox.features_from_polygon(polygon, tags={"highway": True})
    except InsufficientResponseError:
        return [], []
    columns = [c for c in ("highway", "foot", "access", "name") if c in gdf.columns]
    node_ids: dict[tuple[float, float], int] = {}
    ways, streets = [], []
    for (element, _), geometry, *values in zip(
        gdf.index, gdf.geometry, *(gdf[c] for c in columns), strict=True
    ):
        tags = {c: v for c, v in zip(columns, values, strict=True) if isinstance(v, str)}
        if element != "way" or geometry is None or not walkable(tags):
            continue
        line = geometry.exterior if geometry.geom_type == "Polygon" else geometry
        if line.geom_type not in ("LineString", "LinearRing"):
            continue
        nodes = []
        for x, y in line.coords:
            key = (round(x, 7), round(y, 7))
            nodes.append((node_ids.setdefault(key, -1 - len(node_ids)), x, y))
        ways.append(nodes)
        if is_named_street(tags):
            streets.append((tags["name"], list(line.coords)))
    return ways, streets


def _merge_tags(first: dict, second: dict) -> dict:
    """Two osmnx tag filters as one (``True`` = any value wins over a value list)."""
    merged = dict(first)
    for key, values in second.items():
        old = merged.get(key)
        if old is True or values is True:
            merged[key] = True
        else:
            merged[key] = sorted({*(old or []), *values})
    return merged


def fetch(
    table: CategoryTable,
    settings: ImportSettings,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[OsmData, BaseGeometry]:
    """Download resources and addresses for a place or a bbox.

    Parameters
    ----------
    table : CategoryTable
        Its rules become the Overpass tag filter (plus ``addr:housenumber``).
    settings : ImportSettings
        Server URLs and timeout (seconds).
    place : str, optional
        Place name resolved by Nominatim to a polygon.
    bbox : tuple of float, optional
        (west, south, east, north) in degrees, EPSG:4326.

    Returns
    -------
    (OsmData, shapely geometry)
        The objects as points (EPSG:4326), the walkable ways and named streets, the
        data's time (``base_timestamp``: the answers' ``osm3s.timestamp_osm_base``, the
        oldest of them; ``None`` if the server sent none), and the polygon that was
        queried.
    """
    tags = _merge_tags(table.osmnx_tags(), {**osm_filter_tags(), "addr:housenumber": True})
    base_times: list[str] = []
    token = _BASE_TIMES.set(base_times)
    try:
        data, polygon = _fetch(tags, table, settings, place=place, bbox=bbox)
    finally:
        _BASE_TIMES.reset(token)
    # the oldest answer's time: every object is at least that new (osmnx drops the
    # objects' own timestamps, so there is no newest object to fall back to)
    data.base_timestamp = min(filter(None, map(iso_timestamp, base_times)), default=None)
    data.base_source = "overpass"
    return data, polygon


def _fetch(tags, table, settings, *, place, bbox) -> tuple[OsmData, BaseGeometry]:
    with _osmnx_settings(settings) as ox:
        from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

        try:
            if place is not None:
                try:
                    places = ox.geocode_to_gdf(place)
                except (InsufficientResponseError, TypeError, ValueError):
                    raise OsmImportError(f"place not found: {place!r}") from None
                polygon = places.geometry.iloc[0]
                if polygon.geom_type not in ("Polygon", "MultiPolygon"):
                    raise OsmImportError(f"place {place!r} has no boundary polygon; use --bbox")
                gdf = ox.features_from_polygon(polygon, tags=tags)
            else:
                polygon = box(*bbox)
                gdf = ox.features_from_bbox(bbox, tags=tags)
            boundaries = _boundaries(ox, polygon)
            walk_ways, street_lines = _walk_ways(ox, polygon)
        except InsufficientResponseError:
            raise OsmImportError("no resources or addresses found in the requested area") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OverpassUnavailable(
                f"cannot reach the OSM servers ({type(exc).__name__}). {HOW_TO_USE_A_FILE}"
            ) from None
        except (ResponseStatusCodeError, requests.RequestException) as exc:
            raise OverpassUnavailable(
                f"the OSM server answered with an error: {_short(exc)}. {HOW_TO_USE_A_FILE}"
            ) from None
    data = OsmData(
        objects=_objects_from_gdf(gdf, table.classify),
        boundaries=boundaries,
        walk_ways=walk_ways,
        street_lines=street_lines,
    )
    return data, polygon


def fetch_basemap_elements(
    settings: ImportSettings, bounds: tuple[float, float, float, float]
) -> list[dict]:
    """Every OSM element in a box, for the basemap of an online import.

    One Overpass query (``[out:json]``, every node, way and relation in the box and what
    they reference) without osmnx; the same timeouts and error rules as :func:`fetch`.

    Parameters
    ----------
    settings : ImportSettings
        Server URL and timeout (seconds).
    bounds : tuple of float
        (west, south, east, north) in degrees, EPSG:4326.

    Returns
    -------
    list of dict
        The Overpass JSON elements.
    """
    west, south, east, north = bounds
    timeout = max(1, math.ceil(settings.timeout_s))
    query = (
        f"[out:json][timeout:{timeout}];"
        f"(nwr({south:.7f},{west:.7f},{north:.7f},{east:.7f});>;);out body;"
    )
    url = settings.overpass_url.rstrip("/") + "/interpreter"
    try:
        response = requests.post(url, data={"data": query}, timeout=settings.timeout_s)
        _check_response(response)
        response.raise_for_status()
        body = response.json()
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise OverpassUnavailable(
            f"cannot reach the OSM servers ({type(exc).__name__}). {HOW_TO_USE_A_FILE}"
        ) from None
    except (requests.RequestException, ValueError) as exc:
        raise OverpassUnavailable(
            f"the OSM server answered with an error: {_short(exc)}. {HOW_TO_USE_A_FILE}"
        ) from None
    elements = body.get("elements") if isinstance(body, dict) else None
    if not isinstance(elements, list):
        raise OsmImportError("the Overpass answer has no elements")
    return elements
