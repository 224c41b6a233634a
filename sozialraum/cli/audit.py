"""The ``sozialraum audit`` commands: verify and seal the audit logs, rotate the audit key."""

from __future__ import annotations

import sys

import click

from sozialraum.cli._common import (
    cli_actor,
    counted,
    data_dir_option,
    open_data_store,
)


@click.group()
def audit():
    """Check the audit logs; seal them; rotate the audit key."""


@audit.command("verify")
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
@click.option(
    "--require-key",
    is_flag=True,
    help="A log without keyed entries fails too (use after 'sozialraum audit seal').",
)
def audit_verify(data_dir, area_names, require_key):
    """Verify the keyed hash chain of the audit logs; exit status 1 if any log was changed.

    Keyed entries are checked with the audit key (AUDIT_KEY_FILE, default
    <instance>/audit_key, and its retired keys beside it); the output names the key ids.
    """
    store = open_data_store(data_dir)
    click.echo(f"checking with {store.audit_keys.describe()}")
    failed = False
    for name in area_names or store.areas():
        result = store.verify_audit(name, require_keyed=require_key)
        if result.ok:
            keyed = (
                f"keyed with audit key {', '.join(result.key_ids)}"
                if result.key_ids
                else "NOT KEYED"
            )
            click.echo(f"{name}: ok ({counted(result.entries, 'entry', 'entries')}, {keyed})")
            for note in result.notes:
                click.echo(f"{name}: note: {note}")
        else:
            failed = True
            for problem in result.problems:
                click.echo(f"{name}: FAILED: {problem}", err=True)
    if failed:
        sys.exit(1)


@audit.command("seal")
@data_dir_option
@click.option("--area", "area_names", multiple=True, help="Only these areas (default: all).")
def audit_seal(data_dir, area_names):
    """Append a keyed entry to every audit log that verifies (creates the key if missing).

    Run once after upgrading: the entries written before the audit key existed are then
    anchored by a keyed entry, and 'audit verify --require-key' holds.
    """
    store = open_data_store(data_dir)
    failed = False
    for name in area_names or store.areas():
        result = store.verify_audit(name)
        if not result.ok:
            failed = True
            click.echo(f"{name}: not sealed: {'; '.join(result.problems)}", err=True)
            continue
        entry = store.seal_audit(name, actor=cli_actor())
        click.echo(f"{name}: sealed with audit key {entry['kid']} (entry {entry['seq']})")
    if failed:
        sys.exit(1)


@audit.command("rotate-key")
@data_dir_option
def audit_rotate_key(data_dir):
    """Retire the audit key, create a new one and seal every area with it.

    The old key stays beside the new one as <key file>.<key id>: it still checks the
    entries and backups it signed. Keep it (and back it up apart from the data).
    """
    store = open_data_store(data_dir)
    old, new = store.audit_keys.rotate()
    if old:
        click.echo(f"retired audit key {old} (kept as {store.audit_keys.path}.{old})")
    click.echo(f"new audit key {new} in {store.audit_keys.path}")
    for name in store.areas():
        entry = store.seal_audit(name, actor=cli_actor())
        click.echo(f"{name}: sealed with audit key {entry['kid']} (entry {entry['seq']})")
