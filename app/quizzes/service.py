"""Quizzes for learners: attempts, saving answers, grading exactly once, grades across attempts."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import outage
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.labels import number_words
from app.models import (
    AttemptAnswer,
    Course,
    CourseVersion,
    Lesson,
    Question,
    Quiz,
    QuizAttempt,
    User,
)
from app.models.base import utcnow
from app.quizzes.events import attempt_graded
from app.quizzes.forms import field_name
from app.quizzes.source import RANGE_RE
from app.quizzes.types import answer_fraction, option_fraction, question_type
from app.text import word_count

CLOSED = ("submitted", "expired")


class AttemptClosed(Conflict):
    """The attempt is closed (submitted, or its time is up): nothing more is saved."""


def add_quiz(
    session: Session,
    course: Course,
    version: CourseVersion,
    lesson: Lesson,
    source,
    render: Callable[[str], str],
) -> Quiz:
    """Store the quiz of `lesson` (a LessonSource with .quiz) with its questions. Flushes nothing."""
    settings = source.quiz.settings
    quiz = Quiz(
        lesson=lesson,
        course=course,
        course_version=version,
        slug=source.slug,
        title=source.title,
        kind=settings.kind,
        is_required=settings.required and settings.counts,
        pass_mark=settings.pass_mark,
        max_attempts=settings.max_attempts,
        grading=settings.grading,
        time_limit_minutes=settings.time_limit,
        draw=settings.draw,
        shuffle_questions=settings.shuffle_questions,
        shuffle_options=settings.shuffle_options,
        review=settings.review if settings.counts else "after_each",
        layout=settings.layout,
        intro_html=render(source.quiz.intro),
        content_hash=source.source_hash,
    )
    session.add(quiz)
    for position, q in enumerate(source.quiz.questions, start=1):
        session.add(
            Question(
                quiz=quiz,
                qid=q.qid,
                position=position,
                type=q.type,
                points=q.points,
                tags=list(q.tags),
                title=q.title,
                stem_html=render(q.stem) if q.stem else "",
                general_feedback_html=render(q.general_feedback) if q.general_feedback else "",
                data=_stored(q, render, source.source_hash),
            )
        )
    return quiz


def _stored(question, render: Callable[[str], str], salt: str) -> dict:
    """The question's stored data: its type's, and the descriptions written just before it (only
    when there are, so that questions without keep the same stored form)."""
    data = question_type(question.type).build(question, render, salt)
    if question.descriptions:
        data["descriptions"] = [
            {"title": title, "html": render(text)} for title, text in question.descriptions
        ]
    return data


def quiz_of_lesson(session: Session, lesson: Lesson) -> Quiz:
    quiz = session.scalar(select(Quiz).where(Quiz.lesson_id == lesson.id))
    if quiz is None:
        raise NotFound(lesson.slug)
    return quiz


# --- grades -------------------------------------------------------------------------------------


def grade_of(percents: list[float], method: str) -> float | None:
    """The quiz grade from the closed attempts' percents (oldest first) by the grading method."""
    if not percents:
        return None
    if method == "last":
        return percents[-1]
    if method == "first":
        return percents[0]
    if method == "average":
        return sum(percents) / len(percents)
    return max(percents)


@dataclass(frozen=True)
class QuizGrade:
    slug: str
    grade: float | None
    attempts: int
    passed: bool


def quiz_grades(session: Session, user: User, course: Course, quizzes: list[Quiz]) -> dict[str, QuizGrade]:
    """Grade of each quiz of a course version for `user`, from one query over their attempts."""
    rows = session.execute(
        select(QuizAttempt.quiz_slug, QuizAttempt.percent)
        .where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.course_id == course.id,
            QuizAttempt.status.in_(CLOSED),
            QuizAttempt.percent.is_not(None),  # an attempt waiting for its essays' marks counts later
        )
        .order_by(QuizAttempt.number)
    ).all()
    by_slug: dict[str, list[float]] = {}
    for slug, percent in rows:
        by_slug.setdefault(slug, []).append(percent or 0.0)
    grades = {}
    for quiz in quizzes:
        percents = by_slug.get(quiz.slug, [])
        grade = grade_of(percents, quiz.grading)
        grades[quiz.slug] = QuizGrade(
            quiz.slug, grade, len(percents), grade is not None and grade >= quiz.pass_mark
        )
    return grades


