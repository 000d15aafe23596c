"""Assigning courses to a target (a unit and the units below it, the holders of a title, a
planning pool, named cadres), resolved into members when it is made; what each assignment has
achieved, from its counters; and what is assigned to a learner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app import policy
from app.clock import local_today
from app.errors import ValidationFailed
from app.models import (
    Assignment,
    AssignmentCourse,
    AssignmentMember,
    AssignmentStats,
    Cadre,
    Course,
    CourseCompletion,
    PlanningEntry,
    Unit,
    User,
)
from app.models.base import utcnow
from app.org import audit
from app.org.picker import unit_in_scope
from app.org.tree import in_subtree, is_within
from app.stats.rollups import effective_members, rebuild_assignment_stats
from app.text import nfc


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
    """Assign courses to a target, resolved now into members (within `scope`, the admin's unit;
    None: the city). Flushes. Raises ValidationFailed naming the field."""
    courses = _checked(session, data.name, data.course_codes, data.due_on)
    cadres, unit = _target(session, data, scope.path if scope is not None else None)
    if scope is not None:
        cadres = cadres.where(in_subtree(Cadre.unit_id, scope.path))
    assignment = Assignment(
        name=nfc(data.name).strip(),
        target_kind=data.target_kind,
        unit_id=unit.id if unit else None,
        title_code=data.title_code or None,
        due_on=data.due_on,
        follows_movers=data.follows_movers,
        created_by_id=actor.id,
        scope_unit_id=scope.id if scope is not None else None,
    )
    session.add(assignment)
    session.flush()
    for course in courses:
        session.add(AssignmentCourse(assignment_id=assignment.id, course_id=course.id))
    ids = list(session.scalars(cadres))
    if ids:
        session.execute(
            AssignmentMember.__table__.insert(),
            [{"assignment_id": assignment.id, "cadre_id": cid, "added_at": utcnow()} for cid in ids],
        )
    session.flush()
    rebuild_assignment_stats(session, [assignment.id])
    audit.record(
        session,
        actor,
        "create_assignment",
        "assignment",
        assignment.id,
        unit_id=assignment.owner_unit_id,
        members=len(ids),
    )
    return assignment


def _checked(session: Session, name: str, course_codes: tuple[str, ...], due_on: date | None) -> list[Course]:
    """The courses of an assignment's name, courses and due date, once they are checked (a due
    date of None: unchanged, so not checked). Raises ValidationFailed naming the field."""
    if not name.strip():
        raise ValidationFailed(_l("Required."), field="name")
    courses = list(session.scalars(select(Course).where(Course.code.in_(course_codes)).order_by(Course.code)))
    if not courses or len(courses) != len(set(course_codes)):
        raise ValidationFailed(_l("Choose one or more existing courses."), field="courses")
    if due_on is not None and due_on < local_today():
        raise ValidationFailed(_l("The due date has passed."), field="due_on")
    return courses


def owner_path(session: Session, assignment: Assignment) -> str | None:
    """The path of the unit the assignment belongs to (None: city-wide); see `Assignment.owner_unit_id`."""
    unit_id = assignment.owner_unit_id
    return session.scalar(select(Unit.path).where(Unit.id == unit_id)) if unit_id else None


def require_manage(session: Session, actor, assignment: Assignment) -> None:
    """Raise PermissionDenied unless `actor` may see the members of, edit and cancel `assignment`."""
    policy.require(policy.can_manage_assignment(actor, owner_path(session, assignment)))


@dataclass(frozen=True)
class AssignmentChange:
    name: str
    course_codes: tuple[str, ...]
    due_on: date


def update_assignment(session: Session, actor: User, assignment: Assignment, data: AssignmentChange) -> dict:
    """Change an assignment's name, due date and courses (its members stay as its target made
    them). Audited with what changed; returns it (empty: nothing changed). Flushes. Raises
    ValidationFailed naming the field, PermissionDenied outside the actor's units."""
    require_manage(session, actor, assignment)
    if assignment.is_cancelled:
        raise ValidationFailed(_l("This assignment is cancelled."), field="name")
    new_due = data.due_on if data.due_on != assignment.due_on else None
    courses = _checked(session, data.name, data.course_codes, new_due)
    name = nfc(data.name).strip()
    old_codes = {link.course.code for link in assignment.courses}
    new_codes = {course.code for course in courses}
    changes: dict = {}
    if name != assignment.name:
        changes.update(name_before=assignment.name, name_after=name)
        assignment.name = name
    if new_due is not None:
        changes.update(due_on_before=assignment.due_on.isoformat(), due_on_after=new_due.isoformat())
        assignment.due_on = new_due
    if new_codes != old_codes:
        changes.update(
            courses_added=", ".join(sorted(new_codes - old_codes)),
            courses_removed=", ".join(sorted(old_codes - new_codes)),
        )
        for link in assignment.courses:
            if link.course.code not in new_codes:
                session.delete(link)
        for course in courses:
            if course.code not in old_codes:
                session.add(AssignmentCourse(assignment_id=assignment.id, course_id=course.id))
    if changes:
        session.flush()
        session.expire(assignment, ["courses"])
        rebuild_assignment_stats(session, [assignment.id])
        audit.record(
            session,
            actor,
            "edit_assignment",
            "assignment",
            assignment.id,
            unit_id=assignment.owner_unit_id,
            **changes,
        )
    return changes


