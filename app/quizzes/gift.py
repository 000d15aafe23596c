"""Moodle GIFT question banks to and from Boiduong quiz files.

`gift_to_markdown` reads GIFT the way Moodle's own importer does (question/format/gift/format.php):
blocks separated by blank lines, `//` comment lines, `::title::`, the first `{...}` as the answers
(text after it makes a "missing word" question with `_____` in its place), `####` general feedback,
`%weight%`, `#feedback`, the escapes `\\~ \\= \\# \\{ \\} \\: \\\\ \\n` and `[html]`/`[markdown]`/`[plain]`/
`[moodle]` format prefixes. `quiz_to_gift` writes a parsed quiz back. Whatever one format cannot say
in the other is reported as a GiftProblem with its line, and the question (or the part) left out.

Texts are written so that they show as in the bank (app/quizzes/gift_text.py): plain text escaped
where Markdown would read structure into it, HTML (`[html]`, or Moodle-format text with tags) turned
into course Markdown with every loss noted; `convert_gift` can compare each written text with what
the course renderer shows. A block with no answers (a description) is text before the next question
(the quiz introduction before the first); `$CATEGORY:` tags the questions after it.

Boiduong's own details travel in a comment line before each question, which Moodle ignores:
`// id: otp points: 2 tags: a,b case: match diacritics: ignore tickall: allowed`. Moodle's `[id:...]`
and `[tag:...]` comment tokens are read too.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import yaml

from app.messages import english
from app.quizzes.gift_text import (
    MARK,
    compact,
    escape_markdown,
    expected_text,
    html_to_markdown,
    looks_like_html,
    plain_of,
    shown_text,
    start_conversion,
)
from app.quizzes.source import (
    ANY_OTHER,
    FALSE_WORDS,
    MAX_ESSAY_WORDS,
    QID_RE,
    RANGE_RE,
    TOLERANCE_RE,
    TRUE_WORDS,
    WEIGHT_RE,
    Answer,
    Choice,
    QuestionSource,
    QuizSource,
    adds_to_100,
    answer_weight,
    choice_weights,
    item_kind,
    parse_number,
    parse_numeric_answer,
    parse_quiz,
)
from app.text import fold, nfc

# Escaped characters are swapped for private-use characters while the structure is read.
_ESCAPES = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
    "n": "\ue007",
}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_WEIGHT_RE = re.compile(r"^%(-*\d{1,2}\.?\d*)%")  # Moodle's own pattern for %50%, %-33.33333%
_FORMAT_RE = re.compile(r"^\[(moodle|html|plain|markdown)\]")
_GIFT_NUMBER_RE = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_FENCE_PREFIXES = ("```", "~~~")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_TOLERANCE = 0.01  # percent, when comparing weights
DEFAULT_TITLE_WORDS = 8


@dataclass(frozen=True)
class GiftProblem:
    line: int  # 1-based line in the source (GIFT file for import, quiz Markdown file for export)
    message: str  # English, clear: what was left out and why


# --------------------------------------------------------------------------------------------------
# GIFT -> Markdown


@dataclass
class _Meta:
    """What the comment lines before a question say about it."""

    qid: str = ""
    points: int = 1
    tags: tuple[str, ...] = ()
    ignore_case: bool | None = None
    ignore_diacritics: bool = False
    tickall_allowed: bool = False
    max_words: int = 0


_Read = tuple[QuestionSource, _Meta, list[str]]  # a question, its comment details, notes on parts left out


class _Skip(Exception):  # noqa: N818 (control flow: the question is left out)
    """The question cannot be converted; the message says why."""


def _protect(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _html_to_text(text: str, notes: list[str]) -> str:
    """HTML as course Markdown (marked as such); what it cannot carry is noted."""
    markdown, losses = html_to_markdown(text)
    if losses:
        notes.append("its HTML was converted with a loss, left out: " + "; ".join(losses))
    return "" if markdown == MARK else markdown


def _text(raw: str, default: str, notes: list[str]) -> tuple[str, str]:
    """(text, format) of one piece, as Moodle's parse_text_with_format reads it."""
    raw = raw.strip()
    fmt = default
    match = _FORMAT_RE.match(raw)
    if match:
        fmt = match[1]
        raw = raw[match.end() :]
    text = _restore(raw).strip()
    if looks_like_html(text) and fmt in ("html", "moodle"):
        text = _html_to_text(text, notes)
    elif fmt == "html":
        text = " ".join(html.unescape(text).split())  # no tags: the text it shows
    elif fmt == "markdown" and escape_markdown(text) != text:
        text = MARK + text  # Markdown already: written as it is
    return text, fmt


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _weight(piece: str) -> tuple[float | None, str]:
    """The %weight% at the start of an answer, if any, and the rest."""
    match = _WEIGHT_RE.match(piece)
    if not match:
        return None, piece
    try:
        value = float(match[1])
    except ValueError:
        value = 0.0
    return value, piece[match.end() :]


def _split_feedback(piece: str, default: str, notes: list[str]) -> tuple[str, str]:
    text, _, feedback = piece.partition("#")
    return _text(text, default, notes)[0], _text(feedback, default, notes)[0]


def _answer_pieces(answers: str, separator: str) -> list[str]:
    pieces = answers.split(separator)
    if pieces and not pieces[0].strip():
        pieces.pop(0)
    return [p.strip() for p in pieces]


