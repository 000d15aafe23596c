"""Who an assignment is for and how far each of them is: completed (every course of it),
in progress (enrolled in or completed one), not started; and who is overdue (not completed once
the due date has passed, unless the assignment is cancelled). Worked out in SQL for one page of
members at a time, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import Session, joinedload

from app import policy
from app.clock import local_today
from app.models import (
    CURRENT_VERSION,
    Assignment,
    AssignmentCourse,
    AssignmentMember,
    AuditEntry,
    Cadre,
    Course,
    CourseCompletion,
    CourseVersion,
    Enrolment,
    User,
)
from app.stats.rollups import effective_members

STATES = ("completed", "in_progress", "not_started")
SHOWN = ("all", "overdue", *STATES)  # the member filters of the assignment page


def is_overdue(assignment: Assignment, today: date | None = None) -> bool:
    """Whether the assignment's due date has passed (a cancelled one is never overdue)."""
    return not assignment.is_cancelled and assignment.due_on < (today or local_today())


def course_titles(session: Session, assignment: Assignment) -> list[tuple[str, str]]:
    """(code, title of the current version) of the assignment's courses, by code."""
    return [
        (code, title)
        for code, title in session.execute(
            select(Course.code, CourseVersion.title)
            .join(AssignmentCourse, AssignmentCourse.course_id == Course.id)
            .join(
                CourseVersion,
                CURRENT_VERSION,
            )
            .where(AssignmentCourse.assignment_id == assignment.id)
            .order_by(Course.code)
        )
    ]


def _progress(actor, assignment: Assignment):
    """Per member the actor may see: cadre, courses of the assignment completed and started, and
    state. A cancelled assignment lists whom it applied to."""
    courses = select(AssignmentCourse.course_id).where(AssignmentCourse.assignment_id == assignment.id)
    m = (
        effective_members(include_cancelled=True)
        .where(AssignmentMember.assignment_id == assignment.id, policy.visible_cadres(actor))
        .subquery()
    )
    done = (
        select(func.count(func.distinct(CourseCompletion.course_id)))
        .where(CourseCompletion.user_id == m.c.user_id, CourseCompletion.course_id.in_(courses))
        .scalar_subquery()
    )
    started = (
        select(func.count(Enrolment.id))
        .where(Enrolment.user_id == m.c.user_id, Enrolment.course_id.in_(courses))
        .scalar_subquery()
    )
    total = select(func.count()).select_from(courses.subquery()).scalar_subquery()
    state = case((done >= total, "completed"), (done + started > 0, "in_progress"), else_="not_started")
    return select(
        m.c.cadre_id.label("cadre_id"), done.label("done"), total.label("total"), state.label("state")
    ).subquery()


@dataclass(frozen=True)
class MemberCounts:
    members: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int


def member_counts(session: Session, actor, assignment: Assignment) -> MemberCounts:
    p = _progress(actor, assignment)
    by_state = dict(session.execute(select(p.c.state, func.count()).group_by(p.c.state)).all())
    open_ = by_state.get("in_progress", 0) + by_state.get("not_started", 0)
    return MemberCounts(
        sum(by_state.values()),
        by_state.get("completed", 0),
        by_state.get("in_progress", 0),
        by_state.get("not_started", 0),
        open_ if is_overdue(assignment) else 0,
    )


def _where_shown(p, assignment: Assignment, show: str):
    if show in STATES:
        return p.c.state == show
    if show == "overdue":
        return p.c.state != "completed" if is_overdue(assignment) else false()
    return None


def members_query(actor, assignment: Assignment, show: str = "all") -> Select:
    """The members shown (a filter of SHOWN), by name: a statement of Cadre to paginate."""
    p = _progress(actor, assignment)
    stmt = (
        select(Cadre)
        .join(p, p.c.cadre_id == Cadre.id)
        .options(joinedload(Cadre.unit))
        .order_by(Cadre.full_name, Cadre.id)
    )
    condition = _where_shown(p, assignment, show)
    return stmt if condition is None else stmt.where(condition)


@dataclass(frozen=True)
class MemberProgress:
    done: int
    total: int
    state: str
    overdue: bool


def progress_of(
    session: Session, actor, assignment: Assignment, cadre_ids: list[int]
) -> dict[int, MemberProgress]:
    """The progress of these members (one page of them), in one query."""
    if not cadre_ids:
        return {}
    p = _progress(actor, assignment)
    late = is_overdue(assignment)
    return {
        cadre_id: MemberProgress(done, total, state, late and state != "completed")
        for cadre_id, done, total, state in session.execute(select(p).where(p.c.cadre_id.in_(cadre_ids)))
    }


def overdue_rows(session: Session, actor, assignment: Assignment):
    """The overdue members for a CSV: code, name, unit, courses completed of the assignment's."""
    p = _progress(actor, assignment)
    yield ["employee_code", "full_name", "unit_code", "unit_name", "courses_completed", "courses", "due_on"]
    stmt = (
        select(Cadre, p.c.done, p.c.total)
        .join(p, p.c.cadre_id == Cadre.id)
        .where(_where_shown(p, assignment, "overdue"))
        .options(joinedload(Cadre.unit))
        .order_by(Cadre.full_name, Cadre.id)
    )
    for cadre, done, total in session.execute(stmt):
        yield [
            cadre.employee_code,
            cadre.full_name,
            cadre.unit.code,
            cadre.unit.name,
            done,
            total,
            assignment.due_on.isoformat(),
        ]


@dataclass(frozen=True)
class Change:
    action: str
    at: object
    actor: str
    detail: dict


def history(session: Session, assignment: Assignment) -> list[Change]:
    """Who made, changed and cancelled the assignment, and when (from the audit log)."""
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.at, User.full_name, AuditEntry.detail)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(
            AuditEntry.target_type == "assignment",
            AuditEntry.target_id == assignment.id,
            AuditEntry.action.in_(("create_assignment", "edit_assignment", "cancel_assignment")),
        )
        .order_by(AuditEntry.seq)
    )
    return [Change(action, at, name or "", _dated(detail or {})) for action, at, name, detail in rows]


def _dated(detail: dict) -> dict:
    """An entry's detail with its dates as dates again (the audit log keeps text)."""
    return {k: date.fromisoformat(v) if k.startswith("due_on_") else v for k, v in detail.items()}
