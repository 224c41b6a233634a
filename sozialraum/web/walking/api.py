"""The walking API: isochrones, nearest resources on foot, district profiles, CSV export."""

from __future__ import annotations

import json
import math

from flask import Response, request

from sozialraum.analysis import profile as _profile
from sozialraum.analysis.reachability import NETWORK_ARTIFACT
from sozialraum.analysis.walking import walk_minutes
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.services import areas as services
from sozialraum.services import exports
from sozialraum.web import context as ctx
from sozialraum.web._json import json_body
from sozialraum.web.areas.api import ADDRESS_FIELDS
from sozialraum.web.responses import GEOJSON, cached_json, feature_collection, public_feature

MAX_FAR_DISTANCE_M = 100_000
#: GeoJSON members refused in a point body: the point is ``lon``/``lat`` (WGS 84) only.
GEOJSON_MEMBERS = frozenset({"crs", "geometry", "coordinates", "type", "bbox", "features"})


def _revisions(area: str) -> tuple[str, ...]:
    store = ctx.store()
    return (
        store.artifact_revision(area, NETWORK_ARTIFACT),
        store.revision(area, "resources"),
        store.revision(area, "addresses"),
    )


def _speed() -> float:
    return services.speed_kmh(request.args.get("profil"))


def _number(body: dict, key: str, low: float, high: float) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{key} must be a number")
    if not low <= value <= high:
        raise InvalidInput(f"{key} must be between {low} and {high}")
    return float(value)


def json_point(shape: str) -> tuple[dict, float, float]:
    """The JSON body of a point request and its ``lon``/``lat`` (degrees, EPSG:4326).

    ``shape`` is the expected object, named in the error for anything that is no object.
    GeoJSON members (``crs``, ``geometry``, …) are refused rather than ignored.
    """
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput(f"send a JSON object {shape}")
    geojson = sorted(GEOJSON_MEMBERS & set(body))
    if geojson:  # e.g. a "crs" (RFC 7946 forbids it) or a geometry that would be ignored
        raise InvalidInput(
            f"unknown fields {', '.join(geojson)}: send the point as lon and lat "
            "(WGS 84 degrees, EPSG:4326) only"
        )
    return body, _number(body, "lon", -180, 180), _number(body, "lat", -90, 90)


def isochrones(area: str):
    """5/10/15-minute walking areas around a point (POST, so the point is in no URL or log)."""
    body, lon, lat = json_point('{"lon": …, "lat": …, "profil": "normal"}')
    profile = body.get("profil")
    if profile is not None and not isinstance(profile, str):
        raise InvalidInput("profil must be normal or langsam")
    speed = services.speed_kmh(profile)
    collection = services.walk_isochrones(ctx.store(), area, lon, lat, speed)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, mimetype=GEOJSON, headers={"Cache-Control": "no-store"})


def address_walk(area: str, address_id: str):
    """Nearest resource of each category on foot from one address."""
    store, table = ctx.store(), ctx.categories()
    store.get(area, "addresses", address_id)  # 404 for an unknown address
    speed = _speed()
    return cached_json(
        ctx.etag(area, address_id, *_revisions(area)),
        lambda: services.nearest_resources(store, area, address_id, table, speed=speed),
    )


def profile(area: str):
    """District profile: counts, per 1,000 addresses, walking reach, far from post box."""
    store, table = ctx.store(), ctx.categories()
    speed = _speed()
    meta_teams = store.read_meta(area).get("teams")
    etag = ctx.etag(area, meta_teams, store.revision(area, "districts"), *_revisions(area))
    return cached_json(
        etag,
        lambda: {
            "area": area,
            "speed_kmh": speed,
            "within_min": _profile.WITHIN_MIN,
            "post_box_max_m": _profile.POST_BOX_MAX_M,
            "districts": services.area_profile(store, area, table, speed=speed),
        },
    )


def profile_csv(area: str):
    """The district profile as CSV for spreadsheets (``;``, decimal comma, UTF-8 with BOM)."""
    store, table = ctx.store(), ctx.categories()
    rows = services.area_profile(store, area, table, speed=_speed())
    body = exports.profile_csv(rows, table).encode("utf-8")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="bezirksprofil-{area}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def far_addresses(area: str, category: str):
    """Addresses at least ``min_distance_m`` on foot from the nearest resource of a category.

    The default is 1,000 m; with the distance, optionally in one ``district`` (GeoJSON).
    """
    store, table = ctx.store(), ctx.categories()
    if category not in table:
        raise NotFound(f"category {category!r} does not exist")
    try:
        min_distance_m = float(request.args.get("min_distance_m", _profile.POST_BOX_MAX_M))
    except ValueError:
        raise InvalidInput("min_distance_m must be a number (metres)") from None
    if not 0 <= min_distance_m <= MAX_FAR_DISTANCE_M:
        raise InvalidInput(f"min_distance_m must be between 0 and {MAX_FAR_DISTANCE_M}")
    district = request.args.get("district") or None
    ctx.check_district(area, district)
    speed = _speed()

    def build():
        layer = services.reachability(store, area, table)
        features = []
        for feature, distance_m in _profile.far_from(
            store.query(area, "addresses", district=district), layer, category, min_distance_m
        ):
            public = public_feature(feature, ADDRESS_FIELDS)
            public["properties"]["distance_m"] = None if distance_m is None else round(distance_m)
            public["properties"]["walk_min"] = (
                None if distance_m is None else walk_minutes(distance_m, speed)
            )
            features.append(public)
        return feature_collection(features)

    return cached_json(ctx.etag(area, category, *_revisions(area)), build, GEOJSON)
