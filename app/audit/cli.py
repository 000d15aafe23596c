"""`flask audit verify`: walk the audit chain and name the first entry that was changed or removed."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.org.audit import verify as verify_chain


@click.group("audit")
def audit_cli() -> None:
    """The audit log."""


@audit_cli.command("verify")
@with_appcontext
def verify() -> None:
    """Check every entry against the hash chain. Exit status 0 when intact, 1 otherwise."""
    result = verify_chain(db.session)
    if result.ok:
        click.echo(f"audit log intact: {result.entries} entries")
        # Kept somewhere else (a ticket, a printout), it also shows later whether the whole chain
        # after it was rewritten by someone with the database in hand.
        click.echo(f"last hash: {result.last_hash}")
        return
    click.echo(f"audit log BROKEN at entry {result.broken_at}: {result.problem}", err=True)
    click.echo(f"({result.entries} entries before it are intact)", err=True)
    raise SystemExit(1)
