"""The warehouse with the carriers' own desk (`orderflow.shipping.desk.ShippingDesk`) and the
demo carrier tables: waves grouped by the chosen carrier and priority, the estimated delivery
from the transit table, an order no carrier covers left out of the waves with the reason."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from orderflow.fulfilment import handover, waves
from orderflow.fulfilment.models import Shipment
from orderflow.orders import queries
from orderflow.orders.models import TimelineEvent
from orderflow.shipping import service as shipping
from orderflow.shipping import waybills
from orderflow.shipping.demo_carriers import install_demo_carriers
from orderflow.shipping.desk import ShippingDesk
from orderflow.shipping.schemas import PreferencesIn
from tests.builders.fulfilment import ZONE, pack, status
from tests.builders.orders import STAFF, make_catalog, make_order

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

DESK = ShippingDesk(ZoneInfo("Asia/Shanghai"))  # the test settings' zone
ALLOCATED = ["approved", "allocated"]


def carriers(db):
    with db.transaction() as s:
        install_demo_carriers(s)


def test_waves_are_grouped_by_the_chosen_carrier_and_priority(db, settings):
    make_catalog(db, {"SKU-1": 50})
    carriers(db)
    plain = [make_order(db, settings, lines=[("SKU-1", 1)], path=ALLOCATED) for _ in range(2)]
    fast = make_order(db, settings, lines=[("SKU-1", 1)], path=ALLOCATED)
    shipping.set_preferences(db, fast, PreferencesIn(expedited=True), actor=STAFF)
    sf = make_order(db, settings, lines=[("SKU-1", 1)], path=ALLOCATED)
    shipping.set_preferences(db, sf, PreferencesIn(designated_carrier="SF",
                                                   designated_service="standard"), actor=STAFF)

    planned = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)

    groups = {(w.carrier, w.priority): waves.pick_list(db, w.id).orders for w in planned}
    assert planned[0].priority == "expedited"
    assert groups[(planned[0].carrier, "expedited")] == [fast]
    assert sorted(n for (c, p), ns in groups.items() if p == "standard" for n in ns) == \
        sorted([*plain, sf])
    assert [ns for (c, _p), ns in groups.items() if c == "SF" and _p == "standard"] == [[sf]]
    assert all(w.cutoff_at is not None for w in planned)


def test_shipping_takes_the_carrier_service_and_eta_from_the_carriers_tables(db, settings):
    make_catalog(db, {"SKU-1": 50})
    carriers(db)
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=ALLOCATED)
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]
    waves.release_wave(db, wave.id, actor=STAFF)
    pack(db, number, {"SKU-1": 1})

    shipped = handover.hand_over(db, number, warehouse="SH", tracking_numbers=["YT1234567890"],
                                 desk=DESK, actor=STAFF)

    with db.read() as s:
        order = queries.get_order(s, number)
        row = s.scalars(select(Shipment).where(Shipment.order_id == order.id)).one()
    assert (row.carrier, shipped.carrier) == (wave.carrier, wave.carrier)
    assert row.estimated_delivery_at is not None
    assert row.estimated_delivery_at > row.shipped_at
    assert status(db, number) == "shipped"


def test_an_order_no_carrier_covers_is_left_out_and_says_why(db, settings):
    make_catalog(db, {"SKU-1": 50})
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=ALLOCATED)  # no carriers

    planned = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)

    assert planned == []
    with db.read() as s:
        order = queries.get_order(s, number)
        reasons = list(s.scalars(select(TimelineEvent.data).where(
            TimelineEvent.order_id == order.id, TimelineEvent.kind == "wave.not_planned")))
    assert reasons == [{"code": "shipping.no_carrier"}]
    assert status(db, number) == "allocated"


def test_a_parcel_with_an_issued_waybill_ships_with_that_tracking_number(db, settings):
    make_catalog(db, {"SKU-1": 50})
    carriers(db)
    numbers = [make_order(db, settings, lines=[("SKU-1", 1)], path=ALLOCATED) for _ in range(2)]
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]
    waves.release_wave(db, wave.id, actor=STAFF)
    for n in numbers:
        pack(db, n, {"SKU-1": 1})
    issued = {n: waybills.issue(db, n, actor=STAFF, parcel_count=1)[0].tracking_number
              for n in numbers}

    one = handover.hand_over(db, numbers[0], warehouse="SH", tracking_numbers=[], desk=DESK,
                             actor=STAFF)
    rest = handover.ship_wave(db, wave.id, desk=DESK, actor=STAFF)

    assert one.tracking_numbers == [issued[numbers[0]]]
    assert [s.tracking_numbers for s in rest.shipped] == [[issued[numbers[1]]]]
    assert rest.skipped == {}
    assert [status(db, n) for n in numbers] == ["shipped", "shipped"]
    assert [w.state for w in waves.list_waves(db)] == ["shipped"]
