"""What trainers see of their courses: versions, enrolments and completions, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app import policy
from app.config import PROJECT_ROOT
from app.courses.render import render_markdown
from app.models import (
    CURRENT_VERSION,
    AttemptAnswer,
    Course,
    CourseCompletion,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonCompletion,
    QuizAttempt,
)
from app.trainers.service import require_teaching


@dataclass(frozen=True)
class CourseStats:
    course: Course
    version: CourseVersion
    versions: int
    enrolled: int
    completed: int

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.enrolled) if self.enrolled else 0


def course_overview(session: Session, actor, course_id: int | None = None) -> list[CourseStats]:
    """The courses `actor` teaches or oversees (`policy.teachable_courses`; or one of them) with
    their current version and learner counts, in one query."""
    versions = (
        select(func.count(CourseVersion.id))
        .where(CourseVersion.course_id == Course.id, CourseVersion.status == "published")
        .correlate(Course)
        .scalar_subquery()
    )
    enrolled = (
        select(func.count(Enrolment.id))
        .where(Enrolment.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    completed = (
        select(func.count(func.distinct(CourseCompletion.user_id)))
        .where(CourseCompletion.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )
    stmt = (
        select(Course, CourseVersion, versions, enrolled, completed)
        .join(
            CourseVersion,
            CURRENT_VERSION,
        )
        .where(policy.teachable_courses(actor))
        .order_by(CourseVersion.title)
    )
    if course_id is not None:
        stmt = stmt.where(Course.id == course_id)
    rows = session.execute(stmt).all()
    return [CourseStats(*row) for row in rows]


@dataclass(frozen=True)
class LessonStats:
    lesson: Lesson
    completed: int


def lesson_stats(session: Session, version: CourseVersion) -> list[LessonStats]:
    """For each lesson of `version`: how many enrolled learners have marked it complete."""
    counts = dict(
        session.execute(
            select(LessonCompletion.lesson_slug, func.count(LessonCompletion.id))
            .join(Enrolment, Enrolment.id == LessonCompletion.enrolment_id)
            .where(Enrolment.course_id == version.course_id)
            .group_by(LessonCompletion.lesson_slug)
        ).all()
    )
    lessons = session.scalars(
        select(Lesson).where(Lesson.course_version_id == version.id).order_by(Lesson.position)
    )
    return [LessonStats(lesson, counts.get(lesson.slug, 0)) for lesson in lessons]


def version_history(session: Session, course: Course) -> list[tuple[CourseVersion, int, int]]:
    """Each published version with its number of lessons and of completions earned on it (drafts
    are on the editions page)."""
    lessons = (
        select(func.count(Lesson.id))
        .where(Lesson.course_version_id == CourseVersion.id)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    completions = (
        select(func.count(CourseCompletion.id))
        .where(CourseCompletion.course_version_id == CourseVersion.id)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    return [
        tuple(row)
        for row in session.execute(
            select(CourseVersion, lessons, completions)
            .where(CourseVersion.course_id == course.id, CourseVersion.status == "published")
            .order_by(CourseVersion.number.desc())
        ).all()
    ]


# --- quiz results -------------------------------------------------------------------------------

CLOSED = ("submitted", "expired")


@dataclass(frozen=True)
class QuizResults:
    attempts: int
    learners: int
    mean_percent: float | None
    pass_rate: float | None  # share of closed attempts that passed, percent
    learners_passed: int
    open_attempts: int
    histogram: list[int]  # closed attempts per 10-point band: 0-9, 10-19, ..., 90-100


def _closed_attempts(course_id: int, slug: str):
    """A quiz's graded attempts: closed, and not waiting for essays to be marked."""
    return and_(
        QuizAttempt.course_id == course_id,
        QuizAttempt.quiz_slug == slug,
        QuizAttempt.status.in_(CLOSED),
        QuizAttempt.percent.is_not(None),
    )


