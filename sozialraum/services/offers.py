"""Support-offer services over the store: directory, proposals, finder (no Flask).

Offers are the area's layer ``offers``: a Point (lon/lat degrees, EPSG:4326) or a null
geometry for region-wide offers. Leads and admins create, change, check and delete offers;
caseworkers propose new offers or changes (layer ``offer_proposals``), which a lead or an
admin accepts or rejects. Viewers read. Import and export are in
:mod:`sozialraum.services.offers_io`.

Four-eyes: every write that changes an offer's content records the writer in
``edited_by``; such an offer is unchecked (left out of handouts) until somebody else marks
it as checked (:func:`mark_checked`, which empties ``edited_by``). Nobody accepts their own
proposal; an accepted proposal counts as read by a second person.

Archived offers (``archived_on``, :func:`archive_offers`) are kept but left out of the
finder, handouts and the map; the directory lists them only with its archive filter.

The finder's situation and address live only in memory: nothing here stores or logs them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from sozialraum.analysis.nearby import project
from sozialraum.analysis.walk import (
    DEFAULT_SPEED_KMH,
    distances_from_point,
    walk_minutes,
)
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model import offers as model
from sozialraum.model.privacy import PrivacyGuard
from sozialraum.model.review import four_eyes_refusal
from sozialraum.model.roles import Role, can_edit_offers, can_write_somewhere
from sozialraum.services.areas import walk_network
from sozialraum.services.notes import Actor
from sozialraum.store.base import Store
from sozialraum.store.validation import check_point_in_area

LAYER = "offers"
PROPOSALS = "offer_proposals"

#: Proposal states: id → German label.
PROPOSAL_STATES = {"offen": "offen", "angenommen": "angenommen", "abgelehnt": "abgelehnt"}
MAX_COMMENT_CHARS = 500
#: The directory's archive filter (query argument ``archiv``): value → German label.
ARCHIVE_FILTERS = {"": "ohne archivierte", "nur": "nur archivierte", "alle": "alle"}
#: Which role counts as "checked by" when a user marks an offer as checked.
CHECKED_BY_FOR_ROLE = {Role.LEAD: "teamleitung", Role.ADMIN: "verwaltung"}


def _require_edit(actor: Actor) -> None:
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
    _require_edit(actor)
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
    _require_edit(actor)
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
    _require_edit(actor)
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
    """Why ``actor`` may not mark an offer as checked because they changed it (German,
    four-eyes), or ``None``."""
    editors = model.offer_editors(feature["properties"])
    return four_eyes_refusal("Als geprüft markieren", actor.name, editors)


def accept_refusal(proposal: dict, actor: Actor) -> str | None:
    """Why ``actor`` may not accept a proposal they made (German, four-eyes), or ``None``."""
    if proposal["properties"].get("proposed_by") != actor.name:
        return None
    return (
        "Vier-Augen-Prinzip: Sie haben diesen Vorschlag selbst gemacht; annehmen muss ihn "
        "eine andere Person."
    )


def delete_offer(
    store: Store, area: str, offer_id: str, *, expected_version: int, actor: Actor
) -> None:
    """Delete an offer (leads and admins); the audit log keeps that it happened."""
    _require_edit(actor)
    get_offer(store, area, offer_id)
    store.delete(area, LAYER, offer_id, expected_version=expected_version, actor=actor.name)


def offer_form_values(feature: dict) -> dict:
    """An offer's fields as input for :func:`check_offer` (``lon``/``lat`` from the point)."""
    props = feature["properties"]
    values = {name: props.get(name) for name in model.FIELDS}
    geometry = feature.get("geometry")
    if geometry:
        values["lon"], values["lat"] = geometry["coordinates"][:2]
    return values


# --- directory -----------------------------------------------------------------------


