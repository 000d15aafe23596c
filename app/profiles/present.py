"""Eligibility results in words, in the user's language (the engine itself returns only codes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.labels import format_score, kinds, label, level_label, number_words, register
from app.models import CURRENT_VERSION, Course, CourseVersion, Scale, Title
from app.profiles.eligibility import RULE_KINDS_REGISTRY, day_words, kind_of_missing
from app.profiles.facts import (
    EMPTY_SET,
    NO_REQUIREMENTS,
    NO_SET_IN_FORCE,
    Missing,
)

KIND_LABELS = {name: kind.label for name, kind in RULE_KINDS_REGISTRY.items()}
register("rule_kind", KIND_LABELS)  # the rule kinds name themselves; the registry reads them
STATUS_LABELS = kinds()["rule_status"]
OVERALL_LABELS = kinds()["eligibility"]


@dataclass
class Names:
    """Display names for codes: titles, scales and their levels, courses."""

    titles: dict[str, str] = field(default_factory=dict)
    scales: dict[str, str] = field(default_factory=dict)
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    courses: dict[str, str] = field(default_factory=dict)

    def title(self, code: str | None) -> str:
        return self.titles.get(code or "", code or "—")

    def level(self, scale: str, level: str | None) -> str:
        return self.levels.get((scale, level or ""), level or "—")

    def course(self, code: str) -> str:
        return self.courses.get(code, code)


def load_names(session: Session) -> Names:
    names = Names()
    names.titles = dict(session.execute(select(Title.code, Title.name)).all())
    for scale in session.scalars(select(Scale)):
        names.scales[scale.code] = scale.name
        for level in scale.levels:
            names.levels[(scale.code, level.code)] = level.name
    names.courses = dict(
        session.execute(
            select(Course.code, CourseVersion.title).join(
                CourseVersion,
                CURRENT_VERSION,
            )
        ).all()
    )
    return names


def reason_text(reason: Missing) -> str:
    """Why nothing could be checked (an evaluation's `reason`), as a sentence."""
    p = reason.params
    if reason.code == NO_SET_IN_FORCE:
        return _("No requirement set is in force on %(day)s.", day=day_words(p.get("as_of")))
    if reason.code == NO_REQUIREMENTS:
        return _("No requirements are set for this position.")
    if reason.code == EMPTY_SET:
        return _("The requirement set in force (version %(v)s) has no rules.", v=p.get("version"))
    return _("The rule cannot be checked (%(code)s).", code=reason.code)


def describe(missing: Missing, names: Names) -> str:
    """What exactly is missing, as a sentence: in the words of the rule kind whose result it is."""
    if missing.code in (NO_SET_IN_FORCE, NO_REQUIREMENTS, EMPTY_SET):
        return reason_text(missing)
    kind = kind_of_missing(missing.code)
    if kind is not None:
        return kind.words(missing, names)
    if missing.code == "profile_incomplete":
        return _("The profile lacks %(field)s.", field=missing.params.get("field"))
    return _("The rule cannot be checked (%(code)s).", code=missing.code)


# How each field of an evidence summary reads: dates through the one date format, codes through
# the labels registry (the engine's summaries hold ISO dates and codes).
_DAY_WORDS = {
    "completed_on": _l("completed on %(v)s"),
    "valid_until": _l("valid until %(v)s"),
    "issued_on": _l("issued on %(v)s"),
    "recorded_on": _l("recorded on %(v)s"),
    "expires_on": _l("expires on %(v)s"),
    "issued_before": _l("issued before %(v)s"),
    "valid_from": _l("from %(v)s"),
    "valid_to": _l("to %(v)s"),
    "start_date": _l("from %(v)s"),
    "end_date": _l("to %(v)s"),
    "date_of_birth": _l("born on %(v)s"),
    "retirement_date": _l("retires on %(v)s"),
    "decided_on": _l("decided on %(v)s"),
    "eligible_from": _l("eligible again from %(v)s"),
}
_VALUE_WORDS = {
    "hours": _l("%(v)s hours"),
    "version": _l("version %(v)s"),
    "number": _l("no. %(v)s"),
    "unit": _l("unit %(v)s"),
    "retirement_exception": _l("exception: %(v)s"),
}


def _evidence_part(key: str, value: object, summary: dict, names: Names | None) -> str:
    if key in _DAY_WORDS:
        return str(_DAY_WORDS[key] % {"v": day_words(str(value))})
    if key in _VALUE_WORDS:
        return str(_VALUE_WORDS[key] % {"v": number_words(value) if key == "hours" else value})
    if key == "score":
        return _("score %(v)s%%", v=format_score(float(value)))  # type: ignore[arg-type]
    if key == "course":
        return names.course(str(value)) if names else str(value)
    if key in ("title", "scale", "category", "gender"):
        return names.title(str(value)) if key == "title" and names else label(key, str(value))
    if key == "level":
        scale = summary.get("scale")
        return level_label(scale, str(value)) if scale else label("discipline", str(value))
    if key == "equivalent_of":
        return _("counts as %(v)s", v=level_label(summary.get("scale"), str(value)))
    return str(value)


def evidence_text(summary: dict, names: Names | None = None) -> str:
    """A short line for a record the engine relied on, in words: "Kỹ năng số · completed on
    01/03/2025 · 8 hours" (never its ISO dates or codes)."""
    return " · ".join(
        _evidence_part(k, v, summary, names)
        for k, v in summary.items()
        if v not in (None, "", [], {}) and k != "disabled"
    )
