"""The learner's pages: catalogue, course, lessons, My learning, and course images."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app import params
from app.access import LOGGED_IN, RECORDS_VISIT, allow
from app.assignments.service import my_assignments
from app.certificates import service as certificates
from app.courses import search
from app.courses.categories import category_choices
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.learning import content, service, written, written_state
from app.learning.written_forms import SubmissionForm
from app.models import MediaFile
from app.policy import can_teach, is_admin
from app.quizzes import service as quizzes

bp = Blueprint("learning", __name__)


@bp.route("/")
@allow(LOGGED_IN)
def home():
    """Where each role's work is: admins review, trainers teach, learners learn (what they are
    enrolled in, else the catalogue). An account with several capabilities goes to the first."""
    if is_admin(current_user):
        return redirect(url_for("reports.dashboard"))
    if can_teach(current_user):
        return redirect(url_for("teach.index"))
    if service.enrolled_course_ids(db.session, current_user) or my_assignments(db.session, current_user):
        return redirect(url_for("learning.my_learning"))
    return redirect(url_for("learning.catalogue"))


@bp.route("/courses/")
@allow(LOGGED_IN)
def catalogue():
    query = params.text("q")
    category = params.choice("category", dict(category_choices()))
    page = params.paginate(service.catalogue_query(query, category), current_app.config["PAGE_SIZE"])
    return render_template(
        "learning/catalogue.html",
        page=page,
        query=query,
        category=category,
        categories=category_choices(),
        enrolled=service.enrolled_course_ids(db.session, current_user),
        hits=search.lesson_hits(db.session, [version.id for version in page.items], query),
    )


@bp.route("/courses/<code>")
@allow(LOGGED_IN)
def course(code: str):
    course, version = service.get_course(db.session, code)
    lessons = service.lessons_of(db.session, version)
    enrolment = service.get_enrolment(db.session, current_user, course)
    done = service.completed_slugs(db.session, enrolment)
    return render_template(
        "learning/course.html",
        course=course,
        version=version,
        lessons=lessons,
        enrolment=enrolment,
        done=done,
        progress=service.progress(lessons, done),
        resume=service.resume_lesson(enrolment, lessons, done),
        completion=service.latest_completion(db.session, current_user, course),
        assigned=[a for a in my_assignments(db.session, current_user) if a.course.id == course.id],
        form=FlaskForm(),
        written=_written_statuses(course, lessons),
    )


def _written_statuses(course, lessons) -> dict[str, str]:
    """The learner's state of each written assignment of the course (no query when it has none)."""
    if not any(lesson.kind == "assignment" for lesson in lessons):
        return {}
    states = written_state.assignment_states(db.session, current_user.id, course.id)
    return {slug: state.status for slug, state in states.items()}


@bp.route("/courses/<code>/enrol", methods=["POST"])
@allow(LOGGED_IN)
def enrol(code: str):
    course, version = service.get_course(db.session, code)
    if not FlaskForm().validate_on_submit():
        abort(400)
    service.enrol(db.session, current_user, course)
    lessons = service.lessons_of(db.session, version)
    flash(_("You are enrolled in this course. Good luck!"), "success")
    if not lessons:
        return redirect(url_for("learning.course", code=code))
    return redirect(url_for("learning.lesson", code=code, slug=lessons[0].slug))


def _lesson_context(pages, state, lesson, preview: bool) -> dict:
    """What every lesson page shows around the lesson: the outline, neighbours and progress."""
    lessons = pages.lessons
    index = lessons.index(lesson)
    return {
        "lessons": lessons,
        "lesson": lesson,
        "done": frozenset(state.done),  # part of the outline fragment's key
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "progress": service.progress(lessons, state.done),
        "preview": preview,
    }


@bp.route("/courses/<code>/lessons/<slug>")
@allow(LOGGED_IN, get_writes=RECORDS_VISIT)
def lesson(code: str, slug: str):
    state = content.learner_state(db.session, code, current_user.id)
    pages = content.version_content(db.session, state.version)
    lesson = pages.find(slug)
    preview = state.enrolment_id is None and can_teach(current_user)  # trainers read without enrolling
    if state.enrolment_id is None and not preview:
        flash(_("Enrol in the course to open its lessons."), "info")
        return redirect(url_for("learning.course", code=code))
    context = _lesson_context(pages, state, lesson, preview)
    if lesson.kind == "quiz":
        course, version = service.get_course(db.session, code)
        enrolment = service.get_enrolment(db.session, current_user, course)
        quiz_lesson = service.find_lesson(service.lessons_of(db.session, version), slug)
        overview = quizzes.quiz_overview(db.session, current_user, course, quiz_lesson, enrolment is not None)
        page = render_template(
            "quizzes/quiz.html",
            course=course,
            version=version,
            quiz=overview.quiz,
            state=overview.state,
            enrolment=enrolment,
            form=FlaskForm(),
            question_count=overview.question_count,
            **context,
        )
    elif lesson.kind == "assignment":
        page = _assignment_page(code, slug, context)
    else:
        page = render_template(
            "learning/lesson.html",
            course=state.course,
            version=state.version,
            html=pages.html[slug],
            **context,
        )
    content.record_visit(db.session, state, slug)
    return page


