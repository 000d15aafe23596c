"""`courses check` on quizzes: every problem named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.courses.source import read_course
from tests.helpers import write_course


def problems_in_quiz(tmp_path: Path, quiz: str) -> list[str]:
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\nNội dung.\n", "02-de.md": quiz})
    _, problems = read_course(path)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems]


HEAD = "---\ntype: quiz\n---\n# Đề\n\n"  # question bodies start on line 6


@pytest.mark.parametrize(
    "body, expected",
    [
        ("## Câu {#a}\n\n- [ ] Một\n- [ ] Hai\n", "02-de.md:6: question 'a' has no correct answer"),
        (
            "## Câu {#a type=single}\n\n- [x] Một\n- [x] Hai\n",
            "02-de.md:9: 2 correct answers in a single-choice question",
        ),
        (
            "## Câu {#a type=essay}\n\nViết.\n\n= x\n",
            "02-de.md:10: essay 'a' takes no answers: its text is the task, and a trainer marks the reply",
        ),
        ("## Câu {#a type=esay}\n\n= x\n", "02-de.md:6: unknown question type 'esay'"),
        (
            "## Câu {#a type=essay}\n\n> Gợi ý\n",
            "02-de.md:6: essay 'a' needs a task: write it under the heading",
        ),
        ("## Câu {#a words=50}\n\n= x\n", "02-de.md:6: words= is a setting of essays (type=essay)"),
        (
            "## Câu {#a type=essay words=0}\n\nViết.\n",
            "02-de.md:6: words must be a whole number from 1 to 5000, not '0'",
        ),
        (
            "## Câu {#a}\n\n= 5 +- năm\n",
            "02-de.md:8: '5 +- năm' is not a number, 'number +- tolerance' or 'low..high'",
        ),
        ("## Câu {#a}\n\n= 9..3\n", "02-de.md:8: '9..3' is not a number"),
        ("## Câu không id\n\n- [x] Một\n- [ ] Hai\n", "02-de.md:6: a question needs an id"),
        (
            "## Câu {#a}\n\n- [x] Một\n- [ ] Hai\n\n## Câu {#a}\n\n- [x] Một\n- [ ] Hai\n",
            "02-de.md:11: question id 'a' is also used on line 6",
        ),
        ("## Câu {#a points=0}\n\n- [x] Một\n- [ ] Hai\n", "02-de.md:6: points must be a whole number"),
        ("## Câu {#a}\n\nChỉ có câu hỏi.\n", "02-de.md:6: question 'a' has no answers"),
        ("## Câu {#a}\n\n- A -> 1\n", "02-de.md:6: a matching question needs at least two pairs"),
        (
            "## Câu {#a}\n\n- [x] Một\n- [ ] Hai\n\n## Câu {#b type=ordering}\n\n- [x] Một\n- [ ] Hai\n",
            "02-de.md:11: type=ordering does not match a task list of options",
        ),
        ("Giới thiệu thôi.\n", "02-de.md:5: the quiz has no questions"),
    ],
)
def test_question_problems(tmp_path, body, expected):
    found = problems_in_quiz(tmp_path, HEAD + body)
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize(
    "front, expected",
    [
        ("draw: 5", "02-de.md:3: draw 5 is more than the 2 questions in the pool"),
        ("draw: {co-ban: 3}", "02-de.md:3: draw 3 questions tagged 'co-ban', but the pool has 1"),
        ("draw: nhiều", "02-de.md:3: draw must be 'all', a number of questions, or {tag: number, ...}"),
        ("pass_mark: 120", "02-de.md:3: pass_mark must be a whole number from 0 to 100"),
        ("grading: best", "02-de.md:3: grading 'best' is not one of: highest, last, first, average"),
        ("review: always", "02-de.md:3: review 'always' is not one of"),
        ("shuffle_options: có", "02-de.md:3: shuffle_options must be true or false"),
        ("deadline: 5", "02-de.md:3: unknown field 'deadline'"),
    ],
)
def test_setting_problems(tmp_path, front, expected):
    quiz = (
        f"---\ntype: quiz\n{front}\n---\n# Đề\n\n## Một {{#mot tags=co-ban}}\n\n- [x] A\n- [ ] B\n\n"
        "## Hai {#hai}\n\n- [x] A\n- [ ] B\n"
    )
    found = problems_in_quiz(tmp_path, quiz)
    assert any(p.startswith(expected) for p in found), found


def test_a_good_quiz_has_no_problems(tmp_path):
    from tests.quiz_fixtures import QUIZ

    quiz = QUIZ.format(
        kind="graded",
        max_attempts=3,
        grading="average",
        time_limit=20,
        review="after_passing",
        layout="one_per_page",
    )
    assert problems_in_quiz(tmp_path, quiz) == []


def test_cli_check_reports_quiz_problems(app, courses_root):
    write_course(courses_root, lessons={"01-de.md": HEAD + "## Câu {#a}\n\n- [ ] Một\n- [ ] Hai\n"})
    result = app.test_cli_runner().invoke(args=["courses", "check", str(courses_root)])
    assert result.exit_code == 1
    assert "01-de.md:6: question 'a' has no correct answer" in result.output


def test_a_malformed_quiz_imports_nothing(app, courses_root, import_folder):
    path = write_course(courses_root, lessons={"01-de.md": HEAD + "## Câu {#a}\n\n= 5 +- x\n"})
    outcome = import_folder(path)
    assert outcome.status == "failed"
    assert "01-de.md:8:" in str(outcome.problems[0])