def quiz_results(session: Session, actor, course: Course, slug: str) -> QuizResults:
    """Attempts, pass rate and score distribution of a quiz (all its versions), aggregated in SQL,
    for the course's trainers and admins (PermissionDenied for anyone else)."""
    require_teaching(session, actor, course.id)
    band = case(*[(QuizAttempt.percent < 10 * (i + 1), i) for i in range(9)], else_=9)
    totals = session.execute(
        select(
            func.count(QuizAttempt.id),
            func.count(func.distinct(QuizAttempt.user_id)),
            func.avg(QuizAttempt.percent),
            func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)),
        ).where(_closed_attempts(course.id, slug))
    ).one()
    passed_learners = session.scalar(
        select(func.count(func.distinct(QuizAttempt.user_id))).where(
            _closed_attempts(course.id, slug), QuizAttempt.passed.is_(True)
        )
    )
    open_attempts = session.scalar(
        select(func.count(QuizAttempt.id)).where(
            QuizAttempt.course_id == course.id, QuizAttempt.quiz_slug == slug, QuizAttempt.status == "open"
        )
    )
    histogram = [0] * 10
    for index, count in session.execute(
        select(band, func.count(QuizAttempt.id)).where(_closed_attempts(course.id, slug)).group_by(band)
    ):
        histogram[int(index)] = count
    attempts, learners, mean, passed = totals
    return QuizResults(
        attempts=attempts,
        learners=learners,
        mean_percent=float(mean) if mean is not None else None,
        pass_rate=100 * (passed or 0) / attempts if attempts else None,
        learners_passed=passed_learners or 0,
        open_attempts=open_attempts or 0,
        histogram=histogram,
    )


@dataclass(frozen=True)
class ItemStats:
    qid: str
    title: str
    type: str
    answered: int
    facility: float | None  # share of the points earned, 0..1
    discrimination: float | None  # facility in the top third minus in the bottom third, -1..1

    @property
    def flag(self) -> str | None:
        """Why a trainer should look at this question, if they should."""
        if self.facility is not None and (self.facility < 0.2 or self.facility > 0.95):
            return "facility"
        if self.discrimination is not None and self.discrimination < 0.1:
            return "discrimination"
        return None


def item_analysis(
    session: Session, actor, course: Course, slug: str, titles: dict[str, tuple[str, str]]
) -> list[ItemStats]:
    """Facility and discrimination of every question of a quiz, over all closed attempts.

    Attempts are ranked into thirds by score with NTILE(3) and the marks aggregated per question,
    all in one SQL statement: nothing per attempt is loaded into Python.
    `titles` maps question ids to (title, type) for display. For the course's trainers and admins
    (PermissionDenied for anyone else).
    """
    require_teaching(session, actor, course.id)
    ranked = (
        select(
            QuizAttempt.id.label("attempt_id"),
            func.ntile(3).over(order_by=(QuizAttempt.percent, QuizAttempt.id)).label("third"),
        )
        .where(_closed_attempts(course.id, slug))
        .subquery()
    )

    def share(condition):
        mark = func.sum(case((condition, AttemptAnswer.mark), else_=None))
        points = func.sum(case((condition, AttemptAnswer.points), else_=None))
        return mark, points

    top_mark, top_points = share(ranked.c.third == 3)
    bottom_mark, bottom_points = share(ranked.c.third == 1)
    rows = session.execute(
        select(
            AttemptAnswer.qid,
            func.count(AttemptAnswer.id),
            func.sum(AttemptAnswer.mark),
            func.sum(AttemptAnswer.points),
            top_mark,
            top_points,
            bottom_mark,
            bottom_points,
        )
        .join(ranked, ranked.c.attempt_id == AttemptAnswer.attempt_id)
        .group_by(AttemptAnswer.qid)
    ).all()
    stats = []
    for qid, answered, mark, points, tm, tp, bm, bp in rows:
        facility = float(mark) / float(points) if points else None
        discrimination = (float(tm) / float(tp) - float(bm) / float(bp)) if tp and bp else None
        title, qtype = titles.get(qid, (qid, ""))
        stats.append(ItemStats(qid, title, qtype, answered, facility, discrimination))
    order = list(titles)
    return sorted(stats, key=lambda s: (order.index(s.qid) if s.qid in order else len(order), s.qid))


# The trainers' guide, shipped with the platform, in each language of the app: courses/HUONG-DAN.md
# is the Vietnamese version of courses/README.md, kept in step. Neither is a course folder, so the
# importer and `courses check` never read them.
GUIDE_FILES = {
    "vi": PROJECT_ROOT / "courses" / "HUONG-DAN.md",
    "en": PROJECT_ROOT / "courses" / "README.md",
}


def guide_html(language: str) -> str:
    """The trainers' guide in `language` ("vi" or "en"; any other reads the English original) as
    sanitised HTML, through the same Markdown renderer and sanitiser as the lessons."""
    return _rendered_guide(GUIDE_FILES.get(language, GUIDE_FILES["en"]))


@lru_cache(maxsize=4)
def _rendered_guide(path: Path) -> str:
    return render_markdown(path.read_text(encoding="utf-8"))
