"""Reading quiz files: settings from front matter, questions from Markdown, problems by line.

The syntax is documented for trainers in courses/README.md ("Quizzes").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.messages import Message, _l

QUIZ_FIELDS = (
    "id",
    "title",
    "type",
    "kind",
    "required",
    "pass_mark",
    "max_attempts",
    "grading",
    "time_limit",
    "draw",
    "shuffle_questions",
    "shuffle_options",
    "review",
    "layout",
)
KINDS = ("graded", "practice")
GRADING_METHODS = ("highest", "last", "first", "average")
REVIEW_POLICIES = ("after_each", "after_passing", "never")
LAYOUTS = ("all_on_one_page", "one_per_page")
QUESTION_TYPES = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering", "essay")
MAX_ESSAY_WORDS = 5000
TRUE_WORDS = {"đúng", "true"}
FALSE_WORDS = {"sai", "false"}

HEADING_RE = re.compile(r"^##\s+(.*?)\s*(?:\{([^{}]*)\})?\s*$")
QID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TASK_RE = re.compile(r"^[-*+]\s+\[([ xX])\]\s+(.*)$")
ANSWER_RE = re.compile(r"^=\s*(.*)$")
PAIR_RE = re.compile(r"^[-*+]\s+(.+?)\s+->\s+(.+)$")
ORDER_RE = re.compile(r"^\d{1,3}[.)]\s+(.*)$")
BULLET_RE = re.compile(r"^[-*+]\s+(.*)$")
NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
TOLERANCE_RE = re.compile(rf"^({NUMBER})\s*(?:(?:\+-|±)\s*({NUMBER}))?$")
RANGE_RE = re.compile(rf"^({NUMBER})\s*\.\.\s*({NUMBER})$")
# A weight in front of an option or an answer: `- [x] (50%) text`, `= (-100%) text`.
WEIGHT_RE = re.compile(r"^\(\s*([-+]?\d{1,3}(?:[.,]\d+)?)\s*%\s*\)\s*")
ANY_OTHER = "*"  # `= *`: any other answer (Moodle's wildcard answer), with its weight and feedback


def parse_number(text: str) -> float | None:
    """Read '2,5' or '2.5' (a learner may use the Vietnamese decimal comma)."""
    text = text.strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def parse_numeric_answer(text: str) -> tuple[float, float] | None:
    """'5', '5 +- 0.5', '5 ± 0.5' or '4.5..5.5' as an inclusive (low, high) range."""
    text = text.strip()
    match = RANGE_RE.match(text)
    if match:
        low, high = parse_number(match[1]), parse_number(match[2])
        return (low, high) if low is not None and high is not None and low <= high else None
    match = TOLERANCE_RE.match(text)
    if match:
        value = parse_number(match[1])
        tolerance = parse_number(match[2]) if match[2] else 0.0
        if value is None or tolerance is None or tolerance < 0:
            return None
        return (value - tolerance, value + tolerance)
    return None


@dataclass
class QuizSettings:
    kind: str = "graded"
    required: bool = True
    pass_mark: int = 50
    max_attempts: int = 0  # 0: unlimited
    grading: str = "highest"
    time_limit: int = 0  # minutes; 0: none
    draw: int | dict[str, int] | None = None  # None: every question
    shuffle_questions: bool = False
    shuffle_options: bool = False
    review: str = "after_each"
    layout: str = "all_on_one_page"

    @property
    def counts(self) -> bool:
        """Whether this quiz is of record (graded) rather than practice."""
        return self.kind == "graded"


@dataclass
class Choice:
    text: str
    correct: bool
    feedback: str
    line: int
    weight: float | None = None  # percent written as `(50%)`; None: the default for its tick


def split_weight(text: str) -> tuple[float | None, str]:
    """`(50%) text` as (50.0, "text"); (None, text) without a weight. `\\(50%) text` is a text that
    starts with a bracketed percentage: (None, "(50%) text")."""
    if text.startswith("\\(") and WEIGHT_RE.match(text[1:]):
        return None, text[1:]
    match = WEIGHT_RE.match(text)
    if not match:
        return None, text
    return float(match[1].replace(",", ".")), text[match.end() :].strip()


@dataclass
class Answer:
    text: str
    feedback: str
    line: int
    numeric: tuple[float, float] | None = None
    weight: float | None = None  # percent written as `= (50%) answer`; None: 100 %

    @property
    def any_other(self) -> bool:
        """`= *`: the answer for any reply that matches none of the answers before it."""
        return self.text == ANY_OTHER


@dataclass
class QuestionSource:
    qid: str
    title: str
    type: str
    points: int
    tags: tuple[str, ...]
    stem: str
    general_feedback: str
    line: int
    choices: list[Choice] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    ignore_case: bool = False
    ignore_diacritics: bool = False
    tickall_allowed: bool = False  # `tickall=allowed`: ticking every option may earn credit, by design
    max_words: int = 0  # an essay's `words=`: the most words its answer may have (0: no limit)
    # descriptions written just before the question: (title, Markdown), shown above it
    descriptions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class QuizSource:
    settings: QuizSettings
    intro: str
    intro_line: int
    questions: list[QuestionSource]
    key_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> file line


Report = Callable[[int, Message], None]


def is_quiz(front: dict) -> bool:
    return front.get("type") == "quiz"


def _settings(front: dict, key_lines: dict[str, int], report: Report) -> QuizSettings:
    settings = QuizSettings()

    def bad(key: str, message: Message) -> None:
        report(key_lines.get(key, 1), message)

    fields = ", ".join(QUIZ_FIELDS)
    for key in front:
        if key not in QUIZ_FIELDS:
            bad(str(key), _l("unknown field '%(key)s'; quizzes take: %(fields)s", key=key, fields=fields))
    for key, allowed in (
        ("kind", KINDS),
        ("grading", GRADING_METHODS),
        ("review", REVIEW_POLICIES),
        ("layout", LAYOUTS),
    ):
        if key in front:
            if front[key] not in allowed:
                bad(
                    key,
                    _l(
                        "%(key)s '%(value)s' is not one of: %(allowed)s",
                        key=key,
                        value=front[key],
                        allowed=", ".join(allowed),
                    ),
                )
            else:
                setattr(settings, key, front[key])
    for key in ("required", "shuffle_questions", "shuffle_options"):
        if key in front:
            if not isinstance(front[key], bool):
                bad(key, _l("%(key)s must be true or false, not '%(value)s'", key=key, value=front[key]))
            else:
                setattr(settings, key, front[key])
    for key, low, high in (("pass_mark", 0, 100), ("max_attempts", 0, 100), ("time_limit", 0, 600)):
        if key in front:
            value = front[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                bad(
                    key,
                    _l(
                        "%(key)s must be a whole number from %(low)s to %(high)s, not '%(value)s'",
                        key=key,
                        low=low,
                        high=high,
                        value=value,
                    ),
                )
            else:
                setattr(settings, key, value)
    if "draw" in front and front["draw"] not in (None, "all"):
        settings.draw = _draw(front["draw"], bad)
    if settings.kind == "practice":
        settings.required = False
        settings.max_attempts = 0
    return settings


def _draw(draw: object, bad: Callable[[str, Message], None]) -> int | dict[str, int] | None:
    """`draw:` as a number of questions or {tag: number, ...}; None (every question) when wrong."""
    if isinstance(draw, int) and not isinstance(draw, bool) and draw >= 1:
        return draw
    if (
        isinstance(draw, dict)
        and draw
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in draw.values())
    ):
        return {str(tag): n for tag, n in draw.items()}
    bad("draw", _l("draw must be 'all', a number of questions, or {tag: number, ...}"))
    return None


def _attributes(text: str, line: int, report: Report) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for token in text.split():
        if token.startswith("#"):
            attrs["id"] = token[1:]
        elif "=" in token:
            key, _, value = token.partition("=")
            attrs[key] = value
        else:
            report(
                line, _l("'%(token)s' in the braces is not a setting: write key=value or #id", token=token)
            )
    return attrs


def item_kind(text: str) -> str | None:
    if TASK_RE.match(text):
        return "choice"
    if ANSWER_RE.match(text):
        return "answer"
    if PAIR_RE.match(text):
        return "pair"
    if ORDER_RE.match(text):
        return "order"
    if BULLET_RE.match(text):
        return "other"
    return None


def _blocks(lines: list[tuple[int, str]]):
    """Split a question body into (stem lines, answer lines, general feedback lines).

    The general feedback is the trailing quote; the answers are the run of list items of one kind
    just before it (with their indented feedback); everything earlier is the question's text.
    """
    end = len(lines)
    while end and not lines[end - 1][1].strip():
        end -= 1
    feedback_start = end
    while feedback_start and lines[feedback_start - 1][1].startswith(">"):
        feedback_start -= 1
    answers_end = feedback_start
    while answers_end and not lines[answers_end - 1][1].strip():
        answers_end -= 1
    kind = None
    start = answers_end
    while start:
        text = lines[start - 1][1]
        if not text.strip() or text.startswith(("  ", "\t")):
            start -= 1
            continue
        this = item_kind(text)
        if this is None or (kind is not None and this != kind):
            break
        kind = this
        start -= 1
    while start < answers_end and (not lines[start][1].strip() or lines[start][1].startswith(("  ", "\t"))):
        start += 1
    return lines[:start], lines[start:answers_end], lines[feedback_start:end]


def _quote(lines: list[tuple[int, str]]) -> str:
    return "\n".join(re.sub(r"^\s*>\s?", "", text) for _, text in lines).strip()


def _items(block: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(line, item text, indented feedback) for each top-level item of the answer block."""
    items: list[tuple[int, str, list[tuple[int, str]]]] = []
    for line_no, text in block:
        if not text.strip():
            continue
        if text.startswith(("  ", "\t")):
            if items:
                items[-1][2].append((line_no, text))
            continue
        items.append((line_no, text, []))
    return [(n, t, _quote(fb)) for n, t, fb in items]


