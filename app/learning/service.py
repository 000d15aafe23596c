"""The learner's journey: catalogue, enrolment, progress, resume and course completion."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, defer

from app.certificates import service as certificates
from app.courses.search import search_versions
from app.errors import NotFound, PermissionDenied
from app.learning.content import LessonItem
from app.learning.written_state import AssignmentState, assignment_states, assignments_of
from app.models import (
    CURRENT_VERSION,
    Course,
    CourseCompletion,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonCompletion,
    Quiz,
    QuizAttempt,
    User,
    WrittenAssignment,
)
from app.models.base import utcnow
from app.profiles.records import record_completion
from app.quizzes.events import attempt_graded
from app.quizzes.service import quiz_grades, quizzes_of
from app.stats import rollups


def catalogue_query(query: str = "", category: str = "") -> Select:
    """Current versions of the catalogue's courses, optionally searched and filtered.

    The search ignores case and Vietnamese diacritics and looks into categories and lessons
    too (app/courses/search.py): "chuyen doi so" finds the courses filed under "Chuyển đổi số".
    """
    stmt = (
        select(CourseVersion)
        .join(Course, CURRENT_VERSION)
        .options(contains_eager(CourseVersion.course))
        .order_by(CourseVersion.title, Course.code)
    )
    if category:
        stmt = stmt.where(CourseVersion.category == category)
    return search_versions(stmt, query)


def enrolled_course_ids(session: Session, user: User) -> set[int]:
    return set(session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == user.id)))


def get_course(session: Session, code: str) -> tuple[Course, CourseVersion]:
    """The course with `code` and its current version. Raises NotFound."""
    row = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CURRENT_VERSION).where(Course.code == code)
    ).first()
    if row is None:
        raise NotFound(code)
    return row[0], row[1]


def lessons_of(session: Session, version: CourseVersion) -> list[Lesson]:
    """The version's lessons in order, without their (large) HTML: see `lesson_html`."""
    return list(
        session.scalars(
            select(Lesson)
            .where(Lesson.course_version_id == version.id)
            .order_by(Lesson.position)
            .options(defer(Lesson.html))
        )
    )


def lesson_html(session: Session, lesson: Lesson) -> str:
    return session.scalar(select(Lesson.html).where(Lesson.id == lesson.id)) or ""


def get_enrolment(session: Session, user: User, course: Course) -> Enrolment | None:
    return get_enrolment_by_ids(session, user.id, course.id)


