"""The preview of a course's edition: a trainer reads any edition (the current one, an earlier one, a
draft) as a learner will, lesson by lesson, and tries its quizzes; nothing is recorded."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AttemptAnswer,
    AuditEntry,
    CourseCompletion,
    Enrolment,
    LessonCompletion,
    Question,
    QuizAttempt,
)
from app.teach.preview import rewrite_lesson_links
from tests.helpers import write_course

TRAINER = "gv@example.vn"
OTHER_TRAINER = "gv2@example.vn"
CITY_ADMIN = "qt@example.vn"
BASE = "/teach/courses/KH-01/editions"

QUIZ = """---
type: quiz
pass_mark: 50
shuffle_options: true
---
# Kiểm tra

Ôn lại [bài mở đầu](01-mo-dau.md) trước khi làm bài.

## Mã OTP {{#otp tags=bai-1}}

{stem}

- [ ] Có, để phối hợp
  > Không cơ quan nào hỏi mã OTP qua điện thoại.
- [x] Không, gác máy
  > Chính xác.

## Hoà giải {{#hoa-giai case=ignore tags=bai-1}}

Tổ ở thôn giải quyết mâu thuẫn nhỏ gọi là tổ gì? (xem [bài mở đầu](01-mo-dau.md))

= tổ hoà giải
"""


def _lessons(opening: str, stem: str) -> dict[str, str]:
    return {
        "01-mo-dau.md": f"# Mở đầu\n\n{opening} Xem [phần kết](03-ket-luan.md#tong-ket).\n",
        "02-kiem-tra.md": QUIZ.format(stem=stem),
        "03-ket-luan.md": "# Kết luận\n\n## Tổng kết\n\nTổng kết khoá học.\n",
    }


@pytest.fixture
def editions(make, courses_root):
    """Course KH-01 imported twice: edition 1 and edition 2 (current), which changes the opening
    lesson and a question. Its trainer, another course's trainer, a city admin."""
    make.user(TRAINER, "trainer", full_name="Trần Văn Minh")
    make.user(OTHER_TRAINER, "trainer", full_name="Đặng Thị Hoa")
    make.user(CITY_ADMIN, "admin", full_name="Lê Hoàng Nam")
    folder = write_course(
        courses_root, lessons=_lessons("Nội dung bản đầu.", "Có nên đọc mã OTP cho người lạ?")
    )
    outcome = make.import_folder(folder)
    assert outcome.status == "created", [str(p) for p in outcome.problems]
    write_course(
        courses_root,
        version="2.0",
        lessons=_lessons("Nội dung bản hai.", "Có nên đọc mã OTP cho người tự xưng là công an?"),
    )
    assert make.import_folder(folder).status == "updated"
    make.course_trainer(TRAINER, "KH-01")
    make.course("khoa-hai", code="KH-02", title="Kỹ năng lãnh đạo")
    make.course_trainer(OTHER_TRAINER, "KH-02")


def _counts(app) -> tuple[int, ...]:
    models = (QuizAttempt, AttemptAnswer, Enrolment, LessonCompletion, CourseCompletion, AuditEntry)
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.usefixtures("editions")
def test_each_edition_shows_its_own_text_with_the_banner_and_no_progress(app, auth, client):
    auth.login(TRAINER)
    before = _counts(app)
    first = _text(client.get(f"{BASE}/1/lessons/mo-dau"))
    second = _text(client.get(f"{BASE}/2/lessons/mo-dau"))
    assert "Nội dung bản đầu." in first and "Nội dung bản hai." not in first
    assert "Nội dung bản hai." in second
    assert "Xem trước phiên bản 1.0 (số 1)" in first and "người học không thấy trang này" in first
    assert "Hiện người học không thấy phiên bản này." in first
    assert "Người học đang học phiên bản này." in second
    assert "Đánh dấu hoàn thành" not in first and "/complete" not in first
    overview = _text(client.get(f"{BASE}/1/"))
    assert "Chuyển đổi số cơ bản" in overview and "Giới thiệu khoá học." in overview
    assert f'href="{BASE}/1/lessons/kiem-tra"' in overview
    assert "Ghi danh" not in overview
    assert _counts(app) == before


@pytest.mark.usefixtures("editions")
def test_links_between_lessons_and_the_pager_stay_in_the_preview(auth, client):
    auth.login(TRAINER)
    page = _text(client.get(f"{BASE}/1/lessons/mo-dau"))
    assert f'href="{BASE}/1/lessons/ket-luan#tong-ket"' in page  # a link written in the lesson
    assert 'href="/courses/KH-01/lessons/' not in page
    assert re.search(rf'rel="next" href="{BASE}/1/lessons/kiem-tra"', page)
    quiz = _text(client.get(f"{BASE}/1/lessons/kiem-tra"))
    assert f'href="{BASE}/1/lessons/mo-dau"' in quiz  # in the quiz's introduction, and the pager
    assert f'href="{BASE}/1/quizzes/kiem-tra/try"' in quiz
    assert "/quizzes/kiem-tra/start" not in quiz


