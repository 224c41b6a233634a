"""The ``sozialraum db`` commands: schema migrations, copying a data folder in and out."""

from __future__ import annotations

import click

from sozialraum import settings

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
