"""Field-note pages (German): list with filters and exports, create, view, edit, delete.

Forms post plain fields; the checks (German messages, data-protection guard, team
rights) are the same functions the JSON API calls. An edit carries the version it was
based on: if someone saved in between, the page shows both versions and overwrites
nothing.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model.notes import INPUT_FIELDS, MAILBOX_STATUSES, REVIEW_STATES
from sozialraum.model.review import ACTION_LABELS, STATES, content_editors
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services import review
from sozialraum.web import context as ctx
from sozialraum.web.paging import one_page

FILTERS = ("district", "category", "review_state", "mailbox_status")

#: Notes per page of the notes list (the review queue shows as many).
PAGE_SIZE = 100


def _labelled(area: str, feature: dict, names: dict[str, str] | None = None) -> dict:
    return fieldnotes.labelled(feature, ctx.note_rules(), names or ctx.district_names(area))


def _number(name: str) -> float | None:
    value = (request.form.get(name) or request.args.get(name) or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"Ungültige Koordinate ({name}).") from None


def _submitted() -> dict:
    """The note fields of the posted form, as the service expects them."""
    data = {key: (request.form.get(key) or "").strip() or None for key in INPUT_FIELDS}
    data["text"] = request.form.get("text", "")
    data = {k: v for k, v in data.items() if v is not None}
    lon, lat = _number("lon"), _number("lat")
    if lon is not None or lat is not None:
        data["lon"], data["lat"] = lon, lat
    choice = (request.form.get("address_choice") or "").strip()
    if choice and not data.get("address_id") and _is_mailbox(data.get("category")):
        data["address_id"] = choice  # one of the proposed addresses (see _form_context)
    return data


def _is_mailbox(category: str | None) -> bool:
    categories = ctx.note_rules().categories
    return category in categories and categories[category].kind == "mailbox"


def _address_confirmed() -> None:
    """A proposed address of a mailbox note must be confirmed (the box ticked)."""
    form = request.form
    chosen = form.get("address_choice") and _is_mailbox(form.get("category"))
    if chosen and not form.get("address_confirmed"):
        raise InvalidInput(
            "Bitte bestätigen Sie die Adresse des Hauses, zu der die Beobachtung gehört."
        )


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput("Die Fassung der Notiz fehlt. Bitte laden Sie die Seite neu.") from None


def _point_of(area: str, layer: str, feature_id: str | None) -> tuple[dict | None, list | None]:
    if not feature_id:
        return None, None
    try:
        feature = ctx.store().get(area, layer, feature_id)
    except (NotFound, InvalidInput):
        raise NotFound(f"no {layer} {feature_id!r}") from None
    return feature["properties"], feature["geometry"]["coordinates"]


def _proposals(area: str, values: dict) -> list[dict]:
    """The addresses near the note's point, for a mailbox note without an address."""
    lon, lat = values.get("lon"), values.get("lat")
    if values.get("address_id") or lon is None or lat is None:
        return []
    return fieldnotes.nearest_addresses(ctx.store(), area, lon, lat)


def _form_context(area: str, meta: dict, values: dict, **extra) -> dict:
    if request.method == "POST":  # shown again (an error): offer the same choice again
        form = request.form
        values = {
            **values,
            "address_choice": form.get("address_choice"),
            "address_confirmed": form.get("address_confirmed"),
        }
        if not form.get("address_id"):
            values.pop("address_id", None)
    return {
        "area": area,
        "meta": meta,
        "values": values,
        "proposals": _proposals(area, values),
        "proposal_radius_m": fieldnotes.PROPOSAL_RADIUS_M,
        "categories": list(ctx.note_rules().categories),
        "mailbox_statuses": MAILBOX_STATUSES,
        "review_states": REVIEW_STATES,
        "bbox": meta.get("bbox"),
        "today": settings.today().isoformat(),
        **extra,
    }


