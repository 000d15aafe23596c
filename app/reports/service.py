"""City-scale completion reporting: aggregated per unit in SQL, rolled up the unit tree in memory
(a few thousand units), so no page loads enrolments or cadres one by one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from app.clock import LOCAL, local_today
from app.errors import NotFound, ValidationFailed
from app.models import (
    Assignment,
    AssignmentCourse,
    AssignmentMember,
    AssignmentStats,
    Cadre,
    CadreHoursStats,
    Course,
    CourseCompletion,
    CourseMonthStats,
    CourseVersion,
    Enrolment,
    PlanningEntry,
    TrainingRecord,
    Unit,
    UnitCourseStats,
    UnitHoursStats,
    UnitMonthStats,
    User,
)
from app.models.profile import training_in_force
from app.org import audit
from app.org.tree import in_subtree, is_within, subtree, units_under
from app.stats.rollups import effective_members, rebuild_assignment_stats
from app.text import nfc


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


@dataclass(frozen=True)
class Filters:
    course_ids: tuple[int, ...] = ()
    category: str = ""
    start: date | None = None
    end: date | None = None


def _start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL)


def _course_condition(column, filters: Filters, session: Session):
    conditions = []
    if filters.course_ids:
        conditions.append(column.in_(filters.course_ids))
    if filters.category:
        conditions.append(
            column.in_(
                select(Course.id)
                .join(
                    CourseVersion,
                    and_(
                        CourseVersion.course_id == Course.id,
                        CourseVersion.number == Course.current_version_number,
                    ),
                )
                .where(CourseVersion.category == filters.category)
            )
        )
    return and_(*conditions) if conditions else literal(True)


def unit_stats(
    session: Session, filters: Filters, today: date | None = None, root: Unit | None = None
) -> dict[int, Stats]:
    """Per unit (the cadre's current unit): enrolments, completions, scores and overdue courses."""
    today = today or local_today()
    completed = CourseCompletion
    completion_window = literal(True)
    if filters.start:
        completion_window = and_(completion_window, completed.completed_at >= _start_utc(filters.start))
    if filters.end:
        completion_window = and_(
            completion_window, completed.completed_at < _start_utc(filters.end + timedelta(days=1))
        )
    matching = and_(
        completed.user_id == Enrolment.user_id, completed.course_id == Enrolment.course_id, completion_window
    )
    done = exists(select(completed.id).where(matching))
    best = select(func.max(completed.score)).where(matching).scalar_subquery()
    enrol_filter = _course_condition(Enrolment.course_id, filters, session)
    if filters.end:
        enrol_filter = and_(enrol_filter, Enrolment.enrolled_at < _start_utc(filters.end + timedelta(days=1)))
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
            .where(_course_condition(UnitCourseStats.course_id, filters, session))
            .group_by(UnitCourseStats.unit_id)
        )
    else:
        per_enrolment = (
            select(Cadre.unit_id.label("unit_id"), done.label("done"), best.label("score"))
            .select_from(Enrolment)
            .join(Cadre, Cadre.user_id == Enrolment.user_id)
            .where(enrol_filter)
            .subquery()
        )
        rows = session.execute(
            select(
                per_enrolment.c.unit_id,
                func.count(),
                func.sum(case((per_enrolment.c.done, 1), else_=0)),
                func.sum(per_enrolment.c.score),
                func.count(per_enrolment.c.score),
            ).group_by(per_enrolment.c.unit_id)
        )
    for unit_id, enrolled, completed_count, score_sum, scored in rows:
        stats[unit_id] = Stats(
            int(enrolled or 0), int(completed_count or 0), float(score_sum or 0), int(scored or 0)
        )
    for unit_id, count in overdue_by_unit(session, filters, today, root).items():
        stats[unit_id].overdue = count
    return stats


