"""Running the app: ``sozialraum demo`` (install the demo area) and ``sozialraum serve``."""

from __future__ import annotations

import click

from sozialraum import settings
from sozialraum.cli._common import (
    cli_actor,
    data_dir_option,
    instance_categories,
    open_data_store,
)


@click.command()
@data_dir_option
def demo(data_dir):
    """Build the fictional demo area "Musterstadt-Nord" and its demo users if missing."""
    from sozialraum.accounts.demo import install_demo_users
    from sozialraum.cli.accounts import cli_accounts
    from sozialraum.demo.area import DEMO_AREA, install_demo

    store = open_data_store(data_dir)
    if install_demo(store, actor=cli_actor(), categories=instance_categories()):
        click.echo(f"demo area '{DEMO_AREA}' built")
    else:
        click.echo(f"demo area '{DEMO_AREA}' exists")
    logins = install_demo_users(cli_accounts(data_dir).users)
    click.echo("demo logins (public, for trying the app only):")
    for name, role, password in logins:
        click.echo(f"  {role:<11} {name:<16} password: {password}")


@click.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Worker processes (1: waitress; more: gunicorn, one process per worker).",
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(data_dir, host, port, workers, threads):
    """Start the web app with a production server (waitress, or gunicorn with --workers)."""
    from sozialraum.web import create_app
    from sozialraum.web.server import serve as run_server

    config = {"DATA_DIR": str(settings.data_dir(data_dir))}
    app = create_app(config)  # a damaged data file stops here with a clear message
    if app.config["READ_ONLY"]:
        click.echo("warning: the data folder is read-only; the app runs read-only", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"sozialraum is running at http://{shown}:{port}/  (Ctrl+C stops it)")
    run_server(app, host=host, port=port, workers=workers, threads=threads)
