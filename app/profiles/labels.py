"""Codes of the profile pages in words: decision kinds, discipline levels, condition statuses, and
the helpers every template gets to put eligibility into words (registered by the app factory)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.labels import kinds, label
from app.profiles import conditions
from app.profiles.facts import Evidence
from app.profiles.present import (
    Names,
    describe,
    evidence_text,
    reason_text,
)

DECISION_KIND_LABELS = kinds()["decision_kind"]
DISCIPLINE_LABELS = kinds()["discipline"]
CONDITION_LABELS = kinds()["condition"]
# The colour of each condition status, from the eligibility pills: overdue is the alarming one.
CONDITION_PILLS = {
    conditions.OVERDUE: "unmet",
    conditions.DUE_SOON: "conditional",
    conditions.OPEN: "",
    conditions.CLOSED: "met",
}


def template_helpers() -> dict:
    """The label functions every template may use (an app-wide context processor)."""
    return {
        "status_label": lambda s: label("rule_status", s),
        "overall_label": lambda s: label("eligibility", s),
        "kind_label": lambda k: label("rule_kind", k),
        "evidence_text": evidence_text,
        "reason_text": reason_text,
        "decision_kind_label": lambda k: label("decision_kind", k),
        "discipline_label": lambda k: label("discipline", k),
        "condition_label": lambda s: label("condition", s),
        "condition_pill": lambda s: CONDITION_PILLS.get(s, ""),
        "age_words": age_words,
    }


def age_words(months: int) -> str:
    """An age given in months, as the retirement table writes it: "58 years 4 months", "62 years"."""
    years, rest = divmod(months, 12)
    if rest:
        return _("%(years)s years %(months)s months", years=years, months=rest)
    return _("%(years)s years", years=years)


def record_words(evidence: Evidence, names: Names) -> str:
    """A record that met a condition, in words: the course or programme, or the qualification."""
    summary = evidence.summary
    if evidence.kind == "qualification":
        scale = summary.get("scale") or ""
        return f"{names.scales.get(scale, scale)}: {names.level(scale, summary.get('level'))}"
    if summary.get("course"):
        return names.course(summary["course"])
    return summary.get("programme") or evidence.kind


def wording(names: Names) -> dict:
    """What a page needs to put what is missing, and the records that met a condition, into words."""
    return {
        "describe": lambda m: describe(m, names),
        "records_words": lambda evidence: ", ".join(record_words(ev, names) for ev in evidence),
    }