def _assignment_page(code: str, slug: str, context: dict, form: SubmissionForm | None = None) -> str:
    """A written assignment's page: its brief, the learner's submissions and marks, and the form."""
    course, version = service.get_course(db.session, code)
    lesson = service.find_lesson(service.lessons_of(db.session, version), slug)
    state = written_state.assignment_states(db.session, current_user.id, course.id).get(
        slug, written_state.AssignmentState()
    )
    if form is None:  # a new version starts from the text sent last, not from an empty box
        form = SubmissionForm(data={"text": state.submission.text} if state.submission else None)
    return render_template(
        "learning/assignment.html",
        course=course,
        version=version,
        html=service.lesson_html(db.session, lesson),
        assignment=written.assignment_of_lesson(db.session, lesson.id),
        state=state,
        submissions=written.my_submissions(db.session, current_user, course, slug),
        written=_written_statuses(course, context["lessons"]),
        form=form,
        **context,
    )


@bp.route("/submissions/<int:submission_id>/file")
@allow(LOGGED_IN)
def submission_file(submission_id: int):
    """The file a learner attached to their own written assignment, to download again (the service
    refuses anyone else's)."""
    return written.attachment_response(written.own_attachment(db.session, current_user, submission_id))


@bp.route("/courses/<code>/lessons/<slug>/submit", methods=["POST"])
@allow(LOGGED_IN)
def submit_assignment(code: str, slug: str):
    course, version = service.get_course(db.session, code)
    lesson = service.find_lesson(service.lessons_of(db.session, version), slug)
    if lesson.kind != "assignment":
        abort(404)
    form = SubmissionForm()
    if form.validate_on_submit():
        upload = form.attachment.data
        attachment = None
        if upload and upload.filename:
            attachment = written.Attachment(upload.filename, upload.read(written.MAX_ATTACHMENT_BYTES + 1))
        try:
            written.submit(
                db.session, current_user, course, version, lesson, form.text.data or "", attachment
            )
        except (ValidationFailed, Conflict) as error:
            field_error(form, error)
        else:
            flash(_("Your assignment is submitted. It is waiting to be marked by the trainer."), "success")
            return redirect(url_for("learning.lesson", code=code, slug=slug)), 303
    state = content.learner_state(db.session, code, current_user.id)
    pages = content.version_content(db.session, state.version)
    context = _lesson_context(pages, state, pages.find(slug), preview=False)
    return _assignment_page(code, slug, context, form), 400


@bp.route("/courses/<code>/lessons/<slug>/complete", methods=["POST"])
@allow(LOGGED_IN)
def complete_lesson(code: str, slug: str):
    course, version = service.get_course(db.session, code)
    lessons = service.lessons_of(db.session, version)
    lesson = service.find_lesson(lessons, slug)
    if not FlaskForm().validate_on_submit() or lesson.kind != "page":
        abort(400)  # a quiz counts as done when an attempt at it is submitted
    completion = service.mark_lesson_complete(db.session, current_user, course, version, lesson)
    if completion is not None:
        flash(
            _(
                "Congratulations! You have completed this course and earned %(hours)s periods.",
                hours=completion.hours_credited,
            ),
            "success",
        )
        return redirect(url_for("learning.course", code=code))
    index = lessons.index(lesson)
    if index + 1 < len(lessons):
        return redirect(url_for("learning.lesson", code=code, slug=lessons[index + 1].slug))
    flash(_("Lesson marked as complete."), "success")
    return redirect(url_for("learning.course", code=code))


@bp.route("/my")
@allow(LOGGED_IN)
def my_learning():
    rows = service.my_learning(db.session, current_user)
    return render_template(
        "learning/my_learning.html",
        assigned=my_assignments(db.session, current_user),
        in_progress=[row for row in rows if row.completion is None],
        completed=[row for row in rows if row.completion is not None],
        total_hours=service.total_hours(rows),
        certificates=certificates.of_user(db.session, current_user.id),
    )


@bp.route("/media/<sha256>")
@allow(LOGGED_IN)
def media(sha256: str):
    item = db.session.get(MediaFile, sha256)
    if item is None:
        raise NotFound(sha256)
    response = current_app.response_class(item.data, mimetype=item.content_type)
    # Content-addressed, so it never changes; sandboxed so an SVG cannot run script.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.set_etag(sha256)
    return response.make_conditional(request)
