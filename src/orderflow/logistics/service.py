"""Use cases of logistics alerts and exceptions: one function per thing staff or the
worker does, each one transaction (batch jobs: one per chunk, a savepoint per item)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.auth.models import StaffUser
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import ConcurrentChange, Conflict, FieldProblem, NotFound, ValidationFailed
from orderflow.fulfilment.models import Shipment
from orderflow.logistics import cases, rules, sightings
from orderflow.logistics.models import CaseKind, CaseState, ExceptionCase
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order, TimelineEvent
from orderflow.orders.status import SHIPPED_OR_LATER, Status

IN_FLIGHT = (Status.SHIPPED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY)
CHUNK = 100


def _get_case(s: Session, case_id: int, *, for_change: bool = True) -> ExceptionCase:
    stmt = select(ExceptionCase).where(ExceptionCase.id == case_id)
    if for_change and s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    case = s.scalars(stmt).first()
    if case is None:
        raise NotFound(f"no exception case {case_id}", code="exception.not_found")
    return case


def _order_of(s: Session, case: ExceptionCase) -> Order:
    order = s.get(Order, case.order_id)
    assert order is not None
    return queries.get_order_for_change(s, order.number)


def _must_be_open(case: ExceptionCase) -> None:
    if case.state is not CaseState.OPEN:
        raise Conflict(f"exception case {case.id} is {case.state.value}",
                       code="exception.not_open")


# --- opening cases ------------------------------------------------------------------


def open_case(db: Db, number: str, kind: CaseKind, *, actor: Actor, settings: Settings,
              detail: str | None = None, tracking_number: str | None = None) -> int:
    """Staff open a case by hand (the customer called: the parcel arrived broken)."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        if order.status not in SHIPPED_OR_LATER:
            raise Conflict(f"order {order.number} has not shipped; nothing to track yet",
                           code="exception.not_shipped")
        shipment = _shipment(s, order, tracking_number)
        case, _ = cases.open_case(s, order, shipment, kind, actor=actor, settings=settings,
                                  detail=detail)
        return case.id


def _shipment(s: Session, order: Order, tracking_number: str | None) -> Shipment | None:
    if not tracking_number:
        return cases.latest_shipment(s, order.id)
    found = s.scalars(select(Shipment).where(
        Shipment.order_id == order.id,
        Shipment.tracking_number == tracking_number.strip().upper())).first()
    if found is None:
        raise ValidationFailed([FieldProblem("tracking_number", "shipment.unknown",
                                             "no parcel of this order has that number")])
    return found


def watch_silent_parcels(db: Db, settings: Settings, *, now: datetime | None = None,
                         limit: int = 500) -> int:
    """The worker's watchdog: a parcel with no carrier update for its carrier's (and
    service's) number of hours gets a STALLED case; the customer is told it may be late."""
    now = now or clock.utcnow()
    table = rules.parse_hours(settings.tracking_silent_hours, "tracking_silent_hours")
    shortest = min([table.default, *table.by_key.values()])
    with db.read() as s:
        candidates = s.execute(
            select(Shipment.id, Shipment.carrier, Shipment.service, Shipment.shipped_at)
            .join(Order, Order.id == Shipment.order_id)
            .where(Order.status.in_(IN_FLIGHT),
                   Shipment.shipped_at < now - timedelta(hours=shortest),
                   ~exists().where(ExceptionCase.order_id == Shipment.order_id,
                                   ExceptionCase.tracking_number == Shipment.tracking_number,
                                   ExceptionCase.kind == CaseKind.STALLED,
                                   ExceptionCase.state == CaseState.OPEN))
            .order_by(Shipment.id).limit(limit * 4)).all()
        seen = sightings.last_seen(s, [c.id for c in candidates])
    silent = [c.id for c in candidates
              if clock.as_utc(seen.get(c.id) or c.shipped_at)
              < now - timedelta(hours=rules.silent_hours(table, c.carrier, c.service))][:limit]
    opened = 0
    for start in range(0, len(silent), CHUNK):
        with db.transaction() as s:
            for shipment_id in silent[start:start + CHUNK]:
                opened += _open_stalled(s, shipment_id, table, settings, now)
    return opened


