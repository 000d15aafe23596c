"""Essays in graded quizzes, marked by the course's trainers.

A submitted attempt with an answered essay has no score: it waits in the course's marking queue
(beside the written assignments). A trainer marks each essay with a comment; marks are records, and
a later mark of the same essay supersedes the one before. When the last essay has a mark, the
attempt is graded exactly once (a conditional UPDATE, as a submission is), with the essays' latest
marks, and `attempt_graded` tells the course's completion rule. From then on the grade is evidence:
its marks can no longer be changed here (a correction of the training record is made as such).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import Conflict, NotFound, ValidationFailed
from app.models import AttemptAnswer, Course, EssayMark, Question, Quiz, QuizAttempt, User
from app.org import audit
from app.quizzes.events import attempt_graded
from app.quizzes.service import attempt_questions, percent_of, saved_answers
from app.text import nfc, word_count
from app.trainers.service import require_marking

MAX_COMMENT_CHARS = 10_000


@dataclass(frozen=True)
class AttemptRow:
    """An attempt in the marking queue: whose, which quiz, waiting since its submission."""

    attempt: QuizAttempt
    learner: User
    title: str


def awaiting_attempts(session: Session, actor, course: Course) -> list[AttemptRow]:
    """The course's closed attempts whose essays wait for a mark, the oldest first, in one query."""
    require_marking(session, actor, course.id)
    rows = session.execute(
        select(QuizAttempt, User, Quiz.title)
        .join(User, User.id == QuizAttempt.user_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            QuizAttempt.course_id == course.id,
            QuizAttempt.status != "open",
            QuizAttempt.percent.is_(None),
        )
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    ).all()
    return [AttemptRow(attempt, learner, title) for attempt, learner, title in rows]


@dataclass(frozen=True)
class EssayView:
    question: Question
    text: str
    words: int
    marks: list[EssayMark]  # every mark of it, the latest first


@dataclass(frozen=True)
class AttemptForMarking:
    attempt: QuizAttempt
    learner: User
    quiz: Quiz
    essays: list[EssayView]
    engine_score: float  # the points the other questions earned, marked at submission
    engine_points: int


def _load(session: Session, course: Course, attempt_id: int, lock: bool = False) -> QuizAttempt:
    """The closed attempt of the course; with `lock`, its row is locked until the transaction ends,
    so that two trainers marking its last two essays at once are taken one after the other and the
    second one sees the first one's mark (PostgreSQL; SQLite has one writer at a time)."""
    stmt = select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.course_id == course.id)
    attempt = session.scalar(stmt.with_for_update() if lock else stmt)
    if attempt is None or attempt.is_open:
        raise NotFound(str(attempt_id))
    return attempt


def _marks(session: Session, attempt_id: int) -> dict[str, list[EssayMark]]:
    """Each essay's marks, the latest first."""
    marks: dict[str, list[EssayMark]] = {}
    for mark in session.scalars(
        select(EssayMark)
        .where(EssayMark.attempt_id == attempt_id)
        .order_by(EssayMark.marked_at.desc(), EssayMark.id.desc())
    ):
        marks.setdefault(mark.qid, []).append(mark)
    return marks


def latest_essay_marks(session: Session, attempt: QuizAttempt) -> dict[str, EssayMark]:
    """The mark that counts for each marked essay of an attempt (for its learner's result page)."""
    return {qid: marks[0] for qid, marks in _marks(session, attempt.id).items()}


def _essays(
    session: Session, attempt: QuizAttempt
) -> tuple[list[tuple[Question, AttemptAnswer]], float, int]:
    """The answered essays of the attempt, and the points the engine gave the other questions."""
    answers = saved_answers(session, attempt)
    essays, score, points = [], 0.0, 0
    for entry, question in attempt_questions(session, attempt):
        answer = answers.get(entry["qid"])
        if question.type == "essay" and answer is not None and answer.response:
            essays.append((question, answer))
        else:
            score += (answer.mark or 0.0) if answer is not None else 0.0
            points += question.points
    return essays, score, points


def _audit(session: Session, actor, action: str, attempt: QuizAttempt, course: Course, **detail) -> None:
    learner = session.get(User, attempt.user_id)
    audit.record(
        session,
        actor,
        action,
        "user",
        attempt.user_id,
        unit_id=learner.unit_id,
        course=course.code,
        attempt=attempt.id,
        **detail,
    )


def attempt_for_marking(session: Session, actor, course: Course, attempt_id: int) -> AttemptForMarking:
    """An attempt's essays as their marker sees them (a view of a cadre's work: audited)."""
    require_marking(session, actor, course.id)
    attempt = _load(session, course, attempt_id)
    _audit(session, actor, "view_essay_attempt", attempt, course)
    essays, score, points = _essays(session, attempt)
    marks = _marks(session, attempt.id)
    views = [
        EssayView(
            question,
            answer.response["text"],
            word_count(answer.response["text"]),
            marks.get(question.qid, []),
        )
        for question, answer in essays
    ]
    return AttemptForMarking(attempt, session.get(User, attempt.user_id), attempt.quiz, views, score, points)


def mark_essay(
    session: Session, actor, course: Course, attempt_id: int, qid: str, marks: int, comment: str
) -> bool:
    """Record a mark of one essay (a re-mark supersedes the one before). True when it was the last
    essay to mark and the attempt is now graded. Raises Conflict once the grade is recorded."""
    require_marking(session, actor, course.id)
    attempt = _load(session, course, attempt_id, lock=True)
    if not attempt.awaiting_marks:
        raise Conflict(_l("The attempt's grade is recorded: its marks can no longer be changed here."))
    essays, _score, _points = _essays(session, attempt)
    question = next((q for q, _answer in essays if q.qid == qid), None)
    if question is None:
        raise NotFound(qid)
    if not 0 <= marks <= question.points:
        raise ValidationFailed(_l("Give a mark from 0 to %(points)s.", points=question.points), field="marks")
    comment = nfc(comment).strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValidationFailed(_l("The comment is too long."), field="comment")
    remark = qid in _marks(session, attempt.id)
    session.add(
        EssayMark(
            attempt_id=attempt.id,
            qid=qid,
            marker_id=actor.id,
            marks=marks,
            points=question.points,
            comment=comment,
        )
    )
    session.flush()
    _audit(session, actor, "mark_essay", attempt, course, question=qid, marks=marks, remark=remark)
    return _finish(session, attempt)


def _finish(session: Session, attempt: QuizAttempt) -> bool:
    """Grade the attempt when every answered essay has a mark, exactly once."""
    essays, score, points = _essays(session, attempt)
    latest = latest_essay_marks(session, attempt)
    if any(question.qid not in latest for question, _answer in essays):
        return False
    score += sum(latest[question.qid].marks for question, _answer in essays)
    max_score = points + sum(question.points for question, _answer in essays)
    percent = percent_of(score, max_score)
    passed = percent >= attempt.quiz.pass_mark
    claimed = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.percent.is_(None))
        .values(score=score, max_score=max_score, percent=percent, passed=passed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    session.execute(
        update(AttemptAnswer),
        [{"id": answer.id, "mark": float(latest[question.qid].marks)} for question, answer in essays],
    )
    for name, value in (("score", score), ("max_score", max_score), ("percent", percent), ("passed", passed)):
        set_committed_value(attempt, name, value)
    learner = session.get(User, attempt.user_id)
    attempt_graded.send(session, user=learner, attempt=attempt)  # the course's completion rule listens
    return True
