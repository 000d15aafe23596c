"""`flask users …`: accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.auth.service import create_user
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Role


@click.group("users")
def users_cli() -> None:
    """Manage login accounts."""


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value, show_default=True
)
@click.option("--name", "full_name", default="", help="Full name shown on the site.")
@click.password_option("--password", help="Prompted for (twice) when left out.")
@with_appcontext
def create(email: str, role: str, full_name: str, password: str) -> None:
    """Create an account with EMAIL."""
    try:
        user = create_user(db.session, email, password, role, full_name)
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")
