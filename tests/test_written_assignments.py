"""Written assignments (bài thu hoạch): the course format, a learner's submission with text and a
file, the trainers' marking queue and marks, and the course completing on a passing mark."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.courses.source import read_course
from app.extensions import db
from app.models import AuditEntry, CourseCompletion, TrainingRecord, WrittenMark, WrittenSubmission
from tests.helpers import csrf_token, write_course
from tests.written_data import PDF
from tests.written_data import WRITTEN_LESSON as LESSON
from tests.written_data import WRITTEN_LESSONS as LESSONS


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def setup(make, auth):
    """Course KH-01 (a lesson, then an assignment) taught by gv@; a learner enrolled and logged in."""
    make.course(lessons=LESSONS)
    learner = make.user()
    trainer = make.user("gv@example.vn", "trainer", full_name="Giảng Viên Một")
    make.course_trainer(trainer, "KH-01")
    make.enrolment(learner)
    auth.login()
    return {"learner": learner, "trainer": trainer}


def _submit(auth, text="Đơn vị tôi số hoá hồ sơ một cửa.", file=None, name="bai.pdf"):
    data = {"text": text}
    if file is not None:
        data["attachment"] = (io.BytesIO(file), name)
    return auth.post(f"{LESSON}/submit", data, token_from=LESSON, content_type="multipart/form-data")


def _mark(auth, submission_id, marks, comment="Đạt yêu cầu."):
    path = f"/teach/courses/KH-01/marking/{submission_id}"
    return auth.post(path, {"marks": marks, "comment": comment}, token_from=path)


def _submissions(app):
    with app.app_context():
        stmt = select(WrittenSubmission).options(undefer(WrittenSubmission.attachment))
        return list(db.session.scalars(stmt.order_by(WrittenSubmission.id)))


# --- the course format --------------------------------------------------------------------------


def test_an_assignment_lesson_is_checked_with_its_file_and_line(tmp_path):
    bad = "---\nassignment:\n  points: 10\n  pass_mark: 12\n  colour: red\n---\n# Bài thu hoạch\n\nViết.\n"
    folder = write_course(tmp_path, lessons={"01-mo-dau.md": "# Mở đầu\n\nA.\n", "02-bai.md": bad})
    course, problems = read_course(folder)
    assert course is None
    found = {(p.path.rsplit("/", 1)[-1], p.line, p.message) for p in problems}
    assert ("02-bai.md", 4, "'pass_mark' must be a whole number from 0 to 10") in found
    assert any(name == "02-bai.md" and line == 5 and "colour" in message for name, line, message in found)


def test_a_good_assignment_reads_as_a_lesson_of_kind_assignment(tmp_path):
    course, problems = read_course(write_course(tmp_path, lessons=LESSONS))
    assert not [p for p in problems if p.is_error]
    lesson = course.lessons[1]
    assert lesson.kind == "assignment"
    assert (lesson.assignment.points, lesson.assignment.pass_mark, lesson.assignment.max_words) == (10, 5, 50)
    assert lesson.assignment.attachments is True


# --- the learner -------------------------------------------------------------------------------


def test_the_learner_submits_text_and_sees_it_waiting(app, auth, client, setup):
    page = client.get(LESSON).get_data(as_text=True)
    assert "Viết về một việc" in page and 'name="text"' in page
    response = _submit(auth)
    assert response.status_code == 303
    page = client.get(LESSON).get_data(as_text=True)
    assert "Chờ chấm" in page or "Waiting to be marked" in page
    (submission,) = _submissions(app)
    assert submission.words == 9 and submission.attachment is None


def test_a_pdf_and_a_docx_are_kept_in_the_database(app, auth, setup):
    assert _submit(auth, file=PDF).status_code == 303
    assert _submit(auth, text="", file=_docx(), name="bai.docx").status_code == 303
    first, second = _submissions(app)
    assert (first.attachment_type, first.attachment) == ("application/pdf", PDF)
    assert (
        second.attachment_type.endswith("wordprocessingml.document") and second.attachment_name == "bai.docx"
    )


@pytest.mark.parametrize(
    "content", [b"<html>not a pdf</html>", b"PK\x03\x04 broken zip", b"MZ\x90\x00 an .exe named .pdf"]
)
def test_a_file_that_is_not_a_pdf_or_docx_is_refused(app, auth, setup, content):
    response = _submit(auth, file=content, name="bai.pdf")
    assert response.status_code == 400
    assert "PDF" in response.get_data(as_text=True)
    assert _submissions(app) == []


def test_too_many_words_are_refused_and_the_text_is_kept(app, auth, setup):
    text = " ".join(["chữ"] * 51)
    response = _submit(auth, text=text)
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)
    assert _submissions(app) == []


def test_a_learner_not_enrolled_cannot_submit(app, make, auth, client, setup):
    make.user("hv2@example.vn")
    auth.logout()
    auth.login("hv2@example.vn")
    response = auth.post(f"{LESSON}/submit", {"text": "Bài viết."}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert _submissions(app) == []


# --- the trainer -------------------------------------------------------------------------------


def _as_trainer(auth, email="gv@example.vn"):
    auth.logout()
    auth.login(email)


def test_the_queue_lists_the_latest_unmarked_oldest_first_in_constant_queries(
    app, make, auth, client, clock, setup, count_queries
):
    clock.set_now(date(2026, 3, 1))
    _submit(auth)
    _as_trainer(auth)
    with count_queries() as one:
        page = client.get("/teach/courses/KH-01/marking").get_data(as_text=True)
    assert "Nguyễn Văn An" in page
    for n in range(3):
        email = f"hv{n}@example.vn"
        make.user(email, full_name=f"Học Viên {n}")
        make.enrolment(_user_id(app, email))
        auth.logout()
        clock.set_now(date(2026, 3, n + 2))  # (a day later: log in again)
        auth.login(email)
        _submit(auth)
        _submit(auth, text="Bản sửa lại.")  # a resubmission: one row in the queue, the latest
    auth.logout()
    auth.login("gv@example.vn")
    with count_queries() as many:
        page = client.get("/teach/courses/KH-01/marking").get_data(as_text=True)
    assert many.count == one.count
    assert page.count("/teach/courses/KH-01/marking/") == 4
    assert page.index("Nguyễn Văn An") < page.index("Học Viên 0") < page.index("Học Viên 2")


def _user_id(app, email):
    from app.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_only_the_course_trainers_mark(app, make, auth, client, setup):
    _submit(auth)
    (submission,) = _submissions(app)
    make.user("gv2@example.vn", "trainer")
    _as_trainer(auth, "gv2@example.vn")
    assert client.get("/teach/courses/KH-01/marking").status_code == 403
    assert client.get(f"/teach/courses/KH-01/marking/{submission.id}").status_code == 403
    assert _mark(auth, submission.id, 9).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(WrittenMark.id))) == 0


def test_a_remark_supersedes_and_the_course_completes_after_a_passing_mark(app, auth, client, setup):
    _submit(auth, file=PDF)
    (submission,) = _submissions(app)
    _as_trainer(auth)
    page = client.get(f"/teach/courses/KH-01/marking/{submission.id}").get_data(as_text=True)
    assert "Đơn vị tôi số hoá" in page
    assert _mark(auth, submission.id, 3, "Cần bổ sung ví dụ.").status_code == 303
    assert _mark(auth, submission.id, 4, "Vẫn thiếu.").status_code == 303
    with app.app_context():
        marks = list(db.session.scalars(select(WrittenMark).order_by(WrittenMark.id)))
        assert [m.marks for m in marks] == [3, 4] and not any(m.passed for m in marks)
        assert db.session.scalar(select(func.count(CourseCompletion.id))) == 0  # not before a pass
    auth.logout()
    auth.login()
    client.post(
        "/courses/KH-01/lessons/mo-dau/complete",
        data={"csrf_token": csrf_token(client, LESSON)},
    )
    page = client.get(LESSON).get_data(as_text=True)
    assert "Vẫn thiếu." in page and "4 / 10" in page
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(CourseCompletion.id))) == 0
        )  # every lesson done, not passed
    _as_trainer(auth)
    assert _mark(auth, submission.id, 7, "Đạt.").status_code == 303
    with app.app_context():
        completion = db.session.scalar(select(CourseCompletion))
        assert completion is not None and completion.user_id == setup["learner"]
    # once complete, a re-mark is refused: the completion and its record are evidence
    assert _mark(auth, submission.id, 2).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(WrittenMark.id))) == 3
    auth.logout()
    auth.login()
    page = client.get("/courses/KH-01").get_data(as_text=True)
    assert "Đã hoàn thành" in page


def test_the_attachment_downloads_as_an_attachment(app, auth, client, setup):
    _submit(auth, file=PDF, name="Bài thu hoạch.pdf")
    (submission,) = _submissions(app)
    _as_trainer(auth)
    response = client.get(f"/teach/courses/KH-01/marking/{submission.id}/file")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_learner_downloads_their_own_file_and_nobody_else_does(app, make, auth, client, setup):
    _submit(auth, file=PDF, name="Bài thu hoạch.pdf")
    (submission,) = _submissions(app)
    page = client.get(LESSON).get_data(as_text=True)
    assert f'href="/submissions/{submission.id}/file"' in page and "Bài thu hoạch.pdf" in page
    response = client.get(f"/submissions/{submission.id}/file")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "UTF-8''B%C3%A0i%20thu%20ho%E1%BA%A1ch.pdf" in response.headers["Content-Disposition"]
    make.user("hv2@example.vn")
    auth.logout()
    auth.login("hv2@example.vn")
    assert client.get(f"/submissions/{submission.id}/file").status_code == 403
    assert client.get(f"/submissions/{submission.id + 1}/file").status_code == 404


def test_viewing_a_submission_and_its_file_is_audited(app, auth, client, setup):
    _submit(auth, file=PDF)
    (submission,) = _submissions(app)
    _as_trainer(auth)
    client.get(f"/teach/courses/KH-01/marking/{submission.id}")
    client.get(f"/teach/courses/KH-01/marking/{submission.id}/file")
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.like("%written_submission"))
                .order_by(AuditEntry.seq)
            )
        )
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("view_written_submission", setup["trainer"], setup["learner"]),
        ("download_written_submission", setup["trainer"], setup["learner"]),
    ]


def test_a_passing_mark_enters_the_training_record(app, make, auth, client, setup):
    make.cadre(user=setup["learner"])
    client.post(
        "/courses/KH-01/lessons/mo-dau/complete",
        data={"csrf_token": csrf_token(client, LESSON)},
    )
    _submit(auth)
    (submission,) = _submissions(app)
    _as_trainer(auth)
    _mark(auth, submission.id, 5)
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingRecord.id))) == 1


# --- the migration -----------------------------------------------------------------------------


def test_the_migration_adds_and_removes_the_assignment_tables(app, courses_root, import_folder):
    """0018 adds the tables of assignments, submissions and marks to a database with courses in it,
    and takes them away again, on SQLite and PostgreSQL."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    assert import_folder(write_course(courses_root)).status == "created"
    tables = {"written_assignments", "written_submissions", "written_marks"}
    with app.app_context():
        downgrade(revision="0017_course_editions")
        db.session.remove()
        assert not tables & set(inspect(db.engine).get_table_names())
        upgrade()
        db.session.remove()
        assert tables <= set(inspect(db.engine).get_table_names())
        assert db.session.scalar(select(func.count(WrittenSubmission.id))) == 0


