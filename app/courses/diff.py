"""What changed between two editions of a course (phiên bản): lessons and quiz questions added,
removed, edited or moved, quiz settings changed, and the course's own details.

A lesson is the same lesson across editions when its slug is; a quiz is matched by its lesson's
slug and a question by its id (`qid`) within the quiz. Both editions are loaded whole in a fixed,
small number of queries and compared in Python, so the cost never grows with the number of lessons
or questions; `diffs_for` does the same for every edition of a course at once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationFailed
from app.models import CourseVersion, Lesson, Question, Quiz

# The quiz settings a learner notices, in the order the page lists them.
QUIZ_SETTINGS = (
    "kind",
    "is_required",
    "pass_mark",
    "max_attempts",
    "grading",
    "time_limit_minutes",
    "draw",
    "shuffle_questions",
    "shuffle_options",
    "review",
    "layout",
)


@dataclass(frozen=True)
class LessonRef:
    slug: str
    title: str


@dataclass(frozen=True)
class QuestionRef:
    qid: str
    title: str


@dataclass(frozen=True)
class SettingChange:
    """One quiz setting (a name from QUIZ_SETTINGS) with its value before and after."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class QuizDiff:
    """The changes to one quiz. `status`: "added" (new quiz: all its questions added), "removed"
    (all its questions removed) or "kept"."""

    slug: str
    title: str
    status: str
    questions_added: tuple[QuestionRef, ...] = ()
    questions_removed: tuple[QuestionRef, ...] = ()
    questions_edited: tuple[QuestionRef, ...] = ()
    questions_moved: tuple[QuestionRef, ...] = ()
    settings_changed: tuple[SettingChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.questions_added
            or self.questions_removed
            or self.questions_edited
            or self.questions_moved
            or self.settings_changed
        )


@dataclass(frozen=True)
class DiffCounts:
    """How many things changed, for the short line above the details (the template words it)."""

    details: int  # title, summary, category, introduction, periods
    lessons_added: int
    lessons_removed: int
    lessons_edited: int
    lessons_moved: int
    questions_added: int
    questions_removed: int
    questions_edited: int
    questions_moved: int
    quiz_settings: int  # quizzes whose settings changed


@dataclass(frozen=True)
class EditionDiff:
    """What changed from edition `older_id` to `newer_id` (older None: the first edition, where
    every lesson and question is "added" and no detail is "changed")."""

    older_id: int | None
    newer_id: int
    older_number: int | None
    newer_number: int
    title_changed: bool = False
    summary_changed: bool = False
    category_changed: bool = False
    intro_changed: bool = False
    hours_changed: bool = False
    old_hours: int | None = None
    new_hours: int = 0
    lessons_added: tuple[LessonRef, ...] = ()
    lessons_removed: tuple[LessonRef, ...] = ()
    lessons_edited: tuple[LessonRef, ...] = ()
    lessons_moved: tuple[LessonRef, ...] = ()
    quizzes: tuple[QuizDiff, ...] = field(default=())  # only quizzes with a change, in lesson order

    @property
    def is_first(self) -> bool:
        return self.older_id is None

    @property
    def details_changed(self) -> bool:
        return (
            self.title_changed
            or self.summary_changed
            or self.category_changed
            or self.intro_changed
            or self.hours_changed
        )

    @property
    def is_empty(self) -> bool:
        lessons = self.lessons_added or self.lessons_removed or self.lessons_edited or self.lessons_moved
        return not (self.details_changed or lessons or self.quizzes)

    @property
    def summary(self) -> DiffCounts:
        details = (self.title_changed, self.summary_changed, self.category_changed)
        details += (self.intro_changed, self.hours_changed)
        return DiffCounts(
            details=sum(details),
            lessons_added=len(self.lessons_added),
            lessons_removed=len(self.lessons_removed),
            lessons_edited=len(self.lessons_edited),
            lessons_moved=len(self.lessons_moved),
            questions_added=sum(len(q.questions_added) for q in self.quizzes),
            questions_removed=sum(len(q.questions_removed) for q in self.quizzes),
            questions_edited=sum(len(q.questions_edited) for q in self.quizzes),
            questions_moved=sum(len(q.questions_moved) for q in self.quizzes),
            quiz_settings=sum(1 for q in self.quizzes if q.settings_changed),
        )