def overdue_by_unit(session: Session, filters: Filters, today: date, root: Unit | None) -> dict[int, int]:
    """Overdue (member, course) pairs per unit, from the assignment counters: the members not yet
    done with a course of an assignment past its due date."""
    stmt = (
        select(AssignmentStats.unit_id, func.sum(AssignmentStats.members - AssignmentStats.completed))
        .join(Assignment, Assignment.id == AssignmentStats.assignment_id)
        .where(Assignment.due_on < today, _course_condition(AssignmentStats.course_id, filters, session))
        .group_by(AssignmentStats.unit_id)
    )
    if root is not None:
        stmt = stmt.where(
            in_subtree(AssignmentStats.unit_id, root.path)
        )
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
    enrolled = (
        dict(
            session.execute(
                select(Enrolment.user_id, func.count())
                .where(
                    Enrolment.user_id.in_(user_ids), _course_condition(Enrolment.course_id, filters, session)
                )
                .group_by(Enrolment.user_id)
            ).all()
        )
        if user_ids
        else {}
    )
    completed = (
        {
            uid: (n, hours)
            for uid, n, hours in session.execute(
                select(
                    CourseCompletion.user_id,
                    func.count(func.distinct(CourseCompletion.course_id)),
                    func.sum(CourseCompletion.hours_credited),
                )
                .where(
                    CourseCompletion.user_id.in_(user_ids),
                    _course_condition(CourseCompletion.course_id, filters, session),
                )
                .group_by(CourseCompletion.user_id)
            )
        }
        if user_ids
        else {}
    )
    members = effective_members().where(Cadre.unit_id == unit.id).subquery()
    overdue = dict(
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
        .where(table.month >= keys[0], _course_condition(table.course_id, filters, session))
        .group_by(table.month)
    )
    if root is not None:
        stmt = stmt.where(
            in_subtree(UnitMonthStats.unit_id, root.path)
        )
    counts = {m: int(n or 0) for m, n in session.execute(stmt)}
    return [(key, counts.get(key, 0)) for key in keys]


def iter_cadre_export(session: Session, root: Unit | None, filters: Filters) -> Iterator[list]:
    """Every cadre of the subtree with their numbers, read in batches (flat memory for the whole city)."""
    yield ["employee_code", "full_name", "unit_code", "unit_name", "enrolled", "completed", "hours"]
    enrolments = (
        select(Enrolment.user_id, func.count().label("n"))
        .where(_course_condition(Enrolment.course_id, filters, session))
        .group_by(Enrolment.user_id)
        .subquery()
    )
    completions = (
        select(
            CourseCompletion.user_id,
            func.count(func.distinct(CourseCompletion.course_id)).label("n"),
            func.sum(CourseCompletion.hours_credited).label("hours"),
        )
        .where(_course_condition(CourseCompletion.course_id, filters, session))
        .group_by(CourseCompletion.user_id)
        .subquery()
    )
    stmt = (
        select(
            Cadre.employee_code,
            Cadre.full_name,
            Unit.code,
            Unit.name,
            enrolments.c.n,
            completions.c.n,
            completions.c.hours,
        )
        .join(Unit, Unit.id == Cadre.unit_id)
        .outerjoin(enrolments, enrolments.c.user_id == Cadre.user_id)
        .outerjoin(completions, completions.c.user_id == Cadre.user_id)
        .order_by(Unit.path, Cadre.search_name)
        .execution_options(yield_per=5000)
    )
    if root is not None:
        stmt = stmt.where(subtree(Unit.path, root.path))
    for row in session.execute(stmt):
        yield [row[0], row[1], row[2], row[3], row[4] or 0, row[5] or 0, int(row[6] or 0)]


# --- assignments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentInput:
    name: str
    course_codes: tuple[str, ...]
    target_kind: str
    due_on: date
    unit_code: str = ""
    title_code: str = ""
    employee_codes: tuple[str, ...] = ()
    follows_movers: bool = False


def create_assignment(session: Session, actor: User, data: AssignmentInput, scope: Unit | None) -> Assignment:
    """Assign courses to a target, resolved now into members. Raises ValidationFailed naming the field."""
    if not data.name.strip():
        raise ValidationFailed(_l("Required."), field="name")
    courses = list(session.scalars(select(Course).where(Course.code.in_(data.course_codes))))
    if not courses or len(courses) != len(set(data.course_codes)):
        raise ValidationFailed(_l("Choose one or more existing courses."), field="courses")
    if data.due_on < local_today():
        raise ValidationFailed(_l("The due date has passed."), field="due_on")
    cadres = select(Cadre.id)
    unit = None
    if data.target_kind == "unit":
        unit = session.scalar(select(Unit).where(Unit.code == data.unit_code))
        if unit is None:
            raise ValidationFailed(_l("No unit has this code."), field="unit_code")
        cadres = cadres.where(
            in_subtree(Cadre.unit_id, unit.path)
        )
    elif data.target_kind == "title":
        cadres = cadres.where(Cadre.title_code == data.title_code)
    elif data.target_kind == "planning":
        today = local_today()
        cadres = cadres.where(
            Cadre.id.in_(
                select(PlanningEntry.cadre_id).where(
                    PlanningEntry.title_code == data.title_code,
                    PlanningEntry.valid_from <= today,
                    or_(PlanningEntry.valid_to.is_(None), PlanningEntry.valid_to >= today),
                )
            )
        )
    elif data.target_kind == "cadres":
        codes = [c.strip().upper() for c in data.employee_codes if c.strip()]
        cadres = cadres.where(Cadre.employee_code.in_(codes))
        found = set(session.scalars(select(Cadre.employee_code).where(Cadre.employee_code.in_(codes))))
        unknown = [c for c in codes if c not in found]
        if unknown or not codes:
            raise ValidationFailed(
                _l("Unknown employee codes: %(codes)s", codes=", ".join(unknown) or "—"),
                field="employee_codes",
            )
    else:
        raise ValidationFailed(_l("Unknown target."), field="target_kind")
    if scope is not None:
        cadres = cadres.where(
            in_subtree(Cadre.unit_id, scope.path)
        )
        if unit is not None and not is_within(unit.path, scope.path):
            raise ValidationFailed(_l("This unit is outside yours."), field="unit_code")
    assignment = Assignment(
        name=nfc(data.name).strip(),
        target_kind=data.target_kind,
        unit_id=unit.id if unit else None,
        title_code=data.title_code or None,
        due_on=data.due_on,
        follows_movers=data.follows_movers,
        created_by_id=actor.id,
    )
    session.add(assignment)
    session.flush()
    for course in courses:
        session.add(AssignmentCourse(assignment_id=assignment.id, course_id=course.id))
    ids = list(session.scalars(cadres))
    if ids:
        session.execute(
            AssignmentMember.__table__.insert(),
            [
                {"assignment_id": assignment.id, "cadre_id": cid, "added_at": datetime.now(LOCAL)}
                for cid in ids
            ],
        )
    session.flush()
    rebuild_assignment_stats(session, [assignment.id])
    audit.record(session, actor, "create_assignment", "assignment", assignment.id, members=len(ids))
    return assignment


