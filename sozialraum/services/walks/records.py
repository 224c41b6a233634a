"""Planned walks (Rundgänge) in the store: create, read, reorder, add stops, findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sozialraum.analysis import route as _route
from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model.notes import MAILBOX_CATEGORY, MAILBOX_STATUSES
from sozialraum.model.privacy import PrivacyViolation
from sozialraum.model.roles import Role
from sozialraum.model.walks import check_walk_input
from sozialraum.services import notes as fieldnotes
from sozialraum.services.walks.planner import merge_stops
from sozialraum.services.walks.stops import HIDDEN_NOTE_LABEL, plan_order, resolve_stops
from sozialraum.store.base import Store

LAYER = "walks"


def walk_visible(props: Mapping, reader: fieldnotes.Actor | None) -> bool:
    """Whether ``reader`` sees a walk (its properties).

    The walk's team's accounts, admins and accounts without a team; ``None`` (CLI, analyses) sees
    every walk.
    """
    if reader is None or reader.team is None or reader.role == Role.ADMIN:
        return True
    return props.get("team") == reader.team


def _district_team(store: Store, area: str, district: str) -> str | None:
    """The team of a district; :class:`InvalidInput` for an unknown district."""
    if district not in {d["id"] for d in store.query(area, "districts")}:
        raise InvalidInput("Bezirk: diesen Bezirk gibt es in diesem Gebiet nicht.")
    return (store.read_meta(area).get("teams") or {}).get(district)


def _feature(details, planned: dict, *, author: str, team, extra: Mapping | None = None) -> dict:
    stops = planned["stops"]
    props = {
        "title": details.title,
        "walk_on": details.walk_on.isoformat(),
        "purpose": details.purpose,
        "participants": details.participants,
        "district": details.district,
        "team": team,
        "author": author,
        "stops": stops,
        "route_m": planned["route_m"],
        "leg_m": planned["leg_m"],
        "route_kind": planned["route_kind"],
        "status": "geplant",
        **(extra or {}),
    }
    return {
        "type": "Feature",
        "geometry": {"type": "MultiPoint", "coordinates": [[s["lon"], s["lat"]] for s in stops]},
        "properties": props,
    }


def create_walk(
    store: Store,
    area: str,
    data: Mapping,
    picks: Sequence[Mapping],
    *,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date | None = None,
    propose: bool = True,
) -> dict:
    """Plan a walk: check it, resolve the stops, order them, store it (version 1).

    Note stops must be notes ``actor`` may read (else refused like an unknown id) and of
    the walk's team (see :func:`resolve_stops`; ``today`` for their expiry). Repeated
    stops are merged (:func:`~sozialraum.services.walks.planner.merge_stops`). With
    ``propose`` the app proposes the shortest order from the first stop, else the order of
    ``picks`` is kept.
    """
    details = check_walk_input(data)
    rules.guard.check(details.title, details.purpose, details.participants)
    # a district without a team is open to every team: the planner's team owns the walk
    team = fieldnotes.district_team_for(actor, _district_team(store, area, details.district))
    if not fieldnotes.may_write(actor, team):
        raise Forbidden("walks of another team's district")
    stops = resolve_stops(store, area, picks, reader=actor, rules=rules, today=today, team=team)
    stops = merge_stops(stops)
    rules.guard.check(*(s["label"] for s in stops if s["kind"] == "point"))
    planned = plan_order(store, area, stops, propose=propose)
    feature = _feature(details, planned, author=actor.name, team=team)
    return store.add(area, LAYER, feature, actor=actor.name)


def get_walk(
    store: Store, area: str, walk_id: str, *, reader: fieldnotes.Actor | None = None
) -> dict:
    """One walk that ``reader`` may see (:func:`walk_visible`).

    :class:`NotFound` otherwise, the same for an unknown id and another team's walk.

    The walk as stored: show it through :func:`shown_walk`.
    """
    try:
        walk = store.get(area, LAYER, walk_id)
    except (NotFound, InvalidInput):
        raise NotFound(f"no walk {walk_id!r}") from None
    if not walk_visible(walk["properties"], reader):
        raise NotFound(f"no walk {walk_id!r}")
    return walk


def shown_walk(
    store: Store,
    area: str,
    walk: dict,
    *,
    reader: fieldnotes.Actor | None,
    rules: fieldnotes.NoteRules | None,
    today: date,
) -> dict:
    """A copy of ``walk`` for ``reader`` with the notes they may not read hidden.

    Every note stop whose note the reader may not read (see
    :func:`sozialraum.services.notes.visible`; also expired or deleted notes) has the label
    :data:`HIDDEN_NOTE_LABEL`, no categories and no ``ref``. Its point stays: the route of the walk
    goes there. Never store the copy.
    """
    visible_ids = {
        n["id"] for n in fieldnotes.list_notes(store, area, today=today, reader=reader, rules=rules)
    }
    visible_ids |= {  # archived notes are left out of plain lists but may be read
        n["id"]
        for n in fieldnotes.list_notes(
            store, area, today=today, reader=reader, rules=rules, review_state="archiviert"
        )
    }
    stops = []
    for stop in walk["properties"]["stops"]:
        if stop["kind"] == "note" and stop.get("ref") not in visible_ids:
            stop = {**stop, "ref": None, "label": HIDDEN_NOTE_LABEL, "categories": []}
            stop.pop("address", None)  # the note's address is hidden with it
        stops.append(stop)
    return {**walk, "properties": {**walk["properties"], "stops": stops}}


def _require_team(actor: fieldnotes.Actor, walk: dict) -> None:
    if not fieldnotes.may_write(actor, walk["properties"].get("team")):
        raise Forbidden("only the walk's team may change it")


def _store_replanned(
    store: Store,
    area: str,
    walk_id: str,
    props: Mapping,
    planned: dict,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
) -> dict:
    """Store the walk with ``planned`` stops; details, author, team, status, findings kept."""
    keep = {k: props[k] for k in ("status", "findings") if k in props}
    details = check_walk_input(props)
    feature = _feature(details, planned, author=props["author"], team=props["team"], extra=keep)
    return store.update(
        area, LAYER, walk_id, feature, expected_version=expected_version, actor=actor.name
    )


def reorder_walk(
    store: Store,
    area: str,
    walk_id: str,
    order: Sequence[int] | None,
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
) -> dict:
    """Put the stops in ``order`` (positions of the current stops), or propose one (None)."""
    walk = get_walk(store, area, walk_id, reader=actor)
    _require_team(actor, walk)
    props = walk["properties"]
    stops = props["stops"]
    if order is not None:
        if sorted(order) != list(range(len(stops))):
            raise InvalidInput("Reihenfolge: jede Station genau einmal (1 bis Anzahl).")
        stops = [stops[i] for i in order]
    planned = plan_order(store, area, stops, propose=order is None)
    return _store_replanned(
        store, area, walk_id, props, planned, expected_version=expected_version, actor=actor
    )


def replace_stops(
    store: Store,
    area: str,
    walk_id: str,
    picks: Sequence[Mapping],
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date | None = None,
    propose: bool = False,
) -> dict:
    """Give a walk new stops (the planner's "Stationen ändern"); details and findings kept.

    ``picks`` as for :func:`create_walk`, in walking order unless ``propose``. Only the
    walk's team may do it; a stale ``expected_version`` is a
    :class:`~sozialraum.errors.VersionConflict`.
    """
    walk = get_walk(store, area, walk_id, reader=actor)
    _require_team(actor, walk)
    props = walk["properties"]
    stops = resolve_stops(
        store, area, picks, reader=actor, rules=rules, today=today, team=props.get("team")
    )
    stops = merge_stops(stops)
    if rules is not None:
        rules.guard.check(*(s["label"] for s in stops if s["kind"] == "point"))
    planned = plan_order(store, area, stops, propose=propose)
    return _store_replanned(
        store, area, walk_id, props, planned, expected_version=expected_version, actor=actor
    )


def add_stops(
    store: Store,
    area: str,
    walk_id: str,
    picks: Sequence[Mapping],
    *,
    expected_version: int,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules | None = None,
    today: date | None = None,
) -> dict:
    """Append stops (see :func:`resolve_stops`) to a walk, keeping the order of the others.

    A stop already on the walk (same kind and ref) is not added twice; points have no
    ref and are always added. Distances are measured again along the walk network
    (metres, EPSG:25832).
    """
    walk = get_walk(store, area, walk_id, reader=actor)
    _require_team(actor, walk)
    props = walk["properties"]
    present = {(s["kind"], s.get("ref")) for s in props["stops"]}
    new = []
    found = resolve_stops(
        store, area, picks, reader=actor, rules=rules, today=today, team=props.get("team")
    )
    for stop in found:
        key = (stop["kind"], stop["ref"])
        if stop["ref"] is None or key not in present:  # points have no ref: always a new stop
            present.add(key)
            new.append(stop)
    if not new:
        return walk
    if len(props["stops"]) + len(new) > _route.MAX_STOPS:
        raise InvalidInput(f"Ein Rundgang hat höchstens {_route.MAX_STOPS} Stationen.")
    planned = plan_order(store, area, [*props["stops"], *new], propose=False)
    return _store_replanned(
        store, area, walk_id, props, planned, expected_version=expected_version, actor=actor
    )


def list_walks(
    store: Store,
    area: str,
    *,
    district: str | None = None,
    reader: fieldnotes.Actor | None = None,
) -> list[dict]:
    """Walks of an area that ``reader`` may see (newest date first).

    Optionally of one district (as stored: show each through :func:`shown_walk`).
    """
    walks = [
        w
        for w in store.query(area, LAYER, district=district)
        if walk_visible(w["properties"], reader)
    ]
    return sorted(walks, key=lambda w: w["properties"]["walk_on"], reverse=True)


def record_findings(
    store: Store,
    area: str,
    walk_id: str,
    findings: Sequence[Mapping],
    *,
    actor: fieldnotes.Actor,
    rules: fieldnotes.NoteRules,
    today: date,
) -> list[dict]:
    """Turn the findings per stop into notes (mailbox findings into mailbox observations).

    ``findings`` has one mapping per stop (same order): ``text`` (empty: nothing to
    record), optional ``category`` and ``mailbox_status``. Everything is checked before
    anything is written: one bad finding stores none.

    Returns
    -------
    list of dict
        The created notes.
    """
    walk = get_walk(store, area, walk_id, reader=actor)
    _require_team(actor, walk)
    stops = walk["properties"]["stops"]
    if len(findings) != len(stops):
        raise InvalidInput("Bitte für jede Station ein Feld senden (auch leer).")
    observed_on = walk["properties"]["walk_on"]
    if date.fromisoformat(observed_on) > today:
        observed_on = today.isoformat()
    planned = []
    for number, (stop, finding) in enumerate(zip(stops, findings, strict=True), start=1):
        text = (finding.get("text") or "").strip()
        status = finding.get("mailbox_status") or None
        if not text and not status:
            continue
        if status and status not in MAILBOX_STATUSES:
            raise InvalidInput(f"Station {number}: unbekannter Briefkasten-Zustand.")
        category = MAILBOX_CATEGORY if status else (finding.get("category") or "beobachtung")
        data = {
            "category": category,
            "text": text or f"Briefkasten: {MAILBOX_STATUSES[status]}",
            "observed_on": observed_on,
            "review_state": "eingereicht",
            "lon": stop["lon"],
            "lat": stop["lat"],
        }
        if status:
            data["mailbox_status"] = status
        if stop["kind"] == "address":
            data["address_id"] = stop["ref"]
        elif stop["kind"] == "resource":
            data["resource_id"] = stop["ref"]
        try:
            fieldnotes.check_note(store, area, data, actor=actor, rules=rules, today=today)
        except PrivacyViolation as exc:
            raise PrivacyViolation(f"Station {number}: {exc.message}", exc.rules) from None
        except InvalidInput as exc:
            raise InvalidInput(f"Station {number}: {exc.message}") from None
        planned.append(data)
    if not planned:
        raise InvalidInput("Es wurde nichts eingetragen.")
    created = [
        fieldnotes.create_note(store, area, data, actor=actor, rules=rules, today=today)
        for data in planned
    ]
    current = get_walk(store, area, walk_id)
    props = current["properties"]
    changed = {
        **current,
        "properties": {
            **props,
            "status": "durchgeführt",
            "findings": [*(props.get("findings") or []), *(n["id"] for n in created)],
        },
    }
    store.update(area, LAYER, walk_id, changed, expected_version=props["version"], actor=actor.name)
    return created
