"""The seeded city (`flask demo seed`): what it reports is what it wrote, and the same seed builds
the same city."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.demo.city import seed_city
from app.extensions import db
from app.models import (
    AssignmentMember,
    Cadre,
    CourseCompletion,
    Enrolment,
    LessonCompletion,
    QuizAttempt,
    TrainingRecord,
    Unit,
    User,
)
from tests.helpers import PROJECT_COURSES


@pytest.fixture
def courses(shipped_courses):
    """The shipped courses, imported (a world built once per run)."""


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_seed_reports_the_rows_it_wrote(app, courses):
    lines = []
    with app.app_context():
        counts = seed_city(db.session, 60, seed=7, echo=lines.append)
        assert counts == {
            "enrolments": count(Enrolment),
            "lesson_completions": count(LessonCompletion),
            "attempts": count(QuizAttempt),
            "completions": count(CourseCompletion),
        }
        assert count(TrainingRecord, TrainingRecord.source == "internal") == counts["completions"]
        assert count(Cadre) == count(User, User.email.like("%@seed.boiduong.vn")) == 60
        assert count(Cadre, Cadre.user_id.is_(None)) == 0
        assert count(AssignmentMember) == 60  # the whole city is in the programme
        assert lines == [
            f"  units: {count(Unit)}",
            "  cadres and accounts: 60",
            *(f"  {key}: {value}" for key, value in counts.items()),
        ]


def test_the_same_seed_builds_the_same_city(app, courses, clock):
    def city() -> dict:
        """The seeded rows, with account and enrolment ids counted from the run's first: ids come
        from sequences, which a rollback does not move back on PostgreSQL."""
        rows = {
            "cadres": db.session.execute(
                select(
                    Cadre.employee_code,
                    Cadre.full_name,
                    Cadre.date_of_birth,
                    Cadre.gender,
                    Cadre.staff_type,
                    Unit.code,
                    Cadre.title_code,
                    Cadre.rank,
                )
                .join(Unit, Unit.id == Cadre.unit_id)
                .order_by(Cadre.employee_code)
            ).all(),
            "enrolments": db.session.execute(
                select(
                    Enrolment.user_id, Enrolment.course_id, Enrolment.enrolled_at, Enrolment.last_lesson_slug
                ).order_by(Enrolment.id)
            ).all(),
            "lessons": db.session.execute(
                select(LessonCompletion.enrolment_id, LessonCompletion.lesson_slug).order_by(
                    LessonCompletion.enrolment_id, LessonCompletion.lesson_slug
                )
            ).all(),
            "attempts": db.session.execute(
                select(
                    QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.seed, QuizAttempt.percent
                ).order_by(QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.number)
            ).all(),
            "completions": db.session.execute(
                select(
                    CourseCompletion.user_id,
                    CourseCompletion.course_id,
                    CourseCompletion.score,
                    CourseCompletion.completed_at,  # capped at the moment of seeding
                ).order_by(CourseCompletion.id)
            ).all(),
        }
        first_user = db.session.scalar(select(func.min(User.id)).where(User.email.like("%@seed.boiduong.vn")))
        first_enrolment = db.session.scalar(select(func.min(Enrolment.id)))
        for key in ("enrolments", "attempts", "completions"):  # the account is each row's first value
            rows[key] = [(user_id - first_user, *rest) for user_id, *rest in rows[key]]
        rows["lessons"] = [(e - first_enrolment, slug) for e, slug in rows["lessons"]]
        return rows

    clock.set_now(datetime(2026, 11, 29, 9, 30, tzinfo=UTC))  # both runs seed at the same moment
    with app.app_context():
        seed_city(db.session, 40, seed=11, echo=lambda _line: None)
        first = city()
        db.session.rollback()  # the seed only flushes: back to the imported courses alone
        assert count(Cadre) == 0
        seed_city(db.session, 40, seed=11, echo=lambda _line: None)
        assert city() == first
        db.session.rollback()
        seed_city(db.session, 40, seed=12, echo=lambda _line: None)
        assert city()["cadres"] != first["cadres"]


def test_the_seed_needs_courses_and_runs_once(app, import_folder):
    with app.app_context():
        with pytest.raises(RuntimeError, match="import the courses first"):
            seed_city(db.session, 5, echo=lambda _line: None)
        db.session.rollback()
    import_folder(sorted(p for p in PROJECT_COURSES.iterdir() if p.is_dir())[0])
    with app.app_context():
        seed_city(db.session, 5, echo=lambda _line: None)
        db.session.commit()
        with pytest.raises(RuntimeError, match="the seed city exists already"):
            seed_city(db.session, 5, echo=lambda _line: None)
