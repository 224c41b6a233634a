"""Team meeting protocol pages (German): the printable A4 protocol and its CSV.

Leads start and close meetings from the review page (:mod:`sozialraum.web.review.pages`);
rules and checks live in :mod:`sozialraum.services.meetings`.
"""

from __future__ import annotations

from flask import render_template

from sozialraum import settings
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.maps.print_maps import decisions_map_svg
from sozialraum.services import areas as services
from sozialraum.services import meetings
from sozialraum.services.exports import csv_text
from sozialraum.web import context as ctx
from sozialraum.web.basemap.tiles import print_ground
from sozialraum.web.responses import download


def _protocol_svg(area: str, found: list[dict]) -> str:
    """Overview map of the decisions (numbered like the table); empty without a network."""
    if not any(item["note"] for item in found):
        return ""
    try:
        network = services.walk_network(ctx.store(), area)
    except AnalysisUnavailable:
        return ""
    return decisions_map_svg(network, found, ground_m=print_ground(area))


def _decisions(area: str, meeting: dict) -> list[dict]:
    """The meeting's decisions; notes the user may not see (viewers) without content."""
    return meetings.decisions(
        ctx.store(),
        area,
        meeting,
        today=settings.today(),
        rules=ctx.note_rules(),
        reader=ctx.current_actor(),
    )


def _meeting_of_team(area: str, meeting_id: str) -> dict:
    return meetings.get_meeting(ctx.store(), area, meeting_id, reader=ctx.current_actor())


def meeting_page(area: str, meeting_id: str):
    """The printable A4 protocol of a meeting: map, decisions, counts."""
    meta = ctx.area_meta()
    store, rules, today = ctx.store(), ctx.note_rules(), settings.today()
    meeting = _meeting_of_team(area, meeting_id)
    props = meeting["properties"]
    found = _decisions(area, meeting)
    before = meetings.last_closed_meeting(store, area, props["team"], before=props["started_at"])
    since = meetings.changes_since(
        store,
        area,
        props["team"],
        before["properties"]["closed_at"] if before else None,
        today=today,
        rules=rules,
        until=props["started_at"],
        reader=ctx.current_actor(),
    )
    tally = {key: 0 for key in meetings.DECISIONS}
    for item in found:
        tally[item["action"]] += 1
    return render_template(
        "meetings/besprechung.html",
        area=area,
        meta=meta,
        meeting=meeting,
        p=props,
        decisions=found,
        tally=tally,
        since=since,
        previous=before,
        change_kinds=meetings.CHANGE_KINDS,
        counts=meetings.team_counts(store, area, props["team"], today=today, rules=rules),
        action_labels=meetings.DECISION_LABELS,
        meeting_label=meetings.meeting_label,
        svg=_protocol_svg(area, found),
    )


def meeting_csv(area: str, meeting_id: str):
    """The protocol's decisions as CSV (German spreadsheets)."""
    meeting = _meeting_of_team(area, meeting_id)
    found = _decisions(area, meeting)
    rows = meetings.protocol_rows(meeting, found)
    body = csv_text(meetings.PROTOCOL_HEADER, rows).encode("utf-8")
    # two meetings on one day: the local start time keeps the file names apart
    started = meetings.local_time(meeting["properties"].get("started_at"))[-5:].replace(":", "")
    name = f"besprechung-{area}-{meeting['properties']['held_on']}-{started}.csv"
    return download(body, "text/csv", name)
