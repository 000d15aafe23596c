"""Login, roles, session cookies and response headers, applied to every request."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db, login_manager
from app.models import Role, User

# Endpoints reachable without logging in; everything else needs a login.
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "static"}


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


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
