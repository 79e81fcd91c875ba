"""A burst of ten times the usual webhook pushes: every push is answered at once (applied
inline while there is room, stored for the worker past that), and the worker drains
what was queued: one order per push, none lost, none twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from orderflow import clock
from orderflow.channels import service as channels
from orderflow.channels.models import ChannelDelivery, DeliveryState
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders.models import Order
from tests.channels.helpers import dumps, paid_shopify_order, shopify_headers

USUAL = 12  # a usual minute's pushes
BURST = USUAL * 10  # all at once


def push(client: TestClient, i: int) -> tuple[int, str]:
    order = paid_shopify_order()
    order["id"], order["name"] = 900_000 + i, f"#B{i}"
    body = dumps(order)
    r = client.post("/api/hooks/shopify-us", content=body, headers=shopify_headers(body))
    return r.status_code, r.json().get("state", "")


def test_ten_times_the_usual_pushes_are_answered_queued_and_drained(
        hook_client: TestClient, db: Db, settings: Settings) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda i: push(hook_client, i), range(BURST)))

    assert {status for status, _ in answers} == {200}
    assert {state for _, state in answers} <= {"processed", "received"}
    queued = sum(1 for _, state in answers if state == "received")
    clock.advance(timedelta(seconds=6))
    for _ in range(BURST):
        if channels.process_pending(db, settings) == 0:
            break
    with db.read() as s:
        states = dict(s.execute(select(ChannelDelivery.state, func.count())
                                .group_by(ChannelDelivery.state)).all())
        orders = s.scalar(select(func.count()).select_from(Order))

    assert states == {DeliveryState.PROCESSED: BURST}
    assert orders == BURST
    print(f"\n{BURST} pushes: {BURST - queued} applied inline, {queued} queued and drained")
