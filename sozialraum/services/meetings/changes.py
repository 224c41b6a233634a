"""What changed for a team since its last meeting.

The decisions to take and the team's counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sozialraum.model.notes import is_expired, is_stale
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services.meetings.records import last_closed_meeting, now_iso, parse_time
from sozialraum.store.base import Store

#: Kinds of change since the last meeting (id → German heading), in display order.
CHANGE_KINDS: dict[str, str] = {
    "neu": "Neu",
    "geaendert": "Geändert",
    "beantwortet": "Rückfrage beantwortet",
    "wieder_eingereicht": "Wieder eingereicht",
    "freigegeben": "Freigegeben",
    "archiviert": "Archiviert",
    "abgelaufen": "Abgelaufen",
}


#: Review actions that are decisions of a meeting, in protocol order.
DECISIONS = ("freigeben", "rueckfrage", "nachpruefen", "archivieren")


#: What a decision is called in the protocol (German participles).
DECISION_LABELS: dict[str, str] = {
    "freigeben": "freigegeben",
    "rueckfrage": "zurückgefragt",
    "nachpruefen": "Nachprüfung angefordert",
    "archivieren": "archiviert",
}


def review_entry(note: dict, audit_entry: Mapping) -> dict | None:
    """The note's ``review_log`` entry written with an audit entry, or ``None``.

    Same action, states and person; the nearest in time. The comment lives there: the audit log
    never holds it.
    """
    review = audit_entry.get("review") or {}
    try:
        at = parse_time(audit_entry["ts"])
    except (KeyError, ValueError):
        return None
    best, best_gap = None, None
    for item in note["properties"].get("review_log") or []:
        if (
            item.get("action") != review.get("action")
            or item.get("from") != review.get("from")
            or item.get("to") != review.get("to")
            or item.get("by") != audit_entry.get("actor")
        ):
            continue
        try:
            gap = abs((parse_time(item["at"]) - at).total_seconds())
        except (KeyError, ValueError):
            continue
        if best_gap is None or gap < best_gap:
            best, best_gap = item, gap
    return best if best_gap is not None and best_gap <= 120 else None


def _question_before(note: dict, answer: dict | None) -> dict | None:
    """The Rückfrage an answer (a ``review_log`` entry) replies to."""
    log = note["properties"].get("review_log") or []
    if answer is None or answer not in log:
        return None
    for item in reversed(log[: log.index(answer)]):
        if item.get("to") == "rueckfrage":
            return item
    return None


def _answer_after(note: dict, query: dict | None) -> dict | None:
    """The resubmission that answers a Rückfrage (a ``review_log`` entry), if any."""
    log = note["properties"].get("review_log") or []
    if query is None or query not in log:
        return None
    for item in log[log.index(query) + 1 :]:
        if item.get("action") == "einreichen" and item.get("from") == "rueckfrage":
            return item
        if item.get("to") == "rueckfrage":
            return None
    return None


@dataclass
class Changes:
    """What happened to a team's notes in a time window.

    ``items`` maps each kind of :data:`CHANGE_KINDS` to labelled notes (for
    ``abgelaufen``: category, district and expiry only — expired content is gone).
    """

    since: str | None
    until: str
    items: dict[str, list[dict]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Kind → number of notes."""
        return {kind: len(self.items.get(kind, [])) for kind in CHANGE_KINDS}


def _team_entries(store: Store, area: str, notes: dict, team: str, since, until: str):
    """``(audit entry, note)`` of the notes layer from ``since`` to ``until`` (UTC ISO).

    For notes of ``team`` that still exist (deleted ones have no team to tell).
    """
    end = parse_time(until)
    for entry in store.changes(area, fieldnotes.LAYER, since=since):
        if parse_time(entry["ts"]) > end:
            break
        note = notes.get(entry.get("id"))
        if note is not None and note["properties"].get("team") == team:
            yield entry, note


