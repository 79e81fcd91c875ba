"""Order desk use cases: review decisions, holds, cancellation, the unpaid deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.db import Db
from orderflow.errors import IllegalTransition
from orderflow.inventory import service as inventory
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order
from orderflow.orders.status import SHIPPED_OR_LATER, Status


def approve_order(db: Db, number: str, *, actor: Actor, reason: str | None = None) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.APPROVED, actor=actor,
                             reason=reason or "reason.approved")


def hold_order(db: Db, number: str, *, actor: Actor, reason: str) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.ON_HOLD, actor=actor, reason=reason)


def release_hold(db: Db, number: str, *, actor: Actor, reason: str | None = None) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        if order.status is not Status.ON_HOLD or order.hold_resume_status is None:
            raise IllegalTransition(f"order {order.number} is not on hold")
        lifecycle.transition(
            s, order, order.hold_resume_status, actor=actor,
            reason=reason or "reason.hold_released"
        )


def cancel(s: Session, order: Order, *, actor: Actor, reason: str) -> None:
    """A step: cancel, give the stock back, cancel the units, record any refund owed."""
    if order.status in SHIPPED_OR_LATER:
        raise IllegalTransition(
            f"order {order.number} has shipped; cancel it through after-sales (return/refund)",
            code="order.already_shipped",
        )
    lifecycle.transition(s, order, Status.CANCELLED, actor=actor, reason=reason)
    inventory.release(s, order.id)
    for line in queries.lines_of(s, order.id):
        line.reserved = line.allocated = line.picked = line.packed = 0
        line.cancelled = line.ordered - line.shipped
    if order.paid_minor > 0:
        order.refund_due_minor += order.paid_minor
        lifecycle.record(
            s,
            order,
            "refund.owed",
            actor=actor,
            reason="reason.paid_order_cancelled",
            data={"amount_minor": order.paid_minor},
        )


def cancel_order(db: Db, number: str, *, actor: Actor, reason: str) -> None:
    with db.transaction() as s:
        cancel(s, queries.get_order_for_change(s, number), actor=actor, reason=reason)


def expire_unpaid(db: Db, *, now: datetime | None = None, limit: int = 500) -> list[str]:
    """The worker's job: cancel orders whose payment deadline passed; stock comes back."""
    now = now or clock.utcnow()
    with db.read() as s:
        numbers = list(
            s.scalars(
                select(Order.number)
                .where(
                    Order.status == Status.PENDING_PAYMENT,
                    Order.cod.is_(False),
                    Order.payment_deadline_at < now,
                )
                .order_by(Order.id)
                .limit(limit)
            )
        )
    expired = []
    for number in numbers:
        with db.transaction() as s:
            order = queries.get_order_for_change(s, number)
            if order.status is not Status.PENDING_PAYMENT:  # paid in the meantime
                continue
            cancel(s, order, actor=SYSTEM, reason="reason.payment_deadline")
            expired.append(number)
    return expired
