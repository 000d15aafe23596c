"""The assignments page of the admin review: what each assignment has achieved, and a new one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.access import REVIEW, allow
from app.assignments import service
from app.assignments.forms import AssignmentForm
from app.courses.listing import current_courses
from app.errors import ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.models import Title

bp = Blueprint("assignments", __name__)


def _input(form: AssignmentForm) -> service.AssignmentInput:
    return service.AssignmentInput(
        name=form.name.data or "",
        course_codes=tuple(form.courses.data or ()),
        target_kind=form.target_kind.data,
        due_on=form.due_on.data,
        unit_code=(form.unit_code.data or "").strip(),
        title_code=form.title_code.data or "",
        employee_codes=tuple((form.employee_codes.data or "").split()),
        follows_movers=form.follows_movers.data,
    )


@bp.route("/assignments", methods=["GET", "POST"])
@allow(REVIEW)
def index():
    scope = current_user.unit
    form = AssignmentForm()
    form.courses.choices = [SelectChoice(c.code, v.title) for c, v in current_courses(db.session)]
    form.title_code.choices = [SelectChoice("", "—")] + [
        SelectChoice(t.code, t.name) for t in db.session.scalars(select(Title).order_by(Title.rank))
    ]
    if form.validate_on_submit():
        try:
            assignment = service.create_assignment(db.session, current_user, _input(form), scope)
        except ValidationFailed as exc:
            field_error(form, exc, default="name")
        else:
            flash(_("Assignment “%(name)s” created.", name=assignment.name), "success")
            return redirect(url_for("assignments.index"))
    return render_template(
        "assignments/index.html", form=form, summaries=service.assignment_summaries(db.session, scope)
    )
