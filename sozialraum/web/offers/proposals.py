"""The offer proposal queue (German): caseworkers propose, leads and admins decide."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from sozialraum import settings
from sozialraum.errors import Forbidden, InvalidInput, NotFound, VersionConflict
from sozialraum.services import offers
from sozialraum.web import context as ctx
from sozialraum.web.offers import forms

#: Decided proposals shown below the open ones.
DECIDED_SHOWN = 20
#: Proposal kinds and states (German).
KIND_LABELS = {"neu": "Neues Angebot", "aenderung": "Änderung"}
STATE_LABELS = {"offen": "offen", "angenommen": "übernommen", "abgelehnt": "abgelehnt"}


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
        "changes": forms.changed_fields(proposed, current) if props["state"] == "offen" else [],
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
    if not forms.is_editor():
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
        "is_editor": forms.is_editor(),
        "proposed": request.args.get("vorgeschlagen"),
        **extra,
    }


def proposals_page(area: str):
    """Open proposals (oldest first) with what they change; recent decisions.

    Leads and admins decide; caseworkers see their own proposals.
    """
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
        forms.require_editor()
        offers.get_proposal(store, area, proposal_id)
        if action not in ("annehmen", "ablehnen"):
            raise InvalidInput("Bitte „Übernehmen“ oder „Ablehnen“ wählen.")
        kwargs = {
            "expected_version": forms.posted_version("des Vorschlags"),
            "actor": ctx.current_actor(),
            "guard": forms.privacy_guard(),
            "comment": forms.posted_comment(),
        }
        if action == "annehmen":
            offer = offers.accept_proposal(
                store, area, proposal_id, today=settings.today(), **kwargs
            )
        else:
            offers.reject_proposal(store, area, proposal_id, **kwargs)
    except Forbidden as exc:
        return forms.forbidden_page(exc)
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
