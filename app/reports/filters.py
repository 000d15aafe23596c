"""What a report is about: the unit (within the admin's scope) and the course filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, literal, select
from sqlalchemy.orm import Session

from app.clock import LOCAL
from app.errors import NotFound
from app.models import CURRENT_VERSION, Course, CourseVersion, Unit
from app.org.tree import is_within


@dataclass(frozen=True)
class Filters:
    course_ids: tuple[int, ...] = ()
    category: str = ""
    start: date | None = None
    end: date | None = None


def start_utc(day: date) -> datetime:
    """The first instant of `day` in Vietnam."""
    return datetime.combine(day, time.min, LOCAL)


def course_condition(column, filters: Filters):
    """A condition on a course id column: the courses chosen, and of the category chosen (by
    their current version); always true without either."""
    conditions = []
    if filters.course_ids:
        conditions.append(column.in_(filters.course_ids))
    if filters.category:
        conditions.append(
            column.in_(
                select(Course.id)
                .join(
                    CourseVersion,
                    CURRENT_VERSION,
                )
                .where(CourseVersion.category == filters.category)
            )
        )
    return and_(*conditions) if conditions else literal(True)


def get_scope_unit(session: Session, code: str | None, admin_scope: Unit | None) -> Unit | None:
    """The unit a report is about: the one asked for, inside the admin's scope (default: the
    admin's unit, or the city when the tree has a single root). Raises NotFound."""
    if not code:
        if admin_scope is not None:
            return admin_scope
        roots = list(session.scalars(select(Unit).where(Unit.parent_id.is_(None)).limit(2)))
        return roots[0] if len(roots) == 1 else None
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or (admin_scope is not None and not is_within(unit.path, admin_scope.path)):
        raise NotFound(code)
    return unit
