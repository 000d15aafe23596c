"""Admin pages: accounts."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.admin.forms import UserForm
from app.auth.service import create_user
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import User
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
