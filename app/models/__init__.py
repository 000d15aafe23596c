"""Typed models, one module per area; importing this package registers them all."""

from app.models.admin import (
    Assignment,
    AssignmentCourse,
    AssignmentMember,
    AssignmentStats,
    CadreHoursStats,
    CourseMonthStats,
    ImportBatch,
    UnitCourseStats,
    UnitHoursStats,
    UnitMonthStats,
)
from app.models.audit import AuditEntry, AuditHead
from app.models.base import Base
from app.models.certificate import Certificate, CertificateRevocation
from app.models.course import (
    CURRENT_VERSION,
    EDITION_ORIGINS,
    EDITION_STATUSES,
    TRAINER_ROLES,
    Course,
    CourseBlob,
    CourseSearchDocument,
    CourseSourceFile,
    CourseTrainer,
    CourseVersion,
    Lesson,
    MediaFile,
)
from app.models.learning import CourseCompletion, Enrolment, LessonCompletion
from app.models.legal import CourseCitation, LegalDocument
from app.models.org import Scale, ScaleLevel, Title, Unit, UnitChange
from app.models.outage import DatabaseOutage
from app.models.profile import (
    AnnualRating,
    Cadre,
    DisciplineRecord,
    PlanningEntry,
    PositionRecord,
    QualificationRecord,
    TrainingRecord,
)
from app.models.quiz import AttemptAnswer, EssayMark, Question, Quiz, QuizAttempt
from app.models.requirements import (
    AppointmentDecision,
    DecisionOverride,
    RequirementRule,
    RequirementSet,
)
from app.models.user import LoginSession, PasswordReset, RecoveryCode, Role, User
from app.models.written import WrittenAssignment, WrittenMark, WrittenSubmission

__all__ = [
    "DatabaseOutage",
    "Certificate",
    "CertificateRevocation",
    "WrittenAssignment",
    "WrittenMark",
    "WrittenSubmission",
    "CURRENT_VERSION",
    "CourseCitation",
    "LegalDocument",
    "AnnualRating",
    "Assignment",
    "AssignmentCourse",
    "AssignmentMember",
    "ImportBatch",
    "AppointmentDecision",
    "AttemptAnswer",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Cadre",
    "DecisionOverride",
    "DisciplineRecord",
    "PlanningEntry",
    "PositionRecord",
    "QualificationRecord",
    "RequirementRule",
    "RequirementSet",
    "Scale",
    "ScaleLevel",
    "Title",
    "TrainingRecord",
    "Unit",
    "UnitChange",
    "UnitCourseStats",
    "UnitMonthStats",
    "CourseMonthStats",
    "UnitHoursStats",
    "CadreHoursStats",
    "AssignmentStats",
    "Course",
    "CourseCompletion",
    "CourseSearchDocument",
    "CourseTrainer",
    "TRAINER_ROLES",
    "CourseVersion",
    "CourseBlob",
    "CourseSourceFile",
    "EDITION_ORIGINS",
    "EDITION_STATUSES",
    "Enrolment",
    "Lesson",
    "LessonCompletion",
    "MediaFile",
    "Question",
    "EssayMark",
    "Quiz",
    "QuizAttempt",
    "LoginSession",
    "PasswordReset",
    "RecoveryCode",
    "Role",
    "User",
]