def _read_meta(comments: list[str], line: int, problems: list[GiftProblem]) -> _Meta:
    meta = _Meta()
    for comment in comments:
        body = comment.strip()[2:].strip()
        ours = re.match(r"^id:\s*(\S+)(.*)$", body)
        if ours:
            meta.qid = ours[1]
            for key, value in re.findall(r"\b(points|tags|case|diacritics|tickall|words):\s*(\S+)", ours[2]):
                if key == "points":
                    if value.isdigit() and 1 <= int(value) <= 100:
                        meta.points = int(value)
                    else:
                        problems.append(
                            GiftProblem(
                                line,
                                f"points '{value}' in the comment were left out: "
                                "points are a whole number from 1 to 100",
                            )
                        )
                elif key == "tags":
                    meta.tags = tuple(t for t in value.split(",") if t)
                elif key == "case":
                    meta.ignore_case = value == "ignore"
                elif key == "tickall":
                    meta.tickall_allowed = value == "allowed"
                elif key == "words":
                    meta.max_words = (
                        int(value) if value.isdigit() and 1 <= int(value) <= MAX_ESSAY_WORDS else 0
                    )
                else:
                    meta.ignore_diacritics = value == "ignore"
            continue
        moodle_id = re.search(r"\[id:((?:\\\]|[^\]])+)\]", body)
        if moodle_id and not meta.qid:
            meta.qid = moodle_id[1].replace("\\]", "]").strip()
        tags = [t.replace("\\]", "]").strip() for t in re.findall(r"\[tag:((?:\\\]|[^\]])+)\]", body)]
        if tags and not meta.tags:
            meta.tags = tuple(dict.fromkeys(slug for slug in (_slug(t) for t in tags) if slug))
    return meta


def _slug(text: str, limit: int = 50) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-")


def _default_title(stem: str, number: int) -> str:
    words = _one_line(plain_of(stem)).split()
    if not words:
        return f"Câu hỏi {number}"
    title = " ".join(words[:DEFAULT_TITLE_WORDS])
    return title + ("…" if len(words) > DEFAULT_TITLE_WORDS else "")


def _choices(answers: str, fmt: str, line: int, notes: list[str]) -> tuple[str, list[Choice]]:
    """A multiple-choice answer block as (type, choices), as Moodle reads it: single choice when an
    answer starts with `=` (worth 100 %), multiple response otherwise; `~%50%` weighs an option,
    a bare `~` is worth 0 %."""
    kind = "single" if "=" in answers else "multiple"
    weighted: list[tuple[float, str, str]] = []
    for piece in _answer_pieces(answers.replace("=", "~="), "~"):
        if piece.startswith("="):
            weight, piece = 100.0, piece[1:]
        else:
            found, piece = _weight(piece)
            weight = found or 0.0
        text, feedback = _split_feedback(piece, fmt, notes)
        weighted.append((weight, _one_line(text), feedback))
    if len(weighted) < 2:
        raise _Skip("a multiple-choice question needs at least two options")
    if any(not text for _, text, _ in weighted):
        raise _Skip("an option has no text")
    _check_gift_weights(kind, [w for w, _, _ in weighted], notes)
    defaults = _default_weights(kind, [w for w, _, _ in weighted])
    # several right options of a single choice are all written with their weights, `(100%)` included,
    # which tells a single choice from a multiple response
    several = kind == "single" and sum(1 for w, _, _ in weighted if w > 0) > 1
    return kind, [
        Choice(
            text,
            weight > 0,
            feedback,
            line,
            None if abs(weight - default) <= _TOLERANCE and not (several and weight > 0) else weight,
        )
        for (weight, text, feedback), default in zip(weighted, defaults, strict=True)
    ]


def _default_weights(kind: str, weights: list[float]) -> list[float]:
    """The weights a Boiduong option has without one written (see `choice_weights`)."""
    question = QuestionSource("", "", kind, 1, (), "", "", 0)
    question.choices = [Choice("", w > 0, "", 0) for w in weights]
    return choice_weights(question)


def _check_gift_weights(kind: str, weights: list[float], notes: list[str]) -> None:
    """Refuse what Moodle itself warns about (no right option, weights beyond 100 %, right options of
    a multiple response not adding up to 100 %); note what Boiduong grades otherwise."""
    positive = [w for w in weights if w > 0]
    if not positive:
        raise _Skip("no option is right: mark one with = or give right options a positive %weight%")
    if any(not -100 <= w <= 100 for w in weights):
        raise _Skip("an option's weight is beyond -100%..100%")
    if kind == "multiple" and not adds_to_100(sum(positive)):
        raise _Skip(f"the weights of the right options add up to {sum(positive):g}%, not 100%")
    if kind == "single" and any(w < 0 for w in weights):
        notes.append(
            "a wrong option with a negative weight earns 0 here: Moodle would take its weight "
            "of the question's mark off the quiz total"
        )


def _short_answers(answers: str, fmt: str, line: int, notes: list[str]) -> list[Answer]:
    """Short answers with their weights (`=%50%answer`, 100 % without one) and the catch-all `*`
    (any other answer), which Moodle matches after the answers written before it."""
    kept: list[Answer] = []
    for piece in _answer_pieces(answers, "="):
        weight, piece = _weight(piece)
        weight = 100.0 if weight is None else weight
        raw, feedback = _split_feedback(piece, fmt, notes)
        raw = _one_line(_catch_all_bare(raw))
        text = raw.replace("\\*", "*")
        if raw == ANY_OTHER:
            kept.append(_gift_answer(ANY_OTHER, feedback, line, weight))
            if len(kept) < len(_answer_pieces(answers, "=")):
                notes.append(_AFTER_CATCH_ALL)
            break
        if "*" in raw.replace("\\*", "") or text == ANY_OTHER:
            raise _Skip(f"the answer '{text}' uses the Moodle wildcard '*', which Boiduong cannot express")
        if not text:
            raise _Skip("an accepted answer is empty")
        kept.append(_gift_answer(text, feedback, line, weight))
    _check_answer_weights(kept, "short-answer")
    return kept


