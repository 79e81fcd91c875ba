"""Gather the facts behind 'why is this order stuck?' (reads across orders, stock,
review and shipments, so it sits with the other cross-domain reads)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.aftersales import rules as aftersales_rules
from orderflow.aftersales.models import AftersalesCase, Refund, RefundState
from orderflow.fulfilment.models import Shipment
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.status import Status
from orderflow.review import messages
from orderflow.review.models import OrderReview
from orderflow.review.stuck import Blocker, StuckFacts, blockers

_SCANNED = [Status.IN_TRANSIT.value, Status.OUT_FOR_DELIVERY.value, Status.DELIVERED.value,
            Status.EXCEPTION.value]


def stuck_facts(s: Session, order: Order, zone: ZoneInfo, language: str) -> StuckFacts:
    cur = order.currency
    hold_reason = None
    if order.status is Status.ON_HOLD:
        hold_reason = s.scalar(
            select(TimelineEvent.reason).where(
                TimelineEvent.order_id == order.id, TimelineEvent.to_status == "on_hold")
            .order_by(TimelineEvent.id.desc()).limit(1))
    unreserved = {
        line.sku_code: line.ordered - line.cancelled - line.reserved
        for line in s.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
        if line.ordered - line.cancelled - line.reserved > 0
    }
    review = s.get(OrderReview, order.id)
    shipment = s.scalars(select(Shipment).where(Shipment.order_id == order.id)
                         .order_by(Shipment.id)).first()
    scanned = s.scalar(select(TimelineEvent.id).where(
        TimelineEvent.order_id == order.id, TimelineEvent.to_status.in_(_SCANNED)).limit(1))
    outstanding = order.total_minor - order.paid_minor
    deadline = order.payment_deadline_at
    cases, pending, failed = _aftersales(s, order)
    return StuckFacts(
        status=order.status, hold_reason=hold_reason,
        hold_resume_status=order.hold_resume_status, currency=cur,
        outstanding=money.to_str(outstanding, cur) if outstanding > 0 else None,
        cod=order.cod,
        payment_deadline=clock.local(deadline, zone).strftime("%Y-%m-%d %H:%M")
        if deadline else None,
        unreserved=unreserved,
        review_outcome=review.outcome if review else None,
        review_codes=tuple(f["code"] for f in review.findings) if review else (),
        review_reasons=tuple(messages.render(f["code"], f["params"], language)
                             for f in review.findings) if review else (),
        shipped_at=clock.as_utc(shipment.shipped_at) if shipment else None,
        has_shipment=shipment is not None,
        carrier_scanned=scanned is not None,
        refund_due=money.to_str(order.refund_due_minor, cur) if order.refund_due_minor else None,
        open_cases=cases, refund_pending=pending, refund_failed=failed,
    )


def _aftersales(s: Session, order: Order
                ) -> tuple[tuple[tuple[str, str], ...], str | None, bool]:
    """Open after-sales cases and refunds on the way or failed."""
    cases = tuple((n, st.value) for n, st in s.execute(
        select(AftersalesCase.number, AftersalesCase.state)
        .where(AftersalesCase.order_id == order.id,
               AftersalesCase.state.in_(aftersales_rules.OPEN_STATES))
        .order_by(AftersalesCase.id)))
    pending = int(s.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
        Refund.order_id == order.id, Refund.state == RefundState.PENDING)) or 0)
    failed = s.scalar(select(Refund.id).where(Refund.order_id == order.id,
                                              Refund.state == RefundState.FAILED).limit(1))
    return (cases, money.to_str(pending, order.currency) if pending else None,
            failed is not None)


def why_stuck(s: Session, order: Order, zone: ZoneInfo, language: str) -> list[Blocker]:
    return blockers(stuck_facts(s, order, zone, language), clock.utcnow())
