"""Who a course belongs to: its trainers (owners and editors) and its issuing unit.

An admin assigns them within scope (`policy.can_manage_course`); the teaching pages, results and
exports of a course are its trainers' and its admins' (`policy.can_teach_course`). Assignments are
records: a removal ends the row (who and when), a change of role ends it and starts another, and
every change is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app import policy
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import TRAINER_ROLES, Course, CourseTrainer, Role, Unit, User
from app.models.base import utcnow
from app.org import audit
from app.text import nfc


@dataclass(frozen=True)
class CourseFacts:
    """What the policy reads of a course: its trainers in force and its issuing unit's path."""

    trainer_ids: frozenset[int]
    unit_path: str | None
    owner_ids: frozenset[int] = frozenset()


_CACHE = "course_facts"  # session.info key: course id -> CourseFacts, for the session's life


def course_facts(session: Session, course_id: int | None = None, *, code: str | None = None) -> CourseFacts:
    """The course's (by id, or by code) trainers in force and the path of its issuing unit: one
    query, then remembered for the session (a request), so that the access guard and the services
    that ask the policy again read it once; the changes below forget it. Raises NotFound."""
    cache = session.info.setdefault(_CACHE, {})
    if course_id is not None and course_id in cache:
        return cache[course_id]
    rows = session.execute(
        select(Course.id, Unit.path, CourseTrainer.user_id, CourseTrainer.role)
        .outerjoin(Unit, Unit.id == Course.issuing_unit_id)
        .outerjoin(CourseTrainer, (CourseTrainer.course_id == Course.id) & CourseTrainer.ended_at.is_(None))
        .where(Course.id == course_id if course_id is not None else Course.code == code)
    ).all()
    if not rows:
        raise NotFound(str(code or course_id))
    facts = CourseFacts(
        frozenset(r.user_id for r in rows if r.user_id is not None),
        rows[0].path,
        frozenset(r.user_id for r in rows if r.role == "owner"),
    )
    cache[rows[0].id] = facts
    return facts


def forget(session: Session) -> None:
    session.info.pop(_CACHE, None)


def require_teaching(session: Session, actor, course_id: int) -> None:
    """Raise PermissionDenied unless `actor` may see the course's results (`can_teach_course`)."""
    facts = course_facts(session, course_id)
    policy.require(
        policy.can_teach_course(actor, facts.trainer_ids, facts.unit_path), "not this course's trainer"
    )


def require_marking(session: Session, actor, course_id: int) -> None:
    """Raise PermissionDenied unless `actor` may read and mark the course's written work: its
    trainers (`can_edit_course`). Admins oversee results; a learner's own writing is for the
    course's trainers, who may be outside the learner's unit by design."""
    forget(session)
    facts = course_facts(session, course_id)
    policy.require(policy.can_edit_course(actor, facts.trainer_ids), "not this course's trainer")


def _require_managing(session: Session, actor, course: Course) -> CourseFacts:
    forget(session)
    facts = course_facts(session, course.id)
    policy.require(policy.can_manage_course(actor, facts.unit_path), "course outside the admin's units")
    return facts


@dataclass(frozen=True)
class Assignment:
    """One assignment of a trainer to a course, in force or ended, with the names of those involved."""

    id: int
    role: str
    trainer: str
    email: str
    assigned_at: datetime
    assigned_by: str | None  # None: the system (the command line)
    ended_at: datetime | None
    ended_by: str | None


def assignments(session: Session, course: Course) -> list[Assignment]:
    """Every assignment of the course, those in force first (owners before editors), then the
    ended ones, latest first: one query."""
    trainer, by, ender = aliased(User), aliased(User), aliased(User)
    rows = session.execute(
        select(CourseTrainer, trainer.full_name, trainer.email, by.full_name, ender.full_name)
        .join(trainer, trainer.id == CourseTrainer.user_id)
        .outerjoin(by, by.id == CourseTrainer.assigned_by_id)
        .outerjoin(ender, ender.id == CourseTrainer.ended_by_id)
        .where(CourseTrainer.course_id == course.id)
        .order_by(CourseTrainer.ended_at.is_not(None), CourseTrainer.role.desc(), CourseTrainer.id.desc())
    ).all()
    return [
        Assignment(row.id, row.role, name, email, row.assigned_at, by_name, row.ended_at, ender_name)
        for row, name, email, by_name, ender_name in rows
    ]


def _in_force(session: Session, course: Course, user_id: int) -> CourseTrainer | None:
    return session.scalar(
        select(CourseTrainer).where(
            CourseTrainer.course_id == course.id,
            CourseTrainer.user_id == user_id,
            CourseTrainer.ended_at.is_(None),
        )
    )


def _end(row: CourseTrainer, actor) -> None:
    row.ended_at = utcnow()
    row.ended_by_id = getattr(actor, "id", None)


