"""The assessment rules of `courses check`: what a trainer is told, as an error or a warning, by line.

A course here has three lessons (Mở đầu, Dữ liệu, Kết luận) and a quiz, 04-kiem-tra.md, whose front
matter takes lines 1-5 (`kind` on line 3, `shuffle_options` or another setting on line 4): its
first question heading is on line 8 (one line further down when a draw is set on line 5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.courses.source import Problem, read_course
from app.quizzes.assessment import states_format, tick_all_score
from app.quizzes.source import parse_quiz
from app.quizzes.types import MultipleResponse
from tests.helpers import write_course

LESSONS = {
    "01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n",
    "02-du-lieu.md": "# Dữ liệu\n\nNội dung về dữ liệu.\n",
    "03-ket-luan.md": "# Kết luận\n\nTổng kết khoá học.\n",
}

PASSWORD = """## Mật khẩu {#mat-khau tags=bai-1}

Mật khẩu nào mạnh nhất?

- [x] Cụm từ dài, riêng cho từng tài khoản
- [ ] Ngày sinh của mình kèm theo họ tên
- [ ] Tên cơ quan, viết hoa chữ cái đầu, thêm năm sinh
"""

SENSITIVE = """## Dữ liệu nhạy cảm {#nhay-cam tags=bai-2}

Những dữ liệu nào là dữ liệu cá nhân nhạy cảm?

- [x] Tình trạng sức khoẻ
- [x] Tài khoản ngân hàng
- [ ] Họ và tên
- [ ] Tên cơ quan công tác
"""

SIGNATURE = """## Ký số {#ky-so tags=bai-3}

Chữ ký số có giá trị pháp lý như chữ ký tay khi đáp ứng điều kiện luật định.

- [x] Đúng
- [ ] Sai
"""

GOOD = "\n".join((PASSWORD, SENSITIVE, SIGNATURE))

# Three right options and one wrong: ticking all four scores (3 - 1) / 3.
TICK_ALL = """## Dấu hiệu lừa đảo {#dau-hieu tags=bai-1}

Dấu hiệu nào cho thấy một cuộc gọi là lừa đảo?

- [x] Đòi mã OTP
- [x] Đe doạ bắt giữ ngay
- [x] Yêu cầu chuyển tiền gấp
- [ ] Xưng tên và đơn vị
"""


DRAW = "shuffle_options: true\n"  # then a draw on line 5


def quiz(questions: str = GOOD, *, setting: str = "shuffle_options: true", kind: str = "graded") -> str:
    return f"---\ntype: quiz\nkind: {kind}\n{setting}\n---\n# Kiểm tra\n\n{questions}"


def course(root: Path, text: str) -> Path:
    return write_course(root, lessons={**LESSONS, "04-kiem-tra.md": text})


def shown(problem: Problem) -> str:
    """The problem as `courses check` prints it, with the file's name only."""
    return str(problem).removeprefix(str(Path(problem.path).parent) + "/")


