"""The admin start page: links to accounts, teams and each area's districts."""

from __future__ import annotations

from flask import render_template

from sozialraum.errors import NotFound
from sozialraum.web import context as ctx


def admin_page():
    """Accounts, teams and, per area, the districts without a team."""
    store = ctx.store()
    items = []
    for area in store.areas():
        try:
            meta = store.read_meta(area)
        except NotFound:
            continue
        teams = meta.get("teams") or {}
        districts = store.query(area, "districts")
        items.append(
            {
                "area": area,
                "title": meta.get("title") or area,
                "districts": len(districts),
                "without_team": sorted(
                    d["properties"].get("name") or d["id"]
                    for d in districts
                    if not teams.get(d["id"])
                ),
            }
        )
    return render_template("admin/verwaltung.html", areas=items)
