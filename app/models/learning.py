"""Enrolments, lesson progress and course completion records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course, CourseVersion
from app.models.user import User


class Enrolment(Base):
    """A learner's enrolment in a course (all versions); carries the resume point."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrolments_course_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_lesson_slug: Mapped[str | None] = mapped_column(String(100))
    last_accessed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class LessonCompletion(Base):
    """A lesson marked complete. Keyed by the lesson's slug so it survives new course versions."""

    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseCompletion(Base):
    """The record that a learner completed a course: evidence, never edited in place."""

    __tablename__ = "course_completions"
    __table_args__ = (
        UniqueConstraint("user_id", "course_version_id"),
        Index("ix_course_completions_course_id", "course_id"),
        Index("ix_course_completions_user_id_course_id", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    hours_credited: Mapped[int]
    score: Mapped[float | None]  # percent: mean grade of the course's graded quizzes, if any

    course_version: Mapped[CourseVersion] = relationship()
