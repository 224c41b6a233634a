"""Support offers in the store: check, create, change, mark as checked, delete, archive."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model import offers as model
from sozialraum.model.review import four_eyes_refusal
from sozialraum.model.roles import Role, can_edit_offers
from sozialraum.services.notes import Actor
from sozialraum.store.base import Store
from sozialraum.store.validation import check_point_in_area

LAYER = "offers"


#: Which role counts as "checked by" when a user marks an offer as checked.
CHECKED_BY_FOR_ROLE = {Role.LEAD: "teamleitung", Role.ADMIN: "verwaltung"}


def require_edit(actor: Actor) -> None:
    """:class:`~sozialraum.errors.Forbidden` unless ``actor`` may create and change offers."""
    if not can_edit_offers(actor.role):
        raise Forbidden(
            "Angebote legen Teamleitungen und die Administration an und ändern sie; "
            "Fachkräfte schlagen Angebote und Änderungen vor."
        )


def _inside_area(store: Store, area: str, offer: model.OfferInput) -> None:
    if offer.lon is None:
        return
    try:
        check_point_in_area(store.read_meta(area), offer.lon, offer.lat)
    except InvalidInput:
        raise InvalidInput(
            "Ort: der Punkt liegt weit außerhalb des Gebiets. Für Angebote ohne Ort im Gebiet "
            "bitte „gebietsweit“ wählen und die Adresse angeben."
        ) from None


def check_offer(store: Store, area: str, data: Mapping, *, today: date) -> model.OfferInput:
    """Check an offer for ``area`` (fields, and that its point lies in or near the area).

    Raises
    ------
    InvalidInput
        With a German message.
    """
    offer = model.check_offer_input(data, today)
    _inside_area(store, area, offer)
    return offer


def get_offer(store: Store, area: str, offer_id: str) -> dict:
    """One offer (GeoJSON Feature); :class:`NotFound` if missing."""
    try:
        return store.get(area, LAYER, offer_id)
    except InvalidInput:
        raise NotFound(f"no offer {offer_id!r}") from None


def create_offer(store: Store, area: str, data: Mapping, *, actor: Actor, today: date) -> dict:
    """Check and store a new offer (leads and admins); returns it with version 1.

    The creator is its first editor: another person must mark it as checked.

    Raises
    ------
    InvalidInput, Forbidden
    """
    require_edit(actor)
    offer = check_offer(store, area, data, today=today)
    feature = offer.feature()
    feature["properties"][model.EDITORS_FIELD] = [actor.name]
    return store.add(area, LAYER, feature, actor=actor.name)


def update_offer(
    store: Store,
    area: str,
    offer_id: str,
    data: Mapping,
    *,
    expected_version: int,
    actor: Actor,
    today: date,
) -> dict:
    """Replace an offer's fields (leads and admins) if it is still at ``expected_version``.

    A change of the content (:data:`~sozialraum.model.offers.CONTENT_FIELDS` or the
    point) adds the actor to ``edited_by``: the offer is unchecked until another person
    marks it as checked. Entering a check date here is no check.

    Raises
    ------
    InvalidInput, Forbidden, NotFound
    VersionConflict
        Someone changed it meanwhile; nothing written.
    """
    require_edit(actor)
    current = get_offer(store, area, offer_id)
    offer = check_offer(store, area, data, today=today)
    feature = offer.feature()
    edited = model.content_changed(current, feature)
    feature["properties"][model.EDITORS_FIELD] = model.editors_after(current, feature, actor.name)
    if current["properties"].get(model.ARCHIVED_FIELD):  # an edit does not bring it back
        feature["properties"][model.ARCHIVED_FIELD] = current["properties"][model.ARCHIVED_FIELD]
    return store.update(
        area,
        LAYER,
        offer_id,
        feature,
        expected_version=expected_version,
        actor=actor.name,
        audit_fields={"content_edit": True} if edited else None,
    )


def mark_checked(
    store: Store, area: str, offer_id: str, *, expected_version: int, actor: Actor, today: date
) -> dict:
    """Record that an offer was checked today by the actor's role (leads and admins).

    This is the offer's release (four-eyes): refused for anyone who changed its content
    since the last check (``edited_by``); empties ``edited_by``.

    Raises
    ------
    Forbidden
        For caseworkers and viewers, and for the offer's editors (German reason).
    """
    require_edit(actor)
    feature = get_offer(store, area, offer_id)
    refusal = check_refusal(feature, actor)
    if refusal:
        raise Forbidden(refusal)
    props = {k: v for k, v in feature["properties"].items() if k not in ("version", "updated_at")}
    props.update(checked_on=today.isoformat(), checked_by=CHECKED_BY_FOR_ROLE[actor.role])
    props[model.EDITORS_FIELD] = []
    return store.update(
        area,
        LAYER,
        offer_id,
        {**feature, "properties": props},
        expected_version=expected_version,
        actor=actor.name,
        audit_fields={"checked": today.isoformat()},
    )


def check_refusal(feature: dict, actor: Actor) -> str | None:
    """Why ``actor`` may not mark an offer as checked because they changed it, or ``None``.

    In German (four-eyes).
    """
    editors = model.offer_editors(feature["properties"])
    return four_eyes_refusal("Als geprüft markieren", actor.name, editors)


def delete_offer(
    store: Store, area: str, offer_id: str, *, expected_version: int, actor: Actor
) -> None:
    """Delete an offer (leads and admins); the audit log keeps that it happened."""
    require_edit(actor)
    get_offer(store, area, offer_id)
    store.delete(area, LAYER, offer_id, expected_version=expected_version, actor=actor.name)


def offer_form_values(feature: dict) -> dict:
    """An offer's fields as input for :func:`check_offer`.

    ``lon``/``lat`` come from the point (degrees, EPSG:4326); absent without a point (region-wide).
    """
    props = feature["properties"]
    values = {name: props.get(name) for name in model.FIELDS}
    geometry = feature.get("geometry")
    if geometry:
        values["lon"], values["lat"] = geometry["coordinates"][:2]
    return values


def archive_offers(
    store: Store, area: str, offer_ids: list[str], *, actor: Actor, today: date
) -> list[str]:
    """Archive offers (leads and admins); returns the ids archived now.

    They are kept, but left out of the finder, handouts and maps (``archived_on``); already archived
    ones are skipped.

    Raises
    ------
    Forbidden
        For caseworkers and viewers.
    NotFound
        An id that is not an offer of the area (nothing is written).
    """
    require_edit(actor)
    stored = {f["id"]: f for f in store.query(area, LAYER)}
    unknown = [i for i in offer_ids if i not in stored]
    if unknown:
        raise NotFound(f"Angebot {unknown[0][:64]} gibt es nicht (mehr).")
    changed = [
        archived_copy(stored[i], today)
        for i in dict.fromkeys(offer_ids)
        if not stored[i]["properties"].get(model.ARCHIVED_FIELD)
    ]
    if changed:
        store.upsert_many(area, LAYER, changed, actor=actor.name)
    return [f["id"] for f in changed]


def archived_copy(feature: dict, today: date) -> dict:
    """A copy of an offer feature marked as archived on ``today`` (store bookkeeping left out)."""
    props = {k: v for k, v in feature["properties"].items() if k not in ("version", "updated_at")}
    props[model.ARCHIVED_FIELD] = today.isoformat()
    return {**feature, "properties": props}


def new_offer_id() -> str:
    """A fresh offer id (for imports of rows without one)."""
    return "ang" + uuid.uuid4().hex[:20]
