"""Pieces every ``sozialraum`` command group shares.

The --data-dir option, error handling, the console.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from rich.console import Console

from sozialraum.errors import SozialraumError
from sozialraum.store._atomic import write_atomic

#: Wide tables when the output goes to a file or pipe (rich would wrap them at 80 columns).
console = Console() if sys.stdout.isatty() else Console(width=200)

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SOZIALRAUM_DATA_DIR",
    default=None,
    help="Data folder (default: SOZIALRAUM_DATA_DIR, DATA_DIR in instance/config.py, "
    "or <instance>/data).",
)


def counted(count: int, singular: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """A count with its noun in English singular or plural: ``1 district``, ``3 districts``.

    Parameters
    ----------
    count : int
        The number of things.
    singular, plural : str
        The noun for one thing and for any other count (default: ``singular + "s"``).
    grouped : bool
        Thousands separated by commas (``1,234 addresses``).
    """
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {singular if count == 1 else plural or singular + 's'}"


class Group(click.Group):
    """Turns domain errors into a one-line English message and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SozialraumError as exc:
            raise click.ClickException(exc.message) from None


def write_output(path: Path, body: bytes) -> None:
    """Write a command's output file atomically; a one-line error if the disk refuses."""
    try:
        write_atomic(path.resolve(), body)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None


def open_data_store(data_dir: Path | None):
    """The store of the data folder (``--data-dir``, else the configured one)."""
    from sozialraum import settings
    from sozialraum.store import open_store

    return open_store(settings.data_dir(data_dir))


def instance_categories():
    """The resource categories of the instance (``<instance>/categories.toml`` or the defaults)."""
    from sozialraum import settings
    from sozialraum.model.categories import load_categories

    return load_categories(settings.instance_path() / "categories.toml")


def cli_actor() -> str:
    """Who the audit log names for a command: ``cli:<login name>``, or ``cli``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