@dataclass(frozen=True)
class _Heading:
    """What a question's heading says:
    `## Title {#id points=2 tags=a,b type=... case=... diacritics=... tickall=allowed}`."""

    title: str
    qid: str
    points: int
    tags: tuple[str, ...]
    declared_type: str | None
    ignore_case: bool
    ignore_diacritics: bool
    tickall_allowed: bool = False
    max_words: int = 0


def _question(
    heading_line: int, heading: str, body: list[tuple[int, str]], report: Report
) -> QuestionSource | None:
    """One `## heading` section as a question; None (with the problems reported) when it has no id,
    an unknown type, no answers or answers of no known kind."""
    head = _heading(heading_line, heading, report)
    if head is None:
        return None
    stem_lines, block, feedback_lines = _blocks(body)
    question = QuestionSource(
        qid=head.qid,
        title=head.title,
        type=head.declared_type or "",
        points=head.points,
        tags=head.tags,
        stem="\n".join(text for _, text in stem_lines).strip(),
        general_feedback=_quote(feedback_lines),
        line=heading_line,
        ignore_case=head.ignore_case,
        ignore_diacritics=head.ignore_diacritics,
        tickall_allowed=head.tickall_allowed,
        max_words=head.max_words,
    )
    if head.declared_type == "essay":
        return _essay(question, body, report)
    items = _items(block)
    if not items:
        report(
            heading_line,
            _l("question '%(id)s' has no answers: add a task list, '=' lines or a list", id=head.qid),
        )
        return None
    kind = item_kind(items[0][1])
    if kind == "other":
        report(
            items[0][0],
            _l("answers are task items '- [ ]', '= answer' lines, pairs 'left -> right' or a numbered list"),
        )
        return None
    take = _ANSWER_ITEMS.get(kind)
    if take is not None:
        take(question, items, report)
    return question