def get_enrolment_by_ids(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(session: Session, user: User, course: Course) -> Enrolment:
    """Enrol `user` in `course`; enrolling twice returns the existing enrolment."""
    existing = get_enrolment(session, user, course)
    if existing is not None:
        return existing
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:  # the same learner enrolled from another tab a moment ago
        existing = get_enrolment(session, user, course)
        assert existing is not None
        return existing
    rollups.bump(session, user.id, course.id, enrolled=1)
    return enrolment


def completed_slugs(session: Session, enrolment: Enrolment | None) -> set[str]:
    if enrolment is None:
        return set()
    return set(
        session.scalars(
            select(LessonCompletion.lesson_slug).where(LessonCompletion.enrolment_id == enrolment.id)
        )
    )


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress(lessons: Sequence[Lesson | LessonItem], done_slugs: set[str]) -> Progress:
    """Progress on a course version: lessons of that version that are marked complete."""
    return Progress(sum(1 for lesson in lessons if lesson.slug in done_slugs), len(lessons))


@dataclass(frozen=True)
class CompletionCheck:
    """Whether a course's completion rule is met, and what is still missing."""

    missing_lessons: tuple[Lesson, ...]
    failing_quizzes: tuple[Quiz, ...] = ()
    unpassed_assignments: tuple[WrittenAssignment, ...] = ()  # waiting to be marked, or not passed

    @property
    def is_met(self) -> bool:
        return not self.missing_lessons and not self.failing_quizzes and not self.unpassed_assignments


def completion_check(
    lessons: list[Lesson],
    done_slugs: set[str],
    quizzes: list[Quiz] = (),
    grades: dict | None = None,
    assignments: list[WrittenAssignment] = (),
    states: dict[str, AssignmentState] | None = None,
) -> CompletionCheck:
    """The course completion rule, in one place: every lesson of the current version is complete
    (a quiz counts once attempted, a written assignment once submitted), every required graded quiz
    is passed (its grade, by the quiz's grading method, reaches the pass mark), and every written
    assignment is passed (the latest mark of the latest submission reaches its pass mark)."""
    grades = grades or {}
    states = states or {}
    return CompletionCheck(
        tuple(lesson for lesson in lessons if lesson.slug not in done_slugs),
        tuple(q for q in quizzes if q.is_required and not (q.slug in grades and grades[q.slug].passed)),
        tuple(a for a in assignments if not (a.slug in states and states[a.slug].passed)),
    )


def latest_completion(session: Session, user: User, course: Course) -> CourseCompletion | None:
    return session.scalar(
        select(CourseCompletion)
        .where(CourseCompletion.user_id == user.id, CourseCompletion.course_id == course.id)
        .order_by(CourseCompletion.completed_at.desc())
        .limit(1)
    )


def find_lesson(lessons: list[Lesson], slug: str) -> Lesson:
    """The lesson with `slug` in a version's lessons. Raises NotFound."""
    for lesson in lessons:
        if lesson.slug == slug:
            return lesson
    raise NotFound(slug)


def next_lesson_slug(slugs: Sequence[str], done_slugs: set[str], last_visited: str | None) -> str | None:
    """The lesson to do next: the first of the current version not yet complete; when all are
    complete, the last one visited; None when nothing is started (or the course has no lessons)."""
    todo = next((slug for slug in slugs if slug not in done_slugs), None)
    if todo is not None and (done_slugs or last_visited):
        return todo
    if todo is None and last_visited in slugs:
        return last_visited
    return None


def resume_lesson(enrolment: Enrolment | None, lessons: list[Lesson], done_slugs: set[str]) -> Lesson | None:
    """Where the course page's "Continue" leads: the next lesson to do (`next_lesson_slug`), else
    the first lesson ("Start")."""
    if not lessons:
        return None
    slug = next_lesson_slug(
        [lsn.slug for lsn in lessons], done_slugs, enrolment and enrolment.last_lesson_slug
    )
    return next((lsn for lsn in lessons if lsn.slug == slug), lessons[0])


def require_enrolment(session: Session, user: User, course: Course) -> Enrolment:
    """The learner's enrolment. Raises PermissionDenied when they are not enrolled."""
    enrolment = get_enrolment(session, user, course)
    if enrolment is None:
        raise PermissionDenied("not enrolled")
    return enrolment


def _mark_done(session: Session, enrolment: Enrolment, slug: str, version_id: int, done: set[str]) -> None:
    if slug in done:
        return
    with suppress(IntegrityError), session.begin_nested():  # marked from another tab meanwhile
        session.add(
            LessonCompletion(enrolment_id=enrolment.id, lesson_slug=slug, course_version_id=version_id)
        )
    done.add(slug)


def course_score(quizzes: list[Quiz], grades: dict) -> float | None:
    """The score a completion record carries: the mean grade of the course's graded quizzes."""
    values = [
        grades[q.slug].grade
        for q in quizzes
        if q.is_graded and q.slug in grades and grades[q.slug].grade is not None
    ]
    return sum(values) / len(values) if values else None  # unrounded: thresholds compare it as it is


def complete_if_met(
    session: Session, user: User, course: Course, version: CourseVersion, done: set[str]
) -> CourseCompletion | None:
    """Record the course completion when the rule is met and none exists yet; return it, or None."""
    quizzes = quizzes_of(session, version)
    grades = quiz_grades(session, user, course, quizzes) if quizzes else {}
    lessons = lessons_of(session, version)
    written = any(lesson.kind == "assignment" for lesson in lessons)
    assignments = assignments_of(session, version) if written else []
    states = assignment_states(session, user.id, course.id) if written else {}
    if not completion_check(lessons, done, quizzes, grades, assignments, states).is_met:
        return None
    if latest_completion(session, user, course) is not None:
        return None
    completion = CourseCompletion(
        user_id=user.id,
        course_id=course.id,
        course_version_id=version.id,
        hours_credited=version.hours,
        score=course_score(quizzes, grades),
        completed_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(completion)
    except IntegrityError:  # completed from another tab at the same moment
        return None
    record_completion(session, completion)  # into the cadre's training record, if there is a profile
    certificates.issue_for_completion(session, completion, user, course, version)
    rollups.bump(
        session, user.id, course.id, completed=1, score=completion.score, completed_at=completion.completed_at
    )
    rollups.count_first_completion(session, user.id, course.id)
    return completion


def mark_lesson_complete(
    session: Session, user: User, course: Course, version: CourseVersion, lesson: Lesson
) -> CourseCompletion | None:
    """Mark `lesson` complete for `user`; when the completion rule is then met, record it.

    Returns the new course completion record, or None when the course is not (newly) complete.
    Marking twice, or from two tabs at once, records one lesson completion and at most one course
    completion. Raises PermissionDenied when the user is not enrolled.
    """
    enrolment = require_enrolment(session, user, course)
    done = completed_slugs(session, enrolment)
    _mark_done(session, enrolment, lesson.slug, version.id, done)
    return complete_if_met(session, user, course, version, done)


@attempt_graded.connect
def _attempt_graded(session: Session, *, user: User, attempt: QuizAttempt) -> None:
    quiz_attempted(session, user, attempt)


def quiz_attempted(session: Session, user: User, attempt: QuizAttempt) -> CourseCompletion | None:
    """After an attempt is graded: the quiz counts as done, and the course may now be complete."""
    enrolment = get_enrolment_by_ids(session, user.id, attempt.course_id)
    if enrolment is None:
        return None
    done = completed_slugs(session, enrolment)
    _mark_done(session, enrolment, attempt.quiz_slug, attempt.quiz.course_version_id, done)
    course, version = session.execute(
        select(Course, CourseVersion)
        .join(CourseVersion, CURRENT_VERSION)
        .where(Course.id == attempt.course_id)
    ).one()
    return complete_if_met(session, user, course, version, done)


@dataclass(frozen=True)
class LearningRow:
    course: Course
    version: CourseVersion
    enrolment: Enrolment
    progress: Progress
    completion: CourseCompletion | None
    completed_version: CourseVersion | None
    next_slug: str | None = None  # the lesson "Continue" opens; None: the course page


def _enrolment_lessons():
    """Correlated to an enrolment and its course's current version: the number of lessons, how many
    are complete, the first not complete, and the last visited (when the version has it)."""
    total = (
        select(func.count(Lesson.id))
        .where(Lesson.course_version_id == CourseVersion.id)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    done = (
        select(func.count(LessonCompletion.id))
        .join(
            Lesson,
            and_(Lesson.slug == LessonCompletion.lesson_slug, Lesson.course_version_id == CourseVersion.id),
        )
        .where(LessonCompletion.enrolment_id == Enrolment.id)
        .correlate(CourseVersion, Enrolment)
        .scalar_subquery()
    )
    todo = (
        select(Lesson.slug)
        .where(
            Lesson.course_version_id == CourseVersion.id,
            ~exists(
                select(LessonCompletion.id).where(
                    LessonCompletion.enrolment_id == Enrolment.id, LessonCompletion.lesson_slug == Lesson.slug
                )
            ),
        )
        .order_by(Lesson.position)
        .limit(1)
        .correlate(CourseVersion, Enrolment)
        .scalar_subquery()
    )
    visited = (  # the last lesson visited, when the current version has it
        select(Lesson.slug)
        .where(Lesson.course_version_id == CourseVersion.id, Lesson.slug == Enrolment.last_lesson_slug)
        .correlate(CourseVersion, Enrolment)
        .scalar_subquery()
    )
    return total, done, todo, visited


def my_learning(session: Session, user: User) -> list[LearningRow]:
    """The learner's courses with progress and completion, in a constant number of queries."""
    total, done, todo, visited = _enrolment_lessons()
    rows = session.execute(
        select(Enrolment, Course, CourseVersion, total, done, todo, visited)
        .join(Course, Course.id == Enrolment.course_id)
        .join(CourseVersion, CURRENT_VERSION)
        .where(Enrolment.user_id == user.id)
        .order_by(func.coalesce(Enrolment.last_accessed_at, Enrolment.enrolled_at).desc())
    ).all()
    completions: dict[int, CourseCompletion] = {}
    for completion in session.scalars(
        select(CourseCompletion)
        .where(CourseCompletion.user_id == user.id)
        .order_by(CourseCompletion.completed_at)
    ):
        completions[completion.course_id] = completion
    version_ids = {c.course_version_id for c in completions.values()}
    versions = (
        {v.id: v for v in session.scalars(select(CourseVersion).where(CourseVersion.id.in_(version_ids)))}
        if version_ids
        else {}
    )
    result = []
    for enrolment, course, version, total_count, done_count, todo_slug, visited_slug in rows:
        completion = completions.get(course.id)
        started = bool(done_count or enrolment.last_lesson_slug)
        result.append(
            LearningRow(
                course,
                version,
                enrolment,
                Progress(done_count, total_count),
                completion,
                versions.get(completion.course_version_id) if completion else None,
                (todo_slug or visited_slug) if started else None,
            )
        )
    return result


def total_hours(rows: list[LearningRow]) -> int:
    return sum(row.completion.hours_credited for row in rows if row.completion)
