"""The review cycle: which published courses are overdue for a content review, or due soon.

A course's current version says when its content was last reviewed (`reviewed_on`) and how often it
must be (`review_every_months`); a version without a review date was never reviewed and is overdue.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from app import clock
from app.courses.source import DEFAULT_REVIEW_MONTHS
from app.models import CURRENT_VERSION, Course, CourseVersion

DUE_SOON_DAYS = 30  # stated in courses/README.md


def add_months(day: date, months: int) -> date:
    """`day` moved `months` later; the 31st becomes the last day of a shorter month."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewDue:
    code: str
    title: str
    label: str
    reviewed_on: date | None
    every_months: int
    due_on: date | None  # None: never reviewed

    def overdue(self, today: date) -> bool:
        return self.due_on is None or self.due_on < today


def review_due(session: Session, today: date | None = None, among=None) -> list[ReviewDue]:
    """The published courses (their current version) overdue for review or due within
    DUE_SOON_DAYS of `today` (default: today in Vietnam), most urgent first: one query.
    `among`: a condition on Course that limits the list (e.g. `policy.teachable_courses`)."""
    today = today or clock.local_today()
    rows = session.execute(
        select(
            Course.code,
            CourseVersion.title,
            CourseVersion.label,
            CourseVersion.reviewed_on,
            CourseVersion.review_every_months,
        )
        .join(CourseVersion, CURRENT_VERSION)
        .where(true() if among is None else among)
        .order_by(Course.code)
    )
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    due = []
    for row in rows:
        every = row.review_every_months or DEFAULT_REVIEW_MONTHS
        due_on = add_months(row.reviewed_on, every) if row.reviewed_on else None
        if due_on is None or due_on <= horizon:
            due.append(ReviewDue(row.code, row.title, row.label, row.reviewed_on, every, due_on))
    return sorted(due, key=lambda r: (r.due_on or date.min, r.code))
