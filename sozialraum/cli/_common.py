"""Pieces every ``sozialraum`` command group shares: the --data-dir option, error handling,
the console."""

from __future__ import annotations

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
