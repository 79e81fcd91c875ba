"""Hand-over and ship on both databases: tracking numbers, stock leaving, the shipping
notice owed in the same transaction, split orders, bulk "mark shipped" for a wave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from orderflow.errors import Conflict, ValidationFailed
from orderflow.fulfilment import handover, waves
from orderflow.fulfilment.desk import DefaultDesk
from orderflow.fulfilment.models import Shipment
from orderflow.orders import queries
from orderflow.orders.models import Order
from tests.builders.fulfilment import (
    DESK,
    level,
    pack,
    put_stock,
    released_wave,
    status,
)
from tests.builders.orders import STAFF, make_catalog, make_order

PACKED = ["approved", "allocated"]


class IssuingDesk(DefaultDesk):
    """Waybills issued beforehand (as the carriers' batch printing does)."""

    def issued_tracking_numbers(self, s, order, warehouse_id):
        return [f"SF{order.number}"]


def shipments(db, number):
    with db.read() as s:
        order = queries.get_order(s, number)
        return [(x.carrier, x.service, x.tracking_number,
                 x.estimated_delivery_at - x.shipped_at)
                for x in s.scalars(select(Shipment).where(Shipment.order_id == order.id)
                                   .order_by(Shipment.id))]


def payload(db, number, kind):
    from orderflow.outbox import OutboxMessage
    with db.read() as s:
        order = queries.get_order(s, number)
        return [m.payload for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.order_id == order.id, OutboxMessage.kind == kind))]


@pytest.fixture
def packed(db, settings):
    make_catalog(db, {"SKU-1": 10})
    number = make_order(db, settings, lines=[("SKU-1", 3)], path=PACKED)
    wave_id = released_wave(db)
    pack(db, number, {"SKU-1": 3}, parcels=2)
    return number, wave_id


def test_handing_over_ships_the_order_with_its_tracking_numbers_and_owes_the_notice(db, packed):
    number, _wave_id = packed

    shipped = handover.hand_over(db, number, warehouse="SH", tracking_numbers=["sim1", "SIM2"],
                                 desk=DESK, actor=STAFF)

    assert (shipped.order_shipped, shipped.tracking_numbers) == (True, ["SIM1", "SIM2"])
    assert status(db, number) == "shipped"
    assert shipments(db, number) == [("SIM", "standard", "SIM1", timedelta(days=3)),
                                     ("SIM", "standard", "SIM2", timedelta(days=3))]
    [notice] = payload(db, number, "order.shipped")
    assert (notice["carrier"], notice["tracking_numbers"], notice["service"]) == (
        "SIM", ["SIM1", "SIM2"], "standard")
    assert level(db, "SKU-1", "SH") == {"on_hand": 7, "reserved": 0, "allocated": 0,
                                        "damaged": 0}
    assert [w.state for w in waves.list_waves(db)] == ["shipped"]
    with db.read() as s:
        order = s.scalars(select(Order).where(Order.number == number)).one()
        assert "sim2" in order.search_text
        assert [ln.shipped for ln in queries.lines_of(s, order.id)] == [3]


def test_a_tracking_number_per_parcel_is_required(db, packed):
    number, _ = packed

    with pytest.raises(ValidationFailed) as refused:
        handover.hand_over(db, number, warehouse="SH", tracking_numbers=["SIM1"], desk=DESK,
                           actor=STAFF)

    assert refused.value.fields[0].code == "tracking.count"
    assert status(db, number) == "packed"
    assert payload(db, number, "order.shipped") == []


def test_a_tracking_number_already_used_is_refused(db, settings, packed):
    number, _ = packed
    other = make_order(db, settings, lines=[("SKU-1", 1)], path=PACKED)
    released_wave(db)
    pack(db, other, {"SKU-1": 1})
    handover.hand_over(db, other, warehouse="SH", tracking_numbers=["SIM9"], desk=DESK,
                       actor=STAFF)

    with pytest.raises(Conflict) as refused:
        handover.hand_over(db, number, warehouse="SH", tracking_numbers=["SIM9", "SIM8"],
                           desk=DESK, actor=STAFF)

    assert refused.value.code == "tracking.used"


def test_an_unpacked_order_cannot_be_handed_over(db, settings):
    make_catalog(db, {"SKU-1": 10})
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=PACKED)
    released_wave(db)

    with pytest.raises(Exception) as refused:
        handover.hand_over(db, number, warehouse="SH", tracking_numbers=["SIM1"], desk=DESK,
                           actor=STAFF)

    assert getattr(refused.value, "code", None) == "handover.no_pack"


def test_a_split_order_tells_the_customer_per_parcel_and_ships_when_the_last_part_leaves(
        db, settings):
    make_catalog(db, {"SKU-1": 5, "SKU-2": 0})
    put_stock(db, "GZ", {"SKU-2": 5})
    number = make_order(db, settings, lines=[("SKU-1", 1), ("SKU-2", 2)], path=PACKED)
    released_wave(db, "SH")
    released_wave(db, "GZ")
    pack(db, number, {"SKU-1": 1}, warehouse="SH")

    first = handover.hand_over(db, number, warehouse="SH", tracking_numbers=["SIMA1"],
                               desk=DESK, actor=STAFF)

    assert (first.order_shipped, status(db, number)) == (False, "picking")
    assert [(p["tracking_number"], p["parcels"]) for p in
            payload(db, number, "order.split_shipment")] == [("SIMA1", 2)]

    pack(db, number, {"SKU-2": 2}, warehouse="GZ")
    last = handover.hand_over(db, number, warehouse="GZ", tracking_numbers=["SIMB2"],
                              desk=DESK, actor=STAFF)

    assert (last.order_shipped, status(db, number)) == (True, "shipped")
    assert sorted(p["tracking_number"] for p in payload(db, number, "order.split_shipment")) \
        == ["SIMA1", "SIMB2"]
    assert [p["tracking_number"] for p in payload(db, number, "order.shipped")] == ["SIMB2"]
    assert level(db, "SKU-2", "GZ")["on_hand"] == 3


def test_bulk_mark_shipped_ships_every_packed_order_with_its_waybill(db, settings):
    make_catalog(db, {"SKU-1": 10})
    numbers = [make_order(db, settings, lines=[("SKU-1", 1)], path=PACKED) for _ in range(3)]
    wave_id = released_wave(db)
    for n in numbers[:2]:
        pack(db, n, {"SKU-1": 1})

    report = handover.ship_wave(db, wave_id, desk=IssuingDesk(), actor=STAFF)

    assert [s.tracking_numbers for s in report.shipped] == [[f"SF{n}"] for n in numbers[:2]]
    assert [status(db, n) for n in numbers] == ["shipped", "shipped", "picking"]
    assert [w.state for w in waves.list_waves(db)] == ["released"]  # one still to pack


def test_bulk_mark_shipped_without_waybills_ships_nothing_and_says_why(db, packed):
    number, wave_id = packed

    report = handover.ship_wave(db, wave_id, desk=DESK, actor=STAFF)

    assert report.shipped == []
    assert list(report.skipped) == [number]
    assert status(db, number) == "packed"
