"""Every rule at its boundaries: the day before, on and after each edge (issue 19).

Pure engine tests, no database. Dates are as a personnel officer reads them: "as of 1/12/2026".
"""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from app.profiles.eligibility import RULE_KINDS_REGISTRY, evaluate, validate_rule
from app.profiles.facts import (
    ACTING,
    APPOINTMENT,
    APPOINTMENT_KINDS,
    CONDITIONAL,
    MET,
    REAPPOINTMENT,
    ROTATION,
    TRANSFER,
    UNMET,
    CadreFacts,
    DisciplineFact,
    Missing,
    PlanningFact,
    PositionFact,
    QualificationFact,
    RequirementSet,
    Rule,
    ScaleDef,
    TitleDef,
    TrainingFact,
)

AS_OF = date(2026, 12, 1)
SCALES = {
    "political-theory": ScaleDef("political-theory", ("elementary", "intermediate", "advanced", "bachelor")),
    "state-management": ScaleDef("state-management", ("specialist", "principal", "senior")),
    "leadership": ScaleDef("leadership", ("division", "department")),
}
TITLES = {
    "division-deputy": TitleDef("division-deputy", "Phó trưởng phòng", 10),
    "division-head": TitleDef("division-head", "Trưởng phòng", 20),
    "department-deputy": TitleDef("department-deputy", "Phó giám đốc sở", 30),
    "department-director": TitleDef("department-director", "Giám đốc sở", 40),
}
LEADERSHIP = Rule(
    "qualification", {"scale": "leadership", "level": "division", "grace_months": 12}, key="lead"
)


def cadre(**overrides) -> CadreFacts:
    base = {
        "employee_code": "HN-1",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": date(1980, 5, 10),
        "gender": "male",
    }
    return CadreFacts(**{**base, **overrides})


def run(rules, person, as_of=AS_OF, title="division-head", **kw):
    requirements = RequirementSet(title, 1, date(2025, 7, 1), tuple(rules))
    return evaluate(person, requirements, as_of, scales=SCALES, titles=TITLES, **kw)


def one(kind, params, person, as_of=AS_OF, **kw):
    result = run([Rule(kind, params, key="r")], person, as_of, **kw)
    assert len(result.results) == 1
    return result.results[0]


# --- grace windows count from the appointment ---------------------------------------------------

HEAD_SINCE_2025 = (PositionFact(1, "division-head", date(2025, 1, 1)),)


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(date(2025, 12, 31), CONDITIONAL), (date(2026, 1, 1), CONDITIONAL), (date(2026, 1, 2), UNMET)],
)
def test_grace_window_runs_out_twelve_months_after_the_appointment(as_of, status):
    result = run([LEADERSHIP], cadre(positions=HEAD_SINCE_2025), as_of)
    rule = result.results[0]
    assert rule.status == status
    assert rule.missing[0].params["deadline"] == "2026-01-01"
    assert rule.missing[0].params["appointed_on"] == "2025-01-01"
    if status == UNMET:
        assert rule.missing[0].code == "qualification_grace_expired"
        assert rule.deadline is None
    else:
        assert rule.deadline == date(2026, 1, 1)


def test_grace_window_of_a_new_appointment_counts_from_its_effective_date():
    rule = run([LEADERSHIP], cadre(), date(2026, 12, 1)).results[0]
    assert (rule.status, rule.deadline) == (CONDITIONAL, date(2027, 12, 1))
    explicit = run([LEADERSHIP], cadre(), date(2026, 12, 1), appointed_on=date(2026, 1, 15)).results[0]
    assert (explicit.status, explicit.deadline) == (CONDITIONAL, date(2027, 1, 15))


def test_grace_window_met_once_the_training_is_recorded():
    done = QualificationFact(5, "leadership", "division", issued_on=date(2025, 11, 20))
    rule = run([LEADERSHIP], cadre(positions=HEAD_SINCE_2025, qualifications=(done,)), date(2026, 6, 1))
    assert rule.results[0].status == MET


