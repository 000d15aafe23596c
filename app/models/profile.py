"""Cadre profiles (hồ sơ cán bộ) and the records that make them: positions, planning, discipline,
ratings, qualifications and training. Records are never edited in place: a correction is a new row
that supersedes the old one, with who and why."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, exists, select
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.org import Unit

STAFF_TYPES = ("cadre", "civil_servant", "public_employee")  # cán bộ / công chức / viên chức
GENDERS = ("male", "female")
DISCIPLINE_LEVELS = ("reprimand", "warning", "removal", "dismissal", "other")
RATINGS = ("excellent", "good", "adequate", "not_completed")  # HTXSNV / HTTNV / HTNV / KHTNV


class Cadre(Base):
    """A cadre, civil servant or public employee; may exist before (or without) a login account."""

    __tablename__ = "cadres"
    __table_args__ = (Index("ix_cadres_unit_id", "unit_id"), Index("ix_cadres_search_name", "search_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_code: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200))  # folded: no case, no diacritics
    date_of_birth: Mapped[date]
    gender: Mapped[str] = mapped_column(String(10))
    staff_type: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    job_position: Mapped[str] = mapped_column(String(200), default="")  # vị trí việc làm
    title_code: Mapped[str | None] = mapped_column(String(40))  # chức vụ hiện tại
    rank: Mapped[str] = mapped_column(String(100), default="")  # ngạch
    professional_qualification: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()


class PositionRecord(Base):
    """Position history: appointments, reappointments, transfers, rotations."""

    __tablename__ = "position_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    title_code: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20))  # appointment | reappointment | transfer | rotation
    decision_no: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None]
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment_decisions.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanningEntry(Base):
    """A planning (quy hoạch) entry: the cadre is in the pool for a target post (a title in a unit)
    for a term. Regulation 377-QĐ/TW limits a post to 3 planned cadres and a cadre to 3 posts; an
    entry past a limit is kept only with `limit_override` saying who decided it and why."""

    __tablename__ = "planning_entries"
    __table_args__ = (Index("ix_planning_entries_title_code_unit_id", "title_code", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    title_code: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the unit of the post
    term: Mapped[str] = mapped_column(String(20), default="")
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    decision_no: Mapped[str] = mapped_column(String(100), default="")
    limit_override: Mapped[str] = mapped_column(Text, default="")  # why a limit was exceeded
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(default=utcnow)


class DisciplineRecord(Base):
    """A discipline decision. An annulment or a replacement by another level is a new row that
    supersedes it: the old one stops counting on `effective_on`, evaluations before that day are
    unchanged. A replacement's cooling-off runs from its own `decided_on`."""

    __tablename__ = "discipline_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date]
    decision_no: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("discipline_records.id"), index=True)
    is_annulled: Mapped[bool] = mapped_column(default=False)  # supersedes to annul, not to replace
    effective_on: Mapped[date | None]  # superseding rows: the day the old one stops counting
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(default=utcnow)


class AnnualRating(Base):
    __tablename__ = "annual_ratings"
    __table_args__ = (UniqueConstraint("cadre_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    year: Mapped[int]
    rating: Mapped[str] = mapped_column(String(20))


class QualificationRecord(Base):
    """A qualification on an ordered scale (political theory, state management, IT, language...)."""

    __tablename__ = "qualification_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    scale_code: Mapped[str] = mapped_column(String(40))
    level_code: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    evidence: Mapped[str] = mapped_column(String(300), default="")
    is_revoked: Mapped[bool] = mapped_column(default=False)
    revoked_on: Mapped[date | None]  # a revocation counts from this day; evaluations before it stand
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("qualification_records.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingRecord(Base):
    """A training result: an internal course completion (created automatically) or an external
    programme entered by an admin. Corrections and revocations supersede, never overwrite."""

    __tablename__ = "training_records"
    __table_args__ = (Index("ix_training_records_cadre_id_completed_on", "cadre_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    source: Mapped[str] = mapped_column(String(10))  # internal | external
    course_completion_id: Mapped[int | None] = mapped_column(ForeignKey("course_completions.id"))
    course_code: Mapped[str | None] = mapped_column(String(32))
    course_version: Mapped[str | None] = mapped_column(String(40))
    programme: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    certificate_no: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[int]
    score: Mapped[float | None]
    completed_on: Mapped[date]
    valid_until: Mapped[date | None]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # where it was earned
    evidence: Mapped[str] = mapped_column(String(300), default="")
    is_revoked: Mapped[bool] = mapped_column(default=False)
    revoked_on: Mapped[date | None]  # a revocation counts from this day; evaluations before it stand
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship()


def training_in_force():
    """Condition: a training record that no later record supersedes (corrects or revokes)."""
    later = aliased(TrainingRecord)
    return ~exists(select(later.id).where(later.supersedes_id == TrainingRecord.id))


def discipline_in_force():
    later = aliased(DisciplineRecord)
    return ~exists(select(later.id).where(later.supersedes_id == DisciplineRecord.id))


def qualification_in_force():
    later = aliased(QualificationRecord)
    return ~exists(select(later.id).where(later.supersedes_id == QualificationRecord.id))
