"""GIFT texts imported as they were written: escaping, HTML, control characters, encodings, the course
checker, descriptions and categories (`flask courses import-gift`, app/quizzes/gift.py)."""

from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from functools import partial

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.courses.render import render_markdown
from app.quizzes.gift import convert_gift, gift_escape
from app.quizzes.gift_text import (
    MARK,
    compact,
    escape_markdown,
    expected_text,
    html_to_markdown,
    shown_text,
    start_conversion,
)
from app.quizzes.source import QuizSource, parse_quiz
from tests.helpers import write_course


def read_quiz(markdown: str) -> QuizSource:
    """The quiz in a converted file, read as the course reader does; it must have no problems."""
    _, front, body = markdown.split("---\n", 2)
    problems: list = []
    quiz = parse_quiz(
        yaml.safe_load(front), {}, body.split("\n", 1)[1], 2, lambda *problem: problems.append(problem)
    )
    assert problems == []
    return quiz


def convert(gift: str, **settings):
    conversion = convert_gift(
        textwrap.dedent(gift), title="Ngân hàng", settings=settings, render=render_markdown
    )
    return read_quiz(conversion.markdown), conversion


def shown(markdown: str) -> str:
    """What a learner reads when the course renders this Markdown (tags removed, spaces collapsed)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", render_markdown(markdown)))
    return " ".join(text.split())


LOOKS_LIKE_MARKDOWN = [
    "# Không phải tiêu đề",
    "___",
    "---",
    "***",
    "1. Thứ nhất",
    "2) Thứ hai",
    "- gạch đầu dòng",
    "* dấu sao",
    "+ dấu cộng",
    "> không phải trích dẫn",
    "Cột A | Cột B",
    "Dùng `mã` ở đây",
    "[Cổng thông tin](https://hanoi.gov.vn)",
    "<tên cán bộ> ký thay",
    "a_b_c, _nghiêng_ và *sao*",
    "Điền vào chỗ trống: _____ .",
    "!!! note",
    "~~~",
    "= 5",
    "A & B < C và a&b",
    "[[VB 356/2025/NĐ-CP]]",
    "Đường dẫn C:\\Tai lieu\\*.docx",
    "Số 1.5 và -3",
]


@pytest.mark.parametrize("text", LOOKS_LIKE_MARKDOWN)
def test_text_that_looks_like_markdown_shows_as_written(text):
    escaped = gift_escape(text)
    quiz, conversion = convert(f"::Câu::{escaped} {{={escaped}#{escaped} ~Phương án khác}}")
    assert conversion.problems == []
    question = quiz.questions[0]
    assert shown(question.stem) == text
    assert shown(question.choices[0].text) == text
    assert shown(question.choices[0].feedback) == text
    assert "<h1" not in render_markdown(question.stem) and "<hr" not in render_markdown(question.stem)


def test_plain_text_tags_stay_text_and_moodle_html_becomes_markdown():
    quiz, conversion = convert("""\
        ::Thuần::[plain]Thẻ <b>đậm</b> là chữ {=Có ~Không}

        ::Moodle::Chữ <b>đậm</b> là định dạng {=Có ~Không}
    """)
    assert conversion.problems == []
    plain, moodle = quiz.questions
    assert shown(plain.stem) == "Thẻ <b>đậm</b> là chữ"
    assert "<strong>đậm</strong>" in render_markdown(moodle.stem)


def test_html_links_audio_bold_italics_lists_and_line_breaks_are_kept():
    quiz, conversion = convert("""\
        ::Nghe::[html]<p>Nghe <a href="https://hanoi.gov.vn/nghe/bai-1.mp3">bài nghe số 1</a> rồi chọn
        <b>một</b> ý <i>đúng</i>:<br>(chỉ một ý)</p><ul><li>Ý thứ nhất</li><li>Ý thứ hai</li></ul>
        <ol><li>Bước một</li><li>Bước hai</li></ol>
        <p>Nước là H<sub>2</sub>O, <s>không phải</s> CO<sub>2</p>{=Một ~Hai}
    """)
    assert conversion.problems == []
    page = render_markdown(quiz.questions[0].stem)
    assert '<a href="https://hanoi.gov.vn/nghe/bai-1.mp3" rel="noopener noreferrer">bài nghe số 1</a>' in page
    assert "<strong>một</strong>" in page and "<em>đúng</em>" in page and "<br" in page
    assert "<ul>\n<li>Ý thứ nhất</li>\n<li>Ý thứ hai</li>\n</ul>" in page
    assert "<ol>\n<li>Bước một</li>" in page
    assert "<p>Nước là H<sub>2</sub>O, <s>không phải</s> CO<sub>2</sub></p>" in page


def test_an_html_table_becomes_a_markdown_table():
    quiz, conversion = convert("""\
        ::Bảng::[html]<p>Đối chiếu bảng:</p><table><tr><th>Văn bản</th><th>Năm | ban hành</th></tr>
        <tr><td><b>Luật Cán bộ</b></td><td>2025</td></tr><tr><td></td><td>2008</td></tr></table>{=Có ~Không}
    """)
    assert conversion.problems == []
    assert quiz.questions[0].stem == (
        "Đối chiếu bảng:\n\n| Văn bản | Năm \\| ban hành |\n| --- | --- |\n"
        "| **Luật Cán bộ** | 2025 |\n|  | 2008 |"
    )
    assert "<td><strong>Luật Cán bộ</strong></td>" in render_markdown(quiz.questions[0].stem)


def test_what_html_cannot_carry_is_reported_with_the_gift_line():
    _, conversion = convert("""\
        ::Một::Câu đầu {=a ~b}

        // hỏi có hình
        ::Hai::[html]<p style="color:red">Xem hình <img src="data:image/png;base64,AAAA"></p>
        <script>alert(1)</script><iframe src="https://la.example/x"></iframe>
        <table><tr><td>Ô 1</td><td>Ô 2</td></tr></table>{=a ~b}
    """)
    [problem] = conversion.problems
    assert problem.line == 4 and "question 'Hai': its HTML was converted with a loss" in problem.message
    for loss in ("<script>", "<iframe>", "the style of <p>", "data:"):
        assert loss in problem.message
    assert "table" not in problem.message  # a table is kept


def test_a_video_frame_from_an_allowed_host_is_kept_others_are_reported():
    hosts = ("www.youtube-nocookie.com",)
    conversion = convert_gift(
        '::Video::[html]<p>Xem video:</p><iframe src="https://www.youtube-nocookie.com/embed/abc" '
        'width="560"></iframe><iframe src="https://la.example/x"></iframe>{=Có ~Không}',
        title="T",
        render=partial(render_markdown, video_hosts=hosts),
        video_hosts=hosts,
    )
    stem = read_quiz(conversion.markdown).questions[0].stem
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Video"></iframe>' in stem
    assert "la.example" not in stem
    [problem] = conversion.problems
    assert "<iframe>" in problem.message and "the width of <iframe>" in problem.message


def test_moodle_control_characters_come_out_as_those_characters():
    quiz, conversion = convert(r"""
        ::Ký tự điều khiển::Ký tự nào mở phản hồi trong GIFT? {
            ~\~
            ~\=
            =\##Đúng: dấu \# mở phản hồi.
            ~\{
            ~\}
            ~\:
        }
    """)
    assert conversion.problems == []
    choices = quiz.questions[0].choices
    assert [shown(c.text) for c in choices] == list("~=#{}:")
    assert not any("<h1" in render_markdown(c.text) for c in choices)
    assert shown(choices[2].feedback) == "Đúng: dấu # mở phản hồi."


def test_renderer_differences_are_reported_with_the_gift_line():
    conversion = convert_gift(
        "\n::Một::Câu hỏi {=a ~b}\n", title="T", render=lambda markdown: "<p>chữ khác</p>"
    )
    assert conversion.problems and {p.line for p in conversion.problems} == {2}
    assert "would not show as written in GIFT" in conversion.problems[0].message


def test_descriptions_are_text_between_questions():
    quiz, conversion = convert("""\
        Các câu sau nói về <b>mật khẩu</b>.

        ::Một::Mật khẩu nên dài ít nhất bao nhiêu ký tự? {#12}

        ::Đoạn văn::Đọc đoạn sau: "Cán bộ không chia sẻ mật khẩu."

        ::Hai::Cán bộ có được chia sẻ mật khẩu không? {F}
    """)
    assert conversion.problems == []
    assert quiz.intro == "Các câu sau nói về **mật khẩu**."
    one, two = quiz.questions
    assert one.stem == "Mật khẩu nên dài ít nhất bao nhiêu ký tự?"
    # the description stands between the questions, as its own text, not inside the question
    assert two.stem == "Cán bộ có được chia sẻ mật khẩu không?"
    assert two.descriptions == [("Đoạn văn", 'Đọc đoạn sau: "Cán bộ không chia sẻ mật khẩu."')]
    assert "## Đoạn văn {type=description}" in conversion.markdown
    assert any(
        "line 5: a description" in line and "before question 'Hai'" in line for line in conversion.summary
    )


def test_categories_become_tags_a_quiz_draws_by():
    quiz, conversion = convert(
        """\
        $CATEGORY: $course$/top/Luật/Chương 1

        ::Một::Câu một {=a ~b}

        ::Hai::Câu hai {=a ~b}

        $CATEGORY: $course$/top/Luật/Chương 2
        ::Ba::Câu ba {=a ~b}
        """,
        draw={"luat-chuong-1": 1, "luat-chuong-2": 1},
    )
    assert conversion.problems == []
    assert [q.tags for q in quiz.questions] == [("luat-chuong-1",), ("luat-chuong-1",), ("luat-chuong-2",)]
    assert quiz.settings.draw == {"luat-chuong-1": 1, "luat-chuong-2": 1}
    assert conversion.summary[0].startswith(
        "line 1: category '$course$/top/Luật/Chương 1' became the tag 'luat-chuong-1' of 2 questions"
    )


# --------------------------------------------------------------------------------------------------
# The command: encodings, the course checker, messages by GIFT line


def import_gift(app, bank, folder, *options):
    return app.test_cli_runner().invoke(
        args=["courses", "import-gift", str(bank), "--course", str(folder), "--title", "Ngân hàng", *options]
    )


def test_a_file_with_a_bom_is_read(app, courses_root, tmp_path):
    folder = write_course(courses_root)
    bank = tmp_path / "bom.gift"
    bank.write_bytes("\ufeff::Thủ đô::Thủ đô của Việt Nam? {=Hà Nội ~Huế}\n".encode())
    result = import_gift(app, bank, folder)
    assert result.exit_code == 0, result.output
    written = (folder / "04-ngan-hang.md").read_text(encoding="utf-8")
    assert "\ufeff" not in written and "## Thủ đô {#thu-do}" in written


def test_a_latin_1_file_is_refused_with_line_and_byte_unless_its_encoding_is_named(
    app, courses_root, tmp_path
):
    folder = write_course(courses_root)
    bank = tmp_path / "latin.gift"
    bank.write_bytes("// Latin-1\n\n::Cà phê::Cà phê à? {=Có ~Không}\n".encode("latin-1"))
    refused = import_gift(app, bank, folder)
    assert refused.exit_code != 0
    assert f"{bank}:3: byte 16 (column 4 of the line, 0xe0) is not UTF-8" in refused.output
    assert not (folder / "04-ngan-hang.md").exists()

    accepted = import_gift(app, bank, folder, "--encoding", "latin-1")
    assert accepted.exit_code == 0, accepted.output
    assert "## Cà phê {#ca-phe}" in (folder / "04-ngan-hang.md").read_text(encoding="utf-8")


def cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258: letters with their circumflex, breve or horn, tones combining."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
            letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
            out += (letter + "".join(tones)).encode("cp1258")
    return out


def test_a_windows_1258_file_is_read_with_its_encoding_named(app, courses_root, tmp_path):
    folder = write_course(courses_root)
    bank = tmp_path / "cp1258.gift"
    bank.write_bytes(cp1258("::Thủ đô::Thủ đô của Việt Nam là thành phố nào? {=Hà Nội ~Huế}\n"))
    assert import_gift(app, bank, folder).exit_code != 0
    result = import_gift(app, bank, folder, "--encoding", "cp1258")
    assert result.exit_code == 0, result.output
    written = (folder / "04-ngan-hang.md").read_text(encoding="utf-8")
    assert "Thủ đô của Việt Nam là thành phố nào?" in written and "- [x] Hà Nội" in written


def test_an_unknown_encoding_is_refused(app, courses_root, tmp_path):
    bank = tmp_path / "a.gift"
    bank.write_text("::A::Câu {=a ~b}\n", encoding="utf-8")
    result = import_gift(app, bank, write_course(courses_root), "--encoding", "klingon")
    assert result.exit_code != 0 and "unknown encoding 'klingon'" in result.output


def test_moodle_format_html_answers_make_a_quiz_courses_check_accepts(app, courses_root, tmp_path):
    folder = write_course(courses_root)
    bank = tmp_path / "moodle.gift"
    bank.write_text(
        "::Thủ đô::<p>Thủ đô của Việt Nam là thành phố nào?</p>"
        "{=<p>Hà Nội</p> ~<p>Huế</p> ~<p>Đà Nẵng</p>}\n\n"
        "::Viết::<p>Viết tên thủ đô.</p>{=<p>Hà Nội</p>}\n",
        encoding="utf-8",
    )
    result = import_gift(app, bank, folder)
    assert result.exit_code == 0, result.output
    written = (folder / "04-ngan-hang.md").read_text(encoding="utf-8")
    assert "- [x] Hà Nội" in written and "= Hà Nội" in written and "<p>" not in written
    checked = app.test_cli_runner().invoke(args=["courses", "check", str(folder)])
    assert checked.exit_code == 0, checked.output


def test_a_quiz_the_checker_refuses_is_not_written_and_its_problems_point_at_the_gift(
    app, courses_root, tmp_path
):
    folder = write_course(courses_root)
    bank = tmp_path / "lien-ket.gift"
    bank.write_text(
        "::Một::Câu một {=a ~b}\n\n// liên kết hỏng\n::Hai::[markdown]Xem [bài đọc](bai-doc.md). {=a ~b}\n",
        encoding="utf-8",
    )
    result = import_gift(app, bank, folder)
    assert result.exit_code == 1
    assert f"{bank}:4: link 'bai-doc.md': there is no lesson file bai-doc.md" in result.output
    assert "not written: the course checker refuses it" in result.output
    assert not (folder / "04-ngan-hang.md").exists()


MARKDOWN_ALPHABET = st.sampled_from(
    list("#*_-+=>|`[]()!<>&;:.~\\{}0123456789 \naăâđêôơưáàạ") + ["&amp;", "1. "]
)


@given(st.lists(MARKDOWN_ALPHABET, max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_fuzz_escaped_text_shows_as_written(text):
    """Whatever a plain GIFT text holds, the Markdown written for it shows that text."""
    assert compact(shown_text(render_markdown(escape_markdown(text)))) == compact(text)


HTML_PIECES = st.sampled_from(
    ["<p>", "</p>", "<b>", "</b>", "<i>", "</i>", "<em>", "</em>", "<strong>", "</strong>", "<br>"]
    + ["<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>", '<a href="https://hanoi.gov.vn/a b.mp3">', "</a>"]
    + ['<a href="bai.mp3">', "<script>", "</script>", "<h1>", "</h1>"]
    + ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "|"]
    + ["<sub>", "</sub>", "<del>", "</del>", "<strike>", "<kbd>", "</kbd>", "<code>"]
    + ["# ", "1. ", "- ", "*", "_", "[", "]", "(", ")", "&amp;", "&lt;", ">", "chữ", " ", "\n"]
)


@given(st.lists(HTML_PIECES, max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_fuzz_html_shows_its_text(text):
    """Whatever HTML a GIFT text holds, the Markdown made of it shows the text the HTML showed."""
    start_conversion()
    markdown, _ = html_to_markdown(text)
    assert shown_text(render_markdown(markdown.removeprefix(MARK))) == compact(expected_text(markdown) or "")
