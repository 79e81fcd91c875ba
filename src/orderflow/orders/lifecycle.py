"""The order lifecycle: the one transition table, and the only code that sets a status.

`transition()` checks the edge and its guard, moves the status with a
compare-and-set on the order's version, writes one timeline row, and owes the
edge's notices through the outbox, all inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from orderflow import clock, money, outbox
from orderflow.errors import ConcurrentChange, IllegalTransition
from orderflow.orders.models import Order, TimelineEvent
from orderflow.orders.status import Status

S = Status
_HOLDABLE = (S.PAID, S.AWAITING_REVIEW, S.APPROVED, S.ALLOCATED, S.PICKING, S.PACKED)

TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.AWAITING_REVIEW, S.ON_HOLD, S.CANCELLED}),
    S.PAID: frozenset({S.AWAITING_REVIEW, S.APPROVED, S.ON_HOLD, S.CANCELLED}),
    S.AWAITING_REVIEW: frozenset({S.APPROVED, S.ON_HOLD, S.CANCELLED}),
    S.APPROVED: frozenset({S.ALLOCATED, S.AWAITING_REVIEW, S.ON_HOLD, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.PENDING_PAYMENT, *_HOLDABLE, S.CANCELLED}),
    # No way back from ALLOCATED to APPROVED: the lines hold allocated units, and an
    # edge here let "approve" move an allocated order back while its stock stayed
    # allocated (nothing un-allocates; cancel releases). Every route goes through check().
    S.ALLOCATED: frozenset({S.PICKING, S.ON_HOLD, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.ALLOCATED, S.ON_HOLD, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.PICKING, S.ON_HOLD, S.CANCELLED}),
    S.SHIPPED: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION}),
    S.DELIVERED: frozenset({S.COMPLETED, S.EXCEPTION}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The customer milestone each edge owes (by target status). None: nothing owed.
OWES: dict[Status, str] = {
    S.PAID: "order.paid",
    S.APPROVED: "order.confirmed",  # once: the key makes a second approval a no-op
    S.SHIPPED: "order.shipped",
    S.OUT_FOR_DELIVERY: "order.out_for_delivery",
    S.DELIVERED: "order.delivered",
    S.EXCEPTION: "order.exception",
    S.CANCELLED: "order.cancelled",
}
PLACED_MILESTONE = "order.received"


@dataclass(frozen=True)
class Actor:
    kind: str  # staff | api | system | customer | channel
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


SYSTEM = Actor("system", "orderflow")

Guard = Callable[[Order, Status], str | None]


def _fully_paid(order: Order, _to: Status) -> str | None:
    if order.paid_minor < order.total_minor:
        owed = money.to_str(order.total_minor - order.paid_minor, order.currency)
        return f"order is not fully paid ({owed} {order.currency} outstanding)"
    return None


def _paid_or_cod(order: Order, to: Status) -> str | None:
    return None if order.cod else _fully_paid(order, to)


def _resume_target(order: Order, to: Status) -> str | None:
    if order.hold_resume_status is not None and to not in (order.hold_resume_status, S.CANCELLED):
        return f"a held order resumes to {order.hold_resume_status.value}, not {to.value}"
    return None


GUARDS: dict[tuple[Status, Status], Guard] = {
    (S.PENDING_PAYMENT, S.PAID): _fully_paid,
    (S.PENDING_PAYMENT, S.AWAITING_REVIEW): lambda o, _to: (
        None if o.cod else "only COD orders skip payment"
    ),
    (S.AWAITING_REVIEW, S.APPROVED): _paid_or_cod,
    **{(S.ON_HOLD, to): _resume_target for to in TRANSITIONS[S.ON_HOLD]},
}


def check(order: Order, to: Status) -> None:
    """The pure guard: raises IllegalTransition with a reason a person can read."""
    current = order.status
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"order {order.number} cannot go from {current.value} to {to.value}",
            code="order.illegal_transition",
        )
    guard = GUARDS.get((current, to))
    problem = guard(order, to) if guard else None
    if problem:
        raise IllegalTransition(f"order {order.number}: {problem}", code="order.guard_failed")


def milestone_payload(
    order: Order, milestone: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The snapshot a notice renders from: what the customer must see, frozen now."""
    return {
        "milestone": milestone,
        "order_id": order.id,
        "order_number": order.number,
        "status": order.status.value,
        "language": order.language,
        "currency": order.currency,
        "total": money.to_str(order.total_minor, order.currency),
        **(data or {}),
    }


def owe(
    s: Session,
    order: Order,
    milestone: str,
    data: dict[str, Any] | None = None,
    *,
    key_suffix: str = "",
    available_at: datetime | None = None,
) -> None:
    outbox.add(
        s,
        milestone,
        key=f"order:{order.id}:{milestone}{key_suffix}",
        order_id=order.id,
        payload=milestone_payload(order, milestone, data),
        available_at=available_at,
    )


def record(
    s: Session,
    order: Order,
    kind: str,
    *,
    actor: Actor,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    from_status: Status | None = None,
    to_status: Status | None = None,
) -> None:
    """A timeline row that is not a status change (payment noted, remark edited, ...)."""
    s.add(
        TimelineEvent(
            order_id=order.id,
            at=clock.utcnow(),
            actor=str(actor),
            kind=kind,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value if to_status else None,
            reason=reason,
            data=data or {},
        )
    )


def start(s: Session, order: Order, *, actor: Actor, initial: Status = S.PENDING_PAYMENT) -> None:
    """Give a new (flushed) order its first status and owe the 'order received' notice."""
    set_committed_value(order, "status", initial)
    record(s, order, "order.placed", actor=actor, to_status=initial)
    owe(s, order, PLACED_MILESTONE)


def transition(
    s: Session,
    order: Order,
    to: Status,
    *,
    actor: Actor,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    check(order, to)
    current = order.status
    now = clock.utcnow()
    resume = order.hold_resume_status
    if to is S.ON_HOLD:
        resume = current
    elif current is S.ON_HOLD:
        resume = None
    result = s.execute(
        update(Order)
        .where(Order.id == order.id, Order.version == order.version)
        .values(status=to, version=Order.version + 1, updated_at=now, hold_resume_status=resume)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange(f"order {order.number} was changed concurrently; reload and retry")
    set_committed_value(order, "status", to)
    set_committed_value(order, "version", order.version + 1)
    set_committed_value(order, "updated_at", now)
    set_committed_value(order, "hold_resume_status", resume)
    record(
        s,
        order,
        "status.changed",
        actor=actor,
        reason=reason,
        data=data,
        from_status=current,
        to_status=to,
    )
    milestone = OWES.get(to)
    if milestone:
        owe(s, order, milestone, {**(data or {}), "reason": reason} if reason else data)


def can(order: Order, to: Status) -> bool:
    try:
        check(order, to)
    except IllegalTransition:
        return False
    return True
