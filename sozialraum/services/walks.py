"""Walk services: plan a Sozialraumerkundung, order its stops, route, record findings (no Flask).

Stops are points in lon/lat degrees (EPSG:4326); distances are metres along the area's
walk network (EPSG:25832). Without a walk network (an old import) distances fall back
to straight lines and the walk says so (``route_kind = "luftlinie"``).

Visibility: a walk belongs to its district's team, like a note. A reader with a team sees
only that team's walks; admins and accounts without a team see every walk; another
team's walk is :class:`NotFound`, exactly like an unknown id. A note becomes a stop only
if the planner may read it and it belongs to the walk's team. When a walk is shown, a
note stop whose note the reader may not read (a draft for a viewer, a note that has
expired, been deleted or moved to another team) keeps its place on the route but loses
its label, category and note id (:func:`shown_walk`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
from pyproj import Transformer

from sozialraum import settings
from sozialraum.analysis import route as _route
from sozialraum.analysis.nearby import project
from sozialraum.analysis.reachability import AnalysisUnavailable
from sozialraum.analysis.walk import DEFAULT_SPEED_KMH, walk_minutes
from sozialraum.errors import Forbidden, InvalidInput, NotFound
from sozialraum.model.notes import MAILBOX_CATEGORY, MAILBOX_STATUSES
from sozialraum.model.privacy import PrivacyViolation
from sozialraum.model.roles import Role
from sozialraum.model.walks import MAX_LABEL_CHARS, STOP_KINDS, check_walk_input, checklist
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.store.base import Store

LAYER = "walks"
_LAYERS = {"resource": "resources", "address": "addresses", "note": "notes"}
#: The label of a note stop whose note the reader may not read (see :func:`shown_walk`).
HIDDEN_NOTE_LABEL = "Notiz (für Sie nicht sichtbar)"
_ANY_TEAM = object()


def walk_visible(props: Mapping, reader: fieldnotes.Actor | None) -> bool:
    """Whether ``reader`` sees a walk (its properties): the walk's team's accounts,
    admins and accounts without a team; ``None`` (CLI, analyses) sees every walk."""
    if reader is None or reader.team is None or reader.role == Role.ADMIN:
        return True
    return props.get("team") == reader.team


def _label(kind: str, feature: dict) -> str:
    props = feature["properties"]
    if kind == "address":
        return f"{props.get('street')} {props.get('housenumber')}"
    if kind == "note":
        return props.get("address_label") or props.get("resource_label") or "Notiz"
    return props.get("name") or "Ort ohne Namen"


def resolve_stops(
    store: Store,
    area: str,
    picks: Sequence[Mapping],
    *,
    reader: fieldnotes.Actor | None = None,
    rules: fieldnotes.NoteRules | None = None,
    today: date | None = None,
    team=_ANY_TEAM,
) -> list[dict]:
    """Turn chosen stops into stored stops with point, label and categories.

    Parameters
    ----------
    picks : sequence of mapping
        ``{"kind": "resource"|"address"|"note", "ref": id}`` or
        ``{"kind": "point", "lon": …, "lat": …, "label": …}`` (degrees, EPSG:4326).
    reader : Actor, optional
        Who plans: a note ``reader`` may not read (another team's, expired) is refused
        with the same message as an unknown id. ``None`` (internal) reads every note.
    rules : NoteRules, optional
        Note categories (a viewer's visibility depends on them).
    today : datetime.date, optional
        For expiry; :func:`sozialraum.settings.today` if omitted.
    team : str or None, optional
        The walk's team: a note of another team is refused (a walk shows its stops to
        its whole team). Not checked if omitted.

    Raises
    ------
    InvalidInput
        Unknown kinds or ids, bad points, no stops, notes of another team (German).
    """
    today = today or settings.today()
    if not picks:
        raise InvalidInput("Bitte mindestens eine Station wählen.")
    if len(picks) > _route.MAX_STOPS:
        raise InvalidInput(f"Ein Rundgang hat höchstens {_route.MAX_STOPS} Stationen.")
    stops = []
    for number, pick in enumerate(picks, start=1):
        kind = pick.get("kind") if isinstance(pick, Mapping) else None
        if kind not in STOP_KINDS:
            raise InvalidInput(f"Station {number}: unbekannte Art.")
        if kind == "point":
            lon, lat = pick.get("lon"), pick.get("lat")
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
                raise InvalidInput(f"Station {number}: Punkt ohne gültige Koordinaten.")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise InvalidInput(f"Station {number}: Koordinaten außerhalb des Bereichs.")
            raw = str(pick.get("label") or "")
            text = "".join(ch if ch.isprintable() else " " for ch in raw)  # NUL, escape codes
            label = " ".join(text.split())[:MAX_LABEL_CHARS]
            stops.append(
                {"kind": kind, "ref": None, "label": label or f"Punkt {number}",
                 "lon": float(lon), "lat": float(lat), "categories": []}
            )  # fmt: skip
            continue
        ref = pick.get("ref")
        try:
            if kind == "note":
                feature = fieldnotes.get_note(
                    store, area, str(ref), today=today, reader=reader, rules=rules
                )
            else:
                feature = store.get(area, _LAYERS[kind], ref)
        except (NotFound, InvalidInput):
            raise InvalidInput(
                f"Station {number}: {ref!r} gibt es in diesem Gebiet nicht."
            ) from None
        props = feature["properties"]
        if kind == "note" and team is not _ANY_TEAM and props.get("team") != team:
            raise InvalidInput(
                f"Station {number}: Diese Notiz gehört einem anderen Team; ein Rundgang "
                "führt nur zu Notizen seines eigenen Teams."
            )
        lon, lat = feature["geometry"]["coordinates"][:2]
        categories = props.get("categories") or ([props["category"]] if kind == "note" else [])
        stop = {
            "kind": kind,
            "ref": ref,
            "label": _label(kind, feature),
            "lon": lon,
            "lat": lat,
            "categories": list(categories),
        }
        if kind == "address":
            stop["address_key"] = props.get("key")
        stops.append(stop)
    return stops


def _distances(store: Store, area: str, stops: list[dict]):
    """(distance matrix in metres, StopMatrix or None, network or None, xs, ys)."""
    xs, ys = project([s["lon"] for s in stops], [s["lat"] for s in stops])
    try:
        network = services.walk_network(store, area)
    except AnalysisUnavailable:
        straight = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
        return straight, None, None, xs, ys
    matrix = _route.stop_matrix(network, xs, ys)
    return matrix.distance_m, matrix, network, xs, ys


def _legs(distance_m: np.ndarray, count: int) -> list[float | None]:
    legs = []
    for i in range(count - 1):
        value = distance_m[i, i + 1]
        legs.append(round(float(value)) if np.isfinite(value) else None)
    return legs


def plan_order(store: Store, area: str, stops: list[dict], *, propose: bool) -> dict:
    """Order the stops (proposed: shortest route from the first stop) and measure the walk.

    Returns
    -------
    dict
        ``stops`` in walking order, ``route_m`` (total metres), ``leg_m`` (per leg),
        ``route_kind`` (``strassen`` along the walk network or ``luftlinie``).
    """
    distance_m, _matrix, network, _, _ = _distances(store, area, stops)
    order = _route.propose_order(distance_m) if propose else list(range(len(stops)))
    ordered = [stops[i] for i in order]
    reordered = distance_m[np.ix_(order, order)]
    legs = _legs(reordered, len(ordered))
    total = None if None in legs else round(sum(legs))
    return {
        "stops": ordered,
        "route_m": total,
        "leg_m": legs,
        "route_kind": "strassen" if network is not None else "luftlinie",
    }


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
) -> dict:
    """Plan a walk: check it, resolve the stops, propose the order, store it (version 1).

    Note stops must be notes ``actor`` may read (else refused like an unknown id) and of
    the walk's team (see :func:`resolve_stops`; ``today`` for their expiry)."""
    details = check_walk_input(data)
    rules.guard.check(details.title, details.purpose, details.participants)
    team = _district_team(store, area, details.district)
    if not fieldnotes.may_write(actor, team):
        raise Forbidden("walks of another team's district")
    stops = resolve_stops(store, area, picks, reader=actor, rules=rules, today=today, team=team)
    rules.guard.check(*(s["label"] for s in stops if s["kind"] == "point"))
    planned = plan_order(store, area, stops, propose=True)
    feature = _feature(details, planned, author=actor.name, team=team)
    return store.add(area, LAYER, feature, actor=actor.name)


def get_walk(
    store: Store, area: str, walk_id: str, *, reader: fieldnotes.Actor | None = None
) -> dict:
    """One walk that ``reader`` may see (:func:`walk_visible`); :class:`NotFound`
    otherwise, the same for an unknown id and another team's walk.

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
    """A copy of ``walk`` for ``reader``: every note stop whose note the reader may not
    read (see :func:`sozialraum.services.notes.visible`; also expired or deleted notes) has
    the label :data:`HIDDEN_NOTE_LABEL`, no categories and no ``ref``. Its point stays:
    the route of the walk goes there. Never store the copy."""
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
        stops.append(stop)
    return {**walk, "properties": {**walk["properties"], "stops": stops}}


def _require_team(actor: fieldnotes.Actor, walk: dict) -> None:
    if not fieldnotes.may_write(actor, walk["properties"].get("team")):
        raise Forbidden("only the walk's team may change it")


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
    details = check_walk_input(props)
    keep = {k: props[k] for k in ("status", "findings") if k in props}
    feature = _feature(details, planned, author=props["author"], team=props["team"], extra=keep)
    return store.update(
        area, LAYER, walk_id, feature, expected_version=expected_version, actor=actor.name
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
    keep = {k: props[k] for k in ("status", "findings") if k in props}
    details = check_walk_input(props)
    feature = _feature(details, planned, author=props["author"], team=props["team"], extra=keep)
    return store.update(
        area, LAYER, walk_id, feature, expected_version=expected_version, actor=actor.name
    )


def list_walks(
    store: Store,
    area: str,
    *,
    district: str | None = None,
    reader: fieldnotes.Actor | None = None,
) -> list[dict]:
    """Walks of an area that ``reader`` may see (newest date first), optionally of one
    district (as stored: show each through :func:`shown_walk`)."""
    walks = [
        w
        for w in store.query(area, LAYER, district=district)
        if walk_visible(w["properties"], reader)
    ]
    return sorted(walks, key=lambda w: w["properties"]["walk_on"], reverse=True)


_TO_LONLAT = Transformer.from_crs(25832, 4326, always_xy=True)


def walk_route(store: Store, area: str, walk: dict) -> dict:
    """The walk's route for drawing: legs in metres (EPSG:25832) and in lon/lat degrees."""
    stops = walk["properties"]["stops"]
    _distance_m, matrix, network, xs, ys = _distances(store, area, stops)
    order = list(range(len(stops)))
    if matrix is None:
        legs_m = [[(xs[i], ys[i]), (xs[i + 1], ys[i + 1])] for i in range(len(stops) - 1)]
    else:
        legs_m = _route.route_xy(network, matrix, order, xs, ys)
    legs_lonlat = []
    for leg in legs_m:
        lons, lats = _TO_LONLAT.transform([p[0] for p in leg], [p[1] for p in leg])
        legs_lonlat.append([[round(x, 6), round(y, 6)] for x, y in zip(lons, lats, strict=True)])
    return {"legs_m": legs_m, "legs_lonlat": legs_lonlat, "xs_m": xs, "ys_m": ys}


def stop_details(
    store: Store,
    area: str,
    walk: dict,
    *,
    today: date,
    labels: Mapping,
    reader: fieldnotes.Actor | None = None,
    rules: fieldnotes.NoteRules | None = None,
) -> list:
    """Per stop: number, label, checklist, what is known (notes linked to it that
    ``reader`` may see), leg metres."""
    props = walk["properties"]
    notes = fieldnotes.list_notes(store, area, today=today, reader=reader, rules=rules)
    details = []
    for number, stop in enumerate(props["stops"], start=1):
        known = []
        for note in notes:
            p = note["properties"]
            if (
                (stop["kind"] == "note" and note["id"] == stop["ref"])
                or (stop["kind"] == "resource" and p.get("osm_ref") == stop["ref"])
                or (stop.get("address_key") and p.get("address_key") == stop["address_key"])
            ):
                known.append(note)
        leg = props["leg_m"][number - 2] if number > 1 else None
        details.append(
            {
                "number": number,
                "stop": stop,
                "what": ", ".join(labels.get(c, c) for c in stop.get("categories") or []),
                "checklist": checklist(stop["kind"], tuple(stop.get("categories") or ())),
                "known": known,
                "leg_m": leg,
                "leg_min": None if leg is None else walk_minutes(leg, DEFAULT_SPEED_KMH),
            }
        )
    return details


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
