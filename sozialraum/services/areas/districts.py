"""Districts of an area: summaries, live counts, names, and the team assignment (a write)."""

from __future__ import annotations

from collections.abc import Iterable

from sozialraum.analysis.counts import addresses_by_district, counts_by_district
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.categories import CategoryTable
from sozialraum.model.teams import resolve_team
from sozialraum.services.areas.memo import area_memo
from sozialraum.store.base import Store


def district_summaries(store: Store, area: str, table: CategoryTable) -> list[dict]:
    """Districts of ``area`` with team, address count and counts per category id.

    Cached per revision of the layers and the team assignments; do not change the result.
    """
    teams = store.read_meta(area).get("teams", {})
    key = (
        "districts",
        id(store),
        area,
        tuple(table.ids),
        tuple(sorted(teams.items())),
        *(store.revision(area, layer) for layer in ("resources", "addresses", "districts")),
    )
    return area_memo.get(key, lambda: _district_summaries(store, area, table, teams))


def _district_summaries(store: Store, area: str, table: CategoryTable, teams: dict) -> list[dict]:
    per_category = counts_by_district(store.query(area, "resources"), table.ids)
    per_address = addresses_by_district(store.query(area, "addresses"))
    empty = dict.fromkeys(table.ids, 0)
    return [
        {
            "id": d["id"],
            "name": d["properties"]["name"],
            "team": teams.get(d["id"]),
            "addresses": per_address.get(d["id"], 0),
            "counts": per_category.get(d["id"], empty),
        }
        for d in store.query(area, "districts")
    ]


def live_counts(store: Store, area: str, table: CategoryTable) -> dict:
    """Current numbers of an area (not those saved at import).

    Resources, addresses and resources per category id. Cached per revision of the layers.
    """
    key = (
        "counts",
        id(store),
        area,
        tuple(table.ids),
        store.revision(area, "resources"),
        store.revision(area, "addresses"),
    )

    def build():
        resources = store.query(area, "resources")
        counts = dict.fromkeys(table.ids, 0)
        for feature in resources:
            for category in feature["properties"]["categories"]:
                if category in counts:
                    counts[category] += 1
        return {
            "resources": len(resources),
            "addresses": len(store.query(area, "addresses")),
            "counts": counts,
        }

    return area_memo.get(key, build)


def district_names(store: Store, area: str) -> dict[str, str]:
    """District id → name."""
    return {d["id"]: d["properties"].get("name") for d in store.query(area, "districts")}


def find_district(store: Store, area: str, district: str) -> dict:
    """A district feature by id or (case-insensitive) name; :class:`NotFound` otherwise."""
    features = store.query(area, "districts")
    for feature in features:
        if feature["id"] == district:
            return feature
    matches = [f for f in features if f["properties"]["name"].casefold() == district.casefold()]
    if len(matches) == 1:
        return matches[0]
    raise NotFound(f"district {district!r} does not exist in area {area!r}")


def area_teams(store: Store) -> set[str]:
    """Team names assigned to districts in any area of ``store``."""
    teams = set()
    for name in store.areas():
        try:
            teams.update((store.read_meta(name).get("teams") or {}).values())
        except NotFound:
            continue
    return teams


def assign_team(
    store: Store,
    area: str,
    district: str,
    team: str | None,
    *,
    actor: str,
    known_teams: Iterable[str] = (),
) -> str:
    """Make ``team`` responsible for a district (``None`` removes it); returns the district id.

    Team assignments live in the area metadata, so a re-import keeps them. The name is
    resolved with :func:`sozialraum.model.teams.resolve_team` against the teams of all
    areas and ``known_teams`` (e.g. the accounts' teams): "Team  süd" becomes an existing
    "Team Süd".
    """
    district_id = find_district(store, area, district)["id"]
    if team is not None:
        team = resolve_team(team, area_teams(store) | set(known_teams))
        if not 1 <= len(team) <= 60:
            raise InvalidInput(
                "a team name has 1 to 60 characters", "Ein Teamname hat 1 bis 60 Zeichen."
            )
    meta = store.read_meta(area)
    teams = dict(meta.get("teams") or {})
    if team is None:
        teams.pop(district_id, None)
    else:
        teams[district_id] = team
    store.write_meta(area, {**meta, "teams": teams}, actor=actor)
    return district_id


def assign_team_to_unassigned(
    store: Store,
    area: str,
    team: str,
    *,
    actor: str,
    known_teams: Iterable[str] = (),
) -> list[str]:
    """Make ``team`` responsible for every district of ``area`` that has no team yet.

    Districts that already have a team keep it. The name is resolved like in
    :func:`assign_team` ("Team  süd" becomes an existing "Team Süd").

    Returns
    -------
    list of str
        The ids of the districts that got the team (empty if every district had one).
    """
    resolved = resolve_team(team, area_teams(store) | set(known_teams))
    if not 1 <= len(resolved) <= 60:
        raise InvalidInput(
            "a team name has 1 to 60 characters", "Ein Teamname hat 1 bis 60 Zeichen."
        )
    meta = store.read_meta(area)
    teams = dict(meta.get("teams") or {})
    new = [d["id"] for d in store.query(area, "districts") if d["id"] not in teams]
    if new:
        teams.update(dict.fromkeys(new, resolved))
        store.write_meta(area, {**meta, "teams": teams}, actor=actor)
    return new
