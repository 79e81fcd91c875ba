"""Steps on exception cases (each takes a Session and never commits): open one, tell
the customer, record an action, resolve. The use cases in `service.py` call these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.config import Settings
from orderflow.fulfilment.models import Shipment
from orderflow.logistics import rules
from orderflow.logistics.models import CaseKind, CaseState, ExceptionCase
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.outbox import OutboxMessage

# Orders whose parcel is still the customer's concern: a case on them is told.
TELLABLE = frozenset({Status.SHIPPED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY,
                      Status.DELIVERED, Status.EXCEPTION})


def find_open(s: Session, order_id: int, tracking_number: str,
              kind: CaseKind) -> ExceptionCase | None:
    return s.scalars(select(ExceptionCase).where(
        ExceptionCase.order_id == order_id, ExceptionCase.tracking_number == tracking_number,
        ExceptionCase.kind == kind, ExceptionCase.state == CaseState.OPEN)).first()


def open_case(s: Session, order: Order, shipment: Shipment | None, kind: CaseKind, *,
              actor: Actor, settings: Settings, detail: str | None = None,
              now: datetime | None = None, source_event_id: int | None = None,
              data: dict[str, Any] | None = None) -> tuple[ExceptionCase, bool]:
    """An open case for this parcel and kind: the existing one, or a new one that is on
    the order's timeline and told to the customer. Returns (case, created)."""
    tracking = shipment.tracking_number if shipment else ""
    existing = find_open(s, order.id, tracking, kind)
    if existing is not None:
        return existing, False
    now = now or clock.utcnow()
    due = rules.due_at(rules.parse_hours(settings.exception_due_hours, "exception_due_hours"),
                       kind, now)
    case = ExceptionCase(
        order_id=order.id, shipment_id=shipment.id if shipment else None, kind=kind,
        state=CaseState.OPEN, carrier=shipment.carrier if shipment else "",
        service=shipment.service if shipment else "", tracking_number=tracking,
        detail=detail, opened_at=now, due_at=due, opened_by=str(actor), actions=0,
        refund_minor=0, version=1, source_event_id=source_event_id, data=data or {})
    try:
        with s.begin_nested():  # another worker opened the same case a moment ago
            s.add(case)
            s.flush()
    except IntegrityError:
        raced = find_open(s, order.id, tracking, kind)
        if raced is None:
            raise
        return raced, False
    lifecycle.record(s, order, "exception.opened", actor=actor, reason=detail,
                     data=_case_data(case))
    tell_customer(s, order, case, actor=actor)
    return case, True


def _case_data(case: ExceptionCase, **extra: Any) -> dict[str, Any]:
    return {"case_id": case.id, "kind": case.kind.value, "carrier": case.carrier,
            "tracking_number": case.tracking_number, **extra}


def _owed(s: Session, order: Order, milestone: str) -> bool:
    key = f"order:{order.id}:{milestone}"
    return bool(s.scalar(select(exists().where(OutboxMessage.idempotency_key == key))))


def tell_customer(s: Session, order: Order, case: ExceptionCase, *, actor: Actor) -> None:
    """A problem kind moves the order to EXCEPTION (owing order.exception); a silent
    parcel owes order.delayed. Each case is told once, even when the order already had
    the same milestone for an earlier case (the outbox key then names the case)."""
    if order.status not in TELLABLE:
        return
    reasons = rules.CUSTOMER_REASON[case.kind]
    data = {"carrier": case.carrier, "tracking_number": case.tracking_number,
            "case_id": case.id, "reason_i18n": reasons,
            "reason": reasons.get(order.language, reasons["en"])}
    milestone = "order.exception" if case.kind in rules.EXCEPTION_KINDS else "order.delayed"
    if milestone == "order.delayed" and order.status is Status.DELIVERED:
        return  # "may be late" to someone who has the parcel: no
    told_before = _owed(s, order, milestone)
    if milestone == "order.exception" and lifecycle.can(order, Status.EXCEPTION) \
            and order.status is not Status.EXCEPTION:
        lifecycle.transition(s, order, Status.EXCEPTION, actor=actor, reason=case.detail
                             or case.kind.value, data=data)
        if not told_before:
            return
    lifecycle.owe(s, order, milestone, data,
                  key_suffix="" if not told_before else f":case:{case.id}")


def record_action(s: Session, order: Order, case: ExceptionCase, action: str, *,
                  actor: Actor, note: str | None, **data: Any) -> None:
    now = clock.utcnow()
    case.last_action = action
    case.last_action_at = now
    case.actions += 1
    case.version += 1
    lifecycle.record(s, order, f"exception.{action}", actor=actor, reason=note,
                     data=_case_data(case, **data))


def others_open(s: Session, case: ExceptionCase) -> bool:
    """Another open problem case on the same order keeps it in EXCEPTION."""
    return bool(s.scalar(select(exists().where(
        ExceptionCase.order_id == case.order_id, ExceptionCase.id != case.id,
        ExceptionCase.state == CaseState.OPEN,
        ExceptionCase.kind.in_(list(rules.EXCEPTION_KINDS))))))


def resolve(s: Session, order: Order, case: ExceptionCase, outcome: str, *, actor: Actor,
            resolution: str | None) -> None:
    """OPEN -> RESOLVED; an order in EXCEPTION moves on when no other problem is open."""
    now = clock.utcnow()
    case.state = CaseState.RESOLVED
    case.outcome = outcome
    case.resolution = resolution
    case.resolved_at = now
    case.version += 1
    lifecycle.record(s, order, "exception.resolved", actor=actor, reason=resolution,
                     data=_case_data(case, outcome=outcome))
    target = rules.ORDER_AFTER.get(outcome)
    if order.status is Status.EXCEPTION and target is not None and not others_open(s, case) \
            and lifecycle.can(order, target):
        lifecycle.transition(s, order, target, actor=actor,
                             reason=resolution or f"exception resolved: {outcome}")
        if target is Status.DELIVERED:
            for line in queries.lines_of(s, order.id):
                line.delivered = line.shipped


def latest_shipment(s: Session, order_id: int) -> Shipment | None:
    return s.scalars(select(Shipment).where(Shipment.order_id == order_id)
                     .order_by(Shipment.id.desc())).first()
