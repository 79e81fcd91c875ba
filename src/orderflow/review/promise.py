"""Promise dates: the ship-by time an order gets from the merchant's cut-off rules.

Paid before the cut-off (merchant's zone) on a working day: ships within
`ship_days_before_cut_off` working days (0 = the same day); after it, within
`ship_days_after_cut_off`. An order paid on a day off counts as paid before the
cut-off of the next working day. Working days come from chinese-calendar for CN
(调休 make-up Saturdays and Sundays are working days), from `holidays` for other
countries, and the merchant's own closed/open days win over both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays as holiday_lib

from orderflow.review.config import ReviewConfig


def is_working_day(day: date, cfg: ReviewConfig) -> bool:
    iso = day.isoformat()
    if iso in cfg.open_days:
        return True
    if iso in cfg.closed_days:
        return False
    return _calendar_working(day, cfg.calendar)


@cache
def _calendar_working(day: date, calendar: str) -> bool:
    if calendar == "CN":
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the State Council has not announced yet
            return day.weekday() < 5
    if day.weekday() >= 5:
        return False
    if not calendar:
        return True
    return day not in _country(calendar, day.year)


@cache
def _country(calendar: str, year: int) -> holiday_lib.HolidayBase:
    return holiday_lib.country_holidays(calendar, years=year)


def next_working_day(day: date, cfg: ReviewConfig) -> date:
    """`day` itself when it is a working day, else the first one after it."""
    for _ in range(60):
        if is_working_day(day, cfg):
            return day
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int, cfg: ReviewConfig) -> date:
    day = next_working_day(day, cfg)
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1), cfg)
    return day


def ship_by(paid_at: datetime, zone: ZoneInfo, cfg: ReviewConfig) -> datetime:
    """The promised ship-by moment (UTC) for an order paid (or COD-confirmed) at `paid_at`."""
    local = paid_at.astimezone(zone)
    cut_off = time.fromisoformat(cfg.cut_off)
    day = local.date()
    if not is_working_day(day, cfg) or local.time() < cut_off:
        days = cfg.ship_days_before_cut_off
    else:
        days = cfg.ship_days_after_cut_off
    ship_day = add_working_days(day, days, cfg)
    ship_time = time.fromisoformat(cfg.ship_by_time)
    promised = datetime.combine(ship_day, ship_time, zone).astimezone(UTC)
    while promised <= paid_at:  # a ship-by time before the cut-off: never promise the past
        ship_day = next_working_day(ship_day + timedelta(days=1), cfg)
        promised = datetime.combine(ship_day, ship_time, zone).astimezone(UTC)
    return promised
