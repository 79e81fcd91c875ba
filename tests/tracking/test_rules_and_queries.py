"""Pure tracking rules (order target, back-off, transit table) and pickup timeliness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders.status import Status
from orderflow.tracking import queries, rules
from orderflow.tracking.models import ShipmentTracking, TrackingStatus
from tests.builders.orders import make_catalog
from tests.tracking.helpers import ship

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

T = TrackingStatus


def test_an_order_is_delivered_only_when_every_parcel_is() -> None:
    assert rules.order_target([T.DELIVERED, T.IN_TRANSIT]) is Status.IN_TRANSIT
    assert rules.order_target([T.DELIVERED, T.OUT_FOR_DELIVERY]) is Status.OUT_FOR_DELIVERY
    assert rules.order_target([T.DELIVERED, T.DELIVERED]) is Status.DELIVERED
    assert rules.order_target([T.DELIVERED, None]) is Status.IN_TRANSIT
    assert rules.order_target([T.INFO_RECEIVED]) is None
    assert rules.order_target([T.EXCEPTION]) is None


def test_polling_backs_off_when_nothing_changes_and_resets_on_news() -> None:
    intervals = [rules.MIN_POLL_S]
    for _ in range(5):
        intervals.append(rules.next_poll_interval(intervals[-1], changed=False, failed=False))

    assert intervals == [1800, 3600, 7200, 14400, 21600, 21600]
    assert rules.next_poll_interval(21600, changed=True, failed=False) == 1800
    assert rules.next_poll_interval(1800, changed=True, failed=True) == 3600


def test_the_transit_table_adds_days_for_remote_provinces() -> None:
    assert rules.transit_days("SF", "standard") == 2
    assert rules.transit_days("ZTO", "standard", "新疆维吾尔自治区") == 5
    assert rules.transit_days("UNKNOWN", "standard") == rules.DEFAULT_TRANSIT_DAYS


def test_pickup_timeliness_counts_scans_within_the_window_per_carrier(
        db: Db, settings: Settings) -> None:
    make_catalog(db)
    on_time = ship(db, settings, carrier="SF", tracking_number="SF1000000000001")
    late = ship(db, settings, carrier="SF", tracking_number="SF1000000000002")
    never = ship(db, settings, carrier="ZTO", tracking_number="73100000000003")
    waiting = ship(db, settings, carrier="ZTO", tracking_number="73100000000004")
    now = clock.utcnow()
    with db.transaction() as s:
        for parcel, handed, picked in [(on_time, 30, 20), (late, 30, 1), (never, 30, None),
                                       (waiting, 2, None)]:
            at = now - timedelta(hours=handed)
            s.execute(update(ShipmentTracking)
                      .where(ShipmentTracking.shipment_id == parcel.shipment_id)
                      .values(handed_over_at=at,
                              picked_up_at=now - timedelta(hours=picked) if picked else None))

    with db.read() as s:
        found = queries.pickup_timeliness(s, now - timedelta(days=2), now, now=now)

    assert [(p.carrier, p.handed_over, p.picked_up, p.on_time, p.rate) for p in found] == [
        ("SF", 2, 2, 1, 0.5), ("ZTO", 1, 0, 0, 0.0)]
