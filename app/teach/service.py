"""What trainers see of their courses: versions, enrolments and completions, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Course, CourseCompletion, CourseVersion, Enrolment, Lesson, LessonCompletion


@dataclass(frozen=True)
class CourseStats:
    course: Course
    version: CourseVersion
    versions: int
    enrolled: int
    completed: int

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.enrolled) if self.enrolled else 0


def course_overview(session: Session, course_id: int | None = None) -> list[CourseStats]:
    """Every course (or one) with its current version and learner counts, in one query."""
    versions = (
        select(func.count(CourseVersion.id))
        .where(CourseVersion.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    enrolled = (
        select(func.count(Enrolment.id))
        .where(Enrolment.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    completed = (
        select(func.count(func.distinct(CourseCompletion.user_id)))
        .where(CourseCompletion.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    stmt = (
        select(Course, CourseVersion, versions, enrolled, completed)
        .join(
            CourseVersion,
            and_(CourseVersion.course_id == Course.id, CourseVersion.number == Course.current_version_number),
        )
        .order_by(CourseVersion.title)
    )
    if course_id is not None:
        stmt = stmt.where(Course.id == course_id)
    rows = session.execute(stmt).all()
    return [CourseStats(*row) for row in rows]


@dataclass(frozen=True)
class LessonStats:
    lesson: Lesson
    completed: int


def lesson_stats(session: Session, version: CourseVersion) -> list[LessonStats]:
    """For each lesson of `version`: how many enrolled learners have marked it complete."""
    counts = dict(
        session.execute(
            select(LessonCompletion.lesson_slug, func.count(LessonCompletion.id))
            .join(Enrolment, Enrolment.id == LessonCompletion.enrolment_id)
            .where(Enrolment.course_id == version.course_id)
            .group_by(LessonCompletion.lesson_slug)
        ).all()
    )
    lessons = session.scalars(
        select(Lesson).where(Lesson.course_version_id == version.id).order_by(Lesson.position)
    )
    return [LessonStats(lesson, counts.get(lesson.slug, 0)) for lesson in lessons]


def version_history(session: Session, course: Course) -> list[tuple[CourseVersion, int, int]]:
    """Each version with its number of lessons and of completions earned on it."""
    lessons = (
        select(func.count(Lesson.id))
        .where(Lesson.course_version_id == CourseVersion.id)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    completions = (
        select(func.count(CourseCompletion.id))
        .where(CourseCompletion.course_version_id == CourseVersion.id)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    return [
        tuple(row)
        for row in session.execute(
            select(CourseVersion, lessons, completions)
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number.desc())
        ).all()
    ]
