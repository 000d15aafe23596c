"""The eligibility engine: does a cadre meet a requirement set on a given date?

`evaluate` is one pure function of its arguments (a cadre's facts, a requirement set, reference
scales and titles, an as-of date): no I/O, no database, no clock. Each rule kind has one evaluator
and one parameter checker in `RULE_KINDS_REGISTRY` (kind -> RuleKind), like question types in a quiz
engine; `validate_rule` runs the checker for the admin UI and names each problem by its field path.

Records, for every kind:
- revoked trainings and qualifications are ignored; superseded ones are never passed in;
- only records completed/issued on or before as_of count (a qualification with no issue date counts:
  old dossiers often lack it);
- a record is valid through its valid_until/expires_on day inclusive, expired from the day after.
- Months are calendar months: adding N months keeps the day of the month, or the last day of a
  shorter month (31 Jan + 1 month = 28/29 Feb; 29 Feb + 12 months = 28 Feb).

Params of each kind ("?" = optional):

course -- {course: CODE, min_score?: percent, within_months?: int, grace_months?: int}
    Met by the best qualifying record: not expired, completed_on >= as_of - within_months months,
    score >= min_score (a record with no score fails a min_score). Unmet -> Missing("course",
    {course, min_score?, within_months?, reason: none|expired|too_old|score_too_low, expired_on?
    (latest expiry), completed_on? (latest completion, too_old), best_score? (score_too_low)}).
    With grace_months an unmet course is conditional with deadline as_of + grace_months (as_of being
    the appointment date in use): Missing("course_within_grace", the same params + grace_months,
    deadline).
courses_k_of_n -- {courses: [CODE, ...], k: int, within_months?: int, min_score?: percent}
    Each course counts as done under the same tests as `course`. Unmet -> Missing("courses_k_of_n",
    {needed: k - done, remaining: [codes not done], done: [codes done]}).
hours_in_category -- {category: str, hours: int, months: int, include_expired?: bool = true}
    Sum of hours of records of that category completed in (as_of - months, as_of]; a record counts
    whole on its completed_on date. Hours once trained stay trained, so expired records count unless
    include_expired is false. Unmet -> Missing("hours", {category, needed, have, months}).
annual_hours -- {hours: int, years: int, enabled?: bool = true, include_expired?: bool = true}
    For each of the last `years` full calendar years before as_of's year, the hours completed in that
    year (any category) must reach `hours`. Unmet -> Missing("annual_hours", {shortfalls: [{year,
    have, needed}]}). Disabled (the default rules ship it off): met, no Missing, one Evidence of kind
    "rule" with summary {"disabled": true} marking it as not applied.
qualification -- {scale: CODE, level: CODE, accept?: [{scale, level}, ...], grace_months?: int}
    Met by a valid qualification on `scale` at or above `level` (order of scales[scale].levels), or
    at or above an accepted equivalent on its scale. Unmet -> Missing("qualification", {scale, level,
    have: best valid level on the scale or None}); with grace_months -> conditional, deadline as_of +
    grace_months, Missing("qualification_within_grace", the same params + grace_months, deadline).
planning -- {or_higher?: bool = true}
    Met by a planning (quy hoạch) fact in force on as_of (valid_from <= as_of <= valid_to, or open)
    for the target title, or (or_higher) a title of rank >= the target's. Unmet -> Missing("planning",
    {title}).
remaining_service -- {years: number, retirement_age?: {male: number = 62, female: number = 60}}
    Retirement date = date_of_birth + retirement age (fractional years in whole months: 61.25 = 61
    years 3 months). Met if as_of + years <= retirement date. Unmet -> Missing("remaining_service",
    {retirement_date, years_needed, years_left (full months / 12, rounded down to one decimal)}).
discipline -- {cooling_months?: {level: int}} merged over {reprimand: 24, warning: 36, removal: 60,
    dismissal: 60, other: 12}; a level not listed uses "other".
    Each discipline decided on or before as_of blocks until decided_on + months (it no longer blocks
    on that day). Unmet -> Missing("discipline", {level, decided_on, eligible_from}) of the record
    that blocks longest; the blocking records are the evidence.
months_in_post -- {months: int, titles?: [TITLE, ...] (default: [cadre.title_code])}
    Continuous time, in whole calendar months up to as_of, in positions with one of these titles:
    from the position(s) covering as_of, walking back through overlapping or consecutive ones (a
    position starting the day after another ends continues it). Unmet -> Missing("months_in_post",
    {needed, have}).

A rule of an unknown kind is unmet with Missing("unknown_rule", {kind}); a rule whose params are
malformed is unmet with Missing("invalid_rule", {kind, problems: [{field, message}]}).

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
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.profiles.facts import (
    CONDITIONAL,
    EMPTY_SET,
    MET,
    NO_REQUIREMENTS,
    NO_SET_IN_FORCE,
    UNMET,
    CadreFacts,
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

Problem = tuple[str, str]  # (field path, message), e.g. ("params.level", "not a level of ...")

DEFAULT_RETIREMENT_AGE = {"male": 62, "female": 60}
DEFAULT_COOLING_MONTHS = {"reprimand": 24, "warning": 36, "removal": 60, "dismissal": 60, "other": 12}


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


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    cadre: CadreFacts
    as_of: date
    scales: Mapping[str, ScaleDef]
    titles: Mapping[str, TitleDef]
    target_title: str


@dataclass(frozen=True)
class _Refs:
    scales: Mapping[str, ScaleDef]
    titles: Mapping[str, TitleDef]
    course_codes: set[str] | None  # None: unknown here (inside evaluate), not checked
    categories: set[str] | None


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule: how to evaluate it and how to check its params."""

    evaluate: Callable[[Rule, _Context], RuleResult]
    check: Callable[[_Params, _Refs], None]
    allowed_params: frozenset[str]


