"""Typed models, one module per area; importing this package registers them all."""

from app.models.base import Base
from app.models.course import Course, CourseVersion, Lesson, MediaFile
from app.models.learning import CourseCompletion, Enrolment, LessonCompletion
from app.models.quiz import AttemptAnswer, Question, Quiz, QuizAttempt
from app.models.user import Role, User

__all__ = [
    "AttemptAnswer",
    "Base",
    "Course",
    "CourseCompletion",
    "CourseVersion",
    "Enrolment",
    "Lesson",
    "LessonCompletion",
    "MediaFile",
    "Question",
    "Quiz",
    "QuizAttempt",
    "Role",
    "User",
]
