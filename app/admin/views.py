"""Admin pages: accounts within the admin's scope, and imports of units and cadres."""

from __future__ import annotations

import hashlib
import unicodedata

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select

from app import params, policy
from app.access import ADMIN, MANAGE_ACCOUNT, OWN_IMPORT, allow
from app.admin.forms import AccessForm, UserForm
from app.auth import service, sessions, totp
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.forms import Form
from app.imports.batches import drop_unapplied, is_expired
from app.imports.people import import_people
from app.imports.reader import MAX_ROWS_IN_BROWSER, read_table
from app.models import Cadre, ImportBatch, Unit, User
from app.models.base import utcnow
from app.org.picker import unit_in_scope
from app.org.units import account_home
from app.text import nfc
from app.transactions import discard

bp = Blueprint("admin", __name__)

OUTSIDE_SCOPE = _l("You may give accounts and roles only in your unit and the units below it.")


def _unit_from(form) -> Unit | None:
    """The unit the form names (None when left empty); a field error naming the value when no unit
    has that code or it lies outside the admin's units."""
    return unit_in_scope(db.session, policy.scope_path(current_user), form.unit_code.data)


def _account_units(users: list[User]) -> dict[int, Unit | None]:
    """The home unit of each account on a page: the linked profile's unit, else its own (one query)."""
    linked = (
        dict(
            db.session.execute(
                select(Cadre.user_id, Unit)
                .join(Unit, Unit.id == Cadre.unit_id)
                .where(Cadre.user_id.in_([u.id for u in users]))
            ).all()
        )
        if users
        else {}
    )
    return {u.id: (u.unit if u.role == "admin" else linked.get(u.id, u.unit)) for u in users}


@bp.route("/users", methods=["GET", "POST"])
@allow(ADMIN)
def users():
    form = UserForm()
    if not policy.is_city_admin(current_user):
        del form.can_override
    if request.method == "GET" and current_user.unit is not None:
        form.unit_code.data = current_user.unit.code
    if form.validate_on_submit():
        try:
            user = service.create_user(
                db.session,
                current_user,
                form.email.data or "",
                form.password.data or "",
                form.role.data or "learner",
                form.full_name.data or "",
                unit=_unit_from(form),
                can_override="can_override" in form and form.can_override.data,
            )
        except Conflict:
            discard()
            form.email.errors.append(_("An account with this e-mail already exists."))
        except PermissionDenied:
            discard()
            form.unit_code.errors.append(str(OUTSIDE_SCOPE))
        except ValidationFailed as exc:
            field_error(form, exc)
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    query = params.text("q")
    stmt = select(User).where(policy.visible_accounts(current_user)).order_by(User.full_name, User.id)
    if query:
        stmt = stmt.where(
            or_(
                User.email.contains(query.lower(), autoescape=True),
                User.full_name.icontains(nfc(query), autoescape=True),
            )
        )
    page = params.paginate(stmt, current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/users.html", form=form, page=page, query=query, units=_account_units(list(page.items))
    )


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(str(user_id))
    return user


def _account_page(user: User, access_form: AccessForm | None = None, reset_link: str | None = None):
    if access_form is None:
        access_form = AccessForm(
            full_name=user.full_name,
            role=user.role,
            unit_code=user.unit.code if user.unit else "",
            can_override=user.can_override,
        )
    if not policy.is_city_admin(current_user):
        del access_form.can_override
    cadre = db.session.scalar(select(Cadre).where(Cadre.user_id == user.id))
    return render_template(
        "admin/user.html",
        user=user,
        cadre=cadre,
        home=account_home(db.session, user),
        access_form=access_form,
        form=FlaskForm(),
        logins=sessions.open_sessions(db.session, user.id, current_app.permanent_session_lifetime),
        describe_device=sessions.describe_device,
        reset_link=reset_link,
        is_self=user.id == current_user.id,
    )


@bp.route("/users/<int:user_id>")
@allow(MANAGE_ACCOUNT)
def user(user_id: int):
    return _account_page(_account(user_id))