def cancel_assignment(session: Session, actor: User, assignment: Assignment, reason: str) -> None:
    """Record that the assignment is cancelled, by whom, when and why: it gives no due date any
    more and counts nobody overdue, and stays on the page as cancelled. Flushes. Raises
    ValidationFailed (field "reason"), PermissionDenied outside the actor's units."""
    require_manage(session, actor, assignment)
    reason = nfc(reason).strip()
    if assignment.is_cancelled:
        raise ValidationFailed(_l("This assignment is cancelled."), field="reason")
    if not reason:
        raise ValidationFailed(_l("Required."), field="reason")
    assignment.cancelled_at = utcnow()
    assignment.cancelled_by_id = actor.id
    assignment.cancel_reason = reason[:500]
    session.flush()
    rebuild_assignment_stats(session, [assignment.id])
    audit.record(
        session,
        actor,
        "cancel_assignment",
        "assignment",
        assignment.id,
        unit_id=assignment.owner_unit_id,
        reason=reason,
    )


def _target(session: Session, data: AssignmentInput, scope: str | None) -> tuple[Select, Unit | None]:
    """The ids of the cadres the assignment is for (a query), and the unit when it is for one (within
    the subtree at `scope`). Raises ValidationFailed naming the field."""
    cadres = select(Cadre.id)
    if data.target_kind == "unit":
        unit = unit_in_scope(session, scope, data.unit_code)
        if unit is None:
            raise ValidationFailed(_l("No unit has this code."), field="unit_code")
        return cadres.where(in_subtree(Cadre.unit_id, unit.path)), unit
    if data.target_kind == "title":
        return cadres.where(Cadre.title_code == data.title_code), None
    if data.target_kind == "planning":
        today = local_today()
        planned = select(PlanningEntry.cadre_id).where(
            PlanningEntry.title_code == data.title_code,
            PlanningEntry.valid_from <= today,
            or_(PlanningEntry.valid_to.is_(None), PlanningEntry.valid_to >= today),
        )
        return cadres.where(Cadre.id.in_(planned)), None
    if data.target_kind == "cadres":
        codes = [c.strip().upper() for c in data.employee_codes if c.strip()]
        found = set(session.scalars(select(Cadre.employee_code).where(Cadre.employee_code.in_(codes))))
        unknown = [c for c in codes if c not in found]
        if unknown or not codes:
            raise ValidationFailed(
                _l("Unknown employee codes: %(codes)s", codes=", ".join(unknown) or "—"),
                field="employee_codes",
            )
        return cadres.where(Cadre.employee_code.in_(codes)), None
    raise ValidationFailed(_l("Unknown target."), field="target_kind")


@dataclass(frozen=True)
class AssignmentSummary:
    assignment: Assignment
    members: int
    completed: int  # member × course pairs completed
    overdue: int
    unit_path: str | None = None  # whose assignment it is (see `owner_path`)


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
        per_unit = per_unit.where(in_subtree(AssignmentStats.unit_id, scope.path))
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
    assignments = list(
        session.scalars(
            select(Assignment)
            .options(selectinload(Assignment.courses).selectinload(AssignmentCourse.course))
            .order_by(Assignment.due_on.desc(), Assignment.id.desc())
        )
    )
    owners = {a.owner_unit_id for a in assignments} - {None}
    paths = (
        dict(session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(owners))).all()) if owners else {}
    )
    result = []
    for a in assignments:
        path = paths.get(a.owner_unit_id)
        if a.id in counts or scope is None or is_within(path, scope.path):
            n, c, o = counts.get(a.id, (0, 0, 0))
            result.append(AssignmentSummary(a, n, c, o, path))
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