def check(tmp_path: Path, text: str) -> list[str]:
    source, problems = read_course(course(tmp_path, text))
    assert (source is None) == any(p.is_error for p in problems)
    return [shown(p) for p in problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def test_a_well_made_graded_quiz_has_no_problems(tmp_path):
    assert check(tmp_path, quiz()) == []


def test_problems_print_errors_plainly_and_mark_warnings():
    assert str(Problem("a.md", 3, "bad")) == "a.md:3: bad"
    assert str(Problem("a.md", 3, "weak", "warning")) == "a.md:3: warning: weak"


# --- 1. shuffled options -------------------------------------------------------------------------


def test_a_graded_quiz_that_does_not_shuffle_options_is_an_error_at_its_kind_line(tmp_path):
    assert check(tmp_path, quiz(setting="pass_mark: 80")) == [
        "04-kiem-tra.md:3: the options of choice questions are shown in the order written, so the key "
        "sits in the same place for everyone: set shuffle_options: true"
    ]


def test_shuffle_options_false_is_reported_on_its_own_line(tmp_path):
    assert [p[:18] for p in check(tmp_path, quiz(setting="shuffle_options: false"))] == ["04-kiem-tra.md:4: "]


def test_a_practice_quiz_that_does_not_shuffle_is_a_warning(tmp_path):
    found = check(tmp_path, quiz(setting="pass_mark: 80", kind="practice"))
    assert found == [
        "04-kiem-tra.md:3: warning: the options of choice questions are shown in the order written, so "
        "the key sits in the same place for everyone: set shuffle_options: true"
    ]


def test_true_false_alone_needs_no_shuffling(tmp_path):
    assert check(tmp_path, quiz(SIGNATURE, setting="pass_mark: 80")) == [
        "04-kiem-tra.md:1: warning: lesson 1 (Mở đầu) has no question: tag one bai-1",
        "04-kiem-tra.md:1: warning: lesson 2 (Dữ liệu) has no question: tag one bai-2",
    ]


# --- 2. tick-all ---------------------------------------------------------------------------------


def test_a_graded_tick_all_question_is_an_error_naming_its_score(tmp_path):
    text = quiz(GOOD + "\n" + TICK_ALL)
    line = line_of(text, "{#dau-hieu")
    assert check(tmp_path, text) == [
        f"04-kiem-tra.md:{line}: question 'dau-hieu': ticking every option scores 67%; add wrong options "
        "until there are at least as many as right ones, or write tickall=allowed in the heading if that "
        "is intended"
    ]


def test_courses_check_fails_by_file_and_line_on_a_course_keying_a_tick_all_question(app, tmp_path):
    text = quiz(GOOD + "\n" + TICK_ALL)
    folder = course(tmp_path, text)
    result = app.test_cli_runner().invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 1
    quiz_file = folder / "04-kiem-tra.md"
    assert (
        f"{quiz_file}:{line_of(text, '{#dau-hieu')}: question 'dau-hieu': ticking every option scores 67%"
        in (result.output)
    )
    assert "1 error(s) and 0 warning(s) in 1 course folder(s)" in result.output


def test_a_tick_all_question_is_not_imported(tmp_path, import_folder):
    outcome = import_folder(course(tmp_path, quiz(GOOD + "\n" + TICK_ALL)))
    assert outcome.status == "failed"
    assert "ticking every option scores 67%" in str(outcome.problems)


def test_tickall_allowed_accepts_a_question_where_every_option_is_right(tmp_path, import_folder):
    every = TICK_ALL.replace("{#dau-hieu tags=bai-1}", "{#dau-hieu tags=bai-1 tickall=allowed}").replace(
        "- [ ] Xưng", "- [x] Xưng"
    )
    assert check(tmp_path, quiz(GOOD + "\n" + every)) == []
    assert import_folder(tmp_path / "khoa-hoc").status == "created"


def test_tickall_takes_only_allowed(tmp_path):
    text = quiz(GOOD + "\n" + TICK_ALL.replace("tags=bai-1}", "tags=bai-1 tickall=yes}"))
    assert f"04-kiem-tra.md:{line_of(text, '{#dau-hieu')}: tickall can only be 'allowed', not 'yes'" in check(
        tmp_path, text
    )


def test_as_many_wrong_options_as_right_ones_pass(tmp_path):
    assert check(tmp_path, quiz(GOOD + "\n" + TICK_ALL.replace("- [x] Đe doạ", "- [ ] Đe doạ"))) == []


def test_a_practice_tick_all_question_is_a_warning(tmp_path):
    found = check(tmp_path, quiz(GOOD + "\n" + TICK_ALL, kind="practice"))
    assert len(found) == 1 and ": warning: question 'dau-hieu': ticking every option scores 67%" in found[0]


def test_the_tick_all_score_is_the_engines_own_marking():
    question = parse_quiz({}, {}, TICK_ALL, 1, lambda *_: None).questions[0]
    data = MultipleResponse().build(question, str, "muoi")
    everything = {"choices": [o["id"] for o in data["options"]]}
    assert tick_all_score(question) == MultipleResponse().mark(data, everything) == pytest.approx(2 / 3)


# --- 3. draw coverage ----------------------------------------------------------------------------


def test_a_draw_of_a_number_can_leave_a_lesson_untested(tmp_path):
    found = check(tmp_path, quiz(setting=DRAW + "draw: 2"))
    assert found == [
        "04-kiem-tra.md:5: warning: a draw of 2 from 3 questions can leave a lesson untested: tag each "
        "question bai-N and draw by tag"
    ]


def test_a_draw_by_lesson_tags_covering_every_lesson_passes(tmp_path):
    assert check(tmp_path, quiz(setting=DRAW + "draw: {bai-1: 1, bai-2: 1, bai-3: 1}")) == []


def test_a_draw_by_tag_that_leaves_a_lesson_out_names_it(tmp_path):
    text = quiz(setting=DRAW + "draw: {bai-1: 1, bai-2: 1}")
    found = check(tmp_path, text)
    assert found == [
        "04-kiem-tra.md:5: warning: lesson 3 (Kết luận) is never tested: the draw takes no question "
        "tagged bai-3",
        f"04-kiem-tra.md:{line_of(text, '{#ky-so')}: warning: question 'ky-so' is never drawn: none of "
        "its tags (bai-3) is in the draw",
    ]


def test_a_lesson_with_no_question_is_named_with_its_title(tmp_path):
    found = check(tmp_path, quiz(GOOD.replace("tags=bai-3", "tags=bai-2")))
    assert found == ["04-kiem-tra.md:1: warning: lesson 3 (Kết luận) has no question: tag one bai-3"]


def test_a_tag_for_no_lesson_of_the_course_is_an_error(tmp_path):
    text = quiz(GOOD.replace("tags=bai-3", "tags=bai-4"))
    found = check(tmp_path, text)
    assert (
        f"04-kiem-tra.md:{line_of(text, '{#ky-so')}: tag bai-4 names no lesson of the course (its content "
        "lessons are: 1, 2, 3)"
    ) in found


def test_a_question_carries_one_lesson_tag_only(tmp_path):
    text = quiz(GOOD.replace("tags=bai-3", "tags=bai-3,bai-2"))
    line = line_of(text, "{#ky-so")
    assert f"04-kiem-tra.md:{line}: question 'ky-so' carries bai-3, bai-2: one bai-N tag only" in check(
        tmp_path, text
    )


def test_a_graded_quiz_without_lesson_tags_is_asked_for_them(tmp_path):
    untagged = GOOD.replace(" tags=bai-1", "").replace(" tags=bai-2", "").replace(" tags=bai-3", "")
    assert check(tmp_path, quiz(untagged)) == [
        "04-kiem-tra.md:1: warning: tag each question with its lesson (bai-N) so coverage can be checked"
    ]
    assert check(tmp_path, quiz(untagged, kind="practice")) == []


def test_an_untagged_question_is_never_drawn_by_tag(tmp_path):
    text = quiz(GOOD.replace(" tags=bai-3", "") + "\n" + SIGNATURE.replace("ky-so", "ky-so-2"))
    text = text.replace(
        "shuffle_options: true", "shuffle_options: true\ndraw: {bai-1: 1, bai-2: 1, bai-3: 1}"
    )
    assert (
        f"04-kiem-tra.md:{line_of(text, '{#ky-so}')}: warning: question 'ky-so' is never drawn: it has no "
        "tag, and the draw takes questions by tag"
    ) in check(tmp_path, text)


# --- 4. longest key ------------------------------------------------------------------------------


def single(n: int, key_longest: bool) -> str:
    key = "Phương án đúng, dài hơn hẳn" if key_longest else "Đúng"
    return (
        f"## Câu {n} {{#cau-{n} tags=bai-{n % 3 + 1}}}\n\nChọn phương án đúng.\n\n"
        f"- [ ] Sai thứ nhất\n- [x] {key}\n- [ ] Sai thứ hai\n"
    )


def test_keys_that_are_mostly_the_longest_option_are_reported_with_their_lines(tmp_path):
    text = quiz("\n".join(single(n, n != 4) for n in range(1, 5)))
    lines = ", ".join(str(line_of(text, f"{{#cau-{n} ")) for n in (1, 2, 3))
    assert check(tmp_path, text) == [
        f"04-kiem-tra.md:1: warning: the correct option is the longest in 3 of 4 single-choice questions "
        f"(lines {lines}): learners can guess by length"
    ]


@pytest.mark.parametrize("count, longest", [(6, (1, 2, 3)), (2, (1, 2))], ids=["not-most", "fewer-than-3"])
def test_keys_longest_by_chance_are_not_reported(tmp_path, count, longest):
    others = [SENSITIVE, SIGNATURE] if count == 6 else [GOOD]  # 3 of 6: half is not "more than half"
    text = quiz("\n".join(others + [single(n, n in longest) for n in range(1, count + 1)]))
    assert check(tmp_path, text) == []


# --- 5. answer formats ---------------------------------------------------------------------------


def short(answers: str, stem: str = "Buổi họp bắt đầu lúc mấy giờ?", attrs: str = "") -> str:
    return f"## Giờ họp {{#gio-hop tags=bai-1{attrs}}}\n\n{stem}\n\n{answers}\n"


def test_a_time_key_must_accept_the_usual_writings(tmp_path):
    text = quiz(GOOD + "\n" + short("= 10:00"))
    assert check(tmp_path, text) == [
        f"04-kiem-tra.md:{line_of(text, '= 10:00')}: the answer '10:00' is a time: also accept '10h', "
        "'10h00', '10 giờ', or say the format in the question (e.g. 'Gõ giờ theo dạng 10:00')"
    ]


def test_a_time_key_accepting_every_writing_passes(tmp_path):
    assert check(tmp_path, quiz(GOOD + "\n" + short("= 10:00\n= 10h\n= 10h00\n= 10 giờ"))) == []


def test_a_question_that_states_the_format_passes(tmp_path):
    assert check(tmp_path, quiz(GOOD + "\n" + short("= 10:00", "Gõ giờ theo dạng 10:00."))) == []


def test_the_format_phrase_is_matched_with_its_tone_marks():
    assert states_format("Ghi theo ĐỊNH DẠNG giờ:phút") and states_format("ví dụ: 9:30")
    assert states_format("go gio theo dang 10:00")  # written without tone marks at all
    assert not states_format("Anh/chị đang ở đâu lúc họp?")  # "đang" is not "dạng"
    assert not states_format("Việc này dễ dàng không?")


def test_a_decimal_key_in_a_short_answer_question_is_an_error(tmp_path):
    text = quiz(GOOD + "\n" + short("= 81,2", "Tỷ lệ hồ sơ đúng hạn là bao nhiêu phần trăm?", " type=short"))
    assert check(tmp_path, text) == [
        f"04-kiem-tra.md:{line_of(text, '= 81,2')}: the answer '81,2' is a decimal number: make the "
        "question numeric (type=numeric accepts both separators), accept '81.2' too, or say the format "
        "in the question"
    ]
    assert check(tmp_path, quiz(GOOD + "\n" + short("= 81,2", "Tỷ lệ hồ sơ đúng hạn?"))) == []  # numeric


def test_a_web_address_key_must_accept_its_variants_or_a_practice_quiz_is_warned(tmp_path):
    text = quiz(GOOD + "\n" + short("= dichvucong.gov.vn", "Cổng dịch vụ công quốc gia ở địa chỉ nào?"))
    [found] = check(tmp_path, text.replace("kind: graded", "kind: practice"))
    assert found.startswith(
        f"04-kiem-tra.md:{line_of(text, '= dichvucong')}: warning: the answer 'dichvucong.gov.vn' is a web "
        "address: also accept 'dichvucong.gov.vn/', 'www.dichvucong.gov.vn'"
    )
    [found] = check(tmp_path, text)
    assert "warning" not in found and "'https://www.dichvucong.gov.vn/'" in found
    variants = "\n".join(
        f"= {scheme}{www}dichvucong.gov.vn{slash}"
        for scheme in ("", "HTTPS://")
        for www in ("", "www.")
        for slash in ("", "/")
    )
    assert check(tmp_path, quiz(GOOD + "\n" + short(variants, "Địa chỉ?", " case=ignore"))) == []


def test_words_that_only_look_like_addresses_are_left_alone(tmp_path):
    assert check(tmp_path, quiz(GOOD + "\n" + short("= TP.HCM\n= 118/2025/NĐ-CP", "Nơi nào?"))) == []


# --- severity on the command line and at import --------------------------------------------------


def test_warnings_alone_pass_the_check_and_fail_it_with_strict(app, tmp_path):
    folder = course(tmp_path, quiz(setting=DRAW + "draw: 2"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"{folder / '04-kiem-tra.md'}:5: warning: a draw of 2 from 3 questions" in result.output
    assert "0 error(s) and 1 warning(s) in 1 course folder(s)" in result.output
    strict = runner.invoke(args=["courses", "check", "--strict", str(folder)])
    assert strict.exit_code == 1
    assert "0 error(s) and 1 warning(s) in 1 course folder(s) (--strict: warnings fail too)" in strict.output


def test_strict_passes_a_course_without_warnings(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["courses", "check", "--strict", str(course(tmp_path, quiz()))]
    )
    assert result.exit_code == 0
    assert "1 course folder(s) checked, no problems" in result.output


def test_import_shows_the_warnings_and_imports_the_course(app, tmp_path, import_folder):
    folder = course(tmp_path, quiz(setting=DRAW + "draw: 2"))
    outcome = import_folder(folder)
    assert outcome.status == "created"
    assert [p.severity for p in outcome.problems] == ["warning"]
    result = app.test_cli_runner().invoke(args=["courses", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "04-kiem-tra.md:5: warning: a draw of 2 from 3 questions" in result.output
    assert f"{folder}: KH-01 version 1.0: unchanged" in result.output


def test_tickall_allowed_survives_a_round_trip_through_gift():
    from app.quizzes.gift import gift_to_markdown, quiz_to_gift

    marked = TICK_ALL.replace("tags=bai-1}", "tags=bai-1 tickall=allowed}")
    gift, problems = quiz_to_gift(parse_quiz({}, {}, marked, 1, lambda *_: None))
    assert problems == [] and "tickall: allowed" in gift
    markdown, problems = gift_to_markdown(gift, title="Đề")
    assert problems == [] and "{#dau-hieu tags=bai-1 tickall=allowed}" in markdown


def test_a_gift_bank_becomes_a_shuffled_quiz_whose_warnings_do_not_fail_the_command(app, tmp_path):
    folder = write_course(tmp_path / "courses", lessons=LESSONS)
    bank = tmp_path / "ngan-hang.gift"
    bank.write_text("::OTP:: Có nên đọc mã OTP cho người gọi điện không? {=Không ~Có ~Đọc rồi đổi}\n")
    result = app.test_cli_runner().invoke(args=["courses", "import-gift", str(bank), "--course", str(folder)])
    assert result.exit_code == 0, result.output
    assert "shuffle_options: true" in (folder / "04-ngan-hang.md").read_text(encoding="utf-8")
    # Messages about a converted bank point at the GIFT file, not the generated Markdown.
    assert "ngan-hang.gift:1: warning: tag each question with its lesson (bai-N)" in result.output
