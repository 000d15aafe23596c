"""How many periods (tiết) a course's content supports, and a course that credits more.

`courses check` estimates the time a learner needs: the readable text of the introduction and the
lessons at a study-reading speed counted in Vietnamese syllables (tiếng), the quizzes, and the
activities lessons declare. A course whose `hours` exceed that estimate by more than the margin is
reported at its `hours` line. The figures and their sources are stated in courses/README.md
("Credited periods").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.legal.register import MARKER_RE
from app.messages import Message, _l

if TYPE_CHECKING:
    from pathlib import Path

    from app.courses.source import LessonSource
    from app.quizzes.source import QuizSource

# Study reading, in syllables (tiếng) a minute. Silent reading of non-fiction by adults averages 238
# English words a minute (Brysbaert 2019); reading aloud the same texts in 17 languages averages
# 370 syllables a minute (Trauzettel-Klosinski & Dietz 2012). Vietnamese writes one syllable per
# word-space, so the syllable is the unit that carries over. 150 is deliberately unhurried: about
# 40 % of that cross-language rate, for reading to learn rules, tables and checklists on a phone,
# with pauses to think and to read again.
READING_SYLLABLES_PER_MINUTE = 150
PRACTICE_MINUTES_PER_QUESTION = 2  # a quiz without a time limit: answer, then read the explanation
PERIOD_MINUTES = 45  # one tiết
MARGIN = 0.5  # credited periods may exceed the estimate by at most 50 %, rounded up to whole periods
ACTIVITY_FIELDS = ("minutes", "task")
MAX_ACTIVITY_MINUTES = 90  # two periods; longer work is its own lesson
MAX_TASK_CHARS = 300

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_IMAGE_RE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])?")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_URL_RE = re.compile(r"<?\b(?:https?://|mailto:|www\.)\S+")
_HTML_RE = re.compile(r"<[^>\n]*>")
_ATTRS_RE = re.compile(r"\{[#.:][^}\n]*\}")
_CALLOUT_RE = re.compile(r"^\s*!!!\s*\S*")
_SYLLABLE_RE = re.compile(r"[^\W_]+")


def readable_text(markdown: str) -> str:
    """The words a learner reads: Markdown without code, addresses, images, tags and markup."""
    kept: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if _REF_DEF_RE.match(line):
            continue
        line = _INLINE_CODE_RE.sub(" ", line)
        line = MARKER_RE.sub(lambda m: f" {m.group(1)} ", line)
        line = _IMAGE_RE.sub(" ", line)
        line = _LINK_RE.sub(lambda m: f" {m.group(1)} ", line)
        line = _URL_RE.sub(" ", line)
        line = _HTML_RE.sub(" ", line)
        line = _ATTRS_RE.sub(" ", line)
        kept.append(_CALLOUT_RE.sub(" ", line))
    return "\n".join(kept)


def syllables(markdown: str) -> int:
    """Vietnamese syllables (tiếng) in the readable text: each run of letters or digits counts one."""
    return len(_SYLLABLE_RE.findall(readable_text(markdown)))


def reading_minutes(count: int) -> float:
    return count / READING_SYLLABLES_PER_MINUTE


def quiz_minutes(quiz: QuizSource) -> int:
    """The quiz's time limit, else an allowance per question drawn."""
    if quiz.settings.time_limit:
        return quiz.settings.time_limit
    draw = quiz.settings.draw
    if isinstance(draw, int):
        drawn = draw
    elif isinstance(draw, dict):
        drawn = sum(draw.values())
    else:
        drawn = len(quiz.questions)
    return drawn * PRACTICE_MINUTES_PER_QUESTION


