"""Vietnam's calendar: the dates records and eligibility speak of (timestamps are stored in UTC)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    """Today in Vietnam."""
    return datetime.now(LOCAL).date()