@dataclass(frozen=True)
class AssignmentSummary:
    assignment: Assignment
    members: int
    completed: int  # member × course pairs completed
    overdue: int


def assignment_summaries(session: Session, scope: Unit | None) -> list[AssignmentSummary]:
    """Members, completed and overdue (member, course) pairs per assignment, from its counters."""
    today = local_today()
    per_unit = select(
        AssignmentStats.assignment_id,
        AssignmentStats.unit_id,
        func.max(AssignmentStats.members).label("members"),  # the same for each of its courses
        func.sum(AssignmentStats.completed).label("completed"),
        func.sum(AssignmentStats.members - AssignmentStats.completed).label("open"),
    ).group_by(AssignmentStats.assignment_id, AssignmentStats.unit_id)
    if scope is not None:
        per_unit = per_unit.where(
            in_subtree(AssignmentStats.unit_id, scope.path)
        )
    m = per_unit.subquery()
    rows = session.execute(
        select(
            m.c.assignment_id,
            func.sum(m.c.members),
            func.sum(m.c.completed),
            func.sum(case((Assignment.due_on < today, m.c.open), else_=0)),
        )
        .join(Assignment, Assignment.id == m.c.assignment_id)
        .group_by(m.c.assignment_id)
    ).all()
    counts = {aid: (n, int(c or 0), int(o or 0)) for aid, n, c, o in rows}
    assignments = session.scalars(select(Assignment).order_by(Assignment.due_on.desc(), Assignment.id.desc()))
    result = []
    for a in assignments:
        if a.id in counts or scope is None:
            n, c, o = counts.get(a.id, (0, 0, 0))
            result.append(AssignmentSummary(a, n, c, o))
    return result


@dataclass(frozen=True)
class MyAssignment:
    assignment: Assignment
    course: Course
    due_on: date
    completed: bool

    @property
    def overdue(self) -> bool:
        return not self.completed and self.due_on < local_today()


def my_assignments(session: Session, user: User) -> list[MyAssignment]:
    """What is assigned to the learner (through their cadre profile), with due dates."""
    cadre_id = session.scalar(select(Cadre.id).where(Cadre.user_id == user.id))
    if cadre_id is None:
        return []
    m = effective_members().where(AssignmentMember.cadre_id == cadre_id).subquery()
    rows = session.execute(
        select(Assignment, Course)
        .join(m, m.c.assignment_id == Assignment.id)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == Assignment.id)
        .join(Course, Course.id == AssignmentCourse.course_id)
        .order_by(Assignment.due_on)
    ).all()
    done = set(session.scalars(select(CourseCompletion.course_id).where(CourseCompletion.user_id == user.id)))
    return [MyAssignment(a, c, a.due_on, c.id in done) for a, c in rows]


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


# --- annual training hours ----------------------------------------------------------------------


@dataclass(frozen=True)
class HoursRow:
    unit: Unit
    by_category: dict[str, int]
    cadres: int
    short: int  # cadres below the target (0 when no target is set)

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