def _description(
    line: int, heading: str, body: list[tuple[int, str]], report: Report
) -> tuple[int, str, str] | None:
    """A `## Title {type=description}` section, text between questions (Moodle's description):
    (line, title, Markdown); None for any other section."""
    match = HEADING_RE.match(heading)
    if not match or not match[2] or "type=description" not in match[2].split():
        return None
    for setting in match[2].split():
        if setting != "type=description" and not setting.startswith("#"):
            report(
                line,
                _l("a description takes no settings but type=description, not '%(token)s'", token=setting),
            )
    text = "\n".join(text for _, text in body).strip()
    if not text:
        report(line, _l("a description needs text under its heading"))
    return line, match[1].strip(), text


def _heading(line: int, heading: str, report: Report) -> _Heading | None:
    """The heading's title and settings, each bad setting reported; None without an id or with an
    unknown type (the question is left out)."""
    match = HEADING_RE.match(heading)
    title = (match[1] if match else heading[2:]).strip()
    attrs = _attributes(match[2] or "", line, report) if match else {}
    qid = attrs.pop("id", "")
    if not qid:
        report(line, _l("a question needs an id: end its heading with {#some-id}"))
        return None
    if not QID_RE.match(qid) or len(qid) > 100:
        report(line, _l("question id '%(id)s' must use a-z, 0-9 and dashes only", id=qid))
    points_text = attrs.pop("points", "1")
    points = int(points_text) if points_text.isdigit() and 1 <= int(points_text) <= 100 else None
    if points is None:
        report(line, _l("points must be a whole number from 1 to 100, not '%(points)s'", points=points_text))
    tags = tuple(t for t in attrs.pop("tags", "").split(",") if t)
    declared = attrs.pop("type", None)
    if declared is not None and declared not in QUESTION_TYPES:
        report(
            line,
            _l(
                "unknown question type '%(type)s'; the types are: %(types)s",
                type=declared,
                types=", ".join(QUESTION_TYPES),
            ),
        )
        return None
    ignore = {}
    for key in ("case", "diacritics"):
        value = attrs.pop(key, None)
        if value not in (None, "ignore", "match"):
            report(line, _l("%(key)s must be 'ignore' or 'match', not '%(value)s'", key=key, value=value))
        ignore[key] = value == "ignore"
    tickall = attrs.pop("tickall", None)
    if tickall not in (None, "allowed"):
        report(line, _l("tickall can only be 'allowed', not '%(value)s'", value=tickall))
    max_words = _max_words(line, attrs.pop("words", None), declared, report)
    for key in attrs:
        report(line, _l("unknown question setting '%(key)s'", key=key))
    return _Heading(
        title,
        qid,
        points or 1,
        tags,
        declared,
        ignore["case"],
        ignore["diacritics"],
        tickall == "allowed",
        max_words,
    )


