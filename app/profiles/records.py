"""Training and qualification records: created, corrected and revoked without editing in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from app import policy
from app.certificates import service as certificates
from app.clock import LOCAL, local_today
from app.errors import Conflict, ValidationFailed
from app.models import (
    Cadre,
    Course,
    CourseCompletion,
    CourseVersion,
    DisciplineRecord,
    PlanningEntry,
    QualificationRecord,
    Scale,
    ScaleLevel,
    Title,
    TrainingRecord,
    Unit,
    User,
)
from app.models.profile import DISCIPLINE_LEVELS
from app.org import audit
from app.org.units import account_unit_path
from app.profiles import planning
from app.stats import rollups
from app.text import nfc

NOT_COPIED = {"id", "supersedes_id", "reason", "recorded_by_id", "recorded_at", "course_completion_id"}


def _managed(session: Session, actor: User, cadre: Cadre | int) -> Cadre:
    """The cadre (or the cadre with this id) if `actor` may change their records; PermissionDenied
    otherwise."""
    if isinstance(cadre, int):
        cadre = session.get(Cadre, cadre)
    policy.require(policy.can_manage_profile(actor, cadre.unit.path), "outside your unit")
    return cadre


def _audit(session: Session, actor: User, action: str, cadre: Cadre, **detail) -> None:
    audit.record(session, actor, action, "cadre", cadre.id, unit_id=cadre.unit_id, **detail)


def _superseding(record, actor: User, reason: str, **changes):
    """A new row of the same kind as `record` that supersedes it (a correction or a revocation),
    with who and why; the old row is never edited."""
    values = {c.key: getattr(record, c.key) for c in record.__table__.columns if c.key not in NOT_COPIED}
    return type(record)(
        **{
            **values,
            **changes,
            "supersedes_id": record.id,
            "reason": nfc(reason).strip(),
            "recorded_by_id": actor.id,
        }
    )


def internal_training(
    *,
    cadre_id: int,
    unit_id: int | None,
    course_code: str,
    version: CourseVersion,
    completion_id: int,
    completed_at: datetime,
    hours: int,
    score: float | None,
) -> dict:
    """The training record (as column values) that an internal course completion gives a profile."""
    return {
        "cadre_id": cadre_id,
        "source": "internal",
        "course_completion_id": completion_id,
        "course_code": course_code,
        "course_version": version.label,
        "programme": version.title,
        "issuer": "Boiduong",
        "certificate_no": f"BD-{course_code}-{completion_id:06d}",
        "category": version.category,
        "hours": hours,
        "score": score,
        "completed_on": completed_at.astimezone(LOCAL).date(),
        "unit_id": unit_id,
    }


def _of_completion(
    completion: CourseCompletion, cadre_id: int, unit_id: int | None, code: str, version
) -> dict:
    return internal_training(
        cadre_id=cadre_id,
        unit_id=unit_id,
        course_code=code,
        version=version,
        completion_id=completion.id,
        completed_at=completion.completed_at,
        hours=completion.hours_credited,
        score=completion.score,
    )


def record_completion(
    session: Session, completion: CourseCompletion, actor_id: int | None = None
) -> TrainingRecord | None:
    """Turn an internal course completion into a training record of the learner's cadre profile
    (audited as done by `actor_id`, by default the learner who completed the course)."""
    cadre = session.scalar(select(Cadre).where(Cadre.user_id == completion.user_id))
    if cadre is None:
        return None
    if session.scalar(select(TrainingRecord.id).where(TrainingRecord.course_completion_id == completion.id)):
        return None
    version = session.get(CourseVersion, completion.course_version_id)
    record = TrainingRecord(
        **_of_completion(completion, cadre.id, cadre.unit_id, version.course.code, version)
    )
    session.add(record)
    session.flush()
    rollups.count_training(session, record, 1)
    audit.append(
        session,
        [
            audit.Entry(
                actor_id if actor_id is not None else completion.user_id,
                "record_completion",
                "cadre",
                cadre.id,
                cadre.unit_id,
                {"record": record.id, "course": version.course.code, "version": version.label},
            )
        ],
    )
    return record


def bring_in_completions(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Training records for every completion of these accounts that their profiles lack yet, read
    and written a thousand accounts at a time (a personnel sync may link the whole city at once).
    Returns how many records each account brought in. The hours counters are left to the caller,
    which rebuilds them; so is the audit entry of each link, which carries these counts."""
    added: dict[int, int] = {}
    for start in range(0, len(user_ids), 1000):
        rows = session.execute(
            select(CourseCompletion, Cadre.id, Cadre.unit_id, Course.code, CourseVersion)
            .join(Cadre, Cadre.user_id == CourseCompletion.user_id)
            .join(CourseVersion, CourseVersion.id == CourseCompletion.course_version_id)
            .join(Course, Course.id == CourseVersion.course_id)
            .where(
                CourseCompletion.user_id.in_(user_ids[start : start + 1000]),
                ~exists(
                    select(TrainingRecord.id).where(
                        TrainingRecord.course_completion_id == CourseCompletion.id
                    )
                ),
            )
        ).all()
        if rows:
            session.execute(insert(TrainingRecord), [_of_completion(*row) for row in rows])
            for row in rows:
                added[row[0].user_id] = added.get(row[0].user_id, 0) + 1
    return added