@dataclass(frozen=True)
class OfferFilter:
    """Filters of the directory; empty values do not filter."""

    text: str = ""
    target_group: str = ""
    funder: str = ""
    legal_basis: str = ""
    topic: str = ""
    #: ``""``, ``"pruefen"`` (unchecked or ended), ``"aktuell"`` (fit for handouts)
    flag: str = ""
    #: ``""`` (archived offers hidden), ``"nur"`` (only archived ones), ``"alle"``
    archived: str = ""

    @classmethod
    def from_args(cls, args: Mapping) -> OfferFilter:
        """Read filters from query arguments; :class:`InvalidInput` for unknown values."""
        values = {}
        for key, arg, vocabulary in (
            ("target_group", "zielgruppe", model.TARGET_GROUPS),
            ("funder", "foerderer", model.FUNDERS),
            ("legal_basis", "rechtsgrundlage", model.LEGAL_BASES),
            ("topic", "thema", model.TOPICS),
            ("flag", "hinweis", {"pruefen": "", "aktuell": ""}),
            ("archived", "archiv", ARCHIVE_FILTERS),
        ):
            value = (args.get(arg) or "").strip()
            if value and value not in vocabulary:
                raise InvalidInput(f"Unbekannter Filterwert für {arg}.")
            values[key] = value
        text = (args.get("q") or "").strip()
        if len(text) > 100:
            raise InvalidInput("Der Suchtext ist zu lang (höchstens 100 Zeichen).")
        return cls(text=text, **values)

    def keeps(self, props: Mapping, flags: Mapping) -> bool:
        """Whether an offer (properties and :func:`~sozialraum.model.offers.offer_flags`) passes."""
        for key, prop in (
            ("target_group", "target_groups"),
            ("funder", "funders"),
            ("legal_basis", "legal_bases"),
            ("topic", "topics"),
        ):
            wanted = getattr(self, key)
            if wanted and wanted not in (props.get(prop) or []):
                return False
        if bool(flags.get("archived")) != (self.archived == "nur") and self.archived != "alle":
            return False
        if self.flag == "pruefen" and flags["handout"]:
            return False
        if self.flag == "aktuell" and not flags["handout"]:
            return False
        if self.text:
            haystack = " ".join(
                str(props.get(k) or "") for k in ("name", "provider", "description", "address")
            ).casefold()
            return all(word in haystack for word in self.text.casefold().split())
        return True


def list_offers(
    store: Store, area: str, *, today: date, filters: OfferFilter | None = None
) -> list[dict]:
    """Offers of the area with their flags, sorted by name.

    Returns
    -------
    list of dict
        ``{"offer": feature, "flags": offer_flags(...)}`` per offer.
    """
    filters = filters or OfferFilter()
    items = []
    for feature in store.query(area, LAYER):
        flags = model.offer_flags(feature["properties"], today)
        if filters.keeps(feature["properties"], flags):
            items.append({"offer": feature, "flags": flags})
    items.sort(key=lambda i: (i["offer"]["properties"]["name"].casefold(), i["offer"]["id"]))
    return items


# --- proposals -----------------------------------------------------------------------


def _comment(text: object, guard: PrivacyGuard, *, required: bool = False) -> str:
    if text is not None and not isinstance(text, str):
        raise InvalidInput("Kommentar: bitte einen Text angeben.")
    comment = " ".join((text or "").split())
    if required and not comment:
        raise InvalidInput("Bitte begründen Sie die Ablehnung in einem Kommentar.")
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"Der Kommentar ist zu lang (höchstens {MAX_COMMENT_CHARS} Zeichen).")
    guard.check(comment)
    return comment


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def propose(
    store: Store,
    area: str,
    data: Mapping,
    *,
    actor: Actor,
    guard: PrivacyGuard,
    today: date,
    offer_id: str | None = None,
    base_version: int | None = None,
    comment: str = "",
) -> dict:
    """Store a proposal of a new offer (``offer_id`` None) or of a change to an offer.

    Anyone who writes (not viewers) may propose; the proposed offer is checked like an
    offer, the comment by the data-protection rules. Returns the proposal (null geometry).

    Raises
    ------
    InvalidInput, Forbidden, NotFound
    """
    if not can_write_somewhere(actor.role):
        raise Forbidden("Mit Lesezugriff können Sie keine Angebote vorschlagen.")
    offer = check_offer(store, area, data, today=today)
    if offer_id is not None:
        current = get_offer(store, area, offer_id)
        if base_version is None:
            base_version = current["properties"]["version"]
    proposed = dict(offer.properties, lon=offer.lon, lat=offer.lat)
    feature = {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "kind": "neu" if offer_id is None else "aenderung",
            "state": "offen",
            "offer": proposed,
            "offer_id": offer_id,
            "base_version": base_version,
            "comment": _comment(comment, guard),
            "proposed_by": actor.name,
            "proposed_at": _now(),
        },
    }
    return store.add(area, PROPOSALS, feature, actor=actor.name)


def list_proposals(store: Store, area: str, *, state: str | None = "offen") -> list[dict]:
    """Proposals in ``state`` (all for ``None``), oldest first."""
    if state is not None and state not in PROPOSAL_STATES:
        raise InvalidInput("Unbekannter Status eines Vorschlags.")
    found = [
        p
        for p in store.query(area, PROPOSALS)
        if state is None or p["properties"]["state"] == state
    ]
    return sorted(found, key=lambda p: (p["properties"]["proposed_at"], p["id"]))


def get_proposal(store: Store, area: str, proposal_id: str) -> dict:
    """One proposal; :class:`NotFound` if missing."""
    try:
        return store.get(area, PROPOSALS, proposal_id)
    except InvalidInput:
        raise NotFound(f"no proposal {proposal_id!r}") from None


