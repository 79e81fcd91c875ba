"""Time: stored in UTC, shown in the merchant's zone.

`utcnow()` is the application's clock: the process clock plus an offset. Tests and
benchmarks move the application's clock (`set_now`, `advance`, `reset`) rather than the
process's, because a faked process clock (libfaketime) makes timed waits hang. The
offset keeps time flowing from the chosen instant, so leases and timeouts still expire.
A server process started for a test or a benchmark takes its starting instant from the
`clock_at` setting (see `start_at`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def set_now(instant: datetime) -> None:
    """Move the application's clock so that it reads `instant` now and keeps running."""
    global _offset
    if instant.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware UTC instant")
    _offset = instant - datetime.now(UTC)


def advance(delta: timedelta) -> None:
    """Move the application's clock forward (or back, with a negative delta)."""
    global _offset
    _offset += delta


def reset() -> None:
    """Back to the process clock."""
    global _offset
    _offset = timedelta(0)


def start_at(value: str | None) -> None:
    """A server or worker process started for a test or a benchmark: its clock starts at
    `value` (the `clock_at` setting, an ISO instant with a zone); None leaves it alone."""
    if value:
        set_now(parse_instant(value))


def offset() -> timedelta:
    return _offset


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant with a zone (`2026-12-07T06:30:00Z`), as UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no zone; write it as 2026-12-07T06:30:00Z")
    return parsed.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes coming back from SQLite are UTC by construction."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return as_utc(value).astimezone(zone)
