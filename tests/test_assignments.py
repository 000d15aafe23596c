"""An assignment's page (members, progress, who is overdue), its edit and its cancellation, within
the admin's units; and the new-assignment form's target fields."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.clock import local_today
from app.extensions import db
from app.learning import service as learning
from app.models import Assignment, AuditEntry, User
from tests.helpers import PASSWORD

WARD_ADMIN = "qt.w@example.vn"
OTHER_WARD_ADMIN = "qt.v@example.vn"
CITY_ADMIN = "qt@example.vn"


def _complete(app, user: int, code: str) -> None:
    """The learner enrols in the course and completes every lesson of it."""
    with app.app_context():
        account = db.session.get(User, user)
        course, version = learning.get_course(db.session, code)
        learning.enrol(db.session, account, course)
        for lesson in learning.lessons_of(db.session, version):
            learning.mark_lesson_complete(db.session, account, course, version, lesson)
        db.session.commit()


@pytest.fixture
def ward(app, make):
    """Two wards; in ward W an assignment of two courses to the ward: Lan completed both, Minh
    started one, Hoa (no account) nothing."""
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây", "ward", parent="HN")
    make.unit("P-V", "Phường Vọng", "ward", parent="HN")
    make.course("a", code="KH-01", title="Chuyển đổi số cơ bản")
    make.course("b", code="KH-02", title="An toàn thông tin")
    make.user(WARD_ADMIN, "admin", PASSWORD, "Quản trị Tây", unit="P-W")
    make.user(OTHER_WARD_ADMIN, "admin", PASSWORD, "Quản trị Vọng", unit="P-V")
    city = make.user(CITY_ADMIN, "admin", PASSWORD, "Quản trị thành phố")
    lan = make.user("lan@example.vn")
    minh = make.user("minh@example.vn")
    make.cadre("W-001", "Lê Thị Lan", unit="P-W", user=lan)
    make.cadre("W-002", "Trần Văn Minh", unit="P-W", user=minh)
    make.cadre("W-003", "Phạm Thị Hoa", unit="P-W")
    make.cadre("V-001", "Ngô Văn Vọng", unit="P-V")
    _complete(app, lan, "KH-01")
    _complete(app, lan, "KH-02")
    make.enrolment(minh, "KH-01")
    assignment = make.assignment(
        "Bồi dưỡng chuyển đổi số", ("KH-01", "KH-02"), unit="P-W", due_on=date(2030, 12, 31), actor=city
    )
    return {"assignment": assignment, "lan": lan, "minh": minh}


def _past_due(app, assignment: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Assignment)
            .where(Assignment.id == assignment)
            .values(due_on=local_today() - timedelta(days=1))
        )
        db.session.commit()


def test_the_assignment_page_shows_each_members_progress_and_who_is_overdue(app, ward, auth, client):
    auth.login(WARD_ADMIN)
    url = f"/review/assignments/{ward['assignment']}"
    assert url in client.get("/review/assignments").get_data(as_text=True)  # linked from the list
    html = client.get(url).get_data(as_text=True)
    for name in ("Lê Thị Lan", "Trần Văn Minh", "Phạm Thị Hoa", "W-003", "An toàn thông tin", "KH-01"):
        assert name in html
    assert "Ngô Văn Vọng" not in html
    assert "2/2" in html and "0/2" in html
    assert "(3)" in html  # all
    assert "fail" not in html  # not yet due
    assert client.get(url, query_string={"show": "overdue"}).get_data(as_text=True).count("W-00") == 0

    _past_due(app, ward["assignment"])
    overdue = client.get(url, query_string={"show": "overdue"}).get_data(as_text=True)
    assert "Trần Văn Minh" in overdue and "Phạm Thị Hoa" in overdue and "Lê Thị Lan" not in overdue
    started = client.get(url, query_string={"show": "in_progress"}).get_data(as_text=True)
    assert "Trần Văn Minh" in started and "Phạm Thị Hoa" not in started
    csv = client.get(url + "/overdue.csv").get_data(as_text=True)
    assert "W-002" in csv and "W-003" in csv and "W-001" not in csv
    with app.app_context():
        actions = set(
            db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "assignment"))
        )
    assert {"view_assignment_members", "export"} <= actions


def test_the_assignment_page_reads_a_constant_number_of_queries(app, make, ward, auth, client, count_queries):
    auth.login(WARD_ADMIN)
    url = f"/review/assignments/{ward['assignment']}"
    with count_queries() as few:
        client.get(url)
    for n in range(4, 12):
        user = make.user(f"hv{n}@example.vn")
        make.cadre(f"W-{n:03d}", f"Cán bộ Số {n}", unit="P-W", user=user)
        make.enrolment(user, "KH-02")
    with app.app_context():  # the new cadres join the assignment as the import would add them
        from app.models import AssignmentMember, Cadre
        from app.stats.rollups import rebuild_assignment_stats

        for cadre_id in db.session.scalars(select(Cadre.id).where(Cadre.employee_code.like("W-0%"))):
            if not db.session.scalar(
                select(AssignmentMember.id).where(
                    AssignmentMember.assignment_id == ward["assignment"],
                    AssignmentMember.cadre_id == cadre_id,
                )
            ):
                db.session.add(AssignmentMember(assignment_id=ward["assignment"], cadre_id=cadre_id))
        db.session.flush()
        rebuild_assignment_stats(db.session)
        db.session.commit()
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert "Cán bộ Số 11" in html
    assert many.count == few.count


def test_edit_changes_name_due_date_and_courses_and_records_who(app, ward, auth, client):
    auth.login(WARD_ADMIN)
    url = f"/review/assignments/{ward['assignment']}"
    form = client.get(url + "/edit").get_data(as_text=True)
    assert "Bồi dưỡng chuyển đổi số" in form
    due = (local_today() + timedelta(days=60)).isoformat()
    response = auth.post(
        url + "/edit",
        {"name": "Bồi dưỡng chuyển đổi số 2027", "courses": ["KH-02"], "due_on": due},
        token_from=url + "/edit",
    )
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Bồi dưỡng chuyển đổi số 2027" in html
    assert "1/1" in html  # Lan completed the one course left
    assert "Quản trị Tây" in html  # who changed it, in its history
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "edit_assignment")).one()
        assert entry.detail["courses_removed"] == "KH-01" and entry.detail["courses_added"] == ""
        assert entry.detail["name_after"] == "Bồi dưỡng chuyển đổi số 2027"
    # a due date in the past is refused, no course is refused
    past = (local_today() - timedelta(days=1)).isoformat()
    html = auth.post(
        url + "/edit", {"name": "X", "courses": ["KH-02"], "due_on": past}, token_from=url + "/edit"
    ).get_data(as_text=True)
    assert 'id="due_on-error"' in html
    html = auth.post(url + "/edit", {"name": "X", "due_on": due}, token_from=url + "/edit").get_data(
        as_text=True
    )
    assert 'id="courses-error"' in html


def test_cancel_is_recorded_and_stops_the_due_date(app, ward, auth, client):
    _past_due(app, ward["assignment"])
    auth.login("minh@example.vn")
    assert "Bồi dưỡng chuyển đổi số" in client.get("/my").get_data(as_text=True)
    auth.logout()

    auth.login(WARD_ADMIN)
    url = f"/review/assignments/{ward['assignment']}"
    response = auth.post(url + "/cancel", {"reason": ""}, token_from=url)
    assert response.status_code == 400 and 'id="reason-error"' in response.get_data(as_text=True)
    response = auth.post(url + "/cancel", {"reason": "Trùng với kế hoạch của Sở"}, token_from=url)
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Trùng với kế hoạch của Sở" in html and "Quản trị Tây" in html
    assert 'class="fail"' not in html  # nobody is overdue on a cancelled assignment
    assert "Trần Văn Minh" in html  # whom it applied to stays on record
    assert "status-pill cancelled" in client.get("/review/assignments").get_data(as_text=True)
    assert client.get(url + "/edit").status_code == 302  # a cancelled one is not edited
    with app.app_context():
        assignment = db.session.get(Assignment, ward["assignment"])
        assert assignment.cancelled_at is not None and assignment.cancel_reason == "Trùng với kế hoạch của Sở"
    auth.logout()

    auth.login("minh@example.vn")
    assert "Bồi dưỡng chuyển đổi số" not in client.get("/my").get_data(as_text=True)
    assert "Bồi dưỡng chuyển đổi số" not in client.get("/courses/KH-01").get_data(as_text=True)


def test_another_wards_admin_cannot_see_edit_or_cancel_the_assignment(app, ward, auth, client):
    auth.login(OTHER_WARD_ADMIN)
    url = f"/review/assignments/{ward['assignment']}"
    assert url not in client.get("/review/assignments").get_data(as_text=True)
    for path in (url, url + "/edit", url + "/overdue.csv"):
        assert client.get(path).status_code == 403, path
    token_page = "/review/assignments"
    assert auth.post(url + "/cancel", {"reason": "x"}, token_from=token_page).status_code == 403
    response = auth.post(
        url + "/edit",
        {"name": "Đổi tên", "courses": ["KH-01"], "due_on": "2030-12-31"},
        token_from=token_page,
    )
    assert response.status_code == 403
    with app.app_context():
        assignment = db.session.get(Assignment, ward["assignment"])
        assert assignment.name == "Bồi dưỡng chuyển đổi số" and assignment.cancelled_at is None
    assert client.get("/review/assignments/999999").status_code == 404


def test_a_ward_admins_own_assignment_to_named_cadres_is_theirs(app, ward, auth, client):
    auth.login(WARD_ADMIN)
    url = "/review/assignments"
    due = (local_today() + timedelta(days=30)).isoformat()
    response = auth.post(
        url,
        {
            "name": "Theo danh sách",
            "courses": ["KH-01"],
            "target_kind": "cadres",
            "employee_codes": "W-002",
            "due_on": due,
        },
        token_from=url,
    )
    detail = response.headers["Location"]
    assert "Trần Văn Minh" in client.get(detail).get_data(as_text=True)
    auth.logout()
    auth.login(OTHER_WARD_ADMIN)
    assert client.get(detail).status_code == 403


def test_the_form_shows_only_the_chosen_targets_fields_with_script(ward, auth, client):
    auth.login(WARD_ADMIN)
    html = client.get("/review/assignments").get_data(as_text=True)
    assert '<div data-targets="unit">' in html and '<div data-targets="cadres">' in html
    assert "data-target-hint" in html  # without script every field shows, with a hint
    assert 'src="/static/assignment-form.js"' in html and "<script>" not in html
    response = client.get("/static/assignment-form.js")
    assert "data-targets" in response.get_data(as_text=True)
    response.close()


def test_the_unit_is_picked_within_the_admins_units_and_a_wrong_one_is_named(app, ward, auth, client):
    auth.login(WARD_ADMIN)
    url = "/review/assignments"
    html = client.get(url).get_data(as_text=True)
    assert 'src="/static/unit-picker.js"' in html  # the unit field is the searchable picker
    due = (local_today() + timedelta(days=30)).isoformat()
    form = {"name": "Theo đơn vị", "courses": ["KH-01"], "target_kind": "unit", "due_on": due}
    for code, words in (("P-V", "«P-V» nằm ngoài"), ("XX-9", "«XX-9»")):
        response = auth.post(url, {**form, "unit_code": code}, token_from=url)
        assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Assignment).where(Assignment.name == "Theo đơn vị")) is None
    response = auth.post(url, {**form, "unit_code": "p-w"}, token_from=url)  # as typed, any case
    assert response.status_code == 302
