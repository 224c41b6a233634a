"""Re-assigning notes and walks to districts after the districts changed (re-import).

Offers carry no district; those outside every district are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sozialraum.errors import NotFound
from sozialraum.osm.districts import District, assign
from sozialraum.store.base import Store


@dataclass
class Reassignment:
    """What re-assigning notes, walks and offers to new districts did.

    Attributes
    ----------
    notes, walks : int
        How many moved to another district.
    outside : list of dict
        Notes, walks and offers that lie outside every district: ``layer``, ``id`` and a
        ``label`` (category and date, walk title, offer title).
    teams_dropped : dict
        District id → team of removed districts (their team assignment ended).
    """

    notes: int = 0
    walks: int = 0
    outside: list[dict] = field(default_factory=list)
    teams_dropped: dict[str, str] = field(default_factory=dict)


def _note_label(props: dict) -> str:
    """A note's label in reports: its category and the day it was observed."""
    return " ".join(filter(None, (props.get("category"), props.get("observed_on"))))


def reassign_to_districts(
    store: Store,
    area: str,
    districts: list[District],
    teams: dict[str, str],
    *,
    actor: str,
    repair_only: bool = False,
) -> Reassignment:
    """Re-assign notes and walks to the district that contains them (after new districts).

    A note goes to the district containing its point (``None`` outside every district)
    and to that district's team (its team stays when the district has none). A walk goes
    to the district holding most of its stops; a walk with no stop in any district keeps
    its district and is reported. Offers carry no district: those with a point outside
    every district are reported. With ``repair_only`` (a re-import that keeps the
    districts) only notes and walks whose district no longer exists are re-assigned.

    Parameters
    ----------
    store : Store
    area : str
    districts : list of District
        The new districts (EPSG:4326).
    teams : dict
        District id → team (after the change).
    actor : str
        Who the writes are recorded for.

    Returns
    -------
    Reassignment
    """
    result = Reassignment()

    def layer(name):
        try:
            return store.query(area, name)
        except NotFound:
            return []

    ids = {d.id for d in districts}
    changed = _reassigned_notes(layer("notes"), districts, ids, teams, result, repair_only)
    if changed:
        store.upsert_many(area, "notes", changed, actor=actor)
        result.notes = len(changed)
    changed = _reassigned_walks(layer("walks"), districts, ids, teams, result, repair_only)
    if changed:
        store.upsert_many(area, "walks", changed, actor=actor)
        result.walks = len(changed)
    _report_offers_outside(layer("offers"), districts, result)
    return result


def _reassigned_notes(notes, districts, ids, teams, result, repair_only) -> list[dict]:
    """Notes whose district changes, with their new district and team (outside: reported)."""
    changed = []
    for note in notes:
        geometry = note.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue
        if repair_only and note["properties"].get("district") in ids | {None}:
            continue
        lon, lat = geometry["coordinates"][:2]
        (district,) = assign(districts, np.array([lon]), np.array([lat]))
        props = note["properties"]
        if district is None:
            result.outside.append({"layer": "notes", "id": note["id"], "label": _note_label(props)})
        if props.get("district") != district:
            team = teams.get(district) or props.get("team")
            changed.append({**note, "properties": {**props, "district": district, "team": team}})
    return changed


def _reassigned_walks(walks, districts, ids, teams, result, repair_only) -> list[dict]:
    """Walks whose district (the one holding most stops) changes; none inside: reported."""
    changed = []
    for walk in walks:
        coords = (walk.get("geometry") or {}).get("coordinates") or []
        props = walk["properties"]
        if repair_only and props.get("district") in ids:
            continue
        found = assign(
            districts,
            np.array([c[0] for c in coords], dtype=float),
            np.array([c[1] for c in coords], dtype=float),
        )
        inside = [d for d in found if d is not None]
        if not inside:
            result.outside.append(
                {"layer": "walks", "id": walk["id"], "label": props.get("title") or ""}
            )
            continue
        district = max(sorted(set(inside)), key=inside.count)
        if props.get("district") != district:
            team = teams.get(district) or props.get("team")
            changed.append({**walk, "properties": {**props, "district": district, "team": team}})
    return changed


def _report_offers_outside(offers, districts, result) -> None:
    """Offers with a point outside every district (region-wide ones belong to none)."""
    for offer in offers:
        geometry = offer.get("geometry") or {}
        if geometry.get("type") != "Point":
            continue  # region-wide offers belong to no district
        lon, lat = geometry["coordinates"][:2]
        if assign(districts, np.array([lon]), np.array([lat]))[0] is None:
            result.outside.append(
                {
                    "layer": "offers",
                    "id": offer["id"],
                    "label": offer["properties"].get("name") or "",
                }
            )
