"""Team meetings: record a meeting, what changed since the last one, its protocol (no Flask).

A lead starts a meeting (day and the roles present — roles and counts, never names) and
closes it when the team is done. The review decisions its team's leads take in between
(released, Rückfrage, re-check asked, archived) are the meeting's decisions. "Seit letzter
Besprechung" lists what happened to the team's notes after the last closed meeting: new,
edited, answered (a Rückfrage resubmitted with an answer), resubmitted (without one),
released, archived and expired notes. Times are stored in UTC (ISO 8601), days are ISO dates;
the protocol CSV shows local time (Europe/Berlin) like the pages.
"""

from __future__ import annotations

from sozialraum.services.meetings.changes import (
    CHANGE_KINDS,
    DECISION_LABELS,
    DECISIONS,
    Changes,
    changes_since,
    decisions,
    review_entry,
    since_last_meeting,
    team_counts,
)
from sozialraum.services.meetings.protocol import (
    PROTOCOL_HEADER,
    protocol_rows,
)
from sozialraum.services.meetings.records import (
    LAYER,
    LOCAL_TZ,
    MAX_PAST_DAYS,
    MAX_PER_ROLE,
    ROLES_PRESENT,
    close_meeting,
    get_meeting,
    last_closed_meeting,
    list_meetings,
    local_time,
    meeting_label,
    now_iso,
    open_meeting,
    parse_time,
    start_meeting,
)

__all__ = [
    "CHANGE_KINDS",
    "DECISIONS",
    "DECISION_LABELS",
    "LAYER",
    "LOCAL_TZ",
    "MAX_PAST_DAYS",
    "MAX_PER_ROLE",
    "PROTOCOL_HEADER",
    "ROLES_PRESENT",
    "Changes",
    "changes_since",
    "close_meeting",
    "decisions",
    "get_meeting",
    "last_closed_meeting",
    "list_meetings",
    "local_time",
    "meeting_label",
    "now_iso",
    "open_meeting",
    "parse_time",
    "protocol_rows",
    "review_entry",
    "since_last_meeting",
    "start_meeting",
    "team_counts",
]
