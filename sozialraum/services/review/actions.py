"""Review actions on stored notes: release, query, archive and re-check requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sozialraum.errors import InvalidInput, VersionConflict
from sozialraum.model.review import (
    EDITORS_FIELD,
    MAX_COMMENT_CHARS,
    Reviewer,
    check_recheck,
    content_editors,
    transition,
)
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services import walks
from sozialraum.store.base import Store

LAYER = fieldnotes.LAYER


#: A re-check without a planned walk of the district creates one this many days ahead.
NEW_WALK_DAYS = 7


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def reviewer_of(actor: fieldnotes.Actor) -> Reviewer:
    """The :class:`~sozialraum.model.review.Reviewer` for an actor."""
    return Reviewer(actor.name, actor.role, actor.team)


def _comment(comment: str | None, rules: fieldnotes.NoteRules) -> str:
    text = " ".join((comment or "").split())
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"Der Kommentar ist zu lang (höchstens {MAX_COMMENT_CHARS} Zeichen).")
    if text:
        rules.guard.check(text)
    return text


def _save(
    store: Store,
    area: str,
    feature: dict,
    change: tuple[str, str, str],
    comment: str,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    **properties,
) -> dict:
    """Write a review change.

    ``review_log`` entry in the note, action and states (no comment) in the audit entry;
    ``properties`` are set on the note.
    """
    action, state, target = change
    entry = {"at": _now(), "by": actor.name, "action": action, "from": state, "to": target}
    if comment:
        entry["comment"] = comment
    props = {**feature["properties"], **properties}
    props["review_log"] = [*(props.get("review_log") or []), entry]
    return store.update(
        area,
        LAYER,
        feature["id"],
        {"type": "Feature", "geometry": feature["geometry"], "properties": props},
        expected_version=expected_version,
        actor=actor.name,
        audit_fields={"review": {"action": action, "from": state, "to": target}},
    )


def review_note(
    store: Store,
    area: str,
    note_id: str,
    action: str,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
    comment: str | None = None,
) -> dict:
    """Make a review action on a note (see :data:`~sozialraum.model.review.TRANSITIONS`).

    Parameters
    ----------
    action : str
        ``einreichen``, ``zurueckziehen``, ``freigeben``, ``rueckfrage`` or ``archivieren``.
    expected_version : int
        The version the reviewer saw; a newer one gives :class:`VersionConflict`.
    comment : str, optional
        Up to 500 characters, checked by the data-protection guard; a Rückfrage needs one.

    Four-eyes: nobody who changed the note's content since its last release
    (``edited_by``, see :func:`~sozialraum.model.review.content_editors`) may release or
    query it. A release starts a new round: ``edited_by`` becomes empty.

    Returns
    -------
    dict
        The note's new version.

    Raises
    ------
    NotFound
        For an unknown id and for a note ``actor`` may not read (the same answer: its
        state and version stay secret).
    InvalidInput, Forbidden, VersionConflict, PrivacyViolation
        With German messages (state, role, team, four-eyes, comment).
    """
    current = fieldnotes.get_note(store, area, note_id, today=today, reader=actor, rules=rules)
    props = current["properties"]
    state = props.get("review_state") or "entwurf"
    text = " ".join((comment or "").split())
    editors = content_editors(props)
    target = transition(
        state,
        action,
        reviewer_of(actor),
        note_team=props.get("team"),
        editors=editors,
        comment=text,
    )
    text = _comment(text, rules)  # the data-protection check, once the actor may act
    # the editors are kept as a list on every version (also for notes written before it)
    released = {EDITORS_FIELD: [] if target == "freigegeben" else editors}
    return _save(
        store, area, current, (action, state, target), text,
        expected_version=expected_version, actor=actor, review_state=target, **released,
    )  # fmt: skip


def _walk_for(
    store: Store,
    area: str,
    district: str,
    walk_id: str | None,
    today: date,
    actor: fieldnotes.Actor,
):
    """The planned walk of ``district`` to add a stop to: the chosen one, else the next one."""
    if walk_id:
        walk = walks.get_walk(store, area, walk_id, reader=actor)
        props = walk["properties"]
        if props.get("district") != district:
            raise InvalidInput("Dieser Rundgang gehört zu einem anderen Bezirk.")
        if props.get("status") != "geplant" or props["walk_on"] < today.isoformat():
            raise InvalidInput("Dieser Rundgang ist kein geplanter Rundgang mehr.")
        return walk
    planned = [
        w
        for w in walks.list_walks(store, area, district=district, reader=actor)
        if w["properties"].get("status") == "geplant"
        and w["properties"]["walk_on"] >= today.isoformat()
    ]
    return min(planned, key=lambda w: w["properties"]["walk_on"]) if planned else None


def request_recheck(
    store: Store,
    area: str,
    note_id: str,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
    walk_id: str | None = None,
    comment: str | None = None,
) -> tuple[dict, dict]:
    """A lead asks for a re-check: the note's place becomes a stop of a planned walk.

    The stop goes to ``walk_id`` (a planned walk of the note's district), else to the
    district's next planned walk, else to a new walk "Nachprüfung …" in
    :data:`NEW_WALK_DAYS` days. The note keeps its state and gets ``recheck`` =
    ``{requested_on, by, walk_id}``, cleared when the note is saved with a newer
    observation date.

    Returns
    -------
    tuple of dict
        The note's new version and the walk.
    """
    current = fieldnotes.get_note(store, area, note_id, today=today, reader=actor, rules=rules)
    props = current["properties"]
    if props.get("version") != expected_version:
        raise VersionConflict(
            f"note {note_id!r} is at version {props.get('version')}, not {expected_version}",
            current_version=props.get("version"),
        )
    state = props.get("review_state") or "entwurf"
    check_recheck(state, reviewer_of(actor), note_team=props.get("team"))
    text = _comment(comment, rules)
    district = props.get("district")
    if not district:
        raise InvalidInput("Die Notiz liegt in keinem Bezirk; bitte einen Rundgang selbst planen.")
    walk = _walk_for(store, area, district, walk_id, today, actor)
    pick = {"kind": "note", "ref": note_id}
    if walk is None:
        name = services.district_names(store, area).get(district) or district
        data = {
            "title": f"Nachprüfung {name}"[:120],
            "walk_on": (today + timedelta(days=NEW_WALK_DAYS)).isoformat(),
            "district": district,
            "purpose": "Nachprüfungen aus der Teambesprechung",
        }
        walk = walks.create_walk(store, area, data, [pick], actor=actor, rules=rules, today=today)
    else:
        walk = walks.add_stops(
            store,
            area,
            walk["id"],
            [pick],
            expected_version=walk["properties"]["version"],
            actor=actor,
            rules=rules,
            today=today,
        )
    recheck = {"requested_on": today.isoformat(), "by": actor.name, "walk_id": walk["id"]}
    note = _save(
        store, area, current, ("nachpruefen", state, state), text,
        expected_version=expected_version, actor=actor, recheck=recheck,
    )  # fmt: skip
    return note, walk
