"""The audit log in the browser: city admins read all of it, unit admins what is about their subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, current_app, render_template
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from app import params, policy
from app.access import AUDITED_VIEW, READ_AUDIT, allow
from app.audit.labels import ACTIONS, action_label
from app.clock import LOCAL
from app.exports import csv_response
from app.extensions import db
from app.models import AuditEntry, Cadre, Unit, User
from app.org import audit

bp = Blueprint("audit", __name__)

Actor = aliased(User)
Account = aliased(User)


@dataclass(frozen=True)
class Filters:
    who: str = ""
    action: str = ""
    cadre: str = ""
    start: date | None = None
    end: date | None = None

    def args(self) -> dict:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in vars(self).items() if v}


def _filters() -> Filters:
    return Filters(
        who=params.text("who"),
        action=params.choice("action", ACTIONS),
        cadre=(params.code("cadre") or "").upper(),
        start=params.day("start"),
        end=params.day("end"),
    )


def _statement(filters: Filters):
    stmt = (
        select(AuditEntry, Actor, Cadre, Account, Unit)
        .outerjoin(Actor, Actor.id == AuditEntry.actor_id)
        .outerjoin(Cadre, and_(AuditEntry.target_type == "cadre", Cadre.id == AuditEntry.target_id))
        .outerjoin(Account, and_(AuditEntry.target_type == "user", Account.id == AuditEntry.target_id))
        .outerjoin(Unit, Unit.id == AuditEntry.unit_id)
        .where(policy.visible_audit(current_user))
        .order_by(AuditEntry.seq.desc())
    )
    if filters.who:
        stmt = stmt.where(
            or_(
                Actor.email.contains(filters.who.lower(), autoescape=True),
                Actor.full_name.icontains(filters.who, autoescape=True),
            )
        )
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.cadre:
        stmt = stmt.where(Cadre.employee_code == filters.cadre)
    if filters.start:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(filters.start, time.min, LOCAL))
    if filters.end:
        stmt = stmt.where(AuditEntry.at < datetime.combine(filters.end + timedelta(days=1), time.min, LOCAL))
    return stmt


def _who(actor: User | None) -> str:
    return f"{actor.full_name} ({actor.email})" if actor else _("System or a visitor not logged in")


def _about(entry: AuditEntry, cadre: Cadre | None, account: User | None) -> str:
    if cadre is not None:
        return f"{cadre.full_name} ({cadre.employee_code})"
    if account is not None:
        return account.email
    if entry.detail.get("email"):
        return entry.detail["email"]
    if entry.detail.get("course"):  # a course's trainers or issuing unit
        return " · ".join(v for v in (entry.detail["course"], entry.detail.get("trainer", "")) if v)
    return ""


@bp.route("/")
@allow(READ_AUDIT)
def index():
    filters = _filters()
    page_number = params.page_number()
    size = current_app.config["PAGE_SIZE"] * 2
    rows = db.session.execute(_statement(filters).limit(size + 1).offset((page_number - 1) * size)).all()
    return render_template(
        "audit/index.html",
        rows=rows[:size],
        has_next=len(rows) > size,
        page_number=page_number,
        filters=filters,
        actions=sorted(((k, str(v)) for k, v in ACTIONS.items()), key=lambda kv: kv[1]),
        action_label=action_label,
        who=_who,
        about=_about,
    )


@bp.route("/export.csv")
@allow(READ_AUDIT, get_writes=AUDITED_VIEW)
def export():
    filters = _filters()
    statement = _statement(filters)  # built while the account is at hand: the commit below expires it
    audit.record(
        db.session,
        current_user,
        "export_audit",
        "audit",
        None,
        unit_id=current_user.unit_id,
        **filters.args(),
    )

    def rows():
        yield ["seq", "at", "actor", "action", "about", "unit", "detail", "hash"]
        result = db.session.execute(statement.execution_options(yield_per=2000))
        for entry, actor, cadre, account, unit in result:
            yield [
                entry.seq,
                format_datetime(entry.at, "dd/MM/yyyy HH:mm:ss"),
                _who(actor),
                action_label(entry.action),
                _about(entry, cadre, account),
                unit.name if unit else "",
                "; ".join(f"{k}={v}" for k, v in sorted(entry.detail.items())),
                entry.hash,
            ]

    return csv_response(rows(), "audit.csv")