def _catch_all_bare(text: str) -> str:
    """The catch-all `*` as itself, also when a [markdown] text marked it as Markdown already."""
    return ANY_OTHER if text.removeprefix(MARK).strip() == ANY_OTHER else text


_AFTER_CATCH_ALL = "the answers after the catch-all answer '*' were left out: Moodle never reaches them"


def _gift_answer(text: str, feedback: str, line: int, weight: float, numeric=None) -> Answer:
    """An answer with the weight Moodle gives it, written only where it is not the default (100 %;
    0 % for the catch-all `*`)."""
    if not 0 <= weight <= 100:
        raise _Skip(f"the answer '{text}' is worth {weight:g}%: answers are worth from 0% to 100%")
    default = 0.0 if text == ANY_OTHER else 100.0
    return Answer(text, feedback, line, numeric, None if abs(weight - default) <= _TOLERANCE else weight)


def _check_answer_weights(kept: list[Answer], what: str) -> None:
    if not any(answer_weight(a) == 100 for a in kept if not a.any_other):
        raise _Skip(f"no answer of the {what} question is worth 100%")


def _num(value: float) -> str:
    """A number in Boiduong's syntax: plain decimals, no exponent."""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _gift_number(text: str) -> float | None:
    text = text.strip()
    if not _GIFT_NUMBER_RE.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _numeric_answers(answers: str, fmt: str, line: int, notes: list[str]) -> list[Answer]:
    """Numbers with their weights; Moodle's `~#feedback` (feedback for any other number) becomes the
    catch-all answer `= *`."""
    answers, tilde, wrong = answers[1:].partition("~")
    pieces = _answer_pieces(answers, "=")
    kept: list[Answer] = []
    for piece in pieces:
        weight, piece = _weight(piece)
        weight = 100.0 if weight is None else weight
        text, feedback = _split_feedback(piece, fmt, notes)
        if _catch_all_bare(text).strip() == ANY_OTHER:
            kept.append(_gift_answer(ANY_OTHER, feedback, line, weight))
            break
        ours = _gift_range(text)
        kept.append(_gift_answer(ours, feedback, line, weight, parse_numeric_answer(ours)))
    other = _text(wrong.partition("#")[2], fmt, notes)[0] if tilde else ""
    if kept and kept[-1].any_other and (len(kept) < len(pieces) or other):
        notes.append(_AFTER_CATCH_ALL)
    elif other:
        kept.append(Answer(ANY_OTHER, other, line))
    _check_answer_weights(kept, "numeric")
    return kept


def _gift_range(text: str) -> str:
    """A GIFT number ('5', '5:0.5', '4..6') in Boiduong's syntax ('5', '5 +- 0.5', '4..6')."""
    if text.find("..") > 0:
        low_text, _, high_text = text.partition("..")
        low, high = _gift_number(low_text), _gift_number(high_text)
        if low is None or high is None or low > high:
            raise _Skip(f"'{text}' is not a range 'low..high' of numbers")
        return f"{_num(low)}..{_num(high)}"
    if text.find(":") > 0:
        value_text, _, tolerance_text = text.partition(":")
        value, tolerance = _gift_number(value_text), _gift_number(tolerance_text)
        if value is None or tolerance is None or tolerance < 0:
            raise _Skip(f"'{text}' is not 'number:tolerance'")
        return _num(value) if tolerance == 0 else f"{_num(value)} +- {_num(tolerance)}"
    value = _gift_number(text)
    if value is None:
        raise _Skip(f"'{text}' is not a number")
    return _num(value)


