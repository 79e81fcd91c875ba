"""When a notice may go out: quiet hours per channel (and per milestone) in the
merchant's zone, days off from the one working-day helper, and the coalescing window.

A notice inside quiet hours is held until the window opens, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from orderflow import clock
from orderflow.workdays import Calendar


@dataclass(frozen=True)
class Window:
    """Quiet from `start` to `end` local time; end before start spans midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> Window:
        return cls(time.fromisoformat(start), time.fromisoformat(end))

    def contains(self, t: time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


def is_day_off(day: date, calendar: Calendar | None) -> bool:
    """A day off by the calendar (weekends, holidays; 调休 make-up days are working days)."""
    return calendar is not None and calendar.is_day_off(day)


def next_allowed(at: datetime, zone: ZoneInfo, quiet: Window | None, *,
                 holiday_quiet: Window | None = None,
                 calendar: Calendar | None = None) -> datetime:
    """The first moment at or after `at` outside the quiet window that applies that day."""
    local = clock.as_utc(at).astimezone(zone)
    for _ in range(400):  # a long holiday run is still bounded
        window = holiday_quiet if holiday_quiet and is_day_off(local.date(), calendar) else quiet
        if window is None or not window.contains(local.time()):
            return local.astimezone(clock.as_utc(at).tzinfo)
        end_day = local.date() if local.time() < window.end else local.date() + timedelta(days=1)
        local = datetime.combine(end_day, window.end, tzinfo=zone)
    return local.astimezone(clock.as_utc(at).tzinfo)
