"""A lesson that is a written assignment (bài thu hoạch): its settings in the front matter, checked
with the file's line; its brief is the lesson's body. Stated in courses/README.md.

    assignment:
      points: 10        # the marks a trainer gives, 0 to this (1-100; default 10)
      pass_mark: 5      # passed at or above (0 to points; default half the points, rounded up)
      max_words: 1500   # a limit on the written text (0: none; default 0)
      attachments: yes  # the learner may attach one PDF or DOCX (default yes)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.messages import Message, _l

ASSIGNMENT_KEY = "assignment"
ASSIGNMENT_FIELDS = ("points", "pass_mark", "max_words", "attachments")
MAX_POINTS = 100
MAX_WORDS = 20000

Report = Callable[[int, Message], None]


@dataclass(frozen=True)
class AssignmentSpec:
    points: int = 10
    pass_mark: int = 5
    max_words: int = 0
    attachments: bool = True


def is_assignment(front: dict) -> bool:
    return ASSIGNMENT_KEY in front


def _key_line(lines: list[str], start: int, key: str) -> int:
    """The file line of `key` inside the block that starts at file line `start` (else `start`)."""
    pattern = re.compile(rf"^\s+{re.escape(key)}\s*:")
    for number in range(start, min(len(lines), start + 20)):
        if pattern.match(lines[number]):  # lines[number] is file line number + 1
            return number + 1
    return start


def _integer(settings: dict, key: str, low: int, high: int, line: int, report: Report) -> int | None:
    value = settings[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        report(
            line,
            _l("'%(key)s' must be a whole number from %(low)s to %(high)s", key=key, low=low, high=high),
        )
        return None
    return value


def parse_assignment(
    front: dict, key_lines: dict[str, int], text: str, report: Report
) -> AssignmentSpec | None:
    """The assignment's settings, or None when they are wrong (each problem reported with its line)."""
    start = key_lines.get(ASSIGNMENT_KEY, 1)
    settings = front[ASSIGNMENT_KEY]
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        report(start, _l("'assignment' must be a list of settings, e.g. 'points: 10' on indented lines"))
        return None
    lines = text.splitlines()
    line = {key: _key_line(lines, start, str(key)) for key in settings}
    ok = True
    for key in settings:
        if key not in ASSIGNMENT_FIELDS:
            report(
                line[key],
                _l(
                    "unknown assignment setting '%(key)s'; assignments take: %(fields)s",
                    key=key,
                    fields=", ".join(ASSIGNMENT_FIELDS),
                ),
            )
            ok = False
    points = (
        _integer(settings, "points", 1, MAX_POINTS, line["points"], report) if "points" in settings else 10
    )
    if points is None:
        return None
    pass_mark = -(-points // 2)
    if "pass_mark" in settings:
        pass_mark = _integer(settings, "pass_mark", 0, points, line["pass_mark"], report)
    max_words = 0
    if "max_words" in settings:
        max_words = _integer(settings, "max_words", 0, MAX_WORDS, line["max_words"], report)
    attachments = settings.get("attachments", True)
    if not isinstance(attachments, bool):
        report(line["attachments"], _l("'attachments' must be yes or no"))
        ok = False
    if not ok or pass_mark is None or max_words is None:
        return None
    return AssignmentSpec(points, pass_mark, max_words, attachments)
