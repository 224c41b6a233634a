"""Admin page of an area's districts: team, name, new districts from a file or drawn on the map.

The map is part of the page (Leaflet with the area's own basemap and leaflet-geoman's German
drawing tools, ``static/sozialraum/admin_districts.js``); the drawn polygon is posted as
GeoJSON text in a form field, like every other form here (CSRF token, redirect after POST).
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from sozialraum.errors import InvalidInput
from sozialraum.model.teams import team_key
from sozialraum.services import admin, areas
from sozialraum.web import context as ctx
from sozialraum.web.admin.common import account_files, actor, done, refused
from sozialraum.web.basemap.tiles import basemap_options

PAGE = "pages.admin_districts"


def _district(area: str, district: str) -> dict:
    """The district named in the URL (404 for an unknown one)."""
    ctx.check_district(area, district)
    return areas.find_district(ctx.store(), area, district)


def districts_page(area: str):
    """The area's districts with team and addresses, a map to draw a new one, an upload."""
    meta = ctx.area_meta()
    store = ctx.store()
    districts = sorted(
        areas.district_summaries(store, area, ctx.categories()), key=lambda d: d["name"] or ""
    )
    return render_template(
        "admin/bezirke.html",
        area=area,
        meta=meta,
        districts=districts,
        teams=sorted(admin.known_teams(account_files(), store), key=team_key),
        max_upload_mb=admin.MAX_UPLOAD_BYTES // (1024 * 1024),
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
        basemap=basemap_options(area, meta.get("bbox") or [0, 0, 0, 0]),
        bbox=meta.get("bbox"),
        districts_url=url_for("api.districts", area=area),
    )


def assign_team(area: str, district: str):
    """Make a team responsible for the district (empty: no team)."""
    feature = _district(area, district)
    team = " ".join(request.form.get("team", "").split()) or None
    files = account_files()
    try:
        areas.assign_team(
            ctx.store(),
            area,
            feature["id"],
            team,
            actor=actor(),
            known_teams=admin.known_teams(files, ctx.store()),
        )
    except InvalidInput as exc:
        return refused(exc, PAGE, area=area)
    name = feature["properties"]["name"]
    if team is None:
        return done(f"Bezirk „{name}“: kein Team zuständig.", PAGE, area=area)
    stored = (ctx.store().read_meta(area).get("teams") or {}).get(feature["id"])
    return done(f"Bezirk „{name}“: zuständig ist jetzt „{stored}“.", PAGE, area=area)


def rename_district(area: str, district: str):
    """Rename the district (id, polygon and team stay)."""
    feature = _district(area, district)
    try:
        renamed = admin.rename_district(
            ctx.store(), area, feature["id"], request.form.get("name", ""), actor=actor()
        )
    except InvalidInput as exc:
        return refused(exc, PAGE, area=area)
    old, new = feature["properties"]["name"], renamed["properties"]["name"]
    return done(f"Bezirk „{old}“ heißt jetzt „{new}“.", PAGE, area=area)


def upload_districts(area: str):
    """Replace the area's districts by the polygons of an uploaded GeoJSON file."""
    upload = request.files.get("datei")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("no file", "Bitte eine GeoJSON-Datei wählen.")
        data = upload.stream.read(admin.MAX_UPLOAD_BYTES + 1)
        districts = admin.parse_district_file(data, upload.filename)
        result = admin.replace_districts(ctx.store(), area, districts, actor=actor())
    except InvalidInput as exc:
        return refused(exc, PAGE, area=area)
    return done(
        f"{len(districts)} Bezirke aus der Datei übernommen: {result.describe_de()}",
        PAGE,
        area=area,
    )


def draw_district(area: str):
    """A new district from the polygon drawn on the map, with a name and optionally a team."""
    store = ctx.store()
    team = " ".join(request.form.get("team", "").split()) or None
    files = account_files()
    try:
        polygon = admin.parse_drawn_polygon(request.form.get("geometry", ""))
        district_id, result = admin.add_drawn_district(
            store, area, polygon, request.form.get("name", ""), actor=actor()
        )
    except InvalidInput as exc:
        return refused(exc, PAGE, area=area)
    message = f"Bezirk angelegt: {result.describe_de()}"
    if team:
        try:
            areas.assign_team(
                store, area, district_id, team, actor=actor(),
                known_teams=admin.known_teams(files, store),
            )  # fmt: skip
        except InvalidInput as exc:
            return refused(exc, PAGE, area=area)
        stored = (store.read_meta(area).get("teams") or {}).get(district_id)
        message += f" Zuständig: „{stored}“."
    return done(message, PAGE, area=area)
