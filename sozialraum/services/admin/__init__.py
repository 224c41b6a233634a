"""What an admin does: accounts, teams, districts (plain functions, no Flask).

The web pages under ``/verwaltung`` and the CLI (``sozialraum users``, ``sozialraum
districts``) call these, so both follow the same rules and write the same audit entries.
"""

from __future__ import annotations

from sozialraum.services.admin.accounts import (
    AccountFiles,
    audit_rows,
    change_role_and_team,
    create_account,
    known_teams,
    one_time_password,
    reset_password,
    set_disabled,
)
from sozialraum.services.admin.districts import (
    MAX_UPLOAD_BYTES,
    DistrictsReplaced,
    add_drawn_district,
    parse_district_file,
    parse_drawn_polygon,
    rename_district,
    replace_districts,
)
from sozialraum.services.admin.teams import create_team, rename_team, team_overview

__all__ = [
    "MAX_UPLOAD_BYTES",
    "AccountFiles",
    "DistrictsReplaced",
    "add_drawn_district",
    "audit_rows",
    "change_role_and_team",
    "create_account",
    "create_team",
    "known_teams",
    "one_time_password",
    "parse_district_file",
    "parse_drawn_polygon",
    "rename_district",
    "rename_team",
    "replace_districts",
    "reset_password",
    "set_disabled",
    "team_overview",
]
