"""The offer import (German): CSV or GeoJSON, all rows or none; archiving what a file left out."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from sozialraum import settings
from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model import offers as model
from sozialraum.services import offers, offers_io
from sozialraum.web import context as ctx
from sozialraum.web.offers import forms

#: Problems of an import shown on the page (the rest is counted).
PROBLEMS_SHOWN = 200


def _uploaded() -> tuple[bytes, str] | None:
    upload = request.files.get("datei")
    if upload is None or not upload.filename:
        return None
    return upload.read(), upload.filename


def _import_page(area: str, meta: dict, status: int = 200, **context):
    page = render_template(
        "offers/angebote_import.html",
        area=area,
        meta=meta,
        columns=[model.FIELD_LABELS[f] for f in model.FIELDS],
        list_fields=[(model.FIELD_LABELS[n], v) for n, (v, _label) in model.LIST_FIELDS.items()],
        checked_by_roles=model.CHECKED_BY_ROLES,
        max_mb=offers_io.MAX_FILE_BYTES / (1024 * 1024),
        **context,
    )
    return page, status


def import_offers(area: str):
    """Import offers from CSV or GeoJSON (leads and admins): all rows or none."""
    meta = ctx.area_meta()
    try:
        forms.require_editor()
    except Forbidden as exc:
        return forms.forbidden_page(exc)
    if request.method == "GET":
        return _import_page(area, meta)
    upload = _uploaded()
    if upload is None:
        return _import_page(area, meta, 400, error="Bitte eine CSV- oder GeoJSON-Datei wählen.")
    data, filename = upload
    if len(data) > offers_io.MAX_FILE_BYTES:
        message = (
            f"Die Datei ist zu groß (höchstens {offers_io.MAX_FILE_BYTES / (1024 * 1024):.0f} MB)."
        )
        return _import_page(area, meta, 413, error=message)
    store = ctx.store()
    try:
        report = offers_io.import_offers(
            store, area, data, filename, actor=ctx.current_actor(), today=settings.today()
        )
    except Forbidden as exc:
        return forms.forbidden_page(exc)
    except offers_io.OffersFileProblem as exc:
        return _import_page(area, meta, exc.status, error=exc.german, filename=filename)
    except InvalidInput as exc:
        return _import_page(area, meta, exc.status, error=exc.message, filename=filename)
    names = {}
    if not report.problems:
        for item in offers.list_offers(store, area, today=settings.today()):
            names[item["offer"]["id"]] = item["offer"]["properties"]["name"]
    status = 400 if report.problems else 200
    return _import_page(
        area,
        meta,
        status,
        report=report,
        names=names,
        filename=filename,
        problems_shown=PROBLEMS_SHOWN,
    )


def archive_missing(area: str):
    """Archive the offers an import found missing from its file (leads and admins).

    The form on the import result names them and asks for a confirmation.
    """
    meta = ctx.area_meta()
    try:
        forms.require_editor()
    except Forbidden as exc:
        return forms.forbidden_page(exc)
    ids = [i for i in request.form.getlist("id") if i][: offers_io.MAX_ROWS]
    if not ids:
        return _import_page(
            area, meta, 400, error="Es wurden keine Angebote zum Archivieren genannt."
        )
    if request.form.get("bestaetigt") != "ja":
        return _import_page(
            area,
            meta,
            400,
            error="Bitte bestätigen Sie, dass die genannten Angebote archiviert werden sollen.",
        )
    try:
        done = offers.archive_offers(
            ctx.store(), area, ids, actor=ctx.current_actor(), today=settings.today()
        )
    except Forbidden as exc:
        return forms.forbidden_page(exc)
    except NotFound as exc:
        return _import_page(area, meta, 404, error=exc.message)
    return redirect(url_for("pages.offers", area=area, archiv="nur", archiviert=len(done)), 303)
