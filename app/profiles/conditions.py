"""Conditions of appointments that went through on condition, and whether they are met by now.

An appointment can be approved on condition (điều kiện): a rule with a grace window, such as the
leadership programme within 12 months of the appointment, was not met yet on the effective date.
The decision froze those rules and their deadlines. Here they are checked again, the frozen rules
(not the set in force today) against the cadre's records of today, so an admin sees which
conditions are open, due soon, overdue or closed, and by which record.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import policy
from app.models import AppointmentDecision, Cadre, DecisionOverride, Unit, User
from app.profiles import facts
from app.profiles.eligibility import GRACE_EXPIRED, WITHIN_GRACE, eligibility_from_dict, evaluate
from app.profiles.loader import load_facts, reference

OPEN, DUE_SOON, OVERDUE, CLOSED = "open", "due_soon", "overdue", "closed"
STATUSES = (OVERDUE, DUE_SOON, OPEN, CLOSED)  # the order a reader scans them in
DUE_SOON_DAYS = 60  # a deadline this many days away or fewer is "due soon"

_EVIDENCE_DAYS = ("completed_on", "issued_on", "recorded_on")  # the day a record counts from


@dataclass(frozen=True)
class RuleCondition:
    """One conditional rule of a decision, checked again today."""

    rule: facts.Rule
    deadline: date | None  # as frozen in the decision
    is_met: bool
    missing: tuple[facts.Missing, ...] = ()  # what is still lacking (codes without the grace suffix)
    evidence: tuple[facts.Evidence, ...] = ()  # the records that meet it now
    met_on: date | None = None  # the day the records met it (the latest one needed)

    @property
    def is_late(self) -> bool:
        """Met, but by a record dated after the deadline."""
        return self.met_on is not None and self.deadline is not None and self.met_on > self.deadline


@dataclass(frozen=True)
class Condition:
    """The conditions of one appointment decision that went through."""

    decision: AppointmentDecision
    cadre: Cadre
    unit: Unit  # the unit of the post appointed to
    deadline: date  # the earliest deadline of the rules not met yet (all met: the decision's)
    status: str  # open | due_soon | overdue | closed
    rules: tuple[RuleCondition, ...]


def _base(missing: facts.Missing) -> facts.Missing:
    """The Missing without its grace suffix: the deadline is shown beside it, not inside it."""
    code = missing.code
    for suffix in (WITHIN_GRACE, GRACE_EXPIRED):
        code = code.removesuffix(suffix)
    return facts.Missing(code, missing.params)


def _met_on(rule: facts.Rule, evidence: tuple[facts.Evidence, ...]) -> date | None:
    """The day the records met the rule: the latest of them, or for "k of n courses" the k-th."""
    days = []
    for ev in evidence:
        day = next((ev.summary[k] for k in _EVIDENCE_DAYS if ev.summary.get(k)), None)
        if day:
            days.append(date.fromisoformat(day))
    days.sort()
    if not days:
        return None
    needed = rule.params.get("k") if rule.kind == "courses_k_of_n" else None
    return days[min(needed or len(days), len(days)) - 1]


def status_on(rules: tuple[RuleCondition, ...], fallback: date, today: date) -> tuple[str, date]:
    """(status, deadline) of a decision's conditions on `today`: closed when every rule is met;
    otherwise by the earliest deadline of those not met: overdue after it, due soon within
    DUE_SOON_DAYS days of it (that day included), else open."""
    open_deadlines = [r.deadline for r in rules if not r.is_met and r.deadline is not None]
    if all(r.is_met for r in rules):
        return CLOSED, fallback
    deadline = min(open_deadlines, default=fallback)
    if today > deadline:
        return OVERDUE, deadline
    if deadline <= today + timedelta(days=DUE_SOON_DAYS):
        return DUE_SOON, deadline
    return OPEN, deadline


def _recheck(
    decision: AppointmentDecision, cadre_facts: facts.CadreFacts, today: date, scales, titles
) -> tuple[RuleCondition, ...]:
    """The decision's conditional rules, as frozen, evaluated against today's facts."""
    frozen = eligibility_from_dict(decision.evaluation["result"])
    conditional = [r for r in frozen.results if r.status == facts.CONDITIONAL]
    if not conditional:
        return ()
    deadlines = {id(r.rule): r.deadline for r in conditional}
    rules = facts.RequirementSet(
        title_code=frozen.title_code,
        version=frozen.set_version,
        effective_from=decision.effective_on,
        rules=tuple(r.rule for r in conditional),
    )
    now = evaluate(
        cadre_facts,
        rules,
        today,
        scales=scales,
        titles=titles,
        target_title=decision.title_code,
        kind=decision.kind,
        appointed_on=decision.effective_on,
    )
    out = []
    for result in now.results:
        met = result.status == facts.MET
        out.append(
            RuleCondition(
                rule=result.rule,
                deadline=deadlines.get(id(result.rule)),
                is_met=met,
                missing=() if met else tuple(_base(m) for m in result.missing),
                evidence=result.evidence if met else (),
                met_on=_met_on(result.rule, result.evidence) if met else None,
            )
        )
    return tuple(out)


def conditions(
    session: Session,
    actor: User,
    today: date,
    *,
    cadre_id: int | None = None,
    statuses: Collection[str] | None = None,
) -> list[Condition]:
    """The conditions of appointments that went through (approved, or overridden) on condition,
    for the cadres `actor` may see (of one cadre, or all), checked against the records of `today`.

    Only the decision's conditional rules are checked, as frozen in it, for its kind of
    appointment and counted from its effective date. Records are read in a fixed number of
    queries, however many decisions there are. Sorted by deadline (then decision); `statuses`
    keeps only those statuses. Raises nothing.
    """
    stmt = (
        select(AppointmentDecision, Cadre, Unit)
        .join(Cadre, Cadre.id == AppointmentDecision.cadre_id)
        .join(Unit, Unit.id == AppointmentDecision.unit_id)
        .outerjoin(DecisionOverride, DecisionOverride.decision_id == AppointmentDecision.id)
        .where(
            AppointmentDecision.condition_deadline.is_not(None),
            or_(AppointmentDecision.status == "approved", DecisionOverride.id.is_not(None)),
            policy.visible_cadres(actor),
        )
        .order_by(AppointmentDecision.condition_deadline, AppointmentDecision.id)
    )
    if cadre_id is not None:
        stmt = stmt.where(AppointmentDecision.cadre_id == cadre_id)
    rows = session.execute(stmt).all()
    if not rows:
        return []
    cadres = list({cadre.id: cadre for _d, cadre, _u in rows}.values())
    all_facts = load_facts(session, cadres)
    scales, titles = reference(session)
    out = []
    for decision, cadre, unit in rows:
        rules = _recheck(decision, all_facts[cadre.id], today, scales, titles)
        if not rules:
            continue
        status, deadline = status_on(rules, decision.condition_deadline, today)
        if statuses is not None and status not in statuses:
            continue
        out.append(Condition(decision, cadre, unit, deadline, status, rules))
    out.sort(key=lambda c: (c.deadline, c.decision.id))
    return out
