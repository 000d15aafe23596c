"""Assignments of courses to cadres, and uploaded import files waiting to be applied."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course


class Assignment(Base):
    """Courses (one, or several forming a programme) assigned to cadres with a due date.

    The target (a unit subtree, a position, a planning pool or named cadres) is resolved into
    members when the assignment is made. A member who later leaves the target (moves unit, changes
    post) drops out unless the assignment follows movers; overdue is computed, never stored.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    target_kind: Mapped[str] = mapped_column(String(10))  # unit | title | planning | cadres
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title_code: Mapped[str | None] = mapped_column(String(40))
    due_on: Mapped[date]
    follows_movers: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The unit the admin who made it administers (None: city-wide): with the target unit, whose
    # assignment it is (see `owner_unit_id` and `app.assignments.service.owner_path`).
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # A cancellation is recorded, never a deletion: a cancelled assignment keeps its members but
    # gives no due date and counts nobody overdue.
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    courses: Mapped[list[AssignmentCourse]] = relationship()

    @property
    def owner_unit_id(self) -> int | None:
        """Whose assignment it is: its target unit, else the unit of the admin who made it."""
        return self.unit_id if self.unit_id is not None else self.scope_unit_id

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class AssignmentCourse(Base):
    __tablename__ = "assignment_courses"
    __table_args__ = (UniqueConstraint("assignment_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))

    course: Mapped[Course] = relationship()


class AssignmentMember(Base):
    __tablename__ = "assignment_members"
    __table_args__ = (
        UniqueConstraint("assignment_id", "cadre_id"),
        Index("ix_assignment_members_cadre_id", "cadre_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportBatch(Base):
    """An uploaded file checked by a dry run, kept in the database (not on a server's disk) until
    the admin applies it."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]


class UnitCourseStats(Base):
    """Enrolments and completions per unit and course, kept current as learners enrol and complete
    (and rebuilt after imports move cadres), so the city dashboard reads a few thousand rows."""

    __tablename__ = "unit_course_stats"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    enrolled: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    score_sum: Mapped[float] = mapped_column(default=0.0)
    scored: Mapped[int] = mapped_column(default=0)


class AssignmentStats(Base):
    """Members of an assignment per unit (their current unit) and course, and how many of them have
    completed that course. Kept current as learners complete and cadres move, rebuilt after bulk
    changes; with the due date it gives overdue (members - completed once past due) without
    reading the members, so the dashboard and the assignments page read a few thousand rows."""

    __tablename__ = "assignment_stats"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    members: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)


class CourseMonthStats(Base):
    """Course completions per course and month for the whole city: `unit_month_stats` summed over
    units, kept beside it so that the city-wide chart reads a few hundred rows."""

    __tablename__ = "course_month_stats"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    completed: Mapped[int] = mapped_column(default=0)


class UnitHoursStats(Base):
    """Periods (tiết) credited per unit (the cadre's current unit), year and content area, from the
    training records in force; kept current as records are added, corrected or revoked and as
    cadres move, so the hours report reads a few thousand rows."""

    __tablename__ = "unit_hours_stats"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    hours: Mapped[int] = mapped_column(default=0)


class CadreHoursStats(Base):
    """Periods credited per cadre and year (for who falls short of the city's yearly target)."""

    __tablename__ = "cadre_hours_stats"

    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    hours: Mapped[int] = mapped_column(default=0)


class UnitMonthStats(Base):
    """Course completions per unit and month (YYYY-MM, Vietnam time), for the progress chart."""

    __tablename__ = "unit_month_stats"
    # The chart reads the last twelve months across units: an index that answers it alone.
    __table_args__ = (Index("ix_unit_month_stats_month", "month", "course_id", "unit_id", "completed"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    completed: Mapped[int] = mapped_column(default=0)
