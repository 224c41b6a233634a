"""Shared parts of the offer pages: who may edit, the offer form, German display values.

Forms post plain fields; the checks (German messages) are the service functions of
:mod:`sozialraum.services.offers` that the JSON API calls too.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from sozialraum import settings
from sozialraum.errors import Forbidden, InvalidInput
from sozialraum.model import offers as model
from sozialraum.model.roles import can_edit_offers
from sozialraum.services import offers
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
    *(
        f"{field}_{suffix}"
        for suffix in model.TEXT_LANGUAGES.values()
        for field in ("name", "description")
    ),
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


def privacy_guard():
    """The app's data-protection guard that refuses free text looking like client data."""
    return ctx.note_rules().guard


def is_editor() -> bool:
    """Whether the logged-in user may edit offers (leads and admins)."""
    return can_edit_offers(current_user.role)


def forbidden_page(exc: Forbidden):
    """The error page with the service's German explanation (403)."""
    return render_template("error.html", status=403, message=exc.message), 403


def require_editor() -> None:
    """Raise :class:`Forbidden` (German) unless the logged-in user may edit offers."""
    if not is_editor():
        raise Forbidden(
            "Angebote legen Teamleitungen und die Administration an, ändern, prüfen, "
            "löschen und importieren sie. Fachkräfte schlagen Angebote und Änderungen vor."
        )


def posted_version(what: str = "des Angebots") -> int:
    """The ``version`` the form was loaded with; :class:`InvalidInput` (German) if missing."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise InvalidInput(f"Die Fassung {what} fehlt. Bitte laden Sie die Seite neu.") from None


# --- form ----------------------------------------------------------------------------


def submitted_values() -> dict:
    """The posted offer form as entered (kept for showing the form again)."""
    values: dict = {key: request.form.get(key, "") for key in TEXT_FIELDS}
    for key in OTHER_FIELDS:
        values[key] = (request.form.get(key) or "").strip()
    for key in model.LIST_FIELDS:
        values[key] = [v for v in request.form.getlist(key) if v]
    values["region_wide"] = bool(request.form.get("region_wide"))
    return values


def offer_data(values: dict) -> dict:
    """The form values as :func:`~sozialraum.model.offers.check_offer_input` expects them.

    A region-wide offer has no point: coordinates left in the form are not used.
    """
    data = {key: values.get(key) for key in (*model.FIELDS, "lon", "lat")}
    if data["region_wide"]:
        data["lon"] = data["lat"] = None
    return data


def posted_comment() -> str:
    """The posted comment of a proposal (``""`` if none)."""
    return request.form.get("comment") or ""


def propose_posted(area: str, values: dict, **target) -> dict:
    """Propose the posted offer as the logged-in user, with the posted comment.

    Parameters
    ----------
    area : str
        The area id.
    values : dict
        The submitted form values (:func:`submitted_values`).
    **target
        For a change: ``offer_id`` and ``base_version`` of the offer (see
        :func:`sozialraum.services.offers.propose`); none for a new offer.

    Returns
    -------
    dict
        The stored proposal feature.
    """
    return offers.propose(
        ctx.store(),
        area,
        offer_data(values),
        actor=ctx.current_actor(),
        guard=privacy_guard(),
        today=settings.today(),
        comment=posted_comment(),
        **target,
    )


def display_value(field: str, value) -> str:
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


def changed_fields(proposed: dict, current: dict | None) -> list[dict]:
    """Differing fields of ``proposed`` (checked offer values) against ``current``."""
    found = offers.proposal_changes({"properties": {"offer": proposed}}, current)
    return [
        {
            "label": c["label"],
            "old": display_value(c["field"], c["old"]),
            "new": display_value(c["field"], c["new"]),
        }
        for c in found
    ]


def checked_values(area: str, values: dict) -> dict:
    """The form values checked and normalised (as a proposal stores them)."""
    checked = offers.check_offer(ctx.store(), area, offer_data(values), today=settings.today())
    return dict(checked.properties, lon=checked.lon, lat=checked.lat)


def form_context(area: str, meta: dict, values: dict, **extra) -> dict:
    """Template context of the offer form: values, field vocabularies and labels, plus ``extra``."""
    return {
        "area": area,
        "meta": meta,
        "values": values,
        "list_fields": [(name, vocab, label) for name, (vocab, label) in model.LIST_FIELDS.items()],
        "labels": model.FIELD_LABELS,
        "text_languages": [
            (suffix, model.TEXT_LANGUAGE_LABELS[code])
            for code, suffix in model.TEXT_LANGUAGES.items()
        ],
        "checked_by_roles": model.CHECKED_BY_ROLES,
        "is_editor": is_editor(),
        "today": settings.today().isoformat(),
        **extra,
    }
