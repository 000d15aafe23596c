"""The demo loader used by `make run`."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo.accounts import DEMO_ACCOUNTS
from app.extensions import db
from app.models import User


def test_demo_accounts_are_created_once_and_can_log_in(app, auth):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "accounts"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "accounts"])
    assert second.exit_code == 0 and second.output.count("(exists)") == 3
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 3
    for email, password, _role, _name in DEMO_ACCOUNTS:
        assert email in first.output and password in first.output
        assert auth.login(email, password).status_code == 302
        auth.logout()


def test_demo_accounts_refuse_a_production_configuration(app):
    app.config["ENVIRONMENT"] = "production"
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code != 0
    assert "refusing to create demo accounts" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
