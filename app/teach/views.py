"""Trainer pages: how each course and each of its lessons is doing."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.access import TEACH, allow
from app.exports import csv_response
from app.extensions import db
from app.learning.service import find_lesson, get_course, lessons_of
from app.quizzes.service import quiz_of_lesson
from app.teach import service

bp = Blueprint("teach", __name__)


@bp.route("/")
@allow(TEACH)
def index():
    return render_template("teach/index.html", rows=service.course_overview(db.session))


@bp.route("/guide")
@allow(TEACH)
def guide():
    """How trainers write, check and publish a course: the guide, on a page of the app."""
    return render_template("teach/guide.html", guide_html=service.guide_html())


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
