"""Question types: one class each, registered by name.

Each type knows how to store a question (with its answer key) at import, what an attempt may show
of it (never the key), how to read a learner's reply from a form, and how to mark it. Marks are
fractions from 0 to 1 of the question's points.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed
from app.quizzes.source import QuestionSource, answer_weight, choice_weights, parse_number
from app.text import fold, nfc

Render = Callable[[str], str]
MAX_TEXT_ANSWER = 500
MAX_ESSAY_CHARS = 40_000  # about 5,000 Vietnamese words, the longest essay a quiz may ask for
# Vietnamese tone marks: grave, acute, tilde, hook above, dot below.
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def option_id(salt: str, qid: str, index: int, side: str = "o") -> str:
    """An opaque id for an option: says nothing about its position or whether it is right."""
    return hashlib.sha256(f"{salt}:{qid}:{side}:{index}".encode()).hexdigest()[:10]


def tone_key(text: str) -> str:
    """Compare key that treats old and new tone-mark placement alike ("hoà" = "hòa").

    Each word's tone mark is taken off the vowel it sits on and put at the end of the word.
    """
    words = []
    for word in nfc(text).split():
        decomposed = unicodedata.normalize("NFD", word)
        tones = [ch for ch in decomposed if ch in TONE_MARKS]
        base = "".join(ch for ch in decomposed if ch not in TONE_MARKS)
        words.append(unicodedata.normalize("NFC", base) + "".join(tones))
    return " ".join(words)


class QuestionType(ABC):
    name: ClassVar[str]
    manual: ClassVar[bool] = False  # marked by a person (an essay), not by `mark`

    @abstractmethod
    def build(self, source: QuestionSource, render: Render, salt: str) -> dict:
        """The stored form of a question, answer key included."""

    def present(self, data: dict, rng: random.Random, shuffle: bool) -> list[str]:
        """The order in which an attempt shows the question's parts (option ids)."""
        return []

    @abstractmethod
    def read(self, data: dict, order: list[str], form: MultiDict, field: str) -> dict | None:
        """The learner's reply from a form, or None when left blank.

        Raises ValidationFailed for a value the question never offered (a tampered form).
        """

    @abstractmethod
    def mark(self, data: dict, response: dict | None) -> float:
        """The fraction (0 to 1) of the points that `response` earns."""


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def question_type(name: str) -> QuestionType:
    return REGISTRY[name]


def _shuffled(ids: list[str], rng: random.Random, shuffle: bool) -> list[str]:
    ids = list(ids)
    if shuffle:
        rng.shuffle(ids)
    return ids


def _fractions(source: QuestionSource) -> list[float] | None:
    """The options' fractions when the file writes weights (None: the ticks say it all). The right
    options of a multiple response are taken as shares of their sum, so 33.333 % three times makes
    exactly 1."""
    if all(c.weight is None for c in source.choices):
        return None
    weights = choice_weights(source)
    positive = sum(w for w in weights if w > 0)
    scale = 100 / positive if source.type == "multiple" and positive else 1.0
    return [w * scale / 100 if w > 0 else w / 100 for w in weights]


def option_fraction(option: dict) -> float:
    """A single-choice option's fraction of the points (Moodle's grade for choosing it): the stored
    one, or by its tick, 1 or 0."""
    if "fraction" in option:
        return option["fraction"]
    return 1.0 if option["correct"] else 0.0


