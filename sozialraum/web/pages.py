"""Pages: area overview and the map page of an area. Parses requests, calls plain functions."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for

from sozialraum.errors import InvalidInput
from sozialraum.maps.area_map import build_area_map

bp = Blueprint("pages", __name__)


def _ctx():
    return current_app.extensions["sozialraum"]


def _meta(area: str) -> dict:
    try:
        return _ctx()["store"].read_meta(area)
    except InvalidInput:
        abort(404)


@bp.get("/")
def index():
    """Overview of all areas with their counts per category."""
    store, categories = _ctx()["store"], _ctx()["categories"]
    areas = [store.read_meta(name) for name in store.areas()]
    return render_template("index.html", areas=areas, categories=categories)


@bp.get("/gebiete/<area>/")
def area_page(area: str):
    """The map page of an area (the folium map in an iframe) with its counts."""
    meta = _meta(area)
    return render_template(
        "area.html",
        meta=meta,
        categories=_ctx()["categories"],
        map_url=url_for("pages.area_map", area=area),
    )


@bp.get("/gebiete/<area>/karte")
def area_map(area: str):
    """The folium map document of an area."""
    meta = _meta(area)
    store = _ctx()["store"]
    fmap = build_area_map(
        meta,
        store.query(area, "districts"),
        store.query(area, "resources"),
        _ctx()["categories"],
        tile_url=current_app.config.get("TILE_URL") or None,
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
    )
    return fmap.get_root().render(), 200, {"Content-Type": "text/html; charset=utf-8"}
