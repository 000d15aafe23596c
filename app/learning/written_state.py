"""Where a learner stands on a course's written assignments: read only, in two queries.

The latest submission of each assignment is the one that counts, and the latest mark of it: a
resubmission before marking waits again, a re-mark supersedes the mark before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.labels import register
from app.models import CourseVersion, WrittenAssignment, WrittenMark, WrittenSubmission

NOT_SUBMITTED = "not_submitted"
WAITING = "waiting"
PASSED = "passed"
FAILED = "failed"

register(
    "written_status",
    {
        NOT_SUBMITTED: _l("Not submitted"),
        WAITING: _l("Waiting to be marked"),
        PASSED: _l("Passed"),
        FAILED: _l("Not passed"),
    },
)


@dataclass(frozen=True)
class AssignmentState:
    submission: WrittenSubmission | None = None
    mark: WrittenMark | None = None

    @property
    def status(self) -> str:
        if self.submission is None:
            return NOT_SUBMITTED
        if self.mark is None:
            return WAITING
        return PASSED if self.mark.passed else FAILED

    @property
    def passed(self) -> bool:
        return self.status == PASSED


def assignments_of(session: Session, version: CourseVersion) -> list[WrittenAssignment]:
    return list(
        session.scalars(select(WrittenAssignment).where(WrittenAssignment.course_version_id == version.id))
    )


def latest_mark(session: Session, submission_id: int) -> WrittenMark | None:
    return session.scalar(
        select(WrittenMark)
        .where(WrittenMark.submission_id == submission_id)
        .order_by(WrittenMark.marked_at.desc(), WrittenMark.id.desc())
        .limit(1)
    )


def assignment_states(session: Session, user_id: int, course_id: int) -> dict[str, AssignmentState]:
    """Each assignment slug of the course the learner submitted -> its latest submission and mark."""
    latest = (
        select(func.max(WrittenSubmission.id))
        .where(WrittenSubmission.user_id == user_id, WrittenSubmission.course_id == course_id)
        .group_by(WrittenSubmission.slug)
    )
    submissions = list(session.scalars(select(WrittenSubmission).where(WrittenSubmission.id.in_(latest))))
    if not submissions:
        return {}
    marks: dict[int, WrittenMark] = {}
    for mark in session.scalars(
        select(WrittenMark)
        .where(WrittenMark.submission_id.in_([s.id for s in submissions]))
        .order_by(WrittenMark.marked_at, WrittenMark.id)
    ):
        marks[mark.submission_id] = mark  # the latest one stays
    return {s.slug: AssignmentState(s, marks.get(s.id)) for s in submissions}
