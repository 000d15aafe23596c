"""Position requirements as data: YAML in and out, validation naming the field, versions by date,
and the "what if" comparison before a change is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import safe_yaml
from app.courses.categories import CATEGORIES
from app.errors import ValidationFailed
from app.models import Cadre, Course, PlanningEntry, RequirementRule, RequirementSet, Title, User
from app.org import audit
from app.profiles import facts
from app.profiles.eligibility import evaluate, validate_rule
from app.profiles.loader import load_facts, reference, to_requirement_set
from app.profiles.reference import load_reference
from app.profiles.requirement_problems import Explained, explain
from app.text import nfc

DEFAULTS_FILE = Path(__file__).with_name("default_requirements.yaml")
SET_FIELDS = ("title", "effective_from", "legal_basis", "note", "example", "rules")
RULE_FIELDS = ("key", "kind", "label", "legal_basis", "applies_to", "params")


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RequirementsInvalid(ValidationFailed):
    """The problems by field path (for the command line), and `explained`: the same in words, with
    the set, the rule and the line of the YAML (for the editor's page)."""

    def __init__(self, problems: list[FieldProblem], explained: list[Explained] | None = None):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
        self.explained = explained or [explain(p.field, p.message, None, [], {}) for p in problems]


@dataclass(frozen=True)
class SetInput:
    title_code: str
    effective_from: date
    legal_basis: str
    note: str
    is_example: bool
    rules: tuple[facts.Rule, ...]


@dataclass(frozen=True)
class _Known:
    """What a requirement set's rules may name: scales, titles, course codes (and the categories)."""

    scales: dict[str, facts.ScaleDef]
    titles: dict[str, facts.TitleDef]
    course_codes: set[str]


def parse_sets(session: Session, text: str) -> list[SetInput]:
    """Read requirement sets from YAML and check every field. Raises RequirementsInvalid."""
    root, items = _set_items(text)
    scales, titles = reference(session)
    known = _Known(scales, titles, set(session.scalars(select(Course.code))))
    problems: list[FieldProblem] = []
    sets: list[SetInput] = []
    for i, item in enumerate(items):
        data, found = _parse_set(f"requirements[{i}]", item, known)
        problems += found
        if data is not None:
            sets.append(data)
    if problems:
        raise RequirementsInvalid(
            problems, [explain(p.field, p.message, root, items, titles) for p in problems]
        )
    return sets


def _set_items(text: str) -> tuple[yaml.Node | None, list]:
    """The YAML's node tree (for line numbers) and its requirement sets: a list, one set, or either
    under `requirements:`. Raises RequirementsInvalid for text that is not YAML or holds no set."""
    try:
        root, data = safe_yaml.load_with_node(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "yaml"
        raise RequirementsInvalid(
            [FieldProblem(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    if isinstance(data, dict) and "requirements" in data:
        data = data["requirements"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data:
        raise RequirementsInvalid([FieldProblem("requirements", "expected a list of requirement sets")])
    return root, data


def _parse_set(where: str, item, known: _Known) -> tuple[SetInput | None, list[FieldProblem]]:
    """One requirement set and the problems with it, each named by its field path under `where`;
    the set is None when it has any."""
    if not isinstance(item, dict):
        return None, [FieldProblem(where, "expected 'title', 'effective_from' and 'rules'")]
    problems = [FieldProblem(f"{where}.{key}", "unknown field") for key in item if key not in SET_FIELDS]
    title = str(item.get("title", ""))
    if title not in known.titles:
        problems.append(FieldProblem(f"{where}.title", f"unknown title {title!r}"))
    effective = item.get("effective_from")
    if not isinstance(effective, date):
        problems.append(FieldProblem(f"{where}.effective_from", "a date is required (YYYY-MM-DD)"))
    raw_rules = item.get("rules")
    if not isinstance(raw_rules, list):
        problems.append(FieldProblem(f"{where}.rules", "a list of rules is required"))
        raw_rules = []
    rules, rule_problems = _parse_rules(where, raw_rules, known)
    problems += rule_problems
    if problems:
        return None, problems
    data = SetInput(
        title,
        effective,
        nfc(str(item.get("legal_basis", ""))),
        nfc(str(item.get("note", ""))),
        bool(item.get("example", False)),
        tuple(rules),
    )
    return data, []


def _parse_rules(where: str, raw_rules: list, known: _Known) -> tuple[list[facts.Rule], list[FieldProblem]]:
    """A set's rules, each checked by the eligibility engine's own validation; keys are unique."""
    rules: list[facts.Rule] = []
    problems: list[FieldProblem] = []
    keys: set[str] = set()
    for j, raw in enumerate(raw_rules):
        rwhere = f"{where}.rules[{j}]"
        rule, found = _parse_rule(rwhere, j, raw)
        problems += found
        if rule is None:
            continue
        if rule.key in keys:
            problems.append(FieldProblem(f"{rwhere}.key", f"key {rule.key!r} is used twice"))
        keys.add(rule.key)
        for field, message in validate_rule(
            rule,
            scales=known.scales,
            titles=known.titles,
            course_codes=known.course_codes,
            categories=set(CATEGORIES),
        ):
            problems.append(FieldProblem(f"{rwhere}.{field}", message))
        rules.append(rule)
    return rules, problems


def _parse_rule(rwhere: str, j: int, raw) -> tuple[facts.Rule | None, list[FieldProblem]]:
    """The `j`th rule of a set as written (its fields' shapes checked), not yet validated; None when
    it is not a mapping. A rule without a key is keyed by its kind and place: `kind-1`."""
    if not isinstance(raw, dict):
        return None, [FieldProblem(rwhere, "expected kind, params, legal_basis")]
    problems = [FieldProblem(f"{rwhere}.{key}", "unknown field") for key in raw if key not in RULE_FIELDS]
    params = _plain(raw.get("params") or {})
    if not isinstance(params, dict):
        problems.append(FieldProblem(f"{rwhere}.params", "expected key: value pairs"))
        params = {}
    applies_to = raw.get("applies_to")
    rule = facts.Rule(
        kind=str(raw.get("kind", "")),
        params=params,
        legal_basis=nfc(str(raw.get("legal_basis", ""))),
        label=nfc(str(raw.get("label", ""))),
        key=str(raw.get("key") or f"{raw.get('kind', 'rule')}-{j + 1}"),
        applies_to=tuple(applies_to) if isinstance(applies_to, list) else applies_to,
    )
    return rule, problems


def _plain(value):
    """YAML values as JSON can store them: dates (YAML reads 2022-06-30 as one) become ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _applies(rule) -> list | None:
    return list(rule.applies_to) if rule.applies_to is not None else None


def current_set(session: Session, title_code: str, as_of: date) -> RequirementSet | None:
    """The requirement set in force for a title on a date: latest effective date, then latest version."""
    return session.scalar(
        select(RequirementSet)
        .where(RequirementSet.title_code == title_code, RequirementSet.effective_from <= as_of)
        .order_by(RequirementSet.effective_from.desc(), RequirementSet.version.desc())
        .limit(1)
    )


def rules_in_force(
    session: Session, title_code: str, as_of: date
) -> tuple[RequirementSet | None, facts.RequirementSet | facts.NoRequirementSet]:
    """The set in force for a title on a date (or None) and what the engine evaluates: its rules,
    or, with no set in force, whether the title has sets at all (so the engine can say which)."""
    row = current_set(session, title_code, as_of)
    if row is not None:
        return row, to_requirement_set(row)
    has_sets = session.scalar(
        select(RequirementSet.id).where(RequirementSet.title_code == title_code).limit(1)
    )
    return None, facts.NoRequirementSet(title_code, has_sets is not None)


def _same(row: RequirementSet, data: SetInput) -> bool:
    return (
        row.effective_from == data.effective_from
        and row.legal_basis == data.legal_basis
        and row.note == data.note
        and row.is_example == data.is_example
        and [(r.key, r.kind, r.params, r.legal_basis, r.label, _applies(r)) for r in row.rules]
        == [(r.key, r.kind, r.params, r.legal_basis, r.label, _applies(r)) for r in data.rules]
    )


def save_set(session: Session, actor: User | None, data: SetInput) -> RequirementSet | None:
    """Store `data` as the title's next version; nothing when it equals the latest version."""
    latest = session.scalar(
        select(RequirementSet)
        .where(RequirementSet.title_code == data.title_code)
        .order_by(RequirementSet.version.desc())
        .limit(1)
    )
    if latest is not None and _same(latest, data):
        return None
    version = (latest.version if latest else 0) + 1
    row = RequirementSet(
        title_code=data.title_code,
        version=version,
        effective_from=data.effective_from,
        legal_basis=data.legal_basis,
        note=data.note,
        is_example=data.is_example,
        created_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    for position, rule in enumerate(data.rules, start=1):
        session.add(
            RequirementRule(
                set_id=row.id,
                position=position,
                key=rule.key,
                kind=rule.kind,
                params=rule.params,
                applies_to=_applies(rule),
                legal_basis=rule.legal_basis,
                label=rule.label,
            )
        )
    session.flush()
    session.refresh(row)
    audit.record(
        session, actor, "save_requirements", "requirement_set", row.id, title=data.title_code, version=version
    )
    return row


def import_yaml(session: Session, actor: User | None, text: str) -> list[RequirementSet]:
    """Validate every set first, then save them all (or nothing). Raises RequirementsInvalid."""
    saved = [save_set(session, actor, data) for data in parse_sets(session, text)]
    return [row for row in saved if row is not None]


def export_yaml(session: Session, as_of: date, title_codes: list[str] | None = None) -> str:
    """The sets in force on `as_of` as YAML, for review or for import elsewhere."""
    codes = title_codes or list(session.scalars(select(Title.code).order_by(Title.rank.desc(), Title.code)))
    items = []
    for code in codes:
        row = current_set(session, code, as_of)
        if row is None:
            continue
        items.append(
            {
                "title": row.title_code,
                "effective_from": row.effective_from,
                "legal_basis": row.legal_basis,
                "note": row.note,
                "example": row.is_example,
                "rules": [
                    {
                        "key": r.key,
                        "kind": r.kind,
                        "label": r.label,
                        "legal_basis": r.legal_basis,
                        **({"applies_to": r.applies_to} if r.applies_to is not None else {}),
                        "params": r.params,
                    }
                    for r in row.rules
                ],
            }
        )
    return yaml.safe_dump({"requirements": items}, allow_unicode=True, sort_keys=False, width=100)


def set_as_input(row: RequirementSet) -> SetInput:
    data = to_requirement_set(row)
    return SetInput(row.title_code, row.effective_from, row.legal_basis, row.note, row.is_example, data.rules)


# --- what if ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIf:
    candidates: int
    gained: list[tuple[Cadre, str, str]]  # cadre, status before, status after
    lost: list[tuple[Cadre, str, str]]
    unchanged: int


def candidates_for(session: Session, title_code: str, as_of: date, scope=None) -> list[Cadre]:
    """Cadres a title's requirements concern: holders of the title and its planning pool
    (optionally only those matching `scope`, a condition on Cadre such as an admin's units)."""
    planned = select(PlanningEntry.cadre_id).where(
        PlanningEntry.title_code == title_code,
        PlanningEntry.valid_from <= as_of,
        or_(PlanningEntry.valid_to.is_(None), PlanningEntry.valid_to >= as_of),
    )
    stmt = select(Cadre).where(or_(Cadre.title_code == title_code, Cadre.id.in_(planned)))
    if scope is not None:
        stmt = stmt.where(scope)
    return list(session.scalars(stmt.order_by(Cadre.search_name, Cadre.id)))


def what_if(session: Session, data: SetInput, as_of: date) -> WhatIf:
    """Who would gain or lose eligibility if `data` replaced the set in force today."""
    scales, titles = reference(session)
    cadres = candidates_for(session, data.title_code, as_of)
    all_facts = load_facts(session, cadres)
    row, before_set = rules_in_force(session, data.title_code, as_of)
    after_set = facts.RequirementSet(
        data.title_code,
        row.version + 1 if row else 1,
        data.effective_from,
        data.rules,
        data.legal_basis,
        data.is_example,
    )
    gained, lost, unchanged = [], [], 0
    for cadre in cadres:
        before = evaluate(all_facts[cadre.id], before_set, as_of, scales=scales, titles=titles).status
        after = evaluate(all_facts[cadre.id], after_set, as_of, scales=scales, titles=titles).status
        if before == after:
            unchanged += 1
        elif after == facts.UNMET:
            lost.append((cadre, before, after))
        elif before == facts.UNMET:
            gained.append((cadre, before, after))
        else:
            (gained if after == facts.MET else lost).append((cadre, before, after))
    return WhatIf(len(cadres), gained, lost, unchanged)


def load_defaults(session: Session) -> list[RequirementSet]:
    """Reference scales and titles, then the example requirement sets shipped with the platform."""
    load_reference(session)
    if session.scalar(select(func.count(RequirementSet.id))):
        return []
    return import_yaml(session, None, DEFAULTS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PoolEntry:
    cadre: Cadre
    status: str
    unmet: tuple[str, ...]  # labels of the rules not met
    reason: facts.Missing | None = None  # why nothing could be checked (no set in force, ...)


def pool_eligibility(session: Session, title_code: str, as_of: date, scope=None) -> list[PoolEntry]:
    """Eligibility of every candidate for a title (holders and planning pool), set-based: the
    records of all candidates are read in a few batched queries, then evaluated in memory."""
    scales, titles = reference(session)
    cadres = candidates_for(session, title_code, as_of, scope)
    all_facts = load_facts(session, cadres)
    _row, rules = rules_in_force(session, title_code, as_of)
    entries = []
    for cadre in cadres:
        result = evaluate(all_facts[cadre.id], rules, as_of, scales=scales, titles=titles)
        entries.append(
            PoolEntry(
                cadre,
                result.status,
                tuple(r.rule.label or r.rule.kind for r in result.results if r.status == facts.UNMET),
                result.reason,
            )
        )
    return entries


def editable_yaml(session: Session, title_code: str, today: date) -> str:
    """The YAML an editor of a title's requirements starts from: the set in force `today` once
    the title has any set, else a starter set with the one planning rule."""
    if current_set(session, title_code, date.max):
        return export_yaml(session, today, [title_code])
    return (
        f"requirements:\n  - title: {title_code}\n    effective_from: {today.isoformat()}\n"
        "    legal_basis: ''\n    rules:\n      - {key: planning, kind: planning, legal_basis: '', "
        "params: {or_higher: true}}\n"
    )


def parse_sets_of(session: Session, text: str, title_code: str) -> list[SetInput]:
    """`parse_sets` for the editor of one title's requirements: every set must be of that title.
    Raises RequirementsInvalid."""
    parsed = parse_sets(session, text)
    wrong = next((i for i, p in enumerate(parsed) if p.title_code != title_code), None)
    if wrong is not None:
        field = f"requirements[{wrong}].title"
        message = _l("this page edits the requirements of «%(code)s» only", code=title_code)
        raise RequirementsInvalid(
            [FieldProblem(field, _l("must be %(code)s", code=title_code))],
            [Explained(where="", line=None, message=str(message), field=field)],
        )
    return parsed
