"""The ``sozialraum notes`` commands: maintenance of field notes.

``tie-addresses`` ties mailbox observations that were placed on the map or at the phone's
position before every mailbox note had to name its address. It writes through the store
(a new version per note, in the audit log as ``cli:<user>``) and reports the notes it could
not tie by id and distance only, never their text.
"""

from __future__ import annotations

import click

from sozialraum import settings
from sozialraum.cli._common import Group, cli_actor, counted, data_dir_option, open_data_store

__all__ = ["notes"]


@click.group(cls=Group)
def notes():
    """Field-note maintenance."""


@notes.command("tie-addresses")
@data_dir_option
@click.option("--area", required=True, help="Area name.")
@click.option("--dry-run", is_flag=True, help="Only report what would be tied; write nothing.")
def tie_addresses(data_dir, area, dry_run):
    """Tie mailbox observations without an address to the nearest address within 15 m.

    Run it once after updating: mailbox notes set on the map or at the phone's position
    used to name no address, so the mailbox check of the house found no evidence. Each
    tie is a new version of the note (review state and content unchanged) and an entry in
    the audit log. Notes with no address within 15 m are listed with the distance to the
    nearest one; tie them by hand (edit the note and choose the address).
    """
    from sozialraum.model.notes import load_note_categories
    from sozialraum.services.notes import TIE_RADIUS_M, tie_mailbox_notes

    store = open_data_store(data_dir)
    store.read_meta(area)
    categories = load_note_categories(settings.instance_path() / "note_categories.toml")
    report = tie_mailbox_notes(
        store, area, actor=cli_actor(), categories=categories, dry_run=dry_run
    )
    verb = "would tie" if dry_run else "tied"
    click.echo(
        f"{area}: {verb} {counted(len(report.tied), 'mailbox note')} to an address; "
        f"{len(report.untied)} {'has' if len(report.untied) == 1 else 'have'} "
        f"no address within {TIE_RADIUS_M:.0f} m"
    )
    for note_id, distance_m in report.untied:
        nearest = f"{distance_m:.1f} m" if distance_m is not None else "no address in the area"
        click.echo(f"  not tied: note {note_id}, nearest address {nearest}")
    for note_id in report.changed:
        click.echo(f"  skipped: note {note_id} was changed meanwhile; run the command again")