@pytest.mark.parametrize(
    ("as_of", "status"),
    [(date(2026, 6, 30), CONDITIONAL), (date(2026, 7, 1), CONDITIONAL), (date(2026, 7, 2), UNMET)],
)
def test_k_of_n_accepts_a_grace_window(as_of, status):
    params = {"courses": ["CDS-LD", "QLCQDT"], "k": 2, "grace_months": 6}
    person = cadre(positions=(PositionFact(1, "division-head", date(2026, 1, 1)),))
    rule = one("courses_k_of_n", params, person, as_of)
    assert rule.status == status
    assert rule.missing[0].code == (
        "courses_k_of_n_within_grace" if status == CONDITIONAL else "courses_k_of_n_grace_expired"
    )


# --- kinds of appointment ---------------------------------------------------------------------

FULL_SET = (
    Rule("planning", {}, key="planning"),
    Rule("qualification", {"scale": "political-theory", "level": "intermediate"}, key="pt"),
    LEADERSHIP,
    Rule("remaining_service", {"years": 5}, key="service"),
    Rule("discipline", {}, key="discipline"),
    Rule("months_in_post", {"months": 24, "titles": ["division-deputy"]}, key="months"),
)
INCUMBENT = cadre(
    date_of_birth=date(1968, 3, 1),  # under 5 years of service left
    title_code="division-head",
    positions=(PositionFact(1, "division-head", date(2020, 1, 1)),),
    qualifications=(
        QualificationFact(2, "political-theory", "intermediate", issued_on=date(2015, 1, 1)),
        QualificationFact(3, "leadership", "division", issued_on=date(2020, 9, 1)),
    ),
)


def test_an_incumbent_is_judged_for_reappointment_not_by_first_appointment_rules():
    result = run(FULL_SET, INCUMBENT)
    assert result.kind == REAPPOINTMENT
    assert result.status == MET
    assert {r.key for r in result.not_applied} == {"planning", "service", "months"}
    assert [r.rule.key for r in result.results] == ["pt", "lead", "discipline"]


def test_the_same_cadre_proposed_for_a_first_appointment_elsewhere_meets_every_rule_or_not():
    result = run(FULL_SET, INCUMBENT, title="department-deputy")
    assert result.kind == APPOINTMENT
    assert result.not_applied == ()
    statuses = {r.rule.key: r.status for r in result.results}
    assert statuses["planning"] == UNMET and statuses["service"] == UNMET


@pytest.mark.parametrize(
    ("kind", "skipped"),
    [
        (APPOINTMENT, set()),
        (REAPPOINTMENT, {"planning", "service", "months"}),
        (TRANSFER, {"planning", "service", "months"}),
        (ROTATION, {"planning", "service", "months"}),
        (ACTING, {"service"}),
    ],
)
def test_each_kind_has_its_rules(kind, skipped):
    result = run(FULL_SET, cadre(), kind=kind)
    assert result.kind == kind
    assert {r.key for r in result.not_applied} == skipped


def test_a_rule_may_say_which_kinds_it_applies_to():
    rule = Rule("planning", {}, key="planning", applies_to=("appointment", "reappointment"))
    assert run([rule], INCUMBENT).results[0].status == UNMET
    assert run([rule], INCUMBENT, kind=TRANSFER).not_applied == (rule,)


def test_a_reappointment_grace_window_counts_from_the_first_appointment():
    person = cadre(positions=(PositionFact(1, "division-head", date(2020, 1, 1)),))
    rule = run([LEADERSHIP], person, kind=REAPPOINTMENT).results[0]
    assert rule.status == UNMET and rule.missing[0].code == "qualification_grace_expired"


# --- months in post ----------------------------------------------------------------------------


def test_a_weekend_between_two_deputy_posts_is_no_break():
    positions = (
        PositionFact(1, "division-deputy", date(2024, 1, 1), date(2025, 5, 30)),  # to Friday
        PositionFact(2, "division-deputy", date(2025, 6, 2)),  # from Monday
    )
    rule = one("months_in_post", {"months": 24, "titles": ["division-deputy"]}, cadre(positions=positions))
    assert rule.status == MET
    assert rule.missing == ()
    short = one("months_in_post", {"months": 35, "titles": ["division-deputy"]}, cadre(positions=positions))
    assert short.missing[0].params == {"needed": 35, "have": 34}  # the two days between do not count


