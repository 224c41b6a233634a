"""Mailbox-check pages (German): one address, a whole list (CSV upload), returned mail.

Checked addresses and uploaded lists are processed in memory: nothing of them is stored,
logged or put into a URL (the forms POST). Returned-mail records are stored on purpose
(without names) as evidence; their upload needs write access.
"""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, request
from flask_login import current_user

from sozialraum import settings
from sozialraum.columns import (
    ROLE_LABELS,
    ROLES,
    ColumnProblem,
    Detection,
    detect,
    mapping_from_indices,
)
from sozialraum.errors import NotFound
from sozialraum.mailbox_check import (
    AddressTable,
    CsvProblem,
    check_one,
    check_table,
    read_table,
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
#: Rows shown in the column-mapping step.
SAMPLE_ROWS = 5


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


def header_token(header: list[str]) -> str:
    """A fingerprint of a list's column names: the mapping step sends it back with the
    chosen columns, so a mapping is never applied to a file with other columns."""
    return hashlib.sha256("\x1f".join(header).encode()).hexdigest()[:16]


def _chosen_columns(table: AddressTable) -> dict[str, int | None] | None:
    """The columns confirmed in the mapping step (``spalte_<role>`` = column index), or
    ``None`` when the form carries no confirmed mapping for this file's columns."""
    if request.form.get("kopf") != header_token(table.header):
        return None
    choice: dict[str, int | None] = {}
    for role in ROLES:
        value = (request.form.get(f"spalte_{role}") or "").strip()
        choice[role] = (
            int(value) if value.isascii() and value.isdigit() and len(value) < 4 else None
        )
    return choice


def _mapping_step(table: AddressTable, detection: Detection, choice=None) -> dict:
    """The mapping step: the detected (or chosen) column per part as select boxes, why,
    which columns are left out, and the first rows of the file."""
    selected = dict(choice) if choice is not None else dict(detection.columns)
    unclear = [
        {"label": ROLE_LABELS[role], "columns": [table.header[i] for i in indices]}
        for role, indices in detection.ambiguous.items()
    ]
    width = len(table.header)
    sample = [(row + [""] * width)[:width] for row in table.rows[:SAMPLE_ROWS]]
    step = {
        "token": header_token(table.header),
        "header": table.header,
        "roles": [
            {
                "role": role,
                "label": ROLE_LABELS[role],
                "selected": selected.get(role),
                "reason": "" if choice is not None else detection.reasons.get(role, ""),
            }
            for role in ROLES
        ],
        "unclear": unclear,
        "complete": detection.complete,
        "skipped": [(table.header[i], why) for i, why in sorted(detection.skipped.items())],
        "sample": sample,
        "rows": len(table.rows),
    }
    return step


def mailbox_list_page(area: str):
    """Check a whole list (CSV upload) in two steps: the columns detected from the file
    are shown for confirmation (select boxes, five sample rows); with the confirmed
    columns the file is checked: a table with counts per risk level, or the same CSV with
    the check's columns as a download.

    The upload is processed in memory only and nothing is kept between the steps: the
    browser sends the file again with the confirmed columns (the page keeps it chosen).
    """
    meta = checked_area(area)
    if request.method == "GET":
        return _page("briefkasten_liste.html", area, meta)
    data = _uploaded()
    if data is None:
        return _page(
            "briefkasten_liste.html", area, meta, 400, error="Bitte eine CSV-Datei wählen."
        )
    try:
        table = read_table(data)
    except CsvProblem as exc:
        return _page("briefkasten_liste.html", area, meta, 400, error=exc.german)
    choice = _chosen_columns(table)
    if choice is None:
        detection = detect(table.header, table.rows)
        error = None
        if request.form.get("kopf"):
            error = "Die gewählte Datei hat andere Spalten: bitte die Spalten neu zuordnen."
        step = _mapping_step(table, detection)
        return _page("briefkasten_liste.html", area, meta, step=step, error=error)
    detection = detect(table.header, table.rows)
    step = _mapping_step(table, detection, choice)
    try:
        table.mapping = mapping_from_indices(choice, table.header, table.rows)
    except ColumnProblem as exc:
        return _page("briefkasten_liste.html", area, meta, 400, step=step, error=exc.german)
    today = settings.today()
    results, counts = check_table(
        _ctx()["store"], area, table, actions=_ctx()["mailbox_actions"], today=today,
        visible=note_filter(),
    )  # fmt: skip
    if request.form.get("ausgabe") == "csv":
        body = result_csv(table, results, labels=True).encode("utf-8")
        return download(body, "text/csv", f"briefkasten-pruefung-{today.isoformat()}.csv")
    rows = [
        {"cells": row, **result_record(result, today)}
        for row, result in zip(table.rows[:SHOWN_ROWS], results[:SHOWN_ROWS], strict=False)
    ]
    return _page(
        "briefkasten_liste.html",
        area,
        meta,
        step=step,
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
