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

from sozialraum.services.offers.finder import (
    ARCHIVE_FILTERS,
    OfferFilter,
    find_offers,
    handout_items,
    list_offers,
    nearby_offers,
)
from sozialraum.services.offers.proposals import (
    MAX_COMMENT_CHARS,
    PROPOSAL_STATES,
    PROPOSALS,
    accept_proposal,
    accept_refusal,
    get_proposal,
    list_proposals,
    proposal_changes,
    propose,
    reject_proposal,
)
from sozialraum.services.offers.records import (
    CHECKED_BY_FOR_ROLE,
    LAYER,
    archive_offers,
    archived_copy,
    check_offer,
    check_refusal,
    create_offer,
    delete_offer,
    get_offer,
    mark_checked,
    new_offer_id,
    offer_form_values,
    require_edit,
    update_offer,
)

__all__ = [
    "ARCHIVE_FILTERS",
    "CHECKED_BY_FOR_ROLE",
    "LAYER",
    "MAX_COMMENT_CHARS",
    "PROPOSALS",
    "PROPOSAL_STATES",
    "OfferFilter",
    "accept_proposal",
    "accept_refusal",
    "archive_offers",
    "archived_copy",
    "check_offer",
    "check_refusal",
    "create_offer",
    "delete_offer",
    "find_offers",
    "get_offer",
    "get_proposal",
    "handout_items",
    "list_offers",
    "list_proposals",
    "mark_checked",
    "nearby_offers",
    "new_offer_id",
    "offer_form_values",
    "proposal_changes",
    "propose",
    "reject_proposal",
    "require_edit",
    "update_offer",
]
