"""The register of legal documents courses cite, and which course versions cite which."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import CourseVersion


class LegalDocument(Base):
    """A law, decree, circular... as the register knows it; loaded from the shipped file
    (app/courses/legal_documents.yaml) and edited by city admins (each edit audited)."""

    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(200))
    effective_on: Mapped[date | None]
    replaced_by: Mapped[str] = mapped_column(String(60), default="", server_default="")
    replaced_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Set by an edit in the browser: `flask legal load` then leaves the document as the admin left it.
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseCitation(Base):
    """A legal document cited (`[[VB number]]`) in a course version, at a file and line."""

    __tablename__ = "course_citations"
    __table_args__ = (Index("ix_course_citations_document_number", "document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    document_number: Mapped[str] = mapped_column(String(60))
    source_file: Mapped[str] = mapped_column(String(255))
    line: Mapped[int]

    course_version: Mapped[CourseVersion] = relationship()
