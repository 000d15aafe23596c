"""Counters behind the dashboard and the assignments page: bumped as learners enrol and complete,
moved when a cadre changes unit or post, rebuilt in set-based statements after bulk changes
(imports, unit moves, the seed). A test holds the kept counters equal to a rebuild."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.clock import LOCAL
from app.models import (
    Assignment,
    AssignmentCourse,
    AssignmentMember,
    AssignmentStats,
    Cadre,
    CadreHoursStats,
    CourseCompletion,
    CourseMonthStats,
    Enrolment,
    TrainingRecord,
    Unit,
    UnitCourseStats,
    UnitHoursStats,
    UnitMonthStats,
)
from app.models.profile import training_in_force
from app.org.events import units_moved
from app.org.tree import subtree


def local_month(session: Session, column):
    """YYYY-MM of a UTC timestamp column in Vietnam time, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+7 hours")
    return func.to_char(func.timezone("Asia/Ho_Chi_Minh", column), "YYYY-MM")


def _upsert(session: Session, model, key: dict, deltas: dict, initial: dict) -> None:
    """Add `deltas` to the row with `key`, creating it (with `initial`) when it does not exist."""
    where = [getattr(model, k) == v for k, v in key.items()]
    values = {k: getattr(model, k) + v for k, v in deltas.items()}
    if session.execute(update(model).where(*where).values(**values)).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(model(**key, **initial))
    except IntegrityError:  # created by another request meanwhile
        session.execute(update(model).where(*where).values(**values))


def _add(
    session: Session, unit_id: int, course_id: int, enrolled: int, completed: int, score, sign: int
) -> None:
    scored = sign if score is not None else 0
    deltas = {
        "enrolled": enrolled,
        "completed": completed,
        "score_sum": sign * (score or 0.0),
        "scored": scored,
    }
    _upsert(
        session,
        UnitCourseStats,
        {"unit_id": unit_id, "course_id": course_id},
        deltas,
        {k: max(v, 0) for k, v in deltas.items()},
    )


def _add_month(session: Session, unit_id: int, course_id: int, month: str, completed: int) -> None:
    """Completions in a month, for the unit and (the same delta) for the city as a whole."""
    for model, key in (
        (UnitMonthStats, {"unit_id": unit_id, "course_id": course_id, "month": month}),
        (CourseMonthStats, {"course_id": course_id, "month": month}),
    ):
        _upsert(session, model, key, {"completed": completed}, {"completed": max(completed, 0)})


def bump(
    session: Session,
    user_id: int,
    course_id: int,
    *,
    enrolled: int = 0,
    completed: int = 0,
    score: float | None = None,
    completed_at: datetime | None = None,
) -> None:
    """Add to the counters of the learner's unit (nothing when the account has no cadre profile)."""
    unit_id = session.scalar(select(Cadre.unit_id).where(Cadre.user_id == user_id))
    if unit_id is None:
        return
    _add(session, unit_id, course_id, enrolled, completed, score, 1)
    if completed and completed_at is not None:
        _add_month(session, unit_id, course_id, completed_at.astimezone(LOCAL).strftime("%Y-%m"), completed)


def move_learner(session: Session, user_id: int, old_unit_id: int | None, new_unit_id: int | None) -> None:
    """Carry a learner's counters from one unit to another (a move, or a profile linked)."""
    if old_unit_id == new_unit_id:
        return
    matching = (CourseCompletion.user_id == user_id, CourseCompletion.course_id == Enrolment.course_id)
    rows = session.execute(
        select(
            Enrolment.course_id,
            select(func.max(CourseCompletion.score)).where(*matching).scalar_subquery(),
            exists(select(CourseCompletion.id).where(*matching)),
        ).where(Enrolment.user_id == user_id)
    ).all()
    month = local_month(session, CourseCompletion.completed_at)
    months = session.execute(
        select(CourseCompletion.course_id, month, func.count())
        .where(CourseCompletion.user_id == user_id)
        .group_by(CourseCompletion.course_id, month)
    ).all()
    for unit_id, sign in ((old_unit_id, -1), (new_unit_id, 1)):
        if unit_id is None:
            continue
        for course_id, score, done in rows:
            _add(session, unit_id, course_id, sign, sign if done else 0, score, sign)
        for course_id, key, count in months:
            _add_month(session, unit_id, course_id, key, sign * count)


