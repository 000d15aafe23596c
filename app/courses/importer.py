"""Importing course folders into the database as course versions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.courses.render import render_markdown
from app.courses.search import index_version
from app.courses.source import (
    COURSE_FILE,
    IMAGE_TYPES,
    CourseSource,
    Problem,
    lesson_slug_for_file,
    read_course,
)
from app.legal import service as legal
from app.models import Course, CourseVersion, Lesson, MediaFile
from app.quizzes.service import add_quiz
from app.text import fold


@dataclass(frozen=True)
class CourseUrls:
    """How the site addresses lessons and images; the importer writes these into the HTML."""

    lesson: Callable[[str, str], str]  # (course code, lesson slug) -> path
    media: Callable[[str], str]  # sha256 -> path
    legal: Callable[[str], str] | None = None  # document number -> its row on the register page


@dataclass
class ImportOutcome:
    folder: Path
    status: str  # created | updated | reviewed | unchanged | failed
    code: str | None = None
    version: str | None = None
    problems: list[Problem] = field(default_factory=list)  # the errors; or, when imported, the warnings


def _store_media(session: Session, source: CourseSource, urls: CourseUrls) -> dict[str, str]:
    """Store the course's images by content hash; return image path -> served address."""
    hashes: dict[str, tuple[str, bytes]] = {}
    for rel, path in source.images.items():
        data = path.read_bytes()
        hashes[rel] = (hashlib.sha256(data).hexdigest(), data)
    wanted = {sha for sha, _ in hashes.values()}
    present = set(session.scalars(select(MediaFile.sha256).where(MediaFile.sha256.in_(wanted))))
    for rel, (sha, data) in hashes.items():
        if sha not in present:
            content_type = IMAGE_TYPES[PurePosixPath(rel).suffix.lower()]
            session.add(MediaFile(sha256=sha, content_type=content_type, size=len(data), data=data))
            present.add(sha)
    return {rel: urls.media(sha) for rel, (sha, _) in hashes.items()}


def _new_version(
    session: Session,
    course: Course,
    number: int,
    source: CourseSource,
    urls: CourseUrls,
    video_hosts: tuple[str, ...],
    documents: dict,
) -> CourseVersion:
    image_urls = _store_media(session, source, urls)
    lesson_urls = {
        name: urls.lesson(source.code, slug) for name, slug in lesson_slug_for_file(source.lessons).items()
    }

    cited = {
        c.number: (urls.legal(c.number) if urls.legal else None, documents[c.number].title)
        for c in source.citations
    }

    def render(text: str) -> str:
        return render_markdown(
            text, lesson_urls=lesson_urls, image_urls=image_urls, video_hosts=video_hosts, citations=cited
        )

    version = CourseVersion(
        course=course,
        number=number,
        label=source.version,
        content_hash=source.content_hash,
        title=source.title,
        summary=source.summary,
        category=source.category,
        hours=source.hours,
        intro_html=render(source.intro),
        search_text=fold(f"{source.code} {source.title} {source.summary}"),
        source_folder=source.folder.name,
        reviewed_on=source.reviewed_on,
        review_every_months=source.review_every_months,
    )
    session.add(version)
    legal.record_citations(session, version, source.citations)
    for position, lesson in enumerate(source.lessons, start=1):
        row = Lesson(
            course_version=version,
            slug=lesson.slug,
            position=position,
            title=lesson.title,
            html=render(lesson.quiz.intro if lesson.quiz else lesson.body),
            source_file=lesson.file.name,
            kind=lesson.kind,
        )
        session.add(row)
        if lesson.quiz is not None:
            add_quiz(session, course, version, row, lesson, render)
    return version


def _label_taken(session: Session, course: Course, source: CourseSource) -> bool:
    clash = select(CourseVersion.number).where(
        CourseVersion.course_id == course.id, CourseVersion.label == source.version
    )
    return session.scalar(clash) is not None


def _record_review(current: CourseVersion, source: CourseSource) -> bool:
    """A new review date or cycle on unchanged content: the edition stays, its review is updated."""
    review = (source.reviewed_on, source.review_every_months)
    if (current.reviewed_on, current.review_every_months) == review:
        return False
    current.reviewed_on, current.review_every_months = review
    return True


def import_course(
    session: Session,
    folder: Path,
    *,
    urls: CourseUrls,
    video_hosts: tuple[str, ...] = (),
    as_of: date | None = None,
) -> ImportOutcome:
    """Import one course folder.

    Unchanged content creates nothing (a new review date or cycle is recorded on the current
    version: status "reviewed"); changed content becomes a new version (its label must be
    new too). A course with any error imports nothing and the outcome lists the problems (warnings
    alone do not stop it: the outcome lists them with the course imported); citing
    a legal document the register does not know, or one repealed as of `as_of` (default: today),
    is one. Flushes, never commits.
    """
    documents = legal.documents_for_import(session)
    source, problems = read_course(folder, video_hosts, legal.citation_check(documents, as_of))
    if source is None:
        return ImportOutcome(folder, "failed", problems=problems)
    outcome = ImportOutcome(folder, "created", code=source.code, version=source.version, problems=problems)
    course = session.scalar(select(Course).where(Course.code == source.code))
    if course is None:
        course = Course(code=source.code, current_version_number=1)
        session.add(course)
        index_version(session, _new_version(session, course, 1, source, urls, video_hosts, documents))
        session.flush()
        return outcome
    current = session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course.id,
            CourseVersion.number == course.current_version_number,
        )
    )
    if current is not None and current.content_hash == source.content_hash:
        outcome.status = "reviewed" if _record_review(current, source) else "unchanged"
        return outcome
    if _label_taken(session, course, source):
        outcome.status = "failed"
        outcome.problems = [
            Problem(
                str(folder / COURSE_FILE),
                source.version_line,
                f"the course changed but version '{source.version}' was already imported with other "
                "content; give this edition a new version label",
            )
        ]
        return outcome
    number = (
        session.scalar(select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id))
        or 0
    ) + 1
    version = _new_version(session, course, number, source, urls, video_hosts, documents)
    course.current_version_number = number
    index_version(session, version)
    session.flush()
    outcome.status = "updated"
    return outcome