def _pairs(answers: str, fmt: str, notes: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for piece in _answer_pieces(answers, "="):
        if "->" not in piece:
            raise _Skip(f"'{_restore(piece)}' in a matching question has no '->'")
        left, _, right = piece.partition("->")
        left = _one_line(_text(left, fmt, notes)[0])
        right = _one_line(_restore(right))
        if not right:
            raise _Skip("a matching pair has nothing on its right-hand side")
        if not left:
            notes.append(
                f"the extra right-hand answer '{right}' (a distractor) was left out: Boiduong "
                "matching questions have none"
            )
            continue
        pairs.append((left, right))
    if len(pairs) < 2:
        raise _Skip("a matching question needs at least two pairs")
    return pairs


def _true_false(answers: str, fmt: str, line: int, notes: list[str]) -> list[Choice]:
    """`{T#wrong#right}`: Moodle shows the first feedback for a wrong answer, the second for a right one."""
    bits = answers.split("#", 2) + ["", ""]
    is_true = _TRUE_FALSE[bits[0].strip()]
    wrong, right = _text(bits[1], fmt, notes)[0], _text(bits[2], fmt, notes)[0]
    return [
        Choice("Đúng", is_true, right if is_true else wrong, line),
        Choice("Sai", not is_true, wrong if is_true else right, line),
    ]


def _read_question(line: int, lines: list[str], number: int, problems: list[GiftProblem]) -> _Read | None:
    """One GIFT block as a question, its comment details and notes on parts left out; None when the
    block is no question (a comment or category) or the question was left out (then reported)."""
    text = _question_text(lines)
    if text is None:
        return None
    meta = _read_meta([text for text in lines if text.strip().startswith("//")], line, problems)
    title, text = _split_title(text)
    try:
        stem, answers, general = _split_answers(text)
    except _Skip as skip:
        _left_out(problems, line, title or _one_line(_restore(text))[:40], skip)
        return None
    notes: list[str] = []
    stem, fmt = _text(stem, "moodle", notes)
    question = QuestionSource(
        qid=meta.qid,
        title=title or _default_title(stem, number),
        type="",
        points=meta.points,
        tags=meta.tags,
        stem=stem,
        general_feedback=_text(general, fmt, notes)[0],
        line=line,
        tickall_allowed=meta.tickall_allowed,
        max_words=meta.max_words,
    )
    try:
        _read_answers(question, answers, fmt, meta, notes)
    except _Skip as skip:
        _left_out(problems, line, question.title, skip)
        return None
    return question, meta, notes


def _left_out(problems: list[GiftProblem], line: int, name: str, why: _Skip) -> None:
    problems.append(GiftProblem(line, f"question '{name}' left out: {why}"))


def _question_text(lines: list[str]) -> str | None:
    """The block's text, comment lines blanked and escapes protected; None for a block of comments
    (a `$CATEGORY:` line is taken out before, by `_take_category`)."""
    text = "\n".join(" " if text.strip().startswith("//") else text for text in lines).strip()
    return _protect(text) if text else None


def _take_category(lines: list[str]) -> tuple[str | None, list[str]]:
    """The `$CATEGORY:` path that starts the block, if any, and the lines with it blanked to a comment."""
    for i, text in enumerate(lines):
        if text.strip().startswith("//"):
            continue
        if text.strip().startswith("$CATEGORY:"):
            return text.strip()[len("$CATEGORY:") :].strip(), [*lines[:i], "//", *lines[i + 1 :]]
        break
    return None, lines


def category_tag(path: str) -> str:
    """The tag a `$CATEGORY:` path gives its questions: Moodle's `$course$`/`top` parts left out,
    the rest as one tag (`$course$/top/Luật/Chương 1` -> `luat-chuong-1`)."""
    parts = [p.strip() for p in path.split("/") if p.strip() and not p.strip().startswith("$")]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return _slug(" ".join(parts))


def _description(lines: list[str]) -> tuple[str, str] | None:
    """The title and text of a block with no answer block (Moodle's description), protected; None
    otherwise."""
    text = _question_text(lines)
    if text is None:
        return None
    title, rest = _split_title(text)
    return (title, rest) if "{" not in rest and "}" not in rest and rest.strip() else None


def _split_title(text: str) -> tuple[str, str]:
    """`::title::` at the start, as (title, the rest); ("", text) without one."""
    if not text.startswith("::"):
        return "", text
    text = text[2:]
    end = text.find("::")
    if end < 0:
        return "", text
    return _one_line(_restore(text[:end])), text[end + 2 :].strip()


def _split_answers(text: str) -> tuple[str, str, str]:
    """(stem, the inside of the answer block, its #### general feedback). Text after the block makes
    a missing-word question: the stem gets `_____` in the block's place. Raises _Skip when there is
    no block or its braces do not match."""
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        raise _Skip(
            "a description (text without an answer block {...}) is not a question, and Boiduong "
            "quizzes have no place for one"
        )
    if start < 0 or finish < start:
        raise _Skip("its braces do not match: the answers go between one '{' and the next '}'")
    answers = text[start + 1 : finish].strip()
    stem = text[:start] + ("" if text.endswith("}") else "_____") + text[finish + 1 :]
    general = ""
    if "####" in answers:
        answers, _, general = answers.rpartition("####")
        answers = answers.strip()
    return stem, answers, general


def _read_answers(question: QuestionSource, answers: str, fmt: str, meta: _Meta, notes: list[str]) -> None:
    """Set the question's type and answers from its answer block, the type told by the block's
    shape as Moodle tells it. Raises _Skip when Boiduong cannot express the question."""
    line = question.line
    if not answers:  # Moodle's essay: the course's trainer marks it
        question.type = "essay"
        return
    if answers.startswith("#"):
        question.type = "numeric"
        question.answers = _numeric_answers(answers, fmt, line, notes)
    elif "~" in answers:
        question.type, question.choices = _choices(answers, fmt, line, notes)
    elif "=" in answers and "->" in answers:
        question.type = "matching"
        question.pairs = _pairs(answers, fmt, notes)
    elif answers.partition("#")[0].strip() in _TRUE_FALSE:
        question.type = "truefalse"
        question.choices = _true_false(answers, fmt, line, notes)
    else:
        question.type = "short"
        question.answers = _short_answers(answers, fmt, line, notes)
        # Moodle compares short answers ignoring case unless told otherwise (GIFT cannot tell it).
        question.ignore_case = True if meta.ignore_case is None else meta.ignore_case
        question.ignore_diacritics = meta.ignore_diacritics


def _blocks(text: str):
    """(line of the first line, lines) for each run of non-blank lines."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _question_line(first: int, lines: list[str]) -> int:
    for offset, line in enumerate(lines):
        if not line.strip().startswith("//"):
            return first + offset
    return first


def _assign_ids(questions: list[_Read], problems: list[GiftProblem]) -> None:
    used: set[str] = set()

    def unique(base: str) -> str:
        base = base or "cau-hoi"
        candidate, n = base, 2
        while candidate in used:
            candidate = f"{base}-{n}"
            n += 1
        used.add(candidate)
        return candidate

    for question, meta, _ in questions:  # ids written in comments first, so they are kept
        if meta.qid:
            wanted = meta.qid if QID_RE.match(meta.qid) and len(meta.qid) <= 100 else _slug(meta.qid)
            question.qid = unique(wanted)
            if question.qid != meta.qid:
                problems.append(
                    GiftProblem(
                        question.line,
                        f"the id '{meta.qid}' became '{question.qid}': "
                        "ids are unique and use a-z, 0-9 and dashes",
                    )
                )
    for question, meta, _ in questions:
        if not meta.qid:
            question.qid = unique(_slug(question.title) or _slug(" ".join(question.stem.split()[:6])))


def _escape_stem(stem: str, kind: str | None) -> str:
    """The stem's lines, changed only where the quiz parser would misread them."""
    lines = [line.rstrip() for line in stem.split("\n")]
    if sum(line.lstrip().startswith(_FENCE_PREFIXES) for line in lines) % 2:
        lines.append("```")  # an open fence would swallow the questions after this one
    # Indented lines just before the answers would be read as the answers' feedback.
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].startswith((" ", "\t"))):
        end -= 1
    lines[end:] = [line.lstrip() for line in lines[end:]]
    fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(_FENCE_PREFIXES):
            fence = not fence
        elif not fence and (line.startswith("## ") or (kind is not None and item_kind(line) == kind)):
            # `\=` would show its backslash: Markdown escapes no '='
            lines[i] = "&#61;" + line[1:] if line.startswith("=") else "\\" + line
    return "\n".join(lines).strip()


