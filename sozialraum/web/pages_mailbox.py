"""Mailbox-check pages (German): one address, a whole list (CSV upload), returned mail.

Checked addresses and uploaded lists are processed in memory: nothing of them is stored,
logged or put into a URL (the forms POST). Returned-mail records are stored on purpose
(without names) as evidence; their upload needs write access.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from sozialraum import settings
from sozialraum.errors import NotFound
from sozialraum.mailbox_check import (
    CsvProblem,
    check_one,
    check_table,
    read_address_csv,
    result_csv,
    result_record,
)
from sozialraum.model.mailbox import RISK_LEVELS
from sozialraum.model.roles import can_write_somewhere
from sozialraum.returns import active_returns, import_returns
from sozialraum.web._responses import download
from sozialraum.web.api import checked_area, note_filter

#: Rows shown in the browser; the download always has every row.
SHOWN_ROWS = 1000


def _ctx():
    return current_app.extensions["sozialraum"]


def _page(template: str, area: str, meta: dict, status: int = 200, **context):
    response = render_template(
        template,
        meta=meta,
        area=area,
        risk_levels=RISK_LEVELS,
        can_write=can_write_somewhere(current_user.role),
        **context,
    )
    return response, status, {"Cache-Control": "private, no-store"}


def mailbox_page(area: str):
    """Check one address: a field with suggestions → status, evidence, risk, action."""
    meta = checked_area(area)
    if request.method == "GET":
        return _page("briefkasten.html", area, meta)
    typed = (request.form.get("adresse") or "").strip()[:300]
    address_id = (request.form.get("address_id") or "").strip() or None
    if not typed and not address_id:
        return _page("briefkasten.html", area, meta, 400, error="Bitte eine Adresse eingeben.")
    today = settings.today()
    try:
        result = check_one(
            _ctx()["store"], area, line=typed, address_id=address_id,
            actions=_ctx()["mailbox_actions"], today=today, visible=note_filter(),
        )  # fmt: skip
    except NotFound:
        return _page(
            "briefkasten.html", area, meta, 400, typed=typed, error="Adresse nicht gefunden."
        )
    return _page("briefkasten.html", area, meta, typed=typed, result=result_record(result, today))


def _uploaded() -> bytes | None:
    upload = request.files.get("datei")
    if upload is None or not upload.filename:
        return None
    return upload.read()


def mailbox_list_page(area: str):
    """Check a whole list (CSV upload): a table with counts per risk level, or the same CSV
    with the check's columns as a download. The upload is processed in memory only."""
    meta = checked_area(area)
    if request.method == "GET":
        return _page("briefkasten_liste.html", area, meta)
    data = _uploaded()
    if data is None:
        return _page(
            "briefkasten_liste.html", area, meta, 400, error="Bitte eine CSV-Datei wählen."
        )
    try:
        table = read_address_csv(data)
    except CsvProblem as exc:
        return _page("briefkasten_liste.html", area, meta, 400, error=exc.german)
    today = settings.today()
    results, counts = check_table(
        _ctx()["store"], area, table, actions=_ctx()["mailbox_actions"], today=today,
        visible=note_filter(),
    )  # fmt: skip
    if request.form.get("ausgabe") == "csv":
        body = result_csv(table, results).encode("utf-8")
        return download(body, "text/csv", f"briefkasten-pruefung-{today.isoformat()}.csv")
    rows = [
        {"cells": row, **result_record(result, today)}
        for row, result in zip(table.rows[:SHOWN_ROWS], results[:SHOWN_ROWS], strict=False)
    ]
    return _page(
        "briefkasten_liste.html",
        area,
        meta,
        header=table.header,
        rows=rows,
        total=len(results),
        counts={level: counts.get(level, 0) for level in RISK_LEVELS},
        shown=SHOWN_ROWS,
    )


def returns_page(area: str):
    """Returned mail (Rückläufer): upload a CSV (date, address, reason; no names) and see
    the records of the last 12 months."""
    meta = checked_area(area)
    store, today = _ctx()["store"], settings.today()
    report, error, status = None, None, 200
    if request.method == "POST":
        data = _uploaded()
        if data is None:
            error, status = "Bitte eine CSV-Datei wählen.", 400
        else:
            try:
                report = import_returns(
                    store, area, data, guard=_ctx()["note_rules"].guard, today=today,
                    actor=current_user.name,
                )  # fmt: skip
            except CsvProblem as exc:
                error, status = exc.german, 400
    records = [r["properties"] for r in active_returns(store, area, today=today)]
    return _page(
        "ruecklaeufer.html", area, meta, status, report=report, error=error,
        records=records[:500], total=len(records),
    )  # fmt: skip
