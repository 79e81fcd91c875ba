"""What the carriers said, read from the tracking adapters' `tracking_events` table:
when each parcel was last seen, and the problem events that open exception cases.

The scan follows the table by id with a cursor row (`logistics_cursors`), advanced by
a compare-and-set, so any number of workers may run it: the loser of a race rolls
back and reads the next batch. Events younger than a few seconds wait for the next
round, so an event whose transaction commits late (a lower id) is not skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.config import Settings
from orderflow.errors import ConcurrentChange
from orderflow.fulfilment.models import Shipment
from orderflow.logistics import cases, rules
from orderflow.logistics.models import CaseKind, CaseState, ExceptionCase, ScanCursor
from orderflow.orders import queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.tracking.models import ShipmentTracking, TrackingEvent

CURSOR = "carrier_events"
SETTLE = timedelta(seconds=5)
# The adapters' `problem` words that name the case directly.
PROBLEM_KIND: dict[str, CaseKind] = {"lost": CaseKind.LOST, "damaged": CaseKind.DAMAGED,
                                     "delayed": CaseKind.STALLED}
# Cases a later carrier event settles by itself: (event status) -> {kind: outcome}.
SETTLED_BY: dict[str, dict[CaseKind, str]] = {
    "in_transit": {CaseKind.STALLED: "carrier_resolved"},
    "out_for_delivery": {CaseKind.STALLED: "carrier_resolved"},
    "delivered": {CaseKind.STALLED: "delivered", CaseKind.DELIVERY_FAILED: "delivered",
                  CaseKind.CARRIER_EXCEPTION: "delivered"},
}
# Kinds a parcel that was delivered since makes moot (a late, stale event).
MOOT_AFTER_DELIVERY = frozenset({CaseKind.STALLED, CaseKind.DELIVERY_FAILED,
                                 CaseKind.CARRIER_EXCEPTION})


def last_seen(s: Session, shipment_ids: Sequence[int]) -> dict[int, datetime]:
    """The newest carrier event time of each parcel (parcels without events: absent)."""
    if not shipment_ids:
        return {}
    rows = s.execute(select(TrackingEvent.shipment_id, func.max(TrackingEvent.occurred_at))
                     .where(TrackingEvent.shipment_id.in_(list(shipment_ids)))
                     .group_by(TrackingEvent.shipment_id)).all()
    return {sid: clock.as_utc(at) for sid, at in rows if at is not None}


@dataclass(frozen=True)
class Batch:
    events: list[TrackingEvent]
    start: int
    end: int


def _cursor(s: Session) -> int:
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(insert(ScanCursor).values(name=CURSOR, position=0)
              .on_conflict_do_nothing(index_elements=["name"]))
    stmt = select(ScanCursor.position).where(ScanCursor.name == CURSOR)
    if s.get_bind().dialect.name == "postgresql":  # workers take turns on PostgreSQL too
        stmt = stmt.with_for_update()
    return int(s.scalar(stmt) or 0)


def next_events(s: Session, *, limit: int = 500, now: datetime | None = None) -> Batch | None:
    start = _cursor(s)
    settled = (now or clock.utcnow()) - SETTLE
    events = list(s.scalars(select(TrackingEvent)
                            .where(TrackingEvent.id > start, TrackingEvent.received_at < settled)
                            .order_by(TrackingEvent.id).limit(limit)))
    return Batch(events, start, events[-1].id) if events else None


def advance(s: Session, batch: Batch) -> None:
    moved = s.execute(update(ScanCursor)
                      .where(ScanCursor.name == CURSOR, ScanCursor.position == batch.start)
                      .values(position=batch.end).execution_options(synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange("another worker scanned these carrier events")


def kind_of(event: TrackingEvent) -> CaseKind | None:
    status = event.status.value
    if event.problem in PROBLEM_KIND and status == "exception":
        return PROBLEM_KIND[event.problem]
    return rules.kind_for(status, event.description)


def orders_with_open_cases(s: Session, events: Sequence[TrackingEvent]) -> set[int]:
    """One query per batch: which of these events' orders have an open case to settle."""
    order_ids = {e.order_id for e in events if e.status.value in SETTLED_BY}
    if not order_ids:
        return set()
    return set(s.scalars(select(ExceptionCase.order_id).where(
        ExceptionCase.order_id.in_(order_ids), ExceptionCase.state == CaseState.OPEN)))


def handle(s: Session, event: TrackingEvent, *, settings: Settings,
           open_orders: set[int] | None = None) -> int:
    """Open or settle the cases one carrier event calls for; returns 1 if it did anything.
    Most events (a parcel moving along, nothing open on its order) cost no query."""
    kind = kind_of(event)
    if kind is None and (event.status.value not in SETTLED_BY
                         or (open_orders is not None and event.order_id not in open_orders)):
        return 0
    shipment = s.get(Shipment, event.shipment_id)
    order_row = s.get(Order, event.order_id)
    if shipment is None or order_row is None:
        return 0
    actor = Actor("carrier", shipment.carrier.lower())
    order = queries.get_order_for_change(s, order_row.number)
    done = _settle(s, order, shipment, event.status.value, actor=actor)
    if kind is None or (kind in MOOT_AFTER_DELIVERY and _delivered_since(s, event)):
        return done
    _, created = cases.open_case(s, order, shipment, kind, actor=actor, settings=settings,
                                 detail=event.description or event.raw_code,
                                 source_event_id=event.id)
    if open_orders is not None:  # a later event of this batch may settle it
        open_orders.add(order.id)
    return max(done, int(created))


def _delivered_since(s: Session, event: TrackingEvent) -> bool:
    state = s.get(ShipmentTracking, event.shipment_id)
    return bool(state and state.delivered_at and state.status_at
                and clock.as_utc(state.status_at) > clock.as_utc(event.occurred_at))


def _settle(s: Session, order: Order, shipment: Shipment, status: str, *, actor: Actor) -> int:
    outcomes = SETTLED_BY.get(status)
    if not outcomes:
        return 0
    open_cases = s.scalars(select(ExceptionCase).where(
        ExceptionCase.order_id == order.id,
        ExceptionCase.tracking_number == shipment.tracking_number,
        ExceptionCase.state == CaseState.OPEN,
        ExceptionCase.kind.in_(list(outcomes)))).all()
    for case in open_cases:
        cases.resolve(s, order, case, outcomes[case.kind], actor=actor,
                      resolution=f"carrier reported {status}")
    return int(bool(open_cases))
