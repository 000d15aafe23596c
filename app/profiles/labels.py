"""Codes of the profile pages in words: decision kinds, discipline levels, condition statuses, and
the helpers every template gets to put eligibility into words (registered by the app factory)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.profiles import conditions
from app.profiles.facts import Evidence
from app.profiles.present import (
    KIND_LABELS,
    OVERALL_LABELS,
    STATUS_LABELS,
    Names,
    describe,
    evidence_text,
    reason_text,
)

DECISION_KIND_LABELS = {
    "appointment": _l("Appointment"),
    "reappointment": _l("Reappointment"),
    "transfer": _l("Transfer"),
    "rotation": _l("Rotation"),
    "acting": _l("Acting appointment"),
}
DISCIPLINE_LABELS = {
    "reprimand": _l("Reprimand"),
    "warning": _l("Warning"),
    "removal": _l("Removal from post"),
    "dismissal": _l("Dismissal"),
    "other": _l("Other"),
}
CONDITION_LABELS = {
    conditions.OVERDUE: _l("Overdue"),
    conditions.DUE_SOON: _l("Due soon"),
    conditions.OPEN: _l("Open"),
    conditions.CLOSED: _l("Closed"),
}
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
        "status_label": lambda s: STATUS_LABELS.get(s, s),
        "overall_label": lambda s: OVERALL_LABELS.get(s, s),
        "kind_label": lambda k: KIND_LABELS.get(k, k),
        "evidence_text": evidence_text,
        "reason_text": reason_text,
        "decision_kind_label": lambda k: DECISION_KIND_LABELS.get(k, k),
        "discipline_label": lambda k: DISCIPLINE_LABELS.get(k, k),
        "condition_label": lambda s: CONDITION_LABELS.get(s, s),
        "condition_pill": lambda s: CONDITION_PILLS.get(s, ""),
    }


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
