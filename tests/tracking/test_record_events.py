"""Recording carrier events: once each, placed by time, the order following forward only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.orders.status import Status
from orderflow.tracking import service as tracking
from orderflow.tracking.models import ShipmentTracking, TrackingStatus
from orderflow.tracking.rules import CarrierEvent
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.tracking.helpers import (
    PACKED,
    T0,
    event,
    order_status,
    outbox_kinds,
    pickup_mode,
    ship,
    shipment,
    stored_events,
)

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

T = TrackingStatus


def test_the_order_follows_the_carrier_and_owes_each_notice_once(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)

    tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.IN_TRANSIT, 10, pickup=True)])
    tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.OUT_FOR_DELIVERY, 600)])
    changes = tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.DELIVERED, 700)])

    assert order_status(db, parcel.number) == "delivered"
    assert changes is not None
    assert (changes.order_before, changes.order_after) == ("out_for_delivery", "delivered")
    assert outbox_kinds(db, parcel.number) == [
        "order.received", "order.paid", "order.confirmed", "order.shipped",
        "order.out_for_delivery", "order.delivered"]


def test_the_same_event_pushed_twice_is_stored_once(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)
    batch = [event(T.IN_TRANSIT, 10, "1", "【杭州】已揽收"),
             event(T.IN_TRANSIT, 90, "0", "到达中转")]

    first = tracking.ingest(db, "simulated", parcel.tracking_number, batch)
    second = tracking.ingest(db, "simulated", parcel.tracking_number, [*batch, batch[0]])

    assert first is not None and second is not None
    assert (len(first.new_events), first.duplicates) == (2, 0)
    assert (len(second.new_events), second.duplicates) == (0, 3)
    assert stored_events(db, parcel.shipment_id) == [("in_transit", "1"), ("in_transit", "0")]


def test_a_late_old_event_is_placed_by_time_and_moves_nothing_back(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)
    tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.OUT_FOR_DELIVERY, 600)])

    late = tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.IN_TRANSIT, 100)])

    assert late is not None and len(late.new_events) == 1
    assert (late.status_before, late.status_after) == (T.OUT_FOR_DELIVERY, T.OUT_FOR_DELIVERY)
    assert order_status(db, parcel.number) == "out_for_delivery"
    assert stored_events(db, parcel.shipment_id) == [
        ("in_transit", "in_transit"), ("out_for_delivery", "out_for_delivery")]


def test_events_in_one_batch_out_of_order_end_at_the_newest(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)

    tracking.ingest(db, "simulated", parcel.tracking_number, [
        event(T.DELIVERED, 900), event(T.IN_TRANSIT, 10), event(T.OUT_FOR_DELIVERY, 800)])

    assert order_status(db, parcel.number) == "delivered"
    assert outbox_kinds(db, parcel.number)[-1] == "order.delivered"


def test_a_problem_is_reported_to_the_caller_and_does_not_move_the_order(
        db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)
    tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.IN_TRANSIT, 10)])

    changes = tracking.ingest(db, "simulated", parcel.tracking_number,
                              [event(T.EXCEPTION, 300, "2", "包裹破损", problem="damaged")])

    assert changes is not None
    assert [(e.status, e.problem) for e in changes.problems] == [(T.EXCEPTION, "damaged")]
    assert order_status(db, parcel.number) == "in_transit"


def test_an_unknown_tracking_number_is_not_stored(db: Db, settings: Settings):
    make_catalog(db)

    assert tracking.ingest(db, "simulated", "NOSUCH123", [event(T.IN_TRANSIT, 1)]) is None


def test_a_carrier_eta_replaces_the_transit_table_estimate(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings, carrier="ZTO")
    first = shipment(db, parcel.shipment_id).estimated_delivery_at
    new_eta = T0 + timedelta(days=5)

    tracking.ingest(db, "simulated", parcel.tracking_number, [event(T.IN_TRANSIT, 5, eta=new_eta)])

    assert first is not None
    assert first - shipment(db, parcel.shipment_id).shipped_at == timedelta(days=3)
    assert shipment(db, parcel.shipment_id).estimated_delivery_at == new_eta


def test_a_parcel_past_its_eta_owes_one_delay_notice(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)
    eta = shipment(db, parcel.shipment_id).estimated_delivery_at
    assert eta is not None

    owed = tracking.watch_eta(db, now=eta + timedelta(minutes=1))
    again = tracking.watch_eta(db, now=eta + timedelta(hours=2))

    assert (owed, again) == (1, 0)
    assert outbox_kinds(db, parcel.number)[-1] == "order.delayed"


def test_in_pickup_mode_the_order_waits_for_the_pickup_scan(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings, tracking_settings=pickup_mode())
    waiting = order_status(db, parcel.number)

    tracking.ingest(db, "simulated", parcel.tracking_number, [
        event(T.INFO_RECEIVED, 1, "101", "已下单"), event(T.IN_TRANSIT, 30, "103", pickup=True)])

    assert waiting == "packed"
    assert order_status(db, parcel.number) == "in_transit"
    assert outbox_kinds(db, parcel.number)[-1] == "order.shipped"


def test_in_pickup_mode_the_grace_window_ships_an_unscanned_parcel(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings, tracking_settings=pickup_mode(hours=2))
    handed = shipment(db, parcel.shipment_id).shipped_at

    early = tracking.confirm_overdue_pickups(db, now=handed + timedelta(hours=1))
    late = tracking.confirm_overdue_pickups(db, now=handed + timedelta(hours=2, seconds=1))

    assert (early, late) == (0, 1)
    assert order_status(db, parcel.number) == "shipped"
    with db.read() as s:
        row = s.scalars(select(ShipmentTracking)).one()
    assert row.awaiting_pickup is False


def test_an_exception_is_cleared_only_by_news_from_after_it(db: Db, settings: Settings):
    make_catalog(db)
    parcel = ship(db, settings)
    fulfilment.record_carrier_status(db, parcel.number, Status.EXCEPTION, actor=STAFF,
                                     reason="carrier reported damage")

    before_it = CarrierEvent(clock.utcnow() - timedelta(hours=1), T.IN_TRANSIT, "in_transit",
                             "old news")  # relative to the clock: any --clock-at instant
    tracking.ingest(db, "simulated", parcel.tracking_number, [before_it])
    still = order_status(db, parcel.number)
    tracking.ingest(db, "simulated", parcel.tracking_number, [
        tracking_event_now(T.OUT_FOR_DELIVERY)])

    assert still == "exception"
    assert order_status(db, parcel.number) == "out_for_delivery"


def tracking_event_now(status: TrackingStatus) -> CarrierEvent:
    return CarrierEvent(clock.utcnow() + timedelta(seconds=1), status, status.value, "now")


def test_a_shipment_made_before_tracking_gets_its_row_on_the_first_event(
        db: Db, settings: Settings):
    make_catalog(db)
    number = make_order(db, settings, path=[*PACKED, "shipped"])

    changes = tracking.ingest(db, "simulated", f"SIM{number}", [event(T.IN_TRANSIT, 5)])

    assert changes is not None and len(changes.new_events) == 1
    assert order_status(db, number) == "in_transit"
    with db.read() as s:
        row = s.scalars(select(ShipmentTracking)).one()
    assert (row.status, row.events) == (T.IN_TRANSIT, 1)
