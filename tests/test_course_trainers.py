"""Courses have owners: an admin assigns each course's trainers (owners and editors) and its issuing
unit, within scope; a trainer sees the teaching pages, results and exports of their own courses only.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied
from app.extensions import db
from app.learning import service as learning
from app.models import CourseTrainer, User
from app.teach import service
from tests.helpers import seed_attempts

CITY_ADMIN = "qt@example.vn"
WARD_ADMIN = "qt.w@example.vn"  # ward W
TRAINER = "gv@example.vn"
OTHER_TRAINER = "gv2@example.vn"


@pytest.fixture
def town(make):
    """A city with wards W and V; a city admin, ward W's admin, two trainers, a learner; course
    KH-01 issued by ward W and KH-02 issued by ward V, neither with a trainer yet."""
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây", "ward", parent="HN")
    make.unit("P-V", "Phường Vọng", "ward", parent="HN")
    make.user(CITY_ADMIN, "admin", full_name="Lê Hoàng Nam")
    make.user(WARD_ADMIN, "admin", full_name="Phạm Thu Hà", unit="P-W")
    make.user(TRAINER, "trainer", full_name="Trần Văn Minh")
    make.user(OTHER_TRAINER, "trainer", full_name="Đặng Thị Hoa")
    make.user("hv@example.vn", "learner", full_name="Nguyễn Thị Lan")
    make.course(code="KH-01", title="Chuyển đổi số cơ bản")
    make.course("khoa-hai", code="KH-02", title="Kỹ năng lãnh đạo")
    make.course_issuer("KH-01", "P-W")
    make.course_issuer("KH-02", "P-V")


def _assignments(app, code: str) -> list[tuple[str, str, bool]]:
    with app.app_context():
        course, _version = learning.get_course(db.session, code)
        rows = db.session.execute(
            select(User.email, CourseTrainer.role, CourseTrainer.ended_at)
            .join(User, User.id == CourseTrainer.user_id)
            .where(CourseTrainer.course_id == course.id)
            .order_by(CourseTrainer.id)
        ).all()
        return [(email, role, ended is None) for email, role, ended in rows]


def _add(auth, code: str, email: str, role: str = "owner"):
    path = f"/teach/courses/{code}/trainers"
    return auth.post(path, {"email": email, "role": role}, token_from=path)


@pytest.mark.usefixtures("town")
def test_an_admin_assigns_a_trainer_who_then_sees_the_course(app, auth, client):
    auth.login(CITY_ADMIN)
    course_page = client.get("/teach/courses/KH-01").get_data(as_text=True)
    assert "Giảng viên và đơn vị ban hành" in course_page and "chưa phân công" in course_page
    page = client.get("/teach/courses/KH-01/trainers").get_data(as_text=True)
    assert "Khoá học này chưa được phân công giảng viên." in page and "Phường Tây" in page

    response = _add(auth, "KH-01", TRAINER)
    assert response.status_code == 302
    page = client.get("/teach/courses/KH-01/trainers").get_data(as_text=True)
    assert "Trần Văn Minh" in page and "Phụ trách" in page and "Lê Hoàng Nam" in page
    assert _assignments(app, "KH-01") == [(TRAINER, "owner", True)]
    auth.logout()

    auth.login(TRAINER)
    teaching = client.get("/teach/").get_data(as_text=True)
    assert "Chuyển đổi số cơ bản" in teaching and "Kỹ năng lãnh đạo" not in teaching
    assert client.get("/teach/courses/KH-01").status_code == 200
    assert client.get("/teach/courses/KH-01/trainers").status_code == 403  # admins assign
    assert client.get("/teach/courses/KH-02").status_code == 403


@pytest.mark.usefixtures("town")
def test_removing_a_trainer_keeps_the_assignment_on_record(app, make, auth, client):
    make.course_trainer(TRAINER, "KH-01")
    auth.login(CITY_ADMIN)
    with app.app_context():
        course, _version = learning.get_course(db.session, "KH-01")
        assignment = db.session.scalar(select(CourseTrainer.id).where(CourseTrainer.course_id == course.id))
    path = "/teach/courses/KH-01/trainers"
    response = auth.post(f"{path}/{assignment}/end", {}, token_from=path)
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Các lần phân công trước" in page and "Trần Văn Minh" in page
    assert "Khoá học này chưa được phân công giảng viên." in page
    assert _assignments(app, "KH-01") == [(TRAINER, "owner", False)]  # ended, not deleted
    with app.app_context():
        row = db.session.get(CourseTrainer, assignment)
        admin = db.session.scalar(select(User.id).where(User.email == CITY_ADMIN))
        assert row.ended_by_id == admin and row.ended_at is not None
    auth.logout()
    auth.login(TRAINER)
    assert "Chuyển đổi số cơ bản" not in client.get("/teach/").get_data(as_text=True)
    assert client.get("/teach/courses/KH-01").status_code == 403


@pytest.mark.usefixtures("town")
def test_a_new_role_ends_the_old_assignment_and_only_trainers_can_be_assigned(app, make, auth, client):
    make.course_trainer(TRAINER, "KH-01")
    auth.login(CITY_ADMIN)
    assert _add(auth, "KH-01", TRAINER, "editor").status_code == 302
    assert _assignments(app, "KH-01") == [(TRAINER, "owner", False), (TRAINER, "editor", True)]
    again = _add(auth, "KH-01", TRAINER, "editor")
    assert again.status_code == 400
    assert "Giảng viên này đã có vai trò này trong khoá học." in again.get_data(as_text=True)
    learner = _add(auth, "KH-01", "hv@example.vn")
    assert learner.status_code == 400
    assert "Không có tài khoản giảng viên nào có thư điện tử «hv@example.vn»." in learner.get_data(
        as_text=True
    )
    assert len(_assignments(app, "KH-01")) == 2


@pytest.mark.usefixtures("town")
def test_a_unit_admin_manages_only_courses_issued_in_its_units(app, auth, client):
    auth.login(WARD_ADMIN)
    teaching = client.get("/teach/").get_data(as_text=True)
    assert "Chuyển đổi số cơ bản" in teaching and "Kỹ năng lãnh đạo" not in teaching
    assert client.get("/teach/courses/KH-01/trainers").status_code == 200
    assert client.get("/teach/courses/KH-02/trainers").status_code == 403
    assert client.get("/teach/courses/KH-02").status_code == 403
    assert _add(auth, "KH-02", TRAINER).status_code == 403
    assert _assignments(app, "KH-02") == []
    assert _add(auth, "KH-01", TRAINER).status_code == 302

    path = "/teach/courses/KH-01/trainers"
    outside = auth.post("/teach/courses/KH-01/issuer", {"unit_code": "P-V"}, token_from=path)
    assert outside.status_code == 400 and "nằm ngoài" in outside.get_data(as_text=True)
    empty = auth.post("/teach/courses/KH-01/issuer", {"unit_code": ""}, token_from=path)
    assert empty.status_code == 400
    assert "Chỉ quản trị viên cấp thành phố" in empty.get_data(as_text=True)
    with app.app_context():
        course, _version = learning.get_course(db.session, "KH-01")
        assert course.issuing_unit_id is not None
    auth.logout()

    auth.login(CITY_ADMIN)
    moved = auth.post("/teach/courses/KH-01/issuer", {"unit_code": "P-V"}, token_from=path)
    assert moved.status_code == 302
    auth.logout()
    auth.login(WARD_ADMIN)
    assert client.get(path).status_code == 403  # now issued by ward V


@pytest.mark.usefixtures("town")
def test_another_trainers_results_exports_and_item_analysis_are_refused(
    app, make, auth, client, courses_root, import_folder
):
    seed_attempts(app, courses_root, import_folder)  # course DE, with a quiz and nine attempts
    make.course_trainer(TRAINER, "DE")
    make.course_trainer(OTHER_TRAINER, "KH-01")
    pages = (
        "/teach/courses/DE",
        "/teach/courses/DE/learners",
        "/teach/courses/DE/learners.csv",
        "/teach/courses/DE/quizzes/de",
        "/teach/courses/DE/quizzes/de/items.csv",
    )
    auth.login(OTHER_TRAINER)
    assert [client.get(p).status_code for p in pages] == [403] * 5
    assert 'href="/teach/courses/DE"' not in client.get("/teach/").get_data(as_text=True)
    auth.logout()
    auth.login(TRAINER)
    assert [client.get(p).status_code for p in pages] == [200] * 5
    with app.app_context():  # the services ask the policy too
        other = db.session.scalar(select(User).where(User.email == OTHER_TRAINER))
        course, _version = learning.get_course(db.session, "DE")
        with pytest.raises(PermissionDenied):
            service.quiz_results(db.session, other, course, "de")
        with pytest.raises(PermissionDenied):
            service.item_analysis(db.session, other, course, "de", {})


@pytest.mark.usefixtures("town")
def test_the_audit_log_shows_who_assigned_and_removed_whom(app, auth, client):
    auth.login(CITY_ADMIN)
    _add(auth, "KH-01", TRAINER)
    with app.app_context():
        assignment = db.session.scalar(select(CourseTrainer.id))
    path = "/teach/courses/KH-01/trainers"
    auth.post(f"{path}/{assignment}/end", {}, token_from=path)
    auth.post("/teach/courses/KH-01/issuer", {"unit_code": "HN"}, token_from=path)
    log = client.get("/audit/").get_data(as_text=True)
    for words in (
        "Phân công giảng viên cho khoá học",
        "Gỡ giảng viên khỏi khoá học",
        "Xác định đơn vị ban hành khoá học",
    ):
        assert words in log, words
    assert f"KH-01 · {TRAINER}" in log and "Lê Hoàng Nam (qt@example.vn)" in log


def test_the_teaching_index_costs_the_same_queries_however_many_courses(make, auth, client, count_queries):
    make.user(TRAINER, "trainer")
    make.user(OTHER_TRAINER, "trainer")
    make.course(code="KH-01")
    make.course_trainer(TRAINER, "KH-01")
    auth.login(TRAINER)
    with count_queries() as one:
        assert client.get("/teach/").status_code == 200
    for n in range(2, 6):
        make.course(f"khoa-{n}", code=f"KH-0{n}", title=f"Khoá số {n}")
        make.course_trainer(TRAINER if n % 2 else OTHER_TRAINER, f"KH-0{n}")
    with count_queries() as five:
        page = client.get("/teach/").get_data(as_text=True)
    assert "Khoá số 3" in page and "Khoá số 5" in page and "Khoá số 2" not in page
    assert len(five.statements) == len(one.statements)


def test_a_trainer_without_courses_is_told_how_to_get_one(make, auth, client):
    make.user(TRAINER, "trainer")
    make.course(code="KH-01")
    auth.login(TRAINER)
    page = client.get("/teach/").get_data(as_text=True)
    assert "Bạn chưa được phân công khoá học nào" in page


def test_the_demo_trainer_owns_the_shipped_courses(app, make):
    make.course(code="KH-01")
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code == 0, result.output
    assert "the demo trainer owns KH-01" in result.output
    assert _assignments(app, "KH-01") == [("giangvien@demo.boiduong.vn", "owner", True)]
    again = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert "owns" not in again.output and len(_assignments(app, "KH-01")) == 1