@bp.route("/users/<int:user_id>/access", methods=["POST"])
@allow(MANAGE_ACCOUNT)
def change_access(user_id: int):
    user = _account(user_id)
    form = AccessForm()
    if not policy.is_city_admin(current_user):
        del form.can_override
    if form.validate_on_submit():
        try:
            changed = service.update_access(
                db.session,
                current_user,
                user,
                role=form.role.data,
                unit=_unit_from(form),
                full_name=form.full_name.data,
                can_override=form.can_override.data if "can_override" in form else user.can_override,
            )
        except PermissionDenied:
            discard()
            form.unit_code.errors.append(str(OUTSIDE_SCOPE))
        except Conflict:
            discard()
            form.role.errors.append(_("You cannot change your own role or unit."))
        except ValidationFailed as exc:
            field_error(form, exc)
        else:
            done = {
                "access": _("Saved. The account has been logged out everywhere."),
                "name": _("Saved."),
                "": _("Nothing changed."),
            }
            flash(done[changed], "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _account_page(user, access_form=form), 400


def _action(user_id: int, act, done: str):
    """A one-button action on an account (CSRF-checked), then back to its page."""
    user = _account(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        result = act(user)
    except Conflict:
        discard()
        flash(_("You cannot do this to your own account."), "error")
        return redirect(url_for("admin.user", user_id=user.id))
    if isinstance(result, str):  # a reset link, shown once
        return _account_page(user, reset_link=result)
    flash(done, "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@allow(MANAGE_ACCOUNT)
def deactivate(user_id: int):
    return _action(
        user_id,
        lambda u: service.set_active(db.session, current_user, u, False),
        _("The account is deactivated and logged out everywhere."),
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@allow(MANAGE_ACCOUNT)
def reactivate(user_id: int):
    return _action(
        user_id,
        lambda u: service.set_active(db.session, current_user, u, True),
        _("The account is active again."),
    )


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@allow(MANAGE_ACCOUNT)
def sign_out(user_id: int):
    return _action(
        user_id,
        lambda u: service.end_sessions(db.session, current_user, u),
        _("The account has been logged out everywhere."),
    )


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@allow(MANAGE_ACCOUNT)
def reset_link(user_id: int):
    return _action(
        user_id,
        lambda u: url_for(
            "auth.reset_password", token=service.issue_reset(db.session, current_user, u), _external=True
        ),
        "",
    )


@bp.route("/users/<int:user_id>/reset-second-factor", methods=["POST"])
@allow(MANAGE_ACCOUNT)
def reset_second_factor(user_id: int):
    return _action(
        user_id,
        lambda u: totp.reset(db.session, current_user, u),
        _("The second step of login is removed; the person sets it up again at their next login."),
    )


class ImportForm(Form):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


def _run_import(batch: ImportBatch, dry_run: bool):
    table = read_table(batch.filename, batch.data, MAX_ROWS_IN_BROWSER)
    return import_people(db.session, current_user, table, dry_run=dry_run)


def _file_name(name: str | None) -> str:
    """The uploaded file's name as shown and stored: its last path part, no control characters,
    within the column's 255 characters."""
    name = nfc(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "upload"


@bp.route("/import", methods=["GET", "POST"])
@allow(ADMIN)
def import_people_page():
    form = ImportForm()
    report = batch = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        drop_unapplied(db.session, utcnow())
        batch = ImportBatch(
            filename=_file_name(upload.filename),
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            created_by_id=current_user.id,
        )
        db.session.add(batch)
        db.session.flush()
        try:
            report = _run_import(batch, dry_run=True)
        except ValidationFailed as exc:
            discard()
            form.file.errors.append(f"{batch.filename}: {exc.message}")
            batch = None
        else:
            if not report.ok:  # never to be applied: keep the record of the upload, not the file
                batch.data = b""
    return render_template("admin/import.html", form=form, report=report, batch=batch)


@bp.route("/import/<int:batch_id>/apply", methods=["POST"])
@allow(OWN_IMPORT)
def apply_import(batch_id: int):
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.created_by_id != current_user.id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if batch.applied_at is not None:
        flash(_("This file has already been applied."), "info")
        return redirect(url_for("admin.import_people_page"))
    if is_expired(batch, utcnow()):
        flash(
            _("This check is more than a day old and its file has been deleted: upload the file again."),
            "error",
        )
        return redirect(url_for("admin.import_people_page"))
    report = _run_import(batch, dry_run=False)
    if not report.ok:  # the data changed since the dry run
        discard()
        return render_template("admin/import.html", form=ImportForm(), report=report, batch=batch)
    batch.applied_at = utcnow()
    flash(
        _(
            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(url_for("admin.import_people_page"))
