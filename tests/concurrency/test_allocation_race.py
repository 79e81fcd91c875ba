"""Eight orders to Guangdong race for the three units in the Guangzhou warehouse on real
connections: exactly three are allocated there, the others fall back to Shanghai after
re-planning, and the stock figures agree with the reservations (both databases)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from orderflow.fulfilment import service as fulfilment
from orderflow.inventory.models import Reservation, ReservationState
from tests.builders.fulfilment import level, put_stock, status
from tests.builders.orders import STAFF, make_catalog, make_order

ORDERS = 8
NEAR_UNITS = 3
GUANGZHOU = {"country": "CN", "province": "广东省", "city": "广州市", "district": "天河区",
             "detail": "体育西路 1 号"}


@pytest.mark.slow
def test_orders_racing_for_the_nearest_warehouse_never_over_allocate(db, settings):
    make_catalog(db, {"SKU-1": 20})
    put_stock(db, "GZ", {"SKU-1": NEAR_UNITS})
    numbers = [make_order(db, settings, lines=[("SKU-1", 1)], path=["approved"],
                          shipping_address=GUANGZHOU) for _ in range(ORDERS)]
    barrier = threading.Barrier(ORDERS)
    kinds: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def allocate(number: str) -> None:
        barrier.wait()
        try:
            plan = fulfilment.allocate_order(db, number, actor=STAFF)
        except BaseException as exc:  # reported below, never swallowed
            with lock:
                errors.append(exc)
            return
        with lock:
            kinds.append(plan.kind)

    threads = [threading.Thread(target=allocate, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert [status(db, n) for n in numbers] == ["allocated"] * ORDERS
    assert level(db, "SKU-1", "GZ") == {"on_hand": NEAR_UNITS, "reserved": 0,
                                        "allocated": NEAR_UNITS, "damaged": 0}
    assert level(db, "SKU-1", "SH") == {"on_hand": 20, "reserved": 0,
                                        "allocated": ORDERS - NEAR_UNITS, "damaged": 0}
    with db.read() as s:
        held = s.execute(select(Reservation.warehouse_id, func.sum(Reservation.quantity))
                         .where(Reservation.state == ReservationState.ALLOCATED)
                         .group_by(Reservation.warehouse_id).order_by(Reservation.warehouse_id)
                         ).all()
    assert [int(q) for _w, q in held] == [ORDERS - NEAR_UNITS, NEAR_UNITS]
    assert sorted(kinds) == sorted(["nearest"] * NEAR_UNITS + ["single"] * (ORDERS - NEAR_UNITS))