def link_account(session: Session, actor: User, cadre: Cadre, user: User) -> int:
    """Link a profile to a login account and bring in the courses that account has completed.

    Raises PermissionDenied unless both the account and the profile are the actor's to manage, and
    Conflict when either is linked already."""
    policy.require(
        policy.can_link_account(actor, account_unit_path(session, user), cadre.unit.path),
        "the account or the profile is outside your unit",
    )
    if cadre.user_id is not None and cadre.user_id != user.id:
        raise Conflict("the profile is linked to another account")
    if session.scalar(select(Cadre.id).where(Cadre.user_id == user.id, Cadre.id != cadre.id)):
        raise Conflict("the account is linked to another profile")
    with rollups.tracking_members(session, [cadre.id]):
        cadre.user_id = user.id
    rollups.move_learner(session, user.id, None, cadre.unit_id)
    added = 0
    for completion in session.scalars(select(CourseCompletion).where(CourseCompletion.user_id == user.id)):
        added += record_completion(session, completion, actor.id) is not None
    _audit(session, actor, "link_account", cadre, user=user.email, records=added)
    return added


@dataclass(frozen=True)
class ExternalTraining:
    programme: str
    issuer: str
    completed_on: date
    hours: int
    certificate_no: str = ""
    category: str | None = None
    course_code: str | None = None
    valid_until: date | None = None
    score: float | None = None
    evidence: str = ""


def _check_external(data: ExternalTraining) -> None:
    if not data.programme.strip():
        raise ValidationFailed(_l("Required."), field="programme")
    # Training recorded for today's cadres began long after 1950 (the oldest were born about 1960);
    # an earlier date, or one in the future, is a typing or import error such as 0001-01-01.
    if not date(1950, 1, 1) <= data.completed_on <= local_today():
        raise ValidationFailed(_l("Must be between 1950 and today."), field="completed_on")
    if data.hours < 0 or data.hours > 2000:
        raise ValidationFailed(_l("Must be between 0 and 2000."), field="hours")
    if data.valid_until and data.valid_until < data.completed_on:
        raise ValidationFailed(_l("This is before the completion date."), field="valid_until")
    if data.valid_until and data.valid_until.year > data.completed_on.year + 100:  # e.g. 9999-12-31
        raise ValidationFailed(_l("More than 100 years after the completion date."), field="valid_until")
    if data.score is not None and not 0 <= data.score <= 100:
        raise ValidationFailed(_l("Must be between 0 and 100."), field="score")


