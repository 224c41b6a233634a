"""The stops of a planned walk.

Resolving them from resources, addresses and notes, their order on foot, the route and the details
shown on the walk sheet.
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
from sozialraum.analysis.walking import DEFAULT_SPEED_KMH, walk_minutes
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.walks import MAX_LABEL_CHARS, STOP_KINDS, checklist
from sozialraum.services import areas as services
from sozialraum.services import notes as fieldnotes
from sozialraum.services.walks.planner import address_line
from sozialraum.store.base import Store

_LAYERS = {"resource": "resources", "address": "addresses", "note": "notes"}


#: The label of a note stop whose note the reader may not read (see :func:`shown_walk`).
HIDDEN_NOTE_LABEL = "Notiz (für Sie nicht sichtbar)"


_ANY_TEAM = object()


#: the stored label of a note stop without address or place, of a resource without a name
NOTE_LABEL = "Notiz"
UNNAMED_PLACE = "Ort ohne Namen"
_NEAREST_ADDRESS_M = 400.0


def _label(kind: str, feature: dict) -> str:
    props = feature["properties"]
    if kind == "address":
        return f"{props.get('street')} {props.get('housenumber')}"
    if kind == "note":
        return props.get("address_label") or props.get("resource_label") or NOTE_LABEL
    return props.get("name") or UNNAMED_PLACE


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
        if kind == "note" and props.get("address_label"):
            stop["address"] = props["address_label"]
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


def _nearest_address(points, lon: float, lat: float) -> dict | None:
    found = points.nearest(lon, lat, radius_m=_NEAREST_ADDRESS_M, limit=1)
    return found[0] if found else None


def stop_place(
    store: Store, area: str, stop: Mapping, labels: Mapping, points=None
) -> tuple[str, str | None]:
    """The title of a stop on the walk sheet and the line naming its address.

    The title: a note stop is called by its category and address ("Treffpunkt: Markt 3"),
    a resource without a name by its category, every other stop by its label. The address
    line: the stop's own address ("Markt 3"); for a place without one the nearest address
    within 400 m with its straight-line distance in metres (EPSG:25832), "nächste Adresse:
    Markt 3 (ca. 40 m)"; None when no address is that near.

    Parameters
    ----------
    stop : mapping
        A stored stop (lon/lat degrees, EPSG:4326).
    labels : mapping
        Category id -> German label (resource and note categories).
    points : AddressPoints, optional
        The area's addresses for the nearest look-up (read from the store if omitted).
    """
    kind, label = stop["kind"], stop.get("label") or ""
    categories = stop.get("categories") or []
    what = labels.get(categories[0], categories[0]) if categories else ""
    own = None  # the stop's own address
    if kind == "address":
        own = label
    elif kind == "resource" and stop.get("ref"):
        try:
            own = address_line(store.get(area, "resources", stop["ref"])["properties"])
        except (NotFound, InvalidInput):
            own = None
        if label == UNNAMED_PLACE or not label:
            label = what or "Ort"
    elif kind == "note":
        own = stop.get("address")
    near = None
    if own is None and label != HIDDEN_NOTE_LABEL:  # a hidden note's address stays hidden
        points = points if points is not None else services.address_points(store, area)
        near = _nearest_address(points, stop["lon"], stop["lat"])
    near_label = f"{near['street']} {near['housenumber']}" if near else None
    line = own or (
        f"nächste Adresse: {near_label} (ca. {round(near['distance_m'])} m)" if near else None
    )
    if kind == "note" and label != HIDDEN_NOTE_LABEL:
        place = label if label not in (NOTE_LABEL, "") else None  # address or place of the note
        place = own or place or (f"bei {near_label}" if near_label else "ohne Adresse")
        label = f"{what or 'Beobachtung'}: {place}"
    return label, line


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
    """Per stop: number, title, address line, checklist, what is known, leg metres.

    What is known: the notes linked to it that ``reader`` may see. Title and address line:
    see :func:`stop_place`.
    """
    props = walk["properties"]
    notes = fieldnotes.list_notes(store, area, today=today, reader=reader, rules=rules)
    points = services.address_points(store, area)
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
        title, address = stop_place(store, area, stop, labels, points)
        details.append(
            {
                "number": number,
                "stop": stop,
                "title": title,
                "address": address if address != title else None,
                "what": ", ".join(labels.get(c, c) for c in stop.get("categories") or []),
                "checklist": checklist(stop["kind"], tuple(stop.get("categories") or ())),
                "known": known,
                "leg_m": leg,
                "leg_min": None if leg is None else walk_minutes(leg, DEFAULT_SPEED_KMH),
            }
        )
    return details
