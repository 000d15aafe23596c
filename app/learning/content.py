"""A lesson page's data in two statements: the learner's state, and the version's cached content.

A course version never changes once imported (a changed course becomes a new version), so its
lesson list and lesson HTML are kept in memory per server process, keyed by the version's id
and content hash; nothing is shared between processes or written to disk. The learner's side
(which version is current, the enrolment, the lessons done) is read on every request, in one
statement, so a newly published version or a lesson completed in another tab shows at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import CURRENT_VERSION, Course, CourseVersion, Enrolment, Lesson, LessonCompletion
from app.models.base import utcnow

CACHED_VERSIONS = 64
VISIT_RESOLUTION = timedelta(minutes=10)


@dataclass(frozen=True)
class LessonItem:
    id: int
    slug: str
    title: str
    kind: str
    position: int


@dataclass(frozen=True)
class VersionContent:
    lessons: tuple[LessonItem, ...]
    html: dict[str, str]

    def find(self, slug: str) -> LessonItem:
        for lesson in self.lessons:
            if lesson.slug == slug:
                return lesson
        raise NotFound(slug)


@dataclass(frozen=True)
class CourseRef:
    id: int
    code: str


@dataclass(frozen=True)
class VersionRef:
    id: int
    title: str
    content_hash: str


@dataclass
class LearnerState:
    """The course, its current version and the learner's enrolment and finished lessons."""

    course: CourseRef
    version: VersionRef
    enrolment_id: int | None
    last_lesson_slug: str | None
    last_accessed_at: datetime | None
    done: set[str]


_cache: OrderedDict[tuple[int, str], VersionContent] = OrderedDict()
_lock = threading.Lock()


# Built once: every lesson page runs it (building the expression costs about as much as running it).
_LEARNER_STATE = (
    select(
        Course.id,
        CourseVersion.id,
        CourseVersion.title,
        CourseVersion.content_hash,
        Enrolment.id,
        Enrolment.last_lesson_slug,
        Enrolment.last_accessed_at,
        LessonCompletion.lesson_slug,
    )
    .join(CourseVersion, CURRENT_VERSION)
    .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")))
    .outerjoin(LessonCompletion, LessonCompletion.enrolment_id == Enrolment.id)
    .where(Course.code == bindparam("code"))
)


def learner_state(session: Session, code: str, user_id: int) -> LearnerState:
    """One statement: course, current version, enrolment (outer) and its completions (outer)."""
    # Columns only, read on the session's connection: the ORM's statement handling would double
    # the cost of every lesson page's statement. It flushed first; so does this (at no cost when
    # nothing is pending).
    session.flush()
    rows = session.connection().execute(_LEARNER_STATE, {"code": code, "user_id": user_id}).all()
    if not rows:
        raise NotFound(code)
    first = rows[0]
    return LearnerState(
        course=CourseRef(first[0], code),
        version=VersionRef(first[1], first[2], first[3]),
        enrolment_id=first[4],
        last_lesson_slug=first[5],
        last_accessed_at=first[6],
        done={row[7] for row in rows if row[7] is not None},
    )


def version_content(session: Session, version: VersionRef) -> VersionContent:
    key = (version.id, version.content_hash)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    rows = session.execute(
        select(Lesson.id, Lesson.slug, Lesson.title, Lesson.kind, Lesson.position, Lesson.html)
        .where(Lesson.course_version_id == version.id)
        .order_by(Lesson.position)
    ).all()
    content = VersionContent(
        lessons=tuple(LessonItem(*row[:5]) for row in rows),
        html={row.slug: row.html for row in rows},
    )
    with _lock:
        _cache[key] = content
        while len(_cache) > CACHED_VERSIONS:
            _cache.popitem(last=False)
    return content


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def record_visit(session: Session, state: LearnerState, slug: str) -> bool:
    """Remember the lesson the learner is on, so that "Continue" brings them back to it.

    Re-reading the same lesson writes at most once per VISIT_RESOLUTION. Returns whether
    anything was written (and needs a commit).
    """
    now = utcnow()
    if state.enrolment_id is None or (
        state.last_lesson_slug == slug
        and state.last_accessed_at is not None
        and now - state.last_accessed_at < VISIT_RESOLUTION
    ):
        return False
    session.execute(
        update(Enrolment)
        .where(Enrolment.id == state.enrolment_id)
        .values(last_lesson_slug=slug, last_accessed_at=now)
    )
    return True
