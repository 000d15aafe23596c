"""The preview of an edition of a course, for its trainers and the admins over its issuing unit:
the course page, each lesson and each quiz as a learner will see them, and trying a quiz.

Any edition, by its number: the current one, an earlier one, or a draft learners never see.
Nothing is recorded: no enrolment, no visit, no attempt, no answer. Endpoints:
teach_preview.edition, teach_preview.lesson, teach_preview.try_quiz.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from app import params
from app.access import TEACH_COURSE, allow
from app.extensions import db
from app.forms import Form
from app.learning.service import progress
from app.quizzes import service as quizzes
from app.teach import preview
from app.teach.preview import Edition

bp = Blueprint("teach_preview", __name__)

SEED_MAX = 2**62  # as large as an attempt's seed (secrets.randbits(62))


class TryForm(Form):
    """The answers to a try (read from the page's question fields) and the seed of its draw."""

    seed = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(0, SEED_MAX)])


def _edition(code: str, number: int) -> Edition:
    return preview.edition(db.session, current_user, code, number)


def _context(edition: Edition) -> dict:
    """What every preview page has: the edition, the banner's facts, the lessons addressed in
    the preview (`lesson_href`, used by the learner's templates) and no progress."""
    code, number = edition.course.code, edition.version.number

    def lesson_href(slug: str) -> str:
        return url_for("teach_preview.lesson", code=code, number=number, slug=slug)

    return {
        "course": edition.course,
        "version": edition.version,
        "edition": edition,
        "lessons": edition.lessons,
        "lesson_href": lesson_href,
        "done": set(),
        "progress": progress(edition.lessons, set()),
    }


def _html(edition: Edition, html: str) -> str:
    """Stored HTML with its links to this edition's lessons (learner addresses) in the preview."""
    code, number = edition.course.code, edition.version.number
    urls = {
        url_for("learning.lesson", code=code, slug=lesson.slug): url_for(
            "teach_preview.lesson", code=code, number=number, slug=lesson.slug
        )
        for lesson in edition.lessons
    }
    return preview.rewrite_lesson_links(html, urls)


def _questions(edition: Edition, views: list[dict]) -> list[dict]:
    """Question views (as shown or reviewed) with the links in their stems and general feedback
    in the preview."""
    for view in views:
        for key in ("stem_html", "general_feedback_html"):
            if view.get(key):
                view[key] = _html(edition, view[key])
    return views


@bp.route("/courses/<code>/editions/<int:number>/")
@allow(TEACH_COURSE)
def edition(code: str, number: int):
    edition = _edition(code, number)
    return render_template(
        "teach/preview/edition.html",
        intro_html=_html(edition, edition.version.intro_html),
        **_context(edition),
    )


@bp.route("/courses/<code>/editions/<int:number>/lessons/<slug>")
@allow(TEACH_COURSE)
def lesson(code: str, number: int, slug: str):
    edition = _edition(code, number)
    lesson = edition.find(slug)
    previous, following = edition.neighbours(lesson)
    context = {"lesson": lesson, "previous": previous, "next": following, **_context(edition)}
    if lesson.kind != "quiz":
        return render_template("teach/preview/lesson.html", html=_html(edition, lesson.html), **context)
    overview = quizzes.quiz_overview(db.session, current_user, edition.course, lesson, False)
    return render_template(
        "teach/preview/quiz.html",
        quiz=overview.quiz,
        quiz_intro_html=_html(edition, overview.quiz.intro_html),
        state=None,
        question_count=overview.question_count,
        **context,
    )


@bp.route("/courses/<code>/editions/<int:number>/quizzes/<slug>/try", methods=["GET", "POST"])
@allow(TEACH_COURSE)
def try_quiz(code: str, number: int, slug: str):
    """GET: the questions as an attempt with the seed (`?seed=`, else a random one) draws them.
    POST: the answers marked as an attempt is marked, and the review; nothing is saved."""
    edition = _edition(code, number)
    lesson = edition.find(slug)
    form = TryForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        attempt = preview.quiz_try(db.session, lesson, form.seed.data)
        result = preview.mark_try(db.session, attempt, request.form)
        _questions(edition, result.reviews)
        return render_template(
            "teach/preview/try_result.html",
            lesson=lesson,
            attempt=attempt,
            result=result,
            **_context(edition),
        )
    seed = params.clamped("seed", secrets.randbits(62), 0, SEED_MAX)
    attempt = preview.quiz_try(db.session, lesson, seed)
    form.seed.data = seed
    return render_template(
        "teach/preview/try.html",
        lesson=lesson,
        attempt=attempt,
        shown=list(enumerate(_questions(edition, attempt.views()), start=1)),
        form=form,
        **_context(edition),
    )