@register
class SingleChoice(QuestionType):
    """The chosen option's fraction, never below 0 (Moodle may take a negative one off the quiz
    total; here a question earns from nothing to its points)."""

    name = "single"

    def build(self, source, render, salt):
        fractions = _fractions(source)
        options = [
            {
                "id": option_id(salt, source.qid, i),
                "html": render(c.text),
                "correct": c.correct,
                "feedback_html": render(c.feedback) if c.feedback else "",
            }
            for i, c in enumerate(source.choices)
        ]
        for option, fraction in zip(options, fractions or [], strict=False):
            option["fraction"] = fraction
        return {"options": options}

    def present(self, data, rng, shuffle):
        return _shuffled([o["id"] for o in data["options"]], rng, shuffle)

    def read(self, data, order, form, field):
        value = form.get(field, "")
        if not value:
            return None
        if value not in order:
            raise ValidationFailed(f"unknown option {value!r}")
        return {"choice": value}

    def mark(self, data, response):
        if not response:
            return 0.0
        chosen = next((o for o in data["options"] if o["id"] == response.get("choice")), None)
        return max(0.0, min(1.0, option_fraction(chosen))) if chosen else 0.0


@register
class TrueFalse(SingleChoice):
    name = "truefalse"


@register
class MultipleResponse(SingleChoice):
    """Moodle's rule: the sum of the chosen options' fractions, from 0 to 1. Without written weights
    a right option is worth 1 ÷ right options and a wrong one as much off: (right chosen − wrong
    chosen) ÷ right options."""

    name = "multiple"

    def read(self, data, order, form, field):
        values = form.getlist(field)
        if not values:
            return None
        if any(v not in order for v in values) or len(set(values)) != len(values):
            raise ValidationFailed("unknown or repeated option")
        return {"choices": values}

    def mark(self, data, response):
        if not response:
            return 0.0
        chosen = set(response.get("choices", []))
        right = {o["id"] for o in data["options"] if o["correct"]}
        if not right:
            return 0.0
        if any("fraction" in o for o in data["options"]):
            score = sum(o["fraction"] for o in data["options"] if o["id"] in chosen)
        else:  # the same sum, written as it always was so that marks stay the same to the last bit
            score = (len(chosen & right) - len(chosen - right)) / len(right)
        return max(0.0, min(1.0, score))


def _answer_data(answer, render: Render, **fields) -> dict:
    """An accepted answer as stored: its fraction only when the file writes a weight, and `any` for
    `= *` (so that questions written before weights keep the same stored form)."""
    data = {
        "text": answer.text,
        **fields,
        "feedback_html": render(answer.feedback) if answer.feedback else "",
    }
    if answer.any_other:
        data["any"] = True
    if answer.weight is not None or answer.any_other:
        data["fraction"] = answer_weight(answer) / 100
    return data


def answer_fraction(answer: dict) -> float:
    return answer.get("fraction", 1.0)


def _first_match(data: dict, matches: Callable[[dict], bool]) -> dict | None:
    """Moodle's rule: the first answer, in the order written, that the reply matches; `= *` matches
    any reply."""
    return next((a for a in data["answers"] if a.get("any") or matches(a)), None)


@register
class ShortAnswer(QuestionType):
    name = "short"

    def build(self, source, render, salt):
        return {
            "answers": [_answer_data(a, render) for a in source.answers],
            "ignore_case": source.ignore_case,
            "ignore_diacritics": source.ignore_diacritics,
        }

    @staticmethod
    def key(text: str, ignore_case: bool, ignore_diacritics: bool) -> str:
        text = " ".join(nfc(text).split())
        if ignore_diacritics:
            return fold(text)
        text = tone_key(text)
        return text.casefold() if ignore_case else text

    def read(self, data, order, form, field):
        value = form.get(field, "").strip()
        if len(value) > MAX_TEXT_ANSWER:
            raise ValidationFailed("answer too long")
        return {"text": nfc(value)} if value else None

    def matching_answer(self, data, response) -> dict | None:
        if not response:
            return None
        flags = (data["ignore_case"], data["ignore_diacritics"])
        given = self.key(response.get("text", ""), *flags)
        return _first_match(data, lambda a: self.key(a["text"], *flags) == given)

    def mark(self, data, response):
        matched = self.matching_answer(data, response)
        return answer_fraction(matched) if matched else 0.0


