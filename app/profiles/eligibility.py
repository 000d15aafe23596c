"""The eligibility engine: does a cadre meet a requirement set on a given date?

`evaluate` is one pure function of its arguments (a cadre's facts, a requirement set, reference
scales and titles, an as-of date, the kind of appointment): no I/O, no database, no clock. Each rule
kind is declared once, as one entry of `RULE_KINDS_REGISTRY` (kind -> RuleKind), like question
types in a quiz engine: its parameters, the appointment kinds it applies to, its evaluator, its
parameter checker, its label and its describer (what its unmet or conditional results say is
missing, in the reader's language). `validate_rule` runs the checker for the admin UI and names
each problem by its field path. The evaluator's docstring is the rule's exact meaning: `rule_table()`
turns them into the README's rule table, so the table cannot drift from the code. Evaluators are
pure; describers run only when a result is shown to someone (they translate and format dates).

Shared definitions, for every kind:
- Months are calendar months: adding N months keeps the day of the month, or the last day of a
  shorter month (31 Jan + 1 month = 28/29 Feb; 29 Feb + 12 months = 28 Feb).
- "Within the last N months" of as_of is the period (as_of - N months, as_of]: a record completed
  exactly N months before as_of is outside it, one completed the day after is inside.
- A record counts from the day it was completed/issued (an undated qualification from the day it
  was recorded, never earlier) through its valid_until/expires_on day inclusive, and until the day
  it was revoked (revoked_on): an evaluation as of a day before the revocation is unchanged.
- A course counts once: where hours are summed, repeated completions of one course code count only
  the first in the period.
- Thresholds compare unrounded values (a mean score of 49.996 is below 50).
- Grace windows count from the appointment date: the date of the appointment being evaluated, or,
  for a cadre already in the target post, the start of their continuous tenure in it. A rule unmet
  on as_of is conditional until appointment + grace_months (that day included), unmet after.
- The kind of appointment (first appointment, reappointment, transfer, rotation, acting) decides
  which rules apply: each rule kind has a default list of appointment kinds, a rule's `applies_to`
  overrides it. A cadre already holding the target post is evaluated for reappointment unless a
  kind is given. Rules that do not apply are listed in `not_applied`, never evaluated.

A rule of an unknown kind is unmet with Missing("unknown_rule", {kind}); a rule whose params are
malformed (including unknown keys at any depth) is unmet with Missing("invalid_rule", {kind,
problems: [{field, message}]}).

Nothing checked is never "met". When no set is in force (a NoRequirementSet is passed), or the set
has no rules, the evaluation has no results and its `reason` says why: Missing("no_set_in_force",
{title, as_of}) when the title has sets but none in force on as_of, Missing("no_requirements",
{title}) when it has none at all, Missing("empty_set", {title, version}). Its status is unmet. Dates in
Evidence summaries and Missing params are ISO strings, so a result serialises to JSON as it is
(`result_to_dict`, `eligibility_from_dict`).
"""

from __future__ import annotations

import calendar
import copy
import inspect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.labels import date_words, format_score
from app.profiles import retirement
from app.profiles.facts import (
    ACTING,
    APPOINTMENT,
    APPOINTMENT_KINDS,
    CONDITIONAL,
    EMPTY_SET,
    MET,
    NO_REQUIREMENTS,
    NO_SET_IN_FORCE,
    REAPPOINTMENT,
    UNMET,
    CadreFacts,
    DisciplineFact,
    Eligibility,
    Evidence,
    Missing,
    NoRequirementSet,
    PositionFact,
    QualificationFact,
    RequirementSet,
    Rule,
    RuleResult,
    ScaleDef,
    TitleDef,
    TrainingFact,
)

if TYPE_CHECKING:
    from app.profiles.present import Names

Problem = tuple[str, str]  # (field path, message), e.g. ("params.level", "not a level of ...")

DEFAULT_COOLING_MONTHS = {"reprimand": 24, "warning": 36, "removal": 60, "dismissal": 60, "other": 24}
DEFAULT_MAX_GAP_DAYS = 31  # months_in_post: a break of up to a month between posts is no break
FLAT_RETIREMENT_KEYS = ("male", "female")
WITHIN_GRACE, GRACE_EXPIRED = "_within_grace", "_grace_expired"  # suffixes of Missing codes


# --- calendar ----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day.

    Past the ends of the calendar (years 1 and 9999) it stops at date.min or date.max, so that an
    absurd as-of date (an effective date of 9999-12-31) gives an answer instead of an error.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (a month is complete on its monthly anniversary)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def within_months(day: date, as_of: date, months: int) -> bool:
    """Is `day` within the last `months` months of `as_of`: in (as_of - months, as_of]?"""
    return add_months(as_of, -months) < day <= as_of


