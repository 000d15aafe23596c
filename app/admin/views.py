"""Admin pages: accounts."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select

from app.admin.forms import UserForm
from app.auth.service import create_user
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.imports.people import import_people
from app.imports.reader import read_table
from app.models import ImportBatch, User
from app.models.base import utcnow
from app.security import can_administer, require

bp = Blueprint("admin", __name__)
bp.before_request(require(can_administer))


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                db.session,
                form.email.data or "",
                form.password.data or "",
                form.role.data or "learner",
                form.full_name.data or "",
            )
        except Conflict:
            form.email.errors.append(_("An account with this e-mail already exists."))
        except ValidationFailed:
            form.email.errors.append(_("This is not a valid e-mail address."))
        else:
            db.session.commit()
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    query = request.args.get("q", "").strip()[:100]
    stmt = select(User).order_by(User.full_name, User.id)
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.full_name.ilike(pattern)))
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", form=form, page=page, query=query)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


def _run_import(batch: ImportBatch, dry_run: bool):
    table = read_table(batch.filename, batch.data)
    return import_people(db.session, current_user, table, dry_run=dry_run)


@bp.route("/import", methods=["GET", "POST"])
def import_people_page():
    form = ImportForm()
    report = batch = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        batch = ImportBatch(
            filename=upload.filename or "upload",
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            created_by_id=current_user.id,
        )
        db.session.add(batch)
        db.session.flush()
        try:
            report = _run_import(batch, dry_run=True)
        except ValidationFailed as exc:
            db.session.rollback()
            field_error(form, exc, default="file")
            batch = None
        else:
            db.session.commit()
    return render_template("admin/import.html", form=form, report=report, batch=batch)


@bp.route("/import/<int:batch_id>/apply", methods=["POST"])
def apply_import(batch_id: int):
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.created_by_id != current_user.id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if batch.applied_at is not None:
        flash(_("This file has already been applied."), "info")
        return redirect(url_for("admin.import_people_page"))
    report = _run_import(batch, dry_run=False)
    if report.problems:  # the data changed since the dry run
        db.session.rollback()
        return render_template("admin/import.html", form=ImportForm(), report=report, batch=batch)
    batch.applied_at = utcnow()
    db.session.commit()
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
