"""Retirement by the statutory schedule (Labour Code 2019 art. 169; Decree 135/2020/NĐ-CP and its
table by month of birth), shipped as data in app/profiles/retirement.yaml: the table's rows at the
month boundaries for both genders, the five-year boundary of the remaining-service rule, the
exceptions configured by title, the loader's errors, and the date shown on the profile and dossier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.profiles import retirement
from app.profiles.eligibility import evaluate
from app.profiles.facts import MET, UNMET, CadreFacts, RequirementSet, Rule
from tests.helpers import CITY_ADMIN, cadre_id

SHIPPED = yaml.safe_load(retirement.RULES_FILE.read_text(encoding="utf-8"))


# --- the table by month of birth ------------------------------------------------------------------

# (gender, born, age (years, months), retirement date): the rows of Decree 135/2020's Appendix I
# named in app/profiles/retirement.py's docstring, the first and last month of each transition
# year, and the people who reached the old age by the end of 2020.
TABLE = [
    ("male", date(1960, 9, 15), (60, 0), date(2020, 9, 30)),
    ("male", date(1960, 12, 31), (60, 0), date(2020, 12, 31)),  # reached 60 in 2020: the old age
    ("male", date(1961, 1, 1), (60, 3), date(2021, 4, 30)),  # the table's first row
    ("male", date(1961, 9, 30), (60, 3), date(2021, 12, 31)),
    ("male", date(1961, 10, 1), (60, 6), date(2022, 4, 30)),
    ("male", date(1962, 6, 1), (60, 6), date(2022, 12, 31)),
    ("male", date(1962, 7, 1), (60, 9), date(2023, 4, 30)),
    ("male", date(1963, 1, 1), (60, 9), date(2023, 10, 31)),
    ("male", date(1963, 3, 1), (60, 9), date(2023, 12, 31)),
    ("male", date(1963, 4, 1), (61, 0), date(2024, 4, 30)),
    ("male", date(1963, 12, 1), (61, 0), date(2024, 12, 31)),
    ("male", date(1964, 1, 1), (61, 3), date(2025, 4, 30)),
    ("male", date(1964, 9, 1), (61, 3), date(2025, 12, 31)),
    ("male", date(1964, 10, 1), (61, 6), date(2026, 4, 30)),
    ("male", date(1965, 5, 1), (61, 6), date(2026, 11, 30)),
    ("male", date(1966, 1, 1), (61, 9), date(2027, 10, 31)),
    ("male", date(1966, 3, 31), (61, 9), date(2027, 12, 31)),
    ("male", date(1966, 4, 1), (62, 0), date(2028, 4, 30)),  # "from 2028 on"
    ("male", date(1980, 7, 1), (62, 0), date(2042, 7, 31)),
    ("female", date(1965, 12, 31), (55, 0), date(2020, 12, 31)),  # reached 55 in 2020
    ("female", date(1966, 1, 1), (55, 4), date(2021, 5, 31)),  # the table's first row
    ("female", date(1966, 8, 31), (55, 4), date(2021, 12, 31)),
    ("female", date(1966, 9, 1), (55, 8), date(2022, 5, 31)),
    ("female", date(1968, 1, 1), (56, 4), date(2024, 5, 31)),
    ("female", date(1968, 8, 1), (56, 4), date(2024, 12, 31)),
    ("female", date(1968, 9, 1), (56, 8), date(2025, 5, 31)),
    ("female", date(1969, 4, 1), (56, 8), date(2025, 12, 31)),
    ("female", date(1969, 5, 1), (57, 0), date(2026, 5, 31)),
    ("female", date(1969, 12, 1), (57, 0), date(2026, 12, 31)),
    ("female", date(1970, 1, 1), (57, 4), date(2027, 5, 31)),
    ("female", date(1972, 6, 15), (58, 4), date(2030, 10, 31)),  # DOMAIN.md's example
    ("female", date(1975, 4, 1), (59, 8), date(2034, 12, 31)),
    ("female", date(1975, 5, 1), (60, 0), date(2035, 5, 31)),  # "from 2035 on"
    ("female", date(1980, 1, 1), (60, 0), date(2040, 1, 31)),
]


@pytest.mark.parametrize(("gender", "born", "age", "retires"), TABLE)
def test_the_statutory_table_by_month_of_birth(gender, born, age, retires):
    found = retirement.retirement_of(gender, born)
    assert divmod(found.age_months, 12) == age
    assert found.day == retires
    assert found.exception is None


# Appendix I of Decree 135/2020 by year: (year, age, first and last month of birth; None: and later)
APPENDIX_I = {
    "male": [
        (2021, (60, 3), "01/1961", "09/1961"),
        (2022, (60, 6), "10/1961", "06/1962"),
        (2023, (60, 9), "07/1962", "03/1963"),
        (2024, (61, 0), "04/1963", "12/1963"),
        (2025, (61, 3), "01/1964", "09/1964"),
        (2026, (61, 6), "10/1964", "06/1965"),
        (2027, (61, 9), "07/1965", "03/1966"),
        (2028, (62, 0), "04/1966", None),
    ],
    "female": [
        (2021, (55, 4), "01/1966", "08/1966"),
        (2022, (55, 8), "09/1966", "04/1967"),
        (2023, (56, 0), "05/1967", "12/1967"),
        (2024, (56, 4), "01/1968", "08/1968"),
        (2025, (56, 8), "09/1968", "04/1969"),
        (2026, (57, 0), "05/1969", "12/1969"),
        (2027, (57, 4), "01/1970", "08/1970"),
        (2028, (57, 8), "09/1970", "04/1971"),
        (2029, (58, 0), "05/1971", "12/1971"),
        (2030, (58, 4), "01/1972", "08/1972"),
        (2031, (58, 8), "09/1972", "04/1973"),
        (2032, (59, 0), "05/1973", "12/1973"),
        (2033, (59, 4), "01/1974", "08/1974"),
        (2034, (59, 8), "09/1974", "04/1975"),
        (2035, (60, 0), "05/1975", None),
    ],
}


@pytest.mark.parametrize("gender", ["male", "female"])
def test_the_table_by_year_is_appendix_i(gender):
    rows = [
        (
            r.year,
            divmod(r.age_months, 12),
            r.born_from.strftime("%m/%Y"),
            r.born_to.strftime("%m/%Y") if r.born_to else None,
        )
        for r in retirement.table(gender)
    ]
    assert rows == APPENDIX_I[gender]


def test_the_table_is_printed_for_comparison_with_the_decree(app):
    printed = app.test_cli_runner().invoke(args=["profiles", "retirement-table", "--gender", "female"])
    assert printed.exit_code == 0
    assert "Nghị định 135/2020/NĐ-CP" in printed.output
    assert "  2030: 58 years 4 months, born 01/1972-08/1972" in printed.output
    assert "  2035 on: 60 years 0 months, born 05/1975 on" in printed.output
    assert "male:" not in printed.output.replace("female:", "")


def _months(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


@pytest.mark.parametrize("gender", ["male", "female"])
def test_every_month_of_birth_retires_in_the_year_of_the_age_it_reaches(gender):
    """The rule the table is built on, for every month of birth 1955-1985: the age is that of the
    year in which it is reached, it never falls as the birth month advances, and the retirement
    month advances by one month, or more at a year's change of age (never two people of later
    birth retiring earlier)."""
    schedule = retirement.shipped_rules().schedules[gender]
    previous = None
    for born in _months(date(1955, 1, 1), date(1985, 12, 1)):
        found = retirement.retirement_of(gender, born)
        year = found.day.year
        assert found.age_months == schedule.age_in(year, 2021)
        if previous is not None:
            assert found.age_months >= previous.age_months
            assert found.day > previous.day
        previous = found


# --- the remaining-service rule at its five-year boundary ---------------------------------------


def _remaining(born: date, as_of: date, gender: str = "female", title: str | None = None):
    person = CadreFacts("HN-1", "Trần Thị Lan", born, gender, title_code=title)
    rules = RequirementSet(
        "department-director", 1, date(2025, 7, 1), (Rule("remaining_service", {"years": 5}),)
    )
    return evaluate(person, rules, as_of, scales={}, titles={}).results[0]


@pytest.mark.parametrize(
    ("born", "as_of", "status", "retires"),
    [
        # born 03/1974: 59 years 4 months, reached in 07/2033 (a flat 60 would say 03/2034)
        (date(1974, 3, 10), date(2027, 7, 31), MET, date(2033, 7, 31)),
        (date(1974, 3, 10), date(2028, 7, 31), MET, date(2033, 7, 31)),  # exactly five years
        (date(1974, 3, 10), date(2028, 8, 1), UNMET, date(2033, 7, 31)),
        # born 05/1973: 59 years, reached in 05/2032; appointed on 31/05/2027: exactly five years
        (date(1973, 5, 2), date(2027, 5, 31), MET, date(2032, 5, 31)),
        (date(1973, 5, 2), date(2027, 6, 1), UNMET, date(2032, 5, 31)),  # a day under five years
    ],
)
def test_a_woman_appointed_in_2027_or_2028_at_the_five_year_boundary(born, as_of, status, retires):
    result = _remaining(born, as_of)
    assert result.evidence[0].summary["retirement_date"] == retires.isoformat()
    assert result.status == status


def test_under_the_old_flat_60_she_would_have_passed():
    """Born 03/1974 and appointed in 08/2028: a flat 60 leaves five and a half years, the schedule
    four years eleven months."""
    flat = RequirementSet(
        "division-head",
        1,
        date(2025, 7, 1),
        (Rule("remaining_service", {"years": 5, "retirement_age": {"female": 60}}),),
    )
    person = CadreFacts("HN-1", "Trần Thị Lan", date(1974, 3, 10), "female")
    assert evaluate(person, flat, date(2028, 8, 1), scales={}, titles={}).results[0].status == MET
    result = _remaining(date(1974, 3, 10), date(2028, 8, 1))
    assert result.status == UNMET
    assert result.missing[0].params == {"retirement_date": "2033-07-31", "years_needed": 5, "years_left": 4.9}


# --- exceptions by title --------------------------------------------------------------------------


def _rules_with(*exceptions: dict) -> retirement.RetirementRules:
    return retirement.parse_rules({**SHIPPED, "exceptions": list(exceptions)})


LATER = {
    "key": "later",
    "label": "Nghỉ hưu ở tuổi cao hơn",
    "titles": ["department-director"],
    "months": 60,
    "legal_basis": "Nghị định 135/2020/NĐ-CP, Điều 6",
}
EARLIER = {**LATER, "key": "earlier", "label": "Nghỉ hưu sớm", "titles": ["ward-chair"], "months": -60}


def test_no_exception_is_shipped_and_every_configured_title_exists():
    rules = retirement.shipped_rules()
    reference = yaml.safe_load(retirement.RULES_FILE.with_name("reference.yaml").read_text(encoding="utf-8"))
    titles = {code for code, _name, _rank in reference["titles"]}
    assert {t for e in rules.exceptions for t in e.titles} <= titles
    assert rules.exceptions == ()  # decided case by case: a city configures its own
    assert rules.legal_basis.startswith("Bộ luật Lao động 2019, Điều 169")
    assert rules.effective_from == date(2021, 1, 1)


def test_an_exception_moves_the_age_of_its_titles_holders_only():
    rules = _rules_with(LATER, EARLIER)
    born = date(1966, 1, 1)
    assert retirement.retirement_of("male", born, "division-head", rules).day == date(2027, 10, 31)
    later = retirement.retirement_of("male", born, "department-director", rules)
    assert (later.age_months, later.day, later.exception.key) == (67 * 12, date(2033, 1, 31), "later")
    # Decree 135/2020 Appendix II: men born 01/1966-09/1966 may retire at 55 years 3 months in 2021
    earlier = retirement.retirement_of("male", born, "ward-chair", rules)
    assert (divmod(earlier.age_months, 12), earlier.day) == ((55, 3), date(2021, 4, 30))
    assert divmod(
        retirement.retirement_of("male", date(1965, 12, 1), "ward-chair", rules).age_months, 12
    ) == (
        55,
        0,
    )


def test_the_rule_uses_the_exception_of_the_cadres_current_title(app, monkeypatch):
    from flask_babel import force_locale

    from app.profiles.present import evidence_text

    rules = _rules_with({**LATER, "titles": ["division-head"], "months": 24})
    monkeypatch.setattr(retirement, "shipped_rules", lambda: rules)
    # born 03/1974: two years above the age in force when reached, 60 in 2035 and after: 62, 03/2036
    result = _remaining(date(1974, 3, 10), date(2028, 8, 1), title="division-head")
    assert result.status == MET
    assert result.evidence[0].summary["retirement_date"] == "2036-03-31"
    assert result.evidence[0].summary["retirement_exception"] == "Nghỉ hưu ở tuổi cao hơn"
    with app.test_request_context(), force_locale("vi"):
        words = evidence_text(result.evidence[0].summary)
    assert "nghỉ hưu ngày 31/03/2036" in words and "trường hợp riêng: Nghỉ hưu ở tuổi cao hơn" in words
    assert _remaining(date(1974, 3, 10), date(2028, 8, 1), title="specialist").status == UNMET


# --- the loader's errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start_year": "2021"}, "start_year: must be a whole number from 1900 to 2200"),
        ({"effective_from": "1/1/2021"}, "effective_from: must be a date (YYYY-MM-DD)"),
        ({"legal_basis": ""}, "legal_basis: must be a non-empty text"),
        (
            {"schedules": {"male": SHIPPED["schedules"]["male"]}},
            "schedules: must give exactly male and female",
        ),
        ({"retire_at": 60}, "retire_at: unknown field"),
        (
            {
                "schedules": {
                    **SHIPPED["schedules"],
                    "female": {**SHIPPED["schedules"]["female"], "step_months": 13},
                }
            },
            "schedules.female.step_months: must be a whole number from 1 to 11",
        ),
        (
            {
                "schedules": {
                    **SHIPPED["schedules"],
                    "male": {**SHIPPED["schedules"]["male"], "final": {"years": 59}},
                }
            },
            "schedules.male: ages must rise: before <= first <= final",
        ),
        (
            {
                "schedules": {
                    **SHIPPED["schedules"],
                    "male": {**SHIPPED["schedules"]["male"], "first": "60y3m"},
                }
            },
            "schedules.male.first: must be {years: N, months: N}",
        ),
        (
            {"exceptions": [{**LATER, "months": 72}]},
            "exceptions[0].months: must be a whole number from -60 to 60",
        ),
        ({"exceptions": [{**LATER, "months": 0}]}, "exceptions[0].months: must not be 0"),
        (
            {"exceptions": [{**LATER, "titles": []}]},
            "exceptions[0].titles: must be a non-empty list of title codes",
        ),
        ({"exceptions": [{**LATER, "title": "x"}]}, "exceptions[0].title: unknown field"),
        ({"exceptions": [LATER, LATER]}, "exceptions[1].key: later is used twice"),
        ({"exceptions": [LATER, {**LATER, "key": "again"}]}, "department-director is already in later"),
    ],
)
def test_a_malformed_schedule_is_refused_naming_the_field(change, message):
    with pytest.raises(retirement.RetirementConfigError) as raised:
        retirement.parse_rules({**SHIPPED, **change}, "retirement.yaml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("retirement.yaml:")


def test_an_unreadable_file_names_the_file(tmp_path: Path):
    broken = tmp_path / "retirement.yaml"
    broken.write_text("schedules: [", encoding="utf-8")
    with pytest.raises(retirement.RetirementConfigError, match=str(broken)):
        retirement.load_rules(broken)


def test_the_shipped_file_loads():
    assert retirement.load_rules() == retirement.shipped_rules()


# --- what people see ------------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_the_profile_and_the_dossier_show_the_retirement_date(app, auth, client, clock):
    from app.extensions import db
    from app.models import Cadre

    clock.set_today(date(2026, 11, 30))
    auth.login(*CITY_ADMIN)
    cid = cadre_id(app, "HN-000001")
    with app.app_context():
        cadre = db.session.get(Cadre, cid)
        expected = retirement.retirement_of(cadre.gender, cadre.date_of_birth, cadre.title_code)
    day = expected.day.strftime("%d/%m/%Y")
    years, months = divmod(expected.age_months, 12)
    age = f"{years} tuổi {months} tháng" if months else f"{years} tuổi"
    profile = client.get(f"/cadres/{cid}").get_data(as_text=True)
    assert "<dt>Nghỉ hưu theo lộ trình</dt>" in profile
    assert f"ngày {day}, khi đủ {age}" in profile
    dossier = client.get(f"/cadres/{cid}/print").get_data(as_text=True)
    assert f'<span class="label">Nghỉ hưu theo lộ trình:</span> ngày {day}, khi đủ {age}' in dossier


def test_a_profile_without_a_known_gender_has_no_retirement_date():
    from types import SimpleNamespace

    from app.profiles.pages import statutory_retirement

    profile = SimpleNamespace(gender="", date_of_birth=date(1970, 1, 1), title_code=None)
    assert statutory_retirement(profile) is None  # type: ignore[arg-type]
    profile.gender = "female"
    assert statutory_retirement(profile).day == date(2027, 5, 31)  # type: ignore[arg-type, union-attr]
