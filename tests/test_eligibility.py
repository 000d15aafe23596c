"""The eligibility engine, rule kind by rule kind: a pure function, no database, no Flask."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date

import pytest

from app.profiles.eligibility import (
    add_months,
    eligibility_from_dict,
    evaluate,
    result_to_dict,
    validate_rule,
)
from app.profiles.facts import (
    CONDITIONAL,
    MET,
    UNMET,
    CadreFacts,
    DisciplineFact,
    Eligibility,
    Evidence,
    Missing,
    NoRequirementSet,
    PlanningFact,
    PositionFact,
    QualificationFact,
    RequirementSet,
    Rule,
    ScaleDef,
    TitleDef,
    TrainingFact,
)

AS_OF = date(2026, 6, 1)

SCALES = {
    "political-theory": ScaleDef("political-theory", ("elementary", "intermediate", "advanced", "bachelor")),
    "state-management": ScaleDef("state-management", ("specialist", "principal", "senior")),
    "pt-admin-degree": ScaleDef("pt-admin-degree", ("bachelor", "master")),
}
TITLES = {
    "division-deputy": TitleDef("division-deputy", "Phó trưởng phòng", 1),
    "division-head": TitleDef("division-head", "Trưởng phòng", 2),
    "division-head-acting": TitleDef("division-head-acting", "Phụ trách phòng", 2),
    "deputy-director": TitleDef("deputy-director", "Phó giám đốc sở", 3),
    "director": TitleDef("director", "Giám đốc sở", 4),
}
COURSE_CODES = {"CDS-01", "CDS-02", "CDS-03", "URB-01", "LEAD-PHONG"}
CATEGORIES = {"digital-skills", "state-management", "political-theory"}


def make_cadre(**overrides) -> CadreFacts:
    facts = {
        "employee_code": "HN-000123",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": date(1975, 3, 15),
        "gender": "male",
        "title_code": "division-head",
    }
    return CadreFacts(**{**facts, **overrides})


def training(record_id: int, completed_on: date, course: str | None = "CDS-01", hours: int = 8, **kw):
    return TrainingFact(record_id=record_id, completed_on=completed_on, hours=hours, course_code=course, **kw)


def evaluate_one(kind: str, params: dict, cadre: CadreFacts, as_of: date = AS_OF, **kw):
    rules = (Rule(kind, params, key="r1"),)
    requirements = RequirementSet("deputy-director", 3, date(2025, 7, 1), rules)
    result = evaluate(cadre, requirements, as_of, scales=SCALES, titles=TITLES, **kw)
    assert len(result.results) == 1
    return result.results[0]


def check(rule: Rule) -> list[tuple[str, str]]:
    return validate_rule(rule, scales=SCALES, titles=TITLES, course_codes=COURSE_CODES, categories=CATEGORIES)


def test_add_months_stops_at_the_ends_of_the_calendar():
    assert add_months(date(9999, 12, 31), 60) == date.max
    assert add_months(date(1, 3, 1), -3) == date.min
    assert add_months(date(9999, 10, 31), 2) == date(9999, 12, 31)


def test_an_absurd_as_of_date_gives_an_answer_not_an_error():
    result = evaluate(strong_cadre(), full_set(), date(9999, 12, 31), scales=SCALES, titles=TITLES)
    assert result.status == UNMET  # long retired by then


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 6, 1), -12) == date(2025, 6, 1)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


# --- course ------------------------------------------------------------------------------------


def test_course_met_by_the_best_record():
    cadre = make_cadre(
        trainings=(
            training(1, date(2025, 3, 1), score=62.0),
            training(2, date(2025, 9, 1), score=88.5),
            training(3, date(2025, 10, 1), course="URB-01", score=99.0),
        )
    )
    result = evaluate_one("course", {"course": "CDS-01"}, cadre)
    assert result.status == MET
    assert result.missing == ()
    assert result.evidence == (
        Evidence(
            "training", 2, {"course": "CDS-01", "completed_on": "2025-09-01", "hours": 8, "score": 88.5}
        ),
    )


def test_course_not_done():
    result = evaluate_one("course", {"course": "CDS-01"}, make_cadre())
    assert result.status == UNMET
    assert result.missing == (Missing("course", {"course": "CDS-01", "reason": "none"}),)
    assert result.deadline is None


def test_revoked_record_is_ignored():
    cadre = make_cadre(trainings=(training(1, date(2025, 3, 1), revoked=True, certificate_no="BD-17"),))
    result = evaluate_one("course", {"course": "CDS-01"}, cadre)
    assert result.status == UNMET
    assert result.missing[0].params["reason"] == "none"


def test_record_after_the_as_of_date_is_ignored():
    cadre = make_cadre(trainings=(training(1, date(2026, 6, 2)),))
    assert evaluate_one("course", {"course": "CDS-01"}, cadre).status == UNMET
    assert evaluate_one("course", {"course": "CDS-01"}, cadre, as_of=date(2026, 6, 2)).status == MET


def test_expiry_on_the_as_of_date_is_still_valid():
    cadre = make_cadre(trainings=(training(1, date(2024, 6, 1), valid_until=AS_OF),))
    result = evaluate_one("course", {"course": "CDS-01"}, cadre)
    assert result.status == MET
    assert result.evidence[0].summary["valid_until"] == "2026-06-01"


def test_expiry_the_day_before_the_as_of_date_is_expired():
    cadre = make_cadre(trainings=(training(1, date(2024, 6, 1), valid_until=date(2026, 5, 31)),))
    result = evaluate_one("course", {"course": "CDS-01"}, cadre)
    assert result.status == UNMET
    assert result.missing == (
        Missing("course", {"course": "CDS-01", "reason": "expired", "expired_on": "2026-05-31"}),
    )


@pytest.mark.parametrize(
    ("score", "status"),
    [(49.9, UNMET), (50, MET), (50.0, MET), (100.0, MET)],
)
def test_course_min_score(score, status):
    cadre = make_cadre(trainings=(training(1, date(2026, 1, 10), score=score),))
    assert evaluate_one("course", {"course": "CDS-01", "min_score": 50}, cadre).status == status


def test_course_score_too_low_reports_the_best_score():
    cadre = make_cadre(
        trainings=(
            training(1, date(2025, 11, 1), score=35.0),
            training(2, date(2026, 1, 10), score=45.0),
            training(3, date(2026, 2, 10), score=None),
        )
    )
    result = evaluate_one("course", {"course": "CDS-01", "min_score": 50}, cadre)
    assert result.missing == (
        Missing(
            "course", {"course": "CDS-01", "min_score": 50, "reason": "score_too_low", "best_score": 45.0}
        ),
    )


def test_course_without_a_score_fails_a_min_score():
    cadre = make_cadre(trainings=(training(1, date(2026, 1, 10)),))
    result = evaluate_one("course", {"course": "CDS-01", "min_score": 50}, cadre)
    assert result.status == UNMET
    assert result.missing[0].params["best_score"] is None


@pytest.mark.parametrize(
    ("completed_on", "status"),
    [(date(2025, 6, 2), MET), (date(2025, 6, 1), UNMET), (date(2025, 5, 31), UNMET)],
)
def test_course_within_months_boundary(completed_on, status):
    """Within the last 12 months of 1/6/2026 is (1/6/2025, 1/6/2026]: the same as hours_in_category."""
    cadre = make_cadre(trainings=(training(1, completed_on),))
    result = evaluate_one("course", {"course": "CDS-01", "within_months": 12}, cadre)
    assert result.status == status
    if status == UNMET:
        assert result.missing[0].params == {
            "course": "CDS-01",
            "within_months": 12,
            "reason": "too_old",
            "completed_on": completed_on.isoformat(),
        }


def test_course_grace_window_is_conditional_with_a_deadline():
    params = {"course": "LEAD-PHONG", "grace_months": 12}
    result = evaluate_one("course", params, make_cadre())
    assert result.status == CONDITIONAL
    assert result.deadline == date(2027, 6, 1)
    assert result.missing == (
        Missing(
            "course_within_grace",
            {
                "course": "LEAD-PHONG",
                "reason": "none",
                "grace_months": 12,
                "appointed_on": "2026-06-01",
                "deadline": "2027-06-01",
            },
        ),
    )


def test_course_grace_window_not_needed_when_done():
    cadre = make_cadre(trainings=(training(1, date(2025, 4, 20), course="LEAD-PHONG", hours=160),))
    result = evaluate_one("course", {"course": "LEAD-PHONG", "grace_months": 12}, cadre)
    assert result.status == MET
    assert result.deadline is None


# --- courses_k_of_n ----------------------------------------------------------------------------


def test_k_of_n_met():
    cadre = make_cadre(
        trainings=(training(1, date(2025, 1, 5), "CDS-01"), training(2, date(2025, 2, 5), "CDS-03"))
    )
    result = evaluate_one("courses_k_of_n", {"courses": ["CDS-01", "CDS-02", "CDS-03"], "k": 2}, cadre)
    assert result.status == MET
    assert [e.record_id for e in result.evidence] == [1, 2]


def test_k_of_n_unmet_names_what_remains():
    cadre = make_cadre(
        trainings=(
            training(1, date(2025, 1, 5), "CDS-02"),
            training(2, date(2025, 2, 5), "CDS-03", revoked=True),
            training(3, date(2023, 2, 5), "URB-01"),
        )
    )
    params = {"courses": ["CDS-01", "CDS-02", "CDS-03", "URB-01"], "k": 3, "within_months": 24}
    result = evaluate_one("courses_k_of_n", params, cadre)
    assert result.status == UNMET
    assert result.missing == (
        Missing(
            "courses_k_of_n", {"needed": 2, "remaining": ["CDS-01", "CDS-03", "URB-01"], "done": ["CDS-02"]}
        ),
    )


# --- hours_in_category -------------------------------------------------------------------------


def test_hours_spanning_years_count_by_completion_date():
    as_of = date(2026, 1, 31)
    cadre = make_cadre(
        trainings=(
            training(
                1, date(2025, 1, 31), None, 40, category="digital-skills"
            ),  # window is (as_of-12m, as_of]
            training(2, date(2025, 2, 1), None, 4, category="digital-skills"),
            training(3, date(2025, 12, 20), None, 8, category="digital-skills"),
            training(4, date(2026, 1, 10), None, 8, category="digital-skills"),
            training(5, date(2026, 1, 12), None, 16, category="state-management"),
            training(6, date(2026, 1, 20), None, 16, category="digital-skills", revoked=True),
            training(7, date(2026, 2, 1), None, 16, category="digital-skills"),
        )
    )
    params = {"category": "digital-skills", "hours": 24, "months": 12}
    result = evaluate_one("hours_in_category", params, cadre, as_of=as_of)
    assert result.status == UNMET
    assert result.missing == (
        Missing("hours", {"category": "digital-skills", "needed": 24, "have": 20, "months": 12}),
    )
    assert [e.record_id for e in result.evidence] == [2, 3, 4]

    met = evaluate_one("hours_in_category", {**params, "hours": 20}, cadre, as_of=as_of)
    assert met.status == MET


def test_hours_count_expired_records_unless_told_not_to():
    cadre = make_cadre(
        trainings=(
            training(1, date(2025, 9, 1), hours=40, category="digital-skills", valid_until=date(2026, 1, 1)),
        )
    )
    params = {"category": "digital-skills", "hours": 40, "months": 12}
    assert evaluate_one("hours_in_category", params, cadre).status == MET
    assert evaluate_one("hours_in_category", {**params, "include_expired": False}, cadre).status == UNMET


# --- annual_hours ------------------------------------------------------------------------------


def test_annual_hours_per_calendar_year():
    cadre = make_cadre(
        trainings=(
            training(1, date(2023, 5, 1), "CDS-01", hours=40),
            training(2, date(2024, 3, 1), "CDS-02", hours=32),
            training(3, date(2024, 12, 31), None, hours=8),
            training(4, date(2025, 1, 1), None, hours=24),
            training(5, date(2025, 6, 1), None, hours=8, revoked=True),
            training(6, date(2026, 2, 1), None, hours=40),  # the current year is not judged
            training(7, date(2022, 12, 31), None, hours=40),  # before the window
        )
    )
    result = evaluate_one("annual_hours", {"hours": 40, "years": 3}, cadre)
    assert result.status == UNMET
    assert result.missing == (
        Missing("annual_hours", {"shortfalls": [{"year": 2025, "have": 24, "needed": 40}]}),
    )
    assert [e.record_id for e in result.evidence] == [1, 2, 3, 4]


def test_annual_hours_met():
    cadre = make_cadre(
        trainings=tuple(
            training(i, date(year, 10, 1), f"CDS-0{i + 1}", hours=40)
            for i, year in enumerate((2023, 2024, 2025))
        )
    )
    assert evaluate_one("annual_hours", {"hours": 40, "years": 3}, cadre).status == MET


def test_annual_hours_disabled_is_met_and_marked_not_applied():
    result = evaluate_one("annual_hours", {"hours": 40, "years": 3, "enabled": False}, make_cadre())
    assert result.status == MET
    assert result.missing == ()
    assert result.evidence == (Evidence("rule", None, {"disabled": True}),)


# --- qualification -----------------------------------------------------------------------------


def qualification(record_id: int, scale: str, level: str, **kw) -> QualificationFact:
    return QualificationFact(record_id, scale, level, issued_on=kw.pop("issued_on", date(2015, 9, 1)), **kw)


def test_qualification_at_or_above_the_level():
    cadre = make_cadre(
        qualifications=(
            qualification(1, "political-theory", "intermediate"),
            qualification(2, "political-theory", "advanced", number="LLCT-2020-118"),
        )
    )
    result = evaluate_one("qualification", {"scale": "political-theory", "level": "intermediate"}, cadre)
    assert result.status == MET
    assert result.evidence == (
        Evidence(
            "qualification",
            2,
            {
                "scale": "political-theory",
                "level": "advanced",
                "issued_on": "2015-09-01",
                "number": "LLCT-2020-118",
            },
        ),
    )


def test_qualification_level_below():
    cadre = make_cadre(qualifications=(qualification(1, "political-theory", "elementary"),))
    result = evaluate_one("qualification", {"scale": "political-theory", "level": "intermediate"}, cadre)
    assert result.status == UNMET
    assert result.missing == (
        Missing(
            "qualification", {"scale": "political-theory", "level": "intermediate", "have": "elementary"}
        ),
    )


def test_qualification_ignores_revoked_expired_and_future_records():
    cadre = make_cadre(
        qualifications=(
            qualification(1, "state-management", "senior", revoked=True),
            qualification(2, "state-management", "senior", expires_on=date(2026, 5, 31)),
            qualification(3, "state-management", "senior", issued_on=date(2026, 6, 2)),
            qualification(4, "state-management", "specialist"),
        )
    )
    result = evaluate_one("qualification", {"scale": "state-management", "level": "principal"}, cadre)
    assert result.status == UNMET
    assert result.missing[0].params["have"] == "specialist"


def test_qualification_expiring_on_the_as_of_date_is_valid():
    cadre = make_cadre(qualifications=(qualification(1, "state-management", "senior", expires_on=AS_OF),))
    result = evaluate_one("qualification", {"scale": "state-management", "level": "senior"}, cadre)
    assert result.status == MET


def test_qualification_none_held():
    result = evaluate_one("qualification", {"scale": "state-management", "level": "senior"}, make_cadre())
    assert result.missing == (
        Missing("qualification", {"scale": "state-management", "level": "senior", "have": None}),
    )


def test_qualification_accepted_equivalent():
    params = {
        "scale": "state-management",
        "level": "senior",
        "accept": [{"scale": "pt-admin-degree", "level": "bachelor"}],
    }
    holder = make_cadre(qualifications=(qualification(7, "pt-admin-degree", "master"),))
    result = evaluate_one("qualification", params, holder)
    assert result.status == MET
    assert result.evidence[0].record_id == 7
    assert result.evidence[0].summary["equivalent_of"] == "senior"

    below = {**params, "accept": [{"scale": "political-theory", "level": "bachelor"}]}
    advanced = make_cadre(qualifications=(qualification(8, "political-theory", "advanced"),))
    assert evaluate_one("qualification", below, advanced).status == UNMET


def test_qualification_grace_window():
    params = {"scale": "political-theory", "level": "advanced", "grace_months": 12}
    cadre = make_cadre(qualifications=(qualification(1, "political-theory", "intermediate"),))
    result = evaluate_one("qualification", params, cadre, as_of=date(2026, 1, 31))
    assert result.status == CONDITIONAL
    assert result.deadline == date(2027, 1, 31)
    assert result.missing[0] == Missing(
        "qualification_within_grace",
        {
            "scale": "political-theory",
            "level": "advanced",
            "have": "intermediate",
            "grace_months": 12,
            "appointed_on": "2026-01-31",
            "deadline": "2027-01-31",
        },
    )


# --- planning ----------------------------------------------------------------------------------


def planned(
    title: str, valid_from=date(2021, 1, 1), valid_to=date(2026, 12, 31), record_id=1
) -> PlanningFact:
    return PlanningFact(record_id, title, valid_from, valid_to)


def test_planning_for_the_target_title():
    cadre = make_cadre(planning=(planned("deputy-director"),))
    result = evaluate_one("planning", {}, cadre)
    assert result.status == MET
    assert result.evidence == (
        Evidence(
            "planning", 1, {"title": "deputy-director", "valid_from": "2021-01-01", "valid_to": "2026-12-31"}
        ),
    )


def test_planning_or_higher():
    cadre = make_cadre(planning=(planned("director"),))
    assert evaluate_one("planning", {}, cadre).status == MET
    assert evaluate_one("planning", {"or_higher": True}, cadre).status == MET
    result = evaluate_one("planning", {"or_higher": False}, cadre)
    assert result.status == UNMET
    assert result.missing == (Missing("planning", {"title": "deputy-director"}),)


def test_planning_for_a_lower_title_does_not_count():
    cadre = make_cadre(planning=(planned("division-head"),))
    assert evaluate_one("planning", {}, cadre).status == UNMET


def test_planning_validity_window():
    ended_yesterday = make_cadre(planning=(planned("deputy-director", valid_to=date(2026, 5, 31)),))
    ends_today = make_cadre(planning=(planned("deputy-director", valid_to=AS_OF),))
    starts_tomorrow = make_cadre(
        planning=(planned("deputy-director", valid_from=date(2026, 6, 2), valid_to=None),)
    )
    open_ended = make_cadre(planning=(planned("deputy-director", valid_to=None),))
    assert evaluate_one("planning", {}, ended_yesterday).status == UNMET
    assert evaluate_one("planning", {}, ends_today).status == MET
    assert evaluate_one("planning", {}, starts_tomorrow).status == UNMET
    assert evaluate_one("planning", {}, open_ended).status == MET


def test_planning_target_title_overrides_the_set_title():
    cadre = make_cadre(planning=(planned("deputy-director"),))
    result = evaluate_one("planning", {}, cadre, target_title="director")
    assert result.missing == (Missing("planning", {"title": "director"}),)


# --- remaining_service -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(date(2027, 7, 30), MET), (date(2027, 7, 31), MET), (date(2027, 8, 1), UNMET)],
)
def test_remaining_service_threshold(as_of, status):
    cadre = make_cadre(date_of_birth=date(1970, 7, 10))  # male, 62 in 07/2032: retires 31/7/2032
    result = evaluate_one("remaining_service", {"years": 5}, cadre, as_of=as_of)
    assert result.status == status
    assert result.evidence[0].summary["retirement_date"] == "2032-07-31"
    if status == UNMET:
        assert result.missing == (
            Missing(
                "remaining_service", {"retirement_date": "2032-07-31", "years_needed": 5, "years_left": 4.9}
            ),
        )


def test_remaining_service_female_default_and_fractional_age():
    cadre = make_cadre(full_name="Trần Thị Bình", gender="female", date_of_birth=date(1968, 4, 20))
    result = evaluate_one("remaining_service", {"years": 5}, cadre)
    assert result.status == UNMET
    # 04/1968: 56 years 4 months, reached in 08/2024 (Decree 135/2020's table), not a flat 60
    assert result.missing[0].params == {"retirement_date": "2024-08-31", "years_needed": 5, "years_left": 0.0}

    later = {"years": 5, "retirement_age": {"female": 61.25}}
    result = evaluate_one("remaining_service", later, cadre)
    assert result.missing[0].params["retirement_date"] == "2029-07-31"


def test_remaining_service_february_29_birthday():
    cadre = make_cadre(full_name="Lê Văn Cường", date_of_birth=date(1964, 2, 29))
    flat = {"years": 2, "retirement_age": {"male": 62, "female": 60}}
    on_time = evaluate_one("remaining_service", flat, cadre, as_of=date(2024, 2, 28))
    assert on_time.status == MET
    assert on_time.evidence[0].summary["retirement_date"] == "2026-02-28"
    # 29 Feb 2024 + 2 years is 28 Feb 2026, the retirement day itself: still enough
    assert evaluate_one("remaining_service", flat, cadre, as_of=date(2024, 2, 29)).status == MET
    late = evaluate_one("remaining_service", flat, cadre, as_of=date(2024, 3, 1))
    assert late.status == UNMET
    assert late.missing[0].params == {"retirement_date": "2026-02-28", "years_needed": 2, "years_left": 1.9}
    female = replace(cadre, gender="female")  # 60 years: 29 Feb 2024 exists
    result = evaluate_one("remaining_service", {**flat, "years": 5}, female)
    assert result.missing[0].params["retirement_date"] == "2024-02-29"


def test_remaining_service_after_retirement():
    cadre = make_cadre(date_of_birth=date(1960, 1, 1))
    result = evaluate_one("remaining_service", {"years": 5}, cadre)
    assert result.missing[0].params["years_left"] == 0.0


def test_remaining_service_unknown_gender_is_unmet_not_a_crash():
    result = evaluate_one("remaining_service", {"years": 5}, make_cadre(gender=""))
    assert result.status == UNMET
    assert result.missing[0].code == "profile_incomplete"


# --- discipline --------------------------------------------------------------------------------


def test_discipline_cooling_off_ends_on_the_as_of_date():
    cadre = make_cadre(discipline=(DisciplineFact(1, "reprimand", date(2024, 6, 1)),))
    result = evaluate_one("discipline", {}, cadre)
    assert result.status == MET
    assert result.evidence[0].summary == {
        "level": "reprimand",
        "decided_on": "2024-06-01",
        "eligible_from": "2026-06-01",
    }


def test_discipline_cooling_off_one_day_short():
    cadre = make_cadre(discipline=(DisciplineFact(1, "reprimand", date(2024, 6, 2)),))
    result = evaluate_one("discipline", {}, cadre)
    assert result.status == UNMET
    assert result.missing == (
        Missing(
            "discipline", {"level": "reprimand", "decided_on": "2024-06-02", "eligible_from": "2026-06-02"}
        ),
    )
    assert [e.record_id for e in result.evidence] == [1]


def test_discipline_reports_the_latest_end_and_ignores_later_decisions():
    cadre = make_cadre(
        discipline=(
            DisciplineFact(1, "warning", date(2024, 1, 10)),  # until 2027-01-10
            DisciplineFact(2, "reprimand", date(2025, 3, 1)),  # until 2027-03-01
            DisciplineFact(3, "removal", date(2026, 6, 2)),  # after as_of
            DisciplineFact(4, "khiển trách nội bộ", date(2025, 1, 1)),  # other: 24 months
        )
    )
    result = evaluate_one("discipline", {}, cadre)
    assert result.missing == (
        Missing(
            "discipline", {"level": "reprimand", "decided_on": "2025-03-01", "eligible_from": "2027-03-01"}
        ),
    )
    assert [e.record_id for e in result.evidence] == [1, 4, 2]


def test_discipline_cooling_months_are_configurable():
    cadre = make_cadre(discipline=(DisciplineFact(1, "warning", date(2024, 1, 10)),))
    assert evaluate_one("discipline", {}, cadre).status == UNMET
    assert evaluate_one("discipline", {"cooling_months": {"warning": 24}}, cadre).status == MET


def test_no_discipline():
    result = evaluate_one("discipline", {}, make_cadre())
    assert (result.status, result.evidence, result.missing) == (MET, (), ())


# --- months_in_post ----------------------------------------------------------------------------


POSITIONS = (
    PositionFact(1, "division-deputy", date(2016, 1, 1), date(2019, 12, 31)),
    PositionFact(2, "division-head", date(2020, 1, 1), date(2022, 6, 30)),
    # a gap: 2022-07-01 .. 2022-12-31 in another post
    PositionFact(3, "division-head-acting", date(2023, 1, 1), date(2024, 2, 29)),
    PositionFact(4, "division-head", date(2024, 3, 1), None),
)


def test_months_in_the_current_post_only():
    params = {"months": 36, "or_higher": False}
    result = evaluate_one("months_in_post", params, make_cadre(positions=POSITIONS))
    assert result.status == UNMET
    assert result.missing == (Missing("months_in_post", {"needed": 36, "have": 27}),)
    assert [e.record_id for e in result.evidence] == [4]
    # by default a post of the same rank (acting head) continues the run
    result = evaluate_one("months_in_post", {"months": 36}, make_cadre(positions=POSITIONS))
    assert (result.status, [e.record_id for e in result.evidence]) == (MET, [3, 4])


def test_months_in_post_merges_equivalent_titles_up_to_a_gap():
    params = {"months": 36, "titles": ["division-head", "division-head-acting"]}
    result = evaluate_one("months_in_post", params, make_cadre(positions=POSITIONS))
    assert result.status == MET
    assert [e.record_id for e in result.evidence] == [3, 4]

    result = evaluate_one("months_in_post", {**params, "months": 42}, make_cadre(positions=POSITIONS))
    assert result.missing == (Missing("months_in_post", {"needed": 42, "have": 41}),)


def test_months_in_post_merges_overlaps():
    positions = (
        PositionFact(1, "division-head", date(2021, 6, 1), date(2023, 6, 30)),
        PositionFact(2, "division-head", date(2023, 1, 1), None),
    )
    result = evaluate_one("months_in_post", {"months": 60}, make_cadre(positions=positions))
    assert result.status == MET
    assert [e.record_id for e in result.evidence] == [1, 2]
    short = evaluate_one("months_in_post", {"months": 61}, make_cadre(positions=positions))
    assert short.missing == (Missing("months_in_post", {"needed": 61, "have": 60}),)


def test_months_in_post_without_a_current_post():
    positions = (PositionFact(1, "division-head", date(2020, 1, 1), date(2026, 5, 31)),)
    result = evaluate_one("months_in_post", {"months": 12}, make_cadre(positions=positions))
    assert result.missing == (Missing("months_in_post", {"needed": 12, "have": 0}),)


# --- bad rules and the whole set ---------------------------------------------------------------


def test_unknown_kind_is_unmet_not_a_crash():
    result = evaluate_one("party_age", {"years": 3}, make_cadre())
    assert result.status == UNMET
    assert result.missing == (Missing("unknown_rule", {"kind": "party_age"}),)


def test_malformed_params_are_unmet_and_named():
    result = evaluate_one("qualification", {"scale": "political-theory", "level": "expert"}, make_cadre())
    assert result.status == UNMET
    assert result.missing[0].code == "invalid_rule"
    assert [p["field"] for p in result.missing[0].params["problems"]] == ["params.level"]


def full_set() -> RequirementSet:
    rules = (
        Rule("planning", {}, legal_basis="Nghị định 170/2025/NĐ-CP", label="Quy hoạch", key="planning"),
        Rule("qualification", {"scale": "political-theory", "level": "intermediate"}, key="llct"),
        Rule("course", {"course": "LEAD-PHONG", "grace_months": 12}, key="lead"),
        Rule("course", {"course": "CDS-01", "min_score": 50}, key="cds"),
        Rule("remaining_service", {"years": 5}, key="service"),
        Rule("discipline", {}, key="discipline"),
        Rule("annual_hours", {"hours": 40, "years": 3, "enabled": False}, key="annual"),
        Rule("months_in_post", {"months": 24}, key="post"),
    )
    return RequirementSet("deputy-director", 4, date(2025, 7, 1), rules, is_example=True)


def strong_cadre(**overrides) -> CadreFacts:
    return make_cadre(
        planning=(planned("deputy-director"),),
        qualifications=(qualification(1, "political-theory", "advanced"),),
        trainings=(
            training(1, date(2025, 10, 2), "LEAD-PHONG", 160),
            training(2, date(2026, 3, 3), "CDS-01", 16, score=82.0, category="digital-skills"),
        ),
        positions=POSITIONS,
        **overrides,
    )


def test_overall_status_combines_rule_results():
    requirements = full_set()
    cadre = strong_cadre()
    met = evaluate(cadre, requirements, AS_OF, scales=SCALES, titles=TITLES)
    assert [r.status for r in met.results] == [MET] * 8
    assert (met.status, met.title_code, met.set_version, met.as_of) == (MET, "deputy-director", 4, AS_OF)

    no_leadership = replace(cadre, trainings=cadre.trainings[1:])
    conditional = evaluate(no_leadership, requirements, AS_OF, scales=SCALES, titles=TITLES)
    assert conditional.status == CONDITIONAL
    assert [r.rule.key for r in conditional.results if r.status != MET] == ["lead"]

    disciplined = replace(no_leadership, discipline=(DisciplineFact(9, "warning", date(2025, 1, 1)),))
    unmet = evaluate(disciplined, requirements, AS_OF, scales=SCALES, titles=TITLES)
    assert unmet.status == UNMET
    assert [r.status for r in unmet.results if r.status != MET] == [CONDITIONAL, UNMET]


def test_evaluate_is_pure():
    requirements = full_set()
    before = copy.deepcopy(requirements)
    cadre = strong_cadre(discipline=(DisciplineFact(9, "warning", date(2025, 1, 1)),))
    first = evaluate(cadre, requirements, AS_OF, scales=SCALES, titles=TITLES)
    second = evaluate(cadre, requirements, AS_OF, scales=SCALES, titles=TITLES)
    assert first == second
    assert requirements == before


def test_json_round_trip():
    requirements = replace(
        full_set(),
        rules=(
            *full_set().rules,
            Rule("courses_k_of_n", {"courses": ["CDS-01", "CDS-02", "URB-01"], "k": 2}, key="k"),
            Rule("hours_in_category", {"category": "digital-skills", "hours": 40, "months": 12}, key="h"),
            Rule("annual_hours", {"hours": 40, "years": 2}, key="a2"),
            Rule(
                "qualification",
                {"scale": "state-management", "level": "senior", "grace_months": 6},
                key="qlqn",
            ),
            Rule("mystery", {}, key="x"),
        ),
    )
    cadre = strong_cadre(discipline=(DisciplineFact(9, "warning", date(2025, 1, 1)),))
    result = evaluate(cadre, requirements, AS_OF, scales=SCALES, titles=TITLES)
    frozen = json.loads(json.dumps(result_to_dict(result)))
    assert frozen["status"] == UNMET
    assert frozen["results"][2]["deadline"] is None
    assert frozen["results"][11]["deadline"] == "2026-12-01"
    assert frozen["results"][12]["missing"] == [{"code": "unknown_rule", "params": {"kind": "mystery"}}]
    assert eligibility_from_dict(frozen) == result


# --- validate_rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        Rule("course", {"course": "CDS-01", "min_score": 50, "within_months": 24, "grace_months": 12}),
        Rule("courses_k_of_n", {"courses": ["CDS-01", "CDS-02"], "k": 2, "within_months": 36}),
        Rule("hours_in_category", {"category": "digital-skills", "hours": 40, "months": 12}),
        Rule("annual_hours", {"hours": 40, "years": 3, "enabled": False}),
        Rule(
            "qualification",
            {
                "scale": "state-management",
                "level": "senior",
                "accept": [{"scale": "pt-admin-degree", "level": "bachelor"}],
                "grace_months": 12,
            },
        ),
        Rule("planning", {"or_higher": False}),
        Rule("remaining_service", {"years": 5, "retirement_age": {"male": 62, "female": 60.5}}),
        Rule("discipline", {"cooling_months": {"reprimand": 24, "warning": 36}}),
        Rule("months_in_post", {"months": 24, "titles": ["division-head", "division-head-acting"]}),
    ],
)
def test_valid_rules_have_no_problems(rule):
    assert check(rule) == []


@pytest.mark.parametrize(
    ("rule", "problem_fields"),
    [
        (Rule("party_age", {}), ["kind"]),
        (Rule("course", ["CDS-01"]), ["params"]),
        (Rule("course", {"course": "XYZ-99"}), ["params.course"]),
        (Rule("course", {}), ["params.course"]),
        (Rule("course", {"course": "CDS-01", "min_score": 150}), ["params.min_score"]),
        (Rule("course", {"course": "CDS-01", "within_months": -1}), ["params.within_months"]),
        (Rule("course", {"course": "CDS-01", "grace_months": "12"}), ["params.grace_months"]),
        (Rule("course", {"course": "CDS-01", "within_month": 12}), ["params.within_month"]),
        (Rule("courses_k_of_n", {"courses": ["CDS-01", "ZZZ"], "k": 1}), ["params.courses[1]"]),
        (Rule("courses_k_of_n", {"courses": ["CDS-01"], "k": 2}), ["params.k"]),
        (Rule("courses_k_of_n", {"courses": ["CDS-01"], "k": True}), ["params.k"]),
        (
            Rule("hours_in_category", {"category": "digital-skills", "hours": -8, "months": 12}),
            ["params.hours"],
        ),
        (Rule("hours_in_category", {"category": "digital-skills", "months": 12}), ["params.hours"]),
        (
            Rule("hours_in_category", {"category": "cooking", "hours": 8, "months": -3}),
            ["params.category", "params.months"],
        ),
        (Rule("annual_hours", {"hours": 40, "years": 3, "enabled": "no"}), ["params.enabled"]),
        (Rule("qualification", {"scale": "political-theory", "level": "expert"}), ["params.level"]),
        (Rule("qualification", {"scale": "languages", "level": "B1"}), ["params.scale"]),
        (
            Rule(
                "qualification",
                {
                    "scale": "state-management",
                    "level": "senior",
                    "accept": [{"scale": "pt-admin-degree", "level": "phd"}],
                },
            ),
            ["params.accept[0].level"],
        ),
        (
            Rule(
                "qualification",
                {"scale": "state-management", "level": "senior", "accept": [{"scale": "pt-admin-degree"}]},
            ),
            ["params.accept[0].level"],
        ),
        (Rule("planning", {"or_higher": 1}), ["params.or_higher"]),
        (Rule("remaining_service", {"years": -5}), ["params.years"]),
        (
            Rule("remaining_service", {"years": 5, "retirement_age": {"female": -60}}),
            ["params.retirement_age.female"],
        ),
        (Rule("discipline", {"cooling_months": {"warning": -36}}), ["params.cooling_months.warning"]),
        (Rule("months_in_post", {"months": 24, "titles": ["chairman"]}), ["params.titles[0]"]),
    ],
)
def test_validate_rule_names_the_field(rule, problem_fields):
    problems = check(rule)
    assert [field for field, _ in problems] == problem_fields
    assert all(message for _, message in problems)


def test_validate_rule_messages():
    assert check(Rule("course", {"course": "XYZ-99"})) == [("params.course", "unknown course code XYZ-99")]
    assert check(Rule("annual_hours", {"hours": -1, "years": 3})) == [("params.hours", "must be at least 0")]
    [(field, message)] = check(Rule("qualification", {"scale": "political-theory", "level": "expert"}))
    assert field == "params.level"
    assert "expert" in message and "intermediate" in message


# --- nothing to check is never "met" -----------------------------------------------------------


def test_a_title_with_sets_but_none_in_force_is_not_eligible_on_that_date():
    result = evaluate(
        strong_cadre(),
        NoRequirementSet("deputy-director", has_sets=True),
        AS_OF,
        scales=SCALES,
        titles=TITLES,
    )
    assert result.status == UNMET
    assert result.results == () and result.set_version == 0
    assert result.reason == Missing("no_set_in_force", {"title": "deputy-director", "as_of": "2026-06-01"})


def test_a_title_without_any_set_is_not_eligible_and_says_so():
    result = evaluate(
        strong_cadre(),
        NoRequirementSet("deputy-director", has_sets=False),
        AS_OF,
        scales=SCALES,
        titles=TITLES,
    )
    assert result.status == UNMET
    assert result.reason == Missing("no_requirements", {"title": "deputy-director"})


def test_a_set_without_rules_is_not_eligible():
    empty = RequirementSet("deputy-director", 2, date(2025, 7, 1), ())
    result = evaluate(strong_cadre(), empty, AS_OF, scales=SCALES, titles=TITLES)
    assert result.status == UNMET
    assert result.reason == Missing("empty_set", {"title": "deputy-director", "version": 2})


def test_an_evaluation_with_no_results_is_never_met_even_without_a_reason():
    assert Eligibility("deputy-director", AS_OF, 0, ()).status == UNMET


def test_the_reason_survives_the_json_round_trip():
    result = evaluate(
        strong_cadre(),
        NoRequirementSet("deputy-director", has_sets=True),
        AS_OF,
        scales=SCALES,
        titles=TITLES,
    )
    frozen = json.loads(json.dumps(result_to_dict(result)))
    assert frozen["status"] == UNMET
    assert frozen["reason"] == {
        "code": "no_set_in_force",
        "params": {"title": "deputy-director", "as_of": "2026-06-01"},
    }
    assert eligibility_from_dict(frozen) == result
    # evaluations frozen before the reason existed read back without one
    met = evaluate(strong_cadre(), full_set(), AS_OF, scales=SCALES, titles=TITLES)
    legacy = result_to_dict(met)
    del legacy["reason"]
    assert eligibility_from_dict(legacy) == met and met.reason is None
