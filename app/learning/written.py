"""Written assignments (bài thu hoạch): a learner submits text and at most one PDF or DOCX, the
course's trainers mark it from a queue, and the course completes once the mark reaches the pass mark.

Submissions and marks are records: a resubmission is a new submission (the latest is the one
marked), a re-mark is a new mark (the latest counts). A re-mark is refused once the learner's course
is complete: the completion and the training record it made are evidence, corrected as such
(DOMAIN.md), not by marking again.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, undefer

from app import policy
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.learning import service
from app.learning.written_state import PASSED, AssignmentState, assignment_states, latest_mark
from app.models import (
    Course,
    CourseCompletion,
    CourseVersion,
    Lesson,
    User,
    WrittenAssignment,
    WrittenMark,
    WrittenSubmission,
)
from app.org import audit
from app.text import word_count
from app.trainers.service import require_marking

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def assignment_of_lesson(session: Session, lesson_id: int) -> WrittenAssignment:
    found = session.scalar(select(WrittenAssignment).where(WrittenAssignment.lesson_id == lesson_id))
    if found is None:
        raise NotFound(str(lesson_id))
    return found


def attachment_type(name: str, data: bytes) -> str:
    """The attachment's type, read from its bytes (not its name): a PDF, or a Word document (a zip
    holding word/document.xml). Raises ValidationFailed for anything else or anything too large."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_l("The file is larger than 5 MB."), field="attachment")
    if data.startswith(b"%PDF-"):
        return PDF
    if _is_docx(data):
        return DOCX
    raise ValidationFailed(_l("Attach a PDF or a Word (.docx) file."), field="attachment")


def _is_docx(data: bytes) -> bool:
    """A zip holding word/document.xml; a damaged zip is not one."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def safe_file_name(name: str) -> str:
    """The file's own name as the learner's device sent it, without folders or control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-255:] or "bai-thu-hoach"


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


def _check_text(assignment: WrittenAssignment, text: str, attachment: Attachment | None) -> int:
    words = word_count(text)
    if not words and attachment is None:
        raise ValidationFailed(_l("Write your assignment or attach a file."), field="text")
    if len(text) > MAX_TEXT_CHARS or (assignment.max_words and words > assignment.max_words):
        raise ValidationFailed(
            _l(
                "The text has %(words)s words; the limit is %(limit)s.",
                words=words,
                limit=assignment.max_words,
            ),
            field="text",
        )
    if attachment is not None and not assignment.attachments:
        raise ValidationFailed(_l("This assignment takes no attached file."), field="attachment")
    return words


def submit(
    session: Session,
    user: User,
    course: Course,
    version: CourseVersion,
    lesson: Lesson,
    text: str,
    attachment: Attachment | None = None,
) -> WrittenSubmission:
    """Record a submission of the learner; the lesson then counts as done (the course waits for the
    mark). Raises PermissionDenied when not enrolled, Conflict once the assignment is passed."""
    service.require_enrolment(session, user, course)
    assignment = assignment_of_lesson(session, lesson.id)
    state = assignment_states(session, user.id, course.id).get(lesson.slug, AssignmentState())
    if state.status == PASSED:
        raise Conflict(_l("This assignment is already passed."))
    text = text.strip()
    words = _check_text(assignment, text, attachment)
    submission = WrittenSubmission(
        user_id=user.id,
        course_id=course.id,
        assignment_id=assignment.id,
        slug=lesson.slug,
        text=text,
        words=words,
    )
    if attachment is not None:
        submission.attachment_type = attachment_type(attachment.name, attachment.data)
        submission.attachment_name = safe_file_name(attachment.name)
        submission.attachment_size = len(attachment.data)
        submission.attachment = attachment.data
    session.add(submission)
    session.flush()
    service.mark_lesson_complete(session, user, course, version, lesson)
    return submission


def my_submissions(session: Session, user: User, course: Course, slug: str) -> list[WrittenSubmission]:
    """The learner's submissions of one assignment, the latest first."""
    return list(
        session.scalars(
            select(WrittenSubmission)
            .where(
                WrittenSubmission.user_id == user.id,
                WrittenSubmission.course_id == course.id,
                WrittenSubmission.slug == slug,
            )
            .order_by(WrittenSubmission.id.desc())
        )
    )


@dataclass(frozen=True)
class QueueRow:
    submission: WrittenSubmission
    learner: User
    title: str  # the assignment lesson's title


def marking_queue(session: Session, actor, course: Course) -> list[QueueRow]:
    """Submissions of the course waiting to be marked (each learner's latest, not yet marked), the
    oldest first, in one query."""
    require_marking(session, actor, course.id)
    newer = aliased(WrittenSubmission)
    rows = session.execute(
        select(WrittenSubmission, User, Lesson.title)
        .join(User, User.id == WrittenSubmission.user_id)
        .join(WrittenAssignment, WrittenAssignment.id == WrittenSubmission.assignment_id)
        .join(Lesson, Lesson.id == WrittenAssignment.lesson_id)
        .where(
            WrittenSubmission.course_id == course.id,
            ~exists().where(WrittenMark.submission_id == WrittenSubmission.id),
            ~exists().where(
                newer.user_id == WrittenSubmission.user_id,
                newer.course_id == WrittenSubmission.course_id,
                newer.slug == WrittenSubmission.slug,
                newer.id > WrittenSubmission.id,
            ),
        )
        .order_by(WrittenSubmission.submitted_at, WrittenSubmission.id)
    ).all()
    return [QueueRow(submission, learner, title) for submission, learner, title in rows]


