"""The ``sozialraum backup`` and ``sozialraum restore`` commands.

See :mod:`sozialraum.store.backup` and :mod:`sozialraum.store.restore`.

Both are safe while the web app runs. On bad input they print one line ``error: ...``
to stderr and exit with status 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from sozialraum.cli._common import counted, data_dir_option, open_data_store
from sozialraum.errors import SozialraumError

__all__ = ["backup", "restore"]


class _Failure(click.ClickException):
    """Exit status 1 with a one-line ``error: <message>`` on stderr."""

    def show(self, file=None):
        click.echo(f"error: {self.format_message()}", err=True)


def _size(count: int) -> str:
    """A byte count for people: ``812 B``, ``163.1 kB``, ``2.4 MB``."""
    value = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{count} B"  # not reached


@click.command("backup")
@data_dir_option
@click.argument("area")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Archive file, or an existing folder for the default name "
    "(default: <area>-<UTC timestamp>.tar.gz in the current folder). "
    "An existing file is never overwritten.",
)
def backup(data_dir, area, output):
    """Save a consistent snapshot of AREA to a .tar.gz archive (safe while the app runs).

    The archive holds every file of the area and a MANIFEST.json with the size and
    SHA-256 of each; restore it with 'sozialraum restore'.
    """
    from sozialraum.store.backup import backup_area

    store = open_data_store(data_dir)
    if getattr(store, "url", None):  # PostgreSQL: a snapshot of the area, the same archive
        from sozialraum.store.postgres.transfer import backup_database_area as backup_area
    try:
        report = backup_area(store, area, output or Path.cwd())
    except SozialraumError as exc:
        raise _Failure(exc.message) from None
    for skipped in report.skipped:
        click.echo(f"warning: not saved: {skipped}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"wrote {report.path} ({counted(report.files, 'file')}, {_size(report.size)}; "
        f"{_size(report.content_bytes)} unpacked), signed with audit key {report.key_id}"
    )


@click.command("restore")
@data_dir_option
@click.argument("archive", type=click.Path(path_type=Path))
@click.option("--area", default=None, help="Restore under this name (default: the archived name).")
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite the area if it exists (its files not in the backup are deleted).",
)
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept an archive without a signature (made before audit keys existed).",
)
def restore(data_dir, archive, area, replace, allow_unsigned):
    """Restore an area from ARCHIVE, written by 'sozialraum backup'.

    The whole archive is checked first (signature, checksums, paths, layers, audit
    log); if anything is wrong, nothing is changed. The signature and the audit log are
    checked with the audit key (AUDIT_KEY_FILE, default <instance>/audit_key). An
    existing area is only overwritten with --replace; the running app then sees the
    restored area.
    """
    from sozialraum.store.restore import restore_area

    store = open_data_store(data_dir)
    if getattr(store, "url", None):  # PostgreSQL: checked in a temp folder, copied in
        from sozialraum.store.postgres.transfer import restore_database_area as restore_area
    try:
        report = restore_area(
            store,
            archive,
            area=area,
            replace=replace,
            allow_unsigned=allow_unsigned,
        )
    except SozialraumError as exc:
        raise _Failure(exc.message) from None
    origin = "" if report.source_area == report.area else f" (saved as '{report.source_area}')"
    click.echo(
        f"restored area '{report.area}'{origin} from the backup of {report.created_at}: "
        f"{counted(report.files, 'file')}, {_size(report.content_bytes)}, "
        f"audit log ok ({counted(report.audit_entries, 'entry', 'entries')})"
    )
    if report.key_id is None:
        click.echo("warning: the archive was not signed (restored with --allow-unsigned)")
    else:
        click.echo(f"signature checked against audit key {report.key_id}")
    if report.audit_key_ids:
        click.echo(f"audit log checked against audit key(s) {', '.join(report.audit_key_ids)}")
    if report.replaced:
        click.echo(
            f"replaced the existing area; {counted(len(report.removed), 'file')} not in the backup "
            "removed"
        )
