"""Trainer pages for written assignments: a course's marking queue, a submission with its file, and
the form that marks it. Only the course's trainers reach them (EDIT_COURSE: admins oversee results,
and a learner's writing is not for the admins of another unit); the service asks the policy again;
every look at a learner's work is in the audit log."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import AUDITED_VIEW, EDIT_COURSE, allow
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.learning import written
from app.learning.service import get_course
from app.learning.written_forms import MarkForm
from app.org import audit

bp = Blueprint("marking", __name__)


@bp.route("/courses/<code>/marking")
@allow(EDIT_COURSE, get_writes=AUDITED_VIEW)
def queue(code: str):
    course, version = get_course(db.session, code)
    rows = written.marking_queue(db.session, current_user, course)
    audit.record(db.session, current_user, "view_marking_queue", "course", course.id, waiting=len(rows))
    return render_template("teach/marking.html", course=course, version=version, rows=rows)


@bp.route("/courses/<code>/marking/<int:submission_id>", methods=["GET", "POST"])
@allow(EDIT_COURSE, get_writes=AUDITED_VIEW)
def submission(code: str, submission_id: int):
    course, version = get_course(db.session, code)
    form = MarkForm()
    status = 200
    if form.validate_on_submit():
        try:
            _mark, completion = written.mark(
                db.session, current_user, course, submission_id, form.marks.data, form.comment.data or ""
            )
        except (ValidationFailed, Conflict) as error:
            field_error(form, error, default="marks")
            status = 400
        else:
            flash(_("The mark is saved and returned to the learner."), "success")
            if completion is not None:
                flash(_("The learner has completed the course."), "success")
            return redirect(url_for("marking.queue", code=code)), 303
    elif form.errors:
        status = 400
    view = written.submission_for_marking(db.session, current_user, course, submission_id)
    return render_template(
        "teach/submission.html", course=course, version=version, view=view, form=form
    ), status


@bp.route("/courses/<code>/marking/<int:submission_id>/file")
@allow(EDIT_COURSE, get_writes=AUDITED_VIEW)
def attachment(code: str, submission_id: int):
    course, _version = get_course(db.session, code)
    item = written.attachment_for_marking(db.session, current_user, course, submission_id)
    response = current_app.response_class(item.attachment, mimetype=item.attachment_type)
    name = item.attachment_name or "bai-thu-hoach"
    ascii_name = name.encode("ascii", "ignore").decode() or "bai-thu-hoach"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name.replace(chr(34), '')}\"; filename*=UTF-8''{quote(name)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
