"""Quizzes as imported with a course version, and learners' attempts at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course, CourseVersion, Lesson


class Quiz(Base):
    """The quiz of one lesson slot of a course version, with its settings (frozen at import)."""

    __tablename__ = "quizzes"
    __table_args__ = (Index("ix_quizzes_course_id_slug", "course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # graded | practice
    is_required: Mapped[bool]
    pass_mark: Mapped[int]  # percent
    max_attempts: Mapped[int]  # 0: unlimited
    grading: Mapped[str] = mapped_column(String(10))
    time_limit_minutes: Mapped[int]  # 0: none
    draw: Mapped[dict | int | None] = mapped_column(JSON)
    shuffle_questions: Mapped[bool]
    shuffle_options: Mapped[bool]
    review: Mapped[str] = mapped_column(String(16))
    layout: Mapped[str] = mapped_column(String(20))
    intro_html: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))

    lesson: Mapped[Lesson] = relationship()
    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()
    questions: Mapped[list[Question]] = relationship(back_populates="quiz", order_by="Question.position")

    @property
    def is_graded(self) -> bool:
        return self.kind == "graded"


class Question(Base):
    """One question of a quiz version. `data` holds the options and the answer key (never sent as is)."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_id", "qid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    qid: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    points: Mapped[int]
    tags: Mapped[list] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(300))
    stem_html: Mapped[str] = mapped_column(Text)
    general_feedback_html: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class QuizAttempt(Base):
    """One attempt: the questions drawn (and the seed that drew them), the quiz version's content
    hash, timestamps and the score. Graded exactly once; never edited after."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "quiz_slug", "number"),
        Index("ix_quiz_attempts_quiz_id_status", "quiz_id", "status"),
        Index("ix_quiz_attempts_course_id_quiz_slug", "course_id", "quiz_slug"),
        # the marking queue: closed attempts whose essays wait for a trainer
        Index(
            "ix_quiz_attempts_awaiting",
            "course_id",
            "submitted_at",
            sqlite_where=text("percent IS NULL AND status != 'open'"),
            postgresql_where=text("percent IS NULL AND status != 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    quiz_slug: Mapped[str] = mapped_column(String(100))
    number: Mapped[int]
    is_graded: Mapped[bool]  # a graded quiz of record, or practice
    seed: Mapped[int] = mapped_column(BigInteger)
    draw: Mapped[list] = mapped_column(JSON)  # [{"qid": ..., "order": [option ids]}, ...]
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | submitted | expired
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    score: Mapped[float | None]  # points
    max_score: Mapped[float | None]
    percent: Mapped[float | None]
    passed: Mapped[bool | None]

    quiz: Mapped[Quiz] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def awaiting_marks(self) -> bool:
        """Closed, with an essay not yet marked by a trainer: no score until it is."""
        return not self.is_open and self.percent is None

    @property
    def state(self) -> str:
        """The attempt's state as a learner reads it: open, submitted, expired or awaiting."""
        return "awaiting" if self.awaiting_marks else self.status


class AttemptAnswer(Base):
    """A learner's answer to one drawn question: saved as they go, marked once at submission."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "qid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    qid: Mapped[str] = mapped_column(String(100))
    response: Mapped[dict | None] = mapped_column(JSON)
    saved_at: Mapped[datetime | None]
    mark: Mapped[float | None]  # points earned
    points: Mapped[int | None]  # points available


class EssayMark(Base):
    """A trainer's mark of an essay in a quiz attempt, with a comment. Never edited: a later mark of
    the same essay supersedes it until the attempt's grade is recorded (every essay marked)."""

    __tablename__ = "essay_marks"
    __table_args__ = (Index("ix_essay_marks_attempt_id_qid", "attempt_id", "qid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    qid: Mapped[str] = mapped_column(String(100))
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    marks: Mapped[int]
    points: Mapped[int]  # out of
    comment: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
