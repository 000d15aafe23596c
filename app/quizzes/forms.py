"""The quiz page's form: the field each question's reply is posted in, and reading a posted page.

The question types (`app.quizzes.types`) draw their inputs and read them back; this module knows
how a page lists its questions (the `qids` field) and turns what a page posts into replies, so
the service (`app.quizzes.service.save_answers`) deals in replies, not form fields.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.models import Question, QuizAttempt
from app.quizzes.types import question_type


def field_name(qid: str) -> str:
    return f"q-{qid}"


def read_replies(session: Session, attempt: QuizAttempt, form) -> dict[str, object]:
    """{question id: response} for the questions a posted page lists in its `qids` field (`form`
    is a mapping with `get` and `getlist`, as a request's form is). Raises ValidationFailed for a
    question outside the attempt's draw or an option it never offered."""
    return read_drawn_replies(session, attempt.quiz_id, attempt.draw, form)


def read_drawn_replies(session: Session, quiz_id: int, draw: list[dict], form) -> dict[str, object]:
    """`read_replies` for a draw of the quiz's questions that need not belong to an attempt (a
    trainer trying the quiz)."""
    wanted = form.getlist("qids")
    drawn = {entry["qid"]: entry for entry in draw}
    if any(qid not in drawn for qid in wanted):
        raise ValidationFailed("question not in this attempt")
    if not wanted:
        return {}
    questions = {
        q.qid: q
        for q in session.scalars(
            select(Question).where(Question.quiz_id == quiz_id, Question.qid.in_(wanted))
        )
    }
    return {
        qid: question_type(q.type).read(q.data, drawn[qid]["order"], form, field_name(qid))
        for qid, q in ((qid, questions[qid]) for qid in wanted)
    }
