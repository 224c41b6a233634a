"""The walk API (read): walks of an area, one walk with its route, exports of the stops.

Walks are planned and changed on the pages (forms); this API serves them to other tools.
Coordinates in lon/lat degrees (EPSG:4326).
"""

from __future__ import annotations

from flask import request

from sozialraum import settings
from sozialraum.analysis import route as _route
from sozialraum.analysis.walking import DEFAULT_SPEED_KMH, walk_minutes
from sozialraum.errors import InvalidInput
from sozialraum.services import walks
from sozialraum.services.exports import csv_text, geojson_bytes, geopackage_bytes
from sozialraum.web import context as ctx
from sozialraum.web._json import json_body
from sozialraum.web.responses import GEOJSON, cached_json, download, json_response
from sozialraum.web.walks import category_labels, shown_walk

SUMMARY = ("title", "walk_on", "purpose", "participants", "district", "team", "author",
           "route_m", "leg_m", "route_kind", "status", "version", "updated_at")  # fmt: skip
STOP_COLUMNS = {
    "walk_id": "Rundgang-Id",
    "walk_title": "Rundgang",
    "walk_on": "Datum",
    "district": "Bezirk-Id",
    "number": "Nr.",
    "kind": "Art",
    "ref": "Objekt-Id",
    "label": "Station",
    "leg_m": "Weg vom vorigen Halt (m)",
}


def _summary(walk: dict) -> dict:
    props = walk["properties"]
    body = {k: props.get(k) for k in SUMMARY}
    body["stops"] = [
        {k: s.get(k) for k in ("kind", "ref", "label", "categories")} for s in props["stops"]
    ]
    return {"type": "Feature", "id": walk["id"], "geometry": walk["geometry"], "properties": body}


def _walks(area: str) -> list[dict]:
    """The walks the current user may see (their team's), note stops as they may see them."""
    district = request.args.get("district") or None
    ctx.check_district(area, district)
    found = walks.list_walks(ctx.store(), area, district=district, reader=ctx.current_actor())
    return [shown_walk(area, w) for w in found]


def list_walks(area: str):
    """Walks of an area (stops as a MultiPoint in walking order), optionally of a district."""
    found = _walks(area)
    etag = ctx.team_etag(area, "walks", "notes")
    return cached_json(
        etag,
        lambda: {"type": "FeatureCollection", "features": [_summary(w) for w in found]},
        GEOJSON,
    )


def get_walk(area: str, walk_id: str):
    """One walk with its route along the streets (``route``: MultiLineString, one per leg)."""
    store = ctx.store()
    walk = walks.get_walk(store, area, walk_id, reader=ctx.current_actor())
    body = _summary(shown_walk(area, walk))
    legs = walks.walk_route(store, area, walk)["legs_lonlat"]
    body["properties"]["route"] = {"type": "MultiLineString", "coordinates": legs}
    return json_response(body, etag=f"v{walk['properties']['version']}")


def _stop_features(area: str) -> list[dict]:
    features = []
    for walk in _walks(area):
        props = walk["properties"]
        for number, stop in enumerate(props["stops"], start=1):
            features.append(
                {
                    "type": "Feature",
                    "id": f"{walk['id']}-{number}",
                    "geometry": {"type": "Point", "coordinates": [stop["lon"], stop["lat"]]},
                    "properties": {
                        "walk_id": walk["id"],
                        "walk_title": props["title"],
                        "walk_on": props["walk_on"],
                        "district": props["district"],
                        "number": number,
                        "kind": stop["kind"],
                        "ref": stop.get("ref"),
                        "label": stop["label"],
                        "leg_m": props["leg_m"][number - 2] if number > 1 else None,
                    },
                }
            )
    return features


def _name(area: str, suffix: str) -> str:
    return f"rundgaenge-{area}.{suffix}"


