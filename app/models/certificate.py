"""Training certificates (issue 14): one for each course completion, stating frozen facts, with a
public number. A revocation is a record of its own, never an edit: the certificate stays on record
as revoked, with the day and the reason (DOMAIN.md, rule 4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Certificate(Base):
    """A certificate as issued. Its id is also its bit in the published status list."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_completion_id: Mapped[int] = mapped_column(ForeignKey("course_completions.id"), index=True)
    # the corrected training record whose facts it states (None: the completion's own)
    training_record_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    cadre_name: Mapped[str] = mapped_column(String(200))
    course_code: Mapped[str] = mapped_column(String(32))
    course_title: Mapped[str] = mapped_column(String(300))
    edition: Mapped[int]
    hours: Mapped[int]
    score: Mapped[float | None]
    completed_on: Mapped[date]
    issued_on: Mapped[date]
    issuer: Mapped[str] = mapped_column(String(300))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system


class CertificateRevocation(Base):
    """A certificate withdrawn with its training record, or replaced after a correction."""

    __tablename__ = "certificate_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    revoked_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(20))  # REVOCATION_REASONS
    training_record_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