RULE_KINDS_REGISTRY: dict[str, RuleKind] = {}


def _rule_kind(kind: str, check: Callable[[_Params, _Refs], None], params: set[str]):
    def register(evaluator: Callable[[Rule, _Context], RuleResult]):
        RULE_KINDS_REGISTRY[kind] = RuleKind(evaluator, check, frozenset(params))
        return evaluator

    return register


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


def _check_k_of_n(p: _Params, refs: _Refs) -> None:
    codes = p.texts("courses", required=True)
    for i, code in enumerate(codes or ()):
        p.course_code(f"courses[{i}]", code, refs)
    k = p.integer("k", required=True, minimum=1)
    if k is not None and codes is not None and k > len(codes):
        p.add("k", f"must not exceed the number of courses ({len(codes)})")
    p.integer("within_months")
    p.number("min_score", maximum=100)


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


def _check_qualification(p: _Params, refs: _Refs) -> None:
    p.scale_level("", p.text("scale", required=True), p.text("level", required=True), refs)
    accept = p.params.get("accept")
    if accept is not None:
        if not isinstance(accept, list | tuple):
            p.add("accept", "must be a list of {scale, level}")
        else:
            for i, item in enumerate(accept):
                if not isinstance(item, dict):
                    p.add(f"accept[{i}]", "must be an object {scale, level}")
                    continue
                for key in item.keys() - {"scale", "level"}:
                    p.add(f"accept[{i}].{key}", "unknown parameter")
                found = {}
                for key in ("scale", "level"):
                    value = item.get(key)
                    if not isinstance(value, str) or not value.strip():
                        p.add(f"accept[{i}].{key}", "is required" if value is None else "must be a text")
                    else:
                        found[key] = value
                p.scale_level(f"accept[{i}].", found.get("scale"), found.get("level"), refs)
    p.integer("grace_months")


def _check_planning(p: _Params, refs: _Refs) -> None:
    p.boolean("or_higher")


def _check_remaining_service(p: _Params, refs: _Refs) -> None:
    p.number("years", required=True)
    ages = p.mapping("retirement_age")
    for key, value in (ages or {}).items():
        if key not in DEFAULT_RETIREMENT_AGE:
            p.add(f"retirement_age.{key}", "unknown parameter (male or female)")
        elif not _is_number(value) or not 15 <= value <= 100:
            p.add(f"retirement_age.{key}", "must be a number of years between 15 and 100")


def _check_discipline(p: _Params, refs: _Refs) -> None:
    months = p.mapping("cooling_months")
    for level, value in (months or {}).items():
        if not _is_int(value) or value < 0:
            p.add(f"cooling_months.{level}", "must be a whole number of months, at least 0")


def _check_months_in_post(p: _Params, refs: _Refs) -> None:
    p.integer("months", required=True)
    for i, code in enumerate(p.texts("titles") or ()):
        if code not in refs.titles:
            p.add(f"titles[{i}]", f"unknown title {code}")


def _problems(rule: Rule, refs: _Refs) -> list[Problem]:
    kind = RULE_KINDS_REGISTRY.get(rule.kind)
    if kind is None:
        known = ", ".join(RULE_KINDS_REGISTRY)
        return [("kind", f"unknown rule kind {rule.kind!r} (known: {known})")]
    if not isinstance(rule.params, dict):
        return [("params", "must be an object")]
    p = _Params(rule.params, kind.allowed_params)
    kind.check(p, refs)
    return p.problems


