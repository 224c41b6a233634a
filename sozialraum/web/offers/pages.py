"""Support-offer pages (German): directory with filters and exports, one offer, new offer,
the proposal queue and the import.

Leads and admins create, change, check and delete offers; caseworkers use the same forms
to propose a new offer or a change, which a lead or an admin accepts or rejects; viewers
read. Forms post plain fields; the checks (German messages) are the service functions of
:mod:`sozialraum.offers` that the JSON API calls too. A change carries the version it was
based on: if someone saved in between, the page says so, shows what differs and
overwrites nothing.
"""

from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from sozialraum import offers, offers_io, settings
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model import offers as model
from sozialraum.model.roles import can_edit_offers, can_write_somewhere
from sozialraum.web import context as ctx
from sozialraum.web.formats import german_date

#: Single-line and multi-line text fields of the form (``description`` is a textarea).
TEXT_FIELDS = (
    "name",
    "provider",
    "description",
    "eligibility_note",
    "phone",
    "email",
    "web",
    "opening_hours",
    "address",
)
#: Date fields and the other single values of the form.
OTHER_FIELDS = (
    "valid_from",
    "valid_to",
    "checked_on",
    "checked_by",
    "lon",
    "lat",
    "min_age_years",
    "max_age_years",
)
DATE_FIELDS = ("valid_from", "valid_to", "checked_on")
#: Query arguments of the directory filters (see :meth:`OfferFilter.from_args`).
FILTER_ARGS = ("q", "zielgruppe", "foerderer", "rechtsgrundlage", "thema", "hinweis", "archiv")
#: Decided proposals shown below the open ones.
DECIDED_SHOWN = 20
#: Proposal kinds and states (German).
KIND_LABELS = {"neu": "Neues Angebot", "aenderung": "Änderung"}
STATE_LABELS = {"offen": "offen", "angenommen": "übernommen", "abgelehnt": "abgelehnt"}
#: Problems of an import shown on the page (the rest is counted).
PROBLEMS_SHOWN = 200

_WEB = re.compile(r"^https?://", re.IGNORECASE)


def _guard():
    return ctx.note_rules().guard


def _editor() -> bool:
    return can_edit_offers(current_user.role)


def _forbidden(exc: Forbidden):
    """The error page with the service's German explanation (403)."""
    return render_template("error.html", status=403, message=exc.message), 403


def _require_editor() -> None:
    if not _editor():
        raise Forbidden(
            "Angebote legen Teamleitungen und die Administration an, ändern, prüfen, "
            "löschen und importieren sie. Fachkräfte schlagen Angebote und Änderungen vor."
        )


def _version(what: str = "des Angebots") -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput(f"Die Fassung {what} fehlt. Bitte laden Sie die Seite neu.") from None


# --- form ----------------------------------------------------------------------------


def _submitted() -> dict:
    """The posted offer form as entered (kept for showing the form again)."""
    values: dict = {key: request.form.get(key, "") for key in TEXT_FIELDS}
    for key in OTHER_FIELDS:
        values[key] = (request.form.get(key) or "").strip()
    for key in model.LIST_FIELDS:
        values[key] = [v for v in request.form.getlist(key) if v]
    values["region_wide"] = bool(request.form.get("region_wide"))
    return values


def _offer_data(values: dict) -> dict:
    """The form values as :func:`~sozialraum.model.offers.check_offer_input` expects them.

    A region-wide offer has no point: coordinates left in the form are not used.
    """
    data = {key: values.get(key) for key in (*model.FIELDS, "lon", "lat")}
    if data["region_wide"]:
        data["lon"] = data["lat"] = None
    return data


def _comment() -> str:
    return request.form.get("comment") or ""


def _display(field: str, value) -> str:
    """A field's value as text for tables (labels, German dates, ja/nein)."""
    if value is None or value == "" or value == []:
        return "–"
    if field in model.LIST_FIELDS:
        vocabulary = model.LIST_FIELDS[field][0]
        return ", ".join(vocabulary.get(v, str(v)) for v in value)
    if field == "region_wide":
        return "ja" if value else "nein"
    if field in DATE_FIELDS:
        return german_date(value)
    if field == "checked_by":
        return model.CHECKED_BY_ROLES.get(value, str(value))
    return str(value)


