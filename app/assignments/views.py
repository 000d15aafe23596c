"""The assignments pages of the admin review: what each assignment has achieved and a new one;
an assignment's page (its members, who is overdue), its edit, its cancellation, its overdue list."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app import params
from app.access import AUDITED_VIEW, MANAGE_ASSIGNMENT, REVIEW, allow
from app.assignments import members, service
from app.assignments.forms import AssignmentForm, CancelAssignmentForm, EditAssignmentForm
from app.audit.labels import action_label
from app.courses.listing import current_courses
from app.errors import ValidationFailed
from app.exports import csv_response
from app.extensions import db
from app.form_errors import field_error
from app.models import Assignment, Title, User
from app.org import audit

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
    form.courses.choices = _course_choices()
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
            return redirect(url_for("assignments.detail", assignment_id=assignment.id))
    return render_template(
        "assignments/index.html", form=form, summaries=service.assignment_summaries(db.session, scope)
    )


def _course_choices() -> list[SelectChoice]:
    return [SelectChoice(c.code, v.title) for c, v in current_courses(db.session)]


def _assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    service.require_manage(db.session, current_user, assignment)  # the route's rule found it
    return assignment


def _detail_page(assignment: Assignment):
    """The assignment's page: its courses, due date, counts and one page of its members."""
    show = params.choice("show", members.SHOWN, "all")
    page = params.paginate(
        members.members_query(current_user, assignment, show), current_app.config["PAGE_SIZE"]
    )
    audit.record(
        db.session,
        current_user,
        "view_assignment_members",
        "assignment",
        assignment.id,
        unit_id=assignment.owner_unit_id,
    )
    return render_template(
        "assignments/detail.html",
        assignment=assignment,
        courses=members.course_titles(db.session, assignment),
        show=show,
        page=page,
        progress=members.progress_of(db.session, current_user, assignment, [c.id for c in page.items]),
        counts=members.member_counts(db.session, current_user, assignment),
        overdue_now=members.is_overdue(assignment),
        history=members.history(db.session, assignment),
        cancelled_by=db.session.get(User, assignment.cancelled_by_id) if assignment.cancelled_by_id else None,
        cancel_form=CancelAssignmentForm(),
        action_label=action_label,
    )


@bp.route("/assignments/<int:assignment_id>")
@allow(MANAGE_ASSIGNMENT, get_writes=AUDITED_VIEW)
def detail(assignment_id: int):
    return _detail_page(_assignment(assignment_id))


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@allow(MANAGE_ASSIGNMENT)
def edit(assignment_id: int):
    assignment = _assignment(assignment_id)
    if assignment.is_cancelled:
        flash(_("This assignment is cancelled."), "info")
        return redirect(url_for("assignments.detail", assignment_id=assignment.id))
    form = EditAssignmentForm()
    if request.method == "GET":
        form.name.data, form.due_on.data = assignment.name, assignment.due_on
        form.courses.data = [link.course.code for link in assignment.courses]
    form.courses.choices = _course_choices()
    if form.validate_on_submit():
        change = service.AssignmentChange(
            name=form.name.data or "", course_codes=tuple(form.courses.data or ()), due_on=form.due_on.data
        )
        try:
            changed = service.update_assignment(db.session, current_user, assignment, change)
        except ValidationFailed as exc:
            field_error(form, exc, default="name")
        else:
            flash(_("Assignment saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("assignments.detail", assignment_id=assignment.id))
    return render_template("assignments/edit.html", assignment=assignment, form=form)


@bp.route("/assignments/<int:assignment_id>/cancel", methods=["POST"])
@allow(MANAGE_ASSIGNMENT)
def cancel(assignment_id: int):
    assignment = _assignment(assignment_id)
    form = CancelAssignmentForm()
    if form.validate_on_submit():
        try:
            service.cancel_assignment(db.session, current_user, assignment, form.reason.data or "")
        except ValidationFailed as exc:
            field_error(form, exc, default="reason")
        else:
            flash(_("Assignment “%(name)s” cancelled.", name=assignment.name), "success")
            return redirect(url_for("assignments.detail", assignment_id=assignment.id))
    return render_template("assignments/cancel.html", assignment=assignment, form=form), 400


@bp.route("/assignments/<int:assignment_id>/overdue.csv")
@allow(MANAGE_ASSIGNMENT, get_writes=AUDITED_VIEW)
def overdue_csv(assignment_id: int):
    assignment = _assignment(assignment_id)
    audit.record(
        db.session,
        current_user,
        "export",
        "assignment",
        assignment.id,
        unit_id=assignment.owner_unit_id,
        what="assignment_overdue",
        format="csv",
    )
    return csv_response(
        members.overdue_rows(db.session, current_user, assignment), f"overdue-assignment-{assignment.id}.csv"
    )