def _quote(text: str, indent: str = "") -> list[str]:
    return [f"{indent}> {line}".rstrip() for line in text.split("\n")]


def _section(question: QuestionSource, declare_type: bool) -> str:
    attrs = [f"#{question.qid}"]
    if question.points != 1:
        attrs.append(f"points={question.points}")
    if question.tags:
        attrs.append("tags=" + ",".join(question.tags))
    if declare_type:
        attrs.append(f"type={question.type}")
    if question.ignore_case:
        attrs.append("case=ignore")
    if question.ignore_diacritics:
        attrs.append("diacritics=ignore")
    if question.tickall_allowed:
        attrs.append("tickall=allowed")
    if question.max_words:
        attrs.append(f"words={question.max_words}")
    lines = []
    for title, text in question.descriptions:
        lines += [f"## {title} {{type=description}}".replace("##  ", "## "), "", text, ""]
    lines += [f"## {question.title} {{{' '.join(attrs)}}}", ""]
    if question.stem:
        lines += [question.stem, ""]
    for choice in question.choices:
        lines.append(f"- [{'x' if choice.correct else ' '}] {_weighted(choice.text, choice.weight)}")
        if choice.feedback:
            lines += _quote(choice.feedback, "  ")
    for answer in question.answers:
        lines.append(f"= {_weighted(answer.text, answer.weight)}")
        if answer.feedback:
            lines += _quote(answer.feedback, "  ")
    lines += [f"- {left} -> {right}" for left, right in question.pairs]
    if question.general_feedback:
        lines += ["", *_quote(question.general_feedback)]
    return "\n".join(lines) + "\n"


def _shape(question: QuestionSource) -> tuple:
    """What must survive writing a question as Markdown and reading it back."""
    return (
        question.qid,
        question.title,
        question.type,
        question.points,
        question.tags,
        question.stem,
        question.general_feedback,
        [(c.text, c.correct, c.feedback, c.weight) for c in question.choices],
        [
            (a.numeric if question.type == "numeric" else a.text, a.feedback, a.weight)
            for a in question.answers
        ],
        question.pairs,
        question.ignore_case,
        question.ignore_diacritics,
        question.tickall_allowed,
        question.max_words,
        question.descriptions,
    )


def _parse_section(section: str) -> tuple[QuestionSource | None, list[str]]:
    messages: list[str] = []  # in English, as a GiftProblem's message is
    quiz = parse_quiz({}, {}, section, 1, lambda _line, message: messages.append(english(message)))
    return (quiz.questions[0] if quiz.questions else None), messages


def _written(text: str, notes: list[str], render: Render | None, one_line: bool = False) -> str:
    """A GIFT text as the Markdown written for it: plain text escaped, HTML already converted. With
    `render` (the course renderer), the text the Markdown shows is compared with the GIFT text."""
    if text.startswith(MARK):
        markdown, expected = text[len(MARK) :], expected_text(text)
    else:
        markdown, expected = escape_markdown(text), text
    if one_line:
        markdown = _one_line(markdown)
    shows = render is None or expected is None or not markdown
    if not shows and shown_text(render(markdown)) != compact(expected):
        notes.append(f"the text '{_one_line(expected)[:80]}' would not show as written in GIFT")
    return markdown


def _write_texts(question: QuestionSource, notes: list[str], render: Render | None) -> None:
    """Every text of the question as the Markdown written for it (short answers stay plain text)."""
    question.title = _one_line(plain_of(question.title))
    question.stem = _written(question.stem, notes, render)
    question.general_feedback = _written(question.general_feedback, notes, render)
    for choice in question.choices:
        choice.text = _written(choice.text, notes, render, one_line=True)
        choice.feedback = _written(choice.feedback, notes, render)
    for answer in question.answers:
        if question.type == "short":
            answer.text = _one_line(plain_of(answer.text))
        answer.feedback = _written(answer.feedback, notes, render)
    question.pairs = [
        (_written(left, notes, render, one_line=True), _written(right, notes, render, one_line=True))
        for left, right in question.pairs
    ]


