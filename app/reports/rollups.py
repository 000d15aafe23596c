"""Per-unit, per-course counters behind the dashboard: bumped as learners enrol and complete,
rebuilt in one set-based statement after bulk changes (imports, the seed, cadres moving)."""

from __future__ import annotations

from sqlalchemy import case, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Cadre, CourseCompletion, Enrolment, UnitCourseStats


def bump(
    session: Session,
    user_id: int,
    course_id: int,
    *,
    enrolled: int = 0,
    completed: int = 0,
    score: float | None = None,
) -> None:
    """Add to the counters of the learner's unit (nothing when the account has no cadre profile)."""
    unit_id = session.scalar(select(Cadre.unit_id).where(Cadre.user_id == user_id))
    if unit_id is not None:
        _add(session, unit_id, course_id, enrolled, completed, score, 1)


def rebuild(session: Session) -> int:
    """Recompute every counter from enrolments and completions (about a second for the city)."""
    done = exists(
        select(CourseCompletion.id).where(
            CourseCompletion.user_id == Enrolment.user_id, CourseCompletion.course_id == Enrolment.course_id
        )
    )
    best = (
        select(func.max(CourseCompletion.score))
        .where(
            CourseCompletion.user_id == Enrolment.user_id, CourseCompletion.course_id == Enrolment.course_id
        )
        .scalar_subquery()
    )
    per_enrolment = (
        select(
            Cadre.unit_id.label("unit_id"),
            Enrolment.course_id.label("course_id"),
            done.label("done"),
            best.label("score"),
        )
        .join(Cadre, Cadre.user_id == Enrolment.user_id)
        .subquery()
    )
    rows = select(
        per_enrolment.c.unit_id,
        per_enrolment.c.course_id,
        func.count(),
        func.sum(case((per_enrolment.c.done, 1), else_=0)),
        func.coalesce(func.sum(per_enrolment.c.score), 0.0),
        func.count(per_enrolment.c.score),
    ).group_by(per_enrolment.c.unit_id, per_enrolment.c.course_id)
    session.execute(delete(UnitCourseStats))
    session.execute(
        insert(UnitCourseStats).from_select(
            ["unit_id", "course_id", "enrolled", "completed", "score_sum", "scored"], rows
        )
    )
    return session.scalar(select(func.count()).select_from(UnitCourseStats)) or 0


def move_learner(session: Session, user_id: int, old_unit_id: int | None, new_unit_id: int | None) -> None:
    """Carry a learner's counters from one unit to another (a move, or a profile linked or unlinked)."""
    if old_unit_id == new_unit_id:
        return
    rows = session.execute(
        select(
            Enrolment.course_id,
            select(func.max(CourseCompletion.score))
            .where(CourseCompletion.user_id == user_id, CourseCompletion.course_id == Enrolment.course_id)
            .scalar_subquery(),
            exists(
                select(CourseCompletion.id).where(
                    CourseCompletion.user_id == user_id, CourseCompletion.course_id == Enrolment.course_id
                )
            ),
        ).where(Enrolment.user_id == user_id)
    ).all()
    for unit_id, sign in ((old_unit_id, -1), (new_unit_id, 1)):
        if unit_id is None:
            continue
        for course_id, score, done in rows:
            _add(session, unit_id, course_id, sign, sign if done else 0, score, sign)


def _add(
    session: Session, unit_id: int, course_id: int, enrolled: int, completed: int, score, sign: int
) -> None:
    values = {
        "enrolled": UnitCourseStats.enrolled + enrolled,
        "completed": UnitCourseStats.completed + completed,
        "score_sum": UnitCourseStats.score_sum + sign * (score or 0.0),
        "scored": UnitCourseStats.scored + (sign if score is not None else 0),
    }
    where = (UnitCourseStats.unit_id == unit_id, UnitCourseStats.course_id == course_id)
    if session.execute(update(UnitCourseStats).where(*where).values(**values)).rowcount:
        return
    row = UnitCourseStats(
        unit_id=unit_id,
        course_id=course_id,
        enrolled=max(enrolled, 0),
        completed=max(completed, 0),
        score_sum=max(sign * (score or 0.0), 0.0),
        scored=1 if score is not None and sign > 0 else 0,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # created by another request meanwhile
        session.execute(update(UnitCourseStats).where(*where).values(**values))
