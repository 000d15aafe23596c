"""The exam-day loss check: what the load run was told is stored, and graded once (bench/exam_day.py).

Importable without Locust (tests/test_exam_day_check.py runs it on a tiny database). It reads the
database directly through the app's models and a SQLAlchemy session, and reports, for the bench
cadres (`thi…@bench.boiduong.vn`) and the exam course:

- lost: an answer the server acknowledged (a 2xx JSON reply with `saved: true`) has no stored row;
- changed: the stored answer is not the value that was sent;
- not submitted: an attempt still open, or closed without `submitted_at`;
- not graded: a closed attempt without score, maximum, percent or pass verdict, or a drawn question
  without its mark and points;
- graded twice: more attempts for one cadre than the quiz allows, a score that is not the sum of
  the answers' marks (a second grading over the first), more than one course completion for one
  cadre, more than one training record or certificate for one completion, or not exactly one
  "quiz done" lesson completion per graded attempt (the grade's listener runs once);
- unknown attempts: attempts the run started that the database does not have, or the reverse.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

EMAIL_PATTERN = "thi%@bench.boiduong.vn"
EMAIL = "thi{:05d}@bench.boiduong.vn"
PASSWORD = "thi-bench-2026"  # noqa: S105 (the bench cadres' known password)
COURSE_CODE = "THI-2026"

# The steps of a cadre's exam as the run's table shows them; the GET pages and the saves are held
# to p95 < LIMIT_MS (the POSTs answered by a redirect are shown, not held).
STEPS = (
    ("login page", "GET"),
    ("login", "POST"),  # each try: 302 in, or 429 asked to wait (app/auth/budget.py)
    ("login, waits included", "POST"),  # from the first try to being in: what the cadre sees
    ("course page", "GET"),
    ("enrol", "POST"),
    ("lesson page", "GET"),
    ("lesson complete", "POST"),
    ("quiz page", "GET"),
    ("start", "POST"),
    ("attempt page", "GET"),
    ("save", "POST"),
    ("submit", "POST"),
    ("result page", "GET"),
)
CRITERION = {name for name, method in STEPS if method == "GET"} | {"save"}
LIMIT_MS = 500


@dataclass(frozen=True)
class Ack:
    """An acknowledged save: the attempt, the question and the reply the server stores for what was
    sent ({"choice": id}, {"choices": [ids]} or {"text": …})."""

    attempt_id: int
    qid: str
    response: dict


@dataclass
class Report:
    acknowledged: int = 0
    attempts: int = 0
    graded: int = 0
    passed: int = 0
    completions: int = 0
    lost: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    not_submitted: list[str] = field(default_factory=list)
    not_graded: list[str] = field(default_factory=list)
    graded_twice: list[str] = field(default_factory=list)
    unknown_attempts: list[str] = field(default_factory=list)

    PROBLEMS = ("lost", "changed", "not_submitted", "not_graded", "graded_twice", "unknown_attempts")

    @property
    def ok(self) -> bool:
        return not any(getattr(self, name) for name in self.PROBLEMS)

    def lines(self) -> list[str]:
        out = [
            f"acknowledged answers: {self.acknowledged}; attempts: {self.attempts}, graded: {self.graded}, "
            f"passed: {self.passed}; course completions: {self.completions}"
        ]
        for name in self.PROBLEMS:
            found = getattr(self, name)
            label = name.replace("_", " ")
            out.append(
                f"{label}: {len(found)}"
                + (" (" + "; ".join(found[:5]) + (" …)" if len(found) > 5 else ")") if found else "")
            )
        out.append("loss check: " + ("PASS" if self.ok else "FAIL"))
        return out

    def as_dict(self) -> dict:
        figures = {
            k: getattr(self, k) for k in ("acknowledged", "attempts", "graded", "passed", "completions")
        }
        return {**figures, **{name: getattr(self, name) for name in self.PROBLEMS}, "ok": self.ok}


def same_response(stored: object, sent: dict) -> bool:
    """Whether the stored reply is what was sent (a multiple response's choices in any order)."""
    if not isinstance(stored, dict):
        return False
    if "choices" in sent:
        return sorted(stored.get("choices") or []) == sorted(sent["choices"]) and set(stored) == {"choices"}
    return stored == sent


def check(
    session: Session,
    acks: list[Ack],
    *,
    started: set[int] | None = None,
    course_code: str = COURSE_CODE,
    email_pattern: str = EMAIL_PATTERN,
) -> Report:
    """The loss check over the bench cadres' attempts at `course_code`'s quizzes (see the module)."""
    from app.models import AttemptAnswer, Course, QuizAttempt, User

    report = Report(acknowledged=len(acks))
    course_id = session.scalar(select(Course.id).where(Course.code == course_code))
    if course_id is None:
        report.unknown_attempts.append(f"no course {course_code}")
        return report
    attempts = list(
        session.scalars(
            select(QuizAttempt)
            .join(User, User.id == QuizAttempt.user_id)
            .where(QuizAttempt.course_id == course_id, User.email.like(email_pattern))
            .order_by(QuizAttempt.id)
        )
    )
    report.attempts = len(attempts)
    ids = [a.id for a in attempts]
    stored: dict[tuple[int, str], object] = {}
    marks: dict[int, list[tuple[str, float | None, int | None]]] = defaultdict(list)
    for chunk in (ids[i : i + 2000] for i in range(0, len(ids), 2000)):
        rows = session.execute(
            select(
                AttemptAnswer.attempt_id,
                AttemptAnswer.qid,
                AttemptAnswer.response,
                AttemptAnswer.mark,
                AttemptAnswer.points,
            ).where(AttemptAnswer.attempt_id.in_(chunk))
        )
        for attempt_id, qid, response, mark, points in rows:
            stored[attempt_id, qid] = response
            marks[attempt_id].append((qid, mark, points))
    _check_answers(report, acks, stored)
    _check_attempts(session, report, attempts, marks, started)
    _check_completions(session, report, course_id, attempts)
    return report


def _check_answers(report: Report, acks: list[Ack], stored: dict) -> None:
    latest: dict[tuple[int, str], Ack] = {}
    for ack in acks:  # a question saved twice keeps its last acknowledged reply
        latest[ack.attempt_id, ack.qid] = ack
    for key, ack in latest.items():
        if key not in stored:
            report.lost.append(f"attempt {key[0]} question {key[1]}")
        elif not same_response(stored[key], ack.response):
            report.changed.append(
                f"attempt {key[0]} question {key[1]}: sent {ack.response}, stored {stored[key]}"
            )


def _check_attempts(session, report: Report, attempts: list, marks: dict, started: set[int] | None) -> None:
    from app.models import Quiz

    allowed = dict(session.execute(select(Quiz.id, Quiz.max_attempts)).all())
    per_user = Counter((a.user_id, a.quiz_id) for a in attempts)
    for (user_id, quiz_id), n in per_user.items():
        if allowed.get(quiz_id) and n > allowed[quiz_id]:
            report.graded_twice.append(f"user {user_id}: {n} attempts, {allowed[quiz_id]} allowed")
    for a in attempts:
        name = f"attempt {a.id}"
        if a.status == "open" or a.submitted_at is None:
            report.not_submitted.append(name)
            continue
        drawn = {entry["qid"] for entry in a.draw}
        rows = marks.get(a.id, [])
        unmarked = [qid for qid, mark, points in rows if mark is None or points is None]
        if (
            None in (a.score, a.max_score, a.percent, a.passed)
            or {q for q, _, _ in rows} != drawn
            or unmarked
        ):
            report.not_graded.append(name)
            continue
        report.graded += 1
        report.passed += bool(a.passed)
        if (
            abs(sum(m for _, m, _ in rows) - a.score) > 1e-6
            or abs(sum(p for _, _, p in rows) - a.max_score) > 1e-6
        ):
            report.graded_twice.append(f"{name}: score {a.score} is not the sum of its marks")
    if started is not None:
        known = {a.id for a in attempts}
        report.unknown_attempts += [f"attempt {i} started but not stored" for i in sorted(started - known)]
        report.unknown_attempts += [f"attempt {i} stored but never started" for i in sorted(known - started)]


def _check_completions(session, report: Report, course_id: int, attempts: list) -> None:
    from app.models import Certificate, CourseCompletion, Enrolment, LessonCompletion, TrainingRecord

    users = {a.user_id for a in attempts}
    if not users:
        return
    slugs = {a.quiz_slug for a in attempts}
    done = Counter(
        session.execute(
            select(Enrolment.user_id)
            .join(LessonCompletion, LessonCompletion.enrolment_id == Enrolment.id)
            .where(Enrolment.course_id == course_id, LessonCompletion.lesson_slug.in_(slugs))
        ).scalars()
    )
    for a in attempts:
        if a.status != "open" and a.percent is not None and done[a.user_id] != 1:
            report.graded_twice.append(f"attempt {a.id}: {done[a.user_id]} 'quiz done' records, not 1")
    completions = Counter(
        session.scalars(select(CourseCompletion.user_id).where(CourseCompletion.course_id == course_id))
    )
    report.completions = sum(n for user, n in completions.items() if user in users)
    report.graded_twice += [
        f"user {u}: {n} course completions" for u, n in completions.items() if u in users and n > 1
    ]
    firsts = (  # corrections and re-issues supersede a first one: only first ones must be unique
        (TrainingRecord, TrainingRecord.supersedes_id.is_(None), "training records"),
        (Certificate, Certificate.replaces_id.is_(None), "certificates"),
    )
    for model, first, what in firsts:
        twice = session.execute(
            select(model.course_completion_id, func.count())
            .join(CourseCompletion, CourseCompletion.id == model.course_completion_id)
            .where(CourseCompletion.course_id == course_id, first)
            .group_by(model.course_completion_id)
            .having(func.count() > 1)
        ).all()
        report.graded_twice += [f"completion {c}: {n} {what}" for c, n in twice]