def test_only_this_editions_known_lesson_addresses_are_rewritten():
    html = (
        '<a href="/courses/KH-01/lessons/mo-dau">a</a> <a href="/courses/KH-01/lessons/mo-dau#muc">b</a> '
        '<a href="/courses/KH-01/lessons/mo-dau-hai">c</a> <a href="/courses/KH-02/lessons/mo-dau">d</a> '
        "<p>/courses/KH-01/lessons/mo-dau</p>"
    )
    urls = {"/courses/KH-01/lessons/mo-dau": "/p/mo-dau"}
    assert rewrite_lesson_links(html, urls) == (
        '<a href="/p/mo-dau">a</a> <a href="/p/mo-dau#muc">b</a> '
        '<a href="/courses/KH-01/lessons/mo-dau-hai">c</a> <a href="/courses/KH-02/lessons/mo-dau">d</a> '
        "<p>/courses/KH-01/lessons/mo-dau</p>"
    )


def _correct(app, number_stem: str) -> dict[str, str]:
    with app.app_context():
        otp = db.session.scalars(select(Question).where(Question.qid == "otp")).all()
        data = next(q.data for q in otp if number_stem in q.stem_html)
        right = next(o["id"] for o in data["options"] if o["correct"])
        wrong = next(o["id"] for o in data["options"] if not o["correct"])
    return {"right": right, "wrong": wrong}


def _try(auth, path: str, answers: dict) -> str:
    page = _text(auth.client.get(path + "?seed=7"))
    assert "Số đề 7" in page
    return _text(auth.post(path, {"seed": "7", "qids": ["otp", "hoa-giai"], **answers}, token_from=path))


@pytest.mark.usefixtures("editions")
def test_trying_a_quiz_marks_it_as_an_attempt_and_records_nothing(app, auth, client):
    auth.login(TRAINER)
    path = f"{BASE}/2/quizzes/kiem-tra/try"
    options = _correct(app, "công an")
    before = _counts(app)
    page = _text(client.get(path + "?seed=7"))
    assert "tự xưng là công an" in page and 'name="q-otp"' in page
    assert f'href="{BASE}/2/lessons/mo-dau"' in page  # a link in a question
    again = _text(client.get(path + "?seed=7"))
    assert re.findall(r'name="q-[^"]+" value="[^"]*"', page) == re.findall(
        r'name="q-[^"]+" value="[^"]*"', again
    )

    right = _try(auth, path, {"q-otp": options["right"], "q-hoa-giai": "Tổ hoà giải"})
    assert "100%" in right and "Đạt" in right and "Chính xác." in right
    wrong = _try(auth, path, {"q-otp": options["wrong"], "q-hoa-giai": "tổ dân phố"})
    assert "0%" in wrong and "100%" not in wrong and "Không cơ quan nào hỏi mã OTP" in wrong
    half = _try(auth, path, {"q-otp": options["right"]})
    assert "50%" in half
    assert _counts(app) == before


@pytest.mark.usefixtures("editions")
def test_the_earlier_edition_is_tried_with_its_own_questions(app, auth, client):
    auth.login(TRAINER)
    page = _text(client.get(f"{BASE}/1/quizzes/kiem-tra/try"))
    assert "cho người lạ" in page and "công an" not in page


@pytest.mark.usefixtures("editions")
def test_a_try_without_its_form_token_is_refused(auth, client):
    auth.login(TRAINER)
    response = client.post(f"{BASE}/2/quizzes/kiem-tra/try", data={"seed": "7", "qids": ["otp"]})
    assert response.status_code == 400


@pytest.mark.usefixtures("editions")
def test_another_courses_trainer_is_refused_and_an_admin_may_look(auth, client):
    auth.login(OTHER_TRAINER)
    for path in (f"{BASE}/1/", f"{BASE}/1/lessons/mo-dau", f"{BASE}/1/quizzes/kiem-tra/try"):
        assert client.get(path).status_code == 403
    auth.logout()
    auth.login(CITY_ADMIN)
    assert client.get(f"{BASE}/1/lessons/mo-dau").status_code == 200


@pytest.mark.usefixtures("editions")
def test_unknown_editions_lessons_and_quizzes_are_not_found(auth, client):
    auth.login(TRAINER)
    assert client.get(f"{BASE}/3/").status_code == 404
    assert client.get(f"{BASE}/1/lessons/khong-co").status_code == 404
    assert client.get(f"{BASE}/1/quizzes/mo-dau/try").status_code == 404  # a page, not a quiz
    assert client.get("/teach/courses/KHONG-CO/editions/1/").status_code == 404
