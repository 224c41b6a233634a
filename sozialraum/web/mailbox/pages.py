"""Mailbox-check pages (German): one address, a whole list (CSV upload), returned mail.

Checked addresses and uploaded lists are processed in memory: nothing of them is stored,
logged or put into a URL (the forms POST). Returned-mail records are stored on purpose
(without names) as evidence; their upload needs write access.
"""

from __future__ import annotations

import hashlib

from flask import render_template, request
from flask_login import current_user

from sozialraum import settings
from sozialraum.errors import Forbidden, NotFound
from sozialraum.model.mailbox import RISK_LEVELS
from sozialraum.model.roles import Role, can_write_somewhere
from sozialraum.services.columns import (
    ROLE_LABELS,
    ROLES,
    ColumnProblem,
    CsvProblem,
    Detection,
    detect,
    mapping_from_indices,
)
from sozialraum.services.mailbox_check import check_one, check_table, result_csv, result_record
from sozialraum.services.mailbox_returns import (
    ReturnsProblem,
    active_returns,
    import_returns,
    withdraw_return,
)
from sozialraum.services.uploads import AddressTable, read_table
from sozialraum.web import context as ctx
from sozialraum.web.responses import download

#: Rows shown in the browser; the download always has every row.
SHOWN_ROWS = 1000
#: Rows shown in the column-mapping step.
SAMPLE_ROWS = 5


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
    meta = ctx.area_meta()
    if request.method == "GET":
        return _page("mailbox/briefkasten.html", area, meta)
    typed = (request.form.get("adresse") or "").strip()[:300]
    address_id = (request.form.get("address_id") or "").strip() or None
    if not typed and not address_id:
        return _page(
            "mailbox/briefkasten.html", area, meta, 400, error="Bitte eine Adresse eingeben."
        )
    today = settings.today()
    try:
        result = check_one(
            ctx.store(), area, line=typed, address_id=address_id,
            actions=ctx.mailbox_actions(), today=today, visible=ctx.note_filter(),
        )  # fmt: skip
    except NotFound:
        return _page(
            "mailbox/briefkasten.html",
            area,
            meta,
            400,
            typed=typed,
            error="Adresse nicht gefunden.",
        )
    return _page(
        "mailbox/briefkasten.html", area, meta, typed=typed, result=result_record(result, today)
    )


def _uploaded() -> bytes | None:
    upload = request.files.get("datei")
    if upload is None or not upload.filename:
        return None
    return upload.read()


def header_token(header: list[str]) -> str:
    """A fingerprint of a list's column names.

    The mapping step sends it back with the chosen columns, so a mapping is never applied to a file
    with other columns.
    """
    return hashlib.sha256("\x1f".join(header).encode()).hexdigest()[:16]


def _chosen_columns(table: AddressTable) -> dict[str, int | None] | None:
    """The columns confirmed in the mapping step (``spalte_<role>`` = column index).

    ``None`` when the form carries no confirmed mapping for this file's columns.
    """
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
    """The mapping step.

    The detected (or chosen) column per part as select boxes, why, which columns are left out, and
    the first rows of the file.
    """
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
    """Check a whole list (CSV upload) in two steps.

    The columns detected from the file are shown for confirmation (select boxes, five sample rows);
    with the confirmed columns the file is checked: a table with counts per risk level, or the same
    CSV with the check's columns as a download.

    The upload is processed in memory only and nothing is kept between the steps: the
    browser sends the file again with the confirmed columns (the page keeps it chosen).
    """
    meta = ctx.area_meta()
    if request.method == "GET":
        return _page("mailbox/briefkasten_liste.html", area, meta)
    data = _uploaded()
    if data is None:
        return _page(
            "mailbox/briefkasten_liste.html", area, meta, 400, error="Bitte eine CSV-Datei wählen."
        )
    try:
        table = read_table(data)
    except CsvProblem as exc:
        return _page("mailbox/briefkasten_liste.html", area, meta, 400, error=exc.german)
    choice = _chosen_columns(table)
    if choice is None:
        detection = detect(table.header, table.rows)
        error = None
        if request.form.get("kopf"):
            error = "Die gewählte Datei hat andere Spalten: bitte die Spalten neu zuordnen."
        step = _mapping_step(table, detection)
        return _page("mailbox/briefkasten_liste.html", area, meta, step=step, error=error)
    detection = detect(table.header, table.rows)
    step = _mapping_step(table, detection, choice)
    try:
        table.mapping = mapping_from_indices(choice, table.header, table.rows)
    except ColumnProblem as exc:
        return _page("mailbox/briefkasten_liste.html", area, meta, 400, step=step, error=exc.german)
    today = settings.today()
    results, counts = check_table(
        ctx.store(), area, table, actions=ctx.mailbox_actions(), today=today,
        visible=ctx.note_filter(),
    )  # fmt: skip
    if request.form.get("ausgabe") == "csv":
        body = result_csv(table, results, labels=True).encode("utf-8")
        return download(body, "text/csv", f"briefkasten-pruefung-{today.isoformat()}.csv")
    rows = [
        {"cells": row, **result_record(result, today)}
        for row, result in zip(table.rows[:SHOWN_ROWS], results[:SHOWN_ROWS], strict=False)
    ]
    return _page(
        "mailbox/briefkasten_liste.html",
        area,
        meta,
        step=step,
        header=table.header,
        rows=rows,
        total=len(results),
        counts={level: counts.get(level, 0) for level in RISK_LEVELS},
        shown=SHOWN_ROWS,
    )


