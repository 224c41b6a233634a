"""Admin pages for teams: the overview, a new team, renaming one everywhere."""

from __future__ import annotations

from flask import render_template, request

from sozialraum.errors import InvalidInput, NotFound
from sozialraum.services import admin
from sozialraum.web import context as ctx
from sozialraum.web.admin.common import account_files, actor, done, refused

PAGE = "pages.admin_teams"


def teams_page():
    """Every team with its accounts and districts; forms to create and rename."""
    return render_template(
        "admin/teams.html", teams=admin.team_overview(account_files(), ctx.store())
    )


def create_team():
    """Create a team (to choose it for accounts and districts before anything has it)."""
    try:
        name = admin.create_team(
            account_files(), ctx.store(), request.form.get("name", ""), actor=actor()
        )
    except InvalidInput as exc:
        return refused(exc, PAGE)
    return done(f"Team „{name}“ angelegt.", PAGE)


def rename_team():
    """Rename a team: accounts, district assignments, notes, walks and meetings follow."""
    old = request.form.get("team", "")
    try:
        result = admin.rename_team(
            account_files(), ctx.store(), old, request.form.get("name", ""), actor=actor()
        )
    except (InvalidInput, NotFound) as exc:
        return refused(exc, PAGE)
    if result["name"] == old:
        return done(f"Team „{old}“: Name unverändert.", PAGE)
    return done(
        f"Team „{old}“ heißt jetzt „{result['name']}“: {result['accounts']} Konten, "
        f"{result['districts']} Bezirke und {result['records']} Notizen, Rundgänge und "
        "Besprechungen übernommen.",
        PAGE,
    )
