"""Login, roles, session cookies and response headers, applied to every request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import wraps

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature

from app.extensions import db, login_manager
from app.models import Role, User

# Endpoints reachable without logging in; everything else needs a login.
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "static"}


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


def can_teach(user) -> bool:
    """Trainers (and admins, who oversee them) see the trainer pages."""
    return bool(user.is_authenticated and user.has_role(Role.TRAINER, Role.ADMIN))


def can_administer(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.ADMIN))


def require(check):
    """Blueprint guard: 403 unless `check(current_user)` holds."""

    @wraps(check)
    def guard():
        if not check(current_user):
            abort(403)

    return guard


def _load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except ValueError:
        return None


def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


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


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_require_login)
    app.after_request(_add_headers(_content_security_policy(app.config["VIDEO_HOSTS"])))
