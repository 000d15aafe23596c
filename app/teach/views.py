"""Trainer pages: how each course and each of its lessons is doing."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import params
from app.access import AUDITED_VIEW, TEACH, allow
from app.clock import local_today
from app.courses.review import review_due
from app.exports import csv_response
from app.extensions import db
from app.learning.service import find_lesson, get_course, lessons_of
from app.legal import service as legal
from app.legal.register import anchor
from app.quizzes.service import quiz_of_lesson
from app.teach import progress, service

bp = Blueprint("teach", __name__)


@bp.route("/")
@allow(TEACH)
def index():
    return render_template(
        "teach/index.html",
        rows=service.course_overview(db.session),
        stale=legal.stale_courses(db.session),
        anchor=anchor,
        review=review_due(db.session),
        today=local_today(),
    )


@bp.route("/guide")
@allow(TEACH)
def guide():
    """How trainers write, check and publish a course: the guide, on a page of the app."""
    return render_template("teach/guide.html", guide_html=service.guide_html(get_locale().language))


@bp.route("/courses/<code>")
@allow(TEACH)
def course(code: str):
    course, version = get_course(db.session, code)
    return render_template(
        "teach/course.html",
        course=course,
        version=version,
        lessons=service.lesson_stats(db.session, version),
        history=service.version_history(db.session, course),
        stats=service.course_overview(db.session, course.id)[0],
    )


def _quiz_context(code: str, slug: str):
    course, version = get_course(db.session, code)
    lesson = find_lesson(lessons_of(db.session, version), slug)
    quiz = quiz_of_lesson(db.session, lesson)
    titles = {q.qid: (q.title, q.type) for q in quiz.questions}
    return course, version, quiz, titles


@bp.route("/courses/<code>/quizzes/<slug>")
@allow(TEACH)
def quiz_results(code: str, slug: str):
    course, version, quiz, titles = _quiz_context(code, slug)
    return render_template(
        "teach/quiz.html",
        course=course,
        version=version,
        quiz=quiz,
        results=service.quiz_results(db.session, course, slug),
        items=service.item_analysis(db.session, course, slug, titles),
    )


@bp.route("/courses/<code>/quizzes/<slug>/items.csv")
@allow(TEACH)
def quiz_items_csv(code: str, slug: str):
    course, _version, _quiz, titles = _quiz_context(code, slug)
    items = service.item_analysis(db.session, course, slug, titles)
    table = [["question_id", "title", "type", "answered", "facility", "discrimination"]] + [
        [
            item.qid,
            item.title,
            item.type,
            item.answered,
            "" if item.facility is None else round(item.facility, 3),
            "" if item.discrimination is None else round(item.discrimination, 3),
        ]
        for item in items
    ]
    return csv_response(table, f"{code}-{slug}-items.csv")


def _progress_query(code: str):
    """The course, and its learners' progress as asked for (status filter and order)."""
    course, version = get_course(db.session, code)
    status = params.choice("status", progress.STATUS_LABELS, "")
    sort = params.choice("sort", progress.SORTS, "name")
    return course, version, status, sort, progress.progress_query(version, status, sort)


@bp.route("/courses/<code>/learners")
@allow(TEACH, get_writes=AUDITED_VIEW)
def learners(code: str):
    course, version, status, sort, stmt = _progress_query(code)
    page = progress.progress_page(db.session, stmt, params.page_number(), current_app.config["PAGE_SIZE"])
    progress.audit_progress(
        db.session, current_user, "view_learner_progress", course, status=status or None, page=page.page
    )
    return render_template(
        "teach/learners.html",
        course=course,
        version=version,
        page=page,
        status=status,
        sort=sort,
        statuses=progress.STATUS_LABELS,
    )


@bp.route("/courses/<code>/learners.csv")
@allow(TEACH, get_writes=AUDITED_VIEW)
def learners_csv(code: str):
    course, _version, status, _sort, stmt = _progress_query(code)
    rows = progress.progress_rows(db.session, stmt)
    progress.audit_progress(
        db.session, current_user, "export_learner_progress", course, status=status or None, rows=len(rows)
    )
    header = [
        _("Learner"),
        _("E-mail"),
        _("Unit"),
        _("Lessons done"),
        _("Lessons in the course"),
        _("Best graded quiz result (%)"),
        _("Graded attempts"),
        _("Status"),
        _("Completed on"),
        _("Last activity"),
    ]
    table = [header] + [
        [
            r.name,
            r.email,
            r.unit or "",
            r.done,
            r.total,
            "" if r.best_percent is None else round(r.best_percent, 1),
            r.graded_attempts,
            str(progress.STATUS_LABELS[r.status]),
            progress.local(r.completed_at).strftime("%d/%m/%Y") if r.completed_at else "",
            progress.local(r.last_activity).strftime("%d/%m/%Y %H:%M") if r.last_activity else "",
        ]
        for r in rows
    ]
    return csv_response(table, f"{course.code}-learners.csv")
