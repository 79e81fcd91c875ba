"""Allocation on both databases: one warehouse that ships every line, the nearest of
several, a split; damaged stock is never allocated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orderflow.errors import Conflict, IllegalTransition, InsufficientStock
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment import stock
from orderflow.inventory.models import Reservation, StockLevel
from orderflow.orders import queries
from orderflow.orders.models import TimelineEvent
from orderflow.payments import service as payments
from tests.builders.fulfilment import level, put_stock, status
from tests.builders.orders import NEEDS_REVIEW, STAFF, make_catalog, make_order

GUANGZHOU = {"country": "CN", "province": "广东省", "city": "广州市", "district": "天河区",
             "detail": "体育西路 1 号"}


def allocated_event(db, number):
    with db.read() as s:
        order = queries.get_order(s, number)
        return s.scalars(select(TimelineEvent.data).where(
            TimelineEvent.order_id == order.id, TimelineEvent.to_status == "allocated")).one()


def reservations(db, number):
    with db.read() as s:
        order = queries.get_order(s, number)
        return sorted((r.sku_id, r.warehouse_id, r.quantity, r.state.value) for r in s.scalars(
            select(Reservation).where(Reservation.order_id == order.id)))


def test_an_order_one_warehouse_can_ship_goes_there(db, settings):
    cat = make_catalog(db, {"SKU-1": 10, "SKU-2": 10})
    number = make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)], path=["approved"])

    plan = fulfilment.allocate_order(db, number, actor=STAFF)

    assert (plan.kind, plan.warehouses) == ("single", [cat.warehouses["SH"]])
    assert level(db, "SKU-1", "SH") == {"on_hand": 10, "reserved": 0, "allocated": 2,
                                        "damaged": 0}
    assert status(db, number) == "allocated"
    assert allocated_event(db, number) == {"warehouses": ["SH"], "allocation": "single"}


def test_of_two_warehouses_that_can_ship_the_nearest_the_destination_wins(db, settings):
    cat = make_catalog(db, {"SKU-1": 10})
    put_stock(db, "GZ", {"SKU-1": 10})
    number = make_order(db, settings, lines=[("SKU-1", 3)], path=["approved"],
                        shipping_address=GUANGZHOU)
    assert level(db, "SKU-1", "SH")["reserved"] == 3  # placement reserved by priority

    plan = fulfilment.allocate_order(db, number, actor=STAFF)

    assert (plan.kind, plan.warehouses) == ("nearest", [cat.warehouses["GZ"]])
    assert level(db, "SKU-1", "SH") == {"on_hand": 10, "reserved": 0, "allocated": 0,
                                        "damaged": 0}
    assert level(db, "SKU-1", "GZ") == {"on_hand": 10, "reserved": 0, "allocated": 3,
                                        "damaged": 0}
    assert reservations(db, number) == [(cat.skus["SKU-1"], cat.warehouses["GZ"], 3,
                                         "allocated")]


def test_an_order_no_one_warehouse_can_ship_is_split(db, settings):
    cat = make_catalog(db, {"SKU-1": 10, "SKU-2": 0})
    put_stock(db, "GZ", {"SKU-2": 5})
    number = make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 4)], path=["approved"])

    plan = fulfilment.allocate_order(db, number, actor=STAFF)

    assert plan.kind == "split"
    assert reservations(db, number) == sorted([
        (cat.skus["SKU-1"], cat.warehouses["SH"], 2, "allocated"),
        (cat.skus["SKU-2"], cat.warehouses["GZ"], 4, "allocated")])
    assert allocated_event(db, number) == {"warehouses": ["SH", "GZ"], "allocation": "split"}
    with db.read() as s:
        lines = queries.lines_of(s, queries.get_order(s, number).id)
        assert [(ln.reserved, ln.allocated) for ln in lines] == [(2, 2), (4, 4)]


def test_damaged_stock_is_never_allocated(db, settings):
    make_catalog(db, {"SKU-1": 10})
    put_stock(db, "GZ", {"SKU-1": 10})
    stock.mark_damaged(db, sku="SKU-1", warehouse="GZ", quantity=9)
    number = make_order(db, settings, lines=[("SKU-1", 2)], path=["approved"],
                        shipping_address=GUANGZHOU)

    plan = fulfilment.allocate_order(db, number, actor=STAFF)

    assert plan.kind == "single"  # GZ has only 1 undamaged unit: SH ships
    assert level(db, "SKU-1", "GZ") == {"on_hand": 10, "reserved": 0, "allocated": 0,
                                        "damaged": 9}
    assert level(db, "SKU-1", "SH")["allocated"] == 2


def test_marking_more_damaged_than_is_available_is_refused_and_writes_nothing(db, settings):
    make_catalog(db, {"SKU-1": 5})
    make_order(db, settings, lines=[("SKU-1", 4)])

    with pytest.raises(Conflict) as raised:
        stock.mark_damaged(db, sku="SKU-1", warehouse="SH", quantity=2)

    assert raised.value.fields[0].field == "quantity"
    assert level(db, "SKU-1", "SH") == {"on_hand": 5, "reserved": 4, "allocated": 0,
                                        "damaged": 0}


def test_writing_off_damaged_stock_lowers_on_hand_and_damaged(db, settings):
    make_catalog(db, {"SKU-1": 5})
    stock.mark_damaged(db, sku="SKU-1", warehouse="SH", quantity=2)

    stock.write_off_damaged(db, sku="SKU-1", warehouse="SH", quantity=2)

    assert level(db, "SKU-1", "SH") == {"on_hand": 3, "reserved": 0, "allocated": 0,
                                        "damaged": 0}
    with pytest.raises(Conflict):
        stock.write_off_damaged(db, sku="SKU-1", warehouse="SH", quantity=1)


# --- refusals: nothing moves ------------------------------------------------------------------


def _stock_rows(db):
    with db.read() as s:
        return sorted((lv.sku_id, lv.warehouse_id, lv.on_hand, lv.reserved, lv.allocated)
                      for lv in s.scalars(select(StockLevel)))


def test_an_order_that_is_not_approved_is_refused_and_keeps_its_status(db, settings):
    make_catalog(db)
    unpaid = make_order(db, settings)
    waiting = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    before = _stock_rows(db)

    for number, state in ((unpaid, "pending_payment"), (waiting, "awaiting_review")):
        with pytest.raises(IllegalTransition) as raised:
            fulfilment.allocate_order(db, number, actor=STAFF)
        assert raised.value.code == "order.illegal_transition"
        assert str(raised.value) == f"order {number} cannot go from {state} to allocated"
        assert status(db, number) == state
    assert _stock_rows(db) == before


def test_an_order_no_warehouse_can_ship_is_refused_naming_the_sku(db, payment_settings):
    make_catalog(db, {"SKU-1": 1})
    cod = make_order(db, payment_settings, cod=True)  # approved with nothing reserved yet
    payments.confirm_cod(db, cod, actor=STAFF)
    make_order(db, payment_settings, path=["paid"])  # takes the only unit
    before = _stock_rows(db)

    with pytest.raises(InsufficientStock) as raised:
        fulfilment.allocate_order(db, cod, actor=STAFF)

    assert (raised.value.code, raised.value.sku) == ("stock.insufficient", "SKU-1")
    assert status(db, cod) == "approved"
    assert reservations(db, cod) == []
    assert _stock_rows(db) == before
