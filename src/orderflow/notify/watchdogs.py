"""Watchdogs the worker runs on a schedule, and the notice-coverage figures.

- A shipping notice not sent N minutes after the order shipped raises an alert;
  a dead one is re-sent once by the system.
- An order whose promised ship-by time (from review) passes without shipment owes
  the customer a delay notice with a reason code and a new estimate (the next working
  day's ship-by time), held `delay_hold_minutes` so staff can edit both; again only
  when that estimate passes too. Staff get an alert.
- An unpaid order gets one payment reminder `payment_reminder_minutes` before its
  payment deadline.
- A logistics exception case past its due time raises an alert (once per case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Exists, String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from orderflow import circuits, clock, texts
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.logistics.models import CaseState, ExceptionCase
from orderflow.notify import prefs, service
from orderflow.notify.dispatch import raise_alert
from orderflow.notify.health import PREFIX, split_key
from orderflow.notify.models import Alert, Notice, NoticeState
from orderflow.orders import lifecycle
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.outbox import OutboxMessage
from orderflow.review import promise
from orderflow.review import service as review
from orderflow.review.models import OrderReview

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
                        order_id, texts.render("en", "alert.shipping_not_sent",
                                               {"number": number, "minutes": after_minutes}))
            raised += 1
    return raised


def _resend_dead(s: Session, row_id: int) -> None:
    """A dead shipping notice is tried once more, as an explicit system re-send."""
    dead = s.scalars(select(Notice).where(Notice.outbox_id == row_id,
                                          Notice.state == NoticeState.DEAD)).all()
    for notice in dead:
        service.resend_step(s, notice, actor=lifecycle.SYSTEM)


DELAY_REASONS = ("late.not_shipped", "late.awaiting_review", "late.on_hold",
                 "late.in_warehouse")


def delay_reason(order: Order) -> str:
    """Why it is late, as a code the customer reads in their language."""
    if order.status in (Status.PAID, Status.AWAITING_REVIEW):
        return "late.awaiting_review"
    if order.status is Status.ON_HOLD:
        return "late.on_hold"
    if order.status in (Status.ALLOCATED, Status.PICKING, Status.PACKED):
        return "late.in_warehouse"
    return "late.not_shipped"


def late_orders(db: Db, settings: Settings, *, limit: int = 500) -> int:
    """Owe a delay notice to every unshipped order past its promise (or past the new
    estimate it was last given): once per round, never with a blank estimate."""
    now = clock.utcnow()
    owed = 0
    with db.transaction() as s:
        cfg = review.load_config(s)
        hold = timedelta(minutes=prefs.load(s).minutes("delay_hold_minutes"))
        due = func.coalesce(OrderReview.late_until, OrderReview.promised_ship_by)
        rows = s.execute(select(Order, OrderReview)
                         .join(OrderReview, OrderReview.order_id == Order.id)
                         .where(Order.status.in_(UNSHIPPED),
                                OrderReview.promised_ship_by.is_not(None), due < now)
                         .order_by(Order.id).limit(limit)).all()
        for order, row in rows:
            estimate = promise.next_estimate(now, settings.zone, cfg)
            row.late_rounds += 1
            row.late_until = estimate
            due_at = clock.as_utc(row.promised_ship_by) if row.promised_ship_by else now
            lifecycle.owe(s, order, "order.delayed", {
                "reason": delay_reason(order), "promise_round": row.late_rounds,
                "promised_ship_by": due_at.isoformat(), "new_estimate": estimate.isoformat(),
            }, key_suffix=f":promise:{row.late_rounds}", available_at=now + hold)
            raise_alert(s, f"watchdog.late:{order.id}:{row.late_rounds}", "order.late",
                        order.id, texts.render("en", "alert.late", {
                            "number": order.number, "due": f"{due_at:%Y-%m-%d %H:%M} UTC"}))
            owed += 1
    return owed


def remind_unpaid(db: Db, *, limit: int = 500) -> int:
    """One payment reminder per unpaid order, `payment_reminder_minutes` before its
    deadline (the fan-out drops it if the order is paid by then)."""
    now = clock.utcnow()
    key = literal("order:") + cast(Order.id, String) + literal(":payment.reminder")
    with db.transaction() as s:
        minutes = prefs.load(s).minutes("payment_reminder_minutes")
        if minutes <= 0:
            return 0
        orders = s.scalars(select(Order).where(
            Order.status == Status.PENDING_PAYMENT, Order.cod.is_(False),
            Order.payment_deadline_at > now,
            Order.payment_deadline_at <= now + timedelta(minutes=minutes),
            ~exists().where(OutboxMessage.idempotency_key == key),
        ).order_by(Order.id).limit(limit)).all()
        for order in orders:
            deadline = order.payment_deadline_at
            lifecycle.owe(s, order, "payment.reminder",
                          {"pay_by": deadline.isoformat() if deadline else None})
    return len(orders)


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
    paid_confirmed: int  # told by the payment notice or the confirmation replacing it
    late: int = 0  # promise delay notices owed
    late_told: int = 0
    corrected: int = 0  # corrected shipping notices owed
    corrected_told: int = 0

    @property
    def shipping_share(self) -> float:
        return self.shipped_told_in_time / self.shipped if self.shipped else 1.0

    @property
    def confirmation_share(self) -> float:
        return self.paid_confirmed / self.paid if self.paid else 1.0

    @property
    def delay_share(self) -> float:
        return self.late_told / self.late if self.late else 1.0

    @property
    def correction_share(self) -> float:
        return self.corrected_told / self.corrected if self.corrected else 1.0


def _first_sent() -> Any:
    return (select(Notice.outbox_id, func.min(Notice.sent_at).label("sent_at"))
            .where(Notice.channel.in_(("email", "sms")), Notice.state.in_(DELIVERED_STATES))
            .group_by(Notice.outbox_id).subquery())


def _pairs(s: Session, kind: str, since: datetime) -> list[tuple[datetime, datetime | None]]:
    """(owed at, first customer-channel send) for each milestone owed since `since`."""
    first_sent = _first_sent()
    return [(r[0], r[1]) for r in s.execute(
        select(OutboxMessage.created_at, first_sent.c.sent_at)
        .outerjoin(first_sent, first_sent.c.outbox_id == OutboxMessage.id)
        .where(OutboxMessage.kind == kind, OutboxMessage.created_at >= since)).all()]


def _confirmed(s: Session, since: datetime) -> tuple[int, int]:
    """Paid orders, and those told by the payment notice or the confirmation."""
    paid = select(OutboxMessage.order_id).where(OutboxMessage.kind == "order.paid",
                                                OutboxMessage.created_at >= since)
    told = (select(Notice.order_id).where(
        Notice.milestone.in_(("order.paid", "order.confirmed")),
        Notice.channel.in_(("email", "sms")), Notice.state.in_(DELIVERED_STATES),
        Notice.order_id.in_(paid)).distinct())
    total = s.scalar(select(func.count()).select_from(paid.subquery())) or 0
    done = s.scalar(select(func.count()).select_from(told.subquery())) or 0
    return int(total), int(done)


def coverage(db: Db, *, within_minutes: int = 15, days: int = 30) -> Coverage:
    """Over the last `days`: shipped orders told within N minutes; paid orders confirmed;
    promise delays and corrections told."""
    since = clock.utcnow() - timedelta(days=days)
    within = timedelta(minutes=within_minutes)
    with db.read() as s:
        shipped = _pairs(s, "order.shipped", since)
        paid, confirmed = _confirmed(s, since)
        late = _pairs(s, "order.delayed", since)
        corrected = _pairs(s, "order.shipment_corrected", since)
    told = sum(1 for owed, sent in shipped
               if sent is not None and clock.as_utc(sent) - clock.as_utc(owed) <= within)
    return Coverage(len(shipped), told, paid, confirmed,
                    len(late), sum(1 for _, sent in late if sent is not None),
                    len(corrected), sum(1 for _, sent in corrected if sent is not None))
