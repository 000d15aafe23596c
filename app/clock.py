"""Vietnam's calendar: the dates records and eligibility speak of (timestamps are stored in UTC).

The clock follows the system's time. Tests set it to stand on a given day, such as the day after a
deadline: `set_today` moves the calendar only (the time of day keeps running, so logins and codes
work as usual), `set_now` stops the clock at one moment. Nothing in the app sets it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

_now: datetime | None = None
_today: date | None = None


def now() -> datetime:
    """The current moment, timezone-aware in UTC."""
    return _now if _now is not None else datetime.now(UTC)


def local_today() -> date:
    """Today in Vietnam."""
    return _today if _today is not None else now().astimezone(LOCAL).date()


def set_now(moment: datetime | None) -> None:
    """Stop the clock at `moment`, or let it run again with None. Raises ValueError for a naive
    moment, which could be read in either time zone."""
    global _now
    if moment is not None and moment.tzinfo is None:
        raise ValueError("a naive datetime given to the clock")
    _now = moment.astimezone(UTC) if moment is not None else None


def set_today(day: date | None) -> None:
    """Make `day` today in Vietnam while the time keeps running, or follow the clock again with None."""
    global _today
    _today = day
