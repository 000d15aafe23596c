"""Eligibility results in words, in the user's language (the engine itself returns only codes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Course, CourseVersion, Scale, Title
from app.profiles.eligibility import RULE_KINDS_REGISTRY, day_words, kind_of_missing
from app.profiles.facts import (
    CONDITIONAL,
    EMPTY_SET,
    MET,
    NO_REQUIREMENTS,
    NO_SET_IN_FORCE,
    UNMET,
    Missing,
)

STATUS_LABELS = {MET: _l("Met"), UNMET: _l("Not met"), CONDITIONAL: _l("Met on condition")}
OVERALL_LABELS = {MET: _l("Eligible"), UNMET: _l("Not eligible"), CONDITIONAL: _l("Eligible on condition")}
KIND_LABELS = {name: kind.label for name, kind in RULE_KINDS_REGISTRY.items()}


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
                (CourseVersion.course_id == Course.id)
                & (CourseVersion.number == Course.current_version_number),
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


def evidence_text(summary: dict) -> str:
    """A short line for a record the engine relied on."""
    parts = [str(v) for k, v in summary.items() if v not in (None, "", [], {}) and k != "disabled"]
    return " · ".join(parts)