def _place_link(area: str, values: dict) -> str | None:
    """The line naming the address or resource the new note is about (None for a point)."""
    link = None
    try:
        address, _ = _point_of(area, "addresses", values.get("address_id"))
        resource, _ = _point_of(area, "resources", values.get("resource_id"))
    except NotFound:  # a form posted with a stale id: the service's error is shown instead
        return None
    if address:
        link = f"Adresse: {address['street']} {address['housenumber']}"
    if resource:
        link = "Ort: " + (resource.get("name") or "ohne Namen")
    return link


def new_note(area: str):
    """Create a note: at a clicked point, an address, a resource or the current location."""
    meta = ctx.area_meta()
    if request.method == "POST":
        values = _submitted()
        try:
            _address_confirmed()
            feature = fieldnotes.create_note(
                ctx.store(),
                area,
                values,
                actor=ctx.current_actor(),
                rules=ctx.note_rules(),
                today=settings.today(),
                nearest_address=False,  # the caseworker confirms one of the proposals
            )
        except (InvalidInput, Forbidden) as exc:
            status = 403 if isinstance(exc, Forbidden) else exc.status
            message = (
                "Diese Stelle liegt im Bezirk eines anderen Teams. Notizen dort schreibt "
                "dieses Team. Bitte wählen Sie eine Stelle im Bezirk Ihres Teams oder in "
                "einem Bezirk ohne Team."
                if isinstance(exc, Forbidden)
                else exc.message
            )
            context = _form_context(
                area, meta, values, error=message, link=_place_link(area, request.form)
            )
            return render_template("notes/notiz_neu.html", **context), status
        return redirect(url_for("pages.note", area=area, note_id=feature["id"], neu=1), 303)
    values = {"category": request.args.get("category") or "beobachtung"}
    address, point = _point_of(area, "addresses", request.args.get("address_id"))
    if address:
        values.update(address_id=request.args["address_id"], category="briefkasten")
    resource, resource_point = _point_of(area, "resources", request.args.get("resource_id"))
    if resource:
        values["resource_id"] = request.args["resource_id"]
        values["category"] = request.args.get("category") or "ressource"
        point = resource_point
    link = _place_link(area, values)
    lon, lat = _number("lon"), _number("lat")
    if point:
        values["lon"], values["lat"] = point[:2]
    elif lon is not None and lat is not None:
        values["lon"], values["lat"] = lon, lat
    if values["category"] not in ctx.note_rules().categories:
        values["category"] = "beobachtung"
    # known before the form: the place lies in another team's district (or none at all)
    blocked, no_team = None, False
    if values.get("lon") is not None and values.get("lat") is not None:
        district = fieldnotes.district_at(ctx.store(), area, values["lon"], values["lat"])
        team = (district or {}).get("team")
        no_team = district is not None and not team
        blocked = fieldnotes.district_refusal(ctx.current_actor(), team)
    context = _form_context(area, meta, values, link=link, blocked=blocked, no_team=no_team)
    return render_template("notes/notiz_neu.html", **context)


def _note_context(area: str, meta: dict, feature: dict, **extra) -> dict:
    store = ctx.store()
    names = ctx.district_names(area)
    note = _labelled(area, feature, names)
    history = fieldnotes.note_history(
        store,
        area,
        feature["id"],
        today=settings.today(),
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )
    for item in history:
        if item["feature"] is not None:
            item["feature"] = _labelled(area, item["feature"], names)
    values = {k: note["properties"].get(k) for k in INPUT_FIELDS if k != "resource_id"}
    values["resource_id"] = note["properties"].get("osm_ref")
    values["lon"], values["lat"] = note["geometry"]["coordinates"][:2]
    if not values.get("address_id") and note["properties"].get("address_key"):
        # tied by its address key only (older data): the edit keeps that address
        values["address_id"] = fieldnotes.address_id_for_key(
            store, area, note["properties"]["address_key"]
        )
    if values.get("review_state") not in REVIEW_STATES:
        values["review_state"] = "eingereicht"  # an edit of a reviewed note is reviewed again
    archived = feature["properties"].get("review_state") == "archiviert"
    return _form_context(
        area,
        meta,
        extra.pop("values", None) or values,
        note=note,
        history=list(reversed(history)),
        can_edit=fieldnotes.may_write(ctx.current_actor(), feature["properties"].get("team"))
        and not archived,
        review_labels=STATES,
        review_actions=ACTION_LABELS,
        editors=content_editors(feature["properties"]),
        query=review.last_query(feature["properties"]),
        **extra,
    )


