"""`flask db backup FILE` and `flask db restore FILE`, beside Flask-Migrate's commands.

Flask-Migrate registers its click group `db` (flask_migrate.cli.db) on the app; these two are
added to that same group by `add_to`, so `flask db --help` lists them with `upgrade` and the rest.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.extensions import db
from app.ops import backup as backups
from app.ops.health import migration_heads
from app.org.audit import verify as verify_chain


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Copy the SQLite database to FILE (a new file), safely while the site serves."""
    try:
        copied = backups.backup(db.engine, file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backed up to {copied.path} ({copied.size:,} bytes, migration {copied.revision})")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Restore the SQLite backup FILE into the database, which must be new and empty."""
    try:
        copied = backups.restore(db.engine, file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {file} into {copied.path} (migration {copied.revision})")
    if set(copied.revision.split(",")) != migration_heads():
        click.echo("the backup is from an earlier release: run `flask db upgrade` next")
    result = verify_chain(db.session)
    db.session.remove()
    if not result.ok:
        click.echo(f"audit log BROKEN at entry {result.broken_at}: {result.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"audit log intact: {result.entries} entries, last hash {result.last_hash}")


def add_to(app: Flask) -> None:
    """Add the commands to Flask-Migrate's `db` group (registered on the app by migrate.init_app)."""
    group = app.cli.commands["db"]
    assert isinstance(group, click.Group), "migrate.init_app(app) registers `flask db` first"
    group.add_command(backup)
    group.add_command(restore)
