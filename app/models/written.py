"""Written assignments (bài thu hoạch): the task as imported with a course version, the learner's
submissions, and the trainers' marks. Submissions and marks are records: never edited; the latest
submission is the one marked, and the latest mark of it counts (a re-mark supersedes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course, CourseVersion, Lesson
from app.models.user import User


class WrittenAssignment(Base):
    """The assignment of one lesson slot of a course version, with its settings (frozen at import)."""

    __tablename__ = "written_assignments"
    __table_args__ = (Index("ix_written_assignments_course_id_slug", "course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    slug: Mapped[str] = mapped_column(String(100))
    points: Mapped[int]
    pass_mark: Mapped[int]  # points, at or above which the assignment is passed
    max_words: Mapped[int]  # 0: no limit
    attachments: Mapped[bool]

    lesson: Mapped[Lesson] = relationship()
    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()


class WrittenSubmission(Base):
    """One submission: the text and at most one attachment (PDF or DOCX, its bytes kept here)."""

    __tablename__ = "written_submissions"
    __table_args__ = (Index("ix_written_submissions_course_id_slug", "course_id", "slug", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("written_assignments.id"))
    slug: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[int]
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None]
    attachment: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    assignment: Mapped[WrittenAssignment] = relationship()


class WrittenMark(Base):
    """A trainer's mark of a submission, with a comment; a later mark of it supersedes this one."""

    __tablename__ = "written_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("written_submissions.id"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    marks: Mapped[int]
    points: Mapped[int]  # out of
    passed: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    marker: Mapped[User] = relationship()
