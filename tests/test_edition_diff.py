"""What changed between two editions of a course: lessons and quiz questions added, removed,
edited or moved, quiz settings and the course's details, shown to trainers in Vietnamese."""

from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import select

from app.courses.diff import LessonRef, QuestionRef, SettingChange, diff_editions, diffs_for
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Course, CourseVersion
from tests.helpers import write_course
from tests.quiz_fixtures import write_quiz_course

QUIZ = """---
type: quiz
kind: practice
pass_mark: {pass_mark}
shuffle_options: true
---
# Ôn tập

{questions}"""

QUESTIONS = {
    "mat-khau": "## Mật khẩu {#mat-khau}\n\nMật khẩu mạnh có ít nhất bao nhiêu ký tự?\n\n"
    "- [x] 12 ký tự\n- [ ] 4 ký tự\n- [ ] 6 ký tự\n\n",
    "otp": "## Mã OTP {#otp}\n\nCó đọc mã OTP cho người lạ không?\n\n- [ ] Có\n- [x] Không\n\n",
    "sao-luu": "## Sao lưu {#sao-luu}\n\nNên sao lưu dữ liệu bao lâu một lần?\n\n"
    "- [x] Hằng tuần\n- [ ] Không bao giờ\n\n",
    "sao-luu-sua": "## Sao lưu {#sao-luu}\n\nNên sao lưu dữ liệu quan trọng bao lâu một lần?\n\n"
    "- [x] Hằng tuần\n- [ ] Không bao giờ\n\n",
    "lua-dao": "## Thư lừa đảo {#lua-dao}\n\nThư lạ đòi mật khẩu thì làm gì?\n\n"
    "- [x] Báo bộ phận công nghệ thông tin\n- [ ] Trả lời ngay\n\n",
}


def page(title: str, text: str) -> str:
    return f"# {title}\n\n{text}\n"


def quiz(*questions: str, pass_mark: int = 50) -> str:
    return QUIZ.format(pass_mark=pass_mark, questions="".join(QUESTIONS[q] for q in questions))


FIRST = {
    "01-mo-dau.md": page("Mở đầu", "Nội dung bài mở đầu."),
    "02-du-lieu.md": page("Dữ liệu", "Nội dung về dữ liệu."),
    "03-an-toan.md": page("An toàn", "Nội dung về an toàn."),
    "04-on-tap.md": quiz("mat-khau", "otp", "sao-luu"),
    "05-ket-luan.md": page("Kết luận", "Tổng kết khoá học."),
}
# Added thuc-hanh, removed an-toan, edited du-lieu, moved ket-luan up; in the quiz: otp removed,
# sao-luu edited and put first (so mat-khau moved), lua-dao added, pass mark 50 -> 70; 1 -> 2 periods.
SECOND = {
    "01-mo-dau.md": page("Mở đầu", "Nội dung bài mở đầu."),
    "02-thuc-hanh.md": '---\nactivity: {minutes: 60, task: "Lập kế hoạch số hoá hồ sơ"}\n---\n'
    + page("Thực hành", "Các bài tập thực hành."),
    "03-ket-luan.md": page("Kết luận", "Tổng kết khoá học."),
    "04-du-lieu.md": page("Dữ liệu", "Nội dung về dữ liệu, sửa lại cho rõ."),
    "05-on-tap.md": quiz("sao-luu-sua", "mat-khau", "lua-dao", pass_mark=70),
}


@pytest.fixture
def edition(courses_root, import_folder, app):
    """Import `lessons` as the next edition of course KH-01; returns the new version's id."""

    def importing(lessons: dict[str, str], version: str, hours: int = 1) -> int:
        path = write_course(courses_root, version=version, hours=hours, lessons=lessons)
        outcome = import_folder(path)
        assert outcome.status in ("created", "updated"), outcome.problems
        with app.app_context():
            return db.session.scalar(select(CourseVersion.id).where(CourseVersion.label == version))

    return importing


def course_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.code == "KH-01"))


def test_each_kind_of_change_between_two_editions_is_named(app, edition):
    first, second = edition(FIRST, "1.0"), edition(SECOND, "2.0", hours=2)
    with app.app_context():
        diff = diff_editions(db.session, first, second)
    assert (diff.older_number, diff.newer_number) == (1, 2)
    assert diff.lessons_added == (LessonRef("thuc-hanh", "Thực hành"),)
    assert diff.lessons_removed == (LessonRef("an-toan", "An toàn"),)
    assert diff.lessons_edited == (LessonRef("du-lieu", "Dữ liệu"),)
    assert diff.lessons_moved == (LessonRef("ket-luan", "Kết luận"),)
    assert (diff.hours_changed, diff.old_hours, diff.new_hours) == (True, 1, 2)
    assert not (diff.title_changed or diff.summary_changed or diff.intro_changed)
    [quiz_diff] = diff.quizzes
    assert (quiz_diff.slug, quiz_diff.title, quiz_diff.status) == ("on-tap", "Ôn tập", "kept")
    assert quiz_diff.questions_added == (QuestionRef("lua-dao", "Thư lừa đảo"),)
    assert quiz_diff.questions_removed == (QuestionRef("otp", "Mã OTP"),)
    # mat-khau is word for word the same although its stored option ids changed with the file
    assert quiz_diff.questions_edited == (QuestionRef("sao-luu", "Sao lưu"),)
    assert quiz_diff.questions_moved == (QuestionRef("mat-khau", "Mật khẩu"),)
    assert quiz_diff.settings_changed == (SettingChange("pass_mark", 50, 70),)
    counts = diff.summary
    assert (counts.lessons_added, counts.lessons_removed, counts.lessons_edited) == (1, 1, 1)
    assert (counts.questions_added, counts.questions_removed, counts.questions_edited) == (1, 1, 1)
    assert (counts.details, counts.quiz_settings, diff.is_empty) == (1, 1, False)


