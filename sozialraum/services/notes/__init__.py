"""Field-note services over the store: create, change, list, history, expiry (no Flask).

Points are lon/lat degrees (EPSG:4326). A note belongs to the district its point lies
in and to that district's team; caseworkers change their own team's notes, leads too,
admins every note, viewers none (see :mod:`sozialraum.model.roles`). Expired notes are
invisible to every read here; :func:`purge_expired` deletes them for good.

Reads take an optional ``reader``: viewers see released notes only (unless the note's
category does not require a release), and archived notes are left out of lists unless
asked for by state (see :mod:`sozialraum.model.review`).
"""

from __future__ import annotations

from sozialraum.services.notes.access import (
    LAYER,
    Actor,
    NoteRules,
    district_refusal,
    district_team_for,
    may_write,
    require_write,
    visibility_scope,
    visible,
)
from sozialraum.services.notes.export import (
    EXPORT_COLUMNS,
    export_rows,
    labelled,
)
from sozialraum.services.notes.places import (
    PROPOSAL_RADIUS_M,
    TIE_RADIUS_M,
    TieReport,
    address_id_for_key,
    district_at,
    nearest_addresses,
    tie_mailbox_notes,
    tie_to_address,
)
from sozialraum.services.notes.records import (
    REVIEW_FIELDS,
    check_note,
    create_note,
    delete_note,
    expired_note_ids,
    get_note,
    list_notes,
    note_history,
    purge_expired,
    update_note,
)

__all__ = [
    "EXPORT_COLUMNS",
    "LAYER",
    "PROPOSAL_RADIUS_M",
    "REVIEW_FIELDS",
    "TIE_RADIUS_M",
    "Actor",
    "NoteRules",
    "TieReport",
    "address_id_for_key",
    "check_note",
    "create_note",
    "delete_note",
    "district_at",
    "district_refusal",
    "district_team_for",
    "expired_note_ids",
    "export_rows",
    "get_note",
    "labelled",
    "list_notes",
    "may_write",
    "nearest_addresses",
    "note_history",
    "purge_expired",
    "require_write",
    "tie_mailbox_notes",
    "tie_to_address",
    "update_note",
    "visibility_scope",
    "visible",
]