def file_token(data: bytes) -> str:
    """A fingerprint of an uploaded file.

    The returns page's choice step sends it back, so choices are only applied to the same file
    (which the browser sends again).
    """
    return hashlib.sha256(data).hexdigest()[:16]


def _return_choices() -> dict[int, str]:
    """The candidates picked per skipped row (``wahl_<row>`` = address id).

    Empty or ``nein``: not taken. Whether each is one of the row's candidates is checked by
    :func:`~sozialraum.services.mailbox_returns.read_returns`.
    """
    choices: dict[int, str] = {}
    for name, value in request.form.items():
        if not name.startswith("wahl_"):
            continue
        row, value = name[5:], value.strip()
        if row.isascii() and row.isdigit() and len(row) < 9 and value and value != "nein":
            choices[int(row)] = value[:200]
    return choices


def _can_withdraw() -> bool:
    return current_user.role in (Role.LEAD, Role.ADMIN)


def _returns_page(area, meta, status=200, **context):
    store, today = ctx.store(), settings.today()
    records = [r["properties"] | {"id": r["id"]} for r in active_returns(
        store, area, today=today)]  # fmt: skip
    return _page(
        "mailbox/ruecklaeufer.html", area, meta, status, records=records[:500], total=len(records),
        can_withdraw=_can_withdraw(), **context,
    )  # fmt: skip


def returns_page(area: str):
    """Returned mail (Rückläufer): upload a CSV, see recent records, withdraw a wrong one.

    The CSV has date, address and reason (no names); the records are those of the last 12 months;
    leads withdraw a wrong one (``zurueckziehen`` = record id with a required ``grund``).

    Exact and normalised matches are recorded at once; rows with a fuzzy or ambiguous
    address are listed with their candidates and a choice per row. Confirming sends the
    file again (it is never kept on the server) with the choices and the file's
    fingerprint; each choice must be one of its row's candidates.
    """
    meta = ctx.area_meta()
    if request.method != "POST":
        return _returns_page(area, meta)
    if request.form.get("zurueckziehen"):
        return _withdraw(area, meta, request.form["zurueckziehen"].strip()[:100])
    data = _uploaded()
    if data is None:
        return _returns_page(area, meta, 400, error="Bitte eine CSV-Datei wählen.")
    token = file_token(data)
    choices = {}
    if request.form.get("schritt") == "auswahl":
        if request.form.get("pruefsumme") != token:
            return _returns_page(
                area, meta, 400,
                error="Die gewählte Datei ist nicht dieselbe wie beim Hochladen. Bitte die "
                "Datei neu hochladen und die Adressen neu wählen; nichts wurde übernommen.",
            )  # fmt: skip
        choices = _return_choices()
    try:
        report = import_returns(
            ctx.store(), area, data, today=settings.today(), actor=current_user.name,
            guard=ctx.note_rules().guard, choices=choices,
        )  # fmt: skip
    except (CsvProblem, ReturnsProblem) as exc:
        return _returns_page(area, meta, 400, error=exc.german)
    return _returns_page(area, meta, report=report, token=token)


def _withdraw(area: str, meta: dict, record_id: str):
    """Withdraw a wrong returned-mail record (leads and admins).

    A reason is required and must pass the data-protection rules. It counts nowhere from then on.
    """
    if not _can_withdraw():
        raise Forbidden("only leads and admins withdraw returned-mail records")
    try:
        record = withdraw_return(
            ctx.store(), area, record_id, reason=request.form.get("grund") or "",
            guard=ctx.note_rules().guard, actor=current_user.name, today=settings.today(),
        )  # fmt: skip
    except NotFound:
        return _returns_page(area, meta, 404, error="Diesen Rückläufer gibt es nicht.")
    except ReturnsProblem as exc:
        return _returns_page(area, meta, 400, error=exc.german)
    return _returns_page(area, meta, withdrawn=record["properties"])