def add_external(session: Session, actor: User, cadre: Cadre, data: ExternalTraining) -> TrainingRecord:
    """Record an external programme (entered or imported by an admin). Raises ValidationFailed, or
    PermissionDenied outside the actor's unit."""
    _managed(session, actor, cadre)
    _check_external(data)
    record = TrainingRecord(
        cadre_id=cadre.id,
        source="external",
        programme=nfc(data.programme).strip(),
        issuer=nfc(data.issuer),
        certificate_no=data.certificate_no,
        category=data.category,
        course_code=data.course_code,
        hours=data.hours,
        score=data.score,
        completed_on=data.completed_on,
        valid_until=data.valid_until,
        unit_id=cadre.unit_id,
        evidence=data.evidence,
        recorded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    rollups.count_training(session, record, 1)
    _audit(session, actor, "add_training", cadre, record=record.id)
    return record


def _require_in_force(session: Session, record: TrainingRecord) -> None:
    if session.scalar(select(TrainingRecord.id).where(TrainingRecord.supersedes_id == record.id)):
        raise Conflict("this record has already been corrected or revoked")


def correct_training(
    session: Session, actor: User, record: TrainingRecord, data: ExternalTraining, reason: str
) -> TrainingRecord:
    """A correction: a new record that supersedes `record`, with who and why."""
    cadre = _managed(session, actor, record.cadre_id)
    if not reason.strip():
        raise ValidationFailed(_l("Say why the record is corrected."), field="reason")
    _check_external(data)
    _require_in_force(session, record)
    new = _superseding(
        record,
        actor,
        reason,
        course_code=data.course_code or record.course_code,
        programme=nfc(data.programme).strip(),
        issuer=nfc(data.issuer),
        certificate_no=data.certificate_no,
        category=data.category,
        hours=data.hours,
        score=data.score,
        completed_on=data.completed_on,
        valid_until=data.valid_until,
        evidence=data.evidence,
    )
    session.add(new)
    session.flush()
    rollups.count_training(session, record, -1)
    rollups.count_training(session, new, 1)
    _audit(session, actor, "correct_training", cadre, record=record.id, new=new.id)
    certificates.record_corrected(session, actor, record, new)  # a new certificate replaces its own
    return new


def _revocation_day(revoked_on: date | None, earned_on: date | None) -> date:
    """The day a revocation counts from: given, or today; never before the record was earned nor
    after today (a revocation records a decision already made). Raises ValidationFailed."""
    today = local_today()
    day = revoked_on or today
    if day > today:
        raise ValidationFailed(_l("A revocation cannot be dated in the future."), field="revoked_on")
    if earned_on and day < earned_on:
        raise ValidationFailed(_l("This is before the record was earned."), field="revoked_on")
    return day


def revoke_training(
    session: Session, actor: User, record: TrainingRecord, reason: str, revoked_on: date | None = None
) -> TrainingRecord:
    """A revocation (e.g. a certificate withdrawn): a new record marked revoked that supersedes it.

    It counts from `revoked_on` (default today): evaluations as of an earlier day are unchanged.
    """
    cadre = _managed(session, actor, record.cadre_id)
    if not reason.strip():
        raise ValidationFailed(_l("Say why the record is revoked."), field="reason")
    day = _revocation_day(revoked_on, record.completed_on)
    _require_in_force(session, record)
    new = _superseding(record, actor, reason, is_revoked=True, revoked_on=day)
    session.add(new)
    session.flush()
    rollups.count_training(session, record, -1)  # a revoked record credits nothing
    _audit(session, actor, "revoke_training", cadre, record=record.id, revoked_on=day.isoformat())
    certificates.record_revoked(session, actor, record, new)  # its certificate is revoked with it
    return new


def training_history(session: Session, cadre: Cadre) -> list[tuple[TrainingRecord, bool]]:
    """Every training record of the cadre, newest first, with whether it is still in force."""
    superseded = set(
        session.scalars(
            select(TrainingRecord.supersedes_id).where(
                TrainingRecord.cadre_id == cadre.id, TrainingRecord.supersedes_id.is_not(None)
            )
        )
    )
    records = session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.cadre_id == cadre.id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    )
    return [(r, r.id not in superseded) for r in records]


# --- qualifications, planning, discipline -------------------------------------------------------


@dataclass(frozen=True)
class QualificationInput:
    scale: str
    level: str
    issuer: str = ""
    number: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    evidence: str = ""


