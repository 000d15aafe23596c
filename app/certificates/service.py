"""Certificates as records: issued for each course completion, read by number, listed for their
holder, revoked with their training record, and the revocations published as a status list.

A certificate states frozen facts (those printed on it); the holder's name, the course's title and
edition, the periods and the score are copied at issue, so that a later change of name or a new
edition of the course leaves it as it was printed. Its id is its bit in the status list."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from app.certificates.facts import CertificateFacts, CertificateStatus
from app.clock import LOCAL, local_today
from app.errors import NotFound, PermissionDenied
from app.models import (
    Certificate,
    CertificateRevocation,
    Course,
    CourseCompletion,
    CourseVersion,
    TrainingRecord,
    Unit,
    User,
)

NUMBER_PREFIX = "GCN"
# Crockford's base 32 without I, L, O, U: read aloud or typed from paper without confusion.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_number(year: int) -> str:
    """GCN-2026-7KQ4M-9XZAB: the year, then 50 random bits, so that numbers cannot be guessed in
    turn, and two alike are unlikely even among millions (the unique index refuses one)."""
    code = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(10))
    return f"{NUMBER_PREFIX}-{year}-{code[:5]}-{code[5:]}"


def _facts_row(
    completion: CourseCompletion,
    holder: str,
    code: str,
    version: CourseVersion,
    issuer: str | None,
    today: date,
) -> dict:
    """The columns of a new certificate for a completion (number and id aside)."""
    return {
        "user_id": completion.user_id,
        "course_completion_id": completion.id,
        "course_id": completion.course_id,
        "course_version_id": version.id,
        "cadre_name": holder,
        "course_code": code,
        "course_title": version.title,
        "edition": version.number,
        "hours": completion.hours_credited,
        "score": completion.score,
        "completed_on": completion.completed_at.astimezone(LOCAL).date(),
        "issued_on": today,
        "issuer": issuer or current_app.config["CERTIFICATE_ISSUER"],
    }


def _with_number(session: Session, row: dict) -> Certificate:
    """Insert the certificate under a fresh number. Flushes."""
    certificate = Certificate(number=new_number(row["issued_on"].year), **row)
    session.add(certificate)
    session.flush()
    return certificate


def issue_for_completion(
    session: Session, completion: CourseCompletion, user: User, course: Course, version: CourseVersion
) -> Certificate:
    """The certificate of a new course completion by `user` of `version` of `course` (the
    completion's own: issued once). Flushes. The certificate is the record of its issue; the
    completion's training record is audited."""
    issuer = None
    if course.issuing_unit_id is not None:
        issuer = session.scalar(select(Unit.name).where(Unit.id == course.issuing_unit_id))
    row = _facts_row(completion, user.full_name, course.code, version, issuer, local_today())
    return _with_number(session, row)


def issue_missing(
    session: Session,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
    commit: Callable[[], None] | None = None,
) -> int:
    """Certificates for every completion that has none (completions from before certificates, or a
    seeded city), a batch at a time, each batch one INSERT (and committed, with `commit`, so that an
    interrupted run keeps what it did and a second run goes on). Idempotent. Returns how many."""
    issued, today = 0, local_today()
    while True:
        rows = session.execute(
            select(CourseCompletion, User.full_name, Course.code, CourseVersion, Unit.name)
            .join(User, User.id == CourseCompletion.user_id)
            .join(Course, Course.id == CourseCompletion.course_id)
            .join(CourseVersion, CourseVersion.id == CourseCompletion.course_version_id)
            .outerjoin(Unit, Unit.id == Course.issuing_unit_id)
            .where(~exists().where(Certificate.course_completion_id == CourseCompletion.id))
            .order_by(CourseCompletion.id)
            .limit(batch)
        ).all()
        if not rows:
            return issued
        values = [
            {"number": new_number(today.year), **_facts_row(c, holder, code, version, issuer, today)}
            for c, holder, code, version, issuer in rows
        ]
        taken = set(
            session.scalars(
                select(Certificate.number).where(Certificate.number.in_([v["number"] for v in values]))
            )
        )
        for value in values:
            while value["number"] in taken:
                value["number"] = new_number(today.year)
            taken.add(value["number"])
        session.execute(insert(Certificate), values)
        session.flush()
        if commit is not None:
            commit()
        issued += len(values)
        if progress is not None:
            progress(len(values))


def pending_count(session: Session) -> int:
    """Completions without a certificate."""
    return (
        session.scalar(
            select(func.count(CourseCompletion.id)).where(
                ~exists().where(Certificate.course_completion_id == CourseCompletion.id)
            )
        )
        or 0
    )


# --- revocation, following the training record ------------------------------------------------------


def _in_force_of(session: Session, completion_id: int) -> Certificate | None:
    """The completion's certificate that is not revoked (the latest: a correction's, if any)."""
    return session.scalar(
        select(Certificate)
        .where(
            Certificate.course_completion_id == completion_id,
            ~exists().where(CertificateRevocation.certificate_id == Certificate.id),
        )
        .order_by(Certificate.id.desc())
        .limit(1)
    )


def _revoke(session: Session, certificate: Certificate, reason: str, day: date, actor_id, record_id) -> None:
    session.add(
        CertificateRevocation(
            certificate_id=certificate.id,
            revoked_on=day,
            reason=reason,
            training_record_id=record_id,
            recorded_by_id=actor_id,
        )
    )
    session.flush()


def record_revoked(
    session: Session, actor: User, old: TrainingRecord, new: TrainingRecord
) -> Certificate | None:
    """The training record behind a certificate was revoked (`new` supersedes `old`): the certificate
    is revoked from the same day, as withdrawn. Returns it (None for a record without one)."""
    if old.course_completion_id is None:
        return None
    certificate = _in_force_of(session, old.course_completion_id)
    if certificate is None:
        return None
    _revoke(session, certificate, "withdrawn", new.revoked_on or local_today(), actor.id, new.id)
    return certificate


def record_corrected(
    session: Session, actor: User, old: TrainingRecord, new: TrainingRecord
) -> Certificate | None:
    """The training record behind a certificate was corrected: the certificate is revoked as
    corrected, and a new one states the corrected facts and names the one it replaces."""
    if old.course_completion_id is None:
        return None
    certificate = _in_force_of(session, old.course_completion_id)
    if certificate is None:
        return None
    today = local_today()
    _revoke(session, certificate, "corrected", today, actor.id, new.id)
    row = {
        column: getattr(certificate, column)
        for column in (
            "user_id",
            "course_completion_id",
            "course_id",
            "course_version_id",
            "cadre_name",
            "course_code",
            "course_title",
            "edition",
            "issuer",
        )
    }
    row.update(
        hours=new.hours,
        score=new.score,
        completed_on=new.completed_on,
        issued_on=today,
        training_record_id=new.id,
        replaces_id=certificate.id,
        issued_by_id=actor.id,
    )
    return _with_number(session, row)


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """A certificate with its standing and the number of the one it replaces."""

    certificate: Certificate
    status: CertificateStatus
    replaces: str | None

    @property
    def facts(self) -> CertificateFacts:
        c = self.certificate
        return CertificateFacts(
            number=c.number,
            cadre_name=c.cadre_name,
            course_code=c.course_code,
            course_title=c.course_title,
            edition=c.edition,
            hours=c.hours,
            score=c.score,
            completed_on=c.completed_on,
            issued_on=c.issued_on,
            issuer=c.issuer,
            replaces=self.replaces,
            status_index=c.id,
        )


def _issued():
    replaced = aliased(Certificate)
    return (
        select(Certificate, CertificateRevocation.revoked_on, CertificateRevocation.reason, replaced.number)
        .outerjoin(CertificateRevocation, CertificateRevocation.certificate_id == Certificate.id)
        .outerjoin(replaced, replaced.id == Certificate.replaces_id)
    )


def _rows(rows: Iterable) -> list[Issued]:
    return [Issued(c, CertificateStatus(day, reason), replaces) for c, day, reason, replaces in rows]


def by_number(session: Session, number: str) -> Issued:
    """A certificate by its number (the public verification page): NotFound for no such number."""
    found = _rows(session.execute(_issued().where(Certificate.number == number.strip().upper())))
    if not found:
        raise NotFound(number)
    return found[0]


def of_user(session: Session, user_id: int) -> list[Issued]:
    """A holder's certificates, the newest first, in one query."""
    stmt = (
        _issued()
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    )
    return _rows(session.execute(stmt))


def own(session: Session, actor: User, certificate_id: int) -> Issued:
    """The actor's own certificate: NotFound, or PermissionDenied for another's."""
    found = _rows(session.execute(_issued().where(Certificate.id == certificate_id)))
    if not found:
        raise NotFound(str(certificate_id))
    if found[0].certificate.user_id != actor.id:
        raise PermissionDenied("not your certificate")
    return found[0]


def revoked_indexes(session: Session) -> list[int]:
    """The status list's set bits: every revoked certificate's id."""
    return list(session.scalars(select(CertificateRevocation.certificate_id)))