def validate_rule(
    rule: Rule,
    *,
    scales: Mapping[str, ScaleDef],
    titles: Mapping[str, TitleDef],
    course_codes: set[str],
    categories: set[str],
) -> list[tuple[str, str]]:
    """The problems of a rule as (field path, message), e.g. ("params.level", ...); [] if valid.

    Checks the kind, required params, types, ranges (no negative hours or months), unknown params,
    course codes, categories, scales and their levels, and title codes. Never raises.
    """
    return _problems(rule, _Refs(scales, titles, set(course_codes), set(categories)))


# --- records -----------------------------------------------------------------------------------


def _expired(valid_until: date | None, as_of: date) -> bool:
    return valid_until is not None and valid_until < as_of


def _trainings(ctx: _Context) -> list[TrainingFact]:
    """Trainings that count on as_of: not revoked, completed on or before it (expired or not)."""
    return [t for t in ctx.cadre.trainings if not t.revoked and t.completed_on <= ctx.as_of]


def _qualifications(ctx: _Context) -> list[QualificationFact]:
    """Qualifications valid on as_of: not revoked, issued on or before it (or undated), not expired."""
    return [
        q
        for q in ctx.cadre.qualifications
        if not q.revoked
        and (q.issued_on is None or q.issued_on <= ctx.as_of)
        and not _expired(q.expires_on, ctx.as_of)
    ]


def _training_evidence(t: TrainingFact) -> Evidence:
    summary = {"course": t.course_code, "completed_on": t.completed_on.isoformat(), "hours": t.hours}
    if t.score is not None:
        summary["score"] = t.score
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
    """Unmet, or conditional with a deadline when the rule grants grace_months after as_of."""
    grace = rule.params.get("grace_months")
    if grace is None:
        return _result(rule, UNMET, evidence, [missing])
    deadline = add_months(ctx.as_of, grace)
    params = {**missing.params, "grace_months": grace, "deadline": deadline.isoformat()}
    return _result(rule, CONDITIONAL, evidence, [Missing(f"{missing.code}_within_grace", params)], deadline)


# --- evaluators --------------------------------------------------------------------------------


def _best_completion(
    ctx: _Context, code: str, *, min_score: float | None, within_months: int | None
) -> tuple[TrainingFact | None, dict]:
    """The best record completing course `code` on as_of, or None and why not."""
    done = [t for t in _trainings(ctx) if t.course_code == code]
    if not done:
        return None, {"reason": "none"}
    valid = [t for t in done if not _expired(t.valid_until, ctx.as_of)]
    if not valid:
        return None, {"reason": "expired", "expired_on": max(t.valid_until for t in done).isoformat()}
    if within_months is not None:
        since = add_months(ctx.as_of, -within_months)
        recent = [t for t in valid if t.completed_on >= since]
        if not recent:
            return None, {"reason": "too_old", "completed_on": max(t.completed_on for t in valid).isoformat()}
        valid = recent
    passing = [t for t in valid if min_score is None or (t.score is not None and t.score >= min_score)]
    if not passing:
        scores = [t.score for t in valid if t.score is not None]
        return None, {"reason": "score_too_low", "best_score": max(scores, default=None)}
    best = max(passing, key=lambda t: (t.score if t.score is not None else -1.0, t.completed_on, t.record_id))
    return best, {}


