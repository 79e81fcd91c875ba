"""Payments: record what the provider told us; a success moves the order on.

A success the order does not need (already paid, cancelled) is kept and owed
back, never merged silently. The same provider reference twice is one payment.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.config import Settings, get_settings
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, InsufficientStock, ValidationFailed
from orderflow.orders import lifecycle, placement, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.schemas import PaymentIn
from orderflow.orders.status import Status
from orderflow.payments.models import Payment, PaymentMethod, PaymentState
from orderflow.review import service as review

_NEEDS_PAYMENT = (Status.PENDING_PAYMENT,)


def _amount(order: Order, cmd: PaymentIn) -> int:
    currency = (cmd.currency or order.currency).upper()
    if currency != order.currency:
        raise ValidationFailed(
            [
                FieldProblem(
                    "currency",
                    "money.currency_mismatch",
                    f"payment is in {currency}, order in {order.currency}",
                )
            ]
        )
    try:
        minor = money.to_minor(cmd.amount, order.currency)
    except money.MoneyError as exc:
        raise ValidationFailed([FieldProblem("amount", "money.invalid", str(exc))]) from exc
    if minor <= 0:
        raise ValidationFailed([FieldProblem("amount", "money.not_positive", "must be positive")])
    return minor


def apply_payment(
    s: Session, order: Order, cmd: PaymentIn, *, actor: Actor, settings: Settings
) -> Payment:
    """A step: record one payment notice against a locked order."""
    amount = _amount(order, cmd)
    if cmd.external_ref:
        seen = s.scalars(
            select(Payment).where(
                Payment.method == cmd.method, Payment.external_ref == cmd.external_ref
            )
        ).first()
        if seen is not None:
            if seen.order_id != order.id:
                raise Conflict(
                    f"payment reference {cmd.external_ref} belongs to another order",
                    code="payment.reference_reused",
                )
            return seen
    now = clock.utcnow()
    payment = Payment(
        order_id=order.id,
        method=cmd.method,
        state=cmd.state,
        amount_minor=amount,
        currency=order.currency,
        external_ref=cmd.external_ref,
        owed_back=False,
        failure_reason=cmd.failure_reason,
        created_at=now,
        updated_at=now,
    )
    s.add(payment)
    s.flush()
    data = {
        "payment_id": payment.id,
        "method": cmd.method.value,
        "amount": money.to_str(amount, order.currency),
    }
    if cmd.state is PaymentState.FAILED:
        lifecycle.record(
            s, order, "payment.failed", actor=actor, reason=cmd.failure_reason, data=data
        )
        if order.status in _NEEDS_PAYMENT:  # tell the customer how to pay again
            deadline = order.payment_deadline_at
            lifecycle.owe(s, order, "payment.failed",
                          {**data, "pay_by": deadline.isoformat() if deadline else None},
                          key_suffix=f":{payment.id}")
    elif cmd.state is PaymentState.SUCCEEDED:
        _succeeded(s, order, payment, actor=actor, settings=settings, data=data)
    else:
        lifecycle.record(s, order, f"payment.{cmd.state.value}", actor=actor, data=data)
    return payment


# After a change raised the total, the difference is paid on an order that is past payment.
_TOPS_UP = frozenset({Status.PAID, Status.AWAITING_REVIEW, Status.APPROVED, Status.ALLOCATED,
                      Status.PICKING, Status.PACKED})


def _takes_payment(order: Order) -> bool:
    if order.status is Status.ON_HOLD:
        return order.hold_resume_status in _TOPS_UP
    return order.status in _NEEDS_PAYMENT or order.status in _TOPS_UP


def _succeeded(
    s: Session,
    order: Order,
    payment: Payment,
    *,
    actor: Actor,
    settings: Settings,
    data: dict[str, str | int],
) -> None:
    if not _takes_payment(order) or order.paid_minor >= order.total_minor:
        payment.owed_back = True
        payment.owed_back_reason = (
            "order already paid" if order.status is not Status.CANCELLED else "order is cancelled"
        )
        order.refund_due_minor += payment.amount_minor
        lifecycle.record(
            s, order, "payment.duplicate", actor=actor, reason=payment.owed_back_reason, data=data
        )
        lifecycle.owe(s, order, "payment.owed_back", data, key_suffix=f":{payment.id}")
        return
    order.paid_minor += payment.amount_minor
    s.flush()
    lifecycle.record(s, order, "payment.succeeded", actor=actor, data=data)
    if order.paid_minor < order.total_minor or order.status not in _NEEDS_PAYMENT:
        return  # part of the price, or the difference after a change (orders/changes.py)
    lifecycle.transition(s, order, Status.PAID, actor=actor, reason="reason.payment_received",
                         data=data)
    lines = queries.lines_of(s, order.id)
    if settings.reserve_at == "payment":
        try:
            with s.begin_nested():  # a shortage must not lose the payment
                placement.reserve_order(s, order, lines)
        except InsufficientStock as exc:
            lifecycle.record(
                s,
                order,
                "stock.reservation_failed",
                actor=lifecycle.SYSTEM,
                reason=exc.detail,
                data={"sku": exc.sku},
            )
    lifecycle.transition(
        s, order, Status.AWAITING_REVIEW, actor=lifecycle.SYSTEM,
        reason="reason.paid_waiting_review"
    )
    review.review_order(s, order, lifecycle.SYSTEM, settings=settings)


def record_payment(
    db: Db, number: str, cmd: PaymentIn, *, actor: Actor, settings: Settings | None = None
) -> Payment:
    """The use case behind POST /orders/{number}/payments and the console form."""
    settings = settings or get_settings()
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        return apply_payment(s, order, cmd, actor=actor, settings=settings)


def confirm_cod(db: Db, number: str, *, actor: Actor) -> None:
    """A COD order skips payment and goes to review once the buyer confirms."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.AWAITING_REVIEW, actor=actor,
                             reason="reason.cod_confirmed")
        review.review_order(s, order, lifecycle.SYSTEM)


METHODS = [m.value for m in PaymentMethod]