def audit_course(
    session: Session, actor, action: str, course: Course, unit_id: int | None = None, **detail
) -> None:
    """An entry about the course, readable by the admins of its issuing unit (or of `unit_id`)."""
    audit.record(
        session,
        actor,
        action,
        "course",
        course.id,
        unit_id=unit_id or course.issuing_unit_id,
        course=course.code,
        **detail,
    )


def add_trainer(session: Session, actor, course: Course, email: str, role: str) -> CourseTrainer:
    """Make the trainer account with `email` an owner or editor of the course (a trainer already
    assigned in another role changes role: the old assignment ends, a new one starts).

    Raises PermissionDenied (course outside the actor's units), ValidationFailed for "email" (no
    trainer account with this e-mail) and Conflict (already assigned in this role)."""
    _require_managing(session, actor, course)
    if role not in TRAINER_ROLES:
        raise ValidationFailed(f"role: unknown trainer role {role!r}", field="role")
    user = session.scalar(select(User).where(User.email == nfc(email or "").strip().lower()))
    if user is None or user.role != Role.TRAINER.value:
        raise ValidationFailed(
            _l("No trainer account has the e-mail «%(email)s».", email=email), field="email"
        )
    current = _in_force(session, course, user.id)
    if current is not None and current.role == role:
        raise Conflict("already assigned")
    if current is not None:
        _end(current, actor)
        session.flush()  # the partial unique index allows one assignment in force
    row = CourseTrainer(
        course_id=course.id, user_id=user.id, role=role, assigned_by_id=getattr(actor, "id", None)
    )
    session.add(row)
    session.flush()
    forget(session)
    audit_course(
        session,
        actor,
        "assign_course_trainer",
        course,
        trainer=user.email,
        role=role,
        previous_role=current.role if current else "",
    )
    return row


def remove_trainer(session: Session, actor, course: Course, assignment_id: int) -> CourseTrainer:
    """End an assignment in force (it stays on record with who ended it and when)."""
    _require_managing(session, actor, course)
    row = session.get(CourseTrainer, assignment_id)
    if row is None or row.course_id != course.id:
        raise NotFound(str(assignment_id))
    if row.ended_at is not None:
        raise Conflict("already ended")
    _end(row, actor)
    forget(session)
    email = session.scalar(select(User.email).where(User.id == row.user_id))
    audit_course(session, actor, "remove_course_trainer", course, trainer=email, role=row.role)
    return row


def set_issuing_unit(session: Session, actor, course: Course, unit: Unit | None) -> bool:
    """Make `unit` the course's issuing unit (None: none, which only a city admin may leave).
    The actor must manage the course now and the unit it goes to. Returns whether it changed."""
    _require_managing(session, actor, course)
    policy.require(
        policy.can_manage_course(actor, unit.path if unit else None), "unit outside the admin's units"
    )
    if course.issuing_unit_id == (unit.id if unit else None):
        return False
    before = session.get(Unit, course.issuing_unit_id) if course.issuing_unit_id else None
    course.issuing_unit_id = unit.id if unit else None
    session.flush()
    forget(session)
    audit_course(
        session,
        actor,
        "set_course_issuer",
        course,
        unit_id=unit.id if unit else (before.id if before else None),  # the new issuer's admins read it
        before=before.code if before else "",
        after=unit.code if unit else "",
    )
    return True


def own_unowned_courses(session: Session, user: User) -> list[str]:
    """Make `user` the owner of every course without a trainer in force (the demo's trainer, so
    that the shipped courses have one); the codes of those courses."""
    unowned = session.scalars(
        select(Course)
        .where(
            ~select(CourseTrainer.id)
            .where(CourseTrainer.course_id == Course.id, CourseTrainer.ended_at.is_(None))
            .exists()
        )
        .order_by(Course.code)
    ).all()
    for course in unowned:
        session.add(CourseTrainer(course_id=course.id, user_id=user.id, role="owner"))
        audit_course(
            session, policy.SYSTEM, "assign_course_trainer", course, trainer=user.email, role="owner"
        )
    session.flush()
    forget(session)
    return [course.code for course in unowned]


def own_new_course(session: Session, actor, course: Course) -> None:
    """A trainer who brings a course with a new code owns it, and the course is issued by the
    trainer's unit (its admins then manage the course; a trainer without a unit leaves that to a
    city admin)."""
    policy.require(policy.can_create_course(actor), "only trainers create courses")
    course.issuing_unit_id = actor.unit_id
    session.add(CourseTrainer(course_id=course.id, user_id=actor.id, role="owner", assigned_by_id=actor.id))
    audit_course(session, actor, "assign_course_trainer", course, trainer=actor.email, role="owner")
    session.flush()
    forget(session)
