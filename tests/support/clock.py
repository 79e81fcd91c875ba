"""The application's clock for processes a test starts (servers, workers)."""

from __future__ import annotations

from orderflow import clock


def clock_env() -> dict[str, str]:
    """Environment for a server or worker started as a subprocess: its application clock
    starts where the test's reads now (the `clock_at` setting, honoured in test mode)."""
    return {"ORDERFLOW_TEST_MODE": "1",
            "ORDERFLOW_CLOCK_AT": clock.utcnow().isoformat(timespec="microseconds")}


# Moments that tests needing a particular time of day set themselves (Asia/Shanghai = UTC+8).
WORKING_MORNING = clock.parse_instant("2026-12-07T01:00:00Z")  # Monday 09:00: a promise of
# 18:00 today is 9 hours off, so an order paid now is "standard", not "expedited"
WORKING_AFTERNOON = clock.parse_instant("2026-12-07T06:30:00Z")  # Monday 14:30: before the
# 16:00 cut-off, 3.5 hours before the 18:00 ship-by: within the 4 hours that expedite


def at_working_morning() -> None:
    """A test about a 'standard' order: run at a working-day morning (see WORKING_MORNING)."""
    clock.set_now(WORKING_MORNING)