def note_page(area: str, note_id: str):
    """A note: what, where, when, who; its history; the edit form for its team."""
    meta = ctx.area_meta()
    store, today = ctx.store(), settings.today()
    feature = fieldnotes.get_note(
        store, area, note_id, today=today, reader=ctx.current_actor(), rules=ctx.note_rules()
    )
    if request.method == "GET":
        saved = request.args.get("neu") or request.args.get("gespeichert")
        context = _note_context(
            area,
            meta,
            feature,
            saved=saved,
            answered=request.args.get("beantwortet"),
            submitted=request.args.get("eingereicht"),
        )
        return render_template("notes/notiz.html", **context)
    values = _submitted()
    try:
        fieldnotes.update_note(
            store,
            area,
            note_id,
            values,
            expected_version=_version(),
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=today,
        )
    except VersionConflict:
        current = fieldnotes.get_note(
            store, area, note_id, today=today, reader=ctx.current_actor(), rules=ctx.note_rules()
        )
        mine = {"type": "Feature", "id": note_id, "geometry": current["geometry"]}
        mine["properties"] = {**current["properties"], **values, "version": None}
        context = _note_context(
            area,
            meta,
            current,
            values=values,
            conflict={"mine": _labelled(area, mine), "current": _labelled(area, current)},
        )
        return render_template("notes/notiz.html", **context), 409
    except InvalidInput as exc:
        context = _note_context(area, meta, feature, values=values, error=exc.message)
        return render_template("notes/notiz.html", **context), exc.status
    return redirect(url_for("pages.note", area=area, note_id=note_id, gespeichert=1), 303)


def answer_query(area: str, note_id: str):
    """Answer a Rückfrage from the note's page.

    The answer is the comment of the resubmission (review action ``einreichen`` from
    ``rueckfrage``).
    """
    answer = (request.form.get("answer") or "").strip()

    def check(state: str) -> None:
        if state != "rueckfrage":
            raise InvalidInput("Zu dieser Notiz ist keine Rückfrage offen.")
        if not answer:
            raise InvalidInput("Bitte die Rückfrage beantworten (Antwort fehlt).")

    return _review_from_note_page(area, note_id, check, answer, "beantwortet")


def submit_note(area: str, note_id: str):
    """Submit a draft for review from the note's page (review action ``einreichen``)."""

    def check(state: str) -> None:
        if state != "entwurf":
            raise InvalidInput("Nur ein Entwurf kann hier eingereicht werden.")

    return _review_from_note_page(area, note_id, check, None, "eingereicht")


def _review_from_note_page(area, note_id, check, comment, done_flag):
    """Submit a note (``einreichen``) after ``check(review_state)``; back to its page."""
    meta = ctx.area_meta()
    store, today = ctx.store(), settings.today()
    feature = fieldnotes.get_note(
        store, area, note_id, today=today, reader=ctx.current_actor(), rules=ctx.note_rules()
    )
    try:
        check(feature["properties"].get("review_state") or "entwurf")
        review.review_note(
            store,
            area,
            note_id,
            "einreichen",
            expected_version=_version(),
            actor=ctx.current_actor(),
            rules=ctx.note_rules(),
            today=today,
            comment=comment,
        )
    except VersionConflict:
        current = fieldnotes.get_note(store, area, note_id, today=today)
        what = "Ihre Antwort wurde" if comment is not None else "Sie wurde"
        message = (
            f"Die Notiz wurde inzwischen geändert; {what} nicht gespeichert. "
            "Bitte prüfen Sie die aktuelle Fassung und versuchen Sie es erneut."
        )
        context = _note_context(area, meta, current, error=message, answer=comment)
        return render_template("notes/notiz.html", **context), 409
    except (InvalidInput, Forbidden) as exc:
        context = _note_context(area, meta, feature, error=exc.message, answer=comment)
        return render_template("notes/notiz.html", **context), exc.status
    return redirect(url_for("pages.note", area=area, note_id=note_id, **{done_flag: 1}), 303)