def _markdown_for(
    question: QuestionSource, notes: list[str], render: Render | None, preface: list[tuple[str, str]]
) -> tuple[str | None, str]:
    """The question's Markdown section, or None and why it could not be written faithfully. The
    descriptions in `preface` (Markdown already) are written as description sections before it."""
    kind = {
        "single": "choice",
        "multiple": "choice",
        "truefalse": "choice",
        "short": "answer",
        "numeric": "answer",
        "matching": "pair",
        "essay": None,
    }[question.type]
    _write_texts(question, notes, render)
    question.stem = _escape_stem(question.stem, kind)
    question.descriptions = [(title, _escape_stem(text, None)) for title, text in preface]
    section = _section(question, declare_type=question.type == "essay")
    parsed, messages = _parse_section(section)
    if not messages and parsed is not None and parsed.type != question.type:
        section = _section(question, declare_type=True)
        parsed, messages = _parse_section(section)
    if messages:
        return None, "; ".join(messages)
    if parsed is None or _shape(parsed) != _shape(question):
        return None, "its text cannot be written as a quiz question without changing it"
    return section, ""


@dataclass
class _Bank:
    """What a GIFT file holds: questions, descriptions (by the question they come before; after the
    last question under len(questions)) and categories (tag -> [path, line, questions])."""

    questions: list[_Read]
    prefaces: dict[int, list[tuple[int, str, str]]]  # (line, title, Markdown)
    categories: dict[str, list]


def _read_bank(text: str, problems: list[GiftProblem]) -> _Bank:
    bank = _Bank([], {}, {})
    tag = ""
    for first, lines in _blocks(text):
        path, lines = _take_category(lines)
        if path is not None:
            tag = category_tag(path)
            if tag:
                bank.categories.setdefault(tag, [path, first, 0])
        line = _question_line(first, lines)
        description = _description(lines)
        if description is not None:
            notes: list[str] = []
            markdown = _text(description[1], "moodle", notes)[0]
            title = _one_line(plain_of(description[0]))
            title = "" if "{" in title or "}" in title else title  # a heading's braces hold settings
            bank.prefaces.setdefault(len(bank.questions), []).append((line, title, markdown))
            problems += [GiftProblem(line, f"the description: {note}") for note in notes]
            continue
        read = _read_question(line, lines, len(bank.questions) + 1, problems)
        if read is not None:
            if tag and tag not in read[0].tags:
                read[0].tags = (*read[0].tags, tag)
                bank.categories[tag][2] += 1
            bank.questions.append(read)
    return bank


@dataclass
class GiftConversion:
    """A GIFT bank as a quiz file: its Markdown, the problems (by GIFT line), the GIFT line of each
    line of the Markdown, and what the reader should know (categories, descriptions)."""

    markdown: str
    problems: list[GiftProblem]
    lines: list[int]
    summary: list[str]

    def gift_line(self, line: int) -> int:
        """The GIFT line a line of the Markdown came from (1 for lines of no question)."""
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else 1


Render = Callable[[str], str]


def gift_to_markdown(
    text: str, *, title: str, settings: dict | None = None, render: Render | None = None
) -> tuple[str, list[GiftProblem]]:
    """Convert a GIFT question bank to the text of one Boiduong quiz file: see `convert_gift`."""
    conversion = convert_gift(text, title=title, settings=settings, render=render)
    return conversion.markdown, conversion.problems


