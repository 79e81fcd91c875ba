"""The one working-day helper against the State Council's 2026 arrangement (the notice
DOMAIN-CN.md §5.8 cites, [S64]): every day off, every 调休 make-up day, and the first
working day after each holiday; promise dates and notice timing give the same answers."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from orderflow import workdays
from orderflow.config import Settings
from orderflow.notify import fanout, prefs
from orderflow.review import promise
from orderflow.review.config import ReviewConfig

OFF_2026 = [  # (first, last) day off, weekends inside included
    ("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]
MAKE_UP_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                "2026-10-10"]
BACK_TO_WORK_2026 = ["2026-01-05", "2026-02-24", "2026-04-07", "2026-05-06", "2026-06-22",
                     "2026-09-28", "2026-10-08"]
CN = workdays.Calendar.of("CN")


def _days(first: str, last: str) -> list[date]:
    day, end, out = date.fromisoformat(first), date.fromisoformat(last), []
    while day <= end:
        out.append(day)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize(("first", "last"), OFF_2026)
def test_every_day_of_a_2026_holiday_is_a_day_off(first, last):
    assert [d for d in _days(first, last) if CN.is_working_day(d)] == []


@pytest.mark.parametrize("day", MAKE_UP_2026)
def test_every_2026_make_up_weekend_day_is_a_working_day(day):
    assert date.fromisoformat(day).weekday() >= 5
    assert CN.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", BACK_TO_WORK_2026)
def test_the_day_after_each_holiday_is_a_working_day(day):
    assert CN.is_working_day(date.fromisoformat(day))


def test_the_rest_of_2026_is_monday_to_friday():
    special = {d for f, lst in OFF_2026 for d in _days(f, lst)} | {
        date.fromisoformat(d) for d in MAKE_UP_2026}
    wrong = [d for d in _days("2026-01-01", "2026-12-31")
             if d not in special and CN.is_working_day(d) != (d.weekday() < 5)]
    assert wrong == []


def test_holidays_models_tiaoxiu_itself():
    cn = holidays.China(years=2026)
    assert {d.isoformat() for d in cn.weekend_workdays if d.year == 2026} == set(MAKE_UP_2026)
    assert cn.is_working_day(date(2026, 2, 14)) and not cn.is_working_day(date(2026, 2, 16))


def test_a_year_not_announced_yet_is_flagged():
    assert workdays.announced("CN", 2026) is True
    assert workdays.announced("CN", 2027) is False  # holidays 0.109 only guesses 2027
    assert workdays.announced("US", 2027) is True


def test_the_merchant_overrides_single_days():
    cal = workdays.Calendar.of("CN", open_days=["2026-10-06"], closed_days=["2026-12-08"])
    assert cal.is_working_day(date(2026, 10, 6)) and not cal.is_working_day(date(2026, 12, 8))
    assert cal.next_working_day(date(2026, 12, 8)) == date(2026, 12, 9)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 6)


def test_promise_dates_and_notice_timing_use_the_same_calendar():
    cfg = ReviewConfig(closed_days=["2026-12-08"], open_days=["2026-10-06"])
    notice = fanout.notice_calendar(prefs.NotifyPrefs(dict(prefs.DEFAULTS)),
                                    Settings(database_url="sqlite://", secret_key="k"), cfg)
    assert notice is not None
    year = _days("2026-01-01", "2026-12-31")
    assert [promise.is_working_day(d, cfg) for d in year] == [notice.is_working_day(d)
                                                               for d in year]
    assert workdays.calendar_working.cache_info().hits > 0  # cached per day and country


def test_the_notice_calendar_defaults_to_the_merchant_s_country():
    np = prefs.NotifyPrefs(dict(prefs.DEFAULTS))
    us = fanout.notice_calendar(np, Settings(database_url="sqlite://", secret_key="k",
                                             default_country="US"), ReviewConfig())
    assert us is not None and us.country == "US"
    assert us.is_day_off(date(2026, 7, 3))  # Independence Day observed
    np.values["holiday_calendar"] = "-"
    assert fanout.notice_calendar(np, Settings(database_url="sqlite://", secret_key="k"),
                                  ReviewConfig()) is None
