"""Adding a rule to a requirement set with a form instead of YAML: the fields each rule kind takes,
and the rule added to the YAML being edited (which stays the format of import and export, and is
checked as if written by hand). Parameters that are maps (accepted equivalents, retirement ages,
cooling-off periods) keep their defaults here and are written in the YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import yaml
from flask_babel import lazy_gettext as _l

from app import safe_yaml
from app.profiles.requirements import FieldProblem, RequirementsInvalid

# The value types of the form's fields.
CODE, CODES, WHOLE, NUMBER, YES_NO, TEXT = "code", "codes", "whole", "number", "yes_no", "text"


@dataclass(frozen=True)
class ParamField:
    name: str
    type: str
    label: object  # a lazy translation


_P = ParamField
PARAMS: dict[str, tuple[ParamField, ...]] = {
    "course": (
        _P("course", CODE, _l("Course code")),
        _P("min_score", NUMBER, _l("Lowest score (%)")),
        _P("within_months", WHOLE, _l("Completed within the last (months)")),
        _P("grace_months", WHOLE, _l("Time allowed to meet it after appointment (months)")),
        _P("min_version", TEXT, _l("Oldest accepted edition, e.g. 2026.1")),
    ),
    "courses_k_of_n": (
        _P("courses", CODES, _l("Course codes, separated by commas")),
        _P("k", WHOLE, _l("How many of them must be completed")),
        _P("within_months", WHOLE, _l("Completed within the last (months)")),
        _P("min_score", NUMBER, _l("Lowest score (%)")),
        _P("grace_months", WHOLE, _l("Time allowed to meet it after appointment (months)")),
    ),
    "hours_in_category": (
        _P("category", CODE, _l("Content area (code)")),
        _P("hours", WHOLE, _l("Periods")),
        _P("months", WHOLE, _l("Over the last (months)")),
        _P("include_expired", YES_NO, _l("Count expired certificates too")),
    ),
    "annual_hours": (
        _P("hours", WHOLE, _l("Periods a year")),
        _P("years", WHOLE, _l("Over the last (years)")),
        _P("enabled", YES_NO, _l("In force")),
        _P("include_expired", YES_NO, _l("Count expired certificates too")),
    ),
    "qualification": (
        _P("scale", CODE, _l("Qualification area (code)")),
        _P("level", CODE, _l("Lowest level (code)")),
        _P("grace_months", WHOLE, _l("Time allowed to meet it after appointment (months)")),
    ),
    "planning": (_P("or_higher", YES_NO, _l("Planned for this position or a higher one")),),
    "remaining_service": (_P("years", NUMBER, _l("Years of service left before retirement")),),
    "discipline": (),
    "months_in_post": (
        _P("months", WHOLE, _l("Months in post")),
        _P("titles", CODES, _l("Positions that count (codes, separated by commas)")),
        _P("or_higher", YES_NO, _l("Higher positions count too")),
        _P("max_gap_days", WHOLE, _l("Longest gap between posts (days)")),
    ),
}


def _value(kind: str, raw: str):
    """A field's text as the rule's YAML holds it; text that does not fit stays text, so that the
    set's validation names the problem the way it does for YAML written by hand."""
    raw = raw.strip()
    if kind == CODES:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kind == YES_NO:
        return raw in ("y", "yes", "on", "true", "1")
    if kind in (WHOLE, NUMBER):
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    return raw


def rule_from_form(kind: str, values: Mapping[str, str]) -> dict:
    """The rule the form describes (`values`: the form's fields, `param-<name>` for parameters)."""
    params = {}
    for field in PARAMS.get(kind, ()):
        raw = values.get(f"param-{field.name}", "")
        if field.type == YES_NO:
            if raw:
                params[field.name] = True
        elif raw.strip():
            params[field.name] = _value(field.type, raw)
    rule = {"kind": kind}
    for name in ("key", "label", "legal_basis"):
        text = values.get(f"rule-{name}", "").strip()
        if text:
            rule[name] = text
    rule["params"] = params
    return rule


def add_rule(text: str, rule: dict) -> str:
    """The YAML `text` (one requirement set, as the editor holds it) with `rule` added at the end of
    its rules. Raises RequirementsInvalid when the text is not a set the rule can be added to."""
    try:
        data = safe_yaml.load(text)
    except yaml.YAMLError:
        raise RequirementsInvalid(
            [FieldProblem("requirements", "expected a list of requirement sets")]
        ) from None
    sets = data.get("requirements") if isinstance(data, dict) and "requirements" in data else data
    first = sets[0] if isinstance(sets, list) and sets else sets
    if not isinstance(first, dict):
        raise RequirementsInvalid([FieldProblem("requirements", "expected a list of requirement sets")])
    rules = first.get("rules")
    if not isinstance(rules, list):
        rules = first["rules"] = []
    rules.append(rule)
    if not (isinstance(data, dict) and "requirements" in data):
        data = {"requirements": sets if isinstance(sets, list) else [sets]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
