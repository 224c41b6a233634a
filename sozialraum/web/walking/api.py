"""The walking API: isochrones, nearest resources on foot, district profiles, CSV export."""

from __future__ import annotations

import json

from flask import Response

from sozialraum.analysis import profile as _profile
from sozialraum.analysis.reachability import NETWORK_ARTIFACT
from sozialraum.analysis.walking import walk_minutes
from sozialraum.errors import NotFound
from sozialraum.services import areas as services
from sozialraum.services import exports
from sozialraum.web import context as ctx
from sozialraum.web.areas.api import ADDRESS_FIELDS
from sozialraum.web.responses import GEOJSON, cached_json, feature_collection, public_feature
from sozialraum.web.schemas import STRING, operation
from sozialraum.web.walking.schemas import (
    AddressWalk,
    FarAddressCollection,
    FarQuery,
    IsochroneCollection,
    IsochroneInput,
    Profile,
    SpeedQuery,
)


def _revisions(area: str) -> tuple[str, ...]:
    store = ctx.store()
    return (
        store.artifact_revision(area, NETWORK_ARTIFACT),
        store.revision(area, "resources"),
        store.revision(area, "addresses"),
    )


@operation(
    "5/10/15-minute walking areas around a point (POST: the point is in no URL or log)",
    body=IsochroneInput,
    ok=IsochroneCollection,
    media=GEOJSON,
    etag=False,
    errors=(400, 401, 404, 413),
    texts={200: "Largest band first"},
)
def isochrones(area: str, body: IsochroneInput):
    """5/10/15-minute walking areas around a point (POST, so the point is in no URL or log)."""
    speed = services.speed_kmh(body.profil)
    collection = services.walk_isochrones(ctx.store(), area, body.lon, body.lat, speed)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, mimetype=GEOJSON, headers={"Cache-Control": "no-store"})


@operation(
    "Nearest resource of each category on foot (metres along streets, minutes)",
    query=SpeedQuery,
    ok=AddressWalk,
    errors=(304, 400, 401, 404),
    texts={404: "Not found (also: the area has no walk network; import it again)"},
)
def address_walk(area: str, address_id: str, query: SpeedQuery):
    """Nearest resource of each category on foot from one address."""
    store, table = ctx.store(), ctx.categories()
    store.get(area, "addresses", address_id)  # 404 for an unknown address
    speed = services.speed_kmh(query.profil)
    return cached_json(
        ctx.etag(area, address_id, *_revisions(area)),
        lambda: services.nearest_resources(store, area, address_id, table, speed=speed),
    )


@operation(
    "District profile: counts, per 1,000 addresses, share within 10 minutes on foot, addresses "
    "more than 1,000 m from a post box",
    query=SpeedQuery,
    ok=Profile,
    errors=(304, 400, 401, 404),
    texts={404: "Not found (also: the area has no walk network; import it again)"},
)
def profile(area: str, query: SpeedQuery):
    """District profile: counts, per 1,000 addresses, walking reach, far from post box."""
    store, table = ctx.store(), ctx.categories()
    speed = services.speed_kmh(query.profil)
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


@operation(
    "District profile as CSV (';' separated, decimal comma, UTF-8 with BOM)",
    query=SpeedQuery,
    ok=STRING,
    media="text/csv",
    etag=False,
    errors=(400, 401, 404),
    texts={200: "CSV"},
)
def profile_csv(area: str, query: SpeedQuery):
    """The district profile as CSV for spreadsheets (``;``, decimal comma, UTF-8 with BOM)."""
    store, table = ctx.store(), ctx.categories()
    rows = services.area_profile(store, area, table, speed=services.speed_kmh(query.profil))
    body = exports.profile_csv(rows, table).encode("utf-8")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="bezirksprofil-{area}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@operation(
    "Addresses at least min_distance_m on foot from the nearest resource of a category",
    query=FarQuery,
    ok=FarAddressCollection,
    media=GEOJSON,
    errors=(304, 400, 401, 404),
)
def far_addresses(area: str, category: str, query: FarQuery):
    """Addresses at least ``min_distance_m`` on foot from the nearest resource of a category.

    The default is 1,000 m; with the distance, optionally in one ``district`` (GeoJSON).
    """
    store, table = ctx.store(), ctx.categories()
    if category not in table:
        raise NotFound(f"category {category!r} does not exist")
    min_distance_m = query.min_distance_m
    district = query.district or None
    ctx.check_district(area, district)
    speed = services.speed_kmh(query.profil)

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