def _max_words(line: int, words: str | None, declared: str | None, report: Report) -> int:
    """An essay's `words=N` (0 when not written); reported on another type or out of range."""
    if words is None:
        return 0
    if declared != "essay":
        report(line, _l("words= is a setting of essays (type=essay)"))
        return 0
    if not words.isdigit() or not 1 <= int(words) <= MAX_ESSAY_WORDS:
        report(
            line,
            _l(
                "words must be a whole number from 1 to %(most)s, not '%(value)s'",
                most=MAX_ESSAY_WORDS,
                value=words,
            ),
        )
        return 0
    return int(words)


def _essay(question: QuestionSource, body: list[tuple[int, str]], report: Report) -> QuestionSource:
    """An essay: its whole text is the task (lists included, as there are no answers to read), the
    trailing quote the feedback shown after marking."""
    end = len(body)
    while end and not body[end - 1][1].strip():
        end -= 1
    start = end
    while start and body[start - 1][1].startswith(">"):
        start -= 1
    _stem, block, _feedback = _blocks(body)
    items = _items(block)
    if items and item_kind(items[0][1]) in ("choice", "answer", "pair"):
        report(
            items[0][0],
            _l(
                "essay '%(id)s' takes no answers: its text is the task, and a trainer marks the reply",
                id=question.qid,
            ),
        )
    question.stem = "\n".join(text for _, text in body[:start]).strip()
    question.general_feedback = _quote(body[start:end])
    if not question.stem:
        report(question.line, _l("essay '%(id)s' needs a task: write it under the heading", id=question.qid))
    return question