def proposal_changes(proposal: dict, current: dict | None) -> list[dict]:
    """What a proposal changes: ``{"field", "label", "old", "new"}`` per differing field."""
    proposed = proposal["properties"]["offer"]
    old = offer_form_values(current) if current else {}
    changes = []
    for name in (*model.FIELDS, "lon", "lat"):
        before, after = old.get(name), proposed.get(name)
        if (before or None) != (after or None):
            changes.append(
                {"field": name, "label": model.FIELD_LABELS[name], "old": before, "new": after}
            )
    return changes


def _decide(store, area, proposal, state, *, actor: Actor, comment: str, offer_id=None):
    props = {k: v for k, v in proposal["properties"].items() if k not in ("version", "updated_at")}
    props.update(
        state=state,
        decided_by=actor.name,
        decided_at=_now(),
        decision_comment=comment,
        offer_id=offer_id or props.get("offer_id"),
    )
    return store.update(
        area,
        PROPOSALS,
        proposal["id"],
        {**proposal, "properties": props},
        expected_version=proposal["properties"]["version"],
        actor=actor.name,
        audit_fields={"decision": state},
    )


def _open_proposal(store, area, proposal_id, expected_version) -> dict:
    proposal = get_proposal(store, area, proposal_id)
    props = proposal["properties"]
    if props["version"] != expected_version:
        raise VersionConflict(
            "Der Vorschlag wurde inzwischen bearbeitet.", current_version=props["version"]
        )
    if props["state"] != "offen":
        raise InvalidInput("Über diesen Vorschlag ist schon entschieden.")
    return proposal


def accept_proposal(
    store: Store,
    area: str,
    proposal_id: str,
    *,
    expected_version: int,
    actor: Actor,
    guard: PrivacyGuard,
    today: date,
    comment: str = "",
) -> dict:
    """Accept a proposal (leads and admins): create or change the offer, then close it.

    A new offer gets the proposal's id, so accepting again after an interruption adds no
    second offer. A change is written only if the offer is still at the version the
    proposal was based on. Four-eyes: nobody accepts their own proposal; the proposer's
    content then counts as read by a second person (``edited_by`` keeps only earlier
    editors of the offer, whose changes still need a check).

    Returns
    -------
    dict
        The created or changed offer.

    Raises
    ------
    Forbidden, NotFound, InvalidInput
    VersionConflict
        The proposal or the offer changed meanwhile (nothing written).
    """
    _require_edit(actor)
    proposal = _open_proposal(store, area, proposal_id, expected_version)
    refusal = accept_refusal(proposal, actor)
    if refusal:
        raise Forbidden(refusal)
    comment = _comment(comment, guard)
    props = proposal["properties"]
    offer = check_offer(store, area, props["offer"], today=today)
    feature = offer.feature()
    if props["kind"] == "neu":
        feature["properties"][model.EDITORS_FIELD] = []
        try:
            result = store.get(area, LAYER, proposal["id"])
        except NotFound:
            result = store.add(area, LAYER, {**feature, "id": proposal["id"]}, actor=actor.name)
        offer_id = proposal["id"]
    else:
        offer_id = props["offer_id"]
        current = get_offer(store, area, offer_id)
        if current["properties"]["version"] != props["base_version"]:
            raise VersionConflict(
                "Das Angebot wurde geändert, nachdem der Vorschlag gemacht wurde. Bitte lehnen "
                "Sie den Vorschlag ab und ändern Sie das Angebot selbst.",
                current_version=current["properties"]["version"],
            )
        feature["properties"][model.EDITORS_FIELD] = model.offer_editors(current["properties"])
        result = store.update(
            area,
            LAYER,
            offer_id,
            feature,
            expected_version=props["base_version"],
            actor=actor.name,
            audit_fields={"proposal": proposal["id"]},
        )
    _decide(store, area, proposal, "angenommen", actor=actor, comment=comment, offer_id=offer_id)
    return result


def reject_proposal(
    store: Store,
    area: str,
    proposal_id: str,
    *,
    expected_version: int,
    actor: Actor,
    guard: PrivacyGuard,
    comment: str,
) -> dict:
    """Reject a proposal with a comment (leads and admins); returns the closed proposal."""
    _require_edit(actor)
    proposal = _open_proposal(store, area, proposal_id, expected_version)
    comment = _comment(comment, guard, required=True)
    return _decide(store, area, proposal, "abgelehnt", actor=actor, comment=comment)


# --- finder --------------------------------------------------------------------------


