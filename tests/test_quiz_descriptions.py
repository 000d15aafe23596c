"""Descriptions: text between a quiz's questions (Moodle's description), written as a section of
its own, shown before the question after it, and carried to and from GIFT."""

from __future__ import annotations

from app.courses.source import read_course
from app.quizzes.gift import gift_to_markdown, quiz_to_gift
from app.quizzes.source import parse_quiz
from tests.helpers import write_course

QUIZ = """---
type: quiz
shuffle_options: true
---
# Kiểm tra

## Câu một {#mot tags=bai-1}

- [x] Có
- [ ] Không

## Tình huống {type=description}

Đọc tình huống sau: *một người gọi điện xin mã OTP*.

## Câu hai {#hai tags=bai-1}

- [x] Từ chối
- [ ] Đọc mã
"""
LESSONS = {"01-bai.md": "# Bài một\n\nNội dung.\n", "02-kiem-tra.md": QUIZ}


def _parse(body: str):
    problems: list[tuple[int, str]] = []
    quiz = parse_quiz({}, {}, body, 1, lambda line, message: problems.append((line, str(message))))
    return quiz, problems


def test_a_description_goes_with_the_question_after_it():
    quiz, problems = _parse(QUIZ.split("---\n", 2)[2])
    assert problems == []
    one, two = quiz.questions
    assert one.descriptions == []
    assert two.descriptions == [("Tình huống", "Đọc tình huống sau: *một người gọi điện xin mã OTP*.")]
    assert two.stem == ""


def test_a_description_with_nothing_after_it_or_no_text_is_reported_by_line():
    _quiz, problems = _parse(
        "## Câu {#a}\n\n= x\n\n## Cuối {type=description}\n\nHết.\n\n## Trống {type=description}\n"
    )
    assert (
        5,
        "a description is shown before the question after it, and no question follows: "
        "move its text to the quiz's introduction",
    ) in problems
    assert (9, "a description needs text under its heading") in problems
    _quiz, problems = _parse("## Đoạn {type=description points=2}\n\nChữ.\n\n## Câu {#a}\n\n= x\n")
    assert problems == [(1, "a description takes no settings but type=description, not 'points=2'")]


def test_the_attempt_page_shows_the_description_before_its_question(app, make, auth, client):
    make.course(lessons=LESSONS)
    make.enrolment(make.user())
    auth.login()
    response = auth.post(
        "/courses/KH-01/quizzes/kiem-tra/start", token_from="/courses/KH-01/lessons/kiem-tra"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    description = page.index("<em>một người gọi điện xin mã OTP</em>")
    assert page.index("Câu một") < page.index("<h2>Tình huống</h2>") < description < page.index("Câu hai")


def test_a_course_with_descriptions_checks_clean(tmp_path):
    course, problems = read_course(write_course(tmp_path, lessons=LESSONS))
    assert course is not None and not [p for p in problems if p.is_error], problems


def test_descriptions_go_to_gift_and_back():
    quiz, _problems = _parse(QUIZ.split("---\n", 2)[2])
    gift, notes = quiz_to_gift(quiz)
    assert notes == []
    assert (
        "::Tình huống::[markdown]Đọc tình huống sau\\: *một người gọi điện xin mã OTP*.\n\n// id: hai" in gift
    )
    markdown, problems = gift_to_markdown(gift, title="Kiểm tra")
    assert problems == []
    again, _ = _parse(markdown.split("---\n", 2)[2])
    assert again.questions[1].descriptions == quiz.questions[1].descriptions
    assert again.questions[1].stem == quiz.questions[1].stem