@_rule_kind("course", _check_course, {"course", "min_score", "within_months", "grace_months"})
def _course(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    min_score, within = params.get("min_score"), params.get("within_months")
    best, why = _best_completion(ctx, params["course"], min_score=min_score, within_months=within)
    if best is not None:
        return _result(rule, MET, [_training_evidence(best)])
    missing = {"course": params["course"]}
    if min_score is not None:
        missing["min_score"] = min_score
    if within is not None:
        missing["within_months"] = within
    return _with_grace(rule, ctx, Missing("course", {**missing, **why}))


@_rule_kind("courses_k_of_n", _check_k_of_n, {"courses", "k", "within_months", "min_score"})
def _courses_k_of_n(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    done, remaining, evidence = [], [], []
    for code in params["courses"]:
        best, _ = _best_completion(
            ctx, code, min_score=params.get("min_score"), within_months=params.get("within_months")
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
    return _result(rule, UNMET, evidence, [missing])


def _hour_records(ctx: _Context, params: dict) -> list[TrainingFact]:
    records = _trainings(ctx)
    if params.get("include_expired") is False:
        records = [t for t in records if not _expired(t.valid_until, ctx.as_of)]
    return sorted(records, key=lambda t: (t.completed_on, t.record_id))


@_rule_kind("hours_in_category", _check_hours_in_category, {"category", "hours", "months", "include_expired"})
def _hours_in_category(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    since = add_months(ctx.as_of, -params["months"])
    counted = [
        t for t in _hour_records(ctx, params) if t.category == params["category"] and t.completed_on > since
    ]
    have = sum(t.hours for t in counted)
    evidence = [_training_evidence(t) for t in counted]
    if have >= params["hours"]:
        return _result(rule, MET, evidence)
    missing = Missing(
        "hours",
        {"category": params["category"], "needed": params["hours"], "have": have, "months": params["months"]},
    )
    return _result(rule, UNMET, evidence, [missing])


@_rule_kind("annual_hours", _check_annual_hours, {"hours", "years", "enabled", "include_expired"})
def _annual_hours(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    if params.get("enabled") is False:
        return _result(rule, MET, [Evidence("rule", None, {"disabled": True})])
    years = range(ctx.as_of.year - params["years"], ctx.as_of.year)
    counted = [t for t in _hour_records(ctx, params) if t.completed_on.year in years]
    shortfalls = []
    for year in years:
        have = sum(t.hours for t in counted if t.completed_on.year == year)
        if have < params["hours"]:
            shortfalls.append({"year": year, "have": have, "needed": params["hours"]})
    evidence = [_training_evidence(t) for t in counted]
    if not shortfalls:
        return _result(rule, MET, evidence)
    return _result(rule, UNMET, evidence, [Missing("annual_hours", {"shortfalls": shortfalls})])


@_rule_kind("qualification", _check_qualification, {"scale", "level", "accept", "grace_months"})
def _qualification(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    held = _qualifications(ctx)

    def at_or_above(scale: str, level: str) -> list[tuple[int, QualificationFact]]:
        levels = ctx.scales[scale].levels
        return [
            (levels.index(q.level), q)
            for q in held
            if q.scale == scale and q.level in levels and levels.index(q.level) >= levels.index(level)
        ]

    def evidence(q: QualificationFact, **extra) -> Evidence:
        summary = {"scale": q.scale, "level": q.level, "issued_on": _iso(q.issued_on), **extra}
        if q.expires_on:
            summary["expires_on"] = q.expires_on.isoformat()
        if q.number:
            summary["number"] = q.number
        return Evidence("qualification", q.record_id, summary)

    direct = at_or_above(params["scale"], params["level"])
    if direct:
        return _result(rule, MET, [evidence(max(direct, key=lambda pair: pair[0])[1])])
    for accepted in params.get("accept") or ():
        matches = at_or_above(accepted["scale"], accepted["level"])
        if matches:
            best = max(matches, key=lambda pair: pair[0])[1]
            return _result(rule, MET, [evidence(best, equivalent_of=params["level"])])
    levels = ctx.scales[params["scale"]].levels
    on_scale = [q.level for q in held if q.scale == params["scale"] and q.level in levels]
    have = max(on_scale, key=levels.index, default=None)
    return _with_grace(
        rule,
        ctx,
        Missing("qualification", {"scale": params["scale"], "level": params["level"], "have": have}),
    )


@_rule_kind("planning", _check_planning, {"or_higher"})
def _planning(rule: Rule, ctx: _Context) -> RuleResult:
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
    return _result(rule, MET, [Evidence("planning", best.record_id, summary)])


@_rule_kind("remaining_service", _check_remaining_service, {"years", "retirement_age"})
def _remaining_service(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    cadre = ctx.cadre
    ages = {**DEFAULT_RETIREMENT_AGE, **(params.get("retirement_age") or {})}
    if cadre.gender not in ages:
        missing = Missing("profile_incomplete", {"field": "gender", "value": cadre.gender})
        return _result(rule, UNMET, missing=[missing])
    retirement = add_months(cadre.date_of_birth, round(ages[cadre.gender] * 12))
    evidence = Evidence(
        "profile",
        None,
        {
            "date_of_birth": cadre.date_of_birth.isoformat(),
            "gender": cadre.gender,
            "retirement_date": retirement.isoformat(),
        },
    )
    if add_months(ctx.as_of, round(params["years"] * 12)) <= retirement:
        return _result(rule, MET, [evidence])
    years_left = math.floor(full_months_between(ctx.as_of, retirement) * 10 / 12) / 10
    missing = Missing(
        "remaining_service",
        {
            "retirement_date": retirement.isoformat(),
            "years_needed": params["years"],
            "years_left": years_left,
        },
    )
    return _result(rule, UNMET, [evidence], [missing])


@_rule_kind("discipline", _check_discipline, {"cooling_months"})
def _discipline(rule: Rule, ctx: _Context) -> RuleResult:
    cooling = {**DEFAULT_COOLING_MONTHS, **(rule.params.get("cooling_months") or {})}
    decided = sorted(
        (d for d in ctx.cadre.discipline if d.decided_on <= ctx.as_of),
        key=lambda d: (d.decided_on, d.record_id),
    )
    ends = [(add_months(d.decided_on, cooling.get(d.level, cooling["other"])), d) for d in decided]
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


@_rule_kind("months_in_post", _check_months_in_post, {"months", "titles"})
def _months_in_post(rule: Rule, ctx: _Context) -> RuleResult:
    params = rule.params
    titles = set(params.get("titles") or ([ctx.cadre.title_code] if ctx.cadre.title_code else []))
    as_of = ctx.as_of
    held = [p for p in ctx.cadre.positions if p.title_code in titles and p.start_date <= as_of]
    chain: list[PositionFact] = [p for p in held if p.end_date is None or p.end_date >= as_of]
    start = min((p.start_date for p in chain), default=None)
    while start is not None:
        joining = [
            p
            for p in held
            if p not in chain
            and p.start_date < start
            and (p.end_date is None or p.end_date >= start - timedelta(1))
        ]
        if not joining:
            break
        chain.extend(joining)
        start = min(p.start_date for p in joining)
    have = full_months_between(start, as_of) if start else 0
    evidence = [
        Evidence(
            "position",
            p.record_id,
            {"title": p.title_code, "start_date": p.start_date.isoformat(), "end_date": _iso(p.end_date)},
        )
        for p in sorted(chain, key=lambda p: (p.start_date, p.record_id))
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


def evaluate(
    cadre: CadreFacts,
    requirements: RequirementSet | NoRequirementSet,
    as_of: date,
    *,
    scales: dict[str, ScaleDef],
    titles: dict[str, TitleDef],
    target_title: str | None = None,
) -> Eligibility:
    """Evaluate every rule of `requirements` for `cadre` on `as_of`, in the set's order.

    A pure function of its arguments. `target_title` (for planning) defaults to the set's title.
    Never raises on bad rules: an unknown kind or malformed params give an unmet result. With no
    set in force (NoRequirementSet) or a set without rules, the result is unmet with its reason.
    """
    if isinstance(requirements, NoRequirementSet):
        title = requirements.title_code
        if requirements.has_sets:
            reason = Missing(NO_SET_IN_FORCE, {"title": title, "as_of": as_of.isoformat()})
        else:
            reason = Missing(NO_REQUIREMENTS, {"title": title})
        return Eligibility(title_code=title, as_of=as_of, set_version=0, results=(), reason=reason)
    ctx = _Context(cadre, as_of, scales, titles, target_title or requirements.title_code)
    reason = None
    if not requirements.rules:
        reason = Missing(EMPTY_SET, {"title": requirements.title_code, "version": requirements.version})
    return Eligibility(
        title_code=requirements.title_code,
        as_of=as_of,
        set_version=requirements.version,
        results=tuple(_evaluate_rule(rule, ctx) for rule in requirements.rules),
        reason=reason,
    )


# --- freezing as JSON --------------------------------------------------------------------------


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
        "reason": {"code": e.reason.code, "params": copy.deepcopy(e.reason.params)} if e.reason else None,
        "results": [
            {
                "rule": {
                    "kind": r.rule.kind,
                    "params": copy.deepcopy(r.rule.params),
                    "legal_basis": r.rule.legal_basis,
                    "label": r.rule.label,
                    "key": r.rule.key,
                },
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

    Evaluations frozen before `reason` existed have no such key and read back without one.
    """
    return Eligibility(
        title_code=d["title_code"],
        as_of=date.fromisoformat(d["as_of"]),
        set_version=d["set_version"],
        results=tuple(
            RuleResult(
                rule=Rule(
                    kind=r["rule"]["kind"],
                    params=r["rule"]["params"],
                    legal_basis=r["rule"].get("legal_basis", ""),
                    label=r["rule"].get("label", ""),
                    key=r["rule"].get("key", ""),
                ),
                status=r["status"],
                evidence=tuple(Evidence(ev["kind"], ev["record_id"], ev["summary"]) for ev in r["evidence"]),
                missing=tuple(Missing(m["code"], m["params"]) for m in r["missing"]),
                deadline=date.fromisoformat(r["deadline"]) if r.get("deadline") else None,
            )
            for r in d["results"]
        ),
        reason=Missing(d["reason"]["code"], d["reason"]["params"]) if d.get("reason") else None,
    )