@pytest.mark.parametrize(("gap_days", "joined"), [(30, True), (31, True), (32, False)])
def test_the_longest_break_that_continues_a_run(gap_days, joined):
    first_end = date(2024, 12, 31)
    second_start = date.fromordinal(first_end.toordinal() + gap_days + 1)
    positions = (
        PositionFact(1, "division-deputy", date(2023, 1, 1), first_end),
        PositionFact(2, "division-deputy", second_start),
    )
    rule = one("months_in_post", {"months": 1, "titles": ["division-deputy"]}, cadre(positions=positions))
    assert ([e.record_id for e in rule.evidence] == [1, 2]) is joined
    strict = {"months": 1, "titles": ["division-deputy"], "max_gap_days": 0}
    assert [e.record_id for e in one("months_in_post", strict, cadre(positions=positions)).evidence] == [2]


def test_a_higher_post_in_between_continues_the_run_and_counts():
    positions = (
        PositionFact(1, "division-deputy", date(2022, 1, 1), date(2023, 12, 31)),
        PositionFact(2, "division-head", date(2024, 1, 1), date(2024, 12, 31)),
        PositionFact(3, "division-deputy", date(2025, 1, 1)),
    )
    params = {"months": 36, "titles": ["division-deputy"]}
    rule = one("months_in_post", params, cadre(positions=positions))
    assert rule.status == MET and [e.record_id for e in rule.evidence] == [1, 2, 3]
    strict = one("months_in_post", {**params, "or_higher": False}, cadre(positions=positions))
    assert strict.missing[0].params == {"needed": 36, "have": 23}


def test_a_past_date_uses_the_post_held_then_not_todays_title():
    positions = (
        PositionFact(1, "division-deputy", date(2020, 1, 1), date(2023, 12, 31)),
        PositionFact(2, "division-head", date(2024, 1, 1)),
    )
    person = cadre(title_code="division-head", positions=positions)
    then = one("months_in_post", {"months": 36}, person, date(2023, 6, 1))
    assert then.status == MET and [e.record_id for e in then.evidence] == [1]
    nobody = one("months_in_post", {"months": 1}, cadre(title_code="division-head"), date(2023, 6, 1))
    assert nobody.missing[0].params == {"needed": 1, "have": 0}


# --- qualifications: the dated exemption, undated and revoked records ---------------------------

SENIOR_SM = {
    "scale": "state-management",
    "level": "senior",
    "accept": [{"scale": "political-theory", "level": "advanced", "issued_before": "2022-06-30"}],
}


@pytest.mark.parametrize(
    ("level", "issued_on", "status"),
    [
        ("advanced", date(2018, 5, 1), MET),
        ("advanced", date(2022, 6, 29), MET),
        ("advanced", date(2022, 6, 30), UNMET),
        ("bachelor", date(2022, 7, 1), UNMET),
        ("bachelor", date(2024, 3, 1), UNMET),
        ("bachelor", date(2021, 3, 1), MET),
        ("advanced", None, UNMET),
    ],
)
def test_the_decree_29_exemption_covers_degrees_held_before_30_june_2022(level, issued_on, status):
    held = QualificationFact(1, "political-theory", level, issued_on=issued_on, recorded_on=date(2020, 1, 1))
    rule = one("qualification", SENIOR_SM, cadre(qualifications=(held,)))
    assert rule.status == status
    if status == MET:
        assert rule.evidence[0].summary["issued_before"] == "2022-06-30"


@pytest.mark.parametrize(
    ("as_of", "status"), [(date(2026, 2, 28), UNMET), (date(2026, 3, 1), MET), (date(2026, 3, 2), MET)]
)
def test_an_undated_qualification_counts_from_the_day_it_was_recorded(as_of, status):
    held = QualificationFact(1, "political-theory", "intermediate", recorded_on=date(2026, 3, 1))
    params = {"scale": "political-theory", "level": "intermediate"}
    assert one("qualification", params, cadre(qualifications=(held,)), as_of).status == status


def test_an_undated_unrecorded_qualification_never_counts():
    held = QualificationFact(1, "political-theory", "intermediate")
    params = {"scale": "political-theory", "level": "intermediate"}
    assert one("qualification", params, cadre(qualifications=(held,)), date(2099, 1, 1)).status == UNMET


