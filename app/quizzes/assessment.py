"""Assessment rules: whether a quiz measures what its lessons teach, checked with the course.

`courses check` and `courses import` run these on every quiz of a course, after the quiz files are
read (app/quizzes/source.py). Graded quizzes decide appointments, so what would let a learner pass
without knowing the lesson is an error there; in practice quizzes the same findings are warnings.
Draw coverage and keys that are the longest option are warnings in graded quizzes. The rules are
documented for trainers in courses/README.md ("Assessment rules").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from app.messages import Message, _l
from app.quizzes.source import QuestionSource, QuizSource, answer_weight
from app.quizzes.types import question_type
from app.text import fold, nfc

# report(file, line, message, severity)
Report = Callable[[Path, int, Message, str], None]

LESSON_TAG_RE = re.compile(r"^bai-(\d{1,4})$")
CHOICE_TYPES = ("single", "multiple")  # true/false has nothing to shuffle
LONGEST_KEY_MIN = 3  # flagged questions, and more than half of the single-choice ones
# "States the format": phrases a question's text uses to tell how to write the answer.
FORMAT_PHRASES = ("dạng", "định dạng", "ví dụ", "viết theo", "gõ theo")
TIME_RE = re.compile(r"^(\d{1,2})\s*(?::\s*(\d{2})|h\s*(\d{2})?|giờ(?:\s*(\d{1,2})(?:\s*phút)?)?)$", re.I)
DECIMAL_RE = re.compile(r"^[-+]?\d+[.,]\d+$")
# A host name written in lower case (an abbreviation such as "TP.HCM" is not one), any path after it.
WEB_RE = re.compile(
    r"^(?P<scheme>[hH][tT][tT][pP][sS]?://)?(?P<www>www\.)?"
    r"(?P<host>(?:[a-z0-9-]+\.)+[a-z]{2,})(?P<path>/\S*)?$"
)


class Lesson(Protocol):
    """What the rules read of a lesson (app.courses.source.LessonSource)."""

    number: int
    title: str
    file: Path
    quiz: QuizSource | None


def check_assessment(lessons: Iterable[Lesson], report: Report) -> None:
    """Apply the assessment rules to every quiz among `lessons` (the whole course, in order)."""
    lessons = list(lessons)
    content = {lesson.number: lesson.title for lesson in lessons if lesson.quiz is None}
    for lesson in lessons:
        if lesson.quiz is None:
            continue
        quiz = lesson.quiz

        def at(line: int, message: Message, severity: str, file: Path = lesson.file) -> None:
            report(file, line, message, severity)

        graded = quiz.settings.kind == "graded"
        severity = "error" if graded else "warning"
        _shuffled_options(quiz, at, severity)
        for question in quiz.questions:
            _tick_all(question, at, severity)
            _answer_formats(question, at, severity)
        if graded:
            _draw_coverage(quiz, content, at)
            _longest_key(quiz, at)


def _shuffled_options(quiz: QuizSource, at, severity: str) -> None:
    """Rule 1: options of choice questions are shown in a different order to each learner."""
    if quiz.settings.shuffle_options or not any(q.type in CHOICE_TYPES for q in quiz.questions):
        return
    lines = quiz.key_lines
    line = lines.get("shuffle_options") or lines.get("kind") or lines.get("type", 1)
    at(
        line,
        _l(
            "the options of choice questions are shown in the order written, so the key sits in the same "
            "place for everyone: set shuffle_options: true"
        ),
        severity,
    )


def tick_all_score(question: QuestionSource) -> float:
    """What ticking every option of a multiple-response question earns, by the engine's marking."""
    kind = question_type("multiple")
    data = kind.build(question, str, salt="")
    return kind.mark(data, {"choices": [option["id"] for option in data["options"]]})


