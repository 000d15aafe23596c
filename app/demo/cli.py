"""`flask demo accounts`: demo logins for a developer's machine, never for production."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.auth import totp
from app.auth.service import create_user
from app.demo.accounts import DEMO_ACCOUNTS, own_demo_courses
from app.demo.city import seed_city
from app.demo.profiles import DEMO_TOTP_SECRETS, load_demo_profiles
from app.extensions import db
from app.models import User
from app.policy import SYSTEM


@click.group("demo")
def demo_cli() -> None:
    """Demo data for a developer's machine."""


@demo_cli.command("accounts")
@with_appcontext
def accounts() -> None:
    """Create the demo learner, trainer and admin (skips those that exist)."""
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException(
            "refusing to create demo accounts with BOIDUONG_ENV=production: their passwords are "
            "public. Use 'flask users create' for real accounts."
        )
    for email, password, role, name in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            user = create_user(db.session, SYSTEM, email, password, role, name)
            if email in DEMO_TOTP_SECRETS:
                totp.enable(db.session, user, DEMO_TOTP_SECRETS[email])
            state = "created"
        else:
            state = "exists"
        click.echo(f"  {role.value:8} {email:30} password: {password:16} ({state})")
        if email in DEMO_TOTP_SECRETS:
            click.echo(f"  {'':8} {'':30} second step (TOTP setup key): {DEMO_TOTP_SECRETS[email]}")
    owned = own_demo_courses(db.session)
    if owned:
        click.echo(f"  the demo trainer owns {', '.join(owned)}")
    db.session.commit()


@demo_cli.command("profiles")
@with_appcontext
def profiles() -> None:
    """Demo units and cadre profiles (after 'demo accounts' and 'courses import')."""
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("refusing to load demo profiles with BOIDUONG_ENV=production")
    users = {u.email: u for u in db.session.scalars(select(User))}
    learner, admin = users.get(DEMO_ACCOUNTS[0][0]), users.get(DEMO_ACCOUNTS[2][0])
    if learner is None or admin is None:
        raise click.ClickException("run 'flask demo accounts' first")
    notes = load_demo_profiles(db.session, learner, admin)
    db.session.commit()
    if not notes:
        click.echo("  demo profiles exist")
    for note in notes:
        click.echo(f"  {note}")


@demo_cli.command("seed")
@click.option("--cadres", default=131_565, show_default=True, help="How many cadres to create.")
@click.option(
    "--seed", default=2026, show_default=True, help="Random seed: the same seed builds the same city."
)
@with_appcontext
def seed(cadres: int, seed: int) -> None:
    """A Hanoi-sized city for benchmarks (after 'courses import' and 'profiles load-defaults')."""
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("refusing to seed a production database")
    started = time.perf_counter()
    try:
        seed_city(db.session, cadres, seed, echo=click.echo)
    except RuntimeError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"seeded in {time.perf_counter() - started:.0f} s")
