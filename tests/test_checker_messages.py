"""The course checker's problems, shown to a trainer in the browser in Vietnamese and on the command
line in English: the same problems, rendered in the language active when they are shown."""

from __future__ import annotations

import ast
import io
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

from app.courses.bundle import unpack
from app.courses.gitsource import refusal
from app.courses.source import Problem, read_course
from app.messages import Message
from tests.helpers import write_course

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
CHECKERS = [
    "app/courses/source.py",
    "app/courses/bundle.py",
    "app/courses/gitsource.py",
    "app/courses/workload.py",
    "app/quizzes/source.py",
    "app/quizzes/assessment.py",
    "app/legal/register.py",
]

QUIZ = """---
type: quiz
kind: graded
shuffle_options: true
---
# Kiểm tra

## Chữ ký số {#ky-so tags=bai-9}

Chữ ký số có giá trị pháp lý như chữ ký tay.

- [x] Đúng
- [ ] Sai
"""


def broken_problems(tmp_path: Path) -> dict[str, Problem]:
    """One problem of each kind a trainer meets, by a short name: a course without a title, a quiz
    question tagged for a lesson the course does not have, a course crediting more periods than its
    content supports, a zip entry that leaves the folder, and a refused git address."""
    untitled = write_course(
        tmp_path / "a", lessons={"01-mo-dau.md": "# Mở đầu\n\nNội dung.\n", "02-kt.md": QUIZ}
    )
    course_md = untitled / "course.md"
    course_md.write_text(
        course_md.read_text(encoding="utf-8").replace("title:", "tieu_de:"), encoding="utf-8"
    )
    _, problems = read_course(untitled)
    _, heavy = read_course(write_course(tmp_path / "b", hours=40))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("khoa/../ngoai.md", "# Ngoài\n")
    (tmp_path / "ra").mkdir()
    _, zipped = unpack(buffer.getvalue(), tmp_path / "ra", "khoa.zip")
    git = Problem("git", 1, refusal("ext::sh -c id", "main"))
    return {
        "required": next(p for p in problems if "'title' is required" in p.message),
        "tag": next(p for p in problems if "names no lesson" in p.message),
        "hours": next(p for p in heavy if p.message.startswith("hours:")),
        "zip": zipped[0],
        "git": git,
    }


VIETNAMESE = {
    "required": "thiếu trường `title:` (bắt buộc)",
    "tag": "thẻ bai-9 không ứng với bài học nào của khoá học (các bài học nội dung là: 1)",
    "hours": "hours: khoá học tính 40 tiết, nhưng nội dung chỉ tương ứng khoảng 1 tiết (đọc",
    "zip": "đường dẫn của 'khoa/../ngoai.md' có '..', sẽ trỏ ra ngoài thư mục khoá học",
    "git": "'ext::sh -c id' có dấu cách hoặc ký tự điều khiển",
}
ENGLISH = {
    "required": "'title' is required",
    "tag": "tag bai-9 names no lesson of the course (its content lessons are: 1)",
    "hours": "hours: 40 periods credited, but the content supports about 1 (reading",
    "zip": "'khoa/../ngoai.md' has '..' in its path, which would leave the course folder",
    "git": "'ext::sh -c id' has a space or a control character in it",
}


def test_a_trainer_reads_the_problems_in_vietnamese(app, tmp_path):
    problems = broken_problems(tmp_path)
    with app.test_request_context(), force_locale("vi"):
        for name, problem in problems.items():
            shown = str(problem.message)
            assert shown.startswith(VIETNAMESE[name]), name
            assert shown != problem.message.english
            assert str(problem) == f"{problem.path}:{problem.line}: {shown}"
        assert "phút, bài kiểm tra" in str(problems["hours"].message)  # the summary inside is translated
        assert "reading" not in str(problems["hours"].message)


def test_the_same_problems_read_in_english_where_english_is_chosen(app, tmp_path):
    problems = broken_problems(tmp_path)
    with app.test_request_context(), force_locale("en"):
        for name, problem in problems.items():
            assert str(problem.message).startswith(ENGLISH[name]), name
            assert str(problem.message) == problem.message == problem.message.english


def test_outside_the_application_the_problems_are_english(tmp_path):
    for name, problem in broken_problems(tmp_path).items():
        assert str(problem).endswith(str(problem.message)) and str(problem.message).startswith(ENGLISH[name])


def test_a_message_compares_and_sorts_by_its_english_in_any_language(app, tmp_path):
    problems = broken_problems(tmp_path)
    with app.test_request_context(), force_locale("vi"):
        assert problems["tag"].message == ENGLISH["tag"]
        assert "names no lesson" in problems["tag"].message
        assert sorted(set(problems.values())) == sorted(problems.values())
        assert len({problems["git"], Problem("git", 1, refusal("ext::sh -c id", "main"))}) == 1


def test_a_page_shows_a_message_translated_and_escaped(app):
    message = Message("HTML <%(tag)s> is not allowed and would be removed", tag="script")
    with app.test_request_context(), force_locale("vi"):
        html = render_template_string("<p>{{ message }}</p>", message=message)
    assert html == "<p>không được dùng thẻ HTML &lt;script&gt;; thẻ này sẽ bị loại bỏ</p>"


def _messages(path: str) -> list[str]:
    return [msgid for _, msgid, _, _ in extract_from_file("python", ROOT / path, keywords={"_l": None})]


@pytest.mark.parametrize("path", CHECKERS)
def test_each_checker_message_has_a_translation_with_the_same_placeholders(path):
    """tests/test_i18n.py checks that every msgid is translated; this, that each checker's translation
    keeps the msgid's placeholders, which would otherwise fail only when a trainer's page shows it."""
    with CATALOG.open("rb") as stream:
        catalog = read_po(stream)
    msgids = _messages(path)
    assert msgids
    for msgid in msgids:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string and not entry.fuzzy, msgid
        wanted = set(re.findall(r"%\((\w+)\)s", msgid))
        assert set(re.findall(r"%\((\w+)\)s", entry.string)) == wanted, msgid
        entry.string % dict.fromkeys(wanted, "x") if wanted else None  # formats without error


# Calls that carry a checker's message, and which of their arguments are messages.
_CARRIERS = {"Problem": slice(2, 3), "FetchError": slice(1, 2)}
_REPORTS = {"problem", "report", "bad", "at"}


def _plain_text(node: ast.AST) -> bool:
    """An f-string, or a literal with a space: English that would reach a trainer untranslated."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value
    )


def _untranslated(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = node.args[_CARRIERS[name]] if name in _CARRIERS else node.args if name in _REPORTS else []
            lines += [arg.lineno for arg in args if _plain_text(arg)]
        elif isinstance(node, ast.Assign) and _plain_text(node.value):
            if any(getattr(target, "id", None) in {"message", "why"} for target in node.targets):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Return) and node.value is not None and isinstance(node.value, ast.JoinedStr)
        ):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", CHECKERS)
def test_no_checker_message_is_left_as_plain_english(path):
    """Every message a checker reports goes through `_l`: no f-string or sentence is handed to a
    problem, a report or an error (labels and paths such as 'URL@abc1234' are not messages)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    allowed_returns = {"__str__", "label", "megabytes", "_course_root", "estimate_line"}  # not messages
    found = [
        line
        for line in _untranslated(tree)
        if not any(
            isinstance(f, ast.FunctionDef) and f.name in allowed_returns and f.lineno <= line <= f.end_lineno
            for f in ast.walk(tree)
        )
    ]
    assert not found, f"{path}: untranslated message on line(s) {found}"