def quizzes_of(session: Session, version: CourseVersion) -> list[Quiz]:
    return list(session.scalars(select(Quiz).where(Quiz.course_version_id == version.id)))


# --- attempts -----------------------------------------------------------------------------------


def attempts_of(session: Session, user: User, course: Course, slug: str) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.course_id == course.id,
                QuizAttempt.quiz_slug == slug,
            )
            .order_by(QuizAttempt.number)
        )
    )


def draw_questions(questions: list[Question], quiz: Quiz, seed: int) -> list[dict]:
    """The questions an attempt shows, in order, with the order of their options.

    Deterministic for a seed, so a stored attempt can be replayed and explained.
    """
    rng = random.Random(seed)
    pool = list(questions)
    if isinstance(quiz.draw, int):
        chosen = rng.sample(pool, quiz.draw)
        chosen.sort(key=lambda q: q.position)
    elif isinstance(quiz.draw, dict):
        chosen, taken = [], set()
        for tag, wanted in sorted(quiz.draw.items()):
            candidates = [q for q in pool if tag in q.tags and q.qid not in taken]
            picked = rng.sample(candidates, min(wanted, len(candidates)))
            taken.update(q.qid for q in picked)
            chosen.extend(picked)
        chosen.sort(key=lambda q: q.position)
    else:
        chosen = pool
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return [
        {"qid": q.qid, "order": question_type(q.type).present(q.data, rng, quiz.shuffle_options)}
        for q in chosen
    ]


@dataclass(frozen=True)
class QuizState:
    """What the quiz page needs to know about one learner and one quiz."""

    attempts: list[QuizAttempt]
    grade: float | None
    passed: bool
    open_attempt: QuizAttempt | None
    awaiting: int = 0  # closed attempts whose essays wait to be marked

    def attempts_left(self, quiz: Quiz) -> int | None:
        if quiz.max_attempts == 0:
            return None
        return max(0, quiz.max_attempts - len(self.attempts))


@dataclass(frozen=True)
class QuizOverview:
    """What the quiz's own page shows: the quiz, the learner's state (None: not enrolled), how many
    questions an attempt has."""

    quiz: Quiz
    state: QuizState | None
    question_count: int


def quiz_overview(
    session: Session, user: User, course: Course, lesson: Lesson, enrolled: bool
) -> QuizOverview:
    """The quiz page's facts; an expired open attempt is closed (graded) on the way."""
    quiz = quiz_of_lesson(session, lesson)
    state = quiz_state(session, user, course, quiz) if enrolled else None
    if quiz.draw is None:
        count = len(quiz.questions)
    else:
        count = quiz.draw if isinstance(quiz.draw, int) else sum(quiz.draw.values())
    return QuizOverview(quiz, state, count)


def quiz_state(
    session: Session, user: User, course: Course, quiz: Quiz, now: datetime | None = None
) -> QuizState:
    """The learner's attempts and grade; an open attempt whose time is up is closed first."""
    attempts = attempts_of(session, user, course, quiz.slug)
    for attempt in attempts:
        if attempt.is_open and is_late(session, attempt, now or utcnow()):
            submit_attempt(session, attempt, user, now=now)
    closed = [a.percent for a in attempts if a.status in CLOSED and a.percent is not None]
    grade = grade_of(closed, quiz.grading)
    return QuizState(
        attempts,
        grade,
        grade is not None and grade >= quiz.pass_mark,
        next((a for a in attempts if a.is_open), None),
        sum(1 for a in attempts if a.awaiting_marks),
    )


def start_attempt(
    session: Session,
    user: User,
    course: Course,
    quiz: Quiz,
    *,
    now: datetime | None = None,
    seed: int | None = None,
) -> QuizAttempt:
    """Start an attempt, or return the one still open. Raises Conflict when no attempt is left."""
    now = now or utcnow()
    state = quiz_state(session, user, course, quiz, now)
    if state.open_attempt is not None:
        return state.open_attempt
    if state.attempts_left(quiz) == 0:
        raise Conflict("no attempts left")
    seed = secrets.randbits(62) if seed is None else seed
    questions = list(
        session.scalars(select(Question).where(Question.quiz_id == quiz.id).order_by(Question.position))
    )
    attempt = QuizAttempt(
        user_id=user.id,
        course_id=course.id,
        quiz_id=quiz.id,
        quiz_slug=quiz.slug,
        number=len(state.attempts) + 1,
        is_graded=quiz.is_graded,
        seed=seed,
        draw=draw_questions(questions, quiz, seed),
        content_hash=quiz.content_hash,
        status="open",
        started_at=now,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
    )
    session.add(attempt)
    session.flush()
    return attempt