def changes_since(
    store: Store,
    area: str,
    team: str,
    since: str | None,
    *,
    today: date,
    rules: fieldnotes.NoteRules,
    until: str | None = None,
    reader: fieldnotes.Actor | None = None,
) -> Changes:
    """What changed in the team's notes after ``since`` (UTC ISO; ``None``: ever).

    A note counts once per kind; a note that is new in the window is not also listed as
    edited. A Rückfrage resubmitted with an answer is ``beantwortet`` (the item carries
    ``question`` and ``answer``), without one ``wieder_eingereicht``. Released and
    archived come from the review entries of the audit log; expired
    are notes whose ``expires_on`` lies from the day of ``since`` up to the day of ``until``
    (and before ``today``). Notes ``reader`` may not see (viewers: unreleased) are left out.
    """
    last_day = today
    if until is not None:  # a closed window: notes that expired up to its end
        last_day = min(today, parse_time(until).date() + timedelta(days=1))
    until = until or now_iso()
    notes = {f["id"]: f for f in store.query(area, fieldnotes.LAYER)}
    names = services.district_names(store, area)
    seen: dict[str, set[str]] = {kind: set() for kind in CHANGE_KINDS}
    changes = Changes(since, until, {kind: [] for kind in CHANGE_KINDS})
    for entry, note in _team_entries(store, area, notes, team, since, until):
        if is_expired(note["properties"], today) or not fieldnotes.visible(
            note["properties"], reader, rules.categories
        ):
            continue
        review = entry.get("review") or {}
        if entry["action"] == "add":
            kind = "neu"
        elif entry["action"] == "update" and not review:
            kind = "geaendert"
        elif review.get("to") in ("freigegeben", "archiviert") and review.get("action") != (
            "nachpruefen"
        ):
            kind = review["to"]
        elif review.get("action") == "einreichen" and review.get("from") == "rueckfrage":
            found = review_entry(note, entry)
            answer = (found or {}).get("comment") or ""
            kind = "beantwortet" if answer else "wieder_eingereicht"
        else:
            continue
        if note["id"] in seen[kind] or (kind == "geaendert" and note["id"] in seen["neu"]):
            continue
        seen[kind].add(note["id"])
        item = fieldnotes.labelled(note, rules, names)
        if kind == "beantwortet":
            item["answer"] = answer
            item["question"] = (_question_before(note, found) or {}).get("comment") or ""
        changes.items[kind].append(item)
    first_day = parse_time(since).date().isoformat() if since else ""
    for note in notes.values():
        props = note["properties"]
        expires_on = props.get("expires_on") or ""
        if props.get("team") == team and first_day <= expires_on < last_day.isoformat():
            category = props.get("category")
            changes.items["abgelaufen"].append(
                {
                    "id": note["id"],
                    "category_label": rules.categories[category].label
                    if category in rules.categories
                    else category,
                    "district_name": names.get(props.get("district")),
                    "expires_on": expires_on,
                }
            )
    changes.items["abgelaufen"].sort(key=lambda item: item["expires_on"])
    return changes


def since_last_meeting(
    store: Store,
    area: str,
    team: str,
    *,
    today: date,
    rules: fieldnotes.NoteRules,
    reader: fieldnotes.Actor | None = None,
) -> tuple[dict | None, Changes]:
    """The team's last closed meeting and what changed after it closed.

    As ``reader`` may see it.
    """
    meeting = last_closed_meeting(store, area, team)
    since = meeting["properties"]["closed_at"] if meeting else None
    changes = changes_since(store, area, team, since, today=today, rules=rules, reader=reader)
    return meeting, changes


def decisions(
    store: Store,
    area: str,
    meeting: dict,
    *,
    today: date,
    rules: fieldnotes.NoteRules,
    reader: fieldnotes.Actor | None = None,
) -> list[dict]:
    """The meeting's decisions, oldest first.

    Review actions (see :data:`DECISIONS`) on the team's notes from its start to its close (or now).

    Each item: ``at`` (UTC), ``by``, ``action``, ``action_label`` (German participle,
    see :data:`DECISION_LABELS`), ``note_id``, ``note`` (labelled note, or ``None`` once
    it expired or if ``reader`` may not see it, e.g. a viewer and an unreleased note),
    ``comment`` (the decision's comment) and, for a Rückfrage, ``answer`` /
    ``answered_at`` (the resubmission's comment and time, also when it came after the
    meeting); comments only where the note is shown. Decisions on notes deleted
    since are left out (the audit log does not say which team they belonged to).
    """
    props = meeting["properties"]
    until = props.get("closed_at") or now_iso()
    notes = {f["id"]: f for f in store.query(area, fieldnotes.LAYER)}
    names = services.district_names(store, area)
    found = []
    for entry, note in _team_entries(store, area, notes, props["team"], props["started_at"], until):
        action = (entry.get("review") or {}).get("action")
        if action not in DECISIONS:
            continue
        visible = not is_expired(note["properties"], today) and fieldnotes.visible(
            note["properties"], reader, rules.categories
        )
        logged = review_entry(note, entry) if visible else None
        answer = _answer_after(note, logged) if action == "rueckfrage" else None
        found.append(
            {
                "at": entry["ts"],
                "by": entry.get("actor"),
                "action": action,
                "action_label": DECISION_LABELS[action],
                "note_id": note["id"],
                "note": fieldnotes.labelled(note, rules, names) if visible else None,
                "comment": (logged or {}).get("comment") or "",
                "answer": (answer or {}).get("comment") or "",
                "answered_at": (answer or {}).get("at"),
                "answered_by": (answer or {}).get("by"),
            }
        )
    return found


def team_counts(
    store: Store, area: str, team: str, *, today: date, rules: fieldnotes.NoteRules
) -> dict[str, int]:
    """Current numbers of the team's notes: per review state, and past their re-check day."""
    counts = {"eingereicht": 0, "rueckfrage": 0, "freigegeben": 0, "entwurf": 0, "veraltet": 0}
    for note in fieldnotes.list_notes(store, area, today=today):
        props = note["properties"]
        if props.get("team") != team:
            continue
        state = props.get("review_state") or "entwurf"
        counts[state] = counts.get(state, 0) + 1
        counts["veraltet"] += is_stale(props, rules.categories, today)
    return counts