def _open_stalled(s: Session, shipment_id: int, table: rules.Hours, settings: Settings,
                  now: datetime) -> int:
    shipment = s.get(Shipment, shipment_id)
    assert shipment is not None
    order = s.get(Order, shipment.order_id)
    assert order is not None
    order = queries.get_order_for_change(s, order.number)
    if order.status not in IN_FLIGHT:  # moved on since the read
        return 0
    hours = rules.silent_hours(table, shipment.carrier, shipment.service)
    detail = f"no carrier update for {hours:g} h"
    _, created = cases.open_case(s, order, shipment, CaseKind.STALLED, actor=SYSTEM,
                                 settings=settings, detail=detail, now=now,
                                 data={"silent_hours": hours})
    return int(created)


def scan_carrier_events(db: Db, settings: Settings, *, limit: int = 500,
                        now: datetime | None = None) -> int:
    """The worker's job over the carrier events the tracking adapters store: a failed
    attempt, an exception, a parcel returning or returned opens a case; movement again
    resolves a silent-parcel case, a delivery resolves a failed-attempt case."""
    try:
        with db.transaction() as s:
            batch = sightings.next_events(s, limit=limit, now=now)
            if batch is None:
                return 0
            handled = 0
            open_orders = sightings.orders_with_open_cases(s, batch.events)
            for event in batch.events:
                handled += sightings.handle(s, event, settings=settings,
                                            open_orders=open_orders)
            sightings.advance(s, batch)
    except ConcurrentChange:  # another worker took this batch; ours rolled back whole
        return 0
    return handled


# --- staff actions ------------------------------------------------------------------


def assign_case(db: Db, case_id: int, owner: str | None, *, actor: Actor) -> None:
    """Give the case to a staff user (by user name), or take it from whoever has it."""
    with db.transaction() as s:
        case = _get_case(s, case_id)
        _must_be_open(case)
        user = None
        if owner:
            user = s.scalars(select(StaffUser).where(StaffUser.username == owner,
                                                     StaffUser.active.is_(True))).first()
            if user is None:
                raise ValidationFailed([FieldProblem("owner", "owner.unknown",
                                                     f"no active staff user '{owner}'")])
        case.owner_id = user.id if user else None
        order = _order_of(s, case)
        cases.record_action(s, order, case, "assigned", actor=actor, note=None,
                            owner=user.username if user else None)


def act_on_case(db: Db, case_id: int, action: str, *, actor: Actor, note: str | None = None,
                amount: str | None = None, carrier: str | None = None,
                tracking_number: str | None = None, service: str = "standard",
                transit_days: int = 3) -> None:
    """contact_carrier, reship (with a new tracking number: the replacement parcel ships
    and the case resolves), refund (a refund owed on the order) or a note."""
    if action not in rules.ACTIONS:
        raise ValidationFailed([FieldProblem("action", "action.unknown",
                                             f"choose one of {', '.join(rules.ACTIONS)}")])
    if action in ("contact_carrier", "note") and not (note or "").strip():
        raise ValidationFailed([FieldProblem("note", "note.required",
                                             "say what was done or agreed")])
    with db.transaction() as s:
        case = _get_case(s, case_id)
        _must_be_open(case)
        order = _order_of(s, case)
        if action == "refund":
            _refund(s, order, case, amount or "", actor=actor, note=note)
        elif action == "reship":
            _reship(s, order, case, actor=actor, note=note, carrier=carrier,
                    tracking_number=tracking_number, service=service, transit_days=transit_days)
        else:
            cases.record_action(s, order, case, action, actor=actor, note=note.strip()
                                if note else None)


def _refund(s: Session, order: Order, case: ExceptionCase, amount: str, *, actor: Actor,
            note: str | None) -> None:
    refundable = max(order.paid_minor - order.refund_due_minor, 0)
    minor = rules.refund_minor(amount, order.currency, refundable)
    order.refund_due_minor += minor
    case.refund_minor += minor
    lifecycle.record(s, order, "refund.owed", actor=actor,
                     reason=note or f"logistics exception: {case.kind.value}",
                     data={"amount_minor": minor, "case_id": case.id})
    cases.record_action(s, order, case, "refund", actor=actor, note=note, amount_minor=minor)


