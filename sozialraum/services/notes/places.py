"""Where a field note lies.

Its district, the nearest addresses (EPSG:25832 metres) and the tie of mailbox observations to the
nearest address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import shapely
from shapely.geometry import shape

from sozialraum.errors import InvalidInput, NotFound, VersionConflict
from sozialraum.model.notes import (
    NoteCategories,
    NoteInput,
)
from sozialraum.services.notes.access import LAYER, NoteRules
from sozialraum.store.base import Store

#: A mailbox note given only as a point (API, walk findings) is tied to the nearest address
#: within this many metres (EPSG:25832); farther away it is refused.
TIE_RADIUS_M = 15.0


#: The note form proposes the addresses within this many metres of the chosen point.
PROPOSAL_RADIUS_M = 50.0


class _DistrictLookup:
    def __init__(self, districts: list[dict], teams: Mapping):
        self.items = [
            {"id": d["id"], "name": d["properties"].get("name"), "team": teams.get(d["id"])}
            for d in districts
        ]
        self.tree = shapely.STRtree([shape(d["geometry"]) for d in districts])

    def at(self, lon: float, lat: float) -> dict | None:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self.items[min(hits)] if len(hits) else None


_lookups: dict = {}


def district_at(store: Store, area: str, lon: float, lat: float) -> dict | None:
    """The district containing a point (lon/lat degrees) as ``{id, name, team}``, or None.

    Cached per revision of the district layer and the team assignments.
    """
    teams = store.read_meta(area).get("teams") or {}
    key = (id(store), area, store.revision(area, "districts"), tuple(sorted(teams.items())))
    lookup = _lookups.get(key)
    if lookup is None:
        lookup = _DistrictLookup(store.query(area, "districts"), teams)
        _lookups.clear()
        _lookups[key] = lookup
    return lookup.at(lon, lat)


def nearest_addresses(
    store: Store,
    area: str,
    lon: float,
    lat: float,
    *,
    radius_m: float = PROPOSAL_RADIUS_M,
    limit: int = 8,
) -> list[dict]:
    """The addresses within ``radius_m`` metres of a point, nearest first.

    Parameters
    ----------
    lon, lat : float
        The point in degrees (EPSG:4326).
    radius_m : float
        Search radius in metres (straight line, EPSG:25832).
    limit : int
        At most this many addresses.

    Returns
    -------
    list of dict
        ``{"id", "street", "housenumber", "postcode", "key", "label", "distance_m"}``
        (metres, 0.1 m). Building outlines are not stored: the addresses of the building
        a point lies in are among the nearest ones (an address on a building outline is
        a point on its surface).
    """
    from sozialraum.services import areas

    return areas.address_points(store, area).nearest(lon, lat, radius_m=radius_m, limit=limit)


def address_id_for_key(store: Store, area: str, key: str) -> str | None:
    """The id of the address with the normalised ``key`` (the first one), or None."""
    from sozialraum.services import areas

    return areas.address_points(store, area).id_for_key(key)


def tie_to_address(
    store: Store, area: str, note: NoteInput, rules: NoteRules, nearest: bool
) -> NoteInput:
    """A mailbox note without ``address_id``: tied to the nearest address or refused.

    Tied to the nearest address within :data:`TIE_RADIUS_M` (``nearest``).
    """
    if note.address_id or rules.categories[note.category].kind != "mailbox":
        return note
    if not nearest:
        raise InvalidInput(
            "Briefkasten-Beobachtungen gehören zu einer Adresse: bitte die Adresse des Hauses "
            "wählen und bestätigen."
        )
    found = nearest_addresses(store, area, note.lon, note.lat, radius_m=TIE_RADIUS_M, limit=1)
    if not found:
        near = nearest_addresses(store, area, note.lon, note.lat, radius_m=PROPOSAL_RADIUS_M)
        closest = (
            f" (die nächste, {near[0]['label']}, liegt {near[0]['distance_m']:.0f} m entfernt)"
            if near
            else ""
        )
        raise InvalidInput(
            "Briefkasten-Beobachtungen gehören zu einer Adresse, aber im Umkreis von "
            f"{TIE_RADIUS_M:.0f} m um den Punkt liegt keine{closest}. Bitte die Adresse "
            "angeben (address_id)."
        )
    return replace(note, address_id=found[0]["id"])


@dataclass
class TieReport:
    """What :func:`tie_mailbox_notes` did.

    Ids of the tied notes, per note it could not tie ``(id, distance in metres to the nearest
    address or None)``, and the ids of notes someone changed while it ran (left alone; run it
    again).
    """

    tied: list[str]
    untied: list[tuple[str, float | None]]
    changed: list[str]


def tie_mailbox_notes(
    store: Store, area: str, *, actor: str, categories: NoteCategories, dry_run: bool = False
) -> TieReport:
    """Tie every mailbox observation without an address to the nearest address, once.

    Within :data:`TIE_RADIUS_M` metres (EPSG:25832).

    Each tie is an update through the store (a new version, in the audit log); the note's
    content, review state and dates stay as they are. Notes already tied (an
    ``address_key``) are left alone, so running it again changes nothing.

    Parameters
    ----------
    store : Store
    area : str
    actor : str
        Who ties (for the audit log), e.g. ``"cli:admin"``.
    categories : NoteCategories
        Which category has kind ``mailbox``.
    dry_run : bool
        Only report what would be tied; write nothing.

    Returns
    -------
    TieReport
        Never note text: ids and distances only.
    """
    mailbox = {c.id for c in categories if c.kind == "mailbox"}
    report = TieReport([], [], [])
    for note in store.query(area, LAYER):
        props = note["properties"]
        if props.get("category") not in mailbox or props.get("address_key"):
            continue
        lon, lat = note["geometry"]["coordinates"][:2]
        found = nearest_addresses(store, area, lon, lat, radius_m=TIE_RADIUS_M, limit=1)
        if not found:
            near = nearest_addresses(store, area, lon, lat, radius_m=float("inf"), limit=1)
            report.untied.append((note["id"], near[0]["distance_m"] if near else None))
            continue
        address = found[0]
        if not dry_run:
            changed = {
                "type": "Feature",
                "geometry": note["geometry"],
                "properties": {
                    **props,
                    "address_id": address["id"],
                    "address_key": address["key"],
                    "address_label": address["label"],
                },
            }
            try:
                store.update(
                    area,
                    LAYER,
                    note["id"],
                    changed,
                    expected_version=props["version"],
                    actor=actor,
                    audit_fields={"tied_to_address": True},
                )
            except (VersionConflict, NotFound):  # edited or deleted meanwhile
                report.changed.append(note["id"])
                continue
        report.tied.append(note["id"])
    return report
