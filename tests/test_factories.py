"""The factories make rows the app accepts as its own: one of each kind, the audit chain whole and
the counters equal to a rebuild."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import (
    AppointmentDecision,
    Assignment,
    AssignmentMember,
    AuditEntry,
    Cadre,
    Course,
    CourseVersion,
    DisciplineRecord,
    Enrolment,
    ImportBatch,
    Lesson,
    PlanningEntry,
    PositionRecord,
    QualificationRecord,
    QuizAttempt,
    RequirementRule,
    RequirementSet,
    TrainingRecord,
    Unit,
    UnitHoursStats,
    User,
)
from app.org import audit
from app.stats import rollups


def test_one_of_each(app, make):
    city = make.unit("HN", "Thành phố Hà Nội", "city")
    ward = make.unit("P-W", "Phường Tây", parent="HN")
    learner = make.user("hv@example.vn", unit="P-W")
    cadre = make.cadre("W-001", unit="P-W", user=learner)
    course = make.course()
    quiz_course = make.quiz_course()
    enrolment = make.enrolment(learner, "KH-01")
    attempt = make.attempt(learner, "KT-01", "kiem-tra")
    rows = {
        TrainingRecord: make.training(cadre, hours=12, category="digital-skills"),
        QualificationRecord: make.qualification(cadre, "political-theory", "intermediate"),
        DisciplineRecord: make.discipline(cadre),
        PositionRecord: make.position(cadre),
        PlanningEntry: make.planning(cadre, unit="P-W"),
        RequirementSet: make.requirement_set("division-head"),
        AppointmentDecision: make.decision(cadre, effective_on=date(2026, 12, 1)),
        ImportBatch: make.import_batch(),
        AuditEntry: make.audit_entry("view_profile", "cadre", cadre, actor=learner, unit="P-W"),
        Assignment: make.assignment(courses=("KH-01",), unit="P-W"),
    }
    with app.app_context():
        session = db.session
        assert session.get(Unit, ward).parent_id == city and session.get(Unit, ward).path.startswith("/")
        assert session.get(Cadre, cadre).user_id == learner
        assert (session.get(Course, course).code, session.get(Course, quiz_course).code) == ("KH-01", "KT-01")
        version = session.scalar(select(CourseVersion).where(CourseVersion.course_id == course))
        assert len(session.scalars(select(Lesson).where(Lesson.course_version_id == version.id)).all()) == 3
        assert session.get(Enrolment, enrolment).course_id == course
        assert session.get(QuizAttempt, attempt).status == "open"
        for model, row_id in rows.items():
            assert session.get(model, row_id) is not None, model.__name__
        assert session.get(RequirementSet, rows[RequirementSet]).rules[0].kind == "qualification"
        assert session.scalar(select(RequirementRule.set_id)) == rows[RequirementSet]
        assert session.get(AppointmentDecision, rows[AppointmentDecision]).status == "approved"  # rule met
        assert session.scalar(select(AssignmentMember.cadre_id)) == cadre
        assert session.get(User, make.admin()).can_override
        assert audit.verify(session).ok
        counted = sorted(session.execute(select(UnitHoursStats.__table__)))
        assert counted == [(ward, 2025, "digital-skills", 12)]
        rollups.rebuild_hours(session)
        assert sorted(session.execute(select(UnitHoursStats.__table__))) == counted
