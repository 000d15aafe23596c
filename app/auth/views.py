"""Log in (password, then the second factor where the account has one), log out, reset links, and
the language switch."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app import params
from app.access import ACCOUNT, PUBLIC, allow, needs_second_factor
from app.auth import budget, service, sessions, totp
from app.auth.forms import CodeForm, LanguageForm, LoginForm, NewPasswordForm
from app.errors import NotFound, ValidationFailed
from app.extensions import db, limiter
from app.form_errors import field_error
from app.models import User
from app.org import audit
from app.org.units import account_home
from app.transactions import discard

bp = Blueprint("auth", __name__)

PENDING = "pending_login"  # the account that passed its password and owes the second factor
PENDING_SECONDS = 300


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The account a login attempt is about, whether or not it exists (so that the limit tells
    nothing about which accounts exist)."""
    pending = session.get(PENDING)
    if request.endpoint == "auth.login_code" and pending:
        return f"login-account:{pending['user']}"
    return "login-account:" + service.normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    """A login that did not get in, counted against the account; one asked to wait (429) was not
    checked at all."""
    return response.status_code not in (302, 429)


def _client() -> tuple[str, str]:
    return request.remote_addr or "", request.headers.get("User-Agent", "")


def complete_login(user: User, *, second_factor: bool):
    """Start a server-side session for `user` in this browser and log it in."""
    ip, agent = _client()
    sessions.start(db.session, user, ip_address=ip, user_agent=agent, second_factor=second_factor)
    login_user(user)
    session.permanent = True
    service.audit_account(db.session, user, "login", user, address=ip, second_factor=second_factor)


def _after_password(user: User, next_url: str):
    locale = session.get("locale")
    session.clear()  # a fresh session: nothing from before the login survives
    if user.locale is None and locale:
        user.locale = locale
    if locale:
        session["locale"] = locale
    if user.has_second_factor:
        session[PENDING] = {"user": user.id, "at": time.time(), "next": next_url}
        return redirect(url_for("auth.login_code"))
    complete_login(user, second_factor=False)
    if needs_second_factor(user):
        flash(
            _("Administrators must set up a second step of login before opening administration pages."),
            "info",
        )
        return redirect(url_for("account.two_factor", next=next_url))
    return redirect(next_url)


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.home"))
    form, config = LoginForm(), current_app.config
    if form.validate_on_submit():
        try:
            with budget.turn(config["LOGIN_CHECKS"], config["LOGIN_QUEUE"], config["LOGIN_WAIT_SECONDS"]):
                user = service.authenticate(db.session, form.email.data or "", form.password.data or "")
        except budget.Busy:
            return _asked_to_wait(form)
        if user is None:
            email = service.normalise_email(form.email.data or "")[:254]
            known = db.session.scalar(select(User).where(User.email == email))
            audit.record(
                db.session,
                None,
                "login_failed",
                "user",
                known.id if known else None,
                unit_id=home.id if known and (home := account_home(db.session, known)) else None,
                email=email,
                address=_client()[0],
            )
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            return _after_password(user, params.safe_next(request.args.get("next")))
    return render_template(
        "auth/login.html", form=form, storm=budget.busy(config["LOGIN_CHECKS"], config["LOGIN_QUEUE"])
    )


def _asked_to_wait(form: LoginForm):
    """Every password-check slot is busy (an exam's login storm): try again in a few seconds. The
    page's script sends the form again by itself; without it the cadre presses the button again."""
    seconds = current_app.config["LOGIN_RETRY_SECONDS"]
    message = _(
        "Many people are logging in at this moment. Please wait: trying again in %(seconds)s seconds.",
        seconds=seconds,
    )
    if request.headers.get("X-Requested-With") == "fetch":
        response = jsonify(queued=True, retry_after=seconds, message=message)
    else:
        form.password.data = ""
        response = make_response(render_template("auth/login.html", form=form, queued=message, storm=True))
    response.status_code = 429  # not 503: the proxy would take this server out (README)
    response.headers["Retry-After"] = str(seconds)
    return response


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    return user if user is not None and user.is_active and user.has_second_factor else None


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login_code():
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if totp.verify(db.session, user, form.code.data or ""):
            next_url = session.pop(PENDING)["next"]
            complete_login(user, second_factor=True)
            return redirect(next_url)
        service.audit_account(db.session, None, "second_factor_failed", user, address=_client()[0])
        form.code.errors.append(_("This code is not right, or it has been used already."))
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(ACCOUNT)
def logout():
    login = current_user.login_session
    if login is not None:
        sessions.end(db.session, login, "logout")
        service.audit_account(db.session, current_user, "logout", current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_address_limit, methods=["POST"])
def reset_password(token: str):
    try:
        _reset, user = service.reset_target(db.session, token)
    except NotFound:
        return render_template("auth/reset.html", form=None, user=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            service.use_reset(db.session, token, form.password.data or "")
        except ValidationFailed as exc:
            field_error(form, exc, default="password")
        except NotFound:
            discard()
            return render_template("auth/reset.html", form=None, user=None), 404
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your new password is set. Please log in with it."), "success")
            return redirect(url_for("auth.login"))
    response = make_response(render_template("auth/reset.html", form=form, user=user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
    return redirect(params.safe_next(request.form.get("next")))