def _changes(proposed: dict, current: dict | None) -> list[dict]:
    """Differing fields of ``proposed`` (checked offer values) against ``current``."""
    found = offers.proposal_changes({"properties": {"offer": proposed}}, current)
    return [
        {
            "label": c["label"],
            "old": _display(c["field"], c["old"]),
            "new": _display(c["field"], c["new"]),
        }
        for c in found
    ]


def _checked_values(area: str, values: dict) -> dict:
    """The form values checked and normalised (as a proposal stores them)."""
    checked = offers.check_offer(ctx.store(), area, _offer_data(values), today=settings.today())
    return dict(checked.properties, lon=checked.lon, lat=checked.lat)


def _form_context(area: str, meta: dict, values: dict, **extra) -> dict:
    return {
        "area": area,
        "meta": meta,
        "values": values,
        "list_fields": [(name, vocab, label) for name, (vocab, label) in model.LIST_FIELDS.items()],
        "labels": model.FIELD_LABELS,
        "checked_by_roles": model.CHECKED_BY_ROLES,
        "is_editor": _editor(),
        "today": settings.today().isoformat(),
        **extra,
    }


# --- one offer -----------------------------------------------------------------------


def _tel(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _view(feature: dict) -> dict:
    """What the templates show of an offer: properties, flags, labels, contact links."""
    props = feature["properties"]
    web = props.get("web") or ""
    return {
        "id": feature["id"],
        "p": props,
        "flags": model.offer_flags(props, settings.today()),
        "lists": {
            name: [vocab.get(v, v) for v in props.get(name) or []]
            for name, (vocab, _label) in model.LIST_FIELDS.items()
        },
        "point": (feature.get("geometry") or {}).get("coordinates"),
        "tel": _tel(props.get("phone") or ""),
        "web_href": web if _WEB.match(web) else "",
        "checked_by": model.CHECKED_BY_ROLES.get(props.get("checked_by") or "", ""),
        "editors": model.offer_editors(props),
        # four-eyes: why the user may not mark it as checked (no button then)
        "check_refusal": offers.check_refusal(feature, ctx.current_actor()),
        "age_limit": model.age_limit_text(props.get("min_age_years"), props.get("max_age_years")),
    }


def _offer_context(area: str, meta: dict, feature: dict, **extra) -> dict:
    values = extra.pop("values", None) or offers.offer_form_values(feature)
    return _form_context(
        area,
        meta,
        values,
        offer=_view(feature),
        version=extra.pop("version", None) or feature["properties"]["version"],
        can_write=can_write_somewhere(current_user.role),
        **extra,
    )


def _offer_page(area: str, meta: dict, feature: dict, status: int = 200, **extra):
    return render_template(
        "offers/angebot.html", **_offer_context(area, meta, feature, **extra)
    ), status


def _conflict(area: str, meta: dict, offer_id: str, values: dict, message: str):
    """The offer page after a stale change: current data in the form, what differed (409)."""
    current = offers.get_offer(ctx.store(), area, offer_id)
    try:
        changes = _changes(_checked_values(area, values), current)
    except InvalidInput:
        changes = []
    return _offer_page(
        area,
        meta,
        current,
        409,
        conflict={"message": message, "changes": changes},
        comment=_comment(),
    )


def offer_page(area: str, offer_id: str):
    """An offer: all fields, flags, contact; leads and admins edit it, caseworkers propose a
    change (same form, with a comment), viewers read."""
    meta = ctx.area_meta()
    store, today = ctx.store(), settings.today()
    feature = offers.get_offer(store, area, offer_id)
    if request.method == "GET":
        return _offer_page(
            area,
            meta,
            feature,
            saved=request.args.get("gespeichert"),
            created=request.args.get("neu"),
            checked=request.args.get("geprueft"),
        )
    values = _submitted()
    try:
        version = _version()
        if _editor():
            offers.update_offer(
                store,
                area,
                offer_id,
                _offer_data(values),
                expected_version=version,
                actor=ctx.current_actor(),
                today=today,
            )
        else:
            offers.check_offer(store, area, _offer_data(values), today=today)
            if version != feature["properties"]["version"]:
                raise VersionConflict(
                    "offer changed since the page was loaded",
                    current_version=feature["properties"]["version"],
                )
            offers.propose(
                store,
                area,
                _offer_data(values),
                actor=ctx.current_actor(),
                guard=_guard(),
                today=today,
                offer_id=offer_id,
                base_version=version,
                comment=_comment(),
            )
    except VersionConflict:
        message = (
            "Jemand anderes hat dieses Angebot inzwischen geändert. Ihre Änderung wurde "
            "nicht gespeichert. Das Formular zeigt jetzt die aktuelle Fassung; Ihre Angaben "
            "stehen in der Tabelle. Bitte übernehmen Sie sie bei Bedarf erneut."
        )
        return _conflict(area, meta, offer_id, values, message)
    except Forbidden as exc:
        return _forbidden(exc)
    except InvalidInput as exc:
        # the form shown again keeps the version it was based on: a later save still notices
        # a change made in between
        posted = request.form.get("version", "")
        return _offer_page(
            area,
            meta,
            feature,
            exc.status,
            values=values,
            error=exc.message,
            comment=_comment(),
            version=int(posted) if posted.isdigit() else None,
        )
    if _editor():
        return redirect(url_for("pages.offer", area=area, offer_id=offer_id, gespeichert=1), 303)
    return redirect(url_for("pages.offer_proposals", area=area, vorgeschlagen=1), 303)


def _offer_action(area: str, offer_id: str, run, not_done: str, done_url: str):
    """Run a lead's action on an offer (``run(store, version)``), then redirect to
    ``done_url``; a 403, a 409 (changed meanwhile: ``not_done`` is said) or a German 4xx
    on the offer page otherwise."""
    meta = ctx.area_meta()
    store = ctx.store()
    try:
        _require_editor()
        run(store, _version())
    except Forbidden as exc:
        return _forbidden(exc)
    except VersionConflict:
        current = offers.get_offer(store, area, offer_id)
        message = f"Das Angebot wurde inzwischen geändert und deshalb {not_done}. "
        return _offer_page(area, meta, current, 409, error=message + "Bitte prüfen Sie die "
                           "aktuelle Fassung.")  # fmt: skip
    except NotFound:
        raise
    except InvalidInput as exc:
        current = offers.get_offer(store, area, offer_id)
        return _offer_page(area, meta, current, exc.status, error=exc.message)
    return redirect(done_url, 303)


def check_offer(area: str, offer_id: str):
    """Record that the offer was checked today (leads and admins)."""

    def run(store, version):
        offers.mark_checked(
            store, area, offer_id, expected_version=version, actor=ctx.current_actor(),
            today=settings.today(),
        )  # fmt: skip

    done = url_for("pages.offer", area=area, offer_id=offer_id, geprueft=1)
    return _offer_action(area, offer_id, run, "nicht als geprüft markiert", done)


def delete_offer(area: str, offer_id: str):
    """Delete an offer (leads and admins; the version shown must still be the current one)."""

    def run(store, version):
        offers.delete_offer(
            store, area, offer_id, expected_version=version, actor=ctx.current_actor()
        )

    done = url_for("pages.offers", area=area, geloescht=1)
    return _offer_action(area, offer_id, run, "nicht gelöscht", done)


def new_offer(area: str):
    """A new offer (leads and admins) or the proposal of one (caseworkers)."""
    meta = ctx.area_meta()
    if request.method == "GET":
        values: dict = {"languages": ["de"], "region_wide": False}
        for key in ("lon", "lat"):
            value = (request.args.get(key) or "").strip()[:20]
            if value:
                values[key] = value
        return render_template("offers/angebot_neu.html", **_form_context(area, meta, values))
    values = _submitted()
    store, today = ctx.store(), settings.today()
    try:
        if _editor():
            feature = offers.create_offer(
                store, area, _offer_data(values), actor=ctx.current_actor(), today=today
            )
        else:
            offers.propose(
                store,
                area,
                _offer_data(values),
                actor=ctx.current_actor(),
                guard=_guard(),
                today=today,
                comment=_comment(),
            )
    except Forbidden as exc:
        return _forbidden(exc)
    except InvalidInput as exc:
        context = _form_context(area, meta, values, error=exc.message, comment=_comment())
        return render_template("offers/angebot_neu.html", **context), exc.status
    if _editor():
        return redirect(url_for("pages.offer", area=area, offer_id=feature["id"], neu=1), 303)
    return redirect(url_for("pages.offer_proposals", area=area, vorgeschlagen=1), 303)


# --- directory -----------------------------------------------------------------------


def _count_arg(name: str) -> str:
    """A count from the query string (after a redirect), or "" when it is no number."""
    value = request.args.get(name, "")
    return value if value.isdigit() and len(value) <= 5 else ""


def offers_page(area: str):
    """All offers of the area with filters, flags, exports and links for writers."""
    meta = ctx.area_meta()
    store = ctx.store()
    chosen = {key: (request.args.get(key) or "").strip()[:100] for key in FILTER_ARGS}
    everything = offers.list_offers(
        store, area, today=settings.today(), filters=offers.OfferFilter(archived="alle")
    )
    active = [i for i in everything if not i["flags"]["archived"]]
    error, status, items = None, 200, []
    try:
        filters = offers.OfferFilter.from_args(request.args)
    except InvalidInput as exc:
        error, status = exc.message, 400
        chosen = dict.fromkeys(FILTER_ARGS, "")
    else:
        items = [i for i in everything if filters.keeps(i["offer"]["properties"], i["flags"])]
    writer = can_write_somewhere(current_user.role)
    open_proposals = 0
    if writer:
        found = offers.list_proposals(store, area)
        if not _editor():
            found = [p for p in found if p["properties"].get("proposed_by") == current_user.name]
        open_proposals = len(found)
    page = render_template(
        "offers/angebote.html",
        area=area,
        meta=meta,
        items=[_view(i["offer"]) for i in items],
        total=len(active),
        to_check=sum(1 for i in active if not i["flags"]["handout"]),
        archived_count=len(everything) - len(active),
        archive_filters=offers.ARCHIVE_FILTERS,
        chosen=chosen,
        filtered=any(chosen.values()),
        target_groups=model.TARGET_GROUPS,
        funders=model.FUNDERS,
        legal_bases=model.LEGAL_BASES,
        topics=model.TOPICS,
        exports={
            "CSV": url_for("api.offers_csv", area=area),
            "GeoJSON": url_for("api.offers_geojson", area=area),
        },
        error=error,
        writer=writer,
        is_editor=_editor(),
        open_proposals=open_proposals,
        deleted=request.args.get("geloescht"),
        archived_now=_count_arg("archiviert"),
    )
    return page, status


# --- proposals -----------------------------------------------------------------------


def _current_offer(area: str, offer_id: str | None) -> dict | None:
    if not offer_id:
        return None
    try:
        return offers.get_offer(ctx.store(), area, offer_id)
    except NotFound:
        return None


def _proposal_item(area: str, proposal: dict) -> dict:
    props = proposal["properties"]
    current = _current_offer(area, props.get("offer_id"))
    proposed = props.get("offer") or {}
    name = proposed.get("name") or ""
    if props["kind"] == "aenderung" and current is not None:
        name = current["properties"].get("name") or name
    return {
        "id": proposal["id"],
        "version": props["version"],
        "kind": props["kind"],
        "kind_label": KIND_LABELS.get(props["kind"], props["kind"]),
        "state": props["state"],
        "state_label": STATE_LABELS.get(props["state"], props["state"]),
        "name": name,
        "offer_id": props.get("offer_id"),
        "offer_exists": current is not None,
        "proposed_by": props.get("proposed_by"),
        "proposed_at": props.get("proposed_at"),
        # four-eyes: why the user may not accept it (their own proposal)
        "accept_refusal": offers.accept_refusal(proposal, ctx.current_actor()),
        "comment": props.get("comment"),
        "decided_by": props.get("decided_by"),
        "decided_at": props.get("decided_at"),
        "decision_comment": props.get("decision_comment"),
        "changes": _changes(proposed, current) if props["state"] == "offen" else [],
        "missing": props["kind"] == "aenderung" and current is None,
        "stale": (
            props["kind"] == "aenderung"
            and current is not None
            and current["properties"]["version"] != props.get("base_version")
        ),
    }


def _proposals_context(area: str, meta: dict, **extra) -> dict:
    store = ctx.store()
    everything = offers.list_proposals(store, area, state=None)
    if not _editor():
        everything = [
            p for p in everything if p["properties"].get("proposed_by") == current_user.name
        ]
    pending = [_proposal_item(area, p) for p in everything if p["properties"]["state"] == "offen"]
    decided = [p for p in everything if p["properties"]["state"] != "offen"]
    decided.sort(key=lambda p: (p["properties"].get("decided_at") or "", p["id"]), reverse=True)
    return {
        "area": area,
        "meta": meta,
        "pending": pending,
        "decided": [_proposal_item(area, p) for p in decided[:DECIDED_SHOWN]],
        "is_editor": _editor(),
        "proposed": request.args.get("vorgeschlagen"),
        **extra,
    }


def proposals_page(area: str):
    """Open proposals (oldest first) with what they change; recent decisions. Leads and
    admins decide; caseworkers see their own proposals."""
    meta = ctx.area_meta()
    context = _proposals_context(
        area,
        meta,
        accepted=request.args.get("uebernommen"),
        rejected=request.args.get("abgelehnt"),
    )
    return render_template("offers/angebote_vorschlaege.html", **context)


def decide_proposal(area: str, proposal_id: str):
    """Accept (``action=annehmen``) or reject (``action=ablehnen``, comment required)."""
    meta = ctx.area_meta()
    store = ctx.store()
    action = request.form.get("action") or ""
    try:
        _require_editor()
        offers.get_proposal(store, area, proposal_id)
        if action not in ("annehmen", "ablehnen"):
            raise InvalidInput("Bitte „Übernehmen“ oder „Ablehnen“ wählen.")
        kwargs = {
            "expected_version": _version("des Vorschlags"),
            "actor": ctx.current_actor(),
            "guard": _guard(),
            "comment": _comment(),
        }
        if action == "annehmen":
            offer = offers.accept_proposal(
                store, area, proposal_id, today=settings.today(), **kwargs
            )
        else:
            offers.reject_proposal(store, area, proposal_id, **kwargs)
    except Forbidden as exc:
        return _forbidden(exc)
    except NotFound:
        raise
    except VersionConflict as exc:  # German messages: the proposal or the offer changed
        context = _proposals_context(area, meta, error=exc.message, failed=proposal_id)
        return render_template("offers/angebote_vorschlaege.html", **context), 409
    except InvalidInput as exc:
        context = _proposals_context(area, meta, error=exc.message, failed=proposal_id)
        return render_template("offers/angebote_vorschlaege.html", **context), exc.status
    if action == "annehmen":
        target = url_for("pages.offer_proposals", area=area, uebernommen=offer["id"])
    else:
        target = url_for("pages.offer_proposals", area=area, abgelehnt=1)
    return redirect(target, 303)


# --- import --------------------------------------------------------------------------


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
        _require_editor()
    except Forbidden as exc:
        return _forbidden(exc)
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
        return _forbidden(exc)
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
    """Archive the offers an import found missing from its file (leads and admins); the
    form on the import result names them and asks for a confirmation."""
    meta = ctx.area_meta()
    try:
        _require_editor()
    except Forbidden as exc:
        return _forbidden(exc)
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
        return _forbidden(exc)
    except NotFound as exc:
        return _import_page(area, meta, 404, error=exc.message)
    return redirect(url_for("pages.offers", area=area, archiv="nur", archiviert=len(done)), 303)
