"""Rate arithmetic, cut-off/promise dates and carrier selection, table-driven."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from orderflow.shipping import rules
from orderflow.shipping.rules import Demand, Offer, Rate

CHINA = timezone(timedelta(hours=8))
MORNING = datetime(2026, 12, 3, 9, 0, tzinfo=CHINA)
EVENING = datetime(2026, 12, 3, 19, 0, tzinfo=CHINA)


@pytest.mark.parametrize(
    ("weight_g", "first_g", "unit_g", "first", "extra", "billable", "price"),
    [
        (0, 1000, 1000, 800, 200, 1000, 800),
        (1, 1000, 1000, 800, 200, 1000, 800),
        (1000, 1000, 1000, 800, 200, 1000, 800),
        (1001, 1000, 1000, 800, 200, 2000, 1000),
        (2000, 1000, 1000, 800, 200, 2000, 1000),
        (2001, 1000, 1000, 800, 200, 3000, 1200),
        (1001, 1000, 500, 1300, 200, 1500, 1500),
        (1500, 1000, 500, 1300, 200, 1500, 1500),
        (1501, 1000, 500, 1300, 200, 2000, 1700),
        (12340, 500, 500, 12000, 3000, 12500, 12000 + 24 * 3000),
        (350, 500, 500, 1800, 500, 500, 1800),
    ],
)
def test_first_weight_plus_started_extra_units(
    weight_g: int, first_g: int, unit_g: int, first: int, extra: int, billable: int, price: int
) -> None:
    assert rules.billable_weight_g(weight_g, first_g, unit_g) == billable
    assert rules.price_minor(Rate(first_g, first, unit_g, extra), weight_g) == price


def test_negative_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rules.price_minor(Rate(1000, 800, 1000, 200), -1)


@pytest.mark.parametrize(
    ("now", "cutoff", "transit", "leaves", "arrives"),
    [
        (datetime(2026, 12, 3, 9, 0, tzinfo=CHINA), time(17, 0), 2, date(2026, 12, 3),
         date(2026, 12, 5)),
        (datetime(2026, 12, 3, 16, 59, tzinfo=CHINA), time(17, 0), 2, date(2026, 12, 3),
         date(2026, 12, 5)),
        (datetime(2026, 12, 3, 17, 0, tzinfo=CHINA), time(17, 0), 2, date(2026, 12, 4),
         date(2026, 12, 6)),
        (datetime(2026, 12, 3, 23, 30, tzinfo=CHINA), time(17, 0), 0, date(2026, 12, 4),
         date(2026, 12, 4)),
        (datetime(2026, 12, 31, 18, 0, tzinfo=CHINA), time(16, 30), 3, date(2027, 1, 1),
         date(2027, 1, 4)),
        (datetime(2026, 12, 3, 10, 59, tzinfo=CHINA), time(11, 0), 0, date(2026, 12, 3),
         date(2026, 12, 3)),
    ],
)
def test_cut_off_decides_the_ship_day_and_transit_the_delivery_day(
    now: datetime, cutoff: time, transit: int, leaves: date, arrives: date
) -> None:
    shipped = rules.ship_date(now, cutoff)

    assert shipped == leaves
    assert rules.delivery_date(shipped, transit) == arrives


def offer(code: str, level: str, first: int, days: int, *, cutoff: time = time(17, 0),
          cod: bool = False, extra: int = 200) -> Offer:
    return Offer(code, f"{code}中文", f"{code} en", level, Rate(1000, first, 1000, extra), days,
                 cutoff, cod_supported=cod)


OFFERS = (
    offer("SF", "standard", 1400, 3, cod=True),
    offer("SF", "express", 2000, 1, cutoff=time(18, 0), cod=True),
    offer("ZTO", "standard", 600, 3),
    offer("YTO", "standard", 650, 3, cutoff=time(16, 30)),
    offer("JD", "express", 1600, 1, cutoff=time(20, 0), cod=True, extra=500),
    offer("EMS", "standard", 1000, 4, cod=True),
)

CASES = [
    # (name, demand changes, now, expected carrier, level, reason, late)
    ("cheapest without a promise", {}, MORNING, "ZTO", "standard", "cheapest", False),
    ("cheapest on time", {"promise_by": date(2026, 12, 6)}, MORNING, "ZTO", "standard",
     "cheapest_on_time", False),
    ("promise too close for the cheap ones", {"promise_by": date(2026, 12, 4)}, MORNING, "JD",
     "express", "cheapest_on_time", False),
    ("heavier parcel: SF's cheaper extra weight wins", {"promise_by": date(2026, 12, 4),
     "weight_g": 5000}, MORNING, "SF", "express", "cheapest_on_time", False),
    ("after SF's cut-off only JD still ships today", {"promise_by": date(2026, 12, 4),
     "weight_g": 5000}, datetime(2026, 12, 3, 18, 30, tzinfo=CHINA), "JD", "express",
     "cheapest_on_time", False),
    ("nobody arrives in time: fastest, marked late", {"promise_by": date(2026, 12, 3)},
     MORNING, "JD", "express", "late_fastest", True),
    ("expedited gets the fastest, cheaper on a tie", {"expedited": True}, MORNING, "JD",
     "express", "expedited_fastest", False),
    ("expedited heavy parcel: same day, SF cheaper", {"expedited": True, "weight_g": 5000},
     MORNING, "SF", "express", "expedited_fastest", False),
    ("expedited heavy in the evening: only JD ships today", {"expedited": True,
     "weight_g": 5000}, EVENING, "JD", "express", "expedited_fastest", False),
    ("customer designates YTO", {"designated_carrier": "YTO", "designated_by": "customer"},
     MORNING, "YTO", "standard", "designated", False),
    ("staff designates SF: its cheapest service", {"designated_carrier": "sf",
     "designated_by": "staff"}, MORNING, "SF", "standard", "designated", False),
    ("designated SF express", {"designated_carrier": "SF", "designated_service": "express",
     "designated_by": "customer"}, MORNING, "SF", "express", "designated", False),
    ("designated even when a promise is missed", {"designated_carrier": "EMS",
     "designated_by": "customer", "promise_by": date(2026, 12, 4)}, MORNING, "EMS",
     "standard", "designated", True),
    ("designated carrier does not cover: rules pick", {"designated_carrier": "DHL",
     "designated_by": "customer"}, MORNING, "ZTO", "standard", "cheapest", False),
    ("COD: only carriers that collect", {"cod": True}, MORNING, "EMS", "standard", "cheapest",
     False),
    ("COD designated ZTO cannot collect", {"cod": True, "designated_carrier": "ZTO",
     "designated_by": "customer"}, MORNING, "EMS", "standard", "cheapest", False),
]


@pytest.mark.parametrize(("name", "changes", "now", "carrier", "level", "reason", "late"),
                         CASES, ids=[c[0] for c in CASES])
def test_selection(name: str, changes: dict[str, object], now: datetime, carrier: str,
                   level: str, reason: str, late: bool) -> None:
    fields: dict[str, object] = {"destination": "广东省", "weight_g": 800, "now_local": now}
    demand = Demand(**(fields | changes))  # type: ignore[arg-type]

    choice = rules.select(OFFERS, demand)

    assert (choice.carrier_code, choice.level, choice.reason.code, choice.late) == (
        carrier, level, reason, late)


def test_no_covering_service_is_an_error_naming_the_destination() -> None:
    with pytest.raises(rules.NoCarrier, match="西藏自治区 with cash on delivery"):
        rules.select([offer("ZTO", "standard", 600, 3)],
                     Demand("西藏自治区", 500, MORNING, cod=True))


def test_reasons_read_in_both_languages() -> None:
    demand = Demand("广东省", 800, MORNING, cod=True, promise_by=date(2026, 12, 6))
    choice = rules.select(OFFERS, demand)

    zh = rules.reason_text(choice.reason, "zh-CN")
    en = rules.reason_text(choice.reason, "en")

    assert zh == ("承诺 2026-12-06 前送达广东省的服务中最便宜：SF中文（标准快递），运费 14.00 CNY，"
                  "预计 2026-12-06 送达货到付款：只考虑支持代收货款的承运商。")
    assert en == ("Cheapest service that reaches 广东省 by the promised 2026-12-06: SF en "
                  "(standard), 14.00 CNY, estimated delivery 2026-12-06. Cash on delivery: only "
                  "carriers that collect payment were considered.")
