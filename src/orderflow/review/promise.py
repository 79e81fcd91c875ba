"""Promise dates: the ship-by time an order gets from the merchant's cut-off rules.

Paid before the cut-off (merchant's zone) on a working day: ships within
`ship_days_before_cut_off` working days (0 = the same day); after it, within
`ship_days_after_cut_off`. An order paid on a day off counts as paid before the
cut-off of the next working day. Working days come from the one working-day helper
(`orderflow.workdays`: `holidays`, 调休 included), and the merchant's own closed/open
days win over it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from orderflow.review.config import ReviewConfig
from orderflow.workdays import Calendar


def calendar_of(cfg: ReviewConfig) -> Calendar:
    return Calendar.of(cfg.calendar, cfg.open_days, cfg.closed_days)


def is_working_day(day: date, cfg: ReviewConfig) -> bool:
    return calendar_of(cfg).is_working_day(day)


def next_working_day(day: date, cfg: ReviewConfig) -> date:
    """`day` itself when it is a working day, else the first one after it."""
    return calendar_of(cfg).next_working_day(day)


def add_working_days(day: date, count: int, cfg: ReviewConfig) -> date:
    return calendar_of(cfg).add_working_days(day, count)


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


def next_estimate(now: datetime, zone: ZoneInfo, cfg: ReviewConfig) -> datetime:
    """A late order's new ship-by: the next working day's ship-by time (never blank)."""
    day = now.astimezone(zone).date()
    ship_day = add_working_days(day, 1, cfg)
    return datetime.combine(ship_day, time.fromisoformat(cfg.ship_by_time), zone).astimezone(UTC)
