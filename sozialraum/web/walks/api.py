"""The walk API (read): walks of an area, one walk with its route, exports of the stops.

Walks are planned and changed on the pages (forms); this API serves them to other tools.
Coordinates in lon/lat degrees (EPSG:4326).
"""

from __future__ import annotations

from sozialraum import settings
from sozialraum.analysis.walking import DEFAULT_SPEED_KMH, walk_minutes
from sozialraum.services import walks
from sozialraum.services.exports import csv_text, geojson_bytes, geopackage_bytes
from sozialraum.web import context as ctx
from sozialraum.web.responses import GEOJSON, cached_json, download, json_response
from sozialraum.web.schemas import STRING, operation
from sozialraum.web.walks import category_labels, shown_walk
from sozialraum.web.walks.schemas import (
    Places,
    PlacesInput,
    PlannerRouteInput,
    Walk,
    WalkCollection,
    WalkFilters,
    WalkPlan,
)

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


def _walks(area: str, query: WalkFilters) -> list[dict]:
    """The walks the current user may see (their team's), note stops as they may see them."""
    district = query.district or None
    ctx.check_district(area, district)
    found = walks.list_walks(ctx.store(), area, district=district, reader=ctx.current_actor())
    return [shown_walk(area, w) for w in found]


@operation(
    "Walks (Sozialraumerkundungen) of an area, stops in walking order",
    query=WalkFilters,
    ok=WalkCollection,
    media=GEOJSON,
    errors=(304, 401, 404),
)
def list_walks(area: str, query: WalkFilters):
    """Walks of an area (stops as a MultiPoint in walking order), optionally of a district."""
    found = _walks(area, query)
    etag = ctx.team_etag(area, "walks", "notes")
    return cached_json(
        etag,
        lambda: {"type": "FeatureCollection", "features": [_summary(w) for w in found]},
        GEOJSON,
    )


@operation(
    "One walk with its route along the streets (MultiLineString, lon/lat)",
    ok=Walk,
    media=GEOJSON,
    errors=(401, 404),
)
def get_walk(area: str, walk_id: str):
    """One walk with its route along the streets (``route``: MultiLineString, one per leg)."""
    store = ctx.store()
    walk = walks.get_walk(store, area, walk_id, reader=ctx.current_actor())
    body = _summary(shown_walk(area, walk))
    legs = walks.walk_route(store, area, walk)["legs_lonlat"]
    body["properties"]["route"] = {"type": "MultiLineString", "coordinates": legs}
    return json_response(body, etag=f"v{walk['properties']['version']}")


def _stop_features(area: str, query: WalkFilters) -> list[dict]:
    features = []
    for walk in _walks(area, query):
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


def export(summary: str, media: str, schema: dict = STRING):
    """Declare a walks export: ``GET`` with the walk filters, a ``media`` file."""
    return operation(
        summary, query=WalkFilters, ok=schema, media=media, etag=False, errors=(400, 401, 404)
    )


@export("Stops of all walks as CSV", "text/csv")
def export_csv(area: str, query: WalkFilters):
    """The stops of all walks as CSV (one row per stop, in walking order)."""
    features = _stop_features(area, query)
    rows = [
        [*(f["properties"][c] for c in STOP_COLUMNS), *f["geometry"]["coordinates"]]
        for f in features
    ]
    header = [*STOP_COLUMNS.values(), "Länge (WGS84)", "Breite (WGS84)"]
    return download(csv_text(header, rows).encode("utf-8"), "text/csv", _name(area, "csv"))


@export("Stops of all walks as GeoJSON points", GEOJSON, {"type": "object"})
def export_geojson(area: str, query: WalkFilters):
    """The stops of all walks as GeoJSON points (EPSG:4326)."""
    features = _stop_features(area, query)
    return download(geojson_bytes(features), GEOJSON, _name(area, "geojson"))


@export("Stops of all walks as GeoPackage (layer 'rundgaenge')", "application/geopackage+sqlite3")
def export_gpkg(area: str, query: WalkFilters):
    """The stops of all walks as a GeoPackage for QGIS (layer ``rundgaenge``)."""
    body = geopackage_bytes(_stop_features(area, query), list(STOP_COLUMNS), "rundgaenge")
    return download(body, "application/geopackage+sqlite3", _name(area, "gpkg"))


@operation(
    "The planner's route (nothing stored): stops resolved, repeats merged, in the order "
    "sent or the shortest found (propose), with their route along the streets",
    body=PlannerRouteInput,
    ok=WalkPlan,
    etag=False,
    errors=(400, 401, 404, 413),
)
def route_preview(area: str, body: PlannerRouteInput):
    """The planner's route: stops resolved and merged, in order or ordered, with the route.

    POST ``{"stops": [{"kind": "resource"|"address"|"note", "ref": id} |
    {"kind": "point", "lon": …, "lat": …}], "propose": false}``: nothing is stored (the
    places are in no URL). Metres along the walk network (EPSG:25832), lon/lat degrees.
    """
    picks = [
        {"kind": p.kind, "lon": p.lon, "lat": p.lat, "label": p.label}
        if p.kind == "point"
        else {"kind": p.kind, "ref": p.ref}
        for p in body.stops
    ]
    store = ctx.store()
    stops = walks.resolve_stops(
        store,
        area,
        picks,
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
        today=settings.today(),
    )
    planned = walks.plan_order(store, area, walks.merge_stops(stops), propose=body.propose)
    route = walks.walk_route(store, area, {"properties": {"stops": planned["stops"]}})
    total = planned["route_m"]
    return json_response(
        {
            "stops": [
                {k: s[k] for k in ("kind", "ref", "label", "lon", "lat")} for s in planned["stops"]
            ],
            "route_m": total,
            "leg_m": planned["leg_m"],
            "walk_min": None if total is None else round(walk_minutes(total, DEFAULT_SPEED_KMH)),
            "route_kind": planned["route_kind"],
            "route": {"type": "MultiLineString", "coordinates": route["legs_lonlat"]},
        }
    )


@operation(
    "Suggestions for the planner's start field: addresses, resource and stop names "
    "(POST: the text is in no URL or log)",
    body=PlacesInput,
    ok=Places,
    etag=False,
    errors=(400, 401, 404, 413),
)
def places(area: str, body: PlacesInput):
    """Suggestions for the planner's start field: addresses, resource and stop names.

    POST ``{"q": "Neuss Hauptbahnhof", "limit": 10}`` (the text is in no URL or log).
    """
    found = walks.find_places(ctx.store(), area, body.q, labels=category_labels(), limit=body.limit)
    return json_response({"results": found})
