"""The exam-day benchmark's loss check (bench/exam_check.py) finds what a load run could lose.

No load here: two bench cadres sit the exam course (bench/exam_course) through the services, then
the check runs on the clean result and on planted faults: a lost answer, a changed one, an attempt
left open, a second grading and a second attempt."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from app.learning import service as learning
from app.models import AttemptAnswer, QuizAttempt, User
from app.quizzes import service as quizzes

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("exam_check", ROOT / "bench" / "exam_check.py")
exam_check = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("exam_check", exam_check)
_spec.loader.exec_module(exam_check)


def _right(question) -> dict:
    data = question.data
    if question.type == "short":
        return {"text": data["answers"][0]["text"]}
    right = [o["id"] for o in data["options"] if o["correct"]]
    return {"choices": right} if question.type == "multiple" else {"choice": right[0]}


def _sit(user_id: int, submit: bool = True) -> tuple[int, list]:
    """The cadre enrols, reads the lesson, answers every question right (saved one by one, as the
    page does) and submits; returns the attempt and the acknowledgements."""
    user = db.session.get(User, user_id)
    course, version = learning.get_course(db.session, "THI-2026")
    learning.enrol(db.session, user, course)
    lessons = learning.lessons_of(db.session, version)
    learning.mark_lesson_complete(
        db.session, user, course, version, learning.find_lesson(lessons, "quy-che-thi")
    )
    quiz = quizzes.quiz_of_lesson(db.session, learning.find_lesson(lessons, "bai-thi"))
    attempt = quizzes.start_attempt(db.session, user, course, quiz)
    acks = []
    for entry, question in quizzes.attempt_questions(db.session, attempt):
        reply = _right(question)
        quizzes.save_answers(db.session, attempt, {entry["qid"]: reply})
        acks.append(exam_check.Ack(attempt.id, entry["qid"], reply))
    if submit:
        quizzes.submit_attempt(db.session, attempt, user)
    db.session.commit()
    return attempt.id, acks


@pytest.fixture
def exam(app, make):
    outcome = make.import_folder(ROOT / "bench" / "exam_course")
    assert outcome.status == "created", outcome.problems
    cadres = [make.user(f"thi{n:05d}@bench.boiduong.vn") for n in (1, 2)]
    with app.app_context():
        sat = [_sit(cadre) for cadre in cadres]
    return [attempt for attempt, _ in sat], [ack for _, acks in sat for ack in acks]


def _check(app, acks, started):
    with app.app_context():
        return exam_check.check(db.session, acks, started=set(started))


def test_a_clean_exam_passes_with_every_answer_graded_once(app, exam):
    attempts, acks = exam
    report = _check(app, acks, attempts)
    assert report.ok, report.lines()
    assert (report.acknowledged, report.attempts, report.graded, report.passed) == (60, 2, 2, 2)
    assert report.completions == 2
    assert report.lines()[-1] == "loss check: PASS"


def test_a_lost_or_changed_answer_is_reported(app, exam):
    attempts, acks = exam
    with app.app_context():
        db.session.execute(
            delete(AttemptAnswer).where(
                AttemptAnswer.attempt_id == acks[0].attempt_id, AttemptAnswer.qid == acks[0].qid
            )
        )
        db.session.execute(
            update(AttemptAnswer)
            .where(AttemptAnswer.attempt_id == acks[1].attempt_id, AttemptAnswer.qid == acks[1].qid)
            .values(response={"text": "khác"})
        )
        db.session.commit()
    report = _check(app, acks, attempts)
    assert report.lost == [f"attempt {acks[0].attempt_id} question {acks[0].qid}"]
    assert len(report.changed) == 1 and acks[1].qid in report.changed[0]
    assert not report.ok and report.lines()[-1] == "loss check: FAIL"


def test_an_attempt_graded_twice_or_left_open_is_reported(app, exam):
    attempts, acks = exam
    with app.app_context():
        db.session.execute(
            update(QuizAttempt).where(QuizAttempt.id == attempts[0]).values(score=QuizAttempt.score + 1)
        )
        db.session.execute(
            update(QuizAttempt).where(QuizAttempt.id == attempts[1]).values(status="open", submitted_at=None)
        )
        db.session.commit()
    report = _check(app, acks, attempts)
    assert report.graded_twice == [
        f"attempt {attempts[0]}: score {report_score(app, attempts[0])} is not the sum of its marks"
    ]
    assert report.not_submitted == [f"attempt {attempts[1]}"]
    assert not report.ok


def report_score(app, attempt_id: int) -> float:
    with app.app_context():
        return db.session.scalar(select(QuizAttempt.score).where(QuizAttempt.id == attempt_id))


def test_a_second_attempt_in_a_one_attempt_exam_is_reported(app, exam):
    attempts, acks = exam
    with app.app_context():
        first = db.session.get(QuizAttempt, attempts[0])
        second = QuizAttempt(
            **{c: getattr(first, c) for c in ("user_id", "course_id", "quiz_id", "quiz_slug", "is_graded")},
            number=2,
            seed=1,
            draw=first.draw,
            content_hash=first.content_hash,
            status="submitted",
            submitted_at=first.submitted_at,
        )
        db.session.add(second)
        db.session.commit()
        user_id, second_id = first.user_id, second.id
    report = _check(app, acks, attempts)
    assert f"user {user_id}: 2 attempts, 1 allowed" in report.graded_twice
    assert report.unknown_attempts == [f"attempt {second_id} stored but never started"]
    assert report.not_graded == [f"attempt {second_id}"]
