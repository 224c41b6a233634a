"""The ``sozialraum db`` commands: schema migrations, copying a data folder in and out."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sozialraum import settings
from sozialraum.cli._common import counted, data_dir_option

database_url_option = click.option(
    "--database-url",
    envvar=settings.DATABASE_URL_ENV,
    default=None,
    help="PostgreSQL URL (default: SOZIALRAUM_DATABASE_URL or DATABASE_URL in instance/config.py).",
)


def require_database_url(explicit: str | None) -> str:
    """The database URL, or a one-line error when none is set."""
    try:
        url = settings.database_url(explicit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if url is None:
        raise click.ClickException(
            "no database: set SOZIALRAUM_DATABASE_URL or pass --database-url"
        )
    return url


@click.group("db")
def db():
    """PostgreSQL: migrate the schema, copy a GeoJSON data folder in and out."""


@db.command("upgrade")
@database_url_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(database_url, revision):
    """Bring the database schema to the newest revision (Alembic migrations)."""
    from sozialraum.db.migrate import current_revision, upgrade

    url = require_database_url(database_url)
    upgrade(url, revision)
    click.echo(f"database at revision {current_revision(url)}")


def _open_database_store(database_url, data_dir):
    from sozialraum.store.postgres import PostgresStore

    url = require_database_url(database_url)
    return PostgresStore(url, data_dir=settings.data_dir(data_dir))


def _print_report(report, verb: str) -> bool:
    counts = ", ".join(f"{layer} {n}" for layer, n in sorted(report.features.items()))
    click.echo(
        f"{report.area}: {verb} {counts}; {counted(report.versions, 'kept version')}; "
        f"{counted(report.audit_entries, 'audit entry', 'audit entries')}; "
        f"artifacts {len(report.artifacts)}; "
        f"local files {', '.join(report.local_files) or 'none'}"
    )
    for problem in report.problems:
        click.echo(f"{report.area}: FAILED: {problem}", err=True)
    return not report.problems


@db.command("migrate-from")
@database_url_option
@data_dir_option
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
def db_migrate_from(database_url, data_dir, source, area_names):
    """Copy the areas of the GeoJSON data folder SOURCE into the database.

    Features (ids, versions, order), kept versions, the audit log (entry by entry), metadata
    and artifacts go into the database; the basemap files go to --data-dir (the local folder
    of this server). Each area is one transaction and is checked afterwards: counts, ids,
    versions, and the audit chain verifies with the same audit key. An area that exists in
    the database already is refused.
    """
    from sozialraum.store import GeoJSONStore
    from sozialraum.store.postgres.transfer import migrate_area

    target = _open_database_store(database_url, data_dir)
    files = GeoJSONStore(source.resolve(), read_only=True)
    ok = True
    for area in area_names or files.areas():
        ok = _print_report(migrate_area(files, target, area), "copied") and ok
    if not ok:
        sys.exit(1)


@db.command("export")
@database_url_option
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def db_export(database_url, data_dir, area_names, target):
    """Write areas from the database as a GeoJSON data folder TARGET (the file store's layout).

    TARGET/<area> must not exist. The written folder is checked: its audit log verifies and
    its layers hold the same ids.
    """
    from sozialraum.store.postgres.transfer import export_area

    store = _open_database_store(database_url, data_dir)
    ok = True
    for area in area_names or store.areas():
        ok = _print_report(export_area(store, area, target.resolve()), "exported") and ok
    if not ok:
        sys.exit(1)
