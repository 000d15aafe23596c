"""The review cycle: course.md says when a course was last reviewed and how often it must be;
the teaching page and the admins' training review list the courses overdue or due soon."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.courses.review import add_months, review_due
from app.courses.source import course_folders, read_course
from app.extensions import db
from app.models import Course, CourseVersion
from tests.helpers import PASSWORD, write_course

ADMIN = "quantri@example.vn"
TRAINER = "gv@example.vn"


def reviewed_course(root, folder="khoa-hoc", *, code="KH-01", version="1.0", review=""):
    """A course whose course.md carries `review` (front matter lines) after its version."""
    path = write_course(root, folder, code=code, version=version)
    course_md = path / "course.md"
    text = course_md.read_text(encoding="utf-8")
    course_md.write_text(text.replace(f'version: "{version}"\n', f'version: "{version}"\n{review}'), "utf-8")
    return path


def test_the_review_fields_are_read(tmp_path):
    path = reviewed_course(tmp_path, review="reviewed_on: 2026-11-29\nreview_every_months: 6\n")
    source, problems = read_course(path)
    assert problems == []
    assert (source.reviewed_on, source.review_every_months) == (date(2026, 11, 29), 6)


def test_without_them_a_course_was_never_reviewed_and_is_checked_every_12_months(tmp_path):
    source, problems = read_course(reviewed_course(tmp_path))
    assert problems == []
    assert (source.reviewed_on, source.review_every_months) == (None, 12)


@pytest.mark.parametrize(
    ("review", "message"),
    [
        (
            'reviewed_on: "29/11/2026"\n',
            "course.md:8: reviewed_on '29/11/2026' is not a date written YYYY-MM-DD",
        ),
        ("reviewed_on: 2026-02-30\n", "course.md:8: front matter: '2026-02-30' is not a valid date"),
        ("reviewed_on: 2026\n", "course.md:8: reviewed_on '2026' is not a date written YYYY-MM-DD"),
        (
            "review_every_months: 0\n",
            "course.md:8: review_every_months must be a whole number of months from 1 to 120, not '0'",
        ),
        ("review_every_months: -3\n", "course.md:8: review_every_months must be a whole number of months"),
        (
            "reviewed_on: 2026-11-29\nreview_every_months: 1.5\n",
            "course.md:9: review_every_months must be a whole number",
        ),
        ("review_every_months: mười hai\n", "course.md:8: review_every_months must be a whole number"),
    ],
)
def test_a_bad_date_or_cycle_is_a_problem_at_its_line(tmp_path, review, message):
    source, problems = read_course(reviewed_course(tmp_path, review=review))
    assert source is None
    assert any(message in str(problem) for problem in problems), problems


def test_the_review_is_not_content_so_recording_one_keeps_the_edition(app, courses_root, import_folder):
    path = reviewed_course(courses_root)
    assert import_folder(path).status == "created"
    reviewed_course(courses_root, review="reviewed_on: 2026-11-29\nreview_every_months: 24\n")
    outcome = import_folder(path)
    assert outcome.status == "reviewed"  # same content, same label "1.0": no new edition needed
    assert import_folder(path).status == "unchanged"
    with app.app_context():
        versions = db.session.execute(
            select(CourseVersion.number, CourseVersion.reviewed_on, CourseVersion.review_every_months)
        ).all()
    assert versions == [(1, date(2026, 11, 29), 24)]


def test_months_are_added_calendar_wise():
    assert add_months(date(2026, 11, 29), 12) == date(2027, 11, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def _publish(courses_root, import_folder):
    """Four courses: overdue, due within 30 days, fine, and never reviewed."""
    courses = {
        "KH-CU": "reviewed_on: 2025-06-30\nreview_every_months: 12\n",  # due 30/06/2026
        "KH-SAP": "reviewed_on: 2025-12-15\nreview_every_months: 6\n",  # due 15/06/2026
        "KH-MOI": "reviewed_on: 2026-05-01\n",  # due 01/05/2027
        "KH-CHUA": "",
    }
    for code, review in courses.items():
        path = reviewed_course(courses_root, code.lower(), code=code, review=review)
        assert import_folder(path).status == "created"


def test_overdue_and_due_soon_courses_are_listed_with_one_query(
    app, courses_root, import_folder, clock, count_queries
):
    _publish(courses_root, import_folder)
    clock.set_today(date(2026, 6, 20))
    with app.app_context(), count_queries() as counter:
        due = review_due(db.session)
    assert len(counter.statements) == 1
    today = date(2026, 6, 20)
    assert [(r.code, r.due_on, r.overdue(today)) for r in due] == [
        ("KH-CHUA", None, True),
        ("KH-SAP", date(2026, 6, 15), True),
        ("KH-CU", date(2026, 6, 30), False),
    ]
    clock.set_today(date(2026, 5, 31))  # KH-CU is due in 30 days: listed; KH-SAP in 15
    with app.app_context():
        assert [r.code for r in review_due(db.session)] == ["KH-CHUA", "KH-SAP", "KH-CU"]
    clock.set_today(date(2026, 5, 16))  # KH-SAP due in 30 days: listed; KH-CU in 45: not yet
    with app.app_context():
        assert [r.code for r in review_due(db.session)] == ["KH-CHUA", "KH-SAP"]
    clock.set_today(date(2026, 5, 15))  # 31 days before KH-SAP is due: only the never reviewed
    with app.app_context():
        assert [r.code for r in review_due(db.session)] == ["KH-CHUA"]


def test_only_the_current_edition_counts(app, courses_root, import_folder, clock):
    path = reviewed_course(courses_root, review="reviewed_on: 2024-01-01\n")
    import_folder(path)
    (path / "01-mo-dau.md").write_text("# Mở đầu\n\nNội dung đã sửa.\n", encoding="utf-8")
    reviewed_course(courses_root, version="2.0", review="reviewed_on: 2026-06-01\n")
    (path / "01-mo-dau.md").write_text("# Mở đầu\n\nNội dung đã sửa.\n", encoding="utf-8")
    assert import_folder(path).status == "updated"
    clock.set_today(date(2026, 6, 20))
    with app.app_context():
        assert review_due(db.session) == []


def test_trainers_see_them_on_the_teaching_page(app, make, auth, client, courses_root, import_folder, clock):
    _publish(courses_root, import_folder)
    make.user(TRAINER, "trainer")
    for code in ("KH-CU", "KH-SAP", "KH-MOI", "KH-CHUA"):  # the trainer's courses
        make.course_trainer(TRAINER, code)
    clock.set_today(date(2026, 6, 20))
    auth.login(TRAINER)
    page = client.get("/teach/").get_data(as_text=True)
    section = page[
        page.index('id="review-due-title"') : page.index("</section>", page.index("review-due-title"))
    ]
    assert "Khoá học đến hạn rà soát" in page
    assert "Chưa từng rà soát" in section
    assert "Quá hạn từ 15/06/2026" in section and "rà soát lần cuối 15/12/2025, định kỳ 6 tháng" in section
    assert "Đến hạn ngày 30/06/2026" in section
    assert "KH-MOI" not in section


def test_admins_see_them_in_the_training_review(app, make, auth, client, courses_root, import_folder, clock):
    _publish(courses_root, import_folder)
    make.user(ADMIN, "admin")
    clock.set_today(date(2026, 6, 20))
    auth.login(ADMIN, PASSWORD)
    page = client.get("/review/").get_data(as_text=True)
    assert "Khoá học đến hạn rà soát" in page and "Quá hạn từ 15/06/2026" in page


def test_the_shipped_courses_state_their_review_and_pass_the_check(app):
    folders = course_folders(PROJECT_ROOT / "courses")
    assert len(folders) == 9
    for folder in folders:
        source, problems = read_course(folder)
        assert source is not None, problems
        assert (source.reviewed_on, source.review_every_months) == (date(2026, 11, 29), 12), folder
    result = app.test_cli_runner().invoke(
        args=["courses", "check", str(PROJECT_ROOT / "courses"), "--as-of", "2026-11-30"]
    )
    assert result.exit_code == 0, result.output


def test_a_course_without_a_review_date_is_due_at_once(app, courses_root, import_folder, clock):
    import_folder(reviewed_course(courses_root))
    clock.set_today(date(2026, 1, 1))
    with app.app_context():
        (due,) = review_due(db.session)
        course = db.session.scalar(select(Course))
    assert (due.code, due.reviewed_on, due.due_on) == (course.code, None, None)
