"""Team review services: review actions, the review queue, stale notes, re-checks (no Flask).

Rules (who may do what, four-eyes) live in :mod:`sozialraum.model.review`; this module
applies them to stored notes. Every change is a new version of the note: its
``review_log`` gains an entry (time in UTC, who, action, states, comment) and the audit
entry of the write carries ``review`` = action and states (never the comment: the audit
log is kept for good, a note and its comments are purged when the note expires).
"""

from __future__ import annotations

from sozialraum.model.review import ACTION_LABELS, TRANSITIONS
from sozialraum.services.review.actions import (
    LAYER,
    NEW_WALK_DAYS,
    request_recheck,
    review_note,
    reviewer_of,
)
from sozialraum.services.review.queue import (
    AGE_FILTERS,
    QueueFilter,
    last_query,
    open_queries,
    review_queue,
)

__all__ = [
    "ACTION_LABELS",
    "AGE_FILTERS",
    "LAYER",
    "NEW_WALK_DAYS",
    "TRANSITIONS",
    "QueueFilter",
    "last_query",
    "open_queries",
    "request_recheck",
    "review_note",
    "review_queue",
    "reviewer_of",
]
