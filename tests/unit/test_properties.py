"""Properties of the pure rules that read the clock or money: quiet-hours windows (across
midnight too), promise dates (never before payment, always a working day) and exact money
round-trips. Hypothesis profiles: see tests/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from orderflow import money
from orderflow.notify.timing import Window, next_allowed
from orderflow.review import promise
from orderflow.review.config import ReviewConfig

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("UTC"), ZoneInfo("America/New_York")]
minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
# hypothesis takes naive bounds and attaches the zone; chinese-calendar knows 2004-2026
instants = st.datetimes(min_value=datetime(2024, 1, 1),  # noqa: DTZ001
                        max_value=datetime(2026, 12, 31, 23, 59),  # noqa: DTZ001
                        timezones=st.just(UTC))


# --- quiet hours ---------------------------------------------------------------------------


@given(start=minutes, end=minutes, at=instants, zone=st.sampled_from(ZONES))
def test_a_notice_goes_at_the_first_moment_outside_quiet_hours(
        start: time, end: time, at: datetime, zone: ZoneInfo) -> None:
    assume(start != end)
    window = Window(start, end)

    allowed = next_allowed(at, zone, window)

    assert allowed >= at  # held, never sent early, never dropped
    local = allowed.astimezone(zone)
    assert not window.contains(local.time()), (window, at, local)
    if not window.contains(at.astimezone(zone).time()):
        assert allowed == at
    else:  # held until the window ends, within a day (DST may add an hour)
        assert allowed - at <= timedelta(hours=25)
        assert local.time().replace(second=0, microsecond=0) in (end, _hour_later(end))


def _hour_later(t: time) -> time:
    return (datetime.combine(datetime(2026, 1, 1, tzinfo=UTC), t) + timedelta(hours=1)).time()


@given(at=instants, start_hour=st.integers(18, 23), end_hour=st.integers(0, 9))
def test_a_window_across_midnight_holds_both_sides_of_it(
        at: datetime, start_hour: int, end_hour: int) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    window = Window(time(start_hour), time(end_hour))
    local = at.astimezone(zone)

    allowed = next_allowed(at, zone, window).astimezone(zone)

    quiet = local.hour >= start_hour or local.hour < end_hour
    if quiet:
        opens_on = local.date() + timedelta(days=1 if local.hour >= start_hour else 0)
        assert (allowed.date(), allowed.time()) == (opens_on, time(end_hour))
    else:
        assert allowed == local


# --- promise dates -------------------------------------------------------------------------

configs = st.builds(
    ReviewConfig,
    cut_off=st.sampled_from(["09:00", "12:00", "16:00", "17:30", "20:00", "23:59"]),
    ship_by_time=st.sampled_from(["10:00", "18:00", "20:00", "23:00"]),
    ship_days_before_cut_off=st.integers(0, 3),
    ship_days_after_cut_off=st.integers(0, 3),
    calendar=st.sampled_from(["CN", "US", ""]),
)


@given(paid_at=instants, cfg=configs)
def test_a_promise_is_never_before_payment_and_always_on_a_working_day(
        paid_at: datetime, cfg: ReviewConfig) -> None:
    zone = ZoneInfo("Asia/Shanghai")

    ship_by = promise.ship_by(paid_at, zone, cfg)

    assert ship_by > paid_at, (paid_at.astimezone(zone), ship_by.astimezone(zone))
    local = ship_by.astimezone(zone)
    assert promise.is_working_day(local.date(), cfg), local
    assert local.time() == time.fromisoformat(cfg.ship_by_time)


def test_a_ship_by_time_before_the_cut_off_promises_the_next_working_day_not_the_past() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    cfg = ReviewConfig(cut_off="20:00", ship_by_time="18:00")
    paid_at = datetime(2026, 12, 11, 19, 0, tzinfo=zone)  # a Friday, before the cut-off

    ship_by = promise.ship_by(paid_at, zone, cfg).astimezone(zone)

    assert (ship_by.date().isoformat(), ship_by.hour) == ("2026-12-14", 18)  # Monday


@given(paid_at=instants)
def test_the_default_promise_ships_today_before_the_cut_off_and_next_working_day_after(
        paid_at: datetime) -> None:
    zone, cfg = ZoneInfo("Asia/Shanghai"), ReviewConfig()
    local = paid_at.astimezone(zone)

    ship_day = promise.ship_by(paid_at, zone, cfg).astimezone(zone).date()

    working = promise.is_working_day(local.date(), cfg)
    if working and local.time() < time(16):
        assert ship_day == local.date()
    else:  # the first working day after today (or today's first working day off a weekend)
        first = promise.next_working_day(local.date() + timedelta(days=1 if working else 0), cfg)
        assert ship_day == first
    assert promise.is_working_day(ship_day, cfg)


# --- money -----------------------------------------------------------------------------------

CURRENCIES = ["CNY", "USD", "JPY", "KWD", "EUR", "HKD"]


# At most 15 whole digits on the wire (money.py), so below 10**15 in any currency.
@given(minor=st.integers(-(10**15 - 1), 10**15 - 1), currency=st.sampled_from(CURRENCIES))
def test_minor_units_round_trip_through_the_wire_format(minor: int, currency: str) -> None:
    text = money.to_str(minor, currency)

    assert money.to_minor(text, currency) == minor
    assert money.to_decimal(minor, currency) == Decimal(text)
    assert len(text.partition(".")[2]) == money.digits(currency)


@given(minor=st.integers(0, 10**12), extra=st.integers(1, 9), currency=st.sampled_from(CURRENCIES))
def test_an_amount_with_more_decimals_than_the_currency_has_is_refused(
        minor: int, extra: int, currency: str) -> None:
    text = money.to_str(minor, currency)
    finer = f"{text}{extra}" if "." in text else f"{text}.{extra}"

    with pytest.raises(money.MoneyError, match="more decimals"):
        money.to_minor(finer, currency)


@given(amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
       currency=st.sampled_from(["CNY", "USD", "EUR", "HKD"]))
def test_two_decimal_amounts_become_exact_minor_units(amount: Decimal, currency: str) -> None:
    assert money.to_minor(str(amount), currency) == int(amount * 100)
    assert Decimal(money.to_str(money.to_minor(str(amount), currency), currency)) == amount
