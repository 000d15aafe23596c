"""Loading the logged-in account, the session cookie, CSRF tokens and response headers, for every
request."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in, user_logged_out
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature
from sqlalchemy import inspect, select

from app.auth import sessions
from app.config import ConfigError
from app.extensions import db, login_manager
from app.models import User

# Session cookies already verified, kept per app: the latest this many.
VERIFIED_COOKIES = 8192
_PLAIN_VALUES = (str, int, float, bool, type(None))


def _now() -> datetime:
    return datetime.now(UTC)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with three changes.

    The cookie is marked Secure whenever the request came over HTTPS. A permanent session's
    cookie is re-issued (to slide its expiry) at most once per SESSION_REFRESH_SECONDS rather
    than on every response: signing and sending it again is a noticeable share of a page's cost,
    and the idle timeout of hours only moves by that many seconds.

    And a browser sends the same cookie on every request until it is re-issued: one whose
    signature was verified is remembered with its contents, so the next request with that very
    string skips the HMAC, the decompression and the JSON (a tenth of a logged-in page's cost).
    The age limit is still checked on every request, against the time it was signed; a cookie
    that differs by one byte is verified afresh. Only contents made of plain values (strings,
    numbers) are remembered, so no request can change what another one reads: a session holding
    flashed messages (a list) is verified every time.
    """

    def __init__(self) -> None:
        self._verified: OrderedDict[str, tuple[dict, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request):
        if not app.secret_key:
            return None  # Flask's null session, which refuses writes
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime
        with self._lock:
            found = self._verified.get(value)
        if found is None:
            found = self._verify(app, value, max_age)
        data, signed_at = found or ({}, None)
        if signed_at is not None and not timedelta(0) <= _now() - signed_at <= max_age:
            data, signed_at = {}, None  # as itsdangerous: too old (or signed in the future)
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def _verify(self, app: Flask, value: str, max_age: timedelta) -> tuple[dict, datetime] | None:
        """The cookie's contents and signing time when its signature holds, else None."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data, signed_at = serializer.loads(
                value, max_age=int(max_age.total_seconds()), return_timestamp=True
            )
        except BadSignature:
            return None
        if all(isinstance(v, _PLAIN_VALUES) for v in data.values()):
            with self._lock:
                self._verified[value] = (data, signed_at)
                while len(self._verified) > VERIFIED_COOKIES:
                    self._verified.popitem(last=False)
        return data, signed_at

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        age = app.config["SESSION_REFRESH_SECONDS"]
        return signed_at is None or _now() - signed_at >= timedelta(seconds=age)


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


# Browser features a training site never uses, denied to the site and to every frame it embeds
# (a video player included: fullscreen and picture-in-picture are left to the frame's `allow`).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# One year, the subdomains too; no `preload`, which commits the whole domain and cannot be undone
# quickly. Sent only over HTTPS, as RFC 6797 asks (browsers ignore it over HTTP anyway).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def _is_private(response) -> bool:
    """True for a response that must not be kept by the browser or a proxy: every download (all
    of them carry names, scores or the audit trail) and every page shown to a logged-in account
    (its name is in the menu; most show personal data), except static files and responses whose
    view chose its own caching (course images, content-addressed and not personal)."""
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return True
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return False
    # Flask-Login keeps the account's key in the session: without it nobody is logged in, and the
    # account is not loaded just to find that out. `is_anonymous` rather than `is_authenticated`,
    # which reads `is_active` and so reloads an account that the view's commit has expired.
    return "_user_id" in session and not current_user.is_anonymous


def _add_headers(csp: str):
    def add(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.is_secure:  # ProxyFix (TRUSTED_PROXIES) makes this true behind a TLS proxy
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        if _is_private(response):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    return add


def _new_csrf_token(_app, **_extra) -> None:
    """Forget this browser's CSRF token when a login starts or ends (Flask-Login's signals, so
    every way in and out is covered: password, second step, password change, logout).

    Flask-WTF signs a random token kept in the session cookie under "csrf_token" and accepts any
    signed copy of it. Without this, a form token from one login would stay good in the next one
    whenever the session was not cleared between them (a password change starts a new login in
    the same session). Together with WTF_CSRF_TIME_LIMIT (the session lifetime, see config), a
    token is good only in the login it was issued in, and never longer than that login could
    last idle. Binding a token to the server-side login session some other way would mean
    replacing Flask-WTF's token functions; dropping the session key is the documented way to
    have Flask-WTF issue a new one."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


# A signed form token is reused for at most this long (and a tenth of its lifetime), then signed anew.
CSRF_TOKEN_REUSE_SECONDS = 60
CACHED_CSRF_TOKENS = 8192


def _reused_csrf_tokens(app: Flask):
    """Templates' `csrf_token()`: Flask-WTF's `generate_csrf`, reusing the token it last signed for
    the same session's raw token while that is less than a minute old.

    Signing (a timestamp, an HMAC, base64) is a tenth of a lesson page's cost, and every page
    carries a token (the language and logout forms). A reused token is the very string
    `generate_csrf` returned then, checked the same way: it holds only in the session whose raw
    token it signs, which a login or logout replaces (`_new_csrf_token`); its life
    (WTF_CSRF_TIME_LIMIT, the session's) counts from its signing, so a form may lose at most a
    minute of it. The tokens are kept per app (each has its own secret key), the latest
    CACHED_CSRF_TOKENS only.
    """
    limit = app.config.get("WTF_CSRF_TIME_LIMIT")
    reuse = min(CSRF_TOKEN_REUSE_SECONDS, limit / 10) if limit else CSRF_TOKEN_REUSE_SECONDS
    signed: OrderedDict[str, tuple[str, float]] = OrderedDict()  # raw token: (signed token, when)
    lock = threading.Lock()

    def csrf_token() -> str:
        token = g.get("csrf_token")
        if token is not None:
            return token
        raw, now = session.get("csrf_token"), time.monotonic()
        with lock:
            found = signed.get(raw) if raw is not None else None
        if found is not None and now - found[1] < reuse:
            g.csrf_token = found[0]
            return found[0]
        token = generate_csrf()
        with lock:
            signed[session["csrf_token"]] = (token, now)
            while len(signed) > CACHED_CSRF_TOKENS:
                signed.popitem(last=False)
        return token

    return csrf_token


def refuse_unsafe_start(app: Flask) -> None:
    """Production refuses to serve while a demo account (public password) can log in. Commands
    other than `flask run` still work, so that an operator can deactivate them."""
    from app.demo.accounts import DEMO_DOMAIN  # the demo module is the one place that knows it

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
    user_logged_in.connect(_new_csrf_token, app)
    user_logged_out.connect(_new_csrf_token, app)
    # In place of CSRFProtect's own, which it also hands to every render in a context processor.
    app.jinja_env.globals["csrf_token"] = _reused_csrf_tokens(app)
    processors = app.template_context_processors[None]
    processors[:] = [p for p in processors if getattr(p, "__module__", None) != "flask_wtf.csrf"]