def own_attempt(session: Session, user: User, attempt_id: int) -> QuizAttempt:
    """The attempt, if it is `user`'s. Raises NotFound or PermissionDenied."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise NotFound(str(attempt_id))
    if attempt.user_id != user.id:
        raise PermissionDenied("not your attempt")
    return attempt


def is_expired(attempt: QuizAttempt, now: datetime) -> bool:
    """Past the attempt's own time limit (see `is_late` for the limit moved by outages)."""
    return attempt.deadline_at is not None and now > attempt.deadline_at


def deadline_of(session: Session, attempt: QuizAttempt) -> datetime | None:
    """The attempt's deadline moved later by the database outages the app recorded while it ran
    (README, "Time lost to an outage"); None without a time limit."""
    if attempt.deadline_at is None:
        return None
    return outage.extended_deadline(session, attempt.started_at, attempt.deadline_at)


def is_late(session: Session, attempt: QuizAttempt, now: datetime) -> bool:
    """Past the deadline, outages counted (the outage table is read only past the time limit)."""
    if not is_expired(attempt, now):
        return False
    deadline = deadline_of(session, attempt)
    return deadline is not None and now > deadline


def attempt_questions(session: Session, attempt: QuizAttempt) -> list[tuple[dict, Question]]:
    """The drawn questions, in the attempt's order, paired with their draw entry."""
    by_qid = {q.qid: q for q in session.scalars(select(Question).where(Question.quiz_id == attempt.quiz_id))}
    return [(entry, by_qid[entry["qid"]]) for entry in attempt.draw]


def saved_answers(session: Session, attempt: QuizAttempt) -> dict[str, AttemptAnswer]:
    return {
        a.qid: a for a in session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    }


def save_answers(
    session: Session, attempt: QuizAttempt, replies: Mapping[str, object], *, now: datetime | None = None
) -> int:
    """Save `replies` ({question id: response}, as `app.quizzes.forms.read_replies` reads a posted
    page) for the questions they name; a response of None clears the question's answer.

    Raises AttemptClosed when the attempt is closed or its time is up (the reply is not counted;
    an expired attempt is closed and graded on what was saved in time), and ValidationFailed for
    a question outside the attempt's draw. Returns how many replies were saved.
    """
    now = now or utcnow()
    if not attempt.is_open:
        raise AttemptClosed("closed")
    if is_late(session, attempt, now):
        raise AttemptClosed("time is up")
    drawn = {entry["qid"] for entry in attempt.draw}
    if any(qid not in drawn for qid in replies):
        raise ValidationFailed("question not in this attempt")
    if not replies:
        return 0
    existing = dict(
        session.execute(
            select(AttemptAnswer.qid, AttemptAnswer.id).where(
                AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.qid.in_(list(replies))
            )
        ).all()
    )
    changed = [
        {"id": existing[qid], "response": r, "saved_at": now} for qid, r in replies.items() if qid in existing
    ]
    added = [
        {"attempt_id": attempt.id, "qid": qid, "response": r, "saved_at": now}
        for qid, r in replies.items()
        if qid not in existing
    ]
    # one statement each, however many questions the page carries
    if changed:
        session.execute(update(AttemptAnswer), changed)
    if added:
        session.execute(insert(AttemptAnswer), added)
    return len(replies)