def hours_report(
    session: Session, root: Unit | None, year: int, target: int
) -> tuple[list[HoursRow], list[str]]:
    """Periods (tiết) credited in `year` per child unit and content area, and (with a target) how
    many cadres fall short; read from the hours counters per unit, rolled up in memory."""
    scope = units_under(root.path) if root else None
    tree = select(Unit.id, Unit.path)
    if root is not None:
        tree = tree.where(subtree(Unit.path, root.path))
    paths = dict(session.execute(tree).all())
    per_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    hours = select(UnitHoursStats.unit_id, UnitHoursStats.category, UnitHoursStats.hours).where(
        UnitHoursStats.year == year
    )
    if root is not None:
        hours = hours.where(UnitHoursStats.unit_id.in_(scope))
    for unit_id, category, value in session.execute(hours):
        per_unit[unit_id][category] += int(value or 0)
    people = select(Cadre.unit_id, func.count()).group_by(Cadre.unit_id)
    if root is not None:
        people = people.where(Cadre.unit_id.in_(scope))
    headcount = dict(session.execute(people).all())
    short: dict[int, int] = {}
    if target > 0:
        credited = and_(CadreHoursStats.cadre_id == Cadre.id, CadreHoursStats.year == year)
        short = dict(
            session.execute(
                people.outerjoin(CadreHoursStats, credited).where(
                    func.coalesce(CadreHoursStats.hours, 0) < target
                )
            ).all()
        )
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, path in paths.items():
        for ancestor in (int(p) for p in path.strip("/").split("/")):
            for category, value in per_unit.get(unit_id, {}).items():
                totals[ancestor][category] += value
            counts[ancestor][0] += headcount.get(unit_id, 0)
            counts[ancestor][1] += short.get(unit_id, 0)
    below = Unit.parent_id == root.id if root else Unit.parent_id.is_(None)
    children = sorted(session.scalars(select(Unit).where(below)), key=lambda u: u.name)
    categories = sorted({c for values in per_unit.values() for c, v in values.items() if v})
    return [HoursRow(c, dict(totals[c.id]), counts[c.id][0], counts[c.id][1]) for c in children], categories


def short_cadres(
    session: Session, unit: Unit, year: int, target: int, limit: int = 500
) -> list[tuple[Cadre, int]]:
    """Cadres of a unit's subtree below the annual target, with the periods they have."""
    credited = (
        select(TrainingRecord.cadre_id, func.sum(TrainingRecord.hours).label("hours"))
        .where(
            TrainingRecord.completed_on.between(date(year, 1, 1), date(year, 12, 31)),
            TrainingRecord.is_revoked.is_(False),
            training_in_force(),
        )
        .group_by(TrainingRecord.cadre_id)
        .subquery()
    )
    hours = func.coalesce(credited.c.hours, 0)
    return [
        (c, int(h))
        for c, h in session.execute(
            select(Cadre, hours)
            .outerjoin(credited, credited.c.cadre_id == Cadre.id)
            .where(
                hours < target,
                in_subtree(Cadre.unit_id, unit.path),
            )
            .order_by(hours, Cadre.search_name)
            .limit(limit)
        ).all()
    ]


GENDER_WORDS = {"male": "Nam", "female": "Nữ"}
STAFF_WORDS = {"cadre": "cán bộ", "civil_servant": "công chức", "public_employee": "viên chức"}


def iter_profile_export(session: Session, root: Unit | None) -> Iterator[list]:
    """Cadre profiles in the import format, so an export re-imports unchanged (batched reads)."""
    yield [
        "employee_code",
        "full_name",
        "date_of_birth",
        "gender",
        "staff_type",
        "unit_code",
        "job_position",
        "title_code",
        "rank",
        "professional_qualification",
    ]
    stmt = (
        select(
            Cadre.employee_code,
            Cadre.full_name,
            Cadre.date_of_birth,
            Cadre.gender,
            Cadre.staff_type,
            Unit.code,
            Cadre.job_position,
            Cadre.title_code,
            Cadre.rank,
            Cadre.professional_qualification,
        )
        .join(Unit, Unit.id == Cadre.unit_id)
        .order_by(Cadre.employee_code)
        .execution_options(yield_per=5000)
    )
    if root is not None:
        stmt = stmt.where(subtree(Unit.path, root.path))
    for code, name, born, gender, staff, unit, job, title, rank, qualification in session.execute(stmt):
        yield [
            code,
            name,
            born.strftime("%d/%m/%Y"),
            GENDER_WORDS.get(gender, gender),
            STAFF_WORDS.get(staff, staff),
            unit,
            job,
            title or "",
            rank,
            qualification,
        ]


def iter_unit_export(session: Session, root: Unit | None) -> Iterator[list]:
    """The unit tree in the import format (parents before children)."""
    yield ["code", "name", "type", "parent_code"]
    parent = aliased(Unit)
    stmt = (
        select(Unit.code, Unit.name, Unit.type, parent.code)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .order_by(Unit.path)
    )
    if root is not None:
        stmt = stmt.where(subtree(Unit.path, root.path))
    for code, name, kind, parent_code in session.execute(stmt):
        yield [code, name, kind, parent_code or ""]
