"""Walking pages: the address guide ("Wegweiser") and the district profile with its map.

The guide takes the address by POST and answers with ``Cache-Control: no-store``: the
typed address is in no URL, no log line and no file.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, Length, Optional

from sozialraum import settings
from sozialraum.analysis import profile as _profile
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.maps.print_maps import guide_map_svg
from sozialraum.maps.profile_map import ProfileMapOptions, build_profile_map, metric_choices
from sozialraum.services import areas as services
from sozialraum.services import offers
from sozialraum.services.coverage import street_lines_m
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import basemap_options, print_ground
from sozialraum.web.csp import csp_nonce, map_document, page_map
from sozialraum.web.handouts import requested_texts, texts_or_german

PROFILE_LABELS = {"normal": "normales Gehtempo (4,5 km/h)", "langsam": "langsam (3 km/h)"}
ZONE_COLOURS = {5: "#2e7d32", 10: "#f9a825", 15: "#c62828"}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class GuideForm(FlaskForm):
    """The address guide form (CSRF token included by Flask-WTF)."""

    adresse = StringField("Adresse", validators=[Optional(), Length(max=200)])
    address_id = HiddenField(validators=[Optional(), Length(max=64)])
    profil = StringField("Gehtempo", validators=[Optional(), AnyOf(list(PROFILE_LABELS))])


def _render_guide(area, meta, form, *, status=200, **context):
    context.setdefault("texts", texts_or_german())
    body = render_template(
        "walking/wegweiser.html",
        area=area,
        meta=meta,
        form=form,
        profile_labels=PROFILE_LABELS,
        data_date=services.data_date(meta),
        offer_address=lambda offer: services.feature_address(ctx.store(), area, offer),
        **context,
    )
    return body, status, NO_STORE


def guide(area: str):
    """The address guide: nearest pharmacy, post office, … on foot, printable as a handout."""
    meta = ctx.area_meta()
    store, table = ctx.store(), ctx.categories()
    form = GuideForm()
    if request.method == "GET":
        return _render_guide(area, meta, form)
    if not form.validate_on_submit():
        errors = [e for field in form.errors.values() for e in field]
        message = (
            "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu."
            if "csrf_token" in form.errors
            else "Bitte prüfen Sie die Eingabe: " + " ".join(errors)
        )
        return _render_guide(area, meta, form, error=message, status=400)
    try:
        texts = requested_texts()
    except InvalidInput as exc:
        return _render_guide(area, meta, form, error=exc.message, status=400)
    profile = form.profil.data or "normal"
    address_id = form.address_id.data or None
    if address_id is None:
        text = (form.adresse.data or "").strip()
        if not text:
            return _render_guide(area, meta, form, error="Bitte geben Sie eine Adresse ein.")
        choices = services.address_index(store, area).search(text, 8)
        exact = [s for s in choices if s.match == "exakt"]
        if len(exact) == 1:
            address_id = exact[0].id
        else:
            message = (
                "Bitte wählen Sie die gemeinte Adresse."
                if choices
                else "Diese Adresse kennen wir in diesem Gebiet nicht. Bitte prüfen Sie die "
                "Schreibweise (Straße und Hausnummer)."
            )
            return _render_guide(area, meta, form, choices=choices, error=message)
    try:
        address = store.get(area, "addresses", address_id)
    except NotFound:  # an id from an old page: ask again instead of failing
        return _render_guide(area, meta, form, error="Diese Adresse gibt es nicht mehr.")
    try:
        nearest = services.nearest_resources(
            store,
            area,
            address_id,
            table,
            speed=services.speed_kmh(profile),
            categories=services.GUIDE_CATEGORIES,
        )
    except AnalysisUnavailable:
        return _render_guide(
            area, meta, form, error="Für dieses Gebiet gibt es kein Fußwegenetz.", status=409
        )
    nearby, region_wide = _guide_offers(store, area, address, nearest, services.speed_kmh(profile))
    return _render_guide(
        area,
        meta,
        form,
        address=address["properties"],
        nearest=nearest,
        nearby_offers=nearby,
        region_offers=region_wide,
        profile_label=PROFILE_LABELS[profile],
        profile=profile,
        texts=texts,
        svg=_guide_svg(store, area, address, nearest, with_offers=bool(nearby or region_wide)),
        zones=ZONE_COLOURS,
    )


def _guide_offers(store, area: str, address: dict, nearest: dict, speed: float):
    """Offers for the guide's handout: the nearest on foot and the region-wide ones.

    Only offers that may go on a citizen's handout (checked, not ended). Without walking
    times (the address lies away from the ways) no offers "in der Nähe".

    Returns
    -------
    tuple
        ``(nearby, region_wide)``: items of :func:`sozialraum.services.offers.nearby_offers` and of
        :func:`sozialraum.services.offers.list_offers` (without a place).
    """
    today = settings.today()
    nearby = []
    if not nearest["cut_off"]:
        try:
            nearby = offers.nearby_offers(store, area, address, today=today, speed_kmh=speed)
        except AnalysisUnavailable:
            nearby = []
    region_wide = [
        item
        for item in offers.list_offers(store, area, today=today)
        if not item["offer"].get("geometry") and item["flags"]["handout"]
    ]
    return nearby, region_wide


def _guide_svg(store, area: str, address: dict, nearest: dict, *, with_offers: bool) -> str:
    """The handout's map (see :func:`sozialraum.maps.print_maps.guide_map_svg`).

    Numbers the nearest places that have a place, as the handout's list shows them.
    """
    number = 0
    for item in nearest["items"]:
        if item["resource"] is not None:
            number += 1
            item["number"] = number
    return guide_map_svg(
        services.walk_network(store, area),
        address,
        nearest,
        ZONE_COLOURS,
        street_names_m=street_lines_m(store, area),
        ground_m=print_ground(area),
        with_offers=with_offers,
    )


def profile_page(area: str):
    """District profile: table, choropleth map and CSV export."""
    meta = ctx.area_meta()
    store, table = ctx.store(), ctx.categories()
    profile = request.args.get("profil") or "normal"
    speed = services.speed_kmh(profile)
    metric = request.args.get("kennzahl") or None
    choices = metric_choices(table)
    if metric not in dict(choices):
        metric = choices[0][0]
    try:
        rows = services.area_profile(store, area, table, speed=speed)
    except AnalysisUnavailable:
        rows = None
    header, body = _profile.profile_table(rows or [], table)
    args = {"profil": profile} if profile != "normal" else {}
    return render_template(
        "walking/profil.html",
        area=area,
        meta=meta,
        rows=rows,
        header=header,
        body=body,
        categories=table,
        profile=profile,
        profile_labels=PROFILE_LABELS,
        metric=metric,
        metrics=choices,
        map=page_map(_profile_fmap(area, rows, metric)) if rows is not None else None,
        csv_url=url_for("api.profile_csv", area=area, **args),
        within_min=_profile.WITHIN_MIN,
        reach=[c for c in _profile.REACH_CATEGORIES if c in table],
    )


def profile_map(area: str):
    """The choropleth map of the district profile as a document of its own.

    The profile page renders the same map into itself (no iframe, issue 21 §5).
    """
    store, table = ctx.store(), ctx.categories()
    speed = services.speed_kmh(request.args.get("profil"))
    metric = request.args.get("kennzahl") or metric_choices(table)[0][0]
    rows = services.area_profile(store, area, table, speed=speed)
    fmap = _profile_fmap(area, rows, metric)
    return map_document(fmap, csp_nonce()), 200, {"Content-Type": "text/html; charset=utf-8"}


def _profile_fmap(area: str, rows: list[dict], metric: str):
    """The folium choropleth map of the profile ``rows`` coloured by ``metric``."""
    meta = ctx.area_meta()
    table = ctx.categories()
    options = ProfileMapOptions(
        bbox=tuple(meta["bbox"]),
        metric=metric,
        districts_url=url_for("api.districts", area=area),
        far_url=url_for("api.far_addresses", area=area, category=_profile.POST_BOX)
        if _profile.POST_BOX in table
        else None,
        tile_url=current_app.config.get("TILE_URL") or None,
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
        basemap=basemap_options(area, meta["bbox"]),
    )
    return build_profile_map(rows, table, options)
