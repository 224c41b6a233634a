"""``sozialraum purge``: delete expired field notes and returned-mail records."""

from __future__ import annotations

import click

from sozialraum import settings
from sozialraum.cli._common import (
    cli_actor,
    counted,
    data_dir_option,
    open_data_store,
)


@click.command()
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
@click.option("--dry-run", is_flag=True, help="Only count the expired notes; delete nothing.")
def purge(data_dir, area_names, dry_run):
    """Delete expired field notes for good, with all their earlier versions.

    A note expires after its "expires_on" day (default: 12 months for mailbox
    observations, 24 for others). Expired notes are already hidden from maps, API and
    exports; this removes them from the files. The audit log records the note ids and
    the count, never their content. Run it daily (e.g. from cron or a systemd timer).
    """
    from sozialraum.services.mailbox_returns import expired_return_ids, purge_expired_returns
    from sozialraum.services.notes import expired_note_ids, purge_expired

    store = open_data_store(data_dir)
    today = settings.today()
    for name in area_names or store.areas():
        if dry_run:
            count = len(expired_note_ids(store, name, today=today))
            returns = len(expired_return_ids(store, name, today=today))
            click.echo(
                f"{name}: {counted(count, 'expired note')} and "
                f"{counted(returns, 'expired returned-mail record')} would be deleted"
            )
        else:
            count = purge_expired(store, name, today=today, actor=cli_actor())
            returns = purge_expired_returns(store, name, today=today, actor=cli_actor())
            click.echo(
                f"{name}: {counted(count, 'expired note')} and "
                f"{counted(returns, 'expired returned-mail record')} deleted"
            )