def test_the_file_name_keeps_no_folders_or_control_characters():
    from app.learning.written import safe_file_name

    assert safe_file_name("C:\\Users\\An\\Bài thu hoạch.pdf") == "Bài thu hoạch.pdf"
    assert safe_file_name("../../etc/passwd\r\nX-Evil: 1") == "passwdX-Evil: 1"
    assert safe_file_name("\n") == "bai-thu-hoach"


def test_a_passed_assignment_takes_no_new_submission(app, auth, client, setup):
    _submit(auth)
    (submission,) = _submissions(app)
    _as_trainer(auth)
    _mark(auth, submission.id, 9)
    auth.logout()
    auth.login()
    assert 'name="text"' not in client.get(LESSON).get_data(as_text=True)
    response = auth.post(f"{LESSON}/submit", {"text": "Lần nữa."}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert len(_submissions(app)) == 1


def test_a_learner_revising_a_submission_starts_from_the_text_sent_last(client, auth, setup):
    """Sending a new version before the mark starts from the last text, not from an empty box."""
    assert _submit(auth, text="Bản đầu: số hoá hồ sơ một cửa của phường.").status_code == 303
    page = client.get(LESSON).get_data(as_text=True)
    assert "Bản đầu: số hoá hồ sơ một cửa của phường.</textarea>" in page
