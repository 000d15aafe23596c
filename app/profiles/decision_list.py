"""The list of appointment decisions an admin may read, with its filters: one query for a page of
rows (the cadre, the post and the outcome joined in), one to count them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, func, select
from sqlalchemy.orm import Session, aliased

from app import policy
from app.models import AppointmentDecision, Cadre, DecisionOverride, Title, Unit
from app.org.tree import in_subtree
from app.pagination import Page
from app.text import like_pattern

# What came of a proposal, as a filter and a label.
OUTCOMES = {
    "approved": _l("Approved"),
    "conditional": _l("Approved on condition"),
    "blocked": _l("Blocked"),
    "overridden": _l("Appointed by override"),
}


@dataclass(frozen=True)
class DecisionFilters:
    unit: Unit | None = None  # the cadres of this unit's subtree (already checked to be in scope)
    kind: str = ""
    outcome: str = ""
    start: date | None = None  # effective from
    end: date | None = None  # effective until
    name: str = ""  # part of the cadre's name (with or without diacritics), or an employee code

    def as_detail(self) -> dict:
        """The filters as an audit entry keeps them."""
        return {
            "unit": self.unit.code if self.unit else "",
            "kind": self.kind,
            "outcome": self.outcome,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "name": self.name,
        }


@dataclass(frozen=True)
class DecisionRow:
    id: int
    decision_no: str
    kind: str
    title: str
    post_unit: str
    effective_on: date
    outcome: str
    cadre_id: int
    cadre_name: str
    employee_code: str
    cadre_unit: str


DecisionPage = Page[DecisionRow]


def _outcome_condition(outcome: str):
    decision = AppointmentDecision
    return {
        "approved": and_(decision.status == "approved", decision.eligibility == "met"),
        "conditional": and_(decision.status == "approved", decision.eligibility != "met"),
        "blocked": and_(decision.status == "blocked", DecisionOverride.id.is_(None)),
        "overridden": DecisionOverride.id.is_not(None),
    }[outcome]


def _filtered(actor, filters: DecisionFilters) -> Select:
    decision = AppointmentDecision
    stmt = (
        select(decision.id)
        .join(Cadre, Cadre.id == decision.cadre_id)
        .outerjoin(DecisionOverride, DecisionOverride.decision_id == decision.id)
        .where(policy.visible_cadres(actor) if policy.is_admin(actor) else false())
    )
    if filters.unit is not None:
        stmt = stmt.where(in_subtree(Cadre.unit_id, filters.unit.path))
    if filters.kind:
        stmt = stmt.where(decision.kind == filters.kind)
    if filters.outcome in OUTCOMES:
        stmt = stmt.where(_outcome_condition(filters.outcome))
    if filters.start:
        stmt = stmt.where(decision.effective_on >= filters.start)
    if filters.end:
        stmt = stmt.where(decision.effective_on <= filters.end)
    if filters.name:
        stmt = stmt.where(
            Cadre.search_name.like(like_pattern(filters.name), escape="\\")
            | (Cadre.employee_code == filters.name.upper())
        )
    return stmt


def _outcome(status: str, eligibility: str, overridden: bool) -> str:
    if overridden:
        return "overridden"
    if status == "blocked":
        return "blocked"
    return "approved" if eligibility == "met" else "conditional"


def list_decisions(
    session: Session, actor, filters: DecisionFilters, page: int, per_page: int
) -> DecisionPage:
    """The decisions about cadres `actor` administers that pass `filters`, latest effective first."""
    ids = _filtered(actor, filters)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = min(page, max(1, math.ceil(total / per_page)))
    decision, post_unit, cadre_unit = AppointmentDecision, aliased(Unit), aliased(Unit)
    rows = session.execute(
        select(
            decision.id,
            decision.decision_no,
            decision.kind,
            func.coalesce(Title.name, decision.title_code),
            post_unit.name,
            decision.effective_on,
            decision.status,
            decision.eligibility,
            DecisionOverride.id,
            Cadre.id,
            Cadre.full_name,
            Cadre.employee_code,
            cadre_unit.name,
        )
        .join(Cadre, Cadre.id == decision.cadre_id)
        .join(post_unit, post_unit.id == decision.unit_id)
        .join(cadre_unit, cadre_unit.id == Cadre.unit_id)
        .outerjoin(Title, Title.code == decision.title_code)
        .outerjoin(DecisionOverride, DecisionOverride.decision_id == decision.id)
        .where(decision.id.in_(ids))
        .order_by(decision.effective_on.desc(), decision.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        DecisionRow(
            id=r[0],
            decision_no=r[1],
            kind=r[2],
            title=r[3],
            post_unit=r[4],
            effective_on=r[5],
            outcome=_outcome(r[6], r[7], r[8] is not None),
            cadre_id=r[9],
            cadre_name=r[10],
            employee_code=r[11],
            cadre_unit=r[12],
        )
        for r in rows
    ]
    return DecisionPage(items=items, page=page, per_page=per_page, total=total)
