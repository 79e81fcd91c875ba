"""The pure warehouse rules, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from orderflow.fulfilment import geo, rules
from orderflow.fulfilment.rules import LineNeed, Site, WaveKey

SH = Site(1, "SH", "上海市", 1)
GZ = Site(2, "GZ", "广东省", 2)
BJ = Site(3, "BJ", "北京", 3)


@pytest.mark.parametrize(("a", "b", "km"), [
    ("上海市", "浙江省", 165), ("广东", "Guangdong", 0), ("北京市", "广东省", 1890),
    ("内蒙古自治区", "Inner Mongolia", 0), ("火星", "上海市", None), (None, "上海市", None),
])
def test_province_distances(a, b, km):
    found = geo.distance_km(a, b)

    assert found == km if km in (0, None) else abs(found - km) < km * 0.05


@pytest.mark.parametrize(("capacity", "destination", "kind", "lines", "short"), [
    ({(1, 10): 5, (1, 11): 5}, "广东省", "single", {1: 1, 2: 1}, ()),
    ({(1, 10): 5, (1, 11): 5, (2, 10): 5, (2, 11): 5}, "广东省", "nearest", {1: 2, 2: 2}, ()),
    ({(1, 10): 5, (1, 11): 5, (2, 10): 5, (2, 11): 5}, "江苏省", "nearest", {1: 1, 2: 1}, ()),
    ({(1, 10): 5, (1, 11): 5, (2, 10): 5, (2, 11): 5}, "火星", "nearest", {1: 1, 2: 1}, ()),
    ({(1, 10): 5, (2, 11): 5}, "上海市", "split", {1: 1, 2: 2}, ()),
    ({(1, 10): 5, (2, 11): 1}, "上海市", "split", {1: 1}, (2,)),
    ({(1, 10): 5, (2, 10): 5, (2, 11): 5, (3, 12): 5}, "上海市", "split",
     {1: 2, 2: 2, 3: 3}, ()),
], ids=["one-can", "nearest-gz", "nearest-sh", "unknown-place-priority", "split",
        "split-short", "split-fewest-parcels"])
def test_plan_allocation(capacity, destination, kind, lines, short):
    needs = [LineNeed(1, 10, 2), LineNeed(2, 11, 2)]
    if kind == "split" and (3, 12) in capacity:
        needs.append(LineNeed(3, 12, 1))

    plan = rules.plan_allocation(needs, [SH, GZ, BJ], capacity, destination)

    assert (plan.kind, plan.lines, plan.short) == (kind, lines, short)


def test_two_lines_of_one_sku_count_together():
    needs = [LineNeed(1, 10, 3), LineNeed(2, 10, 3)]

    plan = rules.plan_allocation(needs, [SH, GZ], {(1, 10): 4, (2, 10): 6}, "上海市")

    assert (plan.kind, plan.lines) == ("single", {1: 2, 2: 2})


ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("now", "cutoff", "expected"), [
    (datetime(2026, 12, 3, 2, 0, tzinfo=UTC), time(16, 0), datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
    (datetime(2026, 12, 3, 8, 0, tzinfo=UTC), time(16, 0), datetime(2026, 12, 4, 8, 0, tzinfo=UTC)),
    (datetime(2026, 12, 3, 17, 0, tzinfo=UTC), None, datetime(2026, 12, 4, 8, 0, tzinfo=UTC)),
    (datetime(2026, 12, 3, 10, 0, tzinfo=UTC), time(20, 30),
     datetime(2026, 12, 3, 12, 30, tzinfo=UTC)),
])
def test_next_cutoff_is_in_the_merchants_zone(now, cutoff, expected):
    assert rules.next_cutoff(now, cutoff, ZONE) == expected


def test_waves_group_by_key_expedited_and_earliest_cutoff_first():
    early = datetime(2026, 12, 3, 8, tzinfo=UTC)
    late = datetime(2026, 12, 4, 8, tzinfo=UTC)
    parts = [(WaveKey(1, "ZTO", "standard", early), 5), (WaveKey(1, "SF", "expedited", late), 7),
             (WaveKey(1, "ZTO", "standard", early), 3), (WaveKey(1, "ZTO", "standard", late), 4),
             (WaveKey(1, "ZTO", "standard", early), 9)]

    grouped = rules.group_waves(parts, max_orders=2)

    assert [(k.carrier, k.priority, k.cutoff_at, ids) for k, ids in grouped] == [
        ("SF", "expedited", late, [7]), ("ZTO", "standard", early, [3, 5]),
        ("ZTO", "standard", early, [9]), ("ZTO", "standard", late, [4])]


def test_orders_come_in_the_order_the_picker_meets_them():
    items = [("A", "C-01"), ("A", "A-10"), ("B", "A-2"), ("C", None), ("D", "A-2")]

    assert rules.pick_order(items) == ["B", "D", "A", "C"]


@pytest.mark.parametrize(("sku", "scanned", "code"), [
    ("SKU-1", {}, None), ("SKU-1", {"SKU-1": 1}, None), ("SKU-1", {"SKU-1": 2}, "pack.too_many"),
    ("SKU-9", {}, "pack.wrong_item"), (None, {}, "pack.unknown_barcode"),
])
def test_check_scan(sku, scanned, code):
    problem = rules.check_scan({"SKU-1": 2, "SKU-2": 1}, scanned, sku, "690000")

    assert (problem.code if problem else None) == code


def test_missing_lists_what_is_still_to_scan():
    assert rules.missing({"A": 2, "B": 1}, {"A": 1, "B": 1}) == {"A": 1}
    assert rules.missing({"A": 2}, {"A": 2}) == {}
