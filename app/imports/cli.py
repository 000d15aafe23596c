"""`flask cadres import FILE [--dry-run]`: the personnel office's scheduled sync."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from app.errors import ValidationFailed
from app.extensions import db
from app.imports.batches import UNAPPLIED_KEPT, drop_unapplied
from app.imports.people import import_people
from app.imports.reader import MAX_IMPORT_BYTES, read_table
from app.models.base import utcnow
from app.policy import SYSTEM


@click.group("cadres")
def cadres_cli() -> None:
    """Cadre and unit data from the personnel system."""


@cadres_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@with_appcontext
def import_(path: str, dry_run: bool) -> None:
    """Import units or cadres from a CSV or XLSX file, all rows or none.

    Every problem is printed as `row N, column C: value: why`; any problem writes nothing and
    exits 1. Re-importing the same file changes nothing; cadres are matched by employee code.
    """
    with force_locale("en"):  # the messages scripts read are in English
        _import(path, dry_run)


def _import(path: str, dry_run: bool) -> None:
    started = time.perf_counter()
    source = Path(path)
    try:
        if source.stat().st_size > MAX_IMPORT_BYTES:  # before reading it into memory
            raise ValidationFailed(
                _("larger than %(mb)s MB", mb=MAX_IMPORT_BYTES // (1024 * 1024)), field="file"
            )
        table = read_table(source.name, source.read_bytes())
        report = import_people(db.session, SYSTEM, table, dry_run=dry_run)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(f"{path}: {exc.message}") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.more:
        click.echo(f"... and {report.more} more problem(s)", err=True)
    if report.problem_count or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would be" if dry_run or report.problems else "were"
    click.echo(
        f"{report.rows} {report.kind} rows: {report.created} {verb} created, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.problem_count} problem(s); "
        f"{time.perf_counter() - started:.1f} s"
    )
    if report.problem_count:
        raise SystemExit(1)


@cadres_cli.command("purge-uploads")
@with_appcontext
def purge_uploads() -> None:
    """Drop the bytes of uploads not applied within a day (file name, hash, who and when stay).

    Run it daily from a timer; the upload page also does it on each new upload.
    """
    dropped = drop_unapplied(db.session, utcnow())
    db.session.commit()
    click.echo(f"{dropped} unapplied upload(s) older than {UNAPPLIED_KEPT} dropped")
