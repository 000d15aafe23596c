"""Each learner's progress in one course, for its trainers: lessons done of the current version,
the best graded quiz result, completion and last activity. One statement aggregates it all in SQL
(no query per learner); the page and its CSV read the same rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from app import labels
from app.clock import LOCAL
from app.models import (
    Course,
    CourseCompletion,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonCompletion,
    QuizAttempt,
    Unit,
    User,
)
from app.models.base import UTCDateTime
from app.org import audit
from app.pagination import Page
from app.teach.service import CLOSED
from app.trainers.service import require_teaching

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATUS_LABELS = labels.kinds()["progress"]  # the registry's words for a learner's progress
SORTS = ("name", "progress", "score", "activity", "status")
_NEVER = datetime(1900, 1, 1, tzinfo=UTC)  # stands in for "no activity" while the latest of three is taken


@dataclass(frozen=True)
class LearnerProgress:
    user_id: int
    name: str
    email: str
    unit: str | None
    done: int
    total: int
    best_percent: float | None  # best closed graded quiz attempt, percent
    graded_attempts: int
    completed_at: datetime | None
    last_activity: datetime | None
    status: str

    @property
    def share(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


ProgressPage = Page[LearnerProgress]


def _latest(*columns):
    """The latest of datetimes, NULL counting as never (GREATEST is not in SQLite)."""
    floor = [func.coalesce(c, literal(_NEVER, UTCDateTime())) for c in columns]
    latest = floor[0]
    for other in floor[1:]:
        latest = case((latest >= other, latest), else_=other)
    return latest


def _lessons_done(version: CourseVersion):
    """Per enrolment: the lessons of `version` marked complete, and when the last one was."""
    lessons = select(Lesson.slug).where(Lesson.course_version_id == version.id)
    return (
        select(
            LessonCompletion.enrolment_id.label("enrolment_id"),
            func.count(LessonCompletion.id).label("done"),
            func.max(LessonCompletion.completed_at).label("last"),
        )
        .where(LessonCompletion.lesson_slug.in_(lessons))
        .group_by(LessonCompletion.enrolment_id)
        .subquery()
    )


def _quizzes(course_id: int):
    """Per learner: the best closed graded attempt (percent), how many there were, and the last
    attempt of any kind started or handed in."""
    graded = (
        QuizAttempt.is_graded.is_(True) & QuizAttempt.status.in_(CLOSED) & QuizAttempt.percent.is_not(None)
    )
    return (
        select(
            QuizAttempt.user_id.label("user_id"),
            func.max(case((graded, QuizAttempt.percent))).label("best"),
            func.count(case((graded, QuizAttempt.id))).label("graded"),
            func.max(func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at)).label("last"),
        )
        .where(QuizAttempt.course_id == course_id)
        .group_by(QuizAttempt.user_id)
        .subquery()
    )


def _completions(course_id: int):
    """Per learner: when they first completed the course (any version)."""
    return (
        select(CourseCompletion.user_id.label("user_id"), func.min(CourseCompletion.completed_at).label("at"))
        .where(CourseCompletion.course_id == course_id)
        .group_by(CourseCompletion.user_id)
        .subquery()
    )


def progress_query(
    session: Session, actor, version: CourseVersion, status: str = "", sort: str = "name"
) -> Select:
    """The learners enrolled in the version's course with their progress, filtered by `status`
    (one of STATUS_LABELS, or "" for all) and ordered by `sort` (one of SORTS). For the course's
    trainers and admins (PermissionDenied for anyone else)."""
    require_teaching(session, actor, version.course_id)
    done, quizzes, completions = (
        _lessons_done(version),
        _quizzes(version.course_id),
        _completions(version.course_id),
    )
    done_count = func.coalesce(done.c.done, 0)
    state = case(
        (completions.c.at.is_not(None), COMPLETED),
        ((done_count > 0) | (quizzes.c.last.is_not(None)), IN_PROGRESS),
        else_=NOT_STARTED,
    )
    last = _latest(Enrolment.last_accessed_at, done.c.last, quizzes.c.last, completions.c.at)
    total = select(func.count(Lesson.id)).where(Lesson.course_version_id == version.id).scalar_subquery()
    stmt = (
        select(
            User.id,
            User.full_name,
            User.email,
            Unit.name,
            done_count,
            total,
            quizzes.c.best,
            func.coalesce(quizzes.c.graded, 0),
            completions.c.at,
            last,
            state,
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(done, done.c.enrolment_id == Enrolment.id)
        .outerjoin(quizzes, quizzes.c.user_id == Enrolment.user_id)
        .outerjoin(completions, completions.c.user_id == Enrolment.user_id)
        .where(Enrolment.course_id == version.course_id)
    )
    if status in STATUS_LABELS:
        stmt = stmt.where(state == status)
    order = {
        "name": [],
        "progress": [done_count.desc()],
        "score": [func.coalesce(quizzes.c.best, -1).desc()],
        "activity": [last.desc()],
        "status": [case((state == COMPLETED, 0), (state == IN_PROGRESS, 1), else_=2)],
    }[sort if sort in SORTS else "name"]
    return stmt.order_by(*order, User.full_name, User.id)


def _row(row) -> LearnerProgress:
    user_id, name, email, unit, done, total, best, graded, completed_at, last, status = row
    return LearnerProgress(
        user_id=user_id,
        name=name,
        email=email,
        unit=unit,
        done=done,
        total=total or 0,
        best_percent=float(best) if best is not None else None,
        graded_attempts=graded,
        completed_at=completed_at,
        last_activity=None if last is None or last <= _NEVER else last,
        status=status,
    )


def progress_page(session: Session, stmt: Select, page: int, per_page: int) -> ProgressPage:
    """One page of the table (two queries: the count and the page); a page past the last is the last."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = min(page, max(1, math.ceil(total / per_page)))
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return ProgressPage([_row(r) for r in rows], page, per_page, total)


def progress_rows(session: Session, stmt: Select) -> list[LearnerProgress]:
    """Every row of the table (for the CSV), in one query."""
    return [_row(r) for r in session.execute(stmt)]


def local(moment: datetime | None) -> datetime | None:
    """A stored moment (UTC) on Vietnam's clock, for the CSV."""
    if moment is None:
        return None
    return moment.astimezone(LOCAL)


def audit_progress(session: Session, actor, action: str, course: Course, **detail) -> None:
    """Record that `actor` saw the learners' progress in `course` (a view of cadres' data)."""
    audit.record(session, actor, action, "course", course.id, **detail)
