"""What a cadre's profile page (and its printable dossier) shows, read in one place: the records,
the eligibility for the current post and the posts the cadre is planned for, the conditions still
open. Takes the session, the reader and the day explicitly; the view only renders it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import policy
from app.certificates import service as certificates
from app.errors import NotFound
from app.models import (
    AnnualRating,
    AppointmentDecision,
    Cadre,
    DisciplineRecord,
    PlanningEntry,
    PositionRecord,
    QualificationRecord,
    RequirementSet,
    TrainingRecord,
    Unit,
    User,
)
from app.org import audit
from app.profiles import conditions, decisions, records, retirement
from app.profiles.facts import MET, Eligibility
from app.profiles.present import Names, load_names


def cadre_for_viewer(session: Session, actor: User, cadre_id: int) -> Cadre:
    """The profile if `actor` may see it. A route's rule has checked already; this is the check
    again for a cadre reached through one of its records or decisions. Raises NotFound or
    PermissionDenied."""
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise NotFound(str(cadre_id))
    policy.require(policy.can_view_profile(actor, cadre.user_id, cadre.unit.path), "outside your unit")
    return cadre


def audit_view(session: Session, actor: User, action: str, cadre: Cadre, **detail) -> None:
    """Record that `actor` saw the cadre's data, unless it is the cadre's own (flushes)."""
    if cadre.user_id != actor.id:
        audit.record(session, actor, action, "cadre", cadre.id, unit_id=cadre.unit_id, **detail)


@dataclass(frozen=True)
class Evaluation:
    """The eligibility of the cadre for one title, and the courses that would close its gaps."""

    title: str
    result: Eligibility
    set: RequirementSet | None
    plan: list[str]

    @property
    def met(self) -> list:
        """The rules met outright (the dossier lists them in one line)."""
        return [r for r in self.result.results if r.status == MET]

    @property
    def open(self) -> list:
        """The rules not met, or met on a condition (the dossier says what is missing for each)."""
        return [r for r in self.result.results if r.status != MET]


@dataclass(frozen=True)
class ProfilePage:
    cadre: Cadre
    may_manage: bool
    may_decide: bool
    conditions: list[conditions.Condition]
    names: Names
    today: date
    evaluations: list[Evaluation]
    planning: list[PlanningEntry]
    planning_units: dict[int, str]  # unit id: name, for the planning entries
    positions: list[PositionRecord]
    discipline: list[DisciplineRecord]
    ratings: list[AnnualRating]
    qualifications: list[QualificationRecord]
    trainings: list[tuple[TrainingRecord, bool]]  # with whether each is still in force
    superseded_qualifications: set[int]
    decisions: list[AppointmentDecision]
    retirement: retirement.Retirement | None  # by the statutory schedule; None without a gender
    certificates: list[certificates.Issued]  # issued for the cadre's account's course completions

    def certificate_of(self, record: TrainingRecord) -> certificates.Issued | None:
        """The certificate that states an internal training record: a correction's own, else the
        one issued with the completion."""
        for issued in self.certificates:
            c = issued.certificate
            if c.training_record_id == record.id or (
                c.training_record_id is None
                and record.supersedes_id is None
                and c.course_completion_id == record.course_completion_id
            ):
                return issued
        return None

    def parts(self) -> dict:
        """The page's parts by name, as the templates use them."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"certificate_of": self.certificate_of}


def profile_page(session: Session, actor: User, cadre: Cadre, today: date) -> ProfilePage:
    """Everything the profile page of `cadre` shows to `actor` on `today` (a fixed number of
    queries, plus one evaluation per title the cadre holds or is planned for)."""
    names = load_names(session)
    planning = _rows(session, PlanningEntry, cadre, PlanningEntry.valid_from.desc())
    planned_in = {p.unit_id for p in planning if p.unit_id is not None}
    planning_units = (
        dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(planned_in))).all())
        if planned_in
        else {}
    )
    return ProfilePage(
        cadre=cadre,
        may_manage=policy.can_manage_profile(actor, cadre.unit.path),
        may_decide=policy.can_decide(actor, cadre.unit.path),
        conditions=conditions.conditions(session, actor, today, cadre_id=cadre.id),
        names=names,
        today=today,
        evaluations=_evaluations(session, cadre, planning, today),
        planning=planning,
        planning_units=planning_units,
        positions=_rows(session, PositionRecord, cadre, PositionRecord.start_date.desc()),
        discipline=_rows(session, DisciplineRecord, cadre, DisciplineRecord.decided_on.desc()),
        ratings=_rows(session, AnnualRating, cadre, AnnualRating.year.desc()),
        qualifications=_rows(session, QualificationRecord, cadre, QualificationRecord.scale_code),
        trainings=records.training_history(session, cadre),
        superseded_qualifications=set(
            session.scalars(
                select(QualificationRecord.supersedes_id).where(
                    QualificationRecord.cadre_id == cadre.id, QualificationRecord.supersedes_id.is_not(None)
                )
            )
        ),
        decisions=_rows(session, AppointmentDecision, cadre, AppointmentDecision.created_at.desc()),
        retirement=statutory_retirement(cadre),
        certificates=certificates.of_user(session, cadre.user_id) if cadre.user_id else [],
    )


def statutory_retirement(cadre: Cadre) -> retirement.Retirement | None:
    """When the cadre retires by the statutory schedule and the exception for their title, if any
    (None when the profile has no gender the schedule knows)."""
    if cadre.gender not in retirement.GENDERS:
        return None
    return retirement.retirement_of(cadre.gender, cadre.date_of_birth, cadre.title_code)


def issuing_body(cadre: Cadre) -> tuple[str | None, str]:
    """The names a document about the cadre is issued under: the unit's parent (None at the top
    of the tree), then the unit itself."""
    unit = cadre.unit
    return (unit.parent.name if unit.parent is not None else None), unit.name


def legal_bases(evaluations: list[Evaluation]) -> dict[str, int]:
    """The legal bases of the rules evaluated, numbered in order of first use: the dossier cites
    each once and refers to it by number."""
    numbers: dict[str, int] = {}
    for evaluation in evaluations:
        for result in evaluation.result.results:
            basis = result.rule.legal_basis
            if basis and basis not in numbers:
                numbers[basis] = len(numbers) + 1
    return numbers


def _evaluations(
    session: Session, cadre: Cadre, planning: list[PlanningEntry], today: date
) -> list[Evaluation]:
    """Eligibility for the cadre's post, then for each post the cadre is planned for today."""
    targets = [cadre.title_code] if cadre.title_code else []
    targets += [
        p.title_code
        for p in planning
        if (p.valid_to is None or p.valid_to >= today) and p.title_code not in targets
    ]
    evaluations = []
    for title in targets:
        result, row, _facts = decisions.eligibility_for(session, cadre, title, today)
        evaluations.append(Evaluation(title, result, row, _learning_plan(result)))
    return evaluations


def _learning_plan(result: Eligibility) -> list[str]:
    """The codes of the courses that would meet the rules not met yet."""
    codes = set()
    for r in result.results:
        if r.status != MET:
            for m in r.missing:
                course = m.params.get("course")
                codes.update([course] if course else m.params.get("remaining", []))
    return sorted(codes)


def _rows(session: Session, model, cadre: Cadre, order) -> list:
    """The cadre's records of one kind, in the order the page lists them."""
    return list(session.scalars(select(model).where(model.cadre_id == cadre.id).order_by(order)))
