"""The audit log: an append-only chain of entries, each sealed with the hash of the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class AuditEntry(Base):
    """Who looked at or changed what, when.

    Written for every view of a cadre's data by someone other than the cadre, every change, every
    export of personal data, and every login, logout and account change. `seq` numbers the entries
    without gaps; `hash` is SHA-256 over the previous entry's hash and this entry's content, so an
    entry edited or removed afterwards breaks the chain at that point (`flask audit verify`).
    `unit_id` is the unit the entry is about (the cadre's or account's unit at the time), which
    decides which unit admins may read it; None: only city admins.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_target", "target_type", "target_id"),
        Index("ix_audit_entries_unit_id", "unit_id", "seq"),
        Index("ix_audit_entries_actor_id", "actor_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (one row): the last sequence number and hash. Appending updates it first,
    which also makes concurrent appenders wait their turn on both databases."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
