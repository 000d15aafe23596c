"""The learner's journey through the test client."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import CourseCompletion, LessonCompletion
from tests.helpers import write_course


def test_catalogue_lists_course_and_search_ignores_diacritics(learner, course, client):
    page = client.get("/courses/").get_data(as_text=True)
    assert "Chuyển đổi số cơ bản" in page
    for query in ("chuyen doi so", "CHUYỂN ĐỔI", "doi so", "kh-01"):
        html = client.get("/courses/", query_string={"q": query}).get_data(as_text=True)
        assert "Chuyển đổi số cơ bản" in html, query
    html = client.get("/courses/", query_string={"q": "an ninh quốc phòng"}).get_data(as_text=True)
    assert "Chuyển đổi số cơ bản" not in html
    assert "No course matches" in html or "Không có khoá học" in html


def test_search_matches_old_and_new_tone_marks(learner, courses_root, import_folder, client):
    import_folder(write_course(courses_root, "hoa", code="HOA", title="Hòa giải ở cơ sở"))
    html = client.get("/courses/", query_string={"q": "hoà giải"}).get_data(as_text=True)
    assert "Hòa giải ở cơ sở" in html


def test_category_filter(learner, courses_root, import_folder, client):
    import_folder(
        write_course(courses_root, "a", code="AAA", title="Quản lý đô thị", category="urban-governance")
    )
    import_folder(write_course(courses_root, "b", code="BBB", title="Bảo mật"))
    html = client.get("/courses/", query_string={"category": "urban-governance"}).get_data(as_text=True)
    assert "Quản lý đô thị" in html and "Bảo mật" not in html


def test_course_page_shows_outline_hours_and_enrol(learner, course, client):
    html = client.get("/courses/KH-01").get_data(as_text=True)
    for title in ("Mở đầu", "Dữ liệu", "Kết luận"):
        assert title in html
    assert "1 tiết" in html
    assert 'action="/courses/KH-01/enrol"' in html


def test_lesson_needs_enrolment(learner, course, client):
    response = client.get("/courses/KH-01/lessons/mo-dau")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/KH-01")


def test_full_journey_to_completion_record(app, learner, course, auth, client):
    response = auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    assert response.headers["Location"].endswith("/courses/KH-01/lessons/mo-dau")

    lesson = client.get("/courses/KH-01/lessons/mo-dau").get_data(as_text=True)
    assert "Nội dung bài mở đầu" in lesson
    assert 'rel="next" href="/courses/KH-01/lessons/du-lieu"' in lesson
    assert "0/3 bài học" in lesson

    response = auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01")
    assert response.headers["Location"].endswith("/courses/KH-01/lessons/du-lieu")
    # a link between lessons in the Markdown points at the lesson's page
    html = client.get("/courses/KH-01/lessons/du-lieu").get_data(as_text=True)
    assert 'href="/courses/KH-01/lessons/mo-dau"' in html

    # resume: the course page's button leads back to the last lesson visited
    course_page = client.get("/courses/KH-01").get_data(as_text=True)
    assert re.search(r'href="/courses/KH-01/lessons/du-lieu">\s*(Tiếp tục|Continue)', course_page)
    assert "33%" in course_page

    auth.post("/courses/KH-01/lessons/du-lieu/complete", token_from="/courses/KH-01")
    response = auth.post("/courses/KH-01/lessons/ket-luan/complete", token_from="/courses/KH-01")
    assert response.headers["Location"].endswith("/courses/KH-01")
    page = client.get("/courses/KH-01").get_data(as_text=True)
    assert "100%" in page
    assert "1.0" in page  # the edition the completion was earned on

    my = client.get("/my").get_data(as_text=True)
    assert "Chuyển đổi số cơ bản" in my
    assert "<strong>1</strong> tiết được tính" in my  # periods credited

    with app.app_context():
        completion = db.session.scalars(select(CourseCompletion)).one()
        assert completion.hours_credited == 1
        assert completion.course_version.label == "1.0"


def test_marking_twice_records_once(app, learner, course, auth):
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    for _ in range(2):
        for slug in ("mo-dau", "du-lieu", "ket-luan"):
            auth.post(f"/courses/KH-01/lessons/{slug}/complete", token_from="/courses/KH-01")
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonCompletion.id))) == 3
        assert db.session.scalar(select(func.count(CourseCompletion.id))) == 1


def test_cannot_complete_without_enrolment(learner, course, auth):
    response = auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01")
    assert response.status_code == 403


def test_unknown_course_and_lesson_are_404_in_layout(learner, course, client):
    for path in ("/courses/NOPE", "/courses/KH-01/lessons/nope", "/khong-co"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert 'class="site-header"' in html and "404" in html


def test_my_learning_query_count_is_constant(
    app, courses_root, import_folder, learner, auth, client, count_queries
):
    def enrol_in(n: int) -> None:
        code = f"KH-{n:02d}"
        import_folder(write_course(courses_root, f"c{n}", code=code, title=f"Khoá {n}"))
        auth.post(f"/courses/{code}/enrol", token_from="/courses/")
        auth.post(f"/courses/{code}/lessons/mo-dau/complete", token_from="/courses/")

    enrol_in(1)
    with count_queries() as few:
        assert client.get("/my").status_code == 200
    for n in range(2, 7):
        enrol_in(n)
    with count_queries() as many:
        html = client.get("/my").get_data(as_text=True)
    assert html.count("<progress") == 6
    assert many.count == few.count


def test_catalogue_query_count_is_constant(courses_root, import_folder, learner, client, count_queries):
    import_folder(write_course(courses_root, "c1", code="C-1", title="Khoá 1"))
    with count_queries() as few:
        client.get("/courses/")
    for n in range(2, 8):
        import_folder(write_course(courses_root, f"c{n}", code=f"C-{n}", title=f"Khoá {n}"))
    with count_queries() as many:
        html = client.get("/courses/").get_data(as_text=True)
    assert html.count('class="card course-card"') == 7
    assert many.count == few.count


def test_lesson_page_reads_in_two_statements_and_a_new_version_shows_at_once(
    courses_root, import_folder, learner, auth, client, count_queries
):
    path = write_course(courses_root)
    import_folder(path)
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01")
    client.get("/courses/KH-01/lessons/du-lieu")  # the first view loads the version's content
    with count_queries() as again:
        html = client.get("/courses/KH-01/lessons/du-lieu").get_data(as_text=True)
    assert again.count == 2  # the account, then course, version, enrolment and lessons done
    assert "Nội dung về dữ liệu" in html and "1/3 bài học" in html

    write_course(
        courses_root,
        version="2.0",
        lessons={
            "01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n",
            "02-du-lieu.md": "# Dữ liệu mở\n\nPhiên bản mới của bài dữ liệu.\n",
        },
    )
    assert import_folder(path).status == "updated"
    html = client.get("/courses/KH-01/lessons/du-lieu").get_data(as_text=True)
    assert "Phiên bản mới của bài dữ liệu" in html and "Nội dung về dữ liệu" not in html
    assert "50%" in html  # one of the two lessons of version 2.0 is done
    assert client.get("/courses/KH-01/lessons/ket-luan").status_code == 404


def test_each_role_lands_where_its_work_is(make_user, auth, client):
    """After login, and at "/": admins on the review dashboard, trainers on their teaching page,
    learners on My learning (or the catalogue before they have anything)."""
    make_user("hv@example.vn")
    make_user("gv@example.vn", role="trainer")
    make_user("qt@example.vn", role="admin")
    for email, landing in (
        ("hv@example.vn", "/courses/"),
        ("gv@example.vn", "/teach/"),
        ("qt@example.vn", "/review/"),
    ):
        auth.login(email)
        assert client.get("/").headers["Location"].endswith(landing), email
        assert client.get(landing).status_code == 200
        auth.logout()
    # the login page sends to "/", which sends on; a `next` is still followed
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=/my",
        data={"email": "gv@example.vn", "password": "correct horse battery", "csrf_token": token.group(1)},
    )
    assert response.headers["Location"].endswith("/my")


def test_continue_on_my_learning_opens_the_next_lesson_to_do(app, learner, course, auth, client):
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01")
    client.get("/courses/KH-01/lessons/mo-dau")  # looking back at a lesson already done
    my = client.get("/my").get_data(as_text=True)
    assert re.search(r'href="/courses/KH-01/lessons/du-lieu">\s*(Tiếp tục|Continue)', my)
    course_page = client.get("/courses/KH-01").get_data(as_text=True)
    assert re.search(r'href="/courses/KH-01/lessons/du-lieu">\s*(Tiếp tục|Continue)', course_page)
    # all done: back to the last lesson visited
    auth.post("/courses/KH-01/lessons/ket-luan/complete", token_from="/courses/KH-01")
    auth.post("/courses/KH-01/lessons/du-lieu/complete", token_from="/courses/KH-01")
    client.get("/courses/KH-01/lessons/ket-luan")
    with app.app_context():
        from app.learning.service import my_learning
        from app.models import User

        (row,) = my_learning(db.session, db.session.get(User, learner))
        assert row.next_slug == "ket-luan"


def test_my_learning_with_nothing_started_leads_to_the_course_page(app, learner, course, auth, client):
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    with app.app_context():
        from app.models import Enrolment

        db.session.execute(Enrolment.__table__.update().values(last_lesson_slug=None))
        db.session.commit()
    my = client.get("/my").get_data(as_text=True)
    assert re.search(r'href="/courses/KH-01">\s*(Bắt đầu|Start)', my)


def test_the_course_page_shows_due_dates_and_its_main_action_first(app, make, learner, course, client, clock):
    from datetime import date

    make.cadre("HN-900001", unit="P-THU", user=learner)
    make.assignment("Bồi dưỡng quý IV", ("KH-01",), unit="P-THU", due_on=date(2030, 12, 31))
    html = client.get("/courses/KH-01").get_data(as_text=True)
    assert "Bồi dưỡng quý IV" in html and "2030" in html  # the due date (dd/mm/yyyy once `|date` says so)
    # the enrol button comes before the course's long description
    assert html.index('action="/courses/KH-01/enrol"') < html.index('class="prose"')
    clock.set_today(date(2031, 1, 2))
    html = client.get("/courses/KH-01").get_data(as_text=True)
    assert '<strong class="fail">' in html and ("Quá hạn" in html or "Overdue" in html)
