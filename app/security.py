"""Loading the logged-in account, the session cookie and response headers, for every request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature
from sqlalchemy import inspect, select

from app.auth import sessions
from app.config import ConfigError
from app.extensions import db, login_manager
from app.models import User


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with two changes.

    The cookie is marked Secure whenever the request came over HTTPS. A permanent session's
    cookie is re-issued (to slide its expiry) at most once per SESSION_REFRESH_SECONDS rather
    than on every response: signing and sending it again is a noticeable share of a page's cost,
    and the idle timeout of hours only moves by that many seconds.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds()), return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        age = app.config["SESSION_REFRESH_SECONDS"]
        return signed_at is None or datetime.now(UTC) - signed_at >= timedelta(seconds=age)


def _load_user(token: str) -> User | None:
    """Flask-Login's loader: the account of the open login session whose token the cookie holds
    (one statement), or None. The session's last-seen time moves at most once a minute, on a
    connection of its own so that the request's own transaction stays untouched."""
    user = sessions.load(db.session, token, current_app.permanent_session_lifetime)
    if user is not None and sessions.needs_touch(user.login_session):
        with db.engine.begin() as connection:
            connection.execute(sessions.touch_statement(user.login_session))
    return user


def _content_security_policy(video_hosts: tuple[str, ...]) -> str:
    frames = " ".join(f"https://{host}" for host in video_hosts) or "'none'"
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"frame-src {frames}; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'self'"
    )


def _add_headers(csp: str):
    def add(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", csp)
        return response

    return add


def refuse_unsafe_start(app: Flask) -> None:
    """Production refuses to serve while a demo account (public password) can log in. Commands
    other than `flask run` still work, so that an operator can deactivate them."""
    from app.demo import DEMO_DOMAIN  # the demo module is the one place that knows it

    context = click.get_current_context(silent=True)
    if app.config["ENVIRONMENT"] != "production" or (context is not None and context.info_name != "run"):
        return
    with app.app_context():
        if not inspect(db.engine).has_table("users"):
            return
        demo = db.session.scalars(
            select(User.email).where(User.email.endswith(DEMO_DOMAIN), User.is_active_account.is_(True))
        ).all()
        db.session.remove()
    if demo:
        raise ConfigError(
            "refusing to serve in production while demo accounts can log in (their passwords are "
            f"public): {', '.join(demo)}. Deactivate them: flask --app wsgi users deactivate EMAIL"
        )


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(_add_headers(_content_security_policy(app.config["VIDEO_HOSTS"])))
