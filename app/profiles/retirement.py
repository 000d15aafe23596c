"""The statutory retirement date (Labour Code 2019 art. 169; Decree 135/2020/NĐ-CP and its table
by month of birth). The schedule is data (app/profiles/retirement.yaml), loaded and checked by
`load_rules`; the computation is pure, no database.

Under normal working conditions the age in a calendar year Y is `before` (60 for men, 55 for
women) until 2020, then min(first + step * (Y - 2021), final): 60 years 3 months for men in 2021
rising 3 months a year to 62 (reached in 2028), 55 years 4 months for women rising 4 months a year
to 60 (reached in 2035). A person retires at the age that applies in the year in which they reach
it, so the age depends on the month of birth only: the first year Y in which the person reaches
the age of Y, taken in order from the year they reached `before`. Because the age rises by less
than 12 months a year, that first year is exactly the year they reach it, and a person who reached
the old age by the end of 2020 kept it (men born up to 12/1960, women up to 12/1965).

Checked against Appendix I of Decree 135/2020 (as reproduced by nld.com.vn, 26/11/2020, and
soha.vn, 19/09/2025; month of birth -> age, month of retirement):
  men   01/1961 -> 60y3m, 04/2021;  09/1961 -> 60y3m, 12/2021 (last of the 2021 row);
        10/1961 -> 60y6m, 04/2022 (first of the 2022 row);  01/1963 -> 60y9m, 10/2023;
        03/1963 -> 60y9m, 12/2023;  04/1963 -> 61y, 04/2024;  12/1963 -> 61y, 12/2024;
        01/1964 -> 61y3m, 04/2025;  09/1964 -> 61y3m, 12/2025;  10/1964 -> 61y6m, 04/2026;
        05/1965 -> 61y6m, 11/2026;  04/1966 -> 62y, 04/2028 (first of "from 2028 on").
  women 01/1966 -> 55y4m, 05/2021;  08/1966 -> 55y4m, 12/2021;  09/1966 -> 55y8m, 05/2022;
        01/1968 -> 56y4m, 05/2024;  08/1968 -> 56y4m, 12/2024;  09/1968 -> 56y8m, 05/2025;
        04/1969 -> 56y8m, 12/2025;  05/1969 -> 57y, 05/2026;  12/1969 -> 57y, 12/2026;
        01/1970 -> 57y4m, 05/2027;  05/1975 -> 60y, 05/2035 (first of "from 2035 on").
tests/test_retirement.py holds these rows, and the whole table by year (`table`, the first and
last month of birth of each year's row, as Appendix I lays it out; `flask profiles
retirement-table` prints it).

Retirement takes effect at the end of the last day of the month in which the age is reached
(Decree 135/2020/NĐ-CP, art. 3): that day is the retirement date shown and compared; the pension
starts the next day.

Exceptions (earlier or later retirement, at most 5 years either way: Labour Code 2019 art. 169(3),
(4); Decree 135/2020 art. 5, 6) are configured per title code in the YAML and move the age in
force in the year of retirement by a number of months, the way Appendix II builds the earlier
ages (e.g. men with 60 months earlier: 55y3m in 2021 for those born 01/1966-09/1966).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).with_name("retirement.yaml")
GENDERS = ("male", "female")
MAX_EXCEPTION_MONTHS = 60  # Labour Code 2019 art. 169(3), (4): "không quá 05 tuổi"


class RetirementConfigError(ValueError):
    """retirement.yaml is malformed; the message names the file and each wrong field."""


@dataclass(frozen=True)
class Schedule:
    """The retirement age of one gender, in months of age."""

    before: int  # until the end of the year before start_year
    first: int  # in start_year
    step: int  # added each year after start_year
    final: int  # once the rise ends

    def age_in(self, year: int, start_year: int) -> int:
        """The age (in months) that applies to those who reach it in `year`."""
        if year < start_year:
            return self.before
        return min(self.first + self.step * (year - start_year), self.final)


@dataclass(frozen=True)
class RetirementException:
    """Earlier (months < 0) or later (months > 0) retirement for the holders of some titles."""

    key: str
    label: str
    titles: tuple[str, ...]
    months: int
    legal_basis: str


@dataclass(frozen=True)
class RetirementRules:
    legal_basis: str
    effective_from: date
    start_year: int
    schedules: dict[str, Schedule]
    exceptions: tuple[RetirementException, ...] = ()

    def exception_for(self, title_code: str | None) -> RetirementException | None:
        """The exception that applies to the holder of `title_code`, if any."""
        if not title_code:
            return None
        return next((e for e in self.exceptions if title_code in e.titles), None)


@dataclass(frozen=True)
class Retirement:
    """When a person retires: the day (the last of the month the age is reached), the age in
    months, and the exception applied, if any."""

    day: date
    age_months: int
    exception: RetirementException | None = None


# --- loading -----------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, field: str, message: str) -> None:
        self.items.append(f"{field}: {message}")

    def text(self, data: dict, field: str) -> str:
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            self.add(field, "must be a non-empty text")
            return ""
        return value.strip()

    def integer(self, data: dict, field: str, low: int, high: int, path: str = "") -> int:
        value = data.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.add(path + field, f"must be a whole number from {low} to {high}")
            return 0
        return value

    def age(self, data: dict, field: str, path: str) -> int:
        value = data.get(field)
        if not isinstance(value, dict) or set(value) - {"years", "months"} or "years" not in value:
            self.add(path + field, "must be {years: N, months: N}")
            return 0
        years = self.integer(value, "years", 15, 100, f"{path}{field}.")
        months = self.integer(value, "months", 0, 11, f"{path}{field}.") if "months" in value else 0
        return years * 12 + months


def _schedule(p: _Problems, gender: str, data) -> Schedule:
    path = f"schedules.{gender}."
    if not isinstance(data, dict):
        p.add(path[:-1], "must be a mapping with before, first, step_months and final")
        return Schedule(0, 0, 0, 0)
    for key in set(data) - {"before", "first", "step_months", "final"}:
        p.add(path + str(key), "unknown field (before, first, step_months, final)")
    schedule = Schedule(
        before=p.age(data, "before", path),
        first=p.age(data, "first", path),
        step=p.integer(data, "step_months", 1, 11, path),
        final=p.age(data, "final", path),
    )
    if schedule.final and not schedule.before <= schedule.first <= schedule.final:
        p.add(path[:-1], "ages must rise: before <= first <= final")
    return schedule


def _exception(p: _Problems, i: int, data, seen: set[str]) -> RetirementException | None:
    path = f"exceptions[{i}]."
    if not isinstance(data, dict):
        p.add(path[:-1], "must be a mapping with key, label, titles, months and legal_basis")
        return None
    for key in set(data) - {"key", "label", "titles", "months", "legal_basis"}:
        p.add(path + str(key), "unknown field (key, label, titles, months, legal_basis)")
    key, label, basis = (p.text(data, k) for k in ("key", "label", "legal_basis"))
    if key in seen:
        p.add(path + "key", f"{key} is used twice")
    seen.add(key)
    titles = data.get("titles")
    if not isinstance(titles, list) or not titles or not all(isinstance(t, str) and t for t in titles):
        p.add(path + "titles", "must be a non-empty list of title codes")
        titles = []
    months = p.integer(data, "months", -MAX_EXCEPTION_MONTHS, MAX_EXCEPTION_MONTHS, path)
    if data.get("months") == 0:
        p.add(path + "months", "must not be 0 (an exception moves the age)")
    return RetirementException(key, label, tuple(titles), months, basis)


def parse_rules(data, source: str = "retirement rules") -> RetirementRules:
    """Check and build the rules from parsed YAML. Raises RetirementConfigError listing every
    problem by field path."""
    p = _Problems()
    if not isinstance(data, dict):
        raise RetirementConfigError(f"{source}: must be a mapping")
    known = {"legal_basis", "effective_from", "start_year", "schedules", "exceptions"}
    for key in set(data) - known:
        p.add(str(key), "unknown field")
    basis = p.text(data, "legal_basis")
    effective = data.get("effective_from")
    if not isinstance(effective, date):
        p.add("effective_from", "must be a date (YYYY-MM-DD)")
    start_year = p.integer(data, "start_year", 1900, 2200)
    raw = data.get("schedules")
    schedules = {}
    if not isinstance(raw, dict) or set(raw) != set(GENDERS):
        p.add("schedules", "must give exactly male and female")
    else:
        schedules = {g: _schedule(p, g, raw[g]) for g in GENDERS}
    raw_exceptions = data.get("exceptions", [])
    if not isinstance(raw_exceptions, list):
        p.add("exceptions", "must be a list")
        raw_exceptions = []
    seen: set[str] = set()
    built = [_exception(p, i, item, seen) for i, item in enumerate(raw_exceptions)]
    exceptions = tuple(e for e in built if e is not None)
    claimed: dict[str, str] = {}
    for e in exceptions:
        for title in e.titles:
            if title in claimed:
                p.add(f"exceptions.{e.key}.titles", f"{title} is already in {claimed[title]}")
            claimed.setdefault(title, e.key)
    if p.items:
        raise RetirementConfigError(f"{source}:\n  " + "\n  ".join(p.items))
    return RetirementRules(basis, effective, start_year, schedules, exceptions)


def load_rules(path: Path = RULES_FILE) -> RetirementRules:
    """The rules in `path`. Raises RetirementConfigError naming the file and each wrong field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RetirementConfigError(f"{path}: {error}") from error
    return parse_rules(data, str(path))


