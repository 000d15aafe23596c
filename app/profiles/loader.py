"""Building the eligibility engine's inputs from the database, for one cadre or thousands at once.

Each kind of record is read with one query over the whole batch of cadres (never one per cadre).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Cadre,
    DisciplineRecord,
    PlanningEntry,
    PositionRecord,
    QualificationRecord,
    RequirementSet,
    Scale,
    Title,
    TrainingRecord,
    Unit,
)
from app.models.profile import qualification_in_force, training_in_force
from app.profiles import facts

BATCH = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def load_facts(session: Session, cadres: list[Cadre]) -> dict[int, facts.CadreFacts]:
    """CadreFacts for each cadre, with five queries per batch of up to 5,000 cadres."""
    out: dict[int, facts.CadreFacts] = {}
    by_id = {c.id: c for c in cadres}
    for chunk in _chunks([c.id for c in cadres]):
        trainings = _trainings(session, chunk)
        qualifications = _qualifications(session, chunk)
        planning = _planning(session, chunk)
        discipline = _discipline(
            session.scalars(select(DisciplineRecord).where(DisciplineRecord.cadre_id.in_(chunk)))
        )
        positions = _positions(session, chunk)
        for cid in chunk:
            c = by_id[cid]
            out[cid] = facts.CadreFacts(
                employee_code=c.employee_code,
                full_name=c.full_name,
                date_of_birth=c.date_of_birth,
                gender=c.gender,
                title_code=c.title_code,
                trainings=tuple(trainings[cid]),
                qualifications=tuple(qualifications[cid]),
                planning=tuple(planning[cid]),
                discipline=tuple(discipline[cid]),
                positions=tuple(sorted(positions[cid], key=lambda p: p.start_date)),
            )
    return out


def _trainings(session: Session, chunk: list[int]) -> dict[int, list[facts.TrainingFact]]:
    """The training records in force, per cadre, with the code of the unit they were trained in."""
    return _with_unit_code(session, chunk, TrainingRecord, _training_fact, training_in_force())


def _training_fact(r: TrainingRecord, unit_code: str | None) -> facts.TrainingFact:
    return facts.TrainingFact(
        record_id=r.id,
        completed_on=r.completed_on,
        hours=r.hours,
        course_code=r.course_code,
        programme=r.programme,
        category=r.category,
        score=r.score,
        valid_until=r.valid_until,
        revoked=r.is_revoked,
        revoked_on=r.revoked_on,
        course_version=r.course_version,
        certificate_no=r.certificate_no,
        unit_code=unit_code,
    )


def _qualifications(session: Session, chunk: list[int]) -> dict[int, list[facts.QualificationFact]]:
    """The qualification records in force, per cadre."""
    out: dict[int, list[facts.QualificationFact]] = defaultdict(list)
    for q in session.scalars(
        select(QualificationRecord).where(QualificationRecord.cadre_id.in_(chunk), qualification_in_force())
    ):
        out[q.cadre_id].append(
            facts.QualificationFact(
                record_id=q.id,
                scale=q.scale_code,
                level=q.level_code,
                issued_on=q.issued_on,
                expires_on=q.expires_on,
                revoked=q.is_revoked,
                revoked_on=q.revoked_on,
                issuer=q.issuer,
                number=q.number,
                recorded_on=q.recorded_at.date() if q.recorded_at else None,
            )
        )
    return out


def _planning(session: Session, chunk: list[int]) -> dict[int, list[facts.PlanningFact]]:
    """The planning entries (quy hoạch), per cadre, with the code of the post's unit."""
    return _with_unit_code(
        session,
        chunk,
        PlanningEntry,
        lambda p, code: facts.PlanningFact(p.id, p.title_code, p.valid_from, p.valid_to, code),
    )


def _positions(session: Session, chunk: list[int]) -> dict[int, list[facts.PositionFact]]:
    """The posts held, per cadre, with the code of the post's unit (not yet in date order)."""
    return _with_unit_code(
        session,
        chunk,
        PositionRecord,
        lambda p, code: facts.PositionFact(p.id, p.title_code, p.start_date, p.end_date, code),
    )


def _with_unit_code(session: Session, chunk: list[int], model, fact, *conditions) -> dict[int, list]:
    """`model`'s rows of the cadres in `chunk` (and `conditions`) as facts (`fact(row, unit code)`),
    per cadre; one query."""
    out: dict[int, list] = defaultdict(list)
    for row, unit_code in session.execute(
        select(model, Unit.code)
        .outerjoin(Unit, Unit.id == model.unit_id)
        .where(model.cadre_id.in_(chunk), *conditions)
    ):
        out[row.cadre_id].append(fact(row, unit_code))
    return out


def _discipline(rows: Iterable[DisciplineRecord]) -> dict[int, list[facts.DisciplineFact]]:
    """Discipline facts per cadre: an annulment or replacement ends the record it supersedes on its
    effective day; a replacement counts from that day with its own level and decided_on."""
    rows = list(rows)
    ended = {r.supersedes_id: r.effective_on or r.decided_on for r in rows if r.supersedes_id is not None}
    out: dict[int, list[facts.DisciplineFact]] = defaultdict(list)
    for r in rows:
        if r.is_annulled:
            continue
        counts_from = (r.effective_on or r.decided_on) if r.supersedes_id is not None else None
        out[r.cadre_id].append(
            facts.DisciplineFact(
                r.id, r.level, r.decided_on, counts_from=counts_from, ends_on=ended.get(r.id)
            )
        )
    return out


def reference(session: Session) -> tuple[dict[str, facts.ScaleDef], dict[str, facts.TitleDef]]:
    scales = {
        s.code: facts.ScaleDef(s.code, tuple(level.code for level in s.levels))
        for s in session.scalars(select(Scale))
    }
    titles = {t.code: facts.TitleDef(t.code, t.name, t.rank) for t in session.scalars(select(Title))}
    return scales, titles


def to_requirement_set(row: RequirementSet) -> facts.RequirementSet:
    return facts.RequirementSet(
        title_code=row.title_code,
        version=row.version,
        effective_from=row.effective_from,
        rules=tuple(
            facts.Rule(
                kind=r.kind,
                params=r.params,
                legal_basis=r.legal_basis,
                label=r.label,
                key=r.key,
                applies_to=tuple(r.applies_to) if r.applies_to is not None else None,
            )
            for r in row.rules
        ),
        legal_basis=row.legal_basis,
        is_example=row.is_example,
    )