def _take_choices(question: QuestionSource, items: list[tuple[int, str, str]], report: Report) -> None:
    """Task items `- [x] option` with their feedback: a single, multiple or true/false question."""
    for line_no, text, feedback in items:
        match = TASK_RE.match(text)
        weight, option = split_weight(match[2].strip())
        question.choices.append(Choice(option, match[1] in "xX", feedback, line_no, weight))
    _check_choices(question, report)


def _take_answers(question: QuestionSource, items: list[tuple[int, str, str]], report: Report) -> None:
    """`= answer` lines with their feedback: a short-answer or numeric question."""
    for line_no, text, feedback in items:
        weight, answer = split_weight(ANSWER_RE.match(text)[1].strip())
        question.answers.append(Answer(answer, feedback, line_no, weight=weight))
    _check_answers(question, report)


def _take_pairs(question: QuestionSource, items: list[tuple[int, str, str]], report: Report) -> None:
    """`- left -> right` items: a matching question, whose right-hand sides differ."""
    question.pairs = [
        (PAIR_RE.match(text)[1].strip(), PAIR_RE.match(text)[2].strip()) for _, text, _ in items
    ]
    question.type = _expect(question, "matching", report)
    if len(question.pairs) < 2:
        report(question.line, _l("a matching question needs at least two pairs"))
    rights = [right for _, right in question.pairs]
    if len(set(rights)) != len(rights):
        report(question.line, _l("two pairs share the same right-hand side"))


def _take_order(question: QuestionSource, items: list[tuple[int, str, str]], report: Report) -> None:
    """A numbered list in the right order: an ordering question."""
    question.order = [ORDER_RE.match(text)[1].strip() for _, text, _ in items]
    question.type = _expect(question, "ordering", report)
    if len(question.order) < 2:
        report(question.line, _l("an ordering question needs at least two items"))


# How the answers of each kind of item are read (by the kind of the first item: see `item_kind`).
_ANSWER_ITEMS = {"choice": _take_choices, "answer": _take_answers, "pair": _take_pairs, "order": _take_order}


def _expect(question: QuestionSource, inferred: str, report: Report) -> str:
    if question.type and question.type != inferred:
        report(
            question.line,
            _l(
                "type=%(type)s does not match the answers, which make a %(inferred)s question",
                type=question.type,
                inferred=inferred,
            ),
        )
    return inferred


def choice_weights(question: QuestionSource) -> list[float]:
    """Each option's weight in percent: the one written, or the default for its tick. Single choice
    (and true/false): `[x]` 100 %, `[ ]` 0 %. Multiple response: the ticked options without a weight
    share what the written weights leave of 100 %; an unticked one without a weight takes off
    100 % ÷ the number of ticked options (so an unweighted question earns (right − wrong) ÷ right)."""
    if question.type != "multiple":
        return [c.weight if c.weight is not None else (100.0 if c.correct else 0.0) for c in question.choices]
    ticked = [c for c in question.choices if c.correct]
    written = sum(c.weight for c in ticked if c.weight is not None)
    free = sum(1 for c in ticked if c.weight is None)
    share = (100 - written) / free if free else 0.0
    penalty = -100 / (len(ticked) or 1)
    return [c.weight if c.weight is not None else (share if c.correct else penalty) for c in question.choices]


def adds_to_100(total: float) -> bool:
    """Moodle's test for the right options of a multiple-response question: their weights, as a
    fraction rounded to two decimals, make 1 (33.333 % three times does)."""
    return round(total / 100, 2) == 1


