"""Teams: the overview, creating one, renaming one everywhere it is stored (no Flask).

A team is a name stored where it is used (see :class:`sozialraum.accounts.TeamStore`): on
accounts, in every area's district assignments (``teams`` in ``area.json``) and on the
records of the team — notes, walks and meetings carry the team they belong to, which
decides who sees them. Renaming a team changes all of these, so the team keeps its districts
and sees its notes, walks and meetings under the new name. The area writes go through the
store and are in each area's audit log.
"""

from __future__ import annotations

from sozialraum.accounts.audit import ACTOR_CLI
from sozialraum.errors import InvalidInput, NotFound
from sozialraum.model.teams import clean_team, team_key
from sozialraum.services.admin.accounts import AccountFiles, known_teams
from sozialraum.store.base import Store

#: Layers whose features carry the team they belong to (``properties.team``).
TEAM_LAYERS = ("notes", "walks", "meetings")

#: A team name has 1 to this many characters (as in district assignments).
MAX_TEAM_CHARS = 60


def checked_team_name(name: str) -> str:
    """The cleaned name (see :func:`~sozialraum.model.teams.clean_team`), 1 to 60 characters."""
    clean = clean_team(name) if isinstance(name, str) else ""
    if not 1 <= len(clean) <= MAX_TEAM_CHARS or not clean.isprintable():
        raise InvalidInput(
            f"a team name has 1 to {MAX_TEAM_CHARS} printable characters",
            f"Ein Teamname hat 1 bis {MAX_TEAM_CHARS} druckbare Zeichen.",
        )
    return clean


def team_overview(files: AccountFiles, store: Store) -> list[dict]:
    """Every known team with its accounts and districts.

    Returns
    -------
    list of dict
        ``{"name", "accounts": [login names], "districts": [{"area", "id", "name"}]}``,
        sorted by name.
    """
    from sozialraum.services.areas import district_names

    teams = {
        name: {"name": name, "accounts": [], "districts": []} for name in known_teams(files, store)
    }
    for user in files.users.list():
        if user.team:
            teams[user.team]["accounts"].append(user.name)
    for area in store.areas():
        try:
            assigned = store.read_meta(area).get("teams") or {}
            names = district_names(store, area)
        except NotFound:
            continue
        for district, team in sorted(assigned.items()):
            if team in teams:
                teams[team]["districts"].append(
                    {"area": area, "id": district, "name": names.get(district, district)}
                )
    return sorted(teams.values(), key=lambda t: team_key(t["name"]))


def create_team(files: AccountFiles, store: Store, name: str, *, actor: str = ACTOR_CLI) -> str:
    """Create a team that no account or district has yet; returns its stored name.

    ``actor`` (the admin's login name, or ``cli``) goes into the account audit log.

    Raises
    ------
    InvalidInput
        For an empty or too long name, or if the team exists (in any spelling: "Süd" = "sued").
    """
    clean = checked_team_name(name)
    same = sorted(t for t in known_teams(files, store) if team_key(t) == team_key(clean))
    if same:
        raise InvalidInput(
            f"team {same[0]!r} already exists", f"Das Team „{same[0]}“ gibt es schon."
        )
    files.teams.add(clean, actor=actor)
    return clean


def rename_team(files: AccountFiles, store: Store, old: str, new: str, *, actor: str) -> dict:
    """Rename team ``old`` to ``new`` everywhere it is stored.

    Accounts, created teams, district assignments of every area and the ``team`` of its
    notes, walks and meetings (a new version of each, in the area's audit log).

    Parameters
    ----------
    old : str
        The team's current name, exactly as stored.
    new : str
        The new name (cleaned; 1 to 60 characters). Another spelling of the same name
        ("team süd" for "Team Süd") is a change of spelling; the name of another existing
        team is refused.
    actor : str
        Who renames (audit log).

    Returns
    -------
    dict
        ``{"name": new name, "accounts": n, "districts": n, "records": n}``.
    """
    teams = known_teams(files, store)
    if old not in teams:
        raise NotFound(f"no team {old!r}", f"Das Team „{old}“ gibt es nicht.")
    clean = checked_team_name(new)
    clash = sorted(t for t in teams if t != old and team_key(t) == team_key(clean))
    if clash:
        raise InvalidInput(
            f"team {clash[0]!r} already exists",
            f"Das Team „{clash[0]}“ gibt es schon: bitte einen anderen Namen wählen.",
        )
    if clean == old:
        return {"name": old, "accounts": 0, "districts": 0, "records": 0}
    summary = {"name": clean, "accounts": 0, "districts": 0, "records": 0}
    for area in store.areas():
        try:
            meta = store.read_meta(area)
        except NotFound:
            continue
        assigned = dict(meta.get("teams") or {})
        moved = [d for d, t in assigned.items() if t == old]
        if moved:
            assigned.update(dict.fromkeys(moved, clean))
            store.write_meta(area, {**meta, "teams": assigned}, actor=actor)
            summary["districts"] += len(moved)
        for layer in TEAM_LAYERS:
            try:
                features = store.query(area, layer)
            except NotFound:
                continue
            changed = [
                {**f, "properties": {**f["properties"], "team": clean}}
                for f in features
                if f["properties"].get("team") == old
            ]
            if changed:
                store.upsert_many(area, layer, changed, actor=actor)
                summary["records"] += len(changed)
    summary["accounts"] = len(files.users.rename_team(old, clean, actor=actor))
    if old in files.teams.list():
        files.teams.rename(old, clean)
    return summary