@pytest.mark.parametrize(
    ("as_of", "status"), [(date(2026, 12, 31), MET), (date(2027, 1, 1), UNMET), (date(2027, 1, 2), UNMET)]
)
def test_a_revocation_counts_from_its_day(as_of, status):
    held = QualificationFact(
        1,
        "political-theory",
        "intermediate",
        issued_on=date(2015, 1, 1),
        revoked=True,
        revoked_on=date(2027, 1, 1),
    )
    params = {"scale": "political-theory", "level": "intermediate"}
    assert one("qualification", params, cadre(qualifications=(held,)), as_of).status == status
    done = TrainingFact(2, date(2025, 1, 1), 40, "CDS-LD", revoked=True, revoked_on=date(2027, 1, 1))
    assert one("course", {"course": "CDS-LD"}, cadre(trainings=(done,)), as_of).status == status


# --- discipline ------------------------------------------------------------------------------


WARNING_REPLACED = (
    DisciplineFact(1, "warning", date(2025, 1, 1), ends_on=date(2025, 6, 1)),
    DisciplineFact(2, "reprimand", date(2025, 1, 1), counts_from=date(2025, 6, 1)),
)


@pytest.mark.parametrize(
    ("as_of", "level", "eligible_from"),
    [
        (date(2025, 5, 31), "warning", "2028-01-01"),
        (date(2025, 6, 1), "reprimand", "2027-01-01"),
        (date(2026, 12, 31), "reprimand", "2027-01-01"),
        (date(2027, 1, 1), None, None),
    ],
)
def test_a_warning_replaced_by_a_reprimand(as_of, level, eligible_from):
    rule = one("discipline", {}, cadre(discipline=WARNING_REPLACED), as_of)
    if level is None:
        assert rule.status == MET
    else:
        assert rule.status == UNMET
        assert rule.missing[0].params == {
            "level": level,
            "decided_on": "2025-01-01",
            "eligible_from": eligible_from,
        }


@pytest.mark.parametrize(("as_of", "status"), [(date(2025, 5, 31), UNMET), (date(2025, 6, 1), MET)])
def test_an_annulled_discipline_stops_counting_on_the_annulment_day(as_of, status):
    annulled = (DisciplineFact(1, "removal", date(2025, 1, 1), ends_on=date(2025, 6, 1)),)
    assert one("discipline", {}, cadre(discipline=annulled), as_of).status == status


@pytest.mark.parametrize(("as_of", "status"), [(date(2026, 12, 31), UNMET), (date(2027, 1, 1), MET)])
def test_the_other_level_clears_no_sooner_than_a_reprimand(as_of, status):
    other = (DisciplineFact(1, "other", date(2025, 1, 1)),)
    assert one("discipline", {}, cadre(discipline=other), as_of).status == status


def test_misspelt_parameters_are_errors_at_any_depth():
    def problems(kind, params):
        return validate_rule(
            Rule(kind, params), scales=SCALES, titles=TITLES, course_codes={"CDS-LD"}, categories=set()
        )

    assert problems("discipline", {"cooling_months": {"reprimmand": 24}}) == [
        (
            "params.cooling_months.reprimmand",
            "unknown discipline level (known: reprimand, warning, removal, dismissal, other)",
        )
    ]
    bad_accept = {
        **SENIOR_SM,
        "accept": [{"scale": "political-theory", "level": "advanced", "before": "2022-06-30"}],
    }
    assert problems("qualification", bad_accept) == [("params.accept[0].before", "unknown parameter")]
    bad_day = {
        **SENIOR_SM,
        "accept": [{"scale": "political-theory", "level": "advanced", "issued_before": "30/6/2022"}],
    }
    assert problems("qualification", bad_day) == [
        ("params.accept[0].issued_before", "must be a date written YYYY-MM-DD")
    ]
    assert problems("remaining_service", {"years": 5, "retirement_age": {"men": 62}}) == [
        ("params.retirement_age.men", "unknown parameter (male or female)")
    ]
    assert problems("course", {"course": "CDS-LD", "min_version": "latest"}) == [
        ("params.min_version", "must be an edition such as 2026.1")
    ]
    wrong_kind = validate_rule(
        Rule("planning", {}, applies_to=("promotion",)),
        scales=SCALES,
        titles=TITLES,
        course_codes=set(),
        categories=set(),
    )
    assert wrong_kind[0][0] == "applies_to[0]"
    result = run([Rule("discipline", {"cooling_months": {"reprimmand": 24}})], cadre())
    assert result.results[0].missing[0].code == "invalid_rule"