@register
class Numeric(QuestionType):
    name = "numeric"

    def build(self, source, render, salt):
        return {
            "answers": [
                _answer_data(a, render)
                if a.any_other
                else _answer_data(a, render, low=a.numeric[0], high=a.numeric[1])
                for a in source.answers
            ]
        }

    def read(self, data, order, form, field):
        value = form.get(field, "").strip()
        if len(value) > 50:
            raise ValidationFailed("answer too long")
        return {"text": value} if value else None

    def matching_answer(self, data, response) -> dict | None:
        if not response:
            return None
        number = parse_number(response.get("text", ""))
        if number is None:
            return None
        return _first_match(data, lambda a: a["low"] - 1e-9 <= number <= a["high"] + 1e-9)

    def mark(self, data, response):
        matched = self.matching_answer(data, response)
        return answer_fraction(matched) if matched else 0.0


@register
class Matching(QuestionType):
    """Each left-hand item matched to its right-hand partner earns 1/n."""

    name = "matching"

    def build(self, source, render, salt):
        return {
            "pairs": [
                {
                    "id": option_id(salt, source.qid, i, "l"),
                    "html": render(left),
                    "right_id": option_id(salt, source.qid, i, "r"),
                    "right_html": render(right),
                }
                for i, (left, right) in enumerate(source.pairs)
            ]
        }

    def present(self, data, rng, shuffle):
        # the right-hand choices are always shuffled, or the answer would be their order
        return _shuffled([p["right_id"] for p in data["pairs"]], rng, True)

    def read(self, data, order, form, field):
        chosen = {}
        for pair in data["pairs"]:
            value = form.get(f"{field}-{pair['id']}", "")
            if value:
                if value not in order:
                    raise ValidationFailed(f"unknown option {value!r}")
                chosen[pair["id"]] = value
        return {"pairs": chosen} if chosen else None

    def mark(self, data, response):
        if not response:
            return 0.0
        chosen = response.get("pairs", {})
        right = sum(1 for p in data["pairs"] if chosen.get(p["id"]) == p["right_id"])
        return right / len(data["pairs"])


@register
class Ordering(QuestionType):
    """Each item put in its right place earns 1/n."""

    name = "ordering"

    def build(self, source, render, salt):
        return {
            "items": [
                {"id": option_id(salt, source.qid, i), "html": render(text)}
                for i, text in enumerate(source.order)
            ]
        }

    def present(self, data, rng, shuffle):
        ids = [item["id"] for item in data["items"]]
        shown = list(ids)
        for _ in range(10):  # shown in an order other than the answer
            rng.shuffle(shown)
            if shown != ids:
                break
        return shown

    def read(self, data, order, form, field):
        positions = {}
        for item_id in order:
            value = form.get(f"{field}-{item_id}", "")
            if value:
                if not value.isdigit() or not 1 <= int(value) <= len(order):
                    raise ValidationFailed(f"bad position {value!r}")
                positions[item_id] = int(value)
        return {"positions": positions} if positions else None

    def mark(self, data, response):
        if not response:
            return 0.0
        positions = response.get("positions", {})
        right = sum(1 for i, item in enumerate(data["items"], start=1) if positions.get(item["id"]) == i)
        return right / len(data["items"])


@register
class Essay(QuestionType):
    """A written answer, marked by the course's trainer (`app.quizzes.marking`). Only a blank answer
    is marked here: it earns nothing, and nobody is asked to mark it (as in Moodle). The word limit
    is checked when the learner submits, so that a long draft is never refused while saving."""

    name = "essay"
    manual = True

    def build(self, source, render, salt):
        return {"max_words": source.max_words}

    def read(self, data, order, form, field):
        value = nfc(form.get(field, "")).strip()
        if len(value) > MAX_ESSAY_CHARS:
            raise ValidationFailed("answer too long")
        return {"text": value} if value else None

    def mark(self, data, response):
        if response:
            raise ValueError("an essay is marked by a person")
        return 0.0