def submit_attempt(
    session: Session, attempt: QuizAttempt, user: User, *, now: datetime | None = None
) -> QuizAttempt:
    """Close and grade the attempt, exactly once even when submitted twice at the same moment.

    The attempt is claimed with a conditional UPDATE (open -> submitted/expired): only the
    request whose UPDATE changes the row grades it; any other finds it closed and returns it.
    Raises PermissionDenied for another user's attempt.
    """
    if attempt.user_id != user.id:
        raise PermissionDenied("not your attempt")
    now = now or utcnow()
    status = "expired" if is_late(session, attempt, now) else "submitted"
    claimed = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == "open")
        .values(status=status, submitted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.refresh(attempt)  # graded by the other request: show its result
        return attempt
    set_committed_value(attempt, "status", status)
    set_committed_value(attempt, "submitted_at", now)
    if _grade(session, attempt):
        attempt_graded.send(session, user=user, attempt=attempt)  # the course's completion rule listens
    return attempt


def needs_marking(question: Question, response: object | None) -> bool:
    """Whether a reply waits for a person's mark: an essay that was answered."""
    return question_type(question.type).manual and bool(response)


def essay_words(session: Session, attempt: QuizAttempt) -> list[tuple[Question, int]]:
    """The attempt's essays whose saved answer has more words than the essay allows, with the count:
    the learner shortens them before submitting (an attempt closed by its time limit is marked as
    it is, and the marker sees the count)."""
    drawn = [entry["qid"] for entry in attempt.draw]
    rows = session.execute(
        select(Question, AttemptAnswer.response)
        .join(AttemptAnswer, (AttemptAnswer.qid == Question.qid) & (AttemptAnswer.attempt_id == attempt.id))
        .where(Question.quiz_id == attempt.quiz_id, Question.type == "essay", Question.qid.in_(drawn))
    ).all()
    over = []
    for question, response in rows:
        limit = question.data.get("max_words", 0)
        words = word_count((response or {}).get("text", ""))
        if limit and words > limit:
            over.append((question, words))
    return sorted(over, key=lambda pair: drawn.index(pair[0].qid))


def mark_reply(question: Question, response: object | None) -> float:
    """The points a reply (None: no answer) earns on a question, by its type's marking."""
    return question_type(question.type).mark(question.data, response) * question.points


def _grade(session: Session, attempt: QuizAttempt) -> bool:
    """Mark every answer the engine can mark. True when the attempt is graded; False when an essay
    waits for its trainer (its answer's mark stays empty, and so does the attempt's score until
    `app.quizzes.marking` records the last essay's mark)."""
    quiz = attempt.quiz
    answers = saved_answers(session, attempt)
    updates, inserts = [], []
    score = max_score = 0.0
    waiting = False
    for entry, question in attempt_questions(session, attempt):
        answer = answers.get(entry["qid"])
        points = question.points
        max_score += points
        if answer is not None and needs_marking(question, answer.response):
            waiting = True
            updates.append({"id": answer.id, "mark": None, "points": points})
            continue
        mark = mark_reply(question, answer.response if answer else None)
        score += mark
        if answer is not None:
            updates.append({"id": answer.id, "mark": mark, "points": points})
        else:
            inserts.append(
                {
                    "attempt_id": attempt.id,
                    "qid": entry["qid"],
                    "response": None,
                    "mark": 0.0,
                    "points": points,
                }
            )
    if updates:
        session.execute(update(AttemptAnswer), updates)
    if inserts:
        session.execute(insert(AttemptAnswer), inserts)
    if waiting:
        session.flush()
        return False
    percent = percent_of(score, max_score)
    attempt.score, attempt.max_score, attempt.percent = score, max_score, percent
    attempt.passed = percent >= quiz.pass_mark
    session.flush()
    return True


def percent_of(score: float, max_score: float) -> float:
    return round(100 * score / max_score, 2) if max_score else 0.0


def may_review(quiz: Quiz, attempt: QuizAttempt, passed: bool) -> bool:
    """Whether the learner may see right answers and feedback for a closed attempt."""
    if attempt.is_open:
        return False
    if quiz.review == "after_each":
        return True
    if quiz.review == "after_passing":
        return passed
    return False


# --- what pages show ----------------------------------------------------------------------------


def _options(data: dict, order: list[str], key: str = "options") -> list[dict]:
    by_id = {o["id"]: o for o in data[key]}
    return [{"id": oid, "html": by_id[oid]["html"]} for oid in order]


def question_view(question: Question, entry: dict, answer: AttemptAnswer | None) -> dict:
    """What the attempt page shows of a question: its parts and the saved reply, never the key."""
    return reply_view(question, entry, answer.response if answer else None)


def reply_view(question: Question, entry: dict, response: object | None) -> dict:
    """A question as drawn (`entry`) with a reply that need not be saved (None: no answer)."""
    data, order = question.data, entry["order"]
    view = {
        "qid": question.qid,
        "title": question.title,
        "stem_html": question.stem_html,
        "type": question.type,
        "points": question.points,
        "field": field_name(question.qid),
        "response": response or {},
        "descriptions": data.get("descriptions", []),
    }
    if question.type in ("single", "multiple", "truefalse"):
        view["options"] = _options(data, order)
    elif question.type == "matching":
        rights = {p["right_id"]: p["right_html"] for p in data["pairs"]}
        view["lefts"] = [{"id": p["id"], "html": p["html"]} for p in data["pairs"]]
        view["rights"] = [{"id": rid, "html": rights[rid]} for rid in order]
    elif question.type == "ordering":
        view["items"] = _options(data, order, "items")
    elif question.type == "essay":
        view["max_words"] = data.get("max_words", 0)
        view["words"] = word_count(view["response"].get("text", ""))
    return view


def question_review(question: Question, entry: dict, answer: AttemptAnswer | None) -> dict:
    """The question with the learner's reply, the mark, the right answers and feedback."""
    mark = answer.mark if answer and answer.mark is not None else 0.0
    return reply_review(question, entry, answer.response if answer else None, mark)


def reply_review(question: Question, entry: dict, response: object | None, mark: float) -> dict:
    """The review of a reply that need not be saved, given the points it earned (`mark_reply`)."""
    view = reply_view(question, entry, response)
    data = question.data
    view.update(
        mark=mark,
        general_feedback_html=question.general_feedback_html,
        feedback=[],
    )
    response = view["response"]
    if question.type in ("single", "multiple", "truefalse"):
        chosen = set(response.get("choices", [])) | ({response["choice"]} if "choice" in response else set())
        by_id = {o["id"]: o for o in data["options"]}
        view["options"] = [
            {
                **o,
                **_option_credit(question.type, by_id[o["id"]]),
                "chosen": o["id"] in chosen,
                "feedback_html": by_id[o["id"]]["feedback_html"] if o["id"] in chosen else "",
            }
            for o in view["options"]
        ]
    elif question.type in ("short", "numeric"):
        matched = question_type(question.type).matching_answer(data, response)
        view["accepted"] = [
            accepted_words(question.type, a)
            for a in data["answers"]
            if not a.get("any") and answer_fraction(a) > 0
        ]
        if matched and matched["feedback_html"]:
            view["feedback"].append(matched["feedback_html"])
    elif question.type == "matching":
        rights = {p["right_id"]: p["right_html"] for p in data["pairs"]}
        chosen = response.get("pairs", {})
        view["lefts"] = [
            {
                "id": p["id"],
                "html": p["html"],
                "right_html": p["right_html"],
                "chosen_html": rights.get(chosen.get(p["id"], ""), ""),
                "correct": chosen.get(p["id"]) == p["right_id"],
            }
            for p in data["pairs"]
        ]
    elif question.type == "ordering":
        positions = response.get("positions", {})
        view["right_order"] = [
            {
                "html": item["html"],
                "position": i,
                "chosen": positions.get(item["id"]),
                "correct": positions.get(item["id"]) == i,
            }
            for i, item in enumerate(data["items"], start=1)
        ]
    return view


def _option_credit(kind: str, option: dict) -> dict:
    """Whether the review calls an option the right answer, and the share of the points a single
    choice's partly right option earns ("50%"; empty otherwise)."""
    if kind == "multiple":
        return {"correct": option["correct"], "share": ""}
    fraction = option_fraction(option)
    return {"correct": fraction >= 1, "share": f"{fraction:.0%}" if 0 < fraction < 1 else ""}


def accepted_words(kind: str, answer: dict) -> str:
    """An accepted answer as people write it, not in the authoring syntax: a short answer as it is
    written; a number in the reader's notation ("92 ± 0,5", "từ 3 đến 6", "4,5"); an answer worth
    part of the points with its share ("4,5 (50%)")."""
    fraction = answer_fraction(answer)
    if fraction < 1:
        return f"{accepted_words(kind, {**answer, 'fraction': 1.0})} ({fraction:.0%})"
    if kind != "numeric":
        return answer["text"]
    low, high = answer["low"], answer["high"]
    if low == high:
        return number_words(low, 6)
    if RANGE_RE.match(answer["text"].strip()):
        return _("from %(low)s to %(high)s", low=number_words(low, 6), high=number_words(high, 6))
    middle, tolerance = (low + high) / 2, (high - low) / 2
    return f"{number_words(middle, 6)} ± {number_words(tolerance, 6)}"
