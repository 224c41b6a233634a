"""The ``sozialraum`` command. Every command takes ``--data-dir`` (or SOZIALRAUM_DATA_DIR).

One module per command group: :mod:`~sozialraum.cli.areas` (import, areas, districts),
:mod:`~sozialraum.cli.audit`, :mod:`~sozialraum.cli.purge`, :mod:`~sozialraum.cli.mailbox`
(check-addresses, import-returns, returns), :mod:`~sozialraum.cli.reports` (profile,
coverage), :mod:`~sozialraum.cli.app` (demo, serve), :mod:`~sozialraum.cli.accounts` (users),
:mod:`~sozialraum.cli.offers`, :mod:`~sozialraum.cli.backup` (backup, restore),
:mod:`~sozialraum.cli.basemap` and :mod:`~sozialraum.cli.notes`; shared options in
:mod:`~sozialraum.cli._common`.
"""

from __future__ import annotations

import os

import click

from sozialraum import settings
from sozialraum.cli._common import Group
from sozialraum.cli.accounts import users
from sozialraum.cli.app import demo, serve
from sozialraum.cli.areas import areas, districts, import_command
from sozialraum.cli.audit import audit
from sozialraum.cli.backup import backup, restore
from sozialraum.cli.basemap import basemap
from sozialraum.cli.db import db
from sozialraum.cli.mailbox import check_addresses, import_returns, returns_group
from sozialraum.cli.notes import notes
from sozialraum.cli.offers import offers
from sozialraum.cli.purge import purge
from sozialraum.cli.reports import coverage, profile


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sozialraum")
@click.option(
    "--database-url",
    default=None,
    help="Keep the data in PostgreSQL at this URL (sets SOZIALRAUM_DATABASE_URL for the "
    "command; default: GeoJSON files in the data folder).",
)
def main(database_url):
    """sozialraum: Sozialraum maps for caseworkers (OSM resources, addresses, notes)."""
    settings.restrict_umask()  # every file a command writes: 0600, every folder 0700
    if database_url:
        os.environ[settings.DATABASE_URL_ENV] = database_url  # also for the server's workers


for _command in (
    import_command,
    areas,
    audit,
    purge,
    check_addresses,
    import_returns,
    returns_group,
    districts,
    profile,
    coverage,
    demo,
    serve,
    users,
    offers,
    backup,
    restore,
    notes,
    basemap,
    db,
):
    main.add_command(_command)