# --- courses and hours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "status"), [(49.996, UNMET), (49.99999, UNMET), (50.0, MET), (50.004, MET)]
)
def test_scores_compare_unrounded(score, status):
    done = TrainingFact(1, date(2026, 5, 1), 16, "CDS-LD", score=score)
    assert one("course", {"course": "CDS-LD", "min_score": 50}, cadre(trainings=(done,))).status == status


@pytest.mark.parametrize(
    ("completed_on", "status"), [(date(2024, 12, 1), UNMET), (date(2024, 12, 2), MET), (AS_OF, MET)]
)
def test_one_window_for_courses_and_hours(completed_on, status):
    done = TrainingFact(1, completed_on, 8, "CDS-LD", category="digital-transformation")
    person = cadre(trainings=(done,))
    assert one("course", {"course": "CDS-LD", "within_months": 24}, person).status == status
    hours = {"category": "digital-transformation", "hours": 8, "months": 24}
    assert one("hours_in_category", hours, person).status == status


def test_a_course_done_twice_counts_its_periods_once():
    twice = (
        TrainingFact(1, date(2025, 3, 1), 8, "CDS-LD", category="digital-transformation"),
        TrainingFact(2, date(2026, 3, 1), 8, "CDS-LD", category="digital-transformation"),
        TrainingFact(3, date(2026, 4, 1), 4, None, programme="Hội thảo", category="digital-transformation"),
    )
    rule = one(
        "hours_in_category",
        {"category": "digital-transformation", "hours": 16, "months": 24},
        cadre(trainings=twice),
    )
    assert rule.status == UNMET
    assert rule.missing[0].params["have"] == 12
    assert [e.record_id for e in rule.evidence] == [1, 3]
    yearly = one("annual_hours", {"hours": 8, "years": 2}, cadre(trainings=twice))
    assert yearly.missing[0].params["shortfalls"] == [{"year": 2024, "have": 0, "needed": 8}]


@pytest.mark.parametrize(
    ("version", "status"),
    [("2019.1", UNMET), ("2026.0", UNMET), ("2026.1", MET), ("2026.2", MET), ("2027", MET), (None, UNMET)],
)
def test_a_minimum_edition(version, status):
    done = TrainingFact(1, date(2026, 5, 1), 16, "CDS-LD", score=90.0, course_version=version)
    rule = one("course", {"course": "CDS-LD", "min_version": "2026.1"}, cadre(trainings=(done,)))
    assert rule.status == status
    if status == UNMET:
        assert rule.missing[0].params["reason"] == "old_edition"


# --- retirement by the statutory table ---------------------------------------------------------


def _month_range(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


@pytest.mark.parametrize("born", list(_month_range(date(1971, 12, 1), date(1973, 3, 1))))
def test_women_born_12_1971_to_03_1973_have_under_five_years_left(born):
    rule = one("remaining_service", {"years": 5}, cadre(gender="female", date_of_birth=born))
    assert rule.status == UNMET


@pytest.mark.parametrize(
    ("gender", "born", "status"),
    [
        ("female", date(1971, 11, 30), UNMET),
        ("female", date(1973, 4, 1), MET),
        ("male", date(1966, 11, 30), UNMET),
        ("male", date(1966, 12, 1), UNMET),
        ("male", date(1969, 12, 1), MET),
    ],
)
def test_five_years_left_at_the_edges(gender, born, status):
    assert one("remaining_service", {"years": 5}, cadre(gender=gender, date_of_birth=born)).status == status


# --- planning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (date(2025, 12, 31), UNMET),
        (date(2026, 1, 1), MET),
        (date(2030, 12, 31), MET),
        (date(2031, 1, 1), UNMET),
    ],
)
def test_planning_in_force_through_its_last_day(as_of, status):
    entry = PlanningFact(1, "division-head", date(2026, 1, 1), date(2030, 12, 31), unit_code="SO-NV")
    rule = one("planning", {}, cadre(planning=(entry,)), as_of)
    assert rule.status == status
    if status == MET:
        assert rule.evidence[0].summary["unit"] == "SO-NV"


# --- the README's rule table -------------------------------------------------------------------


