"""End to end, on both databases, with the application's clock moved: orders come in
and are paid and approved through the HTTP API, the warehouse steps are the use cases
the console calls, and the worker's real job list (fan-out, delivery, reminders, the
unpaid deadline, the promise watchdog) does the rest.

Then: every shipped order's customer holds exactly one shipping notice per channel,
with carrier and tracking number; no unshipped order's customer holds one; every
order past its promise got exactly one delay notice per channel with a new estimate;
the unpaid order was reminded once and told of its cancellation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from orderflow import clock, worker
from orderflow.app import create_app
from orderflow.fulfilment import service as fulfilment
from orderflow.notify.models import Notice, NoticeState
from orderflow.orders.models import Order
from tests.builders.orders import NEEDS_REVIEW, STAFF, make_catalog, make_token, order_body
from tests.support.channels import RecordingChannel


def at_local(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def work(jobs: list[worker.Job], rounds: int = 6) -> None:
    """Worker rounds with every job due (the schedule is the process's monotonic clock)."""
    for _ in range(rounds):
        for job in jobs:
            job.next_at = 0.0
        worker.run_once(jobs)


def place(client: TestClient, i: int, *, paid: bool, **extra: object) -> str:
    body = order_body(customer={"name": f"顾客{i}", "phone": f"1380013{i:04d}",
                                "email": f"c{i}@example.com"}, **extra)
    if paid:
        body["payment"] = {"method": "alipay", "amount": "10.00", "external_ref": f"PAY-E2E-{i}"}
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def customer_notices(db, milestone: str) -> dict[str, Counter[str]]:
    """Order number -> channels that hold a sent notice of `milestone`."""
    found: dict[str, Counter[str]] = {}
    with db.read() as s:
        rows = s.execute(select(Order.number, Notice.channel).join(
            Order, Order.id == Notice.order_id).where(
            Notice.milestone == milestone, Notice.channel.in_(("email", "sms")),
            Notice.state == NoticeState.SENT)).all()
    for number, channel in rows:
        found.setdefault(number, Counter())[channel] += 1
    return found


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_every_time_node_through_the_api_and_the_worker_with_the_clock_moved(db, settings):
    make_catalog(db)
    email, sms = RecordingChannel("email"), RecordingChannel("sms")
    jobs = [j for j in worker.default_jobs(db, settings, {"email": email, "sms": sms})
            if j.name.startswith(("notify.", "orders."))]
    with TestClient(create_app(db, settings)) as client:
        client.headers["Authorization"] = f"Bearer {make_token(db)}"
        to_ship = [place(client, i, paid=True) for i in range(3)]
        waiting = [place(client, 3, paid=True), place(client, 4, paid=True, **NEEDS_REVIEW)]
        unpaid = place(client, 5, paid=False)
        assert client.post(f"/api/v1/orders/{waiting[1]}/approve", json={}).status_code == 200
        work(jobs)
        for number in to_ship:
            for step in ("allocate_order", "start_picking", "pack_order"):
                getattr(fulfilment, step)(db, number, actor=STAFF)
            fulfilment.ship_order(db, number, carrier="SF", tracking_number=f"SF{number}0",
                                  actor=STAFF)
        fulfilment.allocate_order(db, waiting[0], actor=STAFF)
        work(jobs)

        clock.advance(timedelta(minutes=21))  # ten minutes before the unpaid deadline
        work(jobs)
        clock.advance(timedelta(minutes=10))  # past it
        work(jobs)
        clock.set_now(at_local("2026-12-07T18:01"))  # past today's promise (18:00)
        work(jobs)
        clock.advance(timedelta(minutes=16))  # the staff hold is over
        work(jobs)
        clock.advance(timedelta(hours=12))  # before the new estimate: nothing new
        work(jobs)
        response = client.get(f"/api/v1/orders/{waiting[0]}")
        assert response.status_code == 200

    shipped = customer_notices(db, "order.shipped")
    assert shipped == {n: Counter({"email": 1, "sms": 1}) for n in to_ship}
    for number in to_ship:
        (text,) = [m.text for m in sms.sent if m.event_type == "order.shipped" and number in m.text]
        assert f"顺丰速运运单号SF{number}0" in text
    delayed = customer_notices(db, "order.delayed")
    assert delayed == {n: Counter({"email": 1, "sms": 1}) for n in waiting}
    for m in (m for m in sms.sent if m.event_type == "order.delayed"):
        assert "最新预计2026-12-08 18:00" in m.text
    assert customer_notices(db, "payment.reminder") == {unpaid: Counter({"sms": 1})}
    assert customer_notices(db, "order.cancelled") == {unpaid: Counter({"sms": 1})}
    confirmed = customer_notices(db, "order.confirmed")
    assert set(confirmed) == set(to_ship) | set(waiting)
    assert customer_notices(db, "order.paid") == {}  # every one replaced by its confirmation
