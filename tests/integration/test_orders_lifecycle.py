from __future__ import annotations

import pytest
from sqlalchemy import select

from orderflow import outbox
from orderflow.errors import IllegalTransition, InsufficientStock
from orderflow.inventory import queries as stock
from orderflow.orders import queries, service
from orderflow.orders.models import OrderLine
from tests.builders.orders import STAFF, make_catalog, make_order

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def kinds(db, number):
    with db.read() as s:
        return outbox.kinds_for_order(s, queries.get_order(s, number).id)


def level(db, sku):
    with db.read() as s:
        return next(lv for lv in stock.stock_levels(s, sku) if lv.warehouse == "SH")


def test_placing_an_unpaid_order_reserves_stock_and_owes_order_received(db, settings):
    make_catalog(db, {"SKU-1": 5})

    number = make_order(db, settings, lines=[("SKU-1", 2)])

    assert level(db, "SKU-1").reserved == 2
    assert kinds(db, number) == ["order.received"]
    with db.read() as s:
        assert queries.get_order(s, number).status.value == "pending_payment"


def test_paid_order_passes_review_is_approved_and_owes_the_payment_notice(db, settings):
    make_catalog(db)

    number = make_order(db, settings, path=["paid"])

    with db.read() as s:
        order = queries.get_order(s, number)
        events = [
            (e.from_status, e.to_status)
            for e in queries.timeline_of(s, order.id)
            if e.kind == "status.changed"
        ]
    assert order.status.value == "approved"
    assert events == [("pending_payment", "paid"), ("paid", "awaiting_review"),
                      ("awaiting_review", "approved")]
    assert kinds(db, number) == ["order.received", "order.paid", "order.confirmed"]


def test_cancelling_a_paid_order_releases_stock_and_records_refund_owed(db, settings):
    make_catalog(db, {"SKU-1": 5})
    number = make_order(db, settings, lines=[("SKU-1", 2)], path=["paid", "approved"])

    service.cancel_order(db, number, actor=STAFF, reason="customer asked")

    assert level(db, "SKU-1").reserved == 0
    assert kinds(db, number) == ["order.received", "order.paid", "order.confirmed",
                                 "order.cancelled"]
    with db.read() as s:
        order = queries.get_order(s, number)
        line = s.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert order.refund_due_minor == 2000
    assert (line.ordered, line.reserved, line.cancelled) == (2, 0, 2)


def test_a_shipped_order_cannot_be_cancelled(db, settings):
    make_catalog(db)
    number = make_order(
        db, settings, path=["paid", "approved", "allocated", "picking", "packed", "shipped"]
    )

    with pytest.raises(IllegalTransition, match="after-sales"):
        service.cancel_order(db, number, actor=STAFF, reason="too late")


def test_shipping_consumes_allocated_stock_and_fills_line_quantities(db, settings):
    make_catalog(db, {"SKU-1": 5})

    number = make_order(
        db,
        settings,
        lines=[("SKU-1", 2)],
        path=[
            "paid",
            "approved",
            "allocated",
            "picking",
            "packed",
            "shipped",
            "delivered",
            "completed",
        ],
    )

    lv = level(db, "SKU-1")
    assert (lv.on_hand, lv.reserved, lv.allocated, lv.available) == (3, 0, 0, 3)
    with db.read() as s:
        line = s.scalars(select(OrderLine)).one()
    assert (
        line.reserved,
        line.allocated,
        line.picked,
        line.packed,
        line.shipped,
        line.delivered,
    ) == (2, 2, 2, 2, 2, 2)
    assert kinds(db, number) == ["order.received", "order.paid", "order.confirmed",
                                 "order.shipped", "order.delivered"]


def test_out_of_stock_order_is_refused_whole_naming_the_sku(db, settings):
    make_catalog(db, {"SKU-1": 5, "SKU-2": 1})

    with pytest.raises(InsufficientStock, match="SKU-2"):
        make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 3)])

    assert level(db, "SKU-1").reserved == 0
    with db.read() as s:
        assert s.scalars(select(OrderLine)).all() == []


def test_hold_remembers_where_to_resume(db, settings):
    make_catalog(db)
    number = make_order(db, settings, path=["paid", "approved"])

    service.hold_order(db, number, actor=STAFF, reason="customer asked to wait")
    service.release_hold(db, number, actor=STAFF)

    with db.read() as s:
        assert queries.get_order(s, number).status.value == "approved"


def test_unpaid_orders_past_their_deadline_are_cancelled_and_stock_returns(db, settings):
    from datetime import timedelta

    from orderflow import clock

    make_catalog(db, {"SKU-1": 5})
    number = make_order(db, settings, lines=[("SKU-1", 3)])

    expired = service.expire_unpaid(db, now=clock.utcnow() + timedelta(minutes=31))

    assert expired == [number]
    assert level(db, "SKU-1").reserved == 0
    assert kinds(db, number) == ["order.received", "order.cancelled"]
