"""Proposals for support offers (layer ``offer_proposals``).

Caseworkers propose new offers or changes, a lead or an admin accepts or rejects them (four-eyes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.model import offers as model
from sozialraum.model.privacy import PrivacyGuard
from sozialraum.model.roles import can_write_somewhere
from sozialraum.services.notes import Actor
from sozialraum.services.offers.records import (
    LAYER,
    check_offer,
    get_offer,
    offer_form_values,
    require_edit,
)
from sozialraum.store.base import Store

PROPOSALS = "offer_proposals"


#: Proposal states: id → German label.
PROPOSAL_STATES = {"offen": "offen", "angenommen": "angenommen", "abgelehnt": "abgelehnt"}


MAX_COMMENT_CHARS = 500


def accept_refusal(proposal: dict, actor: Actor) -> str | None:
    """Why ``actor`` may not accept a proposal they made (German, four-eyes), or ``None``."""
    if proposal["properties"].get("proposed_by") != actor.name:
        return None
    return (
        "Vier-Augen-Prinzip: Sie haben diesen Vorschlag selbst gemacht; annehmen muss ihn "
        "eine andere Person."
    )


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
    require_edit(actor)
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
    require_edit(actor)
    proposal = _open_proposal(store, area, proposal_id, expected_version)
    comment = _comment(comment, guard, required=True)
    return _decide(store, area, proposal, "abgelehnt", actor=actor, comment=comment)
