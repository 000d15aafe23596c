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
from app.legal.register import anchor
from app.messages import _l
from app.models import (
    Course,
    CourseBlob,
    CourseSourceFile,
    CourseVersion,
    Lesson,
    MediaFile,
    WrittenAssignment,
)
from app.models.base import utcnow
from app.quizzes.service import add_quiz
from app.text import fold


@dataclass(frozen=True)
class CourseUrls:
    """How the site addresses lessons and images; the importer writes these into the HTML."""

    lesson: Callable[[str, str], str]  # (course code, lesson slug) -> path
    media: Callable[[str], str]  # sha256 -> path
    legal: Callable[[str], str] | None = None  # document number -> its row on the register page


def urls_of(app) -> CourseUrls:
    """Addresses of lessons and images as `app` (a Flask application) serves them."""
    adapter = app.url_map.bind("localhost", script_name=app.config.get("APPLICATION_ROOT") or "/")
    return CourseUrls(
        lesson=lambda code, slug: adapter.build("learning.lesson", {"code": code, "slug": slug}),
        media=lambda sha: adapter.build("learning.media", {"sha256": sha}),
        legal=lambda number: adapter.build("legal.register") + "#" + anchor(number),
    )


@dataclass(frozen=True)
class Origin:
    """Where an edition comes from, and whether it waits as a draft.

    `kind`: import (the server's folder, by the command line), upload (a .zip), repository (a git commit),
    edit (a lesson edited in the browser) or republish (edition `based_on` again). A draft is
    previewed by the course's trainers and published later; learners never see it.
    """

    kind: str = "import"
    detail: str = ""  # the .zip's name, the repository and branch, the edited file
    commit: str | None = None
    based_on: int | None = None  # the edition it was edited from or re-publishes
    actor_id: int | None = None  # None: the command line
    draft: bool = False


@dataclass
class ImportOutcome:
    folder: Path
    status: str  # created | updated | drafted | reviewed | unchanged | failed
    code: str | None = None
    version: str | None = None
    problems: list[Problem] = field(default_factory=list)  # the errors; or, when imported, the warnings
    number: int | None = None  # the edition made, or the one with the same content
    new_course: bool = False  # the import created the course


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


def _store_sources(session: Session, version: CourseVersion, source: CourseSource) -> None:
    """Keep the files the edition was made from (course.md, lessons, quizzes, images), each
    stored once by content hash, so that the edition can be downloaded and re-published."""
    files = {COURSE_FILE: source.folder / COURSE_FILE}
    files.update({lesson.file.name: lesson.file for lesson in source.lessons})
    files.update(source.images)
    blobs = {rel: path.read_bytes() for rel, path in files.items()}
    hashes = {rel: hashlib.sha256(data).hexdigest() for rel, data in blobs.items()}
    present = set(
        session.scalars(select(CourseBlob.sha256).where(CourseBlob.sha256.in_(set(hashes.values()))))
    )
    for rel, sha in sorted(hashes.items()):
        if sha not in present:
            session.add(CourseBlob(sha256=sha, size=len(blobs[rel]), data=blobs[rel]))
            present.add(sha)
        session.add(CourseSourceFile(course_version_id=version.id, path=rel, sha256=sha))


def _version_row(
    course: Course, number: int, source: CourseSource, intro_html: str, origin: Origin
) -> CourseVersion:
    return CourseVersion(
        course=course,
        number=number,
        label=source.version,
        content_hash=source.content_hash,
        title=source.title,
        summary=source.summary,
        category=source.category,
        hours=source.hours,
        intro_html=intro_html,
        search_text=fold(f"{source.code} {source.title} {source.summary}"),
        source_folder=source.folder.name,
        reviewed_on=source.reviewed_on,
        review_every_months=source.review_every_months,
        status="draft" if origin.draft else "published",
        origin=origin.kind,
        origin_detail=origin.detail[:500],
        source_commit=origin.commit,
        based_on_number=origin.based_on,
        created_by_id=origin.actor_id,
        published_at=None if origin.draft else utcnow(),
        published_by_id=None if origin.draft else origin.actor_id,
    )


