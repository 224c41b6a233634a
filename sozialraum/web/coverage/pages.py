"""Street coverage ("Abdeckung") as a page with a map and tables, and as CSV.

Per district, which streets had a note or a walk stop in the last 12 months; the map is part of
the page (also served as a map document of its own).
Only notes and walks the logged-in account may see count (cached per visibility scope).

The views parse the request and call :mod:`sozialraum.services.coverage`; an area imported before
streets were stored gets a German notice instead of an error.
"""

from __future__ import annotations

import re

from flask import current_app, render_template, request, url_for

from sozialraum import settings
from sozialraum.analysis.coverage import AGE_CLASSES, VISIT_RADIUS_M, WINDOW_MONTHS
from sozialraum.errors import NotFound
from sozialraum.maps.coverage_map import CoverageMapOptions, build_coverage_map
from sozialraum.services import coverage as _coverage
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import basemap_options
from sozialraum.web.csp import csp_nonce, map_document, page_map
from sozialraum.web.responses import download

HTML = {"Content-Type": "text/html; charset=utf-8"}


def _results(area: str, district: str | None):
    """The coverage of ``area`` (one district or all), ``None`` without stored streets."""
    try:
        return _coverage.district_coverage(
            ctx.store(),
            area,
            today=settings.today(),
            district=district,
            reader=ctx.current_actor(),
            rules=ctx.note_rules(),
        )
    except _coverage.StreetsUnavailable:
        return None


def coverage_page(area: str):
    """Coverage page: map of the streets by last visit and a table per district."""
    meta = ctx.area_meta()
    store = ctx.store()
    district = request.args.get("district") or None
    results = _results(area, district)
    args = {"district": results[0].id} if district and results else {}
    return render_template(
        "coverage/abdeckung.html",
        area=area,
        meta=meta,
        results=results,
        no_streets=_coverage.NO_STREETS,
        districts=[
            {"id": d["id"], "name": d["properties"].get("name") or d["id"]}
            for d in store.query(area, "districts")
        ],
        selected=args.get("district"),
        age_classes=AGE_CLASSES,
        kind_labels=_coverage.KIND_LABELS,
        radius_m=VISIT_RADIUS_M,
        window_months=WINDOW_MONTHS,
        map=page_map(_coverage_fmap(area, results, district)) if results is not None else None,
        csv_url=url_for("pages.coverage_csv", area=area, **args),
    )


def coverage_map(area: str):
    """The coverage map as a document of its own; ``?district=`` shows one district."""
    district = request.args.get("district") or None
    results = _results(area, district) or []
    return map_document(_coverage_fmap(area, results, district), csp_nonce()), 200, HTML


def _coverage_fmap(area: str, results: list, district: str | None):
    """The folium map of the streets in ``results`` coloured by their last visit."""
    meta = ctx.area_meta()
    features = _coverage.coverage_features(results)
    options = CoverageMapOptions(
        bbox=tuple(meta["bbox"]),
        districts_url=url_for("api.districts", area=area),
        district=results[0].id if district and results else None,
        tile_url=current_app.config.get("TILE_URL") or None,
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
        basemap=basemap_options(area, meta["bbox"]),
    )
    return build_coverage_map(features, options)


def coverage_csv(area: str):
    """The street tables as CSV (German spreadsheet format, formula-safe cells)."""
    district = request.args.get("district") or None
    results = _results(area, district)
    if results is None:
        raise NotFound(_coverage.NO_STREETS)
    suffix = "-" + re.sub(r"[^A-Za-z0-9_-]", "", results[0].id) if district and results else ""
    name = f"abdeckung-{area}{suffix}-{settings.today().isoformat()}.csv"
    return download(_coverage.coverage_csv(results).encode("utf-8"), "text/csv", name)
