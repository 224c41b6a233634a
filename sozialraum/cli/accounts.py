"""The ``sozialraum users`` commands: add, passwd, disable, enable, list, copy-from, audit.

Accounts live in ``<data_dir>/_accounts/``, or in the database when a database URL is
set (``--database-url``, ``SOZIALRAUM_DATABASE_URL``; see :func:`cli_accounts`).
Passwords are read with a hidden prompt (or ``--password``) and are never printed.
Every change is in the account audit log with the actor ``cli`` (``sozialraum users audit``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from sozialraum import settings
from sozialraum.accounts import (
    Accounts,
    SessionStore,
    UserStore,
    normalize_name,
    open_accounts,
)
from sozialraum.cli._common import Group, console, data_dir_option
from sozialraum.model.roles import ROLE_LABELS, Role

__all__ = ["cli_accounts", "users"]

password_option = click.option(
    "--password",
    default=None,
    help="The password (visible in the shell history; omit it to be asked without echo).",
)


def cli_accounts(data_dir: Path | None) -> Accounts:
    """The accounts a command works on: the database's, else the data folder's files.

    Parameters
    ----------
    data_dir : pathlib.Path or None
        ``--data-dir`` (``None``: the configured data folder).

    Returns
    -------
    Accounts
        Users, sessions and the login limiter (see
        :func:`sozialraum.accounts.open_accounts`).
    """
    return open_accounts(
        settings.data_dir(data_dir),
        database_url=settings.database_url(),
    )


def _users(data_dir: Path | None) -> UserStore:
    return cli_accounts(data_dir).users


def _sessions(data_dir: Path | None) -> SessionStore:
    return cli_accounts(data_dir).sessions


def _files(data_dir: Path | None):
    """The account stores as the admin services take them (same rules as the admin pages)."""
    from sozialraum.services.admin import AccountFiles

    return AccountFiles.of(cli_accounts(data_dir))


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


@users.command("copy-from")
@data_dir_option
@click.argument("source", type=click.Path(file_okay=False, exists=True, path_type=Path))
def users_copy_from(data_dir, source):
    """Copy the accounts of the data folder SOURCE into the current accounts.

    With a database URL (``--database-url``, SOZIALRAUM_DATABASE_URL) the accounts go into
    the database: the step that moves an installation's users to PostgreSQL. Passwords,
    roles, teams and disabled flags are kept; accounts whose name exists are left alone;
    sessions are not copied (everyone logs in once more).
    """
    from sozialraum.accounts import USERS_FILE, FileUserStore, accounts_dir

    origin = accounts_dir(source) / USERS_FILE
    if not origin.is_file():
        raise click.ClickException(f"no accounts in {source} ({origin} is missing)")
    target = cli_accounts(data_dir)
    if target.backend == "files" and target.users.path.resolve() == origin.resolve():
        raise click.ClickException("the source is the current data folder; nothing to copy")
    copied, skipped = target.users.copy_from(FileUserStore(origin))
    where = "the database" if target.backend == "postgres" else str(target.users.path)
    click.echo(f"{copied} account(s) copied into {where}; {skipped} existed already")
    entry = target.users.audit.entries(limit=1)[-1]
    if entry.get("carried"):
        click.echo(f"account audit log carried over ({entry['carried']} entries)")
    elif entry.get("source_verified") is False:
        click.echo(
            f"account audit log not carried over: the source's log does not verify with "
            f"{target.users.audit.keys.describe()} (check it with 'sozialraum users audit "
            f"--verify --data-dir {source}'); the copy is recorded as entry {entry['seq']}"
        )
    elif entry.get("source_entries"):
        click.echo(
            f"account audit log not carried over (this log has entries already); the copy "
            f"is recorded as entry {entry['seq']}"
        )


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


#: Columns of ``sozialraum users audit`` besides seq, time, actor and action.
_DETAIL_FIELDS = ("user", "team", "role_old", "role_new", "team_old", "team_new")


def audit_details(entry: dict) -> str:
    """What an account audit entry changed, as one line of text (``key=value`` pairs).

    Parameters
    ----------
    entry : dict
        An entry of the account audit log.

    Returns
    -------
    str
        e.g. ``user=anna role: caseworker -> lead``.
    """
    parts = []
    if entry.get("user"):
        parts.append(f"user={entry['user']}")
    for field in ("role", "team"):
        if f"{field}_old" in entry or f"{field}_new" in entry:
            parts.append(f"{field}: {entry.get(field + '_old')} -> {entry.get(field + '_new')}")
        elif field in entry:
            parts.append(f"{field}={entry[field]}")
    if isinstance(entry.get("users"), list):
        parts.append(f"accounts={','.join(entry['users']) or '-'}")
    for field in ("skipped", "source_entries", "carried", "aborted_seq"):
        if field in entry:
            parts.append(f"{field}={entry[field]}")
    return " ".join(parts)


@users.command("audit")
@data_dir_option
@click.option("--verify", "check", is_flag=True, help="Check the chain (exit 1 on a break).")
@click.option("--last", type=click.IntRange(min=1), default=None, help="Only the newest N.")
def users_audit(data_dir, check, last):
    """List the account audit log (newest last), or check its chain with --verify.

    Who created, locked or unlocked an account, set a password, changed a role or team,
    created or renamed a team, copied accounts, and when (UTC). Keyed with the audit key
    (AUDIT_KEY_FILE, default <instance>/audit_key) like the area logs.
    """
    log = cli_accounts(data_dir).users.audit
    if check:
        click.echo(f"checking {log.name} with {log.keys.describe()}")
        result = log.verify()
        for note in result.notes:
            click.echo(f"note: {note}")
        if not result.ok:
            for problem in result.problems:
                click.echo(f"FAILED: {problem}", err=True)
            sys.exit(1)
        click.echo(f"ok: {result.entries} entries, chain intact")
        return
    entries = log.entries(limit=last)
    if not entries:
        click.echo("no account changes logged yet")
        return
    for entry in entries:
        click.echo(
            f"{entry.get('seq')}\t{entry.get('ts')}\t{entry.get('actor')}\t"
            f"{entry.get('action')}\t{audit_details(entry)}"
        )