# --- snapshots of editions, loaded in bulk ------------------------------------------------------


@dataclass
class _Item:
    """A lesson or a question: its id within its parent, title, position and comparable content."""

    key: str
    title: str
    position: int
    content: tuple


@dataclass
class _Quiz:
    slug: str
    title: str
    settings: dict[str, Any]
    questions: dict[str, _Item] = field(default_factory=dict)


@dataclass
class _Edition:
    id: int
    number: int
    details: dict[str, Any]
    lessons: dict[str, _Item] = field(default_factory=dict)
    quizzes: dict[str, _Quiz] = field(default_factory=dict)


def _without_ids(value: Any) -> Any:
    """A question's stored data without its option ids: the importer salts them with the hash of
    the whole quiz file, so they change whenever any question of the quiz does."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id" and not k.endswith("_id")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _load(session: Session, versions: Iterable[CourseVersion]) -> dict[int, _Edition]:
    """Snapshots of `versions` with their lessons, quizzes and questions: two queries in all."""
    editions = {
        v.id: _Edition(
            v.id,
            v.number,
            {
                "title": v.title,
                "summary": v.summary,
                "category": v.category,
                "hours": v.hours,
                "intro": v.intro_html,
            },
        )
        for v in versions
    }
    ids = list(editions)
    rows = session.execute(
        select(Lesson, Quiz)
        .outerjoin(Quiz, Quiz.lesson_id == Lesson.id)
        .where(Lesson.course_version_id.in_(ids))
    )
    quiz_of: dict[int, _Quiz] = {}
    for lesson, quiz in rows:
        edition = editions[lesson.course_version_id]
        content = (lesson.title, lesson.kind, lesson.html)
        edition.lessons[lesson.slug] = _Item(lesson.slug, lesson.title, lesson.position, content)
        if quiz is not None:
            settings = {name: getattr(quiz, name) for name in QUIZ_SETTINGS}
            quiz_of[quiz.id] = edition.quizzes[quiz.slug] = _Quiz(quiz.slug, quiz.title, settings)
    questions = session.scalars(
        select(Question).join(Quiz, Quiz.id == Question.quiz_id).where(Quiz.course_version_id.in_(ids))
    )
    for q in questions:
        content = (q.type, q.points, tuple(q.tags), q.title, q.stem_html, q.general_feedback_html)
        content += (_without_ids(q.data),)
        quiz_of[q.quiz_id].questions[q.qid] = _Item(q.qid, q.title, q.position, content)
    return editions


# --- comparing ------------------------------------------------------------------------------------


def _kept_in_order(keys: list[str], old: dict[str, _Item], new: dict[str, _Item]) -> set[str]:
    """The largest set of `keys` (common to both) whose order did not change (a longest increasing
    run of new positions, taken in old order); the others are the ones that moved. So adding a
    lesson at the start moves nothing, and swapping two lessons moves one."""
    keys = sorted(keys, key=lambda k: old[k].position)
    tails: list[int] = []  # tails[n]: index in `keys` ending the best run of length n + 1
    before: list[int | None] = [None] * len(keys)
    for i, key in enumerate(keys):
        at = bisect_left(tails, new[key].position, key=lambda j: new[keys[j]].position)
        before[i] = tails[at - 1] if at else None
        tails[at : at + 1] = [i]
    kept: set[str] = set()
    at = tails[-1] if tails else None
    while at is not None:
        kept.add(keys[at])
        at = before[at]
    return kept


def _compare_items(old: dict[str, _Item], new: dict[str, _Item], ref) -> tuple[tuple, tuple, tuple, tuple]:
    """(added, removed, edited, moved) as refs; added, edited and moved in the newer order,
    removed in the older one. A moved item whose content is unchanged is only "moved"."""
    by_new = sorted(new.values(), key=lambda item: item.position)
    by_old = sorted(old.values(), key=lambda item: item.position)
    common = [item.key for item in by_new if item.key in old]
    kept = _kept_in_order(common, old, new)
    return (
        tuple(ref(i.key, i.title) for i in by_new if i.key not in old),
        tuple(ref(i.key, i.title) for i in by_old if i.key not in new),
        tuple(ref(i.key, i.title) for i in by_new if i.key in old and old[i.key].content != i.content),
        tuple(ref(i.key, i.title) for i in by_new if i.key in old and i.key not in kept),
    )


def _compare_quiz(old: _Quiz | None, new: _Quiz | None) -> QuizDiff:
    if new is None:
        removed = sorted(old.questions.values(), key=lambda q: q.position)
        refs = tuple(QuestionRef(q.key, q.title) for q in removed)
        return QuizDiff(old.slug, old.title, "removed", questions_removed=refs)
    added, removed, edited, moved = _compare_items(old.questions if old else {}, new.questions, QuestionRef)
    settings = (
        ()
        if old is None
        else tuple(
            SettingChange(name, old.settings[name], new.settings[name])
            for name in QUIZ_SETTINGS
            if old.settings[name] != new.settings[name]
        )
    )
    status = "added" if old is None else "kept"
    return QuizDiff(new.slug, new.title, status, added, removed, edited, moved, settings)


def _quiz_diffs(old: _Edition | None, new: _Edition) -> tuple[QuizDiff, ...]:
    older = old.quizzes if old else {}
    slugs = sorted(new.quizzes, key=lambda s: new.lessons[s].position)
    slugs += [
        slug for slug in sorted(older, key=lambda s: old.lessons[s].position) if slug not in new.quizzes
    ]
    diffs = (_compare_quiz(older.get(slug), new.quizzes.get(slug)) for slug in slugs)
    return tuple(d for d in diffs if not d.is_empty)


def _compare(old: _Edition | None, new: _Edition) -> EditionDiff:
    added, removed, edited, moved = _compare_items(old.lessons if old else {}, new.lessons, LessonRef)
    before = old.details if old else new.details
    changed = {name: before[name] != new.details[name] for name in before}
    return EditionDiff(
        older_id=old.id if old else None,
        newer_id=new.id,
        older_number=old.number if old else None,
        newer_number=new.number,
        title_changed=changed["title"],
        summary_changed=changed["summary"],
        category_changed=changed["category"],
        intro_changed=changed["intro"],
        hours_changed=changed["hours"],
        old_hours=old.details["hours"] if old else None,
        new_hours=new.details["hours"],
        lessons_added=added,
        lessons_removed=removed,
        lessons_edited=edited,
        lessons_moved=moved,
        quizzes=_quiz_diffs(old, new),
    )


# --- the public functions -----------------------------------------------------------------------


def diff_editions(session: Session, older_id: int | None, newer_id: int) -> EditionDiff:
    """What changed from edition `older_id` to edition `newer_id` of the same course (older None:
    the first edition, everything added). Three queries whatever the size of the editions.

    Raises NotFound for an unknown edition and ValidationFailed for editions of two courses.
    """
    ids = [newer_id] if older_id is None else [older_id, newer_id]
    versions = session.scalars(select(CourseVersion).where(CourseVersion.id.in_(ids))).all()
    if len(versions) != len(set(ids)):
        raise NotFound("course edition")
    if len({v.course_id for v in versions}) != 1:
        raise ValidationFailed("the two editions belong to different courses")
    editions = _load(session, versions)
    return _compare(editions[older_id] if older_id is not None else None, editions[newer_id])


def diffs_for(
    session: Session, course_id: int, *, is_base: Callable[[CourseVersion], bool] | None = None
) -> dict[int, EditionDiff]:
    """Each edition of the course (by version id) compared with the one numbered just before it
    (the first with nothing). Three queries whatever the number of editions.

    `is_base` narrows the editions a later one is compared with: with
    `lambda v: v.status == "published"`, a draft shows what it changes from the edition published
    before it, and a discarded draft is skipped as a base.
    """
    versions = session.scalars(
        select(CourseVersion).where(CourseVersion.course_id == course_id).order_by(CourseVersion.number)
    ).all()
    editions = _load(session, versions)
    diffs: dict[int, EditionDiff] = {}
    previous: _Edition | None = None
    for version in versions:
        diffs[version.id] = _compare(previous, editions[version.id])
        if is_base is None or is_base(version):
            previous = editions[version.id]
    return diffs