def test_the_readme_rule_table_is_the_registry(app):
    from app.config import PROJECT_ROOT
    from app.profiles.cli import RULE_TABLE_END, RULE_TABLE_START
    from app.profiles.eligibility import rule_table

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    in_readme = readme.split(RULE_TABLE_START)[1].split(RULE_TABLE_END)[0].strip()
    update = "run: flask --app wsgi requirements rule-table --write README.md"
    assert in_readme == rule_table().strip(), update
    printed = app.test_cli_runner().invoke(args=["requirements", "rule-table"])
    assert printed.exit_code == 0 and printed.output == rule_table()
    assert "| `months_in_post` |" in printed.output and "max_gap_days" in printed.output


# --- one registry entry per rule kind ---------------------------------------------------------

GRACE = {"grace_months": 12, "appointed_on": "2026-01-15", "deadline": "2027-01-15"}


def _in_words(app, lang: str, name: str, code: str, params: dict) -> tuple[str, str, str]:
    """In `lang`: the kind's label (shown beside a met rule), what a Missing with `code` and
    `params` says, and the grace deadline as a reader sees it."""
    from app.profiles.eligibility import day_words
    from app.profiles.present import KIND_LABELS, Names, describe

    with app.app_context(), force_locale(lang):
        label = str(KIND_LABELS[name])
        return label, describe(Missing(code, params), Names()), day_words(GRACE["deadline"])


@pytest.mark.parametrize("name", list(RULE_KINDS_REGISTRY))
def test_a_rule_kind_is_declared_by_its_one_registry_entry(app, name):
    """Adding a rule kind takes one registry entry: it is evaluated, checked, documented in the
    README and put into words (met, unmet, within and after a grace window) in both languages."""
    from app.config import PROJECT_ROOT

    kind = RULE_KINDS_REGISTRY[name]
    assert kind.name == name and callable(kind.evaluate) and callable(kind.check)
    assert kind.applies_to and set(kind.applies_to) <= set(APPOINTMENT_KINDS)
    assert all(param in kind.params_doc for param in kind.allowed_params), kind.params_doc
    assert f'Missing("{kind.missing_code}"' in kind.meaning  # the meaning names the code described
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `{name}` | `{kind.params_doc}` |" in readme

    unmet = {lang: _in_words(app, lang, name, kind.missing_code, {}) for lang in ("vi", "en")}
    for label, sentence, _deadline in unmet.values():
        assert label.strip() and label != name and sentence.strip()
    assert unmet["vi"][0] != unmet["en"][0] and unmet["vi"][1] != unmet["en"][1]  # translated
    if "grace_months" not in kind.allowed_params:
        return
    for lang, (_label, sentence, deadline) in unmet.items():
        within = _in_words(app, lang, name, kind.missing_code + "_within_grace", GRACE)[1]
        expired = _in_words(app, lang, name, kind.missing_code + "_grace_expired", GRACE)[1]
        assert within.startswith(sentence) and expired.startswith(sentence) and within != expired
        assert deadline in within and deadline in expired


def test_the_shipped_director_standard_applies_the_exemption_by_date():
    import yaml

    from app.profiles.requirements import DEFAULTS_FILE

    sets = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))["requirements"]
    director = next(s for s in sets if s["title"] == "department-director")
    raw = next(r for r in director["rules"] if r["key"] == "state-management")
    rule = Rule(raw["kind"], raw["params"], key=raw["key"])

    def status(level, issued_on):
        held = QualificationFact(1, "political-theory", level, issued_on=issued_on)
        return run([rule], cadre(qualifications=(held,)), title="department-director").results[0].status

    assert status("bachelor", date(2024, 3, 1)) == UNMET
    assert status("advanced", date(2018, 5, 1)) == MET


def test_a_course_score_is_the_unrounded_mean_of_its_graded_quizzes():
    from types import SimpleNamespace

    from app.learning.service import course_score

    quizzes = [SimpleNamespace(slug=s, is_graded=True) for s in ("a", "b", "c")]
    grades = {s: SimpleNamespace(grade=g) for s, g in zip("abc", (50.0, 50.0, 49.99), strict=True)}
    score = course_score(quizzes, grades)
    assert score < 50  # 49.996..., once rounded to 50.0 and passed as "from 50%"
    done = TrainingFact(1, date(2026, 5, 1), 16, "CDS-LD", score=score)
    assert one("course", {"course": "CDS-LD", "min_score": 50}, cadre(trainings=(done,))).status == UNMET
