"""Issue 18, finding 8: the lifecycle refuses every transition its table does not allow,
whatever the route; a line change never ends in a CHECK constraint; the doctor sees an
order whose status disagrees with its lines."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from sqlalchemy import update

from orderflow import doctor
from orderflow.db import Db
from orderflow.orders import queries
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from tests.builders.orders import make_catalog, make_order


def _status(db, number):
    with db.read() as s:
        return queries.get_order(s, number).status


def test_finding_8_approving_an_allocated_order_is_refused_on_every_route(client, db, settings):
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=["paid", "approved", "allocated"])

    by_orders = client.post(f"/api/v1/orders/{number}/approve")
    by_review = client.post(f"/api/v1/review/orders/{number}/approve")
    in_bulk = client.post("/api/v1/review/bulk-approve", json={"numbers": [number]})

    assert by_orders.status_code == 409
    assert by_orders.headers["content-type"] == "application/problem+json"
    assert by_orders.json()["code"] == "order.illegal_transition"
    assert by_review.status_code == 409
    assert in_bulk.json()["approved"] == []
    assert _status(db, number) is Status.ALLOCATED


def test_finding_8_a_line_change_after_allocation_is_a_409_not_a_check_constraint(
        client, db, settings):
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=["paid", "approved", "allocated"])
    with db.transaction() as s:  # the state the old approve left behind
        s.execute(update(Order).where(Order.number == number).values(status=Status.APPROVED))

    r = client.post(f"/api/v1/orders/{number}/lines",
                    json={"lines": [{"sku": "SKU-1", "quantity": 2}], "reason": "more"})

    assert r.status_code == 409
    assert r.json()["code"] == "order.in_fulfilment"


def test_finding_8_doctor_reports_an_order_whose_status_disagrees_with_its_lines(db, settings):
    make_catalog(db)
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=["paid", "approved", "allocated"])
    with db.transaction() as s:
        s.execute(update(Order).where(Order.number == number).values(status=Status.APPROVED))
    out = StringIO()

    ok = doctor.run(settings, console=Console(file=out, width=200),
                    db_factory=lambda _url: Db(db.url))

    assert not ok
    assert (f"order {number}: status is approved but 1 unit(s) of its lines are allocated"
            in out.getvalue())
