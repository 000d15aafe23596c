"""The account holder's own pages: password, logins on other devices, the second factor."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app import params
from app.access import ACCOUNT, allow
from app.auth import service, sessions, totp
from app.auth.forms import ChangePasswordForm, CodeForm
from app.errors import ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.models import LoginSession

bp = Blueprint("account", __name__)

ENROLLING = "totp_enrolling"  # the secret shown on the enrolment page until it is confirmed


def _idle():
    return current_app.permanent_session_lifetime


@bp.route("/", methods=["GET", "POST"])
@allow(ACCOUNT)
def index():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_own_password(
                db.session, current_user, form.current_password.data or "", form.password.data or ""
            )
        except ValidationFailed as exc:
            field_error(form, exc, default="password")
        else:
            # Every login of the account has ended, this one too: this browser gets a new one.
            had_second_factor = bool(current_user.login_session and current_user.login_session.second_factor)
            ip, agent = request.remote_addr or "", request.headers.get("User-Agent", "")
            user = current_user._get_current_object()
            sessions.start(db.session, user, ip_address=ip, user_agent=agent, second_factor=had_second_factor)
            login_user(user)
            flash(_("Your password is changed. You have been logged out on every other device."), "success")
            return redirect(url_for("account.index"))
    return render_template(
        "account/index.html",
        form=form,
        logins=sessions.open_sessions(db.session, current_user.id, _idle()),
        current_id=current_user.login_session.id if current_user.login_session else None,
        describe_device=sessions.describe_device,
        end_form=FlaskForm(),
        codes_left=totp.recovery_codes_left(db.session, current_user)
        if current_user.has_second_factor
        else 0,
    )


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@allow(ACCOUNT)
def end_session(session_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    row = db.session.scalar(
        select(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == current_user.id)
    )
    if row is None:
        abort(404)
    sessions.end(db.session, row, "ended_by_user")
    service.audit_account(db.session, current_user, "end_session", current_user, login=row.id)
    if current_user.login_session and row.id == current_user.login_session.id:
        return redirect(url_for("auth.login"))
    flash(_("That device is logged out."), "success")
    return redirect(url_for("account.index"))


@bp.route("/sessions/end-others", methods=["POST"])
@allow(ACCOUNT)
def end_other_sessions():
    if not FlaskForm().validate_on_submit():
        abort(400)
    keep = current_user.login_session.id if current_user.login_session else None
    ended = sessions.end_all(db.session, current_user.id, "ended_by_user", keep=keep)
    service.audit_account(db.session, current_user, "end_other_sessions", current_user, sessions=ended)
    flash(_("You are logged out on every other device."), "success")
    return redirect(url_for("account.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
@allow(ACCOUNT)
def two_factor():
    """Set up the second step of login: scan the QR code, type a code to prove it works, keep the
    recovery codes (shown once)."""
    next_url = params.safe_next(request.args.get("next"))
    if current_user.has_second_factor:
        return redirect(url_for("account.index"))
    secret = session.get(ENROLLING) or totp.new_secret()
    session[ENROLLING] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = totp.confirm_enrolment(db.session, current_user, secret, form.code.data or "")
        except ValidationFailed as exc:
            field_error(form, exc, default="code")
        else:
            current_user.login_session.second_factor = True
            session.pop(ENROLLING, None)
            return render_template("account/recovery_codes.html", codes=codes, next_url=next_url)
    uri = totp.provisioning_uri(secret, current_user.email)
    return render_template(
        "account/two_factor.html", form=form, secret=secret, qr=totp.qr_svg(uri), next_url=next_url
    )


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@allow(ACCOUNT)
def new_recovery_codes():
    if not FlaskForm().validate_on_submit() or not current_user.has_second_factor:
        abort(400)
    codes = totp.new_recovery_codes(db.session, current_user)
    service.audit_account(db.session, current_user, "new_recovery_codes", current_user)
    return render_template("account/recovery_codes.html", codes=codes, next_url=url_for("account.index"))
