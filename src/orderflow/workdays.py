"""Working days: the ONE helper behind promise dates, delay estimates and notice timing.

One library: `holidays`. Its `China` calendar models 调休 (make-up Saturdays and
Sundays are `weekend_workdays`, `is_working_day()` is true on them) and agrees with
`chinese-calendar` on every day of 2024-2026 (checked in tests against the State
Council's 2026 notice), so `chinese-calendar` is no longer used.

A year whose arrangement is not announced yet (China: a year with no make-up working
day in the data, i.e. the State Council notice is not out or not in the installed
`holidays`) is *guessed* by the library; `announced()` says so, and the dashboard
flags it. The merchant's single-day overrides (`open_days`, `closed_days`) win over
the calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays as holiday_lib


@cache
def _country(country: str, year: int) -> holiday_lib.HolidayBase:
    return holiday_lib.country_holidays(country, years=year)


@cache
def calendar_working(day: date, country: str) -> bool:
    """The calendar's answer (no overrides), cached per day and country."""
    if not country:
        return day.weekday() < 5
    cal = _country(country, day.year)
    if day in getattr(cal, "weekend_workdays", ()):
        return True
    return day.weekday() < 5 and day not in cal


@cache
def announced(country: str, year: int) -> bool:
    """False when the calendar only guesses this year (China: no 调休 known for it)."""
    if country != "CN":
        return True
    cal = _country(country, year)
    return any(d.year == year for d in getattr(cal, "weekend_workdays", ()))


def holiday_name(day: date, country: str, language: str = "en") -> str | None:
    if not country:
        return None
    lang = "zh_CN" if language == "zh-CN" else "en_US"
    try:
        cal = holiday_lib.country_holidays(country, years=day.year, language=lang)
    except (NotImplementedError, KeyError):  # a country without that language
        cal = _country(country, day.year)
    return cal.get(day)


@dataclass(frozen=True)
class Calendar:
    """A country's calendar with the merchant's own open and closed days."""

    country: str = "CN"
    open_days: frozenset[str] = frozenset()
    closed_days: frozenset[str] = frozenset()

    @classmethod
    def of(cls, country: str | None, open_days: Iterable[str] = (),
           closed_days: Iterable[str] = ()) -> Calendar:
        return cls((country or "").upper(), frozenset(open_days), frozenset(closed_days))

    def is_working_day(self, day: date) -> bool:
        iso = day.isoformat()
        if iso in self.open_days:
            return True
        if iso in self.closed_days:
            return False
        return calendar_working(day, self.country)

    def is_day_off(self, day: date) -> bool:
        return not self.is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first one after it."""
        for _ in range(60):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        day = self.next_working_day(day)
        for _ in range(count):
            day = self.next_working_day(day + timedelta(days=1))
        return day

    def announced(self, year: int) -> bool:
        return announced(self.country, year)
