"""Taking quizzes: start, answer (saved as you go), submit, see the result and review.

The quiz's own page in the lesson sequence is drawn by the lesson view (`learning.views.lesson`).
The blueprint keeps the name "quizzes": its endpoints are quizzes.start, quizzes.attempt, ..."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app import params
from app.access import CLOSES_EXPIRED_ATTEMPT, LOGGED_IN, OWN_ATTEMPT, allow
from app.errors import Conflict
from app.extensions import db
from app.labels import clock_time
from app.learning import service as learning
from app.models import Course, QuizAttempt
from app.quizzes import forms, marking, service
from app.transactions import discard

bp = Blueprint("quizzes", __name__)


@bp.route("/courses/<code>/quizzes/<slug>/start", methods=["POST"])
@allow(LOGGED_IN)
def start(code: str, slug: str):
    course, version = learning.get_course(db.session, code)
    lesson = learning.find_lesson(learning.lessons_of(db.session, version), slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    learning.require_enrolment(db.session, current_user, course)
    quiz = service.quiz_of_lesson(db.session, lesson)
    try:
        attempt = service.start_attempt(db.session, current_user, course, quiz)
    except Conflict:
        discard()
        flash(_("You have used all your attempts at this quiz."), "error")
        return redirect(url_for("learning.lesson", code=code, slug=slug))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


def _attempt_or_result(attempt_id: int):
    attempt = service.own_attempt(db.session, current_user, attempt_id)
    if attempt.is_open and service.is_late(db.session, attempt, service.utcnow()):
        service.submit_attempt(db.session, attempt, current_user)
    return attempt


@bp.route("/attempts/<int:attempt_id>")
@allow(OWN_ATTEMPT, get_writes=CLOSES_EXPIRED_ATTEMPT)
def attempt(attempt_id: int):
    attempt = _attempt_or_result(attempt_id)
    if not attempt.is_open:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    quiz = attempt.quiz
    questions = service.attempt_questions(db.session, attempt)
    answers = service.saved_answers(db.session, attempt)
    views = [service.question_view(q, entry, answers.get(entry["qid"])) for entry, q in questions]
    page = None
    if quiz.layout == "one_per_page":
        page = params.clamped("q", 1, 1, len(views))
        shown = [(page, views[page - 1])]
    else:
        shown = list(enumerate(views, start=1))
    course = db.session.get(Course, attempt.course_id)
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        quiz=quiz,
        course=course,
        shown=shown,
        total=len(views),
        page=page,
        answered={qid for qid, a in answers.items() if a.response},
        saved_at=max((a.saved_at for a in answers.values() if a.saved_at), default=None),
    )


def _save(attempt: QuizAttempt, now: datetime | None = None) -> None:
    replies = forms.read_replies(db.session, attempt, request.form)
    service.save_answers(db.session, attempt, replies, now=now)


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@allow(OWN_ATTEMPT)
def save(attempt_id: int):
    # The CSRF token was checked before the view (CSRFProtect guards every POST of the app).
    attempt = service.own_attempt(db.session, current_user, attempt_id)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    now = service.utcnow()
    try:
        with db.session.begin_nested():  # an answer sent too late is undone; closing the attempt stands
            _save(attempt, now)
    except service.AttemptClosed:
        attempt = _attempt_or_result(attempt_id)
        if wants_json:
            return jsonify(
                closed=True,
                message=_("Time is up: this answer was not counted."),
                result=url_for("quizzes.result", attempt_id=attempt_id),
            ), 409
        flash(_("Time is up: answers sent after the time limit were not counted."), "error")
        return redirect(url_for("quizzes.result", attempt_id=attempt_id))
    if wants_json:
        deadline = service.deadline_of(db.session, attempt)
        # Committed before this reply leaves (app.transactions): an acknowledged answer is stored.
        return jsonify(
            saved=True,
            saved_at=now.isoformat(),
            message=_("Saved at %(time)s", time=clock_time(now)),
            deadline=deadline.isoformat() if deadline else None,  # moved later by an outage, if any
        )
    target = request.form.get("go", type=int)
    return redirect(
        url_for("quizzes.attempt", attempt_id=attempt_id, q=target)
        if target
        else url_for("quizzes.attempt", attempt_id=attempt_id)
    )


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@allow(OWN_ATTEMPT)
def submit(attempt_id: int):
    attempt = service.own_attempt(db.session, current_user, attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        with db.session.begin_nested():  # answers sent too late are undone; the submission stands
            _save(attempt)
    except service.AttemptClosed:
        flash(_("Time is up: answers sent after the time limit were not counted."), "error")
        attempt = service.own_attempt(db.session, current_user, attempt_id)
    if attempt.is_open:
        over = service.essay_words(db.session, attempt)
        if over and not service.is_late(db.session, attempt, service.utcnow()):
            for question, words in over:
                flash(
                    _(
                        "“%(title)s” has %(words)s words; at most %(most)s. Shorten it, then submit.",
                        title=question.title,
                        words=words,
                        most=question.data["max_words"],
                    ),
                    "error",
                )
            return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    service.submit_attempt(db.session, attempt, current_user)
    return redirect(url_for("quizzes.result", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/result")
@allow(OWN_ATTEMPT, get_writes=CLOSES_EXPIRED_ATTEMPT)
def result(attempt_id: int):
    attempt = _attempt_or_result(attempt_id)
    if attempt.is_open:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    quiz = attempt.quiz
    course = db.session.get(Course, attempt.course_id)
    state = service.quiz_state(db.session, current_user, course, quiz)
    reviews = None
    if service.may_review(quiz, attempt, state.passed):
        answers = service.saved_answers(db.session, attempt)
        reviews = [
            service.question_review(q, entry, answers.get(entry["qid"]))
            for entry, q in service.attempt_questions(db.session, attempt)
        ]
        _with_essay_marks(attempt, reviews)
    return render_template(
        "quizzes/result.html", attempt=attempt, quiz=quiz, course=course, state=state, reviews=reviews
    )


def _with_essay_marks(attempt: QuizAttempt, reviews: list[dict]) -> None:
    """Each essay's review with the trainer's mark and comment, or waiting for them."""
    if not any(r["type"] == "essay" for r in reviews):
        return
    marks = marking.latest_essay_marks(db.session, attempt) if not attempt.awaiting_marks else {}
    for review in reviews:
        if review["type"] == "essay":
            review["essay_mark"] = marks.get(review["qid"])
            review["pending"] = attempt.awaiting_marks and bool(review["response"])