def _new_version(
    session: Session,
    course: Course,
    number: int,
    source: CourseSource,
    urls: CourseUrls,
    video_hosts: tuple[str, ...],
    documents: dict,
    origin: Origin,
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

    version = _version_row(course, number, source, render(source.intro), origin)
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
        if lesson.assignment is not None:
            _add_assignment(session, course, version, row, lesson.assignment)
    session.flush()
    _store_sources(session, version, source)
    if not origin.draft:
        index_version(session, version)  # a draft is found once it is published
    return version


def _add_assignment(session: Session, course: Course, version: CourseVersion, lesson: Lesson, spec) -> None:
    """Store the written assignment of `lesson` (an AssignmentSpec), frozen with the version."""
    session.add(
        WrittenAssignment(
            lesson=lesson,
            course=course,
            course_version=version,
            slug=lesson.slug,
            points=spec.points,
            pass_mark=spec.pass_mark,
            max_words=spec.max_words,
            attachments=spec.attachments,
        )
    )


def label_taken(session: Session, course_id: int, label: str, content_hash: str) -> bool:
    """A label names one content: taken when a published edition carries it with other content
    (drafts do not hold their label; a re-publication carries its content's label again)."""
    clash = select(CourseVersion.number).where(
        CourseVersion.course_id == course_id,
        CourseVersion.label == label,
        CourseVersion.status == "published",
        CourseVersion.content_hash != content_hash,
    )
    return session.scalar(clash.limit(1)) is not None


def label_problem(path: Path, line: int, label: str) -> Problem:
    return Problem(
        str(path),
        line,
        _l(
            "the course changed but version '%(version)s' was already imported with other content; give "
            "this edition a new version label",
            version=label,
        ),
    )


def _record_review(current: CourseVersion, source: CourseSource) -> bool:
    """A new review date or cycle on unchanged content: the edition stays, its review is updated."""
    review = (source.reviewed_on, source.review_every_months)
    if (current.reviewed_on, current.review_every_months) == review:
        return False
    current.reviewed_on, current.review_every_months = review
    return True


def _same_content(
    session: Session, course: Course, source: CourseSource, origin: Origin
) -> CourseVersion | None:
    """The edition already holding this content that makes a new one pointless: the current one;
    for a draft, also a draft waiting with it."""
    statuses = ("published", "draft") if origin.draft else ("published",)
    return session.scalar(
        select(CourseVersion)
        .where(
            CourseVersion.course_id == course.id,
            CourseVersion.content_hash == source.content_hash,
            CourseVersion.status.in_(statuses),
            (CourseVersion.number == course.current_version_number) | (CourseVersion.status == "draft"),
        )
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )


def _unchanged(
    session: Session, same: CourseVersion, source: CourseSource, outcome: ImportOutcome, origin: Origin
) -> ImportOutcome:
    """Nothing new. A new review date on the current edition's content is recorded on it, but
    only by a publication: a draft changes nothing learners see."""
    outcome.number = same.number
    if same.status == "published" and not origin.draft and _record_review(same, source):
        outcome.status = "reviewed"
    else:
        outcome.status = "unchanged"
    if (
        session.scalar(
            select(CourseSourceFile.path).where(CourseSourceFile.course_version_id == same.id).limit(1)
        )
        is None
    ):
        _store_sources(session, same, source)  # an edition imported before sources were kept
    return outcome


def import_course(
    session: Session,
    folder: Path,
    *,
    urls: CourseUrls,
    video_hosts: tuple[str, ...] = (),
    as_of: date | None = None,
    origin: Origin = Origin(),
) -> ImportOutcome:
    """Import one course folder as an edition, published at once or (`origin.draft`) a draft.

    Unchanged content creates nothing (a new review date or cycle is recorded on the current
    version: status "reviewed"); changed content becomes a new edition, whose label must not name
    other published content. A course with any error imports nothing and the outcome lists the
    problems (warnings alone do not stop it: the outcome lists them with the course imported);
    citing a legal document the register does not know, or one repealed as of `as_of` (default:
    today), is one. A draft of a new course creates the course with no published edition
    (`current_version_number` 0: no learner finds it). Flushes, never commits.
    """
    documents = legal.documents_for_import(session)
    source, problems = read_course(folder, video_hosts, legal.citation_check(documents, as_of))
    if source is None:
        return ImportOutcome(folder, "failed", problems=problems)
    outcome = ImportOutcome(folder, "created", code=source.code, version=source.version, problems=problems)
    course = session.scalar(select(Course).where(Course.code == source.code))
    if course is None:
        course = Course(code=source.code, current_version_number=0 if origin.draft else 1)
        session.add(course)
        session.flush()
        outcome.new_course = True
    else:
        same = _same_content(session, course, source, origin)
        if same is not None:
            return _unchanged(session, same, source, outcome, origin)
        if label_taken(session, course.id, source.version, source.content_hash):
            outcome.status = "failed"
            outcome.problems = [label_problem(folder / COURSE_FILE, source.version_line, source.version)]
            return outcome
        outcome.status = "updated"
    number = (
        session.scalar(select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id))
        or 0
    ) + 1
    _new_version(session, course, number, source, urls, video_hosts, documents, origin)
    if origin.draft:
        outcome.status = "drafted"
    else:
        course.current_version_number = number
    session.flush()
    outcome.number = number
    return outcome
