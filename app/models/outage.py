"""Database outages the app observed: written when the database answers again (issue 18)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DatabaseOutage(Base):
    """One outage as one app process saw it: from its first failed request to the first request
    that reached the database again. Several processes may record the same outage; readers merge
    overlapping rows. Quiz deadlines are extended by the outages that overlap an attempt."""

    __tablename__ = "database_outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    observed_by: Mapped[str] = mapped_column(String(100))  # host and process id
