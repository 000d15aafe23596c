"""The completion dashboard: aggregated per unit in SQL, rolled up the unit tree in memory (a few
thousand units), so no page loads enrolments or cadres one by one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from app.clock import local_today
from app.models import (
    Assignment,
    AssignmentCourse,
    AssignmentStats,
    Cadre,
    CourseCompletion,
    CourseMonthStats,
    Enrolment,
    Unit,
    UnitCourseStats,
    UnitMonthStats,
)
from app.org.tree import in_subtree, subtree
from app.reports.filters import Filters, course_condition, start_utc
from app.stats.rollups import effective_members


@dataclass
class Stats:
    enrolled: int = 0
    completed: int = 0
    score_sum: float = 0.0
    scored: int = 0
    overdue: int = 0

    @property
    def in_progress(self) -> int:
        return self.enrolled - self.completed

    @property
    def rate(self) -> float | None:
        return 100 * self.completed / self.enrolled if self.enrolled else None

    @property
    def average_score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    def add(self, other: Stats) -> None:
        self.enrolled += other.enrolled
        self.completed += other.completed
        self.score_sum += other.score_sum
        self.scored += other.scored
        self.overdue += other.overdue


def unit_stats(
    session: Session, filters: Filters, today: date | None = None, root: Unit | None = None
) -> dict[int, Stats]:
    """Per unit (the cadre's current unit): enrolments, completions, scores and overdue courses."""
    today = today or local_today()
    stats: dict[int, Stats] = defaultdict(Stats)
    if filters.start is None and filters.end is None:  # the counters kept current as learners go
        rows = session.execute(
            select(
                UnitCourseStats.unit_id,
                func.sum(UnitCourseStats.enrolled),
                func.sum(UnitCourseStats.completed),
                func.sum(UnitCourseStats.score_sum),
                func.sum(UnitCourseStats.scored),
            )
            .where(course_condition(UnitCourseStats.course_id, filters))
            .group_by(UnitCourseStats.unit_id)
        )
    else:
        rows = session.execute(_stats_in_window(filters))
    for unit_id, enrolled, completed_count, score_sum, scored in rows:
        stats[unit_id] = Stats(
            int(enrolled or 0), int(completed_count or 0), float(score_sum or 0), int(scored or 0)
        )
    for unit_id, count in overdue_by_unit(session, filters, today, root).items():
        stats[unit_id].overdue = count
    return stats


def _stats_in_window(filters: Filters):
    """Per unit, the enrolments (before the end), those completed within the window, and the
    best scores of those: read from the enrolments themselves, the counters know no dates."""
    completed = CourseCompletion
    window = literal(True)
    if filters.start:
        window = and_(window, completed.completed_at >= start_utc(filters.start))
    if filters.end:
        window = and_(window, completed.completed_at < start_utc(filters.end + timedelta(days=1)))
    matching = and_(
        completed.user_id == Enrolment.user_id, completed.course_id == Enrolment.course_id, window
    )
    done = exists(select(completed.id).where(matching))
    best = select(func.max(completed.score)).where(matching).scalar_subquery()
    enrol_filter = course_condition(Enrolment.course_id, filters)
    if filters.end:
        enrol_filter = and_(enrol_filter, Enrolment.enrolled_at < start_utc(filters.end + timedelta(days=1)))
    per_enrolment = (
        select(Cadre.unit_id.label("unit_id"), done.label("done"), best.label("score"))
        .select_from(Enrolment)
        .join(Cadre, Cadre.user_id == Enrolment.user_id)
        .where(enrol_filter)
        .subquery()
    )
    return select(
        per_enrolment.c.unit_id,
        func.count(),
        func.sum(case((per_enrolment.c.done, 1), else_=0)),
        func.sum(per_enrolment.c.score),
        func.count(per_enrolment.c.score),
    ).group_by(per_enrolment.c.unit_id)


def overdue_by_unit(session: Session, filters: Filters, today: date, root: Unit | None) -> dict[int, int]:
    """Overdue (member, course) pairs per unit, from the assignment counters: the members not yet
    done with a course of an assignment past its due date."""
    stmt = (
        select(AssignmentStats.unit_id, func.sum(AssignmentStats.members - AssignmentStats.completed))
        .join(Assignment, Assignment.id == AssignmentStats.assignment_id)
        .where(Assignment.due_on < today, course_condition(AssignmentStats.course_id, filters))
        .group_by(AssignmentStats.unit_id)
    )
    if root is not None:
        stmt = stmt.where(in_subtree(AssignmentStats.unit_id, root.path))
    return {unit_id: int(count) for unit_id, count in session.execute(stmt) if count}


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    stats: Stats
    has_children: bool


def rolled_up(session: Session, root: Unit | None, filters: Filters) -> tuple[Stats, list[UnitRow]]:
    """Totals for `root` (None: the city) and for each of its children, rolled up from below.

    The tree is read as (id, parent, path) tuples; only the children shown are loaded as units.
    """
    per_unit = unit_stats(session, filters, root=root)
    tree = select(Unit.id, Unit.parent_id, Unit.path)
    if root is not None:
        tree = tree.where(subtree(Unit.path, root.path))
    totals: dict[int, Stats] = defaultdict(Stats)
    parents: set[int | None] = set()
    for unit_id, parent_id, path in session.execute(tree):
        parents.add(parent_id)
        own = per_unit.get(unit_id)
        if own is not None:
            for ancestor_id in path.strip("/").split("/"):
                totals[int(ancestor_id)].add(own)
    below = Unit.parent_id == root.id if root else Unit.parent_id.is_(None)
    children = sorted(session.scalars(select(Unit).where(below)), key=lambda u: u.name)
    if root is not None:
        total = totals.get(root.id, Stats())
    else:
        total = Stats()
        for child in children:
            total.add(totals.get(child.id, Stats()))
    return total, [UnitRow(c, totals.get(c.id, Stats()), c.id in parents) for c in children]


@dataclass(frozen=True)
class CadreRow:
    cadre: Cadre
    enrolled: int
    completed: int
    overdue: int
    hours: int


def cadre_rows(session: Session, unit: Unit, filters: Filters, today: date | None = None) -> list[CadreRow]:
    """The cadres of one unit (not below it) with their numbers, in a constant number of queries."""
    today = today or local_today()
    cadres = list(session.scalars(select(Cadre).where(Cadre.unit_id == unit.id).order_by(Cadre.search_name)))
    user_ids = [c.user_id for c in cadres if c.user_id]
    enrolled = _enrolments_by_user(session, user_ids, filters) if user_ids else {}
    completed = _completions_by_user(session, user_ids, filters) if user_ids else {}
    overdue = _overdue_by_cadre(session, unit, today)
    return [
        CadreRow(
            c,
            enrolled.get(c.user_id, 0),
            completed.get(c.user_id, (0, 0))[0],
            overdue.get(c.id, 0),
            int(completed.get(c.user_id, (0, 0))[1] or 0),
        )
        for c in cadres
    ]


def _enrolments_by_user(session: Session, user_ids: list[int], filters: Filters) -> dict[int, int]:
    return dict(
        session.execute(
            select(Enrolment.user_id, func.count())
            .where(Enrolment.user_id.in_(user_ids), course_condition(Enrolment.course_id, filters))
            .group_by(Enrolment.user_id)
        ).all()
    )


def _completions_by_user(session: Session, user_ids: list[int], filters: Filters) -> dict[int, tuple]:
    """(courses completed, periods credited) per user."""
    return {
        uid: (n, hours)
        for uid, n, hours in session.execute(
            select(
                CourseCompletion.user_id,
                func.count(func.distinct(CourseCompletion.course_id)),
                func.sum(CourseCompletion.hours_credited),
            )
            .where(
                CourseCompletion.user_id.in_(user_ids),
                course_condition(CourseCompletion.course_id, filters),
            )
            .group_by(CourseCompletion.user_id)
        )
    }


def _overdue_by_cadre(session: Session, unit: Unit, today: date) -> dict[int, int]:
    """Per cadre of the unit, the courses of assignments past due that they have not completed."""
    members = effective_members().where(Cadre.unit_id == unit.id).subquery()
    return dict(
        session.execute(
            select(members.c.cadre_id, func.count())
            .select_from(members)
            .join(Assignment, Assignment.id == members.c.assignment_id)
            .join(AssignmentCourse, AssignmentCourse.assignment_id == Assignment.id)
            .where(
                Assignment.due_on < today,
                ~exists(
                    select(CourseCompletion.id).where(
                        CourseCompletion.user_id == members.c.user_id,
                        CourseCompletion.course_id == AssignmentCourse.course_id,
                    )
                ),
            )
            .group_by(members.c.cadre_id)
        ).all()
    )


def completions_by_month(
    session: Session, root: Unit | None, filters: Filters, months: int = 12
) -> list[tuple[str, int]]:
    """Completions per month over the last `months` months for the subtree, from the monthly counters."""
    today = local_today()
    keys = []
    year, month = today.year, today.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    keys.reverse()
    if root is not None and root.parent_id is None:  # the root of a one-rooted tree is the city
        roots = session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id.is_(None)))
        root = None if roots == 1 else root
    table = UnitMonthStats if root is not None else CourseMonthStats  # the city: a few hundred rows
    stmt = (
        select(table.month, func.sum(table.completed))
        .where(table.month >= keys[0], course_condition(table.course_id, filters))
        .group_by(table.month)
    )
    if root is not None:
        stmt = stmt.where(in_subtree(UnitMonthStats.unit_id, root.path))
    counts = {m: int(n or 0) for m, n in session.execute(stmt)}
    return [(key, counts.get(key, 0)) for key in keys]
