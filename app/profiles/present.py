"""Eligibility results in words, in the user's language (the engine itself returns only codes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import format_score
from app.models import Course, CourseVersion, Scale, Title
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
KIND_LABELS = {
    "course": _l("Completed course"),
    "courses_k_of_n": _l("Completed courses of a set"),
    "hours_in_category": _l("Training hours in a category"),
    "annual_hours": _l("Training hours each year"),
    "qualification": _l("Qualification level"),
    "planning": _l("Planning pool"),
    "remaining_service": _l("Remaining service"),
    "discipline": _l("Discipline"),
    "months_in_post": _l("Time in post"),
}


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


def _date(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else "—"


def reason_text(reason: Missing) -> str:
    """Why nothing could be checked (an evaluation's `reason`), as a sentence."""
    p = reason.params
    if reason.code == NO_SET_IN_FORCE:
        return _("No requirement set is in force on %(day)s.", day=_date(p.get("as_of")))
    if reason.code == NO_REQUIREMENTS:
        return _("No requirements are set for this position.")
    if reason.code == EMPTY_SET:
        return _("The requirement set in force (version %(v)s) has no rules.", v=p.get("version"))
    return _("The rule cannot be checked (%(code)s).", code=reason.code)


def _grace(code: str, p: dict) -> str:
    """The sentence on a grace window, for a code ending in _within_grace or _grace_expired."""
    if code.endswith("_within_grace"):
        return " " + _(
            "It may be completed within %(n)s months of the appointment (%(start)s), by %(day)s.",
            n=p.get("grace_months"),
            start=_date(p.get("appointed_on")),
            day=_date(p.get("deadline")),
        )
    if code.endswith("_grace_expired"):
        return " " + _(
            "The %(n)s months allowed after the appointment (%(start)s) ended on %(day)s.",
            n=p.get("grace_months"),
            start=_date(p.get("appointed_on")),
            day=_date(p.get("deadline")),
        )
    return ""


def describe(missing: Missing, names: Names) -> str:
    """What exactly is missing, as a sentence."""
    p = missing.params
    code = missing.code
    if code in (NO_SET_IN_FORCE, NO_REQUIREMENTS, EMPTY_SET):
        return reason_text(missing)
    base = code.removesuffix("_within_grace").removesuffix("_grace_expired")
    return _describe(base, p, names) + _grace(code, p)


def _describe(code: str, p: dict, names: Names) -> str:
    if code == "course":
        text = {
            "score_too_low": _(
                "Course %(course)s completed with %(score)s%%, below the %(min)s%% required.",
                course=names.course(p.get("course", "")),
                score=format_score(p.get("best_score")),
                min=p.get("min_score"),
            ),
            "too_old": _(
                "Course %(course)s was completed more than %(months)s months ago; take it again.",
                course=names.course(p.get("course", "")),
                months=p.get("within_months"),
            ),
            "expired": _(
                "The certificate of course %(course)s expired on %(day)s.",
                course=names.course(p.get("course", "")),
                day=_date(p.get("expired_on")),
            ),
            "old_edition": _(
                "Course %(course)s must be completed in edition %(min)s or later (done: %(done)s).",
                course=names.course(p.get("course", "")),
                min=p.get("min_version"),
                done=p.get("version") or _("edition unknown"),
            ),
        }.get(p.get("reason"), _("Complete the course %(course)s.", course=names.course(p.get("course", ""))))
        if p.get("min_score") and p.get("reason") == "none":
            text += " " + _("A final score of at least %(min)s%% is required.", min=p["min_score"])
        return text
    if code == "courses_k_of_n":
        return _(
            "Complete %(n)s more of: %(courses)s.",
            n=p.get("needed"),
            courses=", ".join(names.course(c) for c in p.get("remaining", [])),
        )
    if code == "hours":
        return _(
            "%(have)s of %(needed)s periods in %(category)s in the last %(months)s months: %(short)s more needed.",  # noqa: E501
            have=p.get("have"),
            needed=p.get("needed"),
            category=p.get("category"),
            months=p.get("months"),
            short=(p.get("needed") or 0) - (p.get("have") or 0),
        )
    if code == "annual_hours":
        return "; ".join(_("%(year)s: %(have)s of %(needed)s periods", **s) for s in p.get("shortfalls", []))
    if code == "qualification":
        return _(
            "%(scale)s at level %(level)s or above is required (now: %(have)s).",
            scale=names.scales.get(p.get("scale", ""), p.get("scale")),
            level=names.level(p.get("scale", ""), p.get("level")),
            have=names.level(p.get("scale", ""), p.get("have")) if p.get("have") else _("no level yet"),
        )
    if code == "planning":
        return _(
            "Not in the planning pool for %(title)s or a higher title.", title=names.title(p.get("title"))
        )
    if code == "remaining_service":
        return _(
            "Retirement on %(day)s leaves %(left)s years; %(needed)s are required.",
            day=_date(p.get("retirement_date")),
            left=p.get("years_left"),
            needed=p.get("years_needed"),
        )
    if code == "discipline":
        return _(
            "Under discipline (%(level)s, %(day)s): eligible again from %(start)s.",
            level=p.get("level"),
            day=_date(p.get("decided_on")),
            start=_date(p.get("eligible_from")),
        )
    if code == "months_in_post":
        return _(
            "%(have)s of %(needed)s months in the post or an equivalent one.",
            have=p.get("have"),
            needed=p.get("needed"),
        )
    if code == "profile_incomplete":
        return _("The profile lacks %(field)s.", field=p.get("field"))
    return _("The rule cannot be checked (%(code)s).", code=code)


def evidence_text(summary: dict) -> str:
    """A short line for a record the engine relied on."""
    parts = [str(v) for k, v in summary.items() if v not in (None, "", [], {}) and k != "disabled"]
    return " · ".join(parts)