def _walks(store, area, address: dict, items: list[dict], speed_kmh: float) -> str | None:
    """Fill ``distance_m``/``walk_min`` of items with a point; returns why the address is
    cut off (:meth:`~sozialraum.analysis.walk.WalkNetwork.cut_off_reasons`) or ``None``."""
    network = walk_network(store, area)
    lon, lat = address["geometry"]["coordinates"][:2]
    (x_m,), (y_m,) = project([lon], [lat])
    (reason,) = network.cut_off_reasons([x_m], [y_m])
    placed = [i for i in items if i["offer"].get("geometry")]
    lons = [i["offer"]["geometry"]["coordinates"][0] for i in placed]
    lats = [i["offer"]["geometry"]["coordinates"][1] for i in placed]
    xs_m, ys_m = project(lons, lats)
    distance_m = distances_from_point(network, x_m, y_m, xs_m, ys_m)
    for item, metres in zip(placed, distance_m, strict=True):
        if np.isfinite(metres):
            item["distance_m"] = round(float(metres))
            item["walk_min"] = walk_minutes(float(metres), speed_kmh)
    return reason


def find_offers(
    store: Store,
    area: str,
    situation: model.Situation,
    *,
    today: date,
    address: dict | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> dict:
    """Offers that fit a situation, with reasons; sorted by walking time from ``address``.

    Parameters
    ----------
    situation : Situation
        Held in memory only.
    address : dict, optional
        An address feature of the area (EPSG:4326). With it, offers with a place are sorted
        by walking time along the walk network (region-wide ones and unreachable ones after
        them); without it by how much speaks for them, then by name.
    speed_kmh : float
        Walking speed in km/h.

    Returns
    -------
    dict
        ``fits`` and ``others`` (offers that do not fit, with the reasons), each a list of
        ``{"offer", "match", "flags", "distance_m", "walk_min"}`` (distance in metres,
        time in minutes, ``None`` without address or place), ``cut_off`` (the address is
        away from the walk network) and ``cut_off_reason`` (``None``, ``"off_ways"`` or
        ``"outside_network"``, see :data:`~sozialraum.analysis.walk.CUT_OFF_TEXTS`). Offers
        past their end date are in ``others``.
    """
    items = []
    for feature in store.query(area, LAYER):
        props = feature["properties"]
        if props.get(model.ARCHIVED_FIELD):
            continue
        items.append(
            {
                "offer": feature,
                "match": model.match_offer(props, situation, today),
                "flags": model.offer_flags(props, today),
                "distance_m": None,
                "walk_min": None,
            }
        )
    reason = None
    if address is not None:
        reason = _walks(store, area, address, [i for i in items if i["match"].fits], speed_kmh)

    def name(item):
        return item["offer"]["properties"]["name"].casefold()

    def order(item):
        unknown = item["distance_m"] is None
        return (unknown, item["distance_m"] or 0, -item["match"].score, name(item))

    fits = [i for i in items if i["match"].fits]
    fits.sort(key=order if address is not None else (lambda i: (-i["match"].score, name(i))))
    others = sorted((i for i in items if not i["match"].fits), key=name)
    return {"fits": fits, "others": others, "cut_off": reason is not None, "cut_off_reason": reason}


def handout_items(found: dict) -> list[dict]:
    """The fitting offers that may go on a citizen's handout (checked, not ended)."""
    return [i for i in found["fits"] if i["flags"]["handout"]]


def nearby_offers(
    store: Store,
    area: str,
    address: dict,
    *,
    today: date,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    limit: int = 5,
) -> list[dict]:
    """The nearest offers on foot from an address that may go on a handout (address guide).

    Returns
    -------
    list of dict
        Up to ``limit`` items ``{"offer", "flags", "distance_m", "walk_min"}``, nearest first
        (metres, minutes at ``speed_kmh``); offers without a place or out of reach are left out.
    """
    items = []
    for feature in store.query(area, LAYER):
        flags = model.offer_flags(feature["properties"], today)
        if feature.get("geometry") and flags["handout"]:
            items.append({"offer": feature, "flags": flags, "distance_m": None, "walk_min": None})
    if not items:
        return []
    _walks(store, area, address, items, speed_kmh)
    reachable = [i for i in items if i["distance_m"] is not None]
    reachable.sort(key=lambda i: (i["distance_m"], i["offer"]["properties"]["name"]))
    return reachable[:limit]


def archive_offers(
    store: Store, area: str, offer_ids: list[str], *, actor: Actor, today: date
) -> list[str]:
    """Archive offers (leads and admins): kept, but left out of the finder, handouts and
    maps (``archived_on``); returns the ids archived now (already archived ones are skipped).

    Raises
    ------
    Forbidden
        For caseworkers and viewers.
    NotFound
        An id that is not an offer of the area (nothing is written).
    """
    _require_edit(actor)
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