def rebuild(session: Session) -> int:
    """Recompute every counter from enrolments and completions (about a second for the city)."""
    matching = (
        CourseCompletion.user_id == Enrolment.user_id,
        CourseCompletion.course_id == Enrolment.course_id,
    )
    per_enrolment = (
        select(
            Cadre.unit_id.label("unit_id"),
            Enrolment.course_id.label("course_id"),
            exists(select(CourseCompletion.id).where(*matching)).label("done"),
            select(func.max(CourseCompletion.score)).where(*matching).scalar_subquery().label("score"),
        )
        .select_from(Enrolment)
        .join(Cadre, Cadre.user_id == Enrolment.user_id)
        .subquery()
    )
    session.execute(delete(UnitCourseStats))
    session.execute(
        insert(UnitCourseStats).from_select(
            ["unit_id", "course_id", "enrolled", "completed", "score_sum", "scored"],
            select(
                per_enrolment.c.unit_id,
                per_enrolment.c.course_id,
                func.count(),
                func.sum(case((per_enrolment.c.done, 1), else_=0)),
                func.coalesce(func.sum(per_enrolment.c.score), 0.0),
                func.count(per_enrolment.c.score),
            ).group_by(per_enrolment.c.unit_id, per_enrolment.c.course_id),
        )
    )
    month = local_month(session, CourseCompletion.completed_at)
    session.execute(delete(UnitMonthStats))
    session.execute(
        insert(UnitMonthStats).from_select(
            ["unit_id", "course_id", "month", "completed"],
            select(Cadre.unit_id, CourseCompletion.course_id, month, func.count())
            .join(Cadre, Cadre.user_id == CourseCompletion.user_id)
            .group_by(Cadre.unit_id, CourseCompletion.course_id, month),
        )
    )
    session.execute(delete(CourseMonthStats))
    session.execute(
        insert(CourseMonthStats).from_select(
            ["course_id", "month", "completed"],
            select(
                UnitMonthStats.course_id, UnitMonthStats.month, func.sum(UnitMonthStats.completed)
            ).group_by(UnitMonthStats.course_id, UnitMonthStats.month),
        )
    )
    rebuild_assignment_stats(session)
    rebuild_hours(session)
    return session.scalar(select(func.count()).select_from(UnitCourseStats)) or 0


# --- assignments ---------------------------------------------------------------------------------


def effective_members(*, include_cancelled: bool = False):
    """(assignment_id, cadre_id, user_id, unit_id) of the members an assignment still applies to.

    A member who has left the target (moved out of the unit subtree, changed post) drops out
    unless the assignment follows movers; named cadres and planning pools keep their members.
    A cancelled assignment applies to nobody (unless `include_cancelled`: whom it applied to).
    """
    assigned_unit = aliased(Unit)
    cadre_unit = aliased(Unit)
    still_in = or_(
        Assignment.follows_movers.is_(True),
        Assignment.target_kind.in_(("cadres", "planning")),
        and_(
            Assignment.target_kind == "unit",
            subtree(cadre_unit.path, assigned_unit.path),
        ),
        and_(Assignment.target_kind == "title", Cadre.title_code == Assignment.title_code),
    )
    members = (
        select(AssignmentMember.assignment_id, AssignmentMember.cadre_id, Cadre.user_id, Cadre.unit_id)
        .join(Assignment, Assignment.id == AssignmentMember.assignment_id)
        .join(Cadre, Cadre.id == AssignmentMember.cadre_id)
        .join(cadre_unit, cadre_unit.id == Cadre.unit_id)
        .outerjoin(assigned_unit, assigned_unit.id == Assignment.unit_id)
        .where(still_in)
    )
    return members if include_cancelled else members.where(Assignment.cancelled_at.is_(None))


def _assignment_counts(members):
    """(assignment, unit, course, members, completed) of the effective members in `members`."""
    m = members.subquery()
    done = exists(
        select(CourseCompletion.id).where(
            CourseCompletion.user_id == m.c.user_id, CourseCompletion.course_id == AssignmentCourse.course_id
        )
    )
    return (
        select(
            m.c.assignment_id,
            m.c.unit_id,
            AssignmentCourse.course_id,
            func.count(),
            func.sum(case((done, 1), else_=0)),
        )
        .select_from(m)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == m.c.assignment_id)
        .group_by(m.c.assignment_id, m.c.unit_id, AssignmentCourse.course_id)
    )


@units_moved.connect
def _units_moved(session: Session) -> None:
    rebuild_assignment_stats(session)


def rebuild_assignment_stats(session: Session, assignment_ids: list[int] | None = None) -> None:
    """Recompute the counters of the given assignments (all of them when None) in two statements."""
    members = effective_members()
    wipe = delete(AssignmentStats)
    if assignment_ids is not None:
        members = members.where(AssignmentMember.assignment_id.in_(assignment_ids))
        wipe = wipe.where(AssignmentStats.assignment_id.in_(assignment_ids))
    session.execute(wipe)
    session.execute(
        insert(AssignmentStats).from_select(
            ["assignment_id", "unit_id", "course_id", "members", "completed"], _assignment_counts(members)
        )
    )