def _add_days(day: date, days: int) -> date:
    try:
        return day + timedelta(days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def edition_key(version: str | None) -> tuple[int, ...] | None:
    """A course edition such as "2026.1" as numbers to compare ((2026, 1)); None if it has none."""
    if not version or not re.fullmatch(r"\d+(\.\d+)*", version.strip()):
        return None
    return tuple(int(part) for part in version.strip().split("."))


# --- registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    cadre: CadreFacts
    as_of: date
    scales: Mapping[str, ScaleDef]
    titles: Mapping[str, TitleDef]
    target_title: str
    kind: str = APPOINTMENT
    appointed_on: date | None = None  # grace windows count from here (default: as_of)


@dataclass(frozen=True)
class _Refs:
    scales: Mapping[str, ScaleDef]
    titles: Mapping[str, TitleDef]
    course_codes: set[str] | None  # None: unknown here (inside evaluate), not checked
    categories: set[str] | None


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule, declared once: its parameters, what it applies to, how to evaluate it and
    check its params, what it means exactly, and how to put it and its results into words."""

    name: str
    evaluate: Callable[[Rule, _Context], RuleResult]
    check: Callable[[_Params, _Refs], None]
    allowed_params: frozenset[str]
    applies_to: tuple[str, ...]  # the appointment kinds it applies to unless a rule says otherwise
    params_doc: str  # the params, e.g. "{course: CODE, min_score?: percent}"
    meaning: str  # what it means exactly, at its boundaries
    label: str  # the kind in words (a lazy translation), shown beside a rule without a label
    describe: Callable[[dict, Names], str]  # what a Missing's params say is missing, as a sentence
    missing_code: str  # the code of the Missing in its unmet and conditional results

    def words(self, missing: Missing, names: Names) -> str:
        """`missing` (this kind's code, with or without a grace suffix) in the reader's language,
        with the sentence on the grace window; never empty (the label when nothing is listed)."""
        return (self.describe(missing.params, names) or str(self.label)) + _grace_words(missing)


RULE_KINDS_REGISTRY: dict[str, RuleKind] = {}


def _rule_kind(
    kind: str,
    check: Callable[[_Params, _Refs], None],
    params: set[str],
    *,
    params_doc: str,
    label: str,
    describe: Callable[[dict, Names], str],
    applies_to: tuple[str, ...] = APPOINTMENT_KINDS,
    missing_code: str | None = None,
):
    """Register the decorated evaluator as rule kind `kind`: the one place a kind is declared.

    `missing_code` is the code of its results' Missing when it is not the kind's name.
    """

    def register(evaluator: Callable[[Rule, _Context], RuleResult]):
        RULE_KINDS_REGISTRY[kind] = RuleKind(
            name=kind,
            evaluate=evaluator,
            check=check,
            allowed_params=frozenset(params),
            applies_to=applies_to,
            params_doc=params_doc,
            meaning=" ".join(inspect.getdoc(evaluator).split()),
            label=label,
            describe=describe,
            missing_code=missing_code or kind,
        )
        return evaluator

    return register


def kind_of_missing(code: str) -> RuleKind | None:
    """The rule kind whose results carry Missing `code` (with or without a grace suffix), if any."""
    base = code.removesuffix(WITHIN_GRACE).removesuffix(GRACE_EXPIRED)
    return next((k for k in RULE_KINDS_REGISTRY.values() if k.missing_code == base), None)


def applies(rule: Rule, kind: str) -> bool:
    """Does `rule` apply to an appointment of this kind (its own applies_to, else its kind's)?"""
    if rule.applies_to is not None:
        return kind in rule.applies_to
    registered = RULE_KINDS_REGISTRY.get(rule.kind)
    return registered is None or kind in registered.applies_to


def rule_table() -> str:
    """The rule kinds as a Markdown table (kind, params, appointment kinds, exact meaning)."""
    lines = [
        "| rule kind | parameters (? = optional) | applies to, unless `applies_to` says | exact meaning |",
        "|---|---|---|---|",
    ]
    for name, kind in RULE_KINDS_REGISTRY.items():
        cells = [f"`{name}`", f"`{kind.params_doc}`", ", ".join(kind.applies_to), kind.meaning]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


# --- params checking ---------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


class _Params:
    """Reads one rule's params, collecting problems named by their field path."""

    def __init__(self, params: dict, allowed: frozenset[str]):
        self.params = params
        self.problems: list[Problem] = []
        for key in params:
            if key not in allowed:
                self.add(str(key), "unknown parameter")

    def add(self, path: str, message: str) -> None:
        self.problems.append((f"params.{path}", message))

    def _value(self, name: str, required: bool):
        value = self.params.get(name)
        if value is None and required:
            self.add(name, "is required")
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int = 0) -> int | None:
        value = self._value(name, required)
        if value is None:
            return None
        if not _is_int(value):
            self.add(name, "must be a whole number")
            return None
        if value < minimum:
            self.add(name, f"must be at least {minimum}")
            return None
        return value

    def number(self, name: str, *, required: bool = False, maximum: float | None = None) -> float | None:
        value = self._value(name, required)
        if value is None:
            return None
        if not _is_number(value):
            self.add(name, "must be a number")
            return None
        if value < 0 or (maximum is not None and value > maximum):
            self.add(name, f"must be between 0 and {maximum}" if maximum else "must not be negative")
            return None
        return value

    def boolean(self, name: str) -> None:
        value = self.params.get(name)
        if value is not None and not isinstance(value, bool):
            self.add(name, "must be true or false")

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(name, "must be a non-empty text")
            return None
        return value

    def texts(self, name: str, *, required: bool = False) -> list[str] | None:
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, list | tuple) or (required and not value):
            self.add(name, "must be a non-empty list" if required else "must be a list")
            return None
        good = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.add(f"{name}[{i}]", "must be a non-empty text")
            elif item in good:
                self.add(f"{name}[{i}]", f"{item} is listed twice")
            else:
                good.append(item)
        return good if len(good) == len(value) else None

    def mapping(self, name: str, path: str | None = None) -> dict | None:
        value = self.params.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(path or name, "must be an object")
            return None
        return value

    def day(self, path: str, value) -> None:
        """An ISO date (YYYY-MM-DD) written as text."""
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            self.add(path, "must be a date written YYYY-MM-DD")

    def course_code(self, path: str, code: str, refs: _Refs) -> None:
        if refs.course_codes is not None and code not in refs.course_codes:
            self.add(path, f"unknown course code {code}")

    def scale_level(self, path: str, scale: str | None, level: str | None, refs: _Refs) -> None:
        """Check that `scale` is known and `level` is on it; `path` is the prefix ("" or "accept[0].")."""
        if scale is None:
            return
        if scale not in refs.scales:
            self.add(f"{path}scale", f"unknown scale {scale}")
        elif level is not None and level not in refs.scales[scale].levels:
            levels = ", ".join(refs.scales[scale].levels)
            self.add(f"{path}level", f"{level} is not a level of {scale} ({levels})")


def _check_course(p: _Params, refs: _Refs) -> None:
    code = p.text("course", required=True)
    if code:
        p.course_code("course", code, refs)
    p.number("min_score", maximum=100)
    p.integer("within_months")
    p.integer("grace_months")
    version = p.text("min_version")
    if version is not None and edition_key(version) is None:
        p.add("min_version", "must be an edition such as 2026.1")


def _check_k_of_n(p: _Params, refs: _Refs) -> None:
    codes = p.texts("courses", required=True)
    for i, code in enumerate(codes or ()):
        p.course_code(f"courses[{i}]", code, refs)
    k = p.integer("k", required=True, minimum=1)
    if k is not None and codes is not None and k > len(codes):
        p.add("k", f"must not exceed the number of courses ({len(codes)})")
    p.integer("within_months")
    p.number("min_score", maximum=100)
    p.integer("grace_months")


def _check_hours_in_category(p: _Params, refs: _Refs) -> None:
    category = p.text("category", required=True)
    if category and refs.categories is not None and category not in refs.categories:
        p.add("category", f"unknown category {category}")
    p.integer("hours", required=True)
    p.integer("months", required=True, minimum=1)
    p.boolean("include_expired")


def _check_annual_hours(p: _Params, refs: _Refs) -> None:
    p.integer("hours", required=True)
    p.integer("years", required=True, minimum=1)
    p.boolean("enabled")
    p.boolean("include_expired")


ACCEPT_KEYS = ("scale", "level", "issued_before")


def _check_qualification(p: _Params, refs: _Refs) -> None:
    p.scale_level("", p.text("scale", required=True), p.text("level", required=True), refs)
    accept = p.params.get("accept")
    if accept is not None:
        if not isinstance(accept, list | tuple):
            p.add("accept", "must be a list of {scale, level, issued_before?}")
        else:
            for i, item in enumerate(accept):
                if not isinstance(item, dict):
                    p.add(f"accept[{i}]", "must be an object {scale, level, issued_before?}")
                    continue
                for key in item.keys() - set(ACCEPT_KEYS):
                    p.add(f"accept[{i}].{key}", "unknown parameter")
                found = {}
                for key in ("scale", "level"):
                    value = item.get(key)
                    if not isinstance(value, str) or not value.strip():
                        p.add(f"accept[{i}].{key}", "is required" if value is None else "must be a text")
                    else:
                        found[key] = value
                p.scale_level(f"accept[{i}].", found.get("scale"), found.get("level"), refs)
                if item.get("issued_before") is not None:
                    p.day(f"accept[{i}].issued_before", item["issued_before"])
    p.integer("grace_months")


def _check_planning(p: _Params, refs: _Refs) -> None:
    p.boolean("or_higher")


def _check_remaining_service(p: _Params, refs: _Refs) -> None:
    p.number("years", required=True)
    ages = p.mapping("retirement_age")
    for key, value in (ages or {}).items():
        if key not in FLAT_RETIREMENT_KEYS:
            p.add(f"retirement_age.{key}", "unknown parameter (male or female)")
        elif not _is_number(value) or not 15 <= value <= 100:
            p.add(f"retirement_age.{key}", "must be a number of years between 15 and 100")


def _check_discipline(p: _Params, refs: _Refs) -> None:
    months = p.mapping("cooling_months")
    for level, value in (months or {}).items():
        if level not in DEFAULT_COOLING_MONTHS:
            known = ", ".join(DEFAULT_COOLING_MONTHS)
            p.add(f"cooling_months.{level}", f"unknown discipline level (known: {known})")
        elif not _is_int(value) or value < 0:
            p.add(f"cooling_months.{level}", "must be a whole number of months, at least 0")


def _check_months_in_post(p: _Params, refs: _Refs) -> None:
    p.integer("months", required=True)
    for i, code in enumerate(p.texts("titles") or ()):
        if code not in refs.titles:
            p.add(f"titles[{i}]", f"unknown title {code}")
    p.boolean("or_higher")
    p.integer("max_gap_days")


def _problems(rule: Rule, refs: _Refs) -> list[Problem]:
    kind = RULE_KINDS_REGISTRY.get(rule.kind)
    if kind is None:
        known = ", ".join(RULE_KINDS_REGISTRY)
        return [("kind", f"unknown rule kind {rule.kind!r} (known: {known})")]
    problems: list[Problem] = []
    if rule.applies_to is not None:
        if not isinstance(rule.applies_to, list | tuple) or not rule.applies_to:
            problems.append(("applies_to", f"must be a non-empty list of: {', '.join(APPOINTMENT_KINDS)}"))
        else:
            for i, item in enumerate(rule.applies_to):
                if item not in APPOINTMENT_KINDS:
                    problems.append(
                        (f"applies_to[{i}]", f"unknown kind {item!r} (known: {', '.join(APPOINTMENT_KINDS)})")
                    )
    if not isinstance(rule.params, dict):
        return [*problems, ("params", "must be an object")]
    p = _Params(rule.params, kind.allowed_params)
    kind.check(p, refs)
    return problems + p.problems


def validate_rule(
    rule: Rule,
    *,
    scales: Mapping[str, ScaleDef],
    titles: Mapping[str, TitleDef],
    course_codes: set[str],
    categories: set[str],
) -> list[tuple[str, str]]:
    """The problems of a rule as (field path, message), e.g. ("params.level", ...); [] if valid.

    Checks the kind, required params, types, ranges (no negative hours or months), unknown params at
    any depth, course codes, categories, scales and their levels, title codes, dates and the
    appointment kinds of `applies_to`. Never raises.
    """
    return _problems(rule, _Refs(scales, titles, set(course_codes), set(categories)))


# --- records -----------------------------------------------------------------------------------


def _expired(valid_until: date | None, as_of: date) -> bool:
    return valid_until is not None and valid_until < as_of


def _revoked(revoked: bool, revoked_on: date | None, as_of: date) -> bool:
    """Revoked on as_of: a revocation counts from its day (one with no day: always)."""
    return revoked and (revoked_on is None or revoked_on <= as_of)


def _trainings(ctx: _Context) -> list[TrainingFact]:
    """Trainings that count on as_of: completed on or before it, not revoked by then (expired or not)."""
    return [
        t
        for t in ctx.cadre.trainings
        if t.completed_on <= ctx.as_of and not _revoked(t.revoked, t.revoked_on, ctx.as_of)
    ]


def held_from(q: QualificationFact) -> date | None:
    """From when a qualification counts: its issue date, or for an undated one the day it was
    recorded (an old dossier proves it was held by then, not earlier); None: never."""
    return q.issued_on or q.recorded_on


def _qualifications(ctx: _Context) -> list[QualificationFact]:
    """Qualifications valid on as_of: held by then, not revoked by then, not expired."""
    return [
        q
        for q in ctx.cadre.qualifications
        if held_from(q) is not None
        and held_from(q) <= ctx.as_of
        and not _revoked(q.revoked, q.revoked_on, ctx.as_of)
        and not _expired(q.expires_on, ctx.as_of)
    ]


def _once_per_course(records: list[TrainingFact]) -> list[TrainingFact]:
    """The records whose hours count: the first completion of each course code (records without a
    code, such as external programmes, each count)."""
    seen: set[str] = set()
    kept = []
    for t in sorted(records, key=lambda t: (t.completed_on, t.record_id)):
        if t.course_code is not None:
            if t.course_code in seen:
                continue
            seen.add(t.course_code)
        kept.append(t)
    return kept


def _training_evidence(t: TrainingFact) -> Evidence:
    summary = {"course": t.course_code, "completed_on": t.completed_on.isoformat(), "hours": t.hours}
    if t.score is not None:
        summary["score"] = t.score
    if t.course_version:
        summary["version"] = t.course_version
    if t.category:
        summary["category"] = t.category
    if t.valid_until:
        summary["valid_until"] = t.valid_until.isoformat()
    if t.programme and not t.course_code:
        summary["programme"] = t.programme
    return Evidence("training", t.record_id, summary)


def _result(rule: Rule, status: str, evidence=(), missing=(), deadline: date | None = None) -> RuleResult:
    return RuleResult(rule, status, tuple(evidence), tuple(missing), deadline)


def _with_grace(rule: Rule, ctx: _Context, missing: Missing, evidence=()) -> RuleResult:
    """Unmet; or, when the rule grants grace_months, conditional until appointment + grace_months
    (that day included) and unmet with Missing("<code>_grace_expired") after it."""
    grace = rule.params.get("grace_months")
    if grace is None:
        return _result(rule, UNMET, evidence, [missing])
    appointed_on = ctx.appointed_on or ctx.as_of
    deadline = add_months(appointed_on, grace)
    params = {
        **missing.params,
        "grace_months": grace,
        "appointed_on": appointed_on.isoformat(),
        "deadline": deadline.isoformat(),
    }
    if ctx.as_of > deadline:
        return _result(rule, UNMET, evidence, [Missing(missing.code + GRACE_EXPIRED, params)])
    return _result(rule, CONDITIONAL, evidence, [Missing(missing.code + WITHIN_GRACE, params)], deadline)


def day_words(value: str | None) -> str:
    """An ISO date of a result (a Missing's or an Evidence's) for reading; "—" when there is none."""
    return date_words(date.fromisoformat(value)) if value else "—"


def _grace_words(missing: Missing) -> str:
    """The sentence on a grace window, for a code ending in _within_grace or _grace_expired."""
    p = missing.params
    if missing.code.endswith(WITHIN_GRACE):
        return " " + _(
            "It may be completed within %(n)s months of the appointment (%(start)s), by %(day)s.",
            n=p.get("grace_months"),
            start=day_words(p.get("appointed_on")),
            day=day_words(p.get("deadline")),
        )
    if missing.code.endswith(GRACE_EXPIRED):
        return " " + _(
            "The %(n)s months allowed after the appointment (%(start)s) ended on %(day)s.",
            n=p.get("grace_months"),
            start=day_words(p.get("appointed_on")),
            day=day_words(p.get("deadline")),
        )
    return ""


# --- evaluators --------------------------------------------------------------------------------


def _best_completion(
    ctx: _Context,
    code: str,
    *,
    min_score: float | None,
    within: int | None,
    min_version: str | None = None,
) -> tuple[TrainingFact | None, dict]:
    """The best record completing course `code` on as_of, or None and why not."""
    done = [t for t in _trainings(ctx) if t.course_code == code]
    if not done:
        return None, {"reason": "none"}
    valid = [t for t in done if not _expired(t.valid_until, ctx.as_of)]
    if not valid:
        return None, {"reason": "expired", "expired_on": max(t.valid_until for t in done).isoformat()}
    if min_version is not None:
        wanted = edition_key(min_version)
        current = [t for t in valid if (edition_key(t.course_version) or ()) >= wanted]
        if not current:
            editions = [t.course_version for t in valid if t.course_version]
            latest = max(editions, key=lambda v: edition_key(v) or (), default=None)
            return None, {"reason": "old_edition", "version": latest}
        valid = current
    if within is not None:
        recent = [t for t in valid if within_months(t.completed_on, ctx.as_of, within)]
        if not recent:
            return None, {"reason": "too_old", "completed_on": max(t.completed_on for t in valid).isoformat()}
        valid = recent
    passing = [t for t in valid if min_score is None or (t.score is not None and t.score >= min_score)]
    if not passing:
        scores = [t.score for t in valid if t.score is not None]
        return None, {"reason": "score_too_low", "best_score": max(scores, default=None)}
    best = max(passing, key=lambda t: (t.score if t.score is not None else -1.0, t.completed_on, t.record_id))
    return best, {}


def _course_words(p: dict, names: Names) -> str:
    course = names.course(p.get("course", ""))
    reason = p.get("reason")
    if reason == "score_too_low":
        return _(
            "Course %(course)s completed with %(score)s%%, below the %(min)s%% required.",
            course=course,
            score=format_score(p.get("best_score")),
            min=p.get("min_score"),
        )
    if reason == "too_old":
        return _(
            "Course %(course)s was completed more than %(months)s months ago; take it again.",
            course=course,
            months=p.get("within_months"),
        )
    if reason == "expired":
        return _(
            "The certificate of course %(course)s expired on %(day)s.",
            course=course,
            day=day_words(p.get("expired_on")),
        )
    if reason == "old_edition":
        return _(
            "Course %(course)s must be completed in edition %(min)s or later (done: %(done)s).",
            course=course,
            min=p.get("min_version"),
            done=p.get("version") or _("edition unknown"),
        )
    text = _("Complete the course %(course)s.", course=course)
    if p.get("min_score") and reason == "none":
        text += " " + _("A final score of at least %(min)s%% is required.", min=p["min_score"])
    return text


@_rule_kind(
    "course",
    _check_course,
    {"course", "min_score", "within_months", "grace_months", "min_version"},
    params_doc=(
        "{course: CODE, min_score?: percent, within_months?: N, grace_months?: N, min_version?: EDITION}"
    ),
    label=_l("Completed course"),
    describe=_course_words,
)
def _course(rule: Rule, ctx: _Context) -> RuleResult:
    """Met by a completion of the course that counts on as_of: not expired (valid through its
    valid_until day), of edition min_version or later (a record with no edition fails it), completed
    within the last within_months months, with a score >= min_score compared unrounded (no score
    fails it). The best such record is the evidence. Unmet -> Missing("course", {course, reason:
    none | expired | old_edition | too_old | score_too_low}). With grace_months: conditional until
    appointment + grace_months, unmet after.
    """
    params = rule.params
    min_score, within = params.get("min_score"), params.get("within_months")
    best, why = _best_completion(
        ctx, params["course"], min_score=min_score, within=within, min_version=params.get("min_version")
    )
    if best is not None:
        return _result(rule, MET, [_training_evidence(best)])
    missing = {"course": params["course"]}
    for name in ("min_score", "within_months", "min_version"):
        if params.get(name) is not None:
            missing[name] = params[name]
    return _with_grace(rule, ctx, Missing("course", {**missing, **why}))


def _courses_k_of_n_words(p: dict, names: Names) -> str:
    return _(
        "Complete %(n)s more of: %(courses)s.",
        n=p.get("needed"),
        courses=", ".join(names.course(c) for c in p.get("remaining", [])),
    )


@_rule_kind(
    "courses_k_of_n",
    _check_k_of_n,
    {"courses", "k", "within_months", "min_score", "grace_months"},
    params_doc="{courses: [CODE, ...], k: N, within_months?: N, min_score?: percent, grace_months?: N}",
    label=_l("Completed courses of a set"),
    describe=_courses_k_of_n_words,
)
def _courses_k_of_n(rule: Rule, ctx: _Context) -> RuleResult:
    """Met when at least k of the courses are done, each under the same tests as `course`. Unmet
    -> Missing("courses_k_of_n", {needed, remaining, done}). With grace_months: conditional until
    appointment + grace_months, unmet after.
    """
    params = rule.params
    done, remaining, evidence = [], [], []
    for code in params["courses"]:
        best, _ = _best_completion(
            ctx, code, min_score=params.get("min_score"), within=params.get("within_months")
        )
        if best is None:
            remaining.append(code)
        else:
            done.append(code)
            evidence.append(_training_evidence(best))
    if len(done) >= params["k"]:
        return _result(rule, MET, evidence)
    missing = Missing(
        "courses_k_of_n", {"needed": params["k"] - len(done), "remaining": remaining, "done": done}
    )
    return _with_grace(rule, ctx, missing, evidence)


def _hour_records(ctx: _Context, params: dict) -> list[TrainingFact]:
    records = _trainings(ctx)
    if params.get("include_expired") is False:
        records = [t for t in records if not _expired(t.valid_until, ctx.as_of)]
    return records


def _hours_in_category_words(p: dict, names: Names) -> str:
    return _(
        "%(have)s of %(needed)s periods in %(category)s in the last %(months)s months: %(short)s more needed.",  # noqa: E501
        have=p.get("have"),
        needed=p.get("needed"),
        category=p.get("category"),
        months=p.get("months"),
        short=(p.get("needed") or 0) - (p.get("have") or 0),
    )


@_rule_kind(
    "hours_in_category",
    _check_hours_in_category,
    {"category", "hours", "months", "include_expired"},
    params_doc="{category: CODE, hours: N, months: N, include_expired?: true}",
    label=_l("Training hours in a category"),
    describe=_hours_in_category_words,
    missing_code="hours",
)
def _hours_in_category(rule: Rule, ctx: _Context) -> RuleResult:
    """Met when the periods (tiết) of the category's records completed within the last `months`
    months reach `hours`. A record counts whole on its completed_on day; a course counts once (its
    first completion in the period). Hours once trained stay trained: expired records count unless
    include_expired is false. Unmet -> Missing("hours", {category, needed, have, months}).
    """
    params = rule.params
    counted = _once_per_course(
        [
            t
            for t in _hour_records(ctx, params)
            if t.category == params["category"] and within_months(t.completed_on, ctx.as_of, params["months"])
        ]
    )
    have = sum(t.hours for t in counted)
    evidence = [_training_evidence(t) for t in counted]
    if have >= params["hours"]:
        return _result(rule, MET, evidence)
    missing = Missing(
        "hours",
        {"category": params["category"], "needed": params["hours"], "have": have, "months": params["months"]},
    )
    return _result(rule, UNMET, evidence, [missing])


def _annual_hours_words(p: dict, names: Names) -> str:
    return "; ".join(_("%(year)s: %(have)s of %(needed)s periods", **s) for s in p.get("shortfalls", []))


@_rule_kind(
    "annual_hours",
    _check_annual_hours,
    {"hours", "years", "enabled", "include_expired"},
    params_doc="{hours: N, years: N, enabled?: true, include_expired?: true}",
    label=_l("Training hours each year"),
    describe=_annual_hours_words,
)
def _annual_hours(rule: Rule, ctx: _Context) -> RuleResult:
    """For each of the last `years` full calendar years before as_of's year, the periods completed
    in that year (any category; a course counts once, in the year of its first completion) must
    reach `hours`. Unmet -> Missing("annual_hours", {shortfalls: [{year, have, needed}]}). With
    enabled: false (the shipped default: the duty was abolished by Decree 89/2021) it is met and
    marked as not applied.
    """
    params = rule.params
    if params.get("enabled") is False:
        return _result(rule, MET, [Evidence("rule", None, {"disabled": True})])
    years = range(ctx.as_of.year - params["years"], ctx.as_of.year)
    counted = _once_per_course([t for t in _hour_records(ctx, params) if t.completed_on.year in years])
    shortfalls = []
    for year in years:
        have = sum(t.hours for t in counted if t.completed_on.year == year)
        if have < params["hours"]:
            shortfalls.append({"year": year, "have": have, "needed": params["hours"]})
    evidence = [_training_evidence(t) for t in counted]
    if not shortfalls:
        return _result(rule, MET, evidence)
    return _result(rule, UNMET, evidence, [Missing("annual_hours", {"shortfalls": shortfalls})])


def _qualification_words(p: dict, names: Names) -> str:
    scale = p.get("scale", "")
    return _(
        "%(scale)s at level %(level)s or above is required (now: %(have)s).",
        scale=names.scales.get(scale, p.get("scale")),
        level=names.level(scale, p.get("level")),
        have=names.level(scale, p.get("have")) if p.get("have") else _("no level yet"),
    )


@_rule_kind(
    "qualification",
    _check_qualification,
    {"scale", "level", "accept", "grace_months"},
    params_doc=(
        "{scale: CODE, level: CODE, accept?: [{scale, level, issued_before?: DATE}], grace_months?: N}"
    ),
    label=_l("Qualification level"),
    describe=_qualification_words,
)
def _qualification(rule: Rule, ctx: _Context) -> RuleResult:
    """Met by a qualification valid on as_of on `scale` at or above `level` (the scale's order), or
    at or above an accepted equivalent; an equivalent with issued_before counts only when issued
    before that day (an exemption such as Decree 29/2024's for the advanced political-theory degree
    held before 30/6/2022: issued 29/6/2022 counts, 30/6/2022 does not, an undated one does not).
    Valid: held (issued, or recorded if undated) on or before as_of, not expired, not revoked by
    then. Unmet -> Missing("qualification", {scale, level, have}). With grace_months: conditional
    until appointment + grace_months, unmet after.
    """
    params = rule.params
    held = _qualifications(ctx)

    def at_or_above(
        scale: str, level: str, before: date | None = None
    ) -> list[tuple[int, QualificationFact]]:
        levels = ctx.scales[scale].levels
        return [
            (levels.index(q.level), q)
            for q in held
            if q.scale == scale
            and q.level in levels
            and levels.index(q.level) >= levels.index(level)
            and (before is None or (q.issued_on is not None and q.issued_on < before))
        ]

    def evidence(q: QualificationFact, **extra) -> Evidence:
        summary = {"scale": q.scale, "level": q.level, "issued_on": _iso(q.issued_on), **extra}
        if q.issued_on is None and q.recorded_on:
            summary["recorded_on"] = q.recorded_on.isoformat()
        if q.expires_on:
            summary["expires_on"] = q.expires_on.isoformat()
        if q.number:
            summary["number"] = q.number
        return Evidence("qualification", q.record_id, summary)

    direct = at_or_above(params["scale"], params["level"])
    if direct:
        return _result(rule, MET, [evidence(max(direct, key=lambda pair: pair[0])[1])])
    for accepted in params.get("accept") or ():
        before = accepted.get("issued_before")
        matches = at_or_above(
            accepted["scale"], accepted["level"], date.fromisoformat(before) if before else None
        )
        if matches:
            best = max(matches, key=lambda pair: pair[0])[1]
            extra = {"equivalent_of": params["level"]}
            if before:
                extra["issued_before"] = before
            return _result(rule, MET, [evidence(best, **extra)])
    levels = ctx.scales[params["scale"]].levels
    on_scale = [q.level for q in held if q.scale == params["scale"] and q.level in levels]
    have = max(on_scale, key=levels.index, default=None)
    return _with_grace(
        rule,
        ctx,
        Missing("qualification", {"scale": params["scale"], "level": params["level"], "have": have}),
    )


def _planning_words(p: dict, names: Names) -> str:
    return _("Not in the planning pool for %(title)s or a higher title.", title=names.title(p.get("title")))


@_rule_kind(
    "planning",
    _check_planning,
    {"or_higher"},
    params_doc="{or_higher?: true}",
    applies_to=(APPOINTMENT, ACTING),
    label=_l("Planning pool"),
    describe=_planning_words,
)
def _planning(rule: Rule, ctx: _Context) -> RuleResult:
    """Met by a planning (quy hoạch) entry in force on as_of (valid_from <= as_of <= valid_to, or
    open-ended) for the target title or, with or_higher, a title of rank >= the target's. Unmet ->
    Missing("planning", {title}). Applies to first and acting appointments: reappointment, transfer
    and rotation keep a post of the same level.
    """
    target = ctx.target_title
    target_rank = ctx.titles[target].rank if target in ctx.titles else None
    or_higher = rule.params.get("or_higher", True) is not False

    def distance(title: str) -> int | None:
        """0 for the target itself, rank difference for a higher title, None if it does not count."""
        if title == target:
            return 0
        if or_higher and target_rank is not None and title in ctx.titles:
            above = ctx.titles[title].rank - target_rank
            return above if above >= 0 else None
        return None

    in_force = [
        (distance(p.title_code), p)
        for p in ctx.cadre.planning
        if p.valid_from <= ctx.as_of and (p.valid_to is None or ctx.as_of <= p.valid_to)
    ]
    counting = [(d, p) for d, p in in_force if d is not None]
    if not counting:
        return _result(rule, UNMET, missing=[Missing("planning", {"title": target})])
    _, best = min(counting, key=lambda pair: (pair[0], pair[1].record_id))
    summary = {
        "title": best.title_code,
        "valid_from": best.valid_from.isoformat(),
        "valid_to": _iso(best.valid_to),
    }
    if best.unit_code:
        summary["unit"] = best.unit_code
    return _result(rule, MET, [Evidence("planning", best.record_id, summary)])


def _remaining_service_words(p: dict, names: Names) -> str:
    return _(
        "Retirement on %(day)s leaves %(left)s years; %(needed)s are required.",
        day=day_words(p.get("retirement_date")),
        left=p.get("years_left"),
        needed=p.get("years_needed"),
    )


@_rule_kind(
    "remaining_service",
    _check_remaining_service,
    {"years", "retirement_age"},
    params_doc="{years: N, retirement_age?: {male: years, female: years}}",
    applies_to=(APPOINTMENT,),
    label=_l("Remaining service"),
    describe=_remaining_service_words,
)
def _remaining_service(rule: Rule, ctx: _Context) -> RuleResult:
    """Met if as_of + `years` falls on or before the retirement date. The retirement date is the
    last day of the month in which the statutory age is reached (Decree 135/2020 art. 3), by the
    schedule shipped as data in app/profiles/retirement.yaml: Labour Code 2019 art. 169 and Decree
    135/2020's table by month of birth (men 60y3m in 2021 rising 3 months a year to 62 in 2028,
    women 55y4m rising 4 months a year to 60 in 2035; the age of the year in which it is reached;
    60 and 55 for those who reached them by the end of 2020), moved by the exception configured for
    the cadre's current title, if any (at most 5 years earlier or later). retirement_age replaces
    the schedule with flat ages in years (61.25 = 61 years 3 months). Unmet ->
    Missing("remaining_service", {retirement_date, years_needed, years_left (whole months / 12,
    rounded down to one decimal)}). Applies to first appointments only: a reappointment runs to
    retirement (Decree 170/2025).
    """
    params = rule.params
    cadre = ctx.cadre
    flat = params.get("retirement_age") or {}
    exception = None
    if cadre.gender in flat:
        retires = retirement.retirement_date(cadre.date_of_birth, round(flat[cadre.gender] * 12))
    elif cadre.gender in retirement.GENDERS:
        scheduled = retirement.retirement_of(cadre.gender, cadre.date_of_birth, cadre.title_code)
        retires, exception = scheduled.day, scheduled.exception
    else:
        missing = Missing("profile_incomplete", {"field": "gender", "value": cadre.gender})
        return _result(rule, UNMET, missing=[missing])
    summary = {
        "date_of_birth": cadre.date_of_birth.isoformat(),
        "gender": cadre.gender,
        "retirement_date": retires.isoformat(),
    }
    if exception is not None:
        summary["retirement_exception"] = exception.label
    evidence = Evidence("profile", None, summary)
    if add_months(ctx.as_of, round(params["years"] * 12)) <= retires:
        return _result(rule, MET, [evidence])
    years_left = math.floor(full_months_between(ctx.as_of, retires) * 10 / 12) / 10
    missing = Missing(
        "remaining_service",
        {"retirement_date": retires.isoformat(), "years_needed": params["years"], "years_left": years_left},
    )
    return _result(rule, UNMET, [evidence], [missing])


def _discipline_counts(d: DisciplineFact, as_of: date) -> bool:
    """In force on as_of: decided (or, for a replacement, its decision made) by then, and not
    annulled or replaced before or on as_of."""
    return (d.counts_from or d.decided_on) <= as_of and (d.ends_on is None or as_of < d.ends_on)


def _discipline_words(p: dict, names: Names) -> str:
    return _(
        "Under discipline (%(level)s, %(day)s): eligible again from %(start)s.",
        level=p.get("level"),
        day=day_words(p.get("decided_on")),
        start=day_words(p.get("eligible_from")),
    )


@_rule_kind(
    "discipline",
    _check_discipline,
    {"cooling_months"},
    params_doc="{cooling_months?: {reprimand: 24, warning: 36, removal: 60, dismissal: 60, other: 24}}",
    label=_l("Discipline"),
    describe=_discipline_words,
)
def _discipline(rule: Rule, ctx: _Context) -> RuleResult:
    """Each discipline in force on as_of blocks from decided_on until decided_on + the level's
    months (it no longer blocks on that day). Months default to reprimand 24, warning 36, removal
    60, dismissal 60 (Regulation 377-QĐ/TW) and other 24 (never shorter than the lightest level);
    unknown levels in cooling_months are errors. A discipline annulled or replaced stops counting
    on the day of the annulling or replacing decision (evaluations before that day are unchanged);
    a replacement counts from that day with its own level, its months running from its decided_on.
    Unmet -> Missing("discipline", {level, decided_on, eligible_from}) of the one that blocks longest.
    """
    cooling = {**DEFAULT_COOLING_MONTHS, **(rule.params.get("cooling_months") or {})}
    in_force = sorted(
        (d for d in ctx.cadre.discipline if _discipline_counts(d, ctx.as_of)),
        key=lambda d: (d.decided_on, d.record_id),
    )
    ends = [(add_months(d.decided_on, cooling.get(d.level, cooling["other"])), d) for d in in_force]
    evidence = [
        Evidence(
            "discipline",
            d.record_id,
            {"level": d.level, "decided_on": d.decided_on.isoformat(), "eligible_from": end.isoformat()},
        )
        for end, d in ends
    ]
    blocking = [i for i, (end, _) in enumerate(ends) if end > ctx.as_of]
    if not blocking:
        return _result(rule, MET, evidence)
    end, last = max((ends[i] for i in blocking), key=lambda pair: (pair[0], pair[1].record_id))
    missing = Missing(
        "discipline",
        {"level": last.level, "decided_on": last.decided_on.isoformat(), "eligible_from": end.isoformat()},
    )
    return _result(rule, UNMET, [evidence[i] for i in blocking], [missing])


def tenure(
    positions: tuple[PositionFact, ...] | list[PositionFact],
    counts: Callable[[PositionFact], bool],
    as_of: date,
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
) -> tuple[list[PositionFact], date | None, int]:
    """The continuous run of positions that `counts`, up to as_of: (positions, start, days of gaps).

    It starts from the positions covering as_of and walks back through earlier ones that end at
    most `max_gap_days` days before the run starts (overlapping, consecutive, or across a short
    break such as a weekend between two decisions). No position covers as_of: ([], None, 0).
    """
    held = [p for p in positions if counts(p) and p.start_date <= as_of]
    chain = [p for p in held if p.end_date is None or p.end_date >= as_of]
    start = min((p.start_date for p in chain), default=None)
    while start is not None:
        reach = _add_days(start, -(max_gap_days + 1))
        joining = [
            p
            for p in held
            if p not in chain and p.start_date < start and (p.end_date is None or p.end_date >= reach)
        ]
        if not joining:
            break
        chain.extend(joining)
        start = min(p.start_date for p in joining)
    if start is None:
        return [], None, 0
    chain.sort(key=lambda p: (p.start_date, p.record_id))
    gaps, reached = 0, start  # days between posts; the first day not yet covered
    for p in chain:
        if p.start_date > reached:
            gaps += (p.start_date - reached).days
        last = min(p.end_date or as_of, as_of)
        reached = max(reached, _add_days(last, 1))
    return chain, start, gaps


def _months_in_post_words(p: dict, names: Names) -> str:
    return _(
        "%(have)s of %(needed)s months in the post or an equivalent one.",
        have=p.get("have"),
        needed=p.get("needed"),
    )


@_rule_kind(
    "months_in_post",
    _check_months_in_post,
    {"months", "titles", "or_higher", "max_gap_days"},
    params_doc="{months: N, titles?: [TITLE, ...], or_higher?: true, max_gap_days?: 31}",
    applies_to=(APPOINTMENT, ACTING),
    label=_l("Time in post"),
    describe=_months_in_post_words,
)
def _months_in_post(rule: Rule, ctx: _Context) -> RuleResult:
    """Whole calendar months of continuous service up to as_of in posts with one of `titles`
    (default: the title of the post held on as_of, from the position history, never today's title
    for a past date) or, with or_higher, a title ranked at or above the lowest of them, so that a
    higher post in between continues the run and counts. The run walks back from the post held on
    as_of through posts ending at most max_gap_days days before the next begins (a weekend between
    two decisions is no break); days in the gaps themselves do not count. Unmet ->
    Missing("months_in_post", {needed, have}). Applies to first and acting appointments.
    """
    params = rule.params
    as_of = ctx.as_of
    titles = set(params.get("titles") or ())
    if not titles:
        titles = {
            p.title_code
            for p in ctx.cadre.positions
            if p.start_date <= as_of and (p.end_date is None or p.end_date >= as_of)
        }
    ranks = [ctx.titles[t].rank for t in titles if t in ctx.titles]
    floor = min(ranks, default=None) if params.get("or_higher", True) is not False else None

    def counts(p: PositionFact) -> bool:
        if p.title_code in titles:
            return True
        return floor is not None and p.title_code in ctx.titles and ctx.titles[p.title_code].rank >= floor

    chain, start, gaps = tenure(
        ctx.cadre.positions, counts, as_of, params.get("max_gap_days", DEFAULT_MAX_GAP_DAYS)
    )
    have = full_months_between(_add_days(start, gaps), as_of) if start else 0
    evidence = [
        Evidence(
            "position",
            p.record_id,
            {"title": p.title_code, "start_date": p.start_date.isoformat(), "end_date": _iso(p.end_date)},
        )
        for p in chain
    ]
    if have >= params["months"]:
        return _result(rule, MET, evidence)
    return _result(
        rule, UNMET, evidence, [Missing("months_in_post", {"needed": params["months"], "have": have})]
    )


# --- the engine --------------------------------------------------------------------------------


def _evaluate_rule(rule: Rule, ctx: _Context) -> RuleResult:
    """One rule's result; an unknown kind or malformed params make it unmet, never raise."""
    kind = RULE_KINDS_REGISTRY.get(rule.kind)
    if kind is None:
        return _result(rule, UNMET, missing=[Missing("unknown_rule", {"kind": rule.kind})])
    problems = _problems(rule, _Refs(ctx.scales, ctx.titles, None, None))
    if problems:
        listed = [{"field": path, "message": message} for path, message in problems]
        return _result(
            rule, UNMET, missing=[Missing("invalid_rule", {"kind": rule.kind, "problems": listed})]
        )
    return kind.evaluate(rule, ctx)


def in_post_since(cadre: CadreFacts, title_code: str, as_of: date) -> date | None:
    """The start of the cadre's continuous tenure in `title_code` on as_of, or None if not in it."""
    _, start, _ = tenure(cadre.positions, lambda p: p.title_code == title_code, as_of)
    return start


def evaluate(
    cadre: CadreFacts,
    requirements: RequirementSet | NoRequirementSet,
    as_of: date,
    *,
    scales: dict[str, ScaleDef],
    titles: dict[str, TitleDef],
    target_title: str | None = None,
    kind: str | None = None,
    appointed_on: date | None = None,
) -> Eligibility:
    """Evaluate the rules of `requirements` that apply to `kind` for `cadre` on `as_of`, in order.

    A pure function of its arguments. `target_title` (for planning) defaults to the set's title.
    `kind` defaults to reappointment for a cadre holding the target title on as_of, else first
    appointment. Grace windows count from `appointed_on`, by default the start of the cadre's tenure
    in the target title, or as_of if they do not hold it. Never raises on bad rules: an unknown
    kind or malformed params give an unmet result. With no set in force (NoRequirementSet) or a set
    without rules, the result is unmet with its reason.
    """
    target = target_title or requirements.title_code
    since = in_post_since(cadre, target, as_of)
    if kind is None:
        kind = REAPPOINTMENT if since is not None else APPOINTMENT
    if isinstance(requirements, NoRequirementSet):
        if requirements.has_sets:
            reason = Missing(NO_SET_IN_FORCE, {"title": target, "as_of": as_of.isoformat()})
        else:
            reason = Missing(NO_REQUIREMENTS, {"title": target})
        return Eligibility(
            title_code=requirements.title_code,
            as_of=as_of,
            set_version=0,
            results=(),
            reason=reason,
            kind=kind,
        )
    ctx = _Context(cadre, as_of, scales, titles, target, kind, appointed_on or since or as_of)
    reason = None
    if not requirements.rules:
        reason = Missing(EMPTY_SET, {"title": requirements.title_code, "version": requirements.version})
    applying = [rule for rule in requirements.rules if applies(rule, kind)]
    return Eligibility(
        title_code=requirements.title_code,
        as_of=as_of,
        set_version=requirements.version,
        results=tuple(_evaluate_rule(rule, ctx) for rule in applying),
        reason=reason,
        kind=kind,
        not_applied=tuple(rule for rule in requirements.rules if not applies(rule, kind)),
    )


# --- freezing as JSON --------------------------------------------------------------------------


def _rule_to_dict(rule: Rule) -> dict:
    out = {
        "kind": rule.kind,
        "params": copy.deepcopy(rule.params),
        "legal_basis": rule.legal_basis,
        "label": rule.label,
        "key": rule.key,
    }
    if rule.applies_to is not None:
        out["applies_to"] = list(rule.applies_to)
    return out


def _rule_from_dict(d: dict) -> Rule:
    applies_to = d.get("applies_to")
    return Rule(
        kind=d["kind"],
        params=d["params"],
        legal_basis=d.get("legal_basis", ""),
        label=d.get("label", ""),
        key=d.get("key", ""),
        applies_to=tuple(applies_to) if applies_to is not None else None,
    )


def result_to_dict(e: Eligibility) -> dict:
    """An evaluation as plain JSON-ready data (dates as ISO strings); "status" is for readers only.

    `eligibility_from_dict(json.loads(json.dumps(d)))` equals the evaluation as long as the rules'
    params are JSON-shaped themselves (lists, not tuples), as rules stored by the admin UI are.
    """
    return {
        "title_code": e.title_code,
        "as_of": e.as_of.isoformat(),
        "set_version": e.set_version,
        "status": e.status,
        "kind": e.kind,
        "not_applied": [_rule_to_dict(rule) for rule in e.not_applied],
        "reason": {"code": e.reason.code, "params": copy.deepcopy(e.reason.params)} if e.reason else None,
        "results": [
            {
                "rule": _rule_to_dict(r.rule),
                "status": r.status,
                "evidence": [
                    {"kind": ev.kind, "record_id": ev.record_id, "summary": copy.deepcopy(ev.summary)}
                    for ev in r.evidence
                ],
                "missing": [{"code": m.code, "params": copy.deepcopy(m.params)} for m in r.missing],
                "deadline": _iso(r.deadline),
            }
            for r in e.results
        ],
    }


def eligibility_from_dict(d: dict) -> Eligibility:
    """Rebuild an evaluation frozen by `result_to_dict`. Raises KeyError/ValueError if malformed.

    Evaluations frozen before `reason`, `kind` or `not_applied` existed read back without a reason,
    as first appointments, with every rule applied.
    """
    return Eligibility(
        title_code=d["title_code"],
        as_of=date.fromisoformat(d["as_of"]),
        set_version=d["set_version"],
        results=tuple(
            RuleResult(
                rule=_rule_from_dict(r["rule"]),
                status=r["status"],
                evidence=tuple(Evidence(ev["kind"], ev["record_id"], ev["summary"]) for ev in r["evidence"]),
                missing=tuple(Missing(m["code"], m["params"]) for m in r["missing"]),
                deadline=date.fromisoformat(r["deadline"]) if r.get("deadline") else None,
            )
            for r in d["results"]
        ),
        reason=Missing(d["reason"]["code"], d["reason"]["params"]) if d.get("reason") else None,
        kind=d.get("kind", APPOINTMENT),
        not_applied=tuple(_rule_from_dict(r) for r in d.get("not_applied", [])),
    )
