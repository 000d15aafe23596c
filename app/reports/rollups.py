"""Per-unit counters behind the dashboard: bumped as learners enrol and complete, moved when a
cadre changes unit, rebuilt in set-based statements after bulk changes (imports, the seed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import LOCAL
from app.models import Cadre, CourseCompletion, Enrolment, UnitCourseStats, UnitMonthStats


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
    _upsert(
        session,
        UnitMonthStats,
        {"unit_id": unit_id, "course_id": course_id, "month": month},
        {"completed": completed},
        {"completed": max(completed, 0)},
    )


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
    return session.scalar(select(func.count()).select_from(UnitCourseStats)) or 0
