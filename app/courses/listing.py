"""The courses as admins pick them in a form or a filter: each with its current version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CURRENT_VERSION, Course, CourseVersion


def current_courses(session: Session) -> list[tuple[Course, CourseVersion]]:
    """Every course with its current version, by title."""
    return list(
        session.execute(
            select(Course, CourseVersion).join(CourseVersion, CURRENT_VERSION).order_by(CourseVersion.title)
        ).all()
    )
