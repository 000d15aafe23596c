"""Appointment decisions: evaluated as of their effective date, frozen, blocked unless overridden.

An approved (or overridden) decision changes the cadre's post, title and unit on its effective
date: at once when that date has come, otherwise it stays pending (`applied_at` is empty) until
`apply_due` runs on or after it (`flask decisions apply-due`, from a daily timer).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import policy
from app.clock import local_today
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.labels import date_words
from app.models import (
    AppointmentDecision,
    Cadre,
    DecisionOverride,
    PositionRecord,
    RequirementSet,
    Title,
    Unit,
    User,
)
from app.models.base import utcnow
from app.org import audit
from app.profiles import facts
from app.profiles.eligibility import evaluate, in_post_since, result_to_dict
from app.profiles.loader import load_facts, reference
from app.profiles.requirements import rules_in_force
from app.stats import rollups
from app.text import nfc

DECISION_KINDS = facts.APPOINTMENT_KINDS
# Effective dates accepted without the override permission, in days from today (the policy's).
DAYS_BACK, DAYS_AHEAD = policy.BACKDATE_DAYS, policy.FORWARD_DAYS


def eligibility_for(session: Session, cadre: Cadre, title_code: str, as_of: date, kind: str | None = None):
    """(evaluation, requirement set row or None, facts) for one cadre, title, date and kind of
    appointment (default: reappointment for a cadre already in that post, else first appointment).

    With no set in force the evaluation is unmet and its `reason` says why.
    """
    scales, titles = reference(session)
    row, rules = rules_in_force(session, title_code, as_of)
    cadre_facts = load_facts(session, [cadre])[cadre.id]
    result = evaluate(cadre_facts, rules, as_of, scales=scales, titles=titles, kind=kind)
    return result, row, cadre_facts


def _outside_window(effective_on: date, today: date) -> str | None:
    """None when `effective_on` is within the accepted range around `today`, else how it is not."""
    earliest, latest = today - timedelta(DAYS_BACK), today + timedelta(DAYS_AHEAD)
    if effective_on < earliest:
        return f"before {earliest.isoformat()}"
    if effective_on > latest:
        return f"after {latest.isoformat()}"
    return None


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def propose(
    session: Session,
    actor: User,
    cadre: Cadre,
    *,
    title_code: str,
    unit: Unit,
    effective_on: date,
    decision_no: str,
    kind: str = "appointment",
) -> AppointmentDecision:
    """Record a proposed appointment with its eligibility frozen as of `effective_on`.

    Eligible (met or conditional) proposals are approved: the position history changes at once
    when `effective_on` is today (Vietnam) or earlier, else on that day (see `apply_due`).
    Ineligible ones are stored as blocked. An effective date more than 30 days back or more than
    365 days ahead needs the override permission; such a proposal is audited as outside the window.
    The evaluation applies the rules of its kind (a reappointment is not judged on planning, time in
    post or remaining service) and grace windows count from `effective_on`, or for a reappointment
    from the start of the cadre's tenure. An approved conditional one keeps its earliest deadline.
    Raises ValidationFailed for an unknown title, a date before the cadre's birth or outside the
    window, a day on which another decision for the cadre already takes effect, a missing decision
    number, or a reappointment to a post the cadre does not hold.
    """
    policy.require(policy.can_decide(actor, cadre.unit.path), "the cadre is outside your unit")
    today = local_today()
    _check_proposal(session, actor, cadre, title_code, unit, kind, effective_on, today)
    decision_no = nfc(decision_no).strip()
    if not decision_no:
        raise ValidationFailed(_l("Required."), field="decision_no")
    result, row, cadre_facts = eligibility_for(session, cadre, title_code, effective_on, kind)
    if kind == facts.REAPPOINTMENT and in_post_since(cadre_facts, title_code, effective_on) is None:
        raise ValidationFailed(_l("Only a cadre holding this post can be reappointed to it."), field="kind")
    deadlines = [r.deadline for r in result.results if r.status == facts.CONDITIONAL and r.deadline]
    decision = AppointmentDecision(
        cadre_id=cadre.id,
        title_code=title_code,
        unit_id=unit.id,
        kind=kind,
        effective_on=effective_on,
        decision_no=decision_no,
        requirement_set_id=row.id if row else None,
        evaluation=_frozen_evaluation(title_code, row, cadre_facts, result),
        eligibility=result.status,
        status="blocked" if result.status == facts.UNMET else "approved",
        condition_deadline=min(deadlines, default=None),
        proposed_by_id=actor.id,
    )
    session.add(decision)
    session.flush()
    _audit_proposal(session, actor, cadre, decision, _outside_window(effective_on, today))
    if decision.status == "approved":
        apply_due(session, today, actor=actor, cadre_id=cadre.id)
    return decision


def _check_proposal(
    session: Session,
    actor: User,
    cadre: Cadre,
    title_code: str,
    unit: Unit,
    kind: str,
    effective_on: date,
    today: date,
) -> None:
    """What a proposal names before it is evaluated: the unit the actor's to decide in, the title and
    kind known, the effective date after the cadre's birth and within the window (or the actor may
    date it outside), and no other decision for the cadre taking effect that day. Raises
    ValidationFailed naming the field."""
    if not policy.can_decide(actor, unit.path):
        raise ValidationFailed(_l("This unit is outside yours."), field="unit_code")
    if session.scalar(select(Title.id).where(Title.code == title_code)) is None:
        raise ValidationFailed(_l("Unknown position %(value)s.", value=title_code), field="title_code")
    if kind not in DECISION_KINDS:
        raise ValidationFailed(_l("Unknown kind %(value)s.", value=kind), field="kind")
    if effective_on <= cadre.date_of_birth:
        raise ValidationFailed(_l("This is before the cadre's birth."), field="effective_on")
    if not policy.can_date_decision(actor, effective_on, today):
        raise ValidationFailed(
            _l(
                "The effective date must be between %(earliest)s and %(latest)s; "
                "another date needs the override permission.",
                earliest=date_words(today - timedelta(DAYS_BACK)),
                latest=date_words(today + timedelta(DAYS_AHEAD)),
            ),
            field="effective_on",
        )
    _check_no_decision_that_day(session, cadre, effective_on)


def _check_no_decision_that_day(session: Session, cadre: Cadre, effective_on: date) -> None:
    """A cadre takes one pending decision (approved or overridden, not yet applied) per effective day."""
    same_day = session.scalar(
        _pending().where(
            AppointmentDecision.cadre_id == cadre.id, AppointmentDecision.effective_on == effective_on
        )
    )
    if same_day is not None:
        raise ValidationFailed(
            _l(
                "Decision %(no)s already takes effect for this cadre on that day.",
                no=same_day.decision_no,
            ),
            field="effective_on",
        )


def _audit_proposal(
    session: Session, actor: User, cadre: Cadre, decision: AppointmentDecision, outside: str | None
) -> None:
    """Audit a proposal, and when its effective date is outside the window, how far."""
    audit.record(
        session,
        actor,
        "propose_appointment",
        "cadre",
        cadre.id,
        unit_id=cadre.unit_id,
        decision=decision.id,
        title=decision.title_code,
        eligibility=decision.eligibility,
        effective_on=decision.effective_on.isoformat(),
        **({"outside_window": outside} if outside else {}),
    )


def _frozen_evaluation(
    title_code: str, row: RequirementSet | None, cadre_facts: facts.CadreFacts, result: facts.Eligibility
) -> dict:
    """The evaluation as stored with the decision: the requirement set it used, the facts it read
    and its result, as JSON, so the decision can be read later as it was made."""
    return {
        "requirement_set": {
            "title": title_code,
            "version": row.version if row else None,
            "effective_from": row.effective_from.isoformat() if row else None,
            "legal_basis": row.legal_basis if row else "",
        },
        "inputs": _jsonable(asdict(cadre_facts)),
        "result": result_to_dict(result),
    }


def record_override(
    session: Session,
    actor: User,
    decision: AppointmentDecision,
    *,
    authority: str,
    authority_decision_no: str,
    reason: str,
) -> DecisionOverride:
    """The competent authority appoints despite unmet requirements: kept with who, when and why.

    The appointment then takes effect like an approved one: at once, or on a future effective date.
    Raises PermissionDenied without the override permission over the cadre's unit, Conflict unless
    the decision is blocked, ValidationFailed when a field is empty.
    """
    cadre = session.get(Cadre, decision.cadre_id)
    if not policy.can_override(actor, cadre.unit.path):
        raise PermissionDenied("override permission required")
    if decision.status != "blocked" or decision.override is not None:
        raise Conflict("only a blocked proposal can be overridden")
    for name, value in (
        ("authority", authority),
        ("authority_decision_no", authority_decision_no),
        ("reason", reason),
    ):
        if not value.strip():
            raise ValidationFailed(_l("Required."), field=name)
    override = DecisionOverride(
        decision=decision,
        authority=nfc(authority).strip(),
        authority_decision_no=nfc(authority_decision_no).strip(),
        reason=nfc(reason).strip(),
        recorded_by_id=actor.id,
    )
    session.add(override)
    session.flush()
    audit.record(
        session, actor, "override_appointment", "cadre", cadre.id, unit_id=cadre.unit_id, decision=decision.id
    )
    apply_due(session, local_today(), actor=actor, cadre_id=decision.cadre_id)
    return override


def _pending():
    """SELECT of the decisions that went through (approved or overridden) but are not applied yet."""
    return (
        select(AppointmentDecision)
        .outerjoin(DecisionOverride, DecisionOverride.decision_id == AppointmentDecision.id)
        .where(
            AppointmentDecision.applied_at.is_(None),
            or_(AppointmentDecision.status == "approved", DecisionOverride.id.is_not(None)),
        )
    )


def apply_due(
    session: Session, as_of: date, *, actor: User | None = None, cadre_id: int | None = None
) -> list[AppointmentDecision]:
    """Apply every pending decision that takes effect on or before `as_of` (of one cadre, or all).

    Earliest effective date first (then in the order recorded), so a cadre with several due
    decisions ends in the post of the latest, with each one in the history. Each decision is
    applied exactly once, even by overlapping runs: it is claimed with a conditional UPDATE.
    Writes an audit entry per decision applied (actor None: the system). Returns them.
    """
    stmt = _pending().where(AppointmentDecision.effective_on <= as_of)
    if cadre_id is not None:
        stmt = stmt.where(AppointmentDecision.cadre_id == cadre_id)
    due = list(session.scalars(stmt.order_by(AppointmentDecision.effective_on, AppointmentDecision.id)))
    applied = []
    for decision in due:
        if not _claim(session, decision):
            continue  # applied by another run meanwhile
        cadre = session.get(Cadre, decision.cadre_id)
        _apply(session, cadre, decision)
        audit.record(
            session,
            actor,
            "apply_appointment",
            "cadre",
            cadre.id,
            unit_id=cadre.unit_id,
            decision=decision.id,
            title=decision.title_code,
            effective_on=decision.effective_on.isoformat(),
        )
        applied.append(decision)
    return applied


def _claim(session: Session, decision: AppointmentDecision) -> bool:
    """Mark the decision applied unless it already is; True when this call marked it."""
    now = utcnow()
    claimed = session.execute(
        update(AppointmentDecision)
        .where(AppointmentDecision.id == decision.id, AppointmentDecision.applied_at.is_(None))
        .values(applied_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    set_committed_value(decision, "applied_at", now)
    return True


def _apply(session: Session, cadre: Cadre, decision: AppointmentDecision) -> None:
    """An appointment that goes through: close the current post, open the new one."""
    day_before = date.fromordinal(decision.effective_on.toordinal() - 1)
    session.execute(
        update(PositionRecord)
        .where(
            PositionRecord.cadre_id == cadre.id,
            PositionRecord.end_date.is_(None),
            PositionRecord.start_date < decision.effective_on,
        )
        .values(end_date=day_before)
    )
    session.add(
        PositionRecord(
            cadre_id=cadre.id,
            title_code=decision.title_code,
            unit_id=decision.unit_id,
            kind=decision.kind,
            decision_no=decision.decision_no,
            decision_date=decision.effective_on,
            start_date=decision.effective_on,
            appointment_id=decision.id,
        )
    )
    with rollups.tracking_members(session, [cadre.id]):
        cadre.title_code = decision.title_code
        rollups.move_cadre(session, cadre, decision.unit_id)


def get_decision(session: Session, decision_id: int) -> AppointmentDecision:
    decision = session.get(AppointmentDecision, decision_id)
    if decision is None:
        raise NotFound(str(decision_id))
    return decision
