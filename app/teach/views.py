"""Trainer pages: how each course and each of its lessons is doing."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.extensions import db
from app.learning.service import get_course
from app.security import can_teach, require
from app.teach import service

bp = Blueprint("teach", __name__)
bp.before_request(require(can_teach))


@bp.route("/")
def index():
    return render_template("teach/index.html", rows=service.course_overview(db.session))


@bp.route("/courses/<code>")
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
