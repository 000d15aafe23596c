"""The app's clock as tests set it: the calendar alone, or every clock at one moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app import clock as app_clock
from app.clock import local_today
from app.models.base import utcnow


def test_set_today_moves_the_calendar_and_leaves_the_time_running(clock):
    clock.set_today(date(2030, 1, 31))
    assert local_today() == clock.today == date(2030, 1, 31)
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(minutes=1)


def test_set_now_stops_every_clock_and_today_is_vietnams(clock):
    moment = datetime(2030, 1, 31, 17, 30, tzinfo=UTC)  # half past midnight on 1 February in Hà Nội
    clock.set_now(moment)
    assert utcnow() == clock.now == moment
    assert local_today() == date(2030, 2, 1)
    clock.set_now(date(2030, 3, 1))  # a day: its noon in Vietnam
    assert utcnow() == datetime(2030, 3, 1, 5, tzinfo=UTC) and local_today() == date(2030, 3, 1)


def test_a_moment_without_a_time_zone_is_refused():
    with pytest.raises(ValueError):
        app_clock.set_now(datetime(2030, 1, 1, 12))