def _member_counts(session: Session, cadre_ids: list[int]) -> dict[tuple[int, int, int], tuple[int, int]]:
    members = effective_members().where(AssignmentMember.cadre_id.in_(cadre_ids))
    return {(a, u, c): (n, int(d or 0)) for a, u, c, n, d in session.execute(_assignment_counts(members))}


@contextmanager
def tracking_members(session: Session, cadre_ids: list[int]):
    """Wrap a change to these cadres (unit, post, linked account): their part of the assignment
    counters is taken before and after it, and the difference applied."""
    before = _member_counts(session, cadre_ids)
    yield
    session.flush()
    after = _member_counts(session, cadre_ids)
    for key in before.keys() | after.keys():
        old, new = before.get(key, (0, 0)), after.get(key, (0, 0))
        if old != new:
            deltas = {"members": new[0] - old[0], "completed": new[1] - old[1]}
            _upsert(
                session,
                AssignmentStats,
                dict(zip(("assignment_id", "unit_id", "course_id"), key, strict=True)),
                deltas,
                {k: max(v, 0) for k, v in deltas.items()},
            )


def count_first_completion(session: Session, user_id: int, course_id: int) -> None:
    """A learner's first completion of a course: +1 completed wherever they are a member for it."""
    members = effective_members().where(Cadre.user_id == user_id).subquery()
    session.execute(
        update(AssignmentStats)
        .where(
            AssignmentStats.course_id == course_id,
            tuple_(AssignmentStats.assignment_id, AssignmentStats.unit_id).in_(
                select(members.c.assignment_id, members.c.unit_id)
            ),
        )
        .values(completed=AssignmentStats.completed + 1)
    )


# --- training hours ------------------------------------------------------------------------------


def year_of(session: Session, column):
    """The calendar year of a date column, as an integer, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%Y", column), Integer)
    return cast(func.extract("year", column), Integer)


def count_training(session: Session, record: TrainingRecord, sign: int) -> None:
    """Credit (sign 1) or take back (-1) a training record's periods, for the cadre's unit."""
    if record.is_revoked or not record.hours:
        return
    unit_id = session.scalar(select(Cadre.unit_id).where(Cadre.id == record.cadre_id))
    year, hours = record.completed_on.year, sign * record.hours
    key = {"unit_id": unit_id, "year": year, "category": record.category or "other"}
    _upsert(session, UnitHoursStats, key, {"hours": hours}, {"hours": max(hours, 0)})
    key = {"cadre_id": record.cadre_id, "year": year}
    _upsert(session, CadreHoursStats, key, {"hours": hours}, {"hours": max(hours, 0)})


def _credited(session: Session):
    """(cadre, year, area, periods) of each training record in force, to be grouped."""
    return (
        select(
            TrainingRecord.cadre_id,
            year_of(session, TrainingRecord.completed_on).label("year"),
            func.coalesce(TrainingRecord.category, literal_column("'other'")).label("category"),
            TrainingRecord.hours,
        )
        .where(TrainingRecord.is_revoked.is_(False), training_in_force())
        .subquery()
    )


def move_cadre(session: Session, cadre: Cadre, unit_id: int) -> None:
    """Move a cadre to another unit, carrying their course and hours counters with them."""
    if cadre.unit_id == unit_id:
        return
    if cadre.user_id is not None:
        move_learner(session, cadre.user_id, cadre.unit_id, unit_id)
    credited = _credited(session)
    rows = session.execute(
        select(credited.c.year, credited.c.category, func.sum(credited.c.hours))
        .where(credited.c.cadre_id == cadre.id)
        .group_by(credited.c.year, credited.c.category)
    ).all()
    for unit, sign in ((cadre.unit_id, -1), (unit_id, 1)):
        for year, category, hours in rows:
            key = {"unit_id": unit, "year": year, "category": category}
            _upsert(session, UnitHoursStats, key, {"hours": sign * hours}, {"hours": max(sign * hours, 0)})
    cadre.unit_id = unit_id


def rebuild_hours(session: Session) -> None:
    """Recompute the hours counters from the training records in force."""
    credited = _credited(session)
    session.execute(delete(UnitHoursStats))
    session.execute(
        insert(UnitHoursStats).from_select(
            ["unit_id", "year", "category", "hours"],
            select(Cadre.unit_id, credited.c.year, credited.c.category, func.sum(credited.c.hours))
            .join(Cadre, Cadre.id == credited.c.cadre_id)
            .group_by(Cadre.unit_id, credited.c.year, credited.c.category),
        )
    )
    session.execute(delete(CadreHoursStats))
    session.execute(
        insert(CadreHoursStats).from_select(
            ["cadre_id", "year", "hours"],
            select(credited.c.cadre_id, credited.c.year, func.sum(credited.c.hours)).group_by(
                credited.c.cadre_id, credited.c.year
            ),
        )
    )
