"""The statutory retirement date (Labour Code 2019 art. 169; Decree 135/2020/NĐ-CP and its table
by month of birth). Pure functions, no database.

Under normal working conditions the age was 60 for men and 55 for women until 2020; from 2021 it
is 60 years 3 months for men and 55 years 4 months for women, and rises each calendar year by 3
months for men until 62 (reached in 2028) and by 4 months for women until 60 (reached in 2035).
The age that applies to a person is the one of the year in which they reach it, so the table
depends on the month of birth only: a woman born 06/1972 reaches 58 years 4 months in 10/2030.
The table's first rows are those whose 2021 age falls in 2021 (men born 10/1960 retire at 60
years 3 months in 01/2021); anyone born earlier kept the old age.

Retirement takes effect at the end of the last day of the month in which the age is reached
(Decree 135/2020/NĐ-CP): that day is the retirement date shown and compared.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

LEGAL_BASIS = "Bộ luật Lao động 2019, Điều 169; Nghị định 135/2020/NĐ-CP"


@dataclass(frozen=True)
class Schedule:
    before: int  # age in months for those who reached it by the end of 2020
    first: int  # age in months in 2021
    step: int  # months added each year after 2021
    final: int  # the age in months once the rise ends


SCHEDULES = {
    "male": Schedule(before=60 * 12, first=60 * 12 + 3, step=3, final=62 * 12),
    "female": Schedule(before=55 * 12, first=55 * 12 + 4, step=4, final=60 * 12),
}


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _end_of_month(index: int) -> date:
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, calendar.monthrange(year, month)[1])


def statutory_age_months(gender: str, date_of_birth: date) -> int:
    """The retirement age in months for a person of this gender born in this month.

    Raises KeyError for a gender without a schedule.
    """
    schedule = SCHEDULES[gender]
    born = _month_index(date_of_birth)
    if (born + schedule.first) // 12 <= 2020:  # reached the old age well before 2021
        return schedule.before
    year = 2021
    while True:
        age = min(schedule.first + schedule.step * (year - 2021), schedule.final)
        if (born + age) // 12 <= year or age == schedule.final:
            return age
        year += 1


def retirement_date(date_of_birth: date, age_months: int) -> date:
    """The last day of the month in which a person born on `date_of_birth` is `age_months` old."""
    index = _month_index(date_of_birth) + age_months
    if index // 12 > date.max.year:
        return date.max
    return _end_of_month(index)


def statutory_retirement_date(gender: str, date_of_birth: date) -> date:
    return retirement_date(date_of_birth, statutory_age_months(gender, date_of_birth))