def convert_gift(
    text: str,
    *,
    title: str,
    settings: dict | None = None,
    render: Render | None = None,
    video_hosts: tuple[str, ...] = (),
) -> GiftConversion:
    """Convert a GIFT question bank to the text of one Boiduong quiz file (front matter with type: quiz
    plus the given settings, '# title', then one '## Title {#id ...}' section per question).
    Questions that cannot be converted are left out and reported by their line; nothing is dropped
    silently. With `render` (the course renderer) every text is checked to show as it was written;
    video frames from `video_hosts` are kept."""
    text = nfc(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    problems: list[GiftProblem] = []
    start_conversion(video_hosts)
    bank = _read_bank(text, problems)
    _assign_ids(bank.questions, problems)
    written: list[tuple[int, str]] = []  # (GIFT line, Markdown) of each piece after the title
    intro = [*bank.prefaces.get(0, []), *bank.prefaces.get(len(bank.questions), [])]
    for line, _title, markdown in intro:  # descriptions before the first question or after the last
        notes: list[str] = []
        written.append((line, _written(markdown, notes, render)))
        problems += [GiftProblem(line, f"the description: {note}") for note in notes]
    sections, left_over = _write_questions(bank, render, problems)
    written += [(line, text) for line, _title, text in left_over] + sections
    if not sections:
        problems.append(GiftProblem(1, "no question in the file could be converted"))
    front = {"type": "quiz", **{k: v for k, v in (settings or {}).items() if k != "type"}}
    head = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n"
    md_lines, gift_lines = [f"# {_one_line(title)}"], [1] * (head.count("\n") + 1)
    for line, piece in written:
        md_lines += ["", *piece.split("\n")]
        gift_lines += [line] * (piece.count("\n") + 2)
    problems = [GiftProblem(p.line, p.message.replace(MARK, "")) for p in problems]
    problems.sort(key=lambda p: p.line)
    return GiftConversion(head + "\n".join(md_lines) + "\n", problems, gift_lines, _summary(bank))


def _write_questions(
    bank: _Bank, render: Render | None, problems: list[GiftProblem]
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(GIFT line, Markdown section) of each question written, and the descriptions meant for
    questions that were left out after the last one written (they join the introduction)."""
    sections: list[tuple[int, str]] = []
    carried: list[tuple[int, str]] = []  # descriptions of a question left out go to the next one
    for number, (question, _, notes) in enumerate(bank.questions):
        own = [
            (line, title, _written(md, notes, render)) for line, title, md in bank.prefaces.get(number, [])
        ]
        preface = [*carried, *own] if number else carried
        section, why = _markdown_for(question, notes, render, [(title, md) for _, title, md in preface])
        if section is None:
            problems.append(GiftProblem(question.line, f"question '{question.title}' left out: {why}"))
            carried = preface
        else:
            carried = []
            sections.append((question.line, section.rstrip("\n")))
            problems += [GiftProblem(question.line, f"question '{question.title}': {note}") for note in notes]
    return sections, carried


def _summary(bank: _Bank) -> list[str]:
    """Where categories and descriptions went, for the reader of the conversion."""
    lines = [
        f"line {line}: category '{path}' became the tag '{tag}' of {count} questions "
        f"(a quiz draws by it with draw: {{{tag}: N}})"
        for tag, (path, line, count) in bank.categories.items()
    ]
    for number, descriptions in sorted(bank.prefaces.items()):
        if number == 0 or number == len(bank.questions):
            where = "in the quiz's introduction, above the questions"
        else:
            where = f"before question '{bank.questions[number][0].title}'"
        lines += [
            f"line {line}: a description (text without answers) is shown {where}"
            for line, _, _ in descriptions
        ]
    return lines


# --------------------------------------------------------------------------------------------------
# Markdown -> GIFT


def gift_escape(text: str) -> str:
    """Text with GIFT's special characters escaped and line breaks written as \\n."""
    text = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _gift_text(text: str) -> str:
    """Escaped text, guarded so that Moodle cannot take its start for a [format] prefix."""
    return ("[markdown]" if _FORMAT_RE.match(text) else "") + gift_escape(text)


def _feedback(text: str) -> str:
    return f"#{_gift_text(text)}" if text else ""


def _gift_num(text: str) -> str | None:
    """A Boiduong numeric answer ('5', '5 +- 0.5', '4..6') in GIFT ('5', '5:0.5', '4..6')."""
    match = RANGE_RE.match(text.strip())
    if match:
        low, high = parse_number(match[1]), parse_number(match[2])
        return None if low is None or high is None else f"{_num(low)}..{_num(high)}"
    match = TOLERANCE_RE.match(text.strip())
    if not match:
        return None
    value = parse_number(match[1])
    tolerance = parse_number(match[2]) if match[2] else 0.0
    if value is None or tolerance is None:
        return None
    return _num(value) if tolerance == 0 else f"{_num(value)}:{_num(tolerance)}"


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _weighted(text: str, weight: float | None) -> str:
    """An option's or an answer's text in a quiz file, after its weight `(50%)` if it has one."""
    if weight is None:
        return "\\" + text if WEIGHT_RE.match(text) else text  # a text that starts like a weight
    return f"({_percent(weight)}%) {text}"


def _gift_answers(question: QuestionSource, notes: list[str]) -> str:
    """The inside of the answer block; raises _Skip when GIFT cannot say it."""
    if question.type == "truefalse":
        return _gift_true_false(question)
    if question.type == "essay":  # `{}`, or `{####general feedback}`
        return f"####{_gift_text(question.general_feedback)}" if question.general_feedback else ""
    write = _ANSWER_LINES.get(question.type)
    if write is None:
        raise _Skip(f"GIFT has no {question.type} questions")
    lines = write(question, notes)
    if question.general_feedback:
        lines.append(f"\t####{_gift_text(question.general_feedback)}")
    return ("#" if question.type == "numeric" else "") + "\n" + "\n".join(lines) + "\n"


def _gift_choices(question: QuestionSource, notes: list[str]) -> list[str]:
    """The options as Moodle writes them: `=` for a single choice's 100 % options, `~` for 0 %,
    `~%weight%` otherwise (a multiple response has no `=`, or Moodle would read a single choice)."""
    right = [c for c in question.choices if c.correct]
    if not right:
        raise _Skip("it has no right option")
    lines = []
    for choice, weight in zip(question.choices, choice_weights(question), strict=True):
        text = _gift_text(choice.text)
        if question.type == "single" and weight == 100:
            mark = "="
        elif weight == 0 and not _WEIGHT_RE.match(text):
            mark = "~"
        else:
            mark = f"~%{_percent(weight)}%"
        lines.append(f"\t{mark}{text}{_feedback(choice.feedback)}")
    return lines


def _gift_true_false(question: QuestionSource) -> str:
    """`T#wrong#right####general` on one line: Moodle shows the first feedback for a wrong answer,
    the second for a right one."""
    true = next((c for c in question.choices if c.text.strip().lower() in TRUE_WORDS), None)
    false = next((c for c in question.choices if c.text.strip().lower() in FALSE_WORDS), None)
    if true is None or false is None or true.correct == false.correct:
        raise _Skip("a true/false question needs the options Đúng and Sai, one of them right")
    right, wrong = (true, false) if true.correct else (false, true)
    answer = "T" if true.correct else "F"
    feedback = ""
    if wrong.feedback or right.feedback:
        feedback = f"#{_gift_text(wrong.feedback)}"
        if right.feedback:
            feedback += f"#{_gift_text(right.feedback)}"
    general = f"####{_gift_text(question.general_feedback)}" if question.general_feedback else ""
    return f"{answer}{feedback}{general}"


def _gift_weight(answer: Answer, text: str) -> str:
    """`%weight%` before a short or numeric answer: written when it is not 100 %, or when the text
    itself starts like a weight."""
    weight = answer_weight(answer)
    return f"%{_percent(weight)}%" if weight != 100 or _WEIGHT_RE.match(text) else ""


def _gift_short(question: QuestionSource, notes: list[str]) -> list[str]:
    """A short-answer question's answers with their weights, `*` for any other answer; what GIFT
    cannot ask of the comparison is noted."""
    lines = []
    for answer in question.answers:
        if "->" in answer.text or "->" in answer.feedback:
            raise _Skip(f"Moodle would read the '->' in '{answer.text}' as a matching question")
        # Moodle's wildcard only for any other answer; a '*' in an answer is taken literally.
        text = ANY_OTHER if answer.any_other else _gift_text(answer.text.replace("*", "\\*"))
        lines.append(f"\t={_gift_weight(answer, text)}{text}{_feedback(answer.feedback)}")
    if not question.ignore_case:
        notes.append(
            "Moodle compares short answers ignoring case: GIFT cannot ask for the exact case, "
            "which is kept only in the '// id:' comment"
        )
    if question.ignore_diacritics:
        notes.append(
            "Moodle cannot ignore diacritics in short answers: diacritics=ignore is kept only "
            "in the '// id:' comment"
        )
    return lines


def _gift_numeric(question: QuestionSource, notes: list[str]) -> list[str]:
    """Numbers with their weights; any other number as Moodle writes it, `~#feedback` (0 %)."""
    lines = []
    for answer in question.answers:
        if answer.any_other:
            weight = answer_weight(answer)
            mark = "~" if weight == 0 else f"=%{_percent(weight)}%*"
            lines.append(f"\t{mark}{_feedback(answer.feedback)}")
            continue
        value = _gift_num(answer.text)
        if value is None:
            raise _Skip(f"'{answer.text}' is not a number, 'number +- tolerance' or 'low..high'")
        lines.append(f"\t={_gift_weight(answer, value)}{value}{_feedback(answer.feedback)}")
    return lines


def _gift_matching(question: QuestionSource, notes: list[str]) -> list[str]:
    lines = []
    for left, right in question.pairs:
        if "->" in left:
            raise _Skip(f"Moodle would split the pair '{left} -> {right}' at the first '->'")
        lines.append(f"\t={_gift_text(left)} -> {gift_escape(right)}")
    return lines


# The answer lines of each question type GIFT writes as a block (true/false is one line apart).
_ANSWER_LINES = {
    "single": _gift_choices,
    "multiple": _gift_choices,
    "short": _gift_short,
    "numeric": _gift_numeric,
    "matching": _gift_matching,
}


def _comment(question: QuestionSource) -> str:
    parts = [f"// id: {question.qid}"]
    if question.points != 1:
        parts.append(f"points: {question.points}")
    if question.tags:
        parts.append("tags: " + ",".join(question.tags))
    if question.type == "short":
        if not question.ignore_case:
            parts.append("case: match")
        if question.ignore_diacritics:
            parts.append("diacritics: ignore")
    if question.tickall_allowed:
        parts.append("tickall: allowed")
    if question.max_words:
        parts.append(f"words: {question.max_words}")
    return " ".join(parts)


def _gift_description(title: str, text: str) -> str:
    """A description as GIFT writes one: a text with no answer block."""
    name = f"::{gift_escape(_one_line(title))}::" if title else ""
    return f"{name}[markdown]{gift_escape(text)}"


def quiz_to_gift(quiz: QuizSource) -> tuple[str, list[GiftProblem]]:
    """Write a parsed quiz as GIFT. Questions GIFT cannot express (ordering) are reported (by
    QuestionSource.line) and left out."""
    problems: list[GiftProblem] = []
    chunks: list[str] = []
    for question in quiz.questions:
        notes: list[str] = []
        try:
            answers = _gift_answers(question, notes)
        except _Skip as skip:
            problems.append(GiftProblem(question.line, f"question '{question.qid}' left out: {skip}"))
            continue
        texts = [
            question.stem,
            question.general_feedback,
            *(c.text for c in question.choices),
            *(c.feedback for c in question.choices),
            *(a.feedback for a in question.answers),
        ]
        pictures = sorted({target for text in texts for target in _IMAGE_RE.findall(text)})
        if pictures:
            notes.append(f"GIFT carries no files: upload {', '.join(pictures)} to Moodle separately")
        problems += [GiftProblem(question.line, f"question '{question.qid}': {note}") for note in notes]
        title = gift_escape(_one_line(question.title) or question.qid)
        chunks += [_gift_description(name, text) for name, text in question.descriptions]
        chunks.append(f"{_comment(question)}\n::{title}::[markdown]{gift_escape(question.stem)}{{{answers}}}")
    return ("\n\n".join(chunks) + "\n" if chunks else ""), problems
