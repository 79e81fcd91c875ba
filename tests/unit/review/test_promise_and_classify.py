"""Promise dates from cut-off rules and the merchant's calendar (调休 included), and the
classification rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orderflow.review import classify, promise
from orderflow.review.config import ReviewConfig

SH = ZoneInfo("Asia/Shanghai")
CFG = ReviewConfig()  # cut-off 16:00, same day before it, next working day after, ship by 18:00


def at(text: str, zone: ZoneInfo = SH) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(("paid", "ships_by"), [
    # an ordinary Tuesday, before and after the cut-off
    ("2025-09-30 10:00", "2025-09-30 18:00"),
    ("2025-09-30 16:00", "2025-10-09 18:00"),  # after the cut-off: National Day week follows
    # inside the National Day holiday: the first working day after it
    ("2025-10-03 09:00", "2025-10-09 18:00"),
    # Sunday 2025-09-28 is a 调休 make-up working day: it ships that day
    ("2025-09-28 11:00", "2025-09-28 18:00"),
    ("2025-09-28 17:30", "2025-09-29 18:00"),
    # Saturday 2025-10-11 is also a make-up working day
    ("2025-10-10 20:00", "2025-10-11 18:00"),
    # an ordinary weekend: Monday
    ("2025-10-18 10:00", "2025-10-20 18:00"),
    # Spring Festival 2026: 02-15 … 02-23 off, 02-14 (Sat) and 02-28 (Sat) are working days
    ("2026-02-13 17:00", "2026-02-14 18:00"),
    ("2026-02-14 17:00", "2026-02-24 18:00"),
    ("2026-02-27 19:00", "2026-02-28 18:00"),
    # 2026-01-04 (Sun) is a make-up working day after New Year
    ("2026-01-03 12:00", "2026-01-04 18:00"),
    # paid just after midnight UTC is still the evening before in Shanghai
])
def test_ship_by_follows_the_cut_off_and_the_chinese_calendar(paid, ships_by):
    assert promise.ship_by(at(paid).astimezone(UTC), SH, CFG) == at(ships_by).astimezone(UTC)


def test_the_zone_decides_which_side_of_the_cut_off_an_order_falls():
    paid = datetime(2025, 9, 30, 7, 30, tzinfo=UTC)  # 15:30 in Shanghai, 08:30 in London

    assert promise.ship_by(paid, SH, CFG) == at("2025-09-30 18:00").astimezone(UTC)
    assert promise.ship_by(paid, ZoneInfo("Europe/London"),
                           CFG.model_copy(update={"calendar": "GB"})) == \
        at("2025-09-30 18:00", ZoneInfo("Europe/London")).astimezone(UTC)


@pytest.mark.parametrize(("calendar", "paid", "ships_by"), [
    ("US", "2025-07-03 17:00", "2025-07-07 18:00"),  # 4 July (Fri) then the weekend
    ("GB", "2025-12-24 17:00", "2025-12-29 18:00"),  # Christmas, Boxing Day, weekend
    ("", "2025-10-01 10:00", "2025-10-01 18:00"),  # no calendar: only weekends are off
])
def test_other_countries_use_the_holidays_package(calendar, paid, ships_by):
    cfg = CFG.model_copy(update={"calendar": calendar})

    assert promise.ship_by(at(paid).astimezone(UTC), SH, cfg) == at(ships_by).astimezone(UTC)


def test_the_merchants_own_closed_and_open_days_win():
    cfg = CFG.model_copy(update={"closed_days": ["2025-09-30"], "open_days": ["2025-10-04"]})

    assert promise.ship_by(at("2025-09-30 10:00").astimezone(UTC), SH, cfg) == \
        at("2025-10-04 18:00").astimezone(UTC)


def test_longer_promises_count_working_days_only():
    cfg = CFG.model_copy(update={"ship_days_before_cut_off": 1, "ship_days_after_cut_off": 2})

    assert promise.ship_by(at("2025-09-29 10:00").astimezone(UTC), SH, cfg) == \
        at("2025-09-30 18:00").astimezone(UTC)
    assert promise.ship_by(at("2025-09-29 17:00").astimezone(UTC), SH, cfg) == \
        at("2025-10-09 18:00").astimezone(UTC)


def test_years_the_state_council_has_not_announced_fall_back_to_weekends():
    assert promise.is_working_day(date(2031, 1, 6), CFG) is True  # a Monday
    assert promise.is_working_day(date(2031, 1, 5), CFG) is False  # a Sunday


@pytest.mark.parametrize(("orders", "spend", "expected"), [
    (0, 0, classify.CustomerType.NEW),
    (1, 5000, classify.CustomerType.RETURNING),
    (5, 5000, classify.CustomerType.VIP),
    (2, 300_000, classify.CustomerType.VIP),
])
def test_customer_type_comes_from_history(orders, spend, expected):
    assert classify.customer_type(orders, spend, CFG) is expected


NOW = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("service", "due_in", "kind", "expected"), [
    ("standard", timedelta(hours=30), classify.CustomerType.NEW, classify.Urgency.STANDARD),
    ("express", timedelta(hours=30), classify.CustomerType.NEW, classify.Urgency.EXPEDITED),
    ("standard", timedelta(hours=30), classify.CustomerType.VIP, classify.Urgency.EXPEDITED),
    ("standard", timedelta(hours=3), classify.CustomerType.NEW, classify.Urgency.EXPEDITED),
    ("presale", timedelta(hours=3), classify.CustomerType.NEW, classify.Urgency.DEFERRED),
])
def test_urgency_from_service_promise_and_vip(service, due_in, kind, expected):
    assert classify.urgency(service, NOW + due_in, NOW, kind, CFG) is expected


@pytest.mark.parametrize(("total", "paid", "refund", "cod", "expected"), [
    (1000, 0, 0, False, "unpaid"),
    (1000, 400, 0, False, "partial"),
    (1000, 1000, 0, False, "paid"),
    (1000, 0, 0, True, "cod"),
    (1000, 2000, 1000, False, "refund_due"),
])
def test_payment_status(total, paid, refund, cod, expected):
    assert classify.payment_status(total, paid, refund, cod).value == expected


def test_category_is_shared_or_mixed():
    assert classify.category(["tea", "tea", None]) == "tea"
    assert classify.category(["tea", "teaware"]) == "mixed"
    assert classify.category([None]) is None