def test_an_edition_with_the_same_content_changes_nothing(app, edition):
    first = edition(FIRST, "1.0")
    second = edition({**FIRST, "05-ket-luan.md": page("Kết luận", "Tổng kết.")}, "1.1")
    third = edition(FIRST, "1.2")  # the first edition's content, published again
    with app.app_context():
        assert diff_editions(db.session, first, third).is_empty
        assert diff_editions(db.session, first, first).is_empty
        back = diff_editions(db.session, second, third)
    assert back.lessons_edited == (LessonRef("ket-luan", "Kết luận"),)
    assert not back.quizzes and back.summary.lessons_edited == 1


def test_the_first_edition_adds_every_lesson_and_question(app, edition):
    first = edition(FIRST, "1.0")
    with app.app_context():
        diff = diff_editions(db.session, None, first)
    assert diff.is_first and diff.older_id is None and diff.old_hours is None
    assert [ref.slug for ref in diff.lessons_added] == ["mo-dau", "du-lieu", "an-toan", "on-tap", "ket-luan"]
    assert not (diff.lessons_removed or diff.lessons_edited or diff.lessons_moved or diff.details_changed)
    [quiz_diff] = diff.quizzes
    assert quiz_diff.status == "added" and not quiz_diff.settings_changed
    assert [ref.qid for ref in quiz_diff.questions_added] == ["mat-khau", "otp", "sao-luu"]


def test_a_lesson_put_first_moves_no_other_and_a_swap_moves_one(app, edition):
    first = edition(FIRST, "1.0")
    ahead = edition({"00-gioi-thieu.md": page("Giới thiệu", "Lời giới thiệu."), **FIRST}, "1.1")
    names = dict(
        zip(
            FIRST,
            ["03-mo-dau.md", "01-du-lieu.md", "02-an-toan.md", "04-on-tap.md", "05-ket-luan.md"],
            strict=True,
        )
    )
    swapped = edition({names[name]: text for name, text in FIRST.items()}, "1.2")
    with app.app_context():
        added = diff_editions(db.session, first, ahead)
        moved = diff_editions(db.session, first, swapped)
    assert added.lessons_added == (LessonRef("gioi-thieu", "Giới thiệu"),) and added.lessons_moved == ()
    assert moved.lessons_moved == (LessonRef("mo-dau", "Mở đầu"),) and moved.lessons_edited == ()


def test_a_quiz_taken_out_removes_its_questions(app, edition):
    first = edition(FIRST, "1.0")
    second = edition({k: v for k, v in FIRST.items() if k != "04-on-tap.md"}, "2.0")
    with app.app_context():
        diff = diff_editions(db.session, first, second)
    assert diff.lessons_removed == (LessonRef("on-tap", "Ôn tập"),)
    [quiz_diff] = diff.quizzes
    assert quiz_diff.status == "removed" and diff.summary.questions_removed == 3
    assert diff.lessons_moved == ()  # the lessons after it keep their order


def test_new_settings_leave_questions_of_every_type_unedited(app, courses_root, import_folder):
    """The option ids stored with each question change with the quiz file; the words do not."""
    for version, attempts in (("1.0", 0), ("1.1", 3)):
        outcome = import_folder(write_quiz_course(courses_root, version=version, max_attempts=attempts))
        assert outcome.status in ("created", "updated"), outcome.problems
    with app.app_context():
        first, second = db.session.scalars(select(CourseVersion.id).order_by(CourseVersion.number))
        diff = diff_editions(db.session, first, second)
    [quiz_diff] = diff.quizzes
    assert quiz_diff.settings_changed == (SettingChange("max_attempts", 0, 3),)
    assert quiz_diff.is_empty is False and diff.summary.questions_edited == 0
    assert not (diff.lessons_edited or quiz_diff.questions_moved)


def test_unknown_editions_and_editions_of_two_courses_are_refused(app, edition, make_course):
    first = edition(FIRST, "1.0")
    make_course("khac", code="KH-02")
    with app.app_context():
        other = db.session.scalar(select(CourseVersion.id).where(CourseVersion.id != first))
        with pytest.raises(NotFound):
            diff_editions(db.session, first, first + 999)
        with pytest.raises(ValidationFailed):
            diff_editions(db.session, first, other)


