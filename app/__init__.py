"""Boiduong: refresher training for government cadres. The application factory."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import PROJECT_ROOT, load_config
from app.templating import App


def create_app(config: dict | None = None) -> Flask:
    """Create the app: settings from the environment, then `config` on top (tests use that)."""
    app = App(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    _extensions(app)
    _blueprints(app)
    from app import fragments, security, transactions, urls

    app.jinja_env.globals["url_for"] = urls.memoized_url_for(app)  # after the blueprints' rules
    fragments.init_app(app)

    transactions.init_app(app)  # after the blueprints: it wraps every view
    _commands(app)
    security.refuse_unsafe_start(app)
    from app.profiles import retirement

    retirement.shipped_rules()  # a malformed retirement.yaml stops the start, naming the field

    if not app.config["ADMIN_SECOND_FACTOR"]:
        app.logger.warning(
            "ADMIN_SECOND_FACTOR=off: admin accounts log in with a password alone. "
            "Anyone who learns an admin's password can open every profile in their scope."
        )
    return app


def _extensions(app: Flask) -> None:
    from app import access, database, errors_web, i18n, params, security
    from app.certificates import keys as certificate_keys
    from app.extensions import csrf, db, limiter, login_manager, migrate

    database.configure(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    errors_web.init_app(app)
    params.init_app(app)
    certificate_keys.init_app(app)  # a missing or wrong key file stops the start, naming it


def _blueprints(app: Flask) -> None:
    """The pages: every blueprint, and the template helpers their pages share."""
    from app.admin.views import bp as admin_bp
    from app.assignments.views import bp as assignments_bp
    from app.audit.views import bp as audit_bp
    from app.auth.account import bp as account_bp
    from app.auth.views import bp as auth_bp
    from app.certificates.views import bp as certificates_bp
    from app.courses.categories import template_helpers as category_words
    from app.learning.quiz_views import bp as quizzes_bp
    from app.learning.views import bp as learning_bp
    from app.legal.views import bp as legal_bp
    from app.ops.views import bp as health_bp
    from app.profiles import (  # noqa: F401 (each adds its routes to the profiles Blueprint)
        decision_views,
        list_views,
        profile_views,
        record_views,
        requirement_views,
    )
    from app.profiles.blueprint import bp as profiles_bp
    from app.profiles.labels import template_helpers as profile_labels
    from app.reports.views import bp as reports_bp
    from app.teach.edition_views import bp as editions_bp
    from app.teach.marking_views import bp as marking_bp
    from app.teach.preview_views import bp as teach_preview_bp
    from app.teach.views import bp as teach_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(learning_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(profiles_bp)
    app.register_blueprint(reports_bp, url_prefix="/review")
    app.register_blueprint(assignments_bp, url_prefix="/review")
    app.register_blueprint(teach_bp, url_prefix="/teach")
    app.register_blueprint(editions_bp, url_prefix="/teach")
    app.register_blueprint(teach_preview_bp, url_prefix="/teach")
    app.register_blueprint(marking_bp, url_prefix="/teach")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(legal_bp, url_prefix="/legal")
    app.register_blueprint(certificates_bp)
    app.register_blueprint(health_bp)

    app.jinja_env.globals.update(profile_labels())  # codes in words, on every page
    app.jinja_env.globals.update(category_words())


def _commands(app: Flask) -> None:
    """The `flask` commands."""
    from app.audit.cli import audit_cli
    from app.auth.cli import users_cli
    from app.certificates.cli import certificates_cli
    from app.courses.cli import courses_cli
    from app.demo.cli import demo_cli
    from app.imports.cli import cadres_cli
    from app.legal.cli import legal_cli
    from app.ops import cli as backup_commands
    from app.profiles.cli import decisions_cli, profiles_cli, requirements_cli, units_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(legal_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(profiles_cli)
    app.cli.add_command(requirements_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(decisions_cli)
    app.cli.add_command(cadres_cli)
    app.cli.add_command(certificates_cli)
    backup_commands.add_to(app)  # `flask db backup` and `flask db restore`, beside Flask-Migrate's
