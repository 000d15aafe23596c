"""The register in the database: loading the shipped file, edits by city admins (audited), and the
published courses that cite a document repealed since they were published."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from app import clock, policy
from app.legal import register
from app.legal.register import Document
from app.models import CURRENT_VERSION, Course, CourseCitation, CourseVersion, LegalDocument
from app.models.base import utcnow
from app.org import audit

EDITABLE = ("kind", "title", "issuer", "effective_on", "replaced_by", "replaced_on", "note")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # edited in the browser: left as the admin left them


def document_of(row: LegalDocument) -> Document:
    return Document(**{name: getattr(row, name) for name in register.FIELDS})


def load(session: Session, documents: dict[str, Document]) -> LoadResult:
    """Bring the database's register up to the shipped one: new documents are added, changed ones
    updated, except those an admin has edited in the browser (kept, and listed). Flushes."""
    rows = {row.number: row for row in session.scalars(select(LegalDocument))}
    result = LoadResult()
    for number, document in documents.items():
        row = rows.get(number)
        if row is None:
            session.add(LegalDocument(**document.as_dict()))
            result.created += 1
        elif document_of(row) == document:
            result.unchanged += 1
        elif row.edited_at is not None:
            result.kept.append(number)
        else:
            for name in EDITABLE:
                setattr(row, name, getattr(document, name))
            result.updated += 1
    session.flush()
    return result


def documents_for_import(session: Session) -> dict[str, Document]:
    """The register a course import is checked against: the shipped file, with the database's
    documents (loaded, and edited by admins) over it."""
    documents = register.load()
    documents.update({row.number: document_of(row) for row in session.scalars(select(LegalDocument))})
    return documents


def citation_check(documents: dict[str, Document], as_of: date | None = None) -> register.CitationCheck:
    return register.CitationCheck(documents, as_of or clock.local_today())


def record_citations(session: Session, version: CourseVersion, citations: Iterable) -> None:
    session.add_all(
        CourseCitation(course_version=version, document_number=c.number, source_file=c.file, line=c.line)
        for c in citations
    )


def all_documents(session: Session) -> list[LegalDocument]:
    return list(session.scalars(select(LegalDocument).order_by(LegalDocument.kind, LegalDocument.number)))


def edit(session: Session, actor, row: LegalDocument, changes: dict[str, object]) -> bool:
    """Change a document of the register; the audit entry keeps the values it had. False when
    nothing changed. Flushes."""
    policy.require(policy.can_edit_legal_documents(actor), "only city admins edit the register")
    changed = {
        name: value for name, value in changes.items() if name in EDITABLE and getattr(row, name) != value
    }
    if not changed:
        return False
    before = {f"before_{name}": _shown(getattr(row, name)) for name in changed}
    after = {f"after_{name}": _shown(value) for name, value in changed.items()}
    for name, value in changed.items():
        setattr(row, name, value)
    row.edited_by_id = getattr(actor, "id", None)
    row.edited_at = utcnow()
    audit.record(
        session, actor, "edit_legal_document", "legal_document", row.id, number=row.number, **before, **after
    )
    session.flush()
    return True


def _shown(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass
class StaleCitation:
    number: str
    replaced_by: str
    replaced_on: date | None
    places: list[str] = field(default_factory=list)  # "04-du-lieu.md:12"


@dataclass
class StaleCourse:
    code: str
    title: str
    label: str
    published_on: date
    documents: dict[str, StaleCitation] = field(default_factory=dict)


def _local_date(moment: datetime) -> date:
    """The day in Vietnam of a stored moment (SQLite gives it back without its UTC zone)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(clock.LOCAL).date()


def stale_courses(session: Session, today: date | None = None, among=None) -> list[StaleCourse]:
    """The published courses (their current version) that cite a document repealed since that
    version was published: one query. A replacement without a known date counts (see
    `Document.repealed_as_of`). `among`: a condition on Course that limits the list (e.g. a
    trainer's own, `policy.teachable_courses`)."""
    today = today or clock.local_today()
    rows = session.execute(
        select(
            Course.code,
            CourseVersion.title,
            CourseVersion.label,
            CourseVersion.imported_at,
            CourseCitation.document_number,
            CourseCitation.source_file,
            CourseCitation.line,
            LegalDocument.replaced_by,
            LegalDocument.replaced_on,
        )
        .join(
            CourseVersion,
            CURRENT_VERSION,
        )
        .join(CourseCitation, CourseCitation.course_version_id == CourseVersion.id)
        .join(LegalDocument, LegalDocument.number == CourseCitation.document_number)
        .where(
            or_(
                LegalDocument.replaced_on <= today,
                and_(LegalDocument.replaced_on.is_(None), LegalDocument.replaced_by != ""),
            ),
            true() if among is None else among,
        )
        .order_by(
            Course.code, CourseCitation.document_number, CourseCitation.source_file, CourseCitation.line
        )
    )
    courses: dict[str, StaleCourse] = {}
    for row in rows:
        published_on = _local_date(row.imported_at)
        if row.replaced_on is not None and row.replaced_on <= published_on:
            continue  # repealed before this edition was published: not a change since
        course = courses.setdefault(row.code, StaleCourse(row.code, row.title, row.label, published_on))
        cited = course.documents.setdefault(
            row.document_number, StaleCitation(row.document_number, row.replaced_by, row.replaced_on)
        )
        cited.places.append(f"{row.source_file}:{row.line}")
    return list(courses.values())
