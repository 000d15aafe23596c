"""The preview of a course's edition, any edition (the current one, an earlier one or a draft),
as a learner will see it; and trying its quizzes without recording anything.

Nothing here writes: no enrolment, no visit, no attempt, no answer, no audit entry. A try is
drawn as a learner's attempt is drawn (`draw_questions`, from a seed shown on the page) and
marked by the engine's own marking (`mark_reply`), in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import Course, CourseVersion, Lesson, Question, Quiz
from app.quizzes import forms
from app.quizzes import service as quizzes
from app.trainers.service import require_teaching


@dataclass(frozen=True)
class Edition:
    """A course's edition with its lessons, in order."""

    course: Course
    version: CourseVersion
    lessons: list[Lesson]

    @property
    def is_current(self) -> bool:
        return self.version.number == self.course.current_version_number

    def find(self, slug: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.slug == slug:
                return lesson
        raise NotFound(slug)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        index = self.lessons.index(lesson)
        return (
            self.lessons[index - 1] if index > 0 else None,
            self.lessons[index + 1] if index + 1 < len(self.lessons) else None,
        )


def edition(session: Session, actor, code: str, number: int) -> Edition:
    """Edition `number` of the course `code`, for one of its trainers or admins over its issuing
    unit. Raises NotFound (no such course or edition) or PermissionDenied."""
    course = session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(code)
    require_teaching(session, actor, course.id)
    version = session.scalar(
        select(CourseVersion).where(CourseVersion.course_id == course.id, CourseVersion.number == number)
    )
    if version is None:
        raise NotFound(str(number))
    lessons = list(
        session.scalars(
            select(Lesson).where(Lesson.course_version_id == version.id).order_by(Lesson.position)
        )
    )
    return Edition(course, version, lessons)


def rewrite_lesson_links(html: str, urls: dict[str, str]) -> str:
    """Lesson HTML with its links to the learner's lesson pages (`urls`: learner address -> preview
    address, the addresses the importer writes) pointing at the preview; a link with a fragment
    keeps it. Only these exact addresses in an href are replaced: nothing else is parsed."""
    for learner, preview in urls.items():
        html = html.replace(f'href="{learner}"', f'href="{preview}"')
        html = html.replace(f'href="{learner}#', f'href="{preview}#')
    return html


# --- trying a quiz ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizTry:
    """A draw of a quiz's questions for a seed: (draw entry, question) in the attempt's order."""

    quiz: Quiz
    seed: int
    drawn: list[tuple[dict, Question]]

    def views(self) -> list[dict]:
        return [quizzes.reply_view(q, entry, None) for entry, q in self.drawn]


@dataclass(frozen=True)
class TryResult:
    """A try marked in memory: score, percent, passed, and each question's review."""

    score: float
    max_score: float
    percent: float
    passed: bool
    reviews: list[dict]
    essays: int = 0  # answered essays, left out of the score: a trainer marks them


def quiz_try(session: Session, lesson: Lesson, seed: int) -> QuizTry:
    """The questions a learner's attempt with this seed would show. Raises NotFound for a lesson
    that is not a quiz."""
    quiz = quizzes.quiz_of_lesson(session, lesson)
    questions = list(
        session.scalars(select(Question).where(Question.quiz_id == quiz.id).order_by(Question.position))
    )
    draw = quizzes.draw_questions(questions, quiz, seed)
    by_qid = {q.qid: q for q in questions}
    return QuizTry(quiz, seed, [(entry, by_qid[entry["qid"]]) for entry in draw])


def mark_try(session: Session, attempt: QuizTry, form) -> TryResult:
    """Mark the posted replies (`form`, as a request's form) to the drawn questions, as an
    attempt is marked, writing nothing. Raises ValidationFailed for a question or option not drawn."""
    draw = [entry for entry, _q in attempt.drawn]
    replies = forms.read_drawn_replies(session, attempt.quiz.id, draw, form)
    score = max_score = 0.0
    reviews, essays = [], 0
    for entry, question in attempt.drawn:
        response = replies.get(entry["qid"])
        if quizzes.needs_marking(question, response):
            essays += 1
            reviews.append({**quizzes.reply_review(question, entry, response, 0.0), "pending": True})
            continue
        mark = quizzes.mark_reply(question, response)
        score += mark
        max_score += question.points
        reviews.append(quizzes.reply_review(question, entry, response, mark))
    percent = quizzes.percent_of(score, max_score)
    return TryResult(score, max_score, percent, percent >= attempt.quiz.pass_mark, reviews, essays)
