"""Trainer pages for written assignments: a course's marking queue, a submission with its file, and
the form that marks it. Only the course's trainers reach them (EDIT_COURSE: admins oversee results,
and a learner's writing is not for the admins of another unit); the service asks the policy again;
every look at a learner's work is in the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import AUDITED_VIEW, EDIT_COURSE, allow
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.learning import written
from app.learning.service import get_course
from app.learning.written_forms import MarkForm, essay_mark_form
from app.models import User
from app.org import audit
from app.quizzes import marking

bp = Blueprint("marking", __name__)


@bp.route("/courses/<code>/marking")
@allow(EDIT_COURSE, get_writes=AUDITED_VIEW)
def queue(code: str):
    course, version = get_course(db.session, code)
    rows = written.marking_queue(db.session, current_user, course)
    attempts = marking.awaiting_attempts(db.session, current_user, course)
    audit.record(
        db.session, current_user, "view_marking_queue", "course", course.id, waiting=len(rows) + len(attempts)
    )
    waiting = [
        QueueItem(
            r.learner,
            r.title,
            r.submission.submitted_at,
            url_for("marking.submission", code=code, submission_id=r.submission.id),
        )
        for r in rows
    ] + [
        QueueItem(
            r.learner,
            _("%(quiz)s · attempt %(n)s", quiz=r.title, n=r.attempt.number),
            r.attempt.submitted_at,
            url_for("marking.attempt", code=code, attempt_id=r.attempt.id),
        )
        for r in attempts
    ]
    waiting.sort(key=lambda item: item.since)
    return render_template("teach/marking.html", course=course, version=version, waiting=waiting)


class QueueItem(NamedTuple):
    """A piece of work waiting for its marker: a written assignment or a quiz attempt's essays."""

    learner: User
    what: str
    since: datetime
    href: str


@bp.route("/courses/<code>/marking/attempts/<int:attempt_id>", methods=["GET", "POST"])
@allow(EDIT_COURSE, get_writes=AUDITED_VIEW)
def attempt(code: str, attempt_id: int):
    """A quiz attempt's essays, each with its own mark form; the last mark grades the attempt."""
    course, version = get_course(db.session, code)
    status, failed = 200, None
    if request.method == "POST":
        qid = request.form.get("essay", "")
        form = essay_mark_form(qid, request.form)
        if not form.validate():
            failed, status = (qid, form), 400
        else:
            try:
                graded = marking.mark_essay(
                    db.session,
                    current_user,
                    course,
                    attempt_id,
                    qid,
                    form.marks.data,
                    form.comment.data or "",
                )
            except (ValidationFailed, Conflict) as error:
                field_error(form, error, default="marks")
                failed, status = (qid, form), 400
            else:
                flash(_("The mark is saved and returned to the learner."), "success")
                if graded:
                    flash(_("Every essay is marked: the attempt's grade is recorded."), "success")
                    return redirect(url_for("marking.queue", code=code)), 303
                return redirect(url_for("marking.attempt", code=code, attempt_id=attempt_id)), 303
    view = marking.attempt_for_marking(db.session, current_user, course, attempt_id)
    if failed is not None and failed[0] not in {e.question.qid for e in view.essays}:
        abort(404)
    forms = {e.question.qid: essay_mark_form(e.question.qid) for e in view.essays}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "teach/essay_attempt.html", course=course, version=version, view=view, forms=forms
    ), status


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
    return written.attachment_response(
        written.attachment_for_marking(db.session, current_user, course, submission_id)
    )