@dataclass(frozen=True)
class Estimate:
    """The time a course's content asks of a learner, in minutes, and in periods."""

    syllables: int
    reading: float
    quizzes: int
    activities: int

    @property
    def minutes(self) -> float:
        return self.reading + self.quizzes + self.activities

    @property
    def periods(self) -> int:
        """The periods the content supports, to the nearest whole one (at least one)."""
        return max(1, math.floor(self.minutes / PERIOD_MINUTES + 0.5))

    @property
    def most_periods(self) -> int:
        """The most periods a course may credit: the estimate and the margin, rounded up."""
        return max(1, math.ceil(round(self.minutes * (1 + MARGIN) / PERIOD_MINUTES, 6)))

    def summary(self) -> Message:
        return _l(
            "reading %(reading)s min, quizzes %(quizzes)s min, activities %(activities)s min",
            reading=round(self.reading),
            quizzes=self.quizzes,
            activities=self.activities,
        )


def activity_minutes(front: dict) -> int:
    """Minutes of the activity a lesson declares (0 when it declares none or a bad one)."""
    activity = front.get("activity")
    if not isinstance(activity, dict):
        return 0
    minutes = activity.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_ACTIVITY_MINUTES:
        return 0
    return minutes


def estimate(intro: str, lessons: Iterable[LessonSource]) -> Estimate:
    """Reading of the introduction and of each page lesson, the quizzes, the declared activities."""
    count = syllables(intro)
    quizzes = activities = 0
    for lesson in lessons:
        if lesson.quiz is not None:
            quizzes += quiz_minutes(lesson.quiz)
        else:
            count += syllables(lesson.body)
            activities += activity_minutes(lesson.front)
    return Estimate(count, reading_minutes(count), quizzes, activities)


def check_activity(front: dict, key_lines: dict[str, int], report: Callable[[int, Message], None]) -> None:
    """A lesson's `activity: {minutes: N, task: "..."}`, reported at its line when wrong."""
    if "activity" not in front:
        return
    line = key_lines.get("activity", 1)
    activity = front["activity"]
    example = 'activity: {minutes: 20, task: "Lập kế hoạch hành động cho đơn vị"}'
    if not isinstance(activity, dict):
        report(line, _l("activity must be the minutes and the task, such as %(example)s", example=example))
        return
    for key in activity:
        if key not in ACTIVITY_FIELDS:
            report(
                line,
                _l(
                    "activity: unknown field '%(key)s'; an activity takes: %(fields)s",
                    key=key,
                    fields=", ".join(ACTIVITY_FIELDS),
                ),
            )
    minutes = activity.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_ACTIVITY_MINUTES:
        report(
            line,
            _l(
                "activity minutes must be a whole number from 1 to %(most)s, not '%(minutes)s' "
                "(longer work is a lesson of its own)",
                most=MAX_ACTIVITY_MINUTES,
                minutes=minutes,
            ),
        )
    task = activity.get("task")
    if not isinstance(task, str) or not task.strip():
        report(
            line,
            _l("activity task is required: say what the learner does, such as %(example)s", example=example),
        )
    elif len(task) > MAX_TASK_CHARS:
        report(line, _l("activity task is longer than %(most)s characters", most=MAX_TASK_CHARS))


def check_hours(
    hours: int, intro: str, lessons: list[LessonSource], report: Callable[[Message], None]
) -> Estimate:
    """Report credited periods beyond what the content supports; returns the estimate."""
    found = estimate(intro, lessons)
    if hours > found.most_periods:
        report(
            _l(
                "hours: %(hours)s periods credited, but the content supports about %(periods)s "
                "(%(summary)s; at most %(most)s with the %(margin)s margin)",
                hours=hours,
                periods=found.periods,
                summary=found.summary(),
                most=found.most_periods,
                margin=f"{round(MARGIN * 100)} %",
            )
        )
    return found


def estimate_line(code: str, folder: Path, hours: int, found: Estimate) -> str:
    """One line per course for `courses check`: what it credits and what its content supports."""
    return (
        f"{folder.name} ({code}): {hours} period(s) credited; {found.syllables} syllables; "
        f"{found.summary()}; supports about {found.periods}, at most {found.most_periods}"
    )