def _check_choices(question: QuestionSource, report: Report) -> None:
    correct = [c for c in question.choices if c.correct]
    labels = {c.text.strip().lower() for c in question.choices}
    weighted = any(c.weight is not None for c in question.choices)
    if not correct:
        report(
            question.line, _l("question '%(id)s' has no correct answer: tick one with - [x]", id=question.qid)
        )
    if len({c.text for c in question.choices}) != len(question.choices):
        report(question.line, _l("question '%(id)s' lists the same option twice", id=question.qid))
    looks_true_false = len(question.choices) == 2 and labels in (
        {w1, w2} for w1 in TRUE_WORDS for w2 in FALSE_WORDS
    )
    if question.type == "":
        if looks_true_false and len(correct) == 1 and not weighted:
            question.type = "truefalse"
        elif len(correct) <= 1 or any(c.weight == 100 for c in correct):
            question.type = "single"
        else:
            question.type = "multiple"
    elif question.type in ("single", "truefalse") and len(correct) > 1 and not weighted:
        report(
            correct[1].line, _l("%(count)s correct answers in a single-choice question", count=len(correct))
        )
    elif question.type == "truefalse" and not looks_true_false:
        report(question.line, _l("a true/false question has exactly two options: Đúng and Sai"))
    elif question.type not in ("single", "multiple", "truefalse"):
        report(question.line, _l("type=%(type)s does not match a task list of options", type=question.type))
    if len(question.choices) < 2:
        report(question.line, _l("a choice question needs at least two options"))
    if weighted and correct:
        _check_choice_weights(question, report)


def _check_choice_weights(question: QuestionSource, report: Report) -> None:
    """Weights from -100 % to 100 %, above 0 exactly for the ticked options, and Moodle's sums: the
    best single choice is worth 100 %; the right options of a multiple response add up to 100 %."""
    if question.type == "truefalse":
        report(question.line, _l("a true/false question takes no weights: write type=single"))
        return
    for choice in question.choices:
        if choice.weight is None:
            continue
        if not -100 <= choice.weight <= 100:
            report(
                choice.line,
                _l("a weight is from -100%% to 100%%, not %(weight)s%%", weight=f"{choice.weight:g}"),
            )
        elif choice.correct != (choice.weight > 0):
            report(
                choice.line,
                _l(
                    "an option ticked - [x] is worth more than %(zero)s, one left - [ ] %(zero)s or less",
                    zero="0%",
                ),
            )
    weights = choice_weights(question)
    if question.type == "single" and max(weights) != 100:
        report(
            question.line,
            _l(
                "the best option of a single-choice question is worth 100%%, not %(weight)s%%",
                weight=f"{max(weights):g}",
            ),
        )
    total = sum(w for w in weights if w > 0)
    ticked = [w for w, c in zip(weights, question.choices, strict=True) if c.correct]
    if question.type == "multiple" and min(ticked) <= 0:
        report(
            question.line,
            _l(
                "the written weights leave nothing of %(whole)s for the ticked options without a weight",
                whole="100%",
            ),
        )
    elif question.type == "multiple" and not adds_to_100(total):
        report(
            question.line,
            _l("the weights of the right options add up to %(total)s%%, not 100%%", total=f"{total:g}"),
        )


def _check_answers(question: QuestionSource, report: Report) -> None:
    plain = [a for a in question.answers if not a.any_other]
    parsed = [parse_numeric_answer(a.text) for a in plain]
    if question.type == "":
        meant_numeric = any(re.search(r"\+-|±|^\s*[-+]?[\d.,]+\s*\.\.", a.text) for a in plain)
        question.type = (
            "numeric" if meant_numeric or (plain and all(p is not None for p in parsed)) else "short"
        )
    if question.type == "numeric":
        for answer, numeric in zip(plain, parsed, strict=True):
            if numeric is None:
                report(
                    answer.line,
                    _l(
                        "'%(answer)s' is not a number, 'number +- tolerance' or 'low..high'",
                        answer=answer.text,
                    ),
                )
            answer.numeric = numeric
    elif question.type == "short":
        for answer in question.answers:
            if not answer.text:
                report(answer.line, _l("an accepted answer cannot be empty"))
    else:
        report(question.line, _l("type=%(type)s does not match '=' answer lines", type=question.type))
    _check_answer_weights(question, report)


