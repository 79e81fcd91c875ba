"""Watchdogs the worker runs on a schedule, and the notice-coverage figures.

- A shipping notice not sent N minutes after the order shipped raises an alert;
  a dead one is re-sent once by the system.
- A paid order not shipped within the promised time owes the customer a delay
  notice (once) and raises an alert for staff.
- A logistics exception case past its due time raises an alert (once per case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Exists, String, and_, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from orderflow import circuits, clock
from orderflow.db import Db
from orderflow.logistics.models import CaseState, ExceptionCase
from orderflow.notify import service
from orderflow.notify.dispatch import raise_alert
from orderflow.notify.health import PREFIX, split_key
from orderflow.notify.models import Alert, Notice, NoticeState
from orderflow.orders import lifecycle
from orderflow.orders.models import Order, TimelineEvent
from orderflow.orders.status import Status
from orderflow.outbox import OutboxMessage

DELIVERED_STATES = (NoticeState.SENT, NoticeState.DELIVERED)
UNSHIPPED = (Status.PAID, Status.AWAITING_REVIEW, Status.APPROVED, Status.ALLOCATED,
             Status.PICKING, Status.PACKED, Status.ON_HOLD)


def _sent_for(row_id: Any) -> Exists:
    return exists().where(Notice.outbox_id == row_id, Notice.channel.in_(("email", "sms")),
                          Notice.state.in_(DELIVERED_STATES))


def _held_by_circuit(s: Session, row_id: Any) -> Any:
    """Owed notices waiting on a provider that is down: its circuit's alert speaks for
    them all (one alert per outage, not one per order)."""
    held = sorted({split_key(k)[0] for k in circuits.open_circuits(s, PREFIX)})
    if not held:
        return literal(False)
    return exists().where(Notice.outbox_id == row_id, Notice.channel.in_(held),
                          Notice.state.in_((NoticeState.QUEUED, NoticeState.SENDING)))


def unsent_shipping_notices(db: Db, *, after_minutes: int = 15) -> int:
    cutoff = clock.utcnow() - timedelta(minutes=after_minutes)
    raised = 0
    with db.transaction() as s:
        rows = s.execute(select(OutboxMessage.id, OutboxMessage.order_id, Order.number)
                         .join(Order, Order.id == OutboxMessage.order_id)
                         .where(OutboxMessage.kind == "order.shipped",
                                OutboxMessage.created_at < cutoff, ~_sent_for(OutboxMessage.id),
                                ~_held_by_circuit(s, OutboxMessage.id))
                         .limit(500)).all()
        for row_id, order_id, number in rows:
            _resend_dead(s, row_id)
            raise_alert(s, f"watchdog.shipping_notice:{row_id}", "notice.shipping_not_sent",
                        order_id, f"order {number} shipped {after_minutes}+ minutes ago and the "
                        "customer has not been told")
            raised += 1
    return raised


def _resend_dead(s: Session, row_id: int) -> None:
    """A dead shipping notice is tried once more, as an explicit system re-send."""
    dead = s.scalars(select(Notice).where(Notice.outbox_id == row_id,
                                          Notice.state == NoticeState.DEAD)).all()
    for notice in dead:
        service.resend_step(s, notice, actor=lifecycle.SYSTEM)


def late_orders(db: Db, *, ship_within_hours: int = 48) -> int:
    """Owe a delay notice to every paid order not shipped in time (once per order)."""
    cutoff = clock.utcnow() - timedelta(hours=ship_within_hours)
    paid_at = (select(TimelineEvent.order_id, func.min(TimelineEvent.at).label("at"))
               .where(TimelineEvent.to_status == Status.PAID.value)
               .group_by(TimelineEvent.order_id).subquery())
    owed = 0
    with db.transaction() as s:
        orders = s.scalars(select(Order).join(paid_at, paid_at.c.order_id == Order.id)
                           .where(Order.status.in_(UNSHIPPED), paid_at.c.at < cutoff,
                                  ~_delay_owed(Order.id)).limit(500)).all()
        for order in orders:
            lifecycle.owe(s, order, "order.delayed",
                          {"reason": "not shipped within the promised time"})
            raise_alert(s, f"watchdog.late:{order.id}", "order.late", order.id,
                        f"order {order.number} was paid over {ship_within_hours} h ago and has "
                        "not shipped; the customer was sent a delay notice")
            owed += 1
    return owed


def _delay_owed(order_id: Any) -> Exists:
    return exists().where(and_(OutboxMessage.order_id == order_id,
                               OutboxMessage.kind == "order.delayed"))


OVERDUE_CASE = "exception.overdue"


def overdue_exceptions(db: Db) -> int:
    """A logistics exception case past its due time raises an alert for staff (once per
    case); the alert resolves itself when the case is no longer open."""
    now = clock.utcnow()
    key = literal(f"{OVERDUE_CASE}:") + cast(ExceptionCase.id, String)
    with db.transaction() as s:
        rows = s.execute(select(ExceptionCase.id, ExceptionCase.order_id, ExceptionCase.kind,
                                ExceptionCase.due_at, Order.number)
                         .join(Order, Order.id == ExceptionCase.order_id)
                         .where(ExceptionCase.state == CaseState.OPEN, ExceptionCase.due_at < now,
                                ~exists().where(Alert.key == key))
                         .order_by(ExceptionCase.due_at).limit(500)).all()
        for case_id, order_id, kind, due_at, number in rows:
            raise_alert(s, f"{OVERDUE_CASE}:{case_id}", OVERDUE_CASE, order_id,
                        f"exception case {case_id} ({kind.value}) on order {number} was due "
                        f"{clock.as_utc(due_at):%Y-%m-%d %H:%M} UTC and is still open")
        stale = s.scalars(select(Alert).where(Alert.kind == OVERDUE_CASE,
                                              Alert.resolved_at.is_(None))).all()
        ids = [int(a.key.rsplit(":", 1)[1]) for a in stale]
        states: dict[int, CaseState] = {}
        for case_id, state in s.execute(select(ExceptionCase.id, ExceptionCase.state)
                                        .where(ExceptionCase.id.in_(ids))):
            states[case_id] = state
        for alert in stale:
            if states.get(int(alert.key.rsplit(":", 1)[1])) is not CaseState.OPEN:
                alert.resolved_at = now
    return len(rows)


@dataclass(frozen=True)
class Coverage:
    shipped: int
    shipped_told_in_time: int
    paid: int
    paid_confirmed: int

    @property
    def shipping_share(self) -> float:
        return self.shipped_told_in_time / self.shipped if self.shipped else 1.0

    @property
    def confirmation_share(self) -> float:
        return self.paid_confirmed / self.paid if self.paid else 1.0


def _pairs(s: Session, kind: str, since: datetime) -> list[tuple[datetime, datetime | None]]:
    """(owed at, first customer-channel send) for each milestone owed since `since`."""
    first_sent = (select(Notice.outbox_id, func.min(Notice.sent_at).label("sent_at"))
                  .where(Notice.channel.in_(("email", "sms")), Notice.state.in_(DELIVERED_STATES))
                  .group_by(Notice.outbox_id).subquery())
    return [(r[0], r[1]) for r in s.execute(
        select(OutboxMessage.created_at, first_sent.c.sent_at)
        .outerjoin(first_sent, first_sent.c.outbox_id == OutboxMessage.id)
        .where(OutboxMessage.kind == kind, OutboxMessage.created_at >= since)).all()]


def coverage(db: Db, *, within_minutes: int = 15, days: int = 30) -> Coverage:
    """Over the last `days`: shipped orders told within N minutes; paid orders confirmed."""
    since = clock.utcnow() - timedelta(days=days)
    within = timedelta(minutes=within_minutes)
    with db.read() as s:
        shipped = _pairs(s, "order.shipped", since)
        paid = _pairs(s, "order.paid", since)
    told = sum(1 for owed, sent in shipped
               if sent is not None and clock.as_utc(sent) - clock.as_utc(owed) <= within)
    confirmed = sum(1 for _, sent in paid if sent is not None)
    return Coverage(len(shipped), told, len(paid), confirmed)
