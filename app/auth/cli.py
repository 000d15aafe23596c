"""`flask users …`: accounts from the command line (the person at the shell acts as the system)."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from app.auth import service, totp
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import Role, Unit
from app.policy import SYSTEM


@click.group("users")
def users_cli() -> None:
    """Manage login accounts."""


def _user(email: str):
    try:
        return service.get_user(db.session, email)
    except NotFound:
        raise click.ClickException(f"no account with e-mail {email}") from None


def _run(action) -> None:
    try:
        action()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        with force_locale("en"):  # the messages scripts read are in English
            raise click.ClickException(str(getattr(exc, "message", exc))) from None
    db.session.commit()


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value, show_default=True
)
@click.option("--name", "full_name", default="", help="Full name shown on the site.")
@click.option(
    "--unit", "unit_code", default="", help="Unit code (an admin administers its subtree; none: city-wide)."
)
@click.option("--override", is_flag=True, help="An admin who may record overrides of unmet requirements.")
@click.password_option("--password", help="Prompted for (twice) when left out.")
@with_appcontext
def create(email: str, role: str, full_name: str, unit_code: str, override: bool, password: str) -> None:
    """Create an account with EMAIL."""
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"no unit with code {unit_code}")
    created = []
    _run(
        lambda: created.append(
            service.create_user(
                db.session, SYSTEM, email, password, role, full_name, unit=unit, can_override=override
            )
        )
    )
    click.echo(f"created {created[0].role} {created[0].email}")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option("--password", help="Prompted for (twice) when left out.")
@with_appcontext
def set_password(email: str, password: str) -> None:
    """Set EMAIL's password; every login of the account ends."""
    user = _user(email)
    _run(lambda: service.set_password(db.session, SYSTEM, user, password))
    click.echo(f"password set for {user.email}; its sessions have ended")


@users_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Deactivate EMAIL: it cannot log in, and its logins end at once."""
    user = _user(email)
    _run(lambda: service.set_active(db.session, SYSTEM, user, False))
    click.echo(f"deactivated {user.email}")


@users_cli.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate(email: str) -> None:
    """Let a deactivated account log in again."""
    user = _user(email)
    _run(lambda: service.set_active(db.session, SYSTEM, user, True))
    click.echo(f"reactivated {user.email}")


@users_cli.command("reset-link")
@click.argument("email")
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="The site's address as people see it.",
)
@with_appcontext
def reset_link(email: str, base_url: str) -> None:
    """Print a one-time link (24 hours) with which EMAIL sets a new password."""
    user = _user(email)
    tokens = []
    _run(lambda: tokens.append(service.issue_reset(db.session, SYSTEM, user)))
    with current_app.test_request_context(base_url=base_url):
        click.echo(url_for("auth.reset_password", token=tokens[0], _external=True))


@users_cli.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor(email: str) -> None:
    """Remove EMAIL's second step of login (a lost phone); it is set up again at the next login."""
    user = _user(email)
    _run(lambda: totp.reset(db.session, SYSTEM, user))
    click.echo(f"second step of login removed for {user.email}; its sessions have ended")