def _tick_all(question: QuestionSource, at, severity: str) -> None:
    """Rule 2: ticking every option must not earn credit, unless the heading says it is intended."""
    if question.type != "multiple" or question.tickall_allowed:
        return
    score = tick_all_score(question)
    if score <= 0:
        return
    if any(choice.weight is not None for choice in question.choices):
        message = _l(
            "question '%(id)s': ticking every option scores %(score)s; give the wrong options negative "
            "weights that take off as much as the right ones give, or write tickall=allowed in the heading "
            "if that is intended",
            id=question.qid,
            score=f"{score:.0%}",
        )
    else:
        message = _l(
            "question '%(id)s': ticking every option scores %(score)s; add wrong options until "
            "there are at least as many as right ones, or write tickall=allowed in the heading if that "
            "is intended",
            id=question.qid,
            score=f"{score:.0%}",
        )
    at(question.line, message, severity)


# --- draw coverage -------------------------------------------------------------------------------


def lesson_tags(question: QuestionSource) -> list[str]:
    """The question's `bai-N` tags (it should carry exactly one)."""
    return [tag for tag in question.tags if LESSON_TAG_RE.match(tag)]


def _draw_coverage(quiz: QuizSource, content: dict[int, str], at) -> None:
    """Rule 3 (graded): every content lesson can be tested by every attempt's draw."""
    draw = quiz.settings.draw
    line = quiz.key_lines.get("draw", 1)
    pool = len(quiz.questions)
    if isinstance(draw, int) and draw < pool:
        at(
            line,
            _l(
                "a draw of %(draw)s from %(pool)s questions can leave a lesson untested: tag each question "
                "bai-N and draw by tag",
                draw=draw,
                pool=pool,
            ),
            "warning",
        )
    tagged = _tagged_lessons(quiz, content, at)
    if not tagged:
        if content and quiz.questions:
            at(1, _l("tag each question with its lesson (bai-N) so coverage can be checked"), "warning")
    elif isinstance(draw, dict):
        drawn = {int(LESSON_TAG_RE.match(tag)[1]) for tag in draw if LESSON_TAG_RE.match(tag)}
        for number, title in content.items():
            if number not in drawn:
                at(
                    line,
                    _l(
                        "lesson %(number)s (%(title)s) is never tested: the draw takes no question tagged "
                        "bai-%(number)s",
                        number=number,
                        title=title,
                    ),
                    "warning",
                )
    else:
        for number, title in content.items():
            if number not in tagged:
                at(
                    line,
                    _l(
                        "lesson %(number)s (%(title)s) has no question: tag one bai-%(number)s",
                        number=number,
                        title=title,
                    ),
                    "warning",
                )
    if isinstance(draw, dict):
        _never_drawn(quiz, draw, at)


def _tagged_lessons(quiz: QuizSource, content: dict[int, str], at) -> set[int]:
    """The lessons the questions' `bai-N` tags name; a tag for no content lesson, or a second one on a
    question, is an error."""
    tagged: set[int] = set()
    for question in quiz.questions:
        tags = lesson_tags(question)
        if len(tags) > 1:
            at(
                question.line,
                _l(
                    "question '%(id)s' carries %(tags)s: one bai-N tag only",
                    id=question.qid,
                    tags=", ".join(tags),
                ),
                "error",
            )
        for tag in tags:
            number = int(LESSON_TAG_RE.match(tag)[1])
            if number not in content:
                lessons = ", ".join(str(n) for n in content)
                message = (
                    _l(
                        "tag %(tag)s names no lesson of the course (its content lessons are: %(lessons)s)",
                        tag=tag,
                        lessons=lessons,
                    )
                    if lessons
                    else _l(
                        "tag %(tag)s names no lesson of the course (its content lessons are: none)", tag=tag
                    )
                )
                at(question.line, message, "error")
            tagged.add(number)
    return tagged


def _never_drawn(quiz: QuizSource, draw: dict[str, int], at) -> None:
    for question in quiz.questions:
        if not any(tag in draw for tag in question.tags):
            message = (
                _l(
                    "question '%(id)s' is never drawn: none of its tags (%(tags)s) is in the draw",
                    id=question.qid,
                    tags=", ".join(question.tags),
                )
                if question.tags
                else _l(
                    "question '%(id)s' is never drawn: it has no tag, and the draw takes questions by tag",
                    id=question.qid,
                )
            )
            at(question.line, message, "warning")


# --- longest key ---------------------------------------------------------------------------------


