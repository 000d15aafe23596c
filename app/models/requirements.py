"""Position requirements as data, versioned by effective date; appointment decisions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow


class RequirementSet(Base):
    """What a title requires from a date on. Never edited: a change is a new version."""

    __tablename__ = "requirement_sets"
    __table_args__ = (UniqueConstraint("title_code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    effective_from: Mapped[date]
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    is_example: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rules: Mapped[list[RequirementRule]] = relationship(order_by="RequirementRule.position")


class RequirementRule(Base):
    __tablename__ = "requirement_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("requirement_sets.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict] = mapped_column(JSON)
    applies_to: Mapped[list | None] = mapped_column(JSON)  # appointment kinds; None: the kind's default
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    label: Mapped[str] = mapped_column(String(300), default="")


class AppointmentDecision(Base):
    """A proposed appointment with the eligibility evaluation frozen as of its effective date.

    Append-only: an ineligible proposal stays blocked unless an override is recorded for it. One
    that goes through changes the cadre's post on its effective date: `applied_at` is when it did
    (empty while it is pending, or blocked).
    """

    __tablename__ = "appointment_decisions"
    __table_args__ = (Index("ix_appointment_decisions_cadre_id", "cadre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    title_code: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20), default="appointment")
    effective_on: Mapped[date]
    decision_no: Mapped[str] = mapped_column(String(100))
    requirement_set_id: Mapped[int | None] = mapped_column(ForeignKey("requirement_sets.id"))
    evaluation: Mapped[dict] = mapped_column(JSON)  # frozen: set version, inputs, per-rule results
    eligibility: Mapped[str] = mapped_column(String(12))  # met | conditional | unmet
    status: Mapped[str] = mapped_column(String(12))  # approved | blocked
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]
    # Approved on conditions (e.g. leadership training within 12 months): the earliest deadline.
    condition_deadline: Mapped[date | None] = mapped_column(index=True)

    override: Mapped[DecisionOverride | None] = relationship(back_populates="decision", uselist=False)

    @property
    def is_pending(self) -> bool:
        """Went through (approved or overridden) but takes effect later: not applied yet."""
        return self.applied_at is None and (self.status == "approved" or self.override is not None)


class DecisionOverride(Base):
    """The competent authority's decision to appoint despite unmet requirements: who, when, why."""

    __tablename__ = "decision_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("appointment_decisions.id"), unique=True)
    authority: Mapped[str] = mapped_column(String(300))
    authority_decision_no: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    decision: Mapped[AppointmentDecision] = relationship(back_populates="override")
