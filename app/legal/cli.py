"""`flask legal load`: the shipped register of legal documents into the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.legal import register, service


def read_register() -> dict[str, register.Document]:
    """The shipped register, or the command's error naming the line of a mistake."""
    try:
        return register.load()
    except register.RegisterError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("legal")
def legal_cli() -> None:
    """The register of legal documents courses cite."""


@legal_cli.command("load")
@with_appcontext
def load() -> None:
    """Load app/courses/legal_documents.yaml into the database (again: only what changed).

    Documents a city admin has edited in the browser are kept as edited, and listed.
    """
    result = service.load(db.session, read_register())
    db.session.commit()
    click.echo(
        f"legal documents: {result.created} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    if result.kept:
        click.echo(
            "kept as edited in the browser (change them there, or compare with the file): "
            + ", ".join(result.kept)
        )