@dataclass(frozen=True)
class SubmissionView:
    submission: WrittenSubmission
    assignment: WrittenAssignment
    title: str
    marks: list[WrittenMark]  # every mark of it, the latest first
    is_latest: bool
    completed: bool  # the learner's course is complete: no more re-marking


def _load(session: Session, course: Course, submission_id: int, with_file: bool = False) -> WrittenSubmission:
    stmt = select(WrittenSubmission).where(
        WrittenSubmission.id == submission_id, WrittenSubmission.course_id == course.id
    )
    if with_file:
        stmt = stmt.options(undefer(WrittenSubmission.attachment))
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(str(submission_id))
    return found


def _is_latest(session: Session, submission: WrittenSubmission) -> bool:
    return not session.scalar(
        select(
            exists().where(
                WrittenSubmission.user_id == submission.user_id,
                WrittenSubmission.course_id == submission.course_id,
                WrittenSubmission.slug == submission.slug,
                WrittenSubmission.id > submission.id,
            )
        )
    )


def _completed(session: Session, user_id: int, course_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(CourseCompletion.user_id == user_id, CourseCompletion.course_id == course_id)
            )
        )
    )


def _audit(session: Session, actor, action: str, submission: WrittenSubmission, course: Course, **detail):
    audit.record(
        session,
        actor,
        action,
        "user",
        submission.user_id,
        unit_id=submission.user.unit_id,
        course=course.code,
        submission=submission.id,
        **detail,
    )


def submission_for_marking(session: Session, actor, course: Course, submission_id: int) -> SubmissionView:
    """A submission as its marker sees it (a view of a cadre's work: audited)."""
    require_marking(session, actor, course.id)
    submission = _load(session, course, submission_id)
    _audit(session, actor, "view_written_submission", submission, course)
    marks = list(
        session.scalars(
            select(WrittenMark)
            .where(WrittenMark.submission_id == submission.id)
            .order_by(WrittenMark.marked_at.desc(), WrittenMark.id.desc())
        )
    )
    return SubmissionView(
        submission,
        submission.assignment,
        submission.assignment.lesson.title,
        marks,
        _is_latest(session, submission),
        _completed(session, submission.user_id, course.id),
    )


def own_attachment(session: Session, user: User, submission_id: int) -> WrittenSubmission:
    """The learner's own submission with its file's bytes (NotFound without a file)."""
    submission = session.scalar(
        select(WrittenSubmission)
        .where(WrittenSubmission.id == submission_id)
        .options(undefer(WrittenSubmission.attachment))
    )
    if submission is None or submission.attachment is None:
        raise NotFound(str(submission_id))
    if not policy.owns(user, submission.user_id):
        raise PermissionDenied("not your submission")
    return submission


def attachment_response(submission: WrittenSubmission) -> Response:
    """The submission's file as a download, under its own name, never shown inline."""
    response = Response(submission.attachment, mimetype=submission.attachment_type)
    name = submission.attachment_name or "bai-thu-hoach"
    ascii_name = name.encode("ascii", "ignore").decode() or "bai-thu-hoach"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name.replace(chr(34), '')}\"; filename*=UTF-8''{quote(name)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def attachment_for_marking(session: Session, actor, course: Course, submission_id: int) -> WrittenSubmission:
    """The submission with its file's bytes, for its marker to download (audited)."""
    require_marking(session, actor, course.id)
    submission = _load(session, course, submission_id, with_file=True)
    if submission.attachment is None:
        raise NotFound(str(submission_id))
    _audit(session, actor, "download_written_submission", submission, course)
    return submission


def mark(
    session: Session, actor, course: Course, submission_id: int, marks: int, comment: str
) -> tuple[WrittenMark, CourseCompletion | None]:
    """Record a mark of the latest submission (a re-mark supersedes the mark before it); when it
    passes, the course may complete. Raises Conflict for an older submission or a completed course."""
    require_marking(session, actor, course.id)
    submission = _load(session, course, submission_id)
    assignment = submission.assignment
    if not _is_latest(session, submission):
        raise Conflict(_l("The learner has sent a newer version: mark that one."))
    if _completed(session, submission.user_id, course.id):
        raise Conflict(_l("The learner has completed the course: the mark can no longer be changed here."))
    if not 0 <= marks <= assignment.points:
        raise ValidationFailed(
            _l("Give a mark from 0 to %(points)s.", points=assignment.points), field="marks"
        )
    previous = latest_mark(session, submission.id)
    record = WrittenMark(
        submission_id=submission.id,
        marker_id=actor.id,
        marks=marks,
        points=assignment.points,
        passed=marks >= assignment.pass_mark,
        comment=comment.strip(),
    )
    session.add(record)
    session.flush()
    _audit(
        session,
        actor,
        "mark_written_submission",
        submission,
        course,
        marks=marks,
        remark=previous is not None,
    )
    completion = None
    if record.passed:
        course_row, version = service.get_course(session, course.code)
        learner = submission.user
        enrolment = service.get_enrolment(session, learner, course_row)
        if enrolment is not None:
            done = service.completed_slugs(session, enrolment)
            completion = service.complete_if_met(session, learner, course_row, version, done)
    return record, completion
