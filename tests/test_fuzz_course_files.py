"""Property-based fuzzing of the course reader, the quiz syntax and the GIFT reader.

Whatever a trainer (or an attacker) writes, the readers answer with problems located at a file and
a line inside that file, never with an exception. `make test` runs a few examples with a fixed
seed; `make fuzz` runs many more.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from app import safe_yaml
from app.courses.source import COURSE_FIELDS, Problem, read_course
from app.quizzes.gift import gift_to_markdown, quiz_to_gift
from app.quizzes.source import QUIZ_FIELDS, parse_quiz

pytestmark = pytest.mark.fuzz

VIDEO_HOSTS = ("www.youtube-nocookie.com",)

# Values YAML reads in surprising ways: impossible dates, odd numbers, tags, aliases, nesting.
YAML_VALUES = st.sampled_from(
    [
        "2025-13-01",
        "2025-02-30",
        "2025-02-28",
        "2025-1-1 25:61:00",
        "0b_",
        "0x_",
        "0o9",
        "1_000",
        "1:30:00",
        ".nan",
        "-.inf",
        "1e400",
        "9" * 5000,
        "!!int x",
        "!!float ''",
        "!!timestamp 2025",
        "!!binary ===",
        "!!python/object:os.system x",
        "&a [1]",
        "*a",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{a: 1, a: 2}",
        "? [a]\n: b",
        "|\n  text",
        '"unclosed',
        "'it''s'",
        "yes",
        "~",
        "",
        "{}",
        "[]",
        "x: y: z",
        "\t",
        "\x00",
        "\ufeff",
        "information-security",
        "ATTT-CB",
        "4",
        "graded",
        "{co-ban: 2}",
    ]
)
FRONT_KEYS = st.sampled_from(sorted({*COURSE_FIELDS, *QUIZ_FIELDS, "x", "123", "type", "id"}))
FRONT_MATTER = st.lists(
    st.tuples(FRONT_KEYS, st.one_of(YAML_VALUES, st.text(max_size=15))).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    max_size=8,
).map("\n".join)

# Markdown pieces the checker and the quiz parser treat specially, mixed with free text.
MARKDOWN_PIECES = st.sampled_from(
    [
        "# Tiêu đề\n",
        "## Câu {#a points=2 tags=x,y}\n",
        "## Câu {#a}\n",
        "## {#}\n",
        "## Câu {type=numeric case=ignore diacritics=x points=999}\n",
        "- [x] Đúng\n",
        "- [ ] Sai\n",
        "  > phản hồi\n",
        "> chung\n",
        "= 5 +- 0.5\n",
        "= 4,5..5,5\n",
        "= 1e999\n",
        "= -\n",
        "- a -> b\n",
        "1. một\n",
        "2) hai\n",
        "```\n",
        "````\n",
        "~~~\n",
        "    ```\n",
        '!!! warning "Chú ý"\n',
        "!!! \n",
        "![Hình](images/a.png)\n",
        "![](../../etc/passwd)\n",
        "![x](/etc/passwd)\n",
        "![x](//evil.example/a.png)\n",
        "![x][r]\n[r]: http://evil.example/x.png\n",
        "[r]: <>\n",
        "[liên kết](01-bai.md#muc)\n",
        "[x](javascript:alert(1))\n",
        "[x](http://[::1)\n",
        "[x](//evil.example)\n",
        "[x](%2e%2e/%2e%2e/etc/passwd)\n",
        "[x](a\x00b.md)\n",
        '<iframe src="https://evil.example\\@www.youtube-nocookie.com/x" allow="camera">\n',
        "<iframe src='https://www.youtube-nocookie.com/x' allow=\"fullscreen\">\n",
        "<iframe src=>\n",
        '<img src=x onerror="alert(1)">\n',
        "`code` ``\n",
        "| a | b |\n|---|---|\n",
        "---\n",
        "\r\n",
        "\n",
    ]
)
MARKDOWN = st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=20)), max_size=20).map("".join)


@given(
    st.sampled_from(
        ["int", "float", "bool", "timestamp", "binary", "null", "str", "set", "omap", "pairs", "seq"]
    ),
    st.one_of(st.text(max_size=12), st.sampled_from(["''", "[]", "{}", "[a: 1]", "{a}", "- x"])),
)
def test_fuzz_yaml_tags_on_odd_values_only_raise_yaml_errors(tag, value):
    try:
        safe_yaml.load(f"a: !!{tag} {value}\nb: !!{tag}\n")
    except yaml.YAMLError as exc:
        assert exc.problem_mark.line <= 2  # every error carries its line


def _file_text(front: str | None, body: str) -> str:
    return body if front is None else f"---\n{front}\n---\n{body}"


def _assert_located(problems: list[Problem], folder: Path) -> None:
    """Every problem names a file of the course and a line that exists in it (or line 1)."""
    for problem in problems:
        path = Path(problem.path)
        assert path.parent == folder, problem
        assert problem.message, problem
        if path.is_file():
            lines = path.read_bytes().count(b"\n") + 1
            assert 1 <= problem.line <= max(lines, 1), problem


@given(
    course_front=st.one_of(st.none(), FRONT_MATTER),
    intro=MARKDOWN,
    lessons=st.lists(
        st.tuples(
            st.sampled_from(["01-bai.md", "02-de.md", "02-bai-hai.md", "bai.md", "0001-x.md"]),
            st.one_of(st.none(), FRONT_MATTER, FRONT_MATTER.map(lambda f: "type: quiz\n" + f)),
            MARKDOWN,
        ),
        max_size=3,
    ),
    raw=st.one_of(st.none(), st.binary(max_size=40)),
)
def test_fuzz_course_reader_reports_problems_by_file_and_line(
    tmp_path_factory, course_front, intro, lessons, raw
):
    folder = tmp_path_factory.mktemp("course")
    try:
        (folder / "course.md").write_text(_file_text(course_front, intro), encoding="utf-8", newline="")
        for name, front, body in lessons:
            (folder / name).write_text(_file_text(front, body), encoding="utf-8", newline="")
        if raw is not None:
            (folder / "03-nhi-phan.md").write_bytes(raw)
        (folder / "images").mkdir()
        (folder / "images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        course, problems = read_course(folder, VIDEO_HOSTS)
        assert course is None or not problems
        _assert_located(problems, folder)
    finally:
        shutil.rmtree(folder)


@given(front=FRONT_MATTER, body=MARKDOWN, first_line=st.integers(1, 50))
def test_fuzz_quiz_syntax_reports_by_line(front, body, first_line):
    try:
        data = safe_yaml.load(front)
    except yaml.YAMLError:
        data = {}
    data = data if isinstance(data, dict) else {}
    reported: list[tuple[int, str]] = []
    last_line = first_line + body.count("\n")
    quiz = parse_quiz(
        {"type": "quiz", **data}, {}, body, first_line, lambda line, message: reported.append((line, message))
    )
    for line, message in reported:
        assert isinstance(message, str) and message
        assert line == 1 or first_line <= line <= last_line, (line, message)
    gift, problems = quiz_to_gift(quiz)  # and back out again, never an exception
    assert isinstance(gift, str)
    assert all(first_line <= p.line <= last_line for p in problems)


GIFT_PIECES = st.sampled_from(
    [
        "::T::",
        "::",
        "{",
        "}",
        "=",
        "~",
        "#",
        "####",
        "->",
        "%50%",
        "%-33.3%",
        "%999%",
        "%",
        ":",
        "..",
        "\\",
        "\\:",
        "\\{",
        "[html]",
        "[markdown]",
        "<img src=x>",
        "// id: a points: 2 tags: x,y case: match diacritics: ignore\n",
        "// [id:b] [tag:t]\n",
        "// points: 9999999999\n",
        "{#1:2}",
        "{#1..2}",
        "{#1e999:1}",
        "{#nan}",
        "{T}",
        "{FALSE#sai#đúng}",
        "{=a -> b =c -> d}",
        "{}",
        "1.5",
        "-",
        "*",
        "\n",
        "\n\n",
        "$CATEGORY: x\n",
    ]
)


@given(st.lists(st.one_of(GIFT_PIECES, st.text(max_size=10)), max_size=40).map("".join))
def test_fuzz_gift_reader_reports_by_line(text):
    markdown, problems = gift_to_markdown(text, title="Ngân hàng", settings={"kind": "graded"})
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for problem in problems:
        assert 1 <= problem.line <= lines, problem
    assert markdown.startswith("---\ntype: quiz\n")


@given(st.lists(st.one_of(GIFT_PIECES, st.text(max_size=10)), max_size=30).map("".join))
def test_fuzz_gift_output_reads_back_as_a_quiz_file(tmp_path_factory, text):
    """What import-gift writes into a course folder is read by the course reader without a crash."""
    folder = tmp_path_factory.mktemp("gift")
    try:
        markdown, _ = gift_to_markdown(text, title="Ngân hàng")
        (folder / "course.md").write_text(
            "---\ncode: KH\ntitle: T\nsummary: S\ncategory: other\nhours: 1\nversion: '1'\n---\nX\n",
            encoding="utf-8",
        )
        (folder / "01-ngan-hang.md").write_text(markdown, encoding="utf-8")
        _, problems = read_course(folder, VIDEO_HOSTS)
        _assert_located(problems, folder)
    finally:
        shutil.rmtree(folder)