def _reship(s: Session, order: Order, case: ExceptionCase, *, actor: Actor, note: str | None,
            carrier: str | None, tracking_number: str | None, service: str,
            transit_days: int) -> None:
    number = (tracking_number or "").strip().upper()
    if not number:  # the request: the warehouse prepares a replacement
        cases.record_action(s, order, case, "reship", actor=actor, note=note, requested=True)
        return
    code = (carrier or "").strip().upper()
    if not code:
        raise ValidationFailed([FieldProblem("carrier", "carrier.required",
                                             "name the carrier of the replacement parcel")])
    now = clock.utcnow()
    replacement = Shipment(order_id=order.id, carrier=code,
                           service=service or "standard", tracking_number=number, shipped_at=now,
                           estimated_delivery_at=now + timedelta(days=transit_days))
    s.add(replacement)
    s.flush()
    order.search_text = f"{order.search_text} {number.lower()}"
    cases.record_action(s, order, case, "reship", actor=actor, note=note,
                        shipment_id=replacement.id, new_carrier=replacement.carrier,
                        new_tracking_number=number)
    lifecycle.owe(s, order, "order.shipped",
                  {"carrier": replacement.carrier, "tracking_number": number,
                   "service": replacement.service}, key_suffix=f":reship:{replacement.id}")
    cases.resolve(s, order, case, "reshipped", actor=actor,
                  resolution=note or f"replacement shipped: {replacement.carrier} {number}")


def resolve_case(db: Db, case_id: int, outcome: str, *, actor: Actor,
                 resolution: str | None = None) -> None:
    if outcome not in rules.OUTCOMES:
        raise ValidationFailed([FieldProblem("outcome", "outcome.unknown",
                                             f"choose one of {', '.join(rules.OUTCOMES)}")])
    with db.transaction() as s:
        case = _get_case(s, case_id)
        _must_be_open(case)
        cases.resolve(s, _order_of(s, case), case, outcome, actor=actor,
                      resolution=(resolution or "").strip() or None)


def close_case(db: Db, case_id: int, *, actor: Actor, note: str | None = None) -> None:
    """RESOLVED (or OPEN, with a reason: a false alarm) -> CLOSED."""
    with db.transaction() as s:
        case = _get_case(s, case_id)
        if case.state is CaseState.CLOSED:
            raise Conflict(f"exception case {case.id} is already closed",
                           code="exception.not_open")
        order = _order_of(s, case)
        if case.state is CaseState.OPEN:
            if not (note or "").strip():
                raise ValidationFailed([FieldProblem(
                    "note", "note.required", "say why an unresolved case is closed")])
            cases.resolve(s, order, case, "no_action", actor=actor, resolution=note)
        case.state = CaseState.CLOSED
        case.closed_at = clock.utcnow()
        case.version += 1
        cases.record_action(s, order, case, "closed", actor=actor, note=note)


# --- delivery confirmation (签收) ----------------------------------------------------


def complete_delivered(db: Db, settings: Settings, *, now: datetime | None = None,
                       limit: int = 500) -> list[str]:
    """Delivered orders complete N days after delivery, unless after-sales is open
    (an open exception case counts)."""
    now = now or clock.utcnow()
    cutoff = now - timedelta(days=settings.auto_complete_days)
    delivered_at = (select(TimelineEvent.order_id, func.max(TimelineEvent.at).label("at"))
                    .where(TimelineEvent.kind == "status.changed",
                           TimelineEvent.to_status == Status.DELIVERED.value)
                    .group_by(TimelineEvent.order_id).subquery())
    with db.read() as s:
        numbers = list(s.scalars(
            select(Order.number).join(delivered_at, delivered_at.c.order_id == Order.id)
            .where(Order.status == Status.DELIVERED, delivered_at.c.at < cutoff,
                   ~exists().where(ExceptionCase.order_id == Order.id,
                                   ExceptionCase.state == CaseState.OPEN))
            .order_by(Order.id).limit(limit)))
    done: list[str] = []
    for start in range(0, len(numbers), CHUNK):
        with db.transaction() as s:
            for number in numbers[start:start + CHUNK]:
                if _complete(s, number, settings.auto_complete_days):
                    done.append(number)
    return done


def _complete(s: Session, number: str, days: int) -> bool:
    order = queries.get_order_for_change(s, number)
    if order.status is not Status.DELIVERED or s.scalar(select(exists().where(
            ExceptionCase.order_id == order.id, ExceptionCase.state == CaseState.OPEN))):
        return False
    lifecycle.transition(s, order, Status.COMPLETED, actor=SYSTEM,
                         reason="reason.auto_completed", data={"reason_params": {"days": days}})
    return True
