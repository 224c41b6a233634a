"""Support-offer pages (German): directory, one offer, new offer.

The directory comes with filters and exports; the proposal queue is in :mod:`.proposals`, the import
in :mod:`.imports`.

Leads and admins create, change, check and delete offers; caseworkers use the same forms
to propose a new offer or a change, which a lead or an admin accepts or rejects; viewers
read. Forms post plain fields; the checks (German messages) are the service functions of
:mod:`sozialraum.services.offers` that the JSON API calls too. A change carries the version it was
based on: if someone saved in between, the page says so, shows what differs and
overwrites nothing.
"""

from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model import offers as model
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services import offers
from sozialraum.web import context as ctx
from sozialraum.web.offers import forms

#: Query arguments of the directory filters (see :meth:`OfferFilter.from_args`).
FILTER_ARGS = ("q", "zielgruppe", "foerderer", "rechtsgrundlage", "thema", "hinweis", "archiv")

_WEB = re.compile(r"^https?://", re.IGNORECASE)


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
    return forms.form_context(
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
        changes = forms.changed_fields(forms.checked_values(area, values), current)
    except InvalidInput:
        changes = []
    return _offer_page(
        area,
        meta,
        current,
        409,
        conflict={"message": message, "changes": changes},
        comment=forms.posted_comment(),
    )


def offer_page(area: str, offer_id: str):
    """An offer: all fields, flags, contact.

    Leads and admins edit it, caseworkers propose a change (same form, with a comment), viewers
    read.
    """
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
    values = forms.submitted_values()
    try:
        version = forms.posted_version()
        if forms.is_editor():
            offers.update_offer(
                store,
                area,
                offer_id,
                forms.offer_data(values),
                expected_version=version,
                actor=ctx.current_actor(),
                today=today,
            )
        else:
            offers.check_offer(store, area, forms.offer_data(values), today=today)
            if version != feature["properties"]["version"]:
                raise VersionConflict(
                    "offer changed since the page was loaded",
                    current_version=feature["properties"]["version"],
                )
            forms.propose_posted(area, values, offer_id=offer_id, base_version=version)
    except VersionConflict:
        message = (
            "Jemand anderes hat dieses Angebot inzwischen geändert. Ihre Änderung wurde "
            "nicht gespeichert. Das Formular zeigt jetzt die aktuelle Fassung; Ihre Angaben "
            "stehen in der Tabelle. Bitte übernehmen Sie sie bei Bedarf erneut."
        )
        return _conflict(area, meta, offer_id, values, message)
    except Forbidden as exc:
        return forms.forbidden_page(exc)
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
            comment=forms.posted_comment(),
            version=int(posted) if posted.isdigit() else None,
        )
    if forms.is_editor():
        return redirect(url_for("pages.offer", area=area, offer_id=offer_id, gespeichert=1), 303)
    return redirect(url_for("pages.offer_proposals", area=area, vorgeschlagen=1), 303)


def _offer_action(area: str, offer_id: str, run, not_done: str, done_url: str):
    """Run a lead's action on an offer (``run(store, version)``), then redirect.

    Redirects to ``done_url``; a 403, a 409 (changed meanwhile: ``not_done`` is said) or a German
    4xx on the offer page otherwise.
    """
    meta = ctx.area_meta()
    store = ctx.store()
    try:
        forms.require_editor()
        run(store, forms.posted_version())
    except Forbidden as exc:
        return forms.forbidden_page(exc)
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
        return render_template("offers/angebot_neu.html", **forms.form_context(area, meta, values))
    values = forms.submitted_values()
    store, today = ctx.store(), settings.today()
    try:
        if forms.is_editor():
            feature = offers.create_offer(
                store, area, forms.offer_data(values), actor=ctx.current_actor(), today=today
            )
        else:
            forms.propose_posted(area, values)
    except Forbidden as exc:
        return forms.forbidden_page(exc)
    except InvalidInput as exc:
        context = forms.form_context(
            area, meta, values, error=exc.message, comment=forms.posted_comment()
        )
        return render_template("offers/angebot_neu.html", **context), exc.status
    if forms.is_editor():
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
        if not forms.is_editor():
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
        is_editor=forms.is_editor(),
        open_proposals=open_proposals,
        deleted=request.args.get("geloescht"),
        archived_now=_count_arg("archiviert"),
    )
    return page, status
