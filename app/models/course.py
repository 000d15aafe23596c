"""Courses as imported from Markdown folders: every import of changed content is a new version."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from app.models.base import Base, utcnow


class Course(Base):
    """A course, identified by its code across all its versions."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    current_version_number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The unit that issues the course (a training institution or a department): its admins, and
    # those above it, assign the course's trainers. None until assigned: only city admins manage it.
    issuing_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # A course may be linked to a git repository: "fetch and check" brings the folder at `git_path`
    # on `git_branch`'s head into a draft edition that records the commit.
    git_url: Mapped[str | None] = mapped_column(String(500))
    git_branch: Mapped[str | None] = mapped_column(String(100))
    git_path: Mapped[str | None] = mapped_column(String(255))

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.number"
    )
    current_version: Mapped[CourseVersion] = relationship(
        primaryjoin=lambda: and_(
            foreign(CourseVersion.course_id) == Course.id,
            CourseVersion.number == Course.current_version_number,
        ),
        viewonly=True,
        uselist=False,
    )


TRAINER_ROLES = ("owner", "editor")


class CourseTrainer(Base):
    """A trainer's assignment to a course, as an owner or an editor: a record, never deleted.

    Removing a trainer (or changing their role, which ends the row and starts a new one) sets
    `ended_at` and `ended_by_id`; the assignment in force is the one without `ended_at`, at most
    one per course and trainer.
    """

    __tablename__ = "course_trainers"
    __table_args__ = (
        Index("ix_course_trainers_course_id", "course_id"),
        Index("ix_course_trainers_user_id", "user_id"),
        Index(
            "uq_course_trainers_active",
            "course_id",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(10))  # owner | editor
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


EDITION_STATUSES = ("draft", "published", "discarded")
EDITION_ORIGINS = ("import", "upload", "repository", "edit", "republish")


class CourseVersion(Base):
    """One edition of a course, frozen when it is made; results cite the version they were earned on.

    An edition is a draft (trainers preview it, learners never see it), published (the course's
    current edition is the published one numbered `Course.current_version_number`; earlier
    published ones stay for the results earned on them), or a discarded draft (kept as a record).
    A label names one content: it may recur only on a re-publication of the same content.
    """

    __tablename__ = "course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        Index("ix_course_versions_course_id_label", "course_id", "label"),
        Index("ix_course_versions_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    hours: Mapped[int]
    intro_html: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    source_folder: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The review cycle from course.md: not content (a review that changes nothing keeps the edition).
    reviewed_on: Mapped[date | None]
    review_every_months: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="published", server_default="published")
    # Where the content came from: the server's folder (import), an uploaded .zip, a git commit, an
    # edit in the browser, or a re-publication of edition `based_on_number`.
    origin: Mapped[str] = mapped_column(String(10), default="import", server_default="import")
    origin_detail: Mapped[str] = mapped_column(String(500), default="", server_default="")
    source_commit: Mapped[str | None] = mapped_column(String(40))
    based_on_number: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the command line
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    course: Mapped[Course] = relationship(back_populates="versions")
    lessons: Mapped[list[Lesson]] = relationship(back_populates="course_version", order_by="Lesson.position")


# Join condition: a course with its current version (the edition learners take now).
CURRENT_VERSION = (CourseVersion.course_id == Course.id) & (
    CourseVersion.number == Course.current_version_number
)


class CourseBlob(Base):
    """The bytes of one source file of a course, stored once by content hash."""

    __tablename__ = "course_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CourseSourceFile(Base):
    """One file of the folder an edition was made from: download and re-publication rebuild it."""

    __tablename__ = "course_source_files"

    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)  # relative, with "/"
    sha256: Mapped[str] = mapped_column(ForeignKey("course_blobs.sha256"))


class Lesson(Base):
    """A lesson as it stands in one course version; `slug` is its id across versions."""

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("course_version_id", "slug"),
        UniqueConstraint("course_version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    source_file: Mapped[str] = mapped_column(String(255))
    # page | quiz | assignment (a written assignment: app/models/written.py)
    kind: Mapped[str] = mapped_column(String(10), default="page", server_default="page")

    course_version: Mapped[CourseVersion] = relationship(back_populates="lessons")


class CourseSearchDocument(Base):
    """Folded text of one part of a current course version, for the catalogue search.

    Parts are ranked: 0 code and title, 1 summary, 2 category (Vietnamese and English words),
    3 a lesson's title, 4 a lesson's text. Each database indexes `folded` its own way
    (app/courses/search.py): an FTS5 table on SQLite, a GIN index of a 'simple' tsvector on
    PostgreSQL. Rebuilt at import for the course's new current version.
    """

    __tablename__ = "course_search_documents"
    __table_args__ = (Index("ix_course_search_documents_version", "course_version_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id"), index=True)
    rank: Mapped[int]
    folded: Mapped[str] = mapped_column(Text)


class MediaFile(Base):
    """An image from a course folder, stored by content hash so versions share unchanged files.

    Kept in the database (not on local disk) so that several app servers can serve it.
    """

    __tablename__ = "media_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
