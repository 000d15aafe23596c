"""Every route's access rule, declared beside the route, and the one guard that applies them.

A view declares its rule with `@allow(RULE)` (and `post=` when a POST needs a stronger one). A
rule is a check from `app.policy` and, for routes about one thing (a profile, a record, a
decision, an attempt, an account, a unit asked for in the query), how to find what the check is
about. The guard runs before every request: a route without a declaration is refused (and a test
fails for it), anonymous visitors go to the login page, an admin account that has not passed the
second factor goes to it, and a refusal is a 403. Services check the policy again themselves;
this is the thin outer layer, and what the route × role × unit test reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import params, policy, transactions
from app.errors import NotFound
from app.extensions import db, login_manager
from app.models import (
    AppointmentDecision,
    Assignment,
    Cadre,
    DisciplineRecord,
    ImportBatch,
    QualificationRecord,
    QuizAttempt,
    TrainingRecord,
    Unit,
    User,
)
from app.org.units import account_unit_path
from app.trainers.service import course_facts


@dataclass(frozen=True)
class Target:
    """What a route acts on, as far as the policy cares: its unit and the account that owns it."""

    unit_path: str | None = None
    owner_id: int | None = None
    trainer_ids: frozenset[int] = frozenset()  # a course's trainers in force
    owner_ids: frozenset[int] = frozenset()  # those of them who own it


Loader = Callable[[Session, dict, dict], Target | None]


@dataclass(frozen=True)
class Rule:
    """A named access rule: `check(actor, target)`, and how to find the target of a request."""

    name: str
    check: Callable[[object, Target | None], bool]
    target: Loader | None = None
    public: bool = False
    # Pages an admin may open before passing the second factor (their own account, enrolment).
    before_second_factor: bool = False


# --- finding the target of a request ------------------------------------------------------------


def _int(value) -> int:
    """An id from the path: the `int` converter has bounded it already; this holds without it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound("id") from None
    if not params.is_id(number):
        raise NotFound("id")
    return number


def _cadre_target(session: Session, where) -> Target:
    row = session.execute(
        select(Unit.path, Cadre.user_id).join(Unit, Unit.id == Cadre.unit_id).where(where)
    ).first()
    if row is None:
        raise NotFound("cadre")
    return Target(unit_path=row.path, owner_id=row.user_id)


def _via_cadre(model, arg: str) -> Loader:
    """The cadre a row of `model` (with a cadre_id) belongs to, found by the view argument `arg`."""

    def load(session: Session, view_args: dict, _args: dict) -> Target:
        ident = _int(view_args[arg])
        if model is Cadre:
            return _cadre_target(session, Cadre.id == ident)
        return _cadre_target(
            session, Cadre.id == select(model.cadre_id).where(model.id == ident).scalar_subquery()
        )

    return load


def _owner(model, column, arg: str) -> Loader:
    def load(session: Session, view_args: dict, _args: dict) -> Target:
        owner = session.execute(select(column).where(model.id == _int(view_args[arg]))).first()
        if owner is None:
            raise NotFound(arg)
        return Target(owner_id=owner[0])

    return load


def _owned_row(model, arg: str) -> Loader:
    """The row itself, by its id: it stays in the request's session, so the view's own lookup of it
    (`session.get`) costs no second statement."""

    def load(session: Session, view_args: dict, _args: dict) -> Target:
        row = session.get(model, _int(view_args[arg]))
        if row is None:
            raise NotFound(arg)
        transactions.keep(session, row)
        return Target(owner_id=row.user_id)

    return load


def _account(session: Session, view_args: dict, _args: dict) -> Target:
    user = session.get(User, _int(view_args["user_id"]))
    if user is None:
        raise NotFound("account")
    return Target(unit_path=account_unit_path(session, user), owner_id=user.id)


def _assignment(session: Session, view_args: dict, _args: dict) -> Target:
    assignment = session.get(Assignment, _int(view_args["assignment_id"]))
    if assignment is None:
        raise NotFound("assignment")
    unit_id = assignment.owner_unit_id
    return Target(unit_path=session.scalar(select(Unit.path).where(Unit.id == unit_id)) if unit_id else None)


def _course(session: Session, view_args: dict, _args: dict) -> Target:
    """A course by its code in the path: its issuing unit and its trainers in force."""
    facts = course_facts(session, code=view_args["code"])
    return Target(unit_path=facts.unit_path, trainer_ids=facts.trainer_ids, owner_ids=facts.owner_ids)


def _unit_arg(session: Session, _view_args: dict, args: dict) -> Target | None:
    code = params.code("unit", args)
    if not code:
        return None
    path = session.scalar(select(Unit.path).where(Unit.code == code))
    if path is None:
        raise NotFound("unit")
    return Target(unit_path=path)


# --- the rules ----------------------------------------------------------------------------------


def _unit_path(target: Target | None) -> str | None:
    return target.unit_path if target else None