@functools.cache
def shipped_rules() -> RetirementRules:
    """The rules shipped in app/profiles/retirement.yaml, read once."""
    return load_rules()


# --- computing ---------------------------------------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _end_of_month(index: int) -> date:
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, calendar.monthrange(year, month)[1])


def statutory_age_months(
    gender: str, date_of_birth: date, rules: RetirementRules | None = None, adjust: int = 0
) -> int:
    """The retirement age in months for a person of this gender born in this month, moved by
    `adjust` months (an exception) from the age in force in the year of retirement.

    Raises KeyError for a gender without a schedule.
    """
    rules = rules or shipped_rules()
    schedule = rules.schedules[gender]
    born = _month_index(date_of_birth)
    year = min((born + schedule.before + adjust) // 12, rules.start_year)
    while True:
        age = schedule.age_in(year, rules.start_year) + adjust
        if (born + age) // 12 <= year or (year >= rules.start_year and age == schedule.final + adjust):
            return age
        year += 1


def retirement_date(date_of_birth: date, age_months: int) -> date:
    """The last day of the month in which a person born on `date_of_birth` is `age_months` old."""
    index = _month_index(date_of_birth) + age_months
    if index // 12 > date.max.year:
        return date.max
    return _end_of_month(index)


def retirement_of(
    gender: str, date_of_birth: date, title_code: str | None = None, rules: RetirementRules | None = None
) -> Retirement:
    """When a person of this gender, born on this day and holding this title, retires by the
    schedule and its exceptions. Raises KeyError for a gender without a schedule."""
    rules = rules or shipped_rules()
    exception = rules.exception_for(title_code)
    age = statutory_age_months(gender, date_of_birth, rules, exception.months if exception else 0)
    return Retirement(retirement_date(date_of_birth, age), age, exception)


def statutory_retirement_date(gender: str, date_of_birth: date) -> date:
    """The retirement date under normal working conditions (no exception)."""
    return retirement_of(gender, date_of_birth).day


@dataclass(frozen=True)
class TableRow:
    """One row of the table by month of birth (Decree 135/2020, Appendix I): the people born from
    `born_from` to `born_to` (months; None: and later) retire in `year` at `age_months`."""

    year: int
    age_months: int
    born_from: date
    born_to: date | None


def table(gender: str, rules: RetirementRules | None = None) -> list[TableRow]:
    """The schedule as Appendix I of Decree 135/2020 lays it out, a row per year from start_year
    until the final age, computed from the same rule as every retirement date (so the two cannot
    disagree). Raises KeyError for a gender without a schedule."""
    rules = rules or shipped_rules()
    schedule = rules.schedules[gender]
    month = _first_of(rules.start_year * 12 - schedule.before)  # the first to reach it in start_year
    rows: list[TableRow] = []
    while True:
        found = retirement_of(gender, month, rules=rules)
        if found.age_months == schedule.final:
            rows.append(TableRow(found.day.year, found.age_months, month, None))
            return rows
        last = month
        while (
            retirement_of(gender, _first_of(_month_index(last) + 1), rules=rules).day.year == found.day.year
        ):
            last = _first_of(_month_index(last) + 1)
        rows.append(TableRow(found.day.year, found.age_months, month, last))
        month = _first_of(_month_index(last) + 1)


def _first_of(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)
