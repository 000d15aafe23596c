"""Organisation units (đơn vị) as a tree with history, and titles (chức vụ) as data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

UNIT_TYPES = ("city", "department", "district", "ward", "commune", "division", "office", "other")


class Unit(Base):
    """A unit of the city: the city, a department, a ward or commune, a division...

    `path` is the chain of ids from the root ("/1/4/9/"), so a subtree is one index range scan.
    A dissolved or merged unit keeps its row (records cite it) with `valid_to` and `successor_id`.
    """

    __tablename__ = "units"
    __table_args__ = (Index("ix_units_path", "path"), Index("ix_units_parent_id", "parent_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    path: Mapped[str] = mapped_column(String(600), default="")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]  # dissolved or merged after this day
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    successor: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[successor_id])

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitChange(Base):
    """History of a unit: created, renamed, moved, merged into a successor, dissolved."""

    __tablename__ = "unit_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # created | renamed | moved | merged | dissolved
    effective_on: Mapped[date]
    old_name: Mapped[str | None] = mapped_column(String(300))
    new_name: Mapped[str | None] = mapped_column(String(300))
    old_parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    new_parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    decision_no: Mapped[str | None] = mapped_column(String(100))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Title(Base):
    """A title (chức vụ) such as division head; `rank` orders them for "or higher" rules."""

    __tablename__ = "titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int]


class Scale(Base):
    """An ordered scale of qualification levels (political theory, state management, ...)."""

    __tablename__ = "scales"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    levels: Mapped[list[ScaleLevel]] = relationship(order_by="ScaleLevel.rank", back_populates="scale")


class ScaleLevel(Base):
    __tablename__ = "scale_levels"
    __table_args__ = (UniqueConstraint("scale_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scale_id: Mapped[int] = mapped_column(ForeignKey("scales.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int]

    scale: Mapped[Scale] = relationship(back_populates="levels")