def test_a_diff_takes_three_queries_whatever_the_size(app, edition, count_queries):
    first, second = edition(FIRST, "1.0"), edition(SECOND, "2.0", hours=2)
    with app.app_context(), count_queries() as counter:
        diff_editions(db.session, first, second)
    assert counter.count == 3


def test_all_editions_at_once_match_the_pairs_in_constant_queries(app, edition, count_queries):
    ids = [edition(FIRST, "1.0"), edition(SECOND, "2.0", hours=2)]
    with app.app_context(), count_queries() as two:
        assert diffs_for(db.session, course_id(app)).keys() == set(ids)
    more = {**SECOND, "06-phu-luc.md": page("Phụ lục", "Tài liệu tham khảo.")}
    ids += [edition(more, "3.0", hours=2), edition(SECOND, "4.0", hours=2), edition(FIRST, "5.0")]
    with app.app_context():
        pairs = [diff_editions(db.session, old, new) for old, new in zip([None, *ids], ids, strict=False)]
    with app.app_context(), count_queries() as five:
        batch = diffs_for(db.session, course_id(app))
    assert [batch[i] for i in ids] == pairs
    assert five.count == two.count <= 4
    assert batch[ids[2]].lessons_added == batch[ids[3]].lessons_removed == (LessonRef("phu-luc", "Phụ lục"),)
    assert batch[ids[0]].is_first and batch[ids[4]].summary.questions_added == 1  # otp is back


def shown(app, diff) -> str:
    """The macro's HTML as a Vietnamese trainer reads it, with its tags and spacing folded."""
    template = '{% from "teach/_edition_diff.html" import edition_diff %}{{ edition_diff(diff) }}'
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        html = render_template_string(template, diff=diff)
    return " ".join(html.split())


def test_the_changes_read_in_vietnamese(app, edition):
    first, second = edition(FIRST, "1.0"), edition(SECOND, "2.0", hours=2)
    with app.app_context():
        diff = diff_editions(db.session, first, second)
    html = shown(app, diff)
    assert (
        "<p>1 bài học thêm, 1 bài học bỏ, 1 bài học sửa, 1 bài học đổi vị trí, 1 câu hỏi thêm, "
        "1 câu hỏi bỏ, 1 câu hỏi sửa, 1 câu hỏi đổi vị trí, 1 bài kiểm tra đổi thiết lập, "
        "thông tin khoá học thay đổi</p>"
    ) in html
    assert "<details> <summary>Xem chi tiết thay đổi</summary>" in html
    for line in (
        "Số tiết: 1 → 2",
        "Bài học thêm: Thực hành",
        "Bài học bỏ: An toàn",
        "Bài học sửa: Dữ liệu",
        "Bài học đổi vị trí: Kết luận",
        "Câu hỏi thêm trong Ôn tập: Thư lừa đảo",
        "Câu hỏi bỏ trong Ôn tập: Mã OTP",
        "Câu hỏi sửa trong Ôn tập: Sao lưu",
        "Câu hỏi đổi vị trí trong Ôn tập: Mật khẩu",
        "Thiết lập của Ôn tập: Điểm đạt: 50% → 70%",
    ):
        assert f"<li>{line}</li>" in html


def test_an_unchanged_edition_and_the_first_one_read_in_vietnamese(app, edition):
    first, second = (
        edition(FIRST, "1.0"),
        edition({**FIRST, "06-phu-luc.md": page("Phụ lục", "Tài liệu.")}, "1.1"),
    )
    with app.app_context():
        same, initial = diff_editions(db.session, first, first), diff_editions(db.session, None, first)
        added = diff_editions(db.session, first, second)
    assert "Không thay đổi nội dung" in shown(app, same) and "<details>" not in shown(app, same)
    html = shown(app, initial)
    assert "<p>Phiên bản đầu tiên. 5 bài học thêm, 3 câu hỏi thêm</p>" in html
    assert "<li>Bài học thêm: Mở đầu; Dữ liệu; An toàn; Ôn tập; Kết luận</li>" in html
    assert "<li>Bài kiểm tra mới Ôn tập: 3 câu hỏi</li>" in html
    assert "<p>1 bài học thêm</p>" in shown(app, added)


def test_editions_can_be_compared_with_a_chosen_base_only(app, edition):
    """E.g. drafts compared with the edition published before them: here only "x.0" editions count."""
    ids = [
        edition(FIRST, "1.0"),
        edition(SECOND, "1.1", hours=2),
        edition(FIRST, "2.0"),
        edition(SECOND, "2.1", hours=2),
    ]
    with app.app_context():
        batch = diffs_for(db.session, course_id(app), is_base=lambda v: v.label.endswith(".0"))
        assert batch[ids[1]] == diff_editions(db.session, ids[0], ids[1])
        assert batch[ids[2]].is_empty  # compared with 1.0, not with 1.1
        assert batch[ids[3]] == diff_editions(db.session, ids[2], ids[3])
