"""The ``sozialraum users`` commands: add, passwd, disable, enable, list.

Accounts live in ``<data_dir>/_accounts/``. Passwords are read with a hidden prompt
(or ``--password``) and are never printed.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from sozialraum import settings
from sozialraum.accounts import (
    SESSIONS_FILE,
    USERS_FILE,
    SessionStore,
    UserStore,
    accounts_dir,
    normalize_name,
)
from sozialraum.cli._common import Group, console, data_dir_option
from sozialraum.model.roles import ROLE_LABELS, Role

__all__ = ["users"]

password_option = click.option(
    "--password",
    default=None,
    help="The password (visible in the shell history; omit it to be asked without echo).",
)


def _folder(data_dir: Path | None) -> Path:
    return accounts_dir(settings.data_dir(data_dir))


def _users(data_dir: Path | None) -> UserStore:
    return UserStore(_folder(data_dir) / USERS_FILE)


def _sessions(data_dir: Path | None) -> SessionStore:
    return SessionStore(_folder(data_dir) / SESSIONS_FILE)


def _files(data_dir: Path | None):
    """The account files as the admin services take them (same rules as the admin pages)."""
    from sozialraum.accounts.teams import TEAMS_FILE, TeamStore
    from sozialraum.services.admin import AccountFiles

    folder = _folder(data_dir)
    return AccountFiles(_users(data_dir), _sessions(data_dir), TeamStore(folder / TEAMS_FILE))


def _password(password: str | None) -> str:
    if password is not None:
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def users():
    """Manage user accounts."""


@users.command("add")
@data_dir_option
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role], case_sensitive=False),
    help="viewer (Lesezugriff), caseworker (Fachkraft), lead (Teamleitung), admin.",
)
@click.option("--team", default=None, help='The team, e.g. "Team Nord" (optional for admin).')
@password_option
def users_add(data_dir, name, role, team, password):
    """Add a user account (asks for the password unless --password is given).

    The password needs at least 10 characters and must differ from the name.
    """
    store = _users(data_dir)
    clean = normalize_name(name)
    if any(user.name == clean for user in store.list()):
        raise click.ClickException(f"user {clean!r} already exists")
    if role != Role.ADMIN and not (team or "").strip():  # checked before asking for a password
        raise click.ClickException(f"a user with role '{role}' needs a team")
    known = _area_teams(data_dir) | set(_files(data_dir).teams.list())  # also created teams
    user = store.add(clean, role, team, _password(password), known_teams=known)
    team_text = f" in {user.team!r}" if user.team else ""
    if user.team and team and user.team != " ".join(team.split()):
        team_text += f" (existing team, entered as {team!r})"
    click.echo(f"user {user.name!r} added as {user.role.value}{team_text}")


def _area_teams(data_dir) -> set[str]:
    """Teams assigned to districts in the areas of the data folder."""
    from sozialraum.services.areas import area_teams
    from sozialraum.store import open_store

    return area_teams(open_store(settings.data_dir(data_dir)))


@users.command("passwd")
@data_dir_option
@click.argument("name")
@password_option
def users_passwd(data_dir, name, password):
    """Set a new password and end all sessions of the user."""
    from sozialraum.services.admin import reset_password

    files = _files(data_dir)
    user = files.users.get(name)
    _, _, ended = reset_password(files, user.name, _password(password))
    click.echo(f"password of {user.name!r} changed; {ended} session(s) ended")


@users.command("disable")
@data_dir_option
@click.argument("name")
def users_disable(data_dir, name):
    """Disable an account (no more logins) and end all its sessions (never the last admin)."""
    from sozialraum.services.admin import set_disabled

    user, ended = set_disabled(_files(data_dir), name, True)
    click.echo(f"user {user.name!r} disabled; {ended} session(s) ended")


@users.command("enable")
@data_dir_option
@click.argument("name")
def users_enable(data_dir, name):
    """Enable a disabled account again."""
    from sozialraum.services.admin import set_disabled

    user, _ = set_disabled(_files(data_dir), name, False)
    click.echo(f"user {user.name!r} enabled")


@users.command("list")
@data_dir_option
def users_list(data_dir):
    """List all accounts with role, team and state."""
    accounts = _users(data_dir).list()
    if not accounts:
        console.print("no users yet: run 'sozialraum users add NAME --role ROLE --team TEAM'")
        return
    table = Table()
    for column in ("name", "role", "team", "disabled"):
        table.add_column(column)
    for user in accounts:
        table.add_row(
            user.name,
            f"{user.role.value} ({ROLE_LABELS[user.role]})",
            user.team or "",
            "yes" if user.disabled else "no",
        )
    console.print(table)