def _check_answer_weights(question: QuestionSource, report: Report) -> None:
    """Weights from 0 % to 100 %, one answer worth 100 % (as Moodle asks), `= *` last."""
    for answer in question.answers:
        if answer.weight is not None and not 0 <= answer.weight <= 100:
            report(
                answer.line,
                _l("an answer's weight is from 0%% to 100%%, not %(weight)s%%", weight=f"{answer.weight:g}"),
            )
    others = [a for a in question.answers if a.any_other]
    if others and others[0] is not question.answers[-1]:
        report(others[0].line, _l("'= *' (any other answer) is the last answer line"))
    best = [a for a in question.answers if not a.any_other and answer_weight(a) == 100]
    if not best:
        report(question.line, _l("question '%(id)s' needs an answer worth 100%%", id=question.qid))


def answer_weight(answer: Answer) -> float:
    """An answer's weight in percent: the one written; 100 % for an accepted answer, 0 % for `= *`."""
    if answer.weight is not None:
        return answer.weight
    return 0.0 if answer.any_other else 100.0


def parse_quiz(
    front: dict, key_lines: dict[str, int], body: str, body_line: int, report: Report
) -> QuizSource:
    """Parse a quiz file's settings and questions; every problem goes to `report(line, message)`."""
    settings = _settings(front, key_lines, report)
    lines = [(body_line + i, text.rstrip()) for i, text in enumerate(body.split("\n"))]
    intro: list[tuple[int, str]] = []
    sections: list[tuple[int, str, list[tuple[int, str]]]] = []
    fence = False
    for line_no, text in lines:
        if text.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and text.startswith("## "):
            sections.append((line_no, text, []))
        elif sections:
            sections[-1][2].append((line_no, text))
        else:
            intro.append((line_no, text))
    questions: list[QuestionSource] = []
    seen: dict[str, int] = {}
    waiting: list[tuple[int, str, str]] = []  # descriptions for the next question
    for line_no, heading, body_lines in sections:
        description = _description(line_no, heading, body_lines, report)
        if description is not None:
            waiting.append(description)
            continue
        question = _question(line_no, heading, body_lines, report)
        if question is None:
            continue
        question.descriptions, waiting = [(title, text) for _line, title, text in waiting], []
        if question.qid in seen:
            report(
                line_no,
                _l(
                    "question id '%(id)s' is also used on line %(line)s",
                    id=question.qid,
                    line=seen[question.qid],
                ),
            )
            continue
        seen[question.qid] = line_no
        questions.append(question)
    if not sections:
        report(body_line, _l("the quiz has no questions: each starts with '## Title {#id}'"))
    _check_placement(settings, questions, waiting, report)
    _check_draw(settings, questions, key_lines, report)
    return QuizSource(settings, "\n".join(t for _, t in intro).strip(), body_line, questions, dict(key_lines))


def _check_placement(
    settings: QuizSettings, questions: list[QuestionSource], waiting: list[tuple[int, str, str]], report
) -> None:
    """A description needs a question after it; an essay needs a graded quiz (a trainer marks it)."""
    if waiting:
        report(
            waiting[0][0],
            _l(
                "a description is shown before the question after it, and no question follows: "
                "move its text to the quiz's introduction"
            ),
        )
    if settings.kind == "practice":
        for question in questions:
            if question.type == "essay":
                report(
                    question.line,
                    _l("an essay is marked by a trainer, so it belongs in a graded quiz, not a practice one"),
                )


def _check_draw(settings: QuizSettings, questions: list[QuestionSource], key_lines, report) -> None:
    line = key_lines.get("draw", 1)
    if isinstance(settings.draw, int) and settings.draw > len(questions):
        report(
            line,
            _l(
                "draw %(draw)s is more than the %(pool)s questions in the pool",
                draw=settings.draw,
                pool=len(questions),
            ),
        )
    elif isinstance(settings.draw, dict):
        for tag, wanted in settings.draw.items():
            pool = sum(1 for q in questions if tag in q.tags)
            if wanted > pool:
                report(
                    line,
                    _l(
                        "draw %(wanted)s questions tagged '%(tag)s', but the pool has %(pool)s",
                        wanted=wanted,
                        tag=tag,
                        pool=pool,
                    ),
                )
