"""Deliveries of one new channel order racing each other on real connections: one order,
and it ends at the newest version whatever the arrival order (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from orderflow.channels import service as channels
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders.models import Order
from tests.channels.helpers import dumps, paid_shopify_order, shopify_headers


def test_eight_versions_of_one_new_order_at_once_make_one_order_at_the_newest(
        db: Db, settings: Settings, shops: None) -> None:
    bodies = []
    for minute in range(8):
        o = paid_shopify_order()
        o.update(id=777, updated_at=f"2026-11-20T08:0{minute}:00+00:00",
                 financial_status="paid" if minute >= 4 else "pending")
        o["shipping_address"]["address1"] = f"{minute} Race Street"
        bodies.append(dumps(o))
    start = threading.Barrier(len(bodies))
    answers: list[str] = []

    def send(body: bytes) -> None:
        headers = {k.lower(): v for k, v in shopify_headers(body, topic="orders/updated").items()}
        start.wait()
        answers.append(channels.receive(db, "shopify-us", headers, body, settings=settings).state)

    threads = [threading.Thread(target=send, args=(b,)) for b in reversed(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    channels.process_pending(db, settings, older_than_s=0)  # anything a crash would leave

    with db.read() as s:
        count = s.scalar(select(func.count()).select_from(Order))
        order = s.scalars(select(Order)).one()
    assert count == 1
    assert (order.address_detail, order.paid_minor) == ("7 Race Street", order.total_minor)
    assert sorted(answers).count("processed") >= 1
    assert set(answers) <= {"processed", "stale", "duplicate", "received"}