def add_qualification(
    session: Session, actor: User, cadre: Cadre, data: QualificationInput
) -> QualificationRecord:
    """Record a qualification on an ordered scale. Raises ValidationFailed naming the field."""
    _managed(session, actor, cadre)
    scale = session.scalar(select(Scale).where(Scale.code == data.scale))
    if scale is None:
        raise ValidationFailed(_l("Unknown area %(value)s.", value=data.scale), field="scale")
    if (
        session.scalar(
            select(ScaleLevel.id).where(ScaleLevel.scale_id == scale.id, ScaleLevel.code == data.level)
        )
        is None
    ):
        raise ValidationFailed(
            _l("%(level)s is not a level of %(scale)s.", level=data.level, scale=scale.name), field="level"
        )
    if data.issued_on and data.expires_on and data.expires_on < data.issued_on:
        raise ValidationFailed(_l("This is before the issue date."), field="expires_on")
    record = QualificationRecord(
        cadre_id=cadre.id,
        scale_code=data.scale,
        level_code=data.level,
        issuer=nfc(data.issuer).strip(),
        number=nfc(data.number).strip(),
        issued_on=data.issued_on,
        expires_on=data.expires_on,
        evidence=data.evidence,
        recorded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    _audit(session, actor, "add_qualification", cadre, record=record.id)
    return record


def revoke_qualification(
    session: Session, actor: User, record: QualificationRecord, reason: str, revoked_on: date | None = None
) -> QualificationRecord:
    """A revoked certificate: a new entry that supersedes the old one, with who and why; it counts
    from `revoked_on` (default today), evaluations as of an earlier day are unchanged."""
    cadre = _managed(session, actor, record.cadre_id)
    if not reason.strip():
        raise ValidationFailed(_l("Say why the qualification is revoked."), field="reason")
    day = _revocation_day(revoked_on, record.issued_on)
    if session.scalar(select(QualificationRecord.id).where(QualificationRecord.supersedes_id == record.id)):
        raise Conflict("this record has already been revoked")
    new = _superseding(record, actor, reason, is_revoked=True, revoked_on=day)
    session.add(new)
    session.flush()
    _audit(session, actor, "revoke_qualification", cadre, record=record.id, revoked_on=day.isoformat())
    return new


def add_planning(
    session: Session,
    actor: User,
    cadre: Cadre,
    *,
    title_code: str,
    unit: Unit,
    term: str,
    valid_from: date,
    valid_to: date | None,
    decision_no: str,
    limit_override: str = "",
) -> PlanningEntry:
    """Put the cadre in the planning pool (quy hoạch) for a post: a title in `unit`.

    The limits of Regulation 377-QĐ/TW (see `planning`) are counted over entries whose periods
    overlap this one. An actor with the override permission over the post's unit may exceed them
    by saying why in `limit_override`, which is then stored and audited with the limits exceeded;
    a reason given when no limit is exceeded is not kept. Raises PermissionDenied when the cadre
    is outside the actor's units, and ValidationFailed naming the field for a post outside them,
    an unknown title, a period that ends before it starts, the same post planned twice in a
    period, or a limit exceeded without the permission and a reason.
    """
    _managed(session, actor, cadre)
    _check_post(session, actor, title_code, unit, valid_from, valid_to)
    # Concurrent plannings for a post, or for a cadre, wait for each other here (always the unit
    # first, then the cadre, so they cannot deadlock); SQLite writes one at a time anyway.
    session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
    session.execute(select(Cadre.id).where(Cadre.id == cadre.id).with_for_update())
    _check_not_planned_twice(session, cadre, title_code, unit, valid_from, valid_to)
    exceeded = planning.exceeded_limits(session, cadre.id, title_code, unit.id, valid_from, valid_to)
    reason = _limit_override(actor, unit, exceeded, limit_override)
    entry = PlanningEntry(
        cadre_id=cadre.id,
        title_code=title_code,
        unit_id=unit.id,
        term=nfc(term).strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        decision_no=nfc(decision_no).strip(),
        limit_override=reason,
        recorded_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    detail = {"title": title_code, "post_unit": unit.code, "entry": entry.id}
    if exceeded:
        # e.g. "cadres_per_post (4 > 3)": the limit, how many with this entry, and the maximum
        detail["limits_exceeded"] = ", ".join(f"{e.limit} ({e.already + 1} > {e.maximum})" for e in exceeded)
        detail["limit_override"] = reason
    _audit(session, actor, "add_planning", cadre, **detail)
    return entry


def _check_post(
    session: Session, actor: User, title_code: str, unit: Unit, valid_from: date, valid_to: date | None
) -> None:
    """The post (a title in a unit) and the term of a planning entry: the unit the actor's and not
    dissolved before the term starts, the title known, the term not ending before it starts."""
    if not policy.can_manage_profile(actor, unit.path):
        raise ValidationFailed(_l("This unit is outside yours."), field="unit_code")
    if session.scalar(select(Title.id).where(Title.code == title_code)) is None:
        raise ValidationFailed(_l("Unknown position %(value)s.", value=title_code), field="title_code")
    if valid_to and valid_to < valid_from:
        raise ValidationFailed(_l("This is before the start of the term."), field="valid_to")
    if unit.valid_to is not None and unit.valid_to < valid_from:
        raise ValidationFailed(
            _l("This unit was dissolved or merged before the start of the term."), field="unit_code"
        )


def _check_not_planned_twice(
    session: Session, cadre: Cadre, title_code: str, unit: Unit, valid_from: date, valid_to: date | None
) -> None:
    if session.scalar(
        select(PlanningEntry.id).where(
            PlanningEntry.cadre_id == cadre.id,
            PlanningEntry.title_code == title_code,
            PlanningEntry.unit_id == unit.id,
            planning.overlapping(valid_from, valid_to),
        )
    ):
        raise ValidationFailed(
            _l("The cadre is already planned for this post in this period."), field="title_code"
        )


def _limit_override(actor: User, unit: Unit, exceeded: list[planning.Exceeded], limit_override: str) -> str:
    """The reason kept for going beyond the planning limits `exceeded`: "" when none is. Raises
    ValidationFailed when one is and the actor lacks the override permission over the unit (at the
    reason if they gave one, else at the title), or has it but gave no reason."""
    if not exceeded:
        return ""
    reason = nfc(limit_override).strip()
    limits = planning.explain_all(exceeded)
    if not policy.can_override(actor, unit.path):
        if reason:
            raise ValidationFailed(
                _l(
                    "%(limits)s Only an administrator with the override permission may go beyond "
                    "a planning limit.",
                    limits=limits,
                ),
                field="limit_override",
            )
        raise ValidationFailed(limits, field="title_code")
    if not reason:
        raise ValidationFailed(
            _l("%(limits)s To go beyond the limit, write the reason here.", limits=limits),
            field="limit_override",
        )
    return reason


def add_discipline(
    session: Session,
    actor: User,
    cadre: Cadre,
    *,
    level: str,
    decided_on: date,
    decision_no: str,
    reason: str,
) -> DisciplineRecord:
    """Record a discipline decision. Raises ValidationFailed naming the field."""
    _managed(session, actor, cadre)
    if level not in DISCIPLINE_LEVELS:
        raise ValidationFailed(_l("Unknown discipline level %(value)s.", value=level), field="level")
    if decided_on <= cadre.date_of_birth:
        raise ValidationFailed(_l("This is before the cadre's birth."), field="decided_on")
    record = DisciplineRecord(
        cadre_id=cadre.id,
        level=level,
        decided_on=decided_on,
        decision_no=nfc(decision_no).strip(),
        reason=nfc(reason).strip(),
        recorded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    _audit(session, actor, "add_discipline", cadre, level=level)
    return record


def change_discipline(
    session: Session,
    actor: User,
    record: DisciplineRecord,
    *,
    annul: bool,
    effective_on: date,
    decision_no: str,
    reason: str,
    level: str | None = None,
    decided_on: date | None = None,
) -> DisciplineRecord:
    """Annul a discipline decision, or replace it by another level: a new row that supersedes it.

    The old one stops counting on `effective_on` (the day of the annulling or replacing decision);
    evaluations as of an earlier day are unchanged. A replacement counts from that day with its own
    level, its cooling-off running from `decided_on` (default: the original decision's date).
    It needs the override permission over the cadre's unit (it can let a blocked appointment
    pass). Raises PermissionDenied without it, ValidationFailed naming the field, Conflict if the
    record was already changed.
    """
    cadre = _managed(session, actor, record.cadre_id)
    policy.require(policy.can_override(actor, cadre.unit.path), "the override permission is required")
    for name, value in (("decision_no", decision_no), ("reason", reason)):
        if not value.strip():
            raise ValidationFailed(_l("Required."), field=name)
    if effective_on < record.decided_on:
        raise ValidationFailed(_l("This is before the decision it changes."), field="effective_on")
    if effective_on > local_today():
        raise ValidationFailed(_l("A decision cannot be recorded before it is made."), field="effective_on")
    if not annul:
        if level not in DISCIPLINE_LEVELS:
            raise ValidationFailed(_l("Choose the new level."), field="level")
        decided_on = decided_on or record.decided_on
        if decided_on <= cadre.date_of_birth:
            raise ValidationFailed(_l("This is before the cadre's birth."), field="decided_on")
    if session.scalar(select(DisciplineRecord.id).where(DisciplineRecord.supersedes_id == record.id)):
        raise Conflict(_l("This decision has already been annulled or replaced."))
    new = DisciplineRecord(
        cadre_id=cadre.id,
        level=record.level if annul else level,
        decided_on=record.decided_on if annul else decided_on,
        decision_no=nfc(decision_no).strip(),
        reason=nfc(reason).strip(),
        supersedes_id=record.id,
        is_annulled=annul,
        effective_on=effective_on,
        recorded_by_id=actor.id,
    )
    session.add(new)
    session.flush()
    action = "annul_discipline" if annul else "replace_discipline"
    _audit(session, actor, action, cadre, record=record.id, new=new.id, effective_on=effective_on.isoformat())
    return new
