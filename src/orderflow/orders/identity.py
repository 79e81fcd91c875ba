"""Staff join an order to a customer record: the one way two contacts become one customer.

Intake never merges people on a phone alone (an order's customer is the record with
exactly its contact). When staff know that an order with another contact belongs to an
existing customer (they called, the customer proved it), they link it here, with a
reason on the order's timeline; the order's link then shows that customer's messages.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.errors import FieldProblem, NotFound, ValidationFailed
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, TimelineEvent

LINKED = "customer.linked"


def link_customer(db: Db, number: str, customer_id: int, *, actor: Actor, reason: str) -> None:
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "reason.missing",
                                             "say how the customer was verified")])
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        if s.get(Customer, customer_id) is None:
            raise NotFound(f"no customer {customer_id}", code="customer.not_found")
        before = order.customer_id
        order.customer_id = customer_id
        lifecycle.record(s, order, LINKED, actor=actor, reason=reason.strip(),
                         data={"from": before, "to": customer_id})


def linked_by_staff(s: Session, order: Order) -> bool:
    """The order's current customer is the one staff last linked it to."""
    last = s.scalars(select(TimelineEvent).where(
        TimelineEvent.order_id == order.id, TimelineEvent.kind == LINKED)
        .order_by(TimelineEvent.id.desc()).limit(1)).first()
    return last is not None and last.data.get("to") == order.customer_id