PUBLIC = Rule("public", lambda actor, t: True, public=True)
ACCOUNT = Rule("account", lambda actor, t: policy.is_logged_in(actor), before_second_factor=True)
LOGGED_IN = Rule("logged_in", lambda actor, t: policy.is_logged_in(actor))
TEACH = Rule("teach", lambda actor, t: policy.can_teach(actor))
TEACH_COURSE = Rule(
    "teach_course",
    lambda actor, t: policy.can_teach_course(actor, t.trainer_ids, t.unit_path),
    target=_course,
)
EDIT_COURSE = Rule(
    "edit_course", lambda actor, t: policy.can_edit_course(actor, t.trainer_ids), target=_course
)
PUBLISH_COURSE = Rule(
    "publish_course",
    lambda actor, t: policy.can_publish_course(actor, t.owner_ids, t.unit_path),
    target=_course,
)
CREATE_COURSE = Rule("create_course", lambda actor, t: policy.can_create_course(actor))
MANAGE_COURSE = Rule(
    "manage_course", lambda actor, t: policy.can_manage_course(actor, t.unit_path), target=_course
)
ADMIN = Rule("admin", lambda actor, t: policy.is_admin(actor))
REVIEW = Rule("review", lambda actor, t: policy.can_review(actor, _unit_path(t)), target=_unit_arg)
MANAGE_ASSIGNMENT = Rule(
    "manage_assignment", lambda actor, t: policy.can_manage_assignment(actor, t.unit_path), target=_assignment
)
EDIT_REQUIREMENTS = Rule("edit_requirements", lambda actor, t: policy.can_edit_requirements(actor))
EDIT_LEGAL = Rule("edit_legal", lambda actor, t: policy.can_edit_legal_documents(actor))
READ_AUDIT = Rule("read_audit", lambda actor, t: policy.can_read_audit(actor))
VIEW_PROFILE = Rule(
    "view_profile",
    lambda actor, t: policy.can_view_profile(actor, t.owner_id, t.unit_path),
    target=_via_cadre(Cadre, "cadre_id"),
)


def _manage(loader: Loader, name: str = "manage_profile") -> Rule:
    return Rule(name, lambda actor, t: policy.can_manage_profile(actor, t.unit_path), target=loader)


MANAGE_PROFILE = _manage(_via_cadre(Cadre, "cadre_id"))
MANAGE_TRAINING = _manage(_via_cadre(TrainingRecord, "record_id"))
MANAGE_QUALIFICATION = _manage(_via_cadre(QualificationRecord, "record_id"))
# Annulling or replacing a discipline decision can make a blocked appointment pass: like an
# override, it records a competent authority's decision, so it needs the override permission.
CHANGE_DISCIPLINE = Rule(
    "change_discipline",
    lambda actor, t: policy.can_override(actor, t.unit_path),
    target=_via_cadre(DisciplineRecord, "record_id"),
)
DECIDE = Rule(
    "decide", lambda actor, t: policy.can_decide(actor, t.unit_path), target=_via_cadre(Cadre, "cadre_id")
)
VIEW_DECISION = Rule(
    "view_decision",
    lambda actor, t: policy.can_view_decision(actor, t.owner_id, t.unit_path),
    target=_via_cadre(AppointmentDecision, "decision_id"),
)
OVERRIDE_DECISION = Rule(
    "override_decision",
    lambda actor, t: policy.can_override(actor, t.unit_path),
    target=_via_cadre(AppointmentDecision, "decision_id"),
)
OWN_ATTEMPT = Rule(
    "own_attempt",
    lambda actor, t: policy.owns(actor, t.owner_id),
    target=_owned_row(QuizAttempt, "attempt_id"),
)
OWN_IMPORT = Rule(
    "own_import",
    lambda actor, t: policy.is_admin(actor) and policy.owns(actor, t.owner_id),
    target=_owner(ImportBatch, ImportBatch.created_by_id, "batch_id"),
)
MANAGE_ACCOUNT = Rule(
    "manage_account", lambda actor, t: policy.can_manage_account(actor, t.unit_path), target=_account
)

# Endpoints that are not view functions of ours (Flask's own static files).
_DECLARED_ELSEWHERE: dict[str, Rule] = {"static": PUBLIC}


# Why a page writes when it is only read (`get_writes=`); see `app.transactions`.
AUDITED_VIEW = "records in the audit log who saw the cadres' data"
CLOSES_EXPIRED_ATTEMPT = "grades an attempt whose time ran out, as soon as anyone looks at it"
RECORDS_VISIT = "records the lesson as visited, and grades an attempt whose time ran out"


def allow(rule: Rule, *, post: Rule | None = None, get_writes: str | None = None):
    """Declare a view's access rule (and a stronger one for POST, when it has one).

    `get_writes` says why the page writes when it is only read (GET), as an audited view of a
    profile does; without it a GET must not write (see `app.transactions`)."""

    def mark(view):
        view.access_rules = {"GET": rule, "POST": post or rule}
        view.get_writes = get_writes
        return view

    return mark


def rule_for(app: Flask, endpoint: str, method: str) -> Rule | None:
    """The rule declared for `endpoint` and `method` (HEAD and OPTIONS as GET), or None."""
    if endpoint in _DECLARED_ELSEWHERE:
        return _DECLARED_ELSEWHERE[endpoint]
    rules = getattr(app.view_functions.get(endpoint), "access_rules", None)
    if rules is None:
        return None
    return rules["POST"] if method not in ("GET", "HEAD", "OPTIONS") else rules["GET"]


def needs_second_factor(actor) -> bool:
    """An admin who has not passed the second factor in this login (unless the city turned it off)."""
    if not policy.is_admin(actor) or not current_app.config["ADMIN_SECOND_FACTOR"]:
        return False
    login = getattr(actor, "login_session", None)
    return login is None or not login.second_factor


def _guard():
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page: the 404 follows
    rule = rule_for(current_app, endpoint, request.method)
    if rule is None:
        current_app.logger.error("route %s declares no access rule: refused", endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not rule.before_second_factor and needs_second_factor(current_user):
        if request.method == "GET":
            return redirect(url_for("account.two_factor", next=request.full_path))
        abort(403)
    target = rule.target(db.session, request.view_args or {}, request.args) if rule.target else None
    if not rule.check(current_user, target):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_guard)
    app.jinja_env.globals["policy"] = policy
