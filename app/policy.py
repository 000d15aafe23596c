"""Who may do what: the one authorization policy of the platform.

Pure predicates over (actor, target): they read only what they are given, never the database or the
request, so a view, a service, the command line and the route × role test all get the same answer.
Beside them, the same rules as SQL conditions for lists, so that a list and its detail page cannot
disagree.

An actor is a logged-in account (`app.models.User`, with its `unit` loaded), Flask-Login's anonymous
user, or `SYSTEM` (the command line: a person with a shell on the server, who may do everything).
Targets are described by the little they need: the unit path of what is acted on ("/1/4/9/",
None for the whole city) and the account that owns it.

Roles: learners and trainers act on their own things; trainers also see the teaching pages of the
courses they own or edit (`can_teach_course`; a course's admins assign its trainers); an
admin with a unit administers that unit's subtree, an admin without one the whole city. The
override permission lets an admin record the competent authority's decision that overrides unmet
requirements (within their scope) and accept effective dates outside the usual window.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, false, func, select, true

from app.errors import PermissionDenied
from app.models import AuditEntry, Cadre, Course, CourseTrainer, Role, Unit, User
from app.org.tree import in_subtree, is_within, subtree

# An effective date of an appointment further back or ahead than this needs the override permission.
BACKDATE_DAYS = 30
FORWARD_DAYS = 365


class SystemActor:
    """The command line and scheduled jobs: unrestricted, and audited as "system"."""

    id = None
    role = Role.ADMIN.value
    unit = None
    unit_id = None
    can_override = True
    is_authenticated = True
    is_active = True
    email = "system"
    full_name = "system"

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


# --- who the actor is ---------------------------------------------------------------------------


def is_logged_in(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def is_admin(actor) -> bool:
    return is_logged_in(actor) and actor.role == Role.ADMIN.value


def is_city_admin(actor) -> bool:
    """An admin without a unit: the whole city."""
    return is_admin(actor) and actor.unit_id is None


def scope_path(actor) -> str | None:
    """The unit path an admin is limited to (None: city-wide, or not an admin)."""
    return actor.unit.path if is_admin(actor) and actor.unit is not None else None


def covers(actor, unit_path: str | None) -> bool:
    """Whether `actor` administers the unit at `unit_path` (None: something city-wide)."""
    if not is_admin(actor):
        return False
    if actor.unit_id is None:
        return True
    return actor.unit is not None and is_within(unit_path, actor.unit.path)


def owns(actor, owner_id: int | None) -> bool:
    return is_logged_in(actor) and owner_id is not None and actor.id == owner_id


# --- learning and teaching ----------------------------------------------------------------------


def can_teach(actor) -> bool:
    """Trainers see the teaching pages (their courses' list, the guide); admins oversee them."""
    return is_logged_in(actor) and actor.role in (Role.TRAINER.value, Role.ADMIN.value)


def is_course_trainer(actor, trainer_ids) -> bool:
    """The actor is one of the course's trainers in force (an owner or an editor) and still
    holds the trainer role."""
    return is_logged_in(actor) and actor.role == Role.TRAINER.value and actor.id in trainer_ids


def can_teach_course(actor, trainer_ids, unit_path: str | None) -> bool:
    """A course's teaching pages: its learners' progress and results, quiz results, item analysis
    and their exports. Its trainers (`trainer_ids`, owners and editors) see them, and the admins
    of its issuing unit (`unit_path`): a city admin every course, a unit admin the courses issued
    in its subtree (a course without an issuing unit: city admins only). Other trainers do not,
    nor does a unit admin see other courses' pages, aggregate ones included: its own cadres'
    training is on the review pages."""
    return is_course_trainer(actor, trainer_ids) or covers(actor, unit_path)


def can_edit_course(actor, trainer_ids) -> bool:
    """Make draft editions of a course (upload, fetch from its repository, edit a lesson), set its
    repository, preview and discard its drafts: its trainers, owners and editors. Admins oversee
    courses; they do not write them."""
    return is_course_trainer(actor, trainer_ids)


def can_publish_course(actor, owner_ids, unit_path: str | None) -> bool:
    """Publish a draft edition of a course to its learners, or re-publish an earlier edition: its
    owners, and the admins of its issuing unit (for a course whose owner has left)."""
    return is_course_trainer(actor, owner_ids) or covers(actor, unit_path)


def can_create_course(actor) -> bool:
    """Upload a course with a new code, becoming its owner: trainers."""
    return is_logged_in(actor) and actor.role == Role.TRAINER.value


def can_manage_course(actor, unit_path: str | None) -> bool:
    """Assign the trainers of a course issued by the unit at `unit_path`, or make that unit a
    course's issuer: its admins (a course without an issuing unit: city admins only)."""
    return covers(actor, unit_path)


# --- profiles and decisions ---------------------------------------------------------------------


def can_view_profile(actor, owner_id: int | None, unit_path: str | None) -> bool:
    """A cadre sees their own profile; an admin those in their subtree; a city admin all."""
    return owns(actor, owner_id) or covers(actor, unit_path)


def can_manage_profile(actor, unit_path: str | None) -> bool:
    """Record training, qualifications, planning and discipline for a cadre in this unit."""
    return covers(actor, unit_path)


def can_decide(actor, unit_path: str | None) -> bool:
    """Propose (and see) appointment decisions for a cadre in, or a post in, this unit."""
    return covers(actor, unit_path)


def can_view_decision(actor, owner_id: int | None, unit_path: str | None) -> bool:
    """Read an appointment decision: the admins who may decide for its cadre, and the cadre it is
    about (the account linked to the profile), read-only."""
    return owns(actor, owner_id) or can_decide(actor, unit_path)


def can_override(actor, unit_path: str | None) -> bool:
    """Record the competent authority's override of unmet requirements in this unit."""
    return covers(actor, unit_path) and bool(actor.can_override)


def can_date_decision(actor, effective_on: date, today: date) -> bool:
    """Effective dates within 30 days back and a year ahead are anyone's to choose; others need the
    override permission (a backdated decision can fall before the requirements in force)."""
    window = today - timedelta(days=BACKDATE_DAYS) <= effective_on <= today + timedelta(days=FORWARD_DAYS)
    return window or (is_admin(actor) and bool(actor.can_override))


def can_edit_requirements(actor) -> bool:
    """Requirement sets are city-wide: only city admins change them."""
    return is_city_admin(actor)


def can_edit_legal_documents(actor) -> bool:
    """The register of legal documents is city-wide reference data: only city admins change it."""
    return is_city_admin(actor)


def can_review(actor, unit_path: str | None = None) -> bool:
    """Dashboards, reports, assignments, imports and exports of a unit's subtree (None: the admin's
    own scope, whatever it is)."""
    return is_admin(actor) and (unit_path is None or covers(actor, unit_path))


def can_manage_assignment(actor, unit_path: str | None) -> bool:
    """See the members of, edit and cancel an assignment whose unit is `unit_path` (its target
    unit, else the unit of the admin who made it; None: city-wide, only city admins)."""
    return covers(actor, unit_path)


# --- accounts -----------------------------------------------------------------------------------


def can_manage_account(actor, unit_path: str | None) -> bool:
    """See and administer an account (deactivate, reset, sign out) whose home unit is `unit_path`.

    An account's home unit is, for an admin, the unit it administers (None: city-wide); for others,
    the unit of the cadre profile linked to it, else the unit it was created in. A unit admin
    manages accounts of its subtree only, so never a city-wide admin; only city admins manage
    accounts without a unit.
    """
    return covers(actor, unit_path)


def can_grant(actor, role: str, unit_path: str | None, *, override: bool = False) -> bool:
    """Create an account, or give one, this role in this unit (None: no unit, i.e. city-wide for an
    admin) with or without the override permission.

    A unit admin creates learners, trainers and admins of its own subtree only; only a city admin
    creates a city-wide admin or grants the override permission.
    """
    if role not in {r.value for r in Role}:
        return False
    if override and not (role == Role.ADMIN.value and is_city_admin(actor)):
        return False
    if unit_path is None:
        return is_city_admin(actor)
    return covers(actor, unit_path)


def can_link_account(actor, account_unit_path: str | None, cadre_unit_path: str | None) -> bool:
    """Link a login account to a cadre profile (its completed courses join the training record):
    both must be the actor's to manage."""
    return can_manage_account(actor, account_unit_path) and can_manage_profile(actor, cadre_unit_path)


def can_read_audit(actor, unit_path: str | None = None) -> bool:
    """City admins read the whole audit log, unit admins the entries about their subtree."""
    return is_admin(actor) and (unit_path is None or covers(actor, unit_path))


# --- the same rules as SQL, for lists -----------------------------------------------------------


def visible_cadres(actor) -> ColumnElement[bool]:
    """Condition on Cadre: the profiles `actor` may list (as `can_view_profile`)."""
    if is_city_admin(actor):
        return true()
    if is_admin(actor):
        return in_subtree(Cadre.unit_id, scope_path(actor) or "\x00")
    if is_logged_in(actor):
        return Cadre.user_id == actor.id
    return false()


def teachable_courses(actor) -> ColumnElement[bool]:
    """Condition on Course: the courses whose teaching pages `actor` may open (as
    `can_teach_course`): a trainer's own, an admin's within scope."""
    if is_city_admin(actor):
        return true()
    if is_admin(actor) and actor.unit is not None:
        return in_subtree(Course.issuing_unit_id, actor.unit.path)
    if is_logged_in(actor) and actor.role == Role.TRAINER.value:
        return (
            select(CourseTrainer.id)
            .where(
                CourseTrainer.course_id == Course.id,
                CourseTrainer.user_id == actor.id,
                CourseTrainer.ended_at.is_(None),
            )
            .exists()
        )
    return false()


def units_in_scope(actor) -> ColumnElement[bool]:
    """Condition on Unit: the units `actor` administers."""
    if is_city_admin(actor):
        return true()
    if is_admin(actor) and actor.unit is not None:
        return subtree(Unit.path, actor.unit.path)
    return false()


def account_unit_id():
    """SQL expression on User: the account's home unit (see `can_manage_account`)."""
    linked = select(Cadre.unit_id).where(Cadre.user_id == User.id).limit(1).scalar_subquery()
    return case((User.role == Role.ADMIN.value, User.unit_id), else_=func.coalesce(linked, User.unit_id))


def visible_accounts(actor) -> ColumnElement[bool]:
    """Condition on User: the accounts `actor` may list and manage (as `can_manage_account`)."""
    if is_city_admin(actor):
        return true()
    if is_admin(actor) and actor.unit is not None:
        return in_subtree(account_unit_id(), actor.unit.path)
    return false()


def visible_audit(actor) -> ColumnElement[bool]:
    """Condition on AuditEntry: what `actor` may read in the audit log (as `can_read_audit`)."""
    if is_city_admin(actor):
        return true()
    if is_admin(actor) and actor.unit is not None:
        return in_subtree(AuditEntry.unit_id, actor.unit.path)
    return false()


def require(allowed: bool, why: str = "not allowed") -> None:
    """Raise PermissionDenied unless `allowed`: the services' one-line check."""
    if not allowed:
        raise PermissionDenied(why)