def export_csv(area: str):
    """The stops of all walks as CSV (one row per stop, in walking order)."""
    features = _stop_features(area)
    rows = [
        [*(f["properties"][c] for c in STOP_COLUMNS), *f["geometry"]["coordinates"]]
        for f in features
    ]
    header = [*STOP_COLUMNS.values(), "Länge (WGS84)", "Breite (WGS84)"]
    return download(csv_text(header, rows).encode("utf-8"), "text/csv", _name(area, "csv"))


def export_geojson(area: str):
    """The stops of all walks as GeoJSON points (EPSG:4326)."""
    return download(geojson_bytes(_stop_features(area)), GEOJSON, _name(area, "geojson"))


def export_gpkg(area: str):
    """The stops of all walks as a GeoPackage for QGIS (layer ``rundgaenge``)."""
    body = geopackage_bytes(_stop_features(area), list(STOP_COLUMNS), "rundgaenge")
    return download(body, "application/geopackage+sqlite3", _name(area, "gpkg"))


def _picks(raw: object) -> list[dict]:
    """The ``stops`` of a planner request as picks for :func:`walks.resolve_stops`."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("stops: send a list of 1 to 40 stops")
    if len(raw) > _route.MAX_STOPS:
        raise InvalidInput(f"Ein Rundgang hat höchstens {_route.MAX_STOPS} Stationen.")
    picks = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"kind", "ref", "lon", "lat", "label"}:
            raise InvalidInput(f"stop {number}: an object with kind and ref (or lon and lat)")
        kind = item.get("kind")
        if kind == "point":
            picks.append({k: item.get(k) for k in ("kind", "lon", "lat", "label")})
        elif isinstance(item.get("ref"), str):
            picks.append({"kind": kind, "ref": item["ref"]})
        else:
            raise InvalidInput(f"stop {number}: ref must be a string")
    return picks


def route_preview(area: str):
    """The planner's route: stops resolved and merged, in order or ordered, with the route.

    POST ``{"stops": [{"kind": "resource"|"address"|"note", "ref": id} |
    {"kind": "point", "lon": …, "lat": …}], "propose": false}``: nothing is stored (the
    places are in no URL). Metres along the walk network (EPSG:25832), lon/lat degrees.
    """
    body = json_body()
    if not isinstance(body, dict) or set(body) - {"stops", "propose"}:
        raise InvalidInput('send a JSON object {"stops": [...], "propose": false}')
    propose = body.get("propose", False)
    if not isinstance(propose, bool):
        raise InvalidInput("propose must be true or false")
    store = ctx.store()
    stops = walks.resolve_stops(
        store,
        area,
        _picks(body.get("stops")),
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
        today=settings.today(),
    )
    planned = walks.plan_order(store, area, walks.merge_stops(stops), propose=propose)
    route = walks.walk_route(store, area, {"properties": {"stops": planned["stops"]}})
    total = planned["route_m"]
    return json_response(
        {
            "stops": [
                {
                    "kind": s["kind"],
                    "ref": s["ref"],
                    "label": s["label"],
                    "lon": s["lon"],
                    "lat": s["lat"],
                }
                for s in planned["stops"]
            ],
            "route_m": total,
            "leg_m": planned["leg_m"],
            "walk_min": None if total is None else round(walk_minutes(total, DEFAULT_SPEED_KMH)),
            "route_kind": planned["route_kind"],
            "route": {"type": "MultiLineString", "coordinates": route["legs_lonlat"]},
        }
    )


def places(area: str):
    """Suggestions for the planner's start field: addresses, resource and stop names.

    POST ``{"q": "Neuss Hauptbahnhof", "limit": 10}`` (the text is in no URL or log).
    """
    body = json_body()
    if not isinstance(body, dict) or set(body) - {"q", "limit"}:
        raise InvalidInput('send a JSON object {"q": "Markt 1", "limit": 10}')
    query, limit = body.get("q", ""), body.get("limit", 10)
    if not isinstance(query, str) or len(query) > 200:
        raise InvalidInput("q must be a string of at most 200 characters")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 20:
        raise InvalidInput("limit must be a whole number from 1 to 20")
    found = walks.find_places(ctx.store(), area, query, labels=category_labels(), limit=limit)
    return json_response({"results": found})