def delete_note(area: str, note_id: str):
    """Delete a note (the version shown must still be the current one)."""
    meta = ctx.area_meta()
    store, today = ctx.store(), settings.today()
    try:
        fieldnotes.delete_note(
            store,
            area,
            note_id,
            expected_version=_version(),
            actor=ctx.current_actor(),
            today=today,
            rules=ctx.note_rules(),
        )
    except VersionConflict:
        current = fieldnotes.get_note(
            store, area, note_id, today=today, reader=ctx.current_actor(), rules=ctx.note_rules()
        )
        message = (
            "Die Notiz wurde inzwischen geändert und deshalb nicht gelöscht. "
            "Bitte prüfen Sie die aktuelle Fassung."
        )
        context = _note_context(area, meta, current, error=message)
        return render_template("notes/notiz.html", **context), 409
    return redirect(url_for("pages.notes", area=area, geloescht=1), 303)


def notes_page(area: str):
    """The notes of an area that have not expired, a page at a time: filters, table, exports."""
    meta = ctx.area_meta()
    store = ctx.store()
    chosen = {key: request.args.get(key) or None for key in FILTERS}
    if chosen["district"]:
        services.find_district(store, area, chosen["district"])
    if chosen["category"] and chosen["category"] not in ctx.note_rules().categories:
        raise InvalidInput("unknown note category")
    features = fieldnotes.list_notes(
        store,
        area,
        today=settings.today(),
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
        **chosen,
    )
    # newest observation first; of one day, the note added last first (the store keeps order)
    features = sorted(
        reversed(features), key=lambda f: f["properties"].get("observed_on") or "", reverse=True
    )
    page = one_page(features, request.args.get("seite", type=int), PAGE_SIZE)
    names = ctx.district_names(area)
    notes = [fieldnotes.labelled(f, ctx.note_rules(), names) for f in page.items]
    query = {k: v for k, v in chosen.items() if v}
    return render_template(
        "notes/notizen.html",
        area=area,
        meta=meta,
        notes=notes,
        page=page,
        query=query,
        chosen=chosen,
        districts=sorted(names.items(), key=lambda item: item[1] or ""),
        categories=list(ctx.note_rules().categories),
        mailbox_statuses=MAILBOX_STATUSES,
        review_states=STATES,
        exports={
            "CSV": url_for("api.notes_csv", area=area, **query),
            "GeoJSON": url_for("api.notes_geojson", area=area, **query),
            "GeoPackage (QGIS)": url_for("api.notes_gpkg", area=area, **query),
        },
        deleted=request.args.get("geloescht"),
        created=request.args.get("neu", type=int),
        can_write=can_write_somewhere(current_user.role),
    )


def linked_notes(area: str, *, address_key: str | None = None, osm_ref: str | None = None):
    """Notes (labelled, not expired) linked to an address key or a resource, newest first."""
    found = []
    names = ctx.district_names(area)
    notes = fieldnotes.list_notes(
        ctx.store(),
        area,
        today=settings.today(),
        reader=ctx.current_actor(),
        rules=ctx.note_rules(),
    )
    for feature in notes:
        props = feature["properties"]
        if (address_key and props.get("address_key") == address_key) or (
            osm_ref and props.get("osm_ref") == osm_ref
        ):
            found.append(_labelled(area, feature, names))
    found.sort(key=lambda n: n["properties"].get("observed_on") or "", reverse=True)
    return found