def _longest_key(quiz: QuizSource, at) -> None:
    """Rule 4 (graded): the key must not be, most of the time, the longest option."""
    considered = [q for q in quiz.questions if q.type == "single" and len(q.choices) >= 3]
    flagged = [q for q in considered if _key_is_longest(q)]
    if len(flagged) >= LONGEST_KEY_MIN and 2 * len(flagged) > len(considered):
        lines = ", ".join(str(q.line) for q in flagged)
        at(
            1,
            _l(
                "the correct option is the longest in %(flagged)s of %(considered)s single-choice "
                "questions (lines %(lines)s): learners can guess by length",
                flagged=len(flagged),
                considered=len(considered),
                lines=lines,
            ),
            "warning",
        )


def _key_is_longest(question: QuestionSource) -> bool:
    keys = [len(c.text.strip()) for c in question.choices if c.correct]
    others = [len(c.text.strip()) for c in question.choices if not c.correct]
    return len(keys) == 1 and all(keys[0] > length for length in others)


# --- answer formats ------------------------------------------------------------------------------


def states_format(stem: str) -> bool:
    """Whether the question's text says how to write the answer ("Gõ giờ theo dạng 10:00").

    Phrases match whole words, in any case; with their tone marks, or without any when the text is
    written without them (plain "dang" in accented text would also be "đang", "dàng").
    """
    text = nfc(stem).casefold()
    phrases = FORMAT_PHRASES
    if fold(text) == text:
        phrases = tuple(fold(phrase) for phrase in FORMAT_PHRASES)
    return any(re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) for phrase in phrases)


def _answer_formats(question: QuestionSource, at, severity: str) -> None:
    """Rule 5: a short answer commonly written several ways accepts them, or the question says which."""
    if question.type != "short" or states_format(question.stem):
        return
    marking = question_type("short")
    data = marking.build(question, str, salt="")
    reported: set[str] = set()
    for answer in question.answers:
        earns = answer_weight(answer) / 100  # a writing of an answer earns what the answer earns
        if answer.any_other or not earns:
            continue
        for kind, variants in _writings(answer.text):
            missing = [v for v in variants if marking.mark(data, {"text": v}) < earns - 1e-9]
            if missing and kind not in reported:
                reported.add(kind)
                at(answer.line, _format_message(answer.text, kind, missing), severity)


def _writings(text: str) -> list[tuple[str, list[str]]]:
    """(kind, the usual writings an answer of that kind should also accept) for an accepted answer."""
    text = " ".join(text.split())
    time = TIME_RE.match(text)
    if time:
        hour, minute = int(time[1]), int(time[2] or time[3] or time[4] or 0)
        if hour <= 23 and minute < 60:
            if minute:
                return [
                    ("time", [f"{hour}:{minute:02d}", f"{hour}h{minute:02d}", f"{hour} giờ {minute:02d}"])
                ]
            return [("time", [f"{hour}:00", f"{hour}h", f"{hour}h00", f"{hour} giờ"])]
    if DECIMAL_RE.match(text):
        other = text.replace(",", ".") if "," in text else text.replace(".", ",")
        return [("decimal", [text, other])]
    web = WEB_RE.match(text)
    if web:
        host, path = web["host"].lower(), (web["path"] or "").rstrip("/")
        return [
            (
                "web",
                [
                    f"{scheme}{www}{host}{path}{slash}"
                    for scheme in ("", "https://")
                    for www in ("", "www.")
                    for slash in ("", "/")
                ],
            )
        ]
    return []


def _format_message(text: str, kind: str, missing: list[str]) -> Message:
    also = ", ".join(f"'{v}'" for v in missing)
    if kind == "time":
        return _l(
            "the answer '%(answer)s' is a time: also accept %(also)s, or say the format in the question "
            "(e.g. 'Gõ giờ theo dạng 10:00')",
            answer=text,
            also=also,
        )
    if kind == "decimal":
        return _l(
            "the answer '%(answer)s' is a decimal number: make the question numeric (type=numeric accepts "
            "both separators), accept %(also)s too, or say the format in the question",
            answer=text,
            also=also,
        )
    return _l(
        "the answer '%(answer)s' is a web address: also accept %(also)s (with and without https://, www. "
        "and a trailing /), or say the format in the question",
        answer=text,
        also=also,
    )
