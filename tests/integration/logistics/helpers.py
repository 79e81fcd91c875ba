"""Helpers for logistics tests: carrier events through the tracking adapters' real step,
and read-backs of cases, outbox rows and the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from orderflow import clock
from orderflow.db import Db
from orderflow.fulfilment.models import Shipment
from orderflow.logistics.models import ExceptionCase
from orderflow.orders import queries
from orderflow.orders.models import Order
from orderflow.outbox import OutboxMessage
from orderflow.tracking import service as tracking
from orderflow.tracking.models import ShipmentTracking, TrackingEvent, TrackingStatus
from orderflow.tracking.rules import CarrierEvent


def carrier_says(db: Db, number: str, status: str, *, hours_ago: float = 0.0,
                 description: str = "", problem: str | None = None,
                 settle: bool = True) -> None:
    """One carrier event for the order's newest parcel, stored by the adapters' step;
    `settle` ages its arrival past the scanner's settling window."""
    at = clock.utcnow() - timedelta(hours=hours_ago)
    event = CarrierEvent(occurred_at=at, status=TrackingStatus(status), raw_code=status,
                         description=description or status, problem=problem)
    with db.transaction() as s:
        order = queries.get_order(s, number)
        shipment = s.scalars(select(Shipment).where(Shipment.order_id == order.id)
                             .order_by(Shipment.id.desc())).first()
        assert shipment is not None
        tracking.record_events(s, shipment, [event])
        if settle:
            for row in s.scalars(select(TrackingEvent).where(
                    TrackingEvent.shipment_id == shipment.id)):
                row.received_at = clock.utcnow() - timedelta(minutes=1)


def cases_of(db: Db, number: str) -> list[ExceptionCase]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return list(s.scalars(select(ExceptionCase).where(ExceptionCase.order_id == order.id)
                              .order_by(ExceptionCase.id)))


def status_of(db: Db, number: str) -> str:
    with db.read() as s:
        return queries.get_order(s, number).status.value


def order_of(db: Db, number: str) -> Order:
    with db.read() as s:
        return queries.get_order(s, number)


def owed(db: Db, number: str) -> list[tuple[str, str]]:
    """(kind, idempotency key suffix after the milestone) of the order's outbox rows."""
    with db.read() as s:
        order = queries.get_order(s, number)
        rows = s.execute(select(OutboxMessage.kind, OutboxMessage.idempotency_key)
                         .where(OutboxMessage.order_id == order.id)
                         .order_by(OutboxMessage.id)).all()
    return [(kind, key.split(kind, 1)[1]) for kind, key in rows]


def payload_of(db: Db, number: str, key_suffix: str, kind: str) -> dict[str, object]:
    with db.read() as s:
        order = queries.get_order(s, number)
        key = f"order:{order.id}:{kind}{key_suffix}"
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()
        return dict(row.payload)


def timeline_kinds(db: Db, number: str, prefix: str = "") -> list[str]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return [e.kind for e in queries.timeline_of(s, order.id) if e.kind.startswith(prefix)]


def later(hours: float) -> datetime:
    return clock.utcnow() + timedelta(hours=hours)


def backdate(db: Db, number: str, hours: float) -> None:
    """The order's parcels left `hours` earlier than they did (for transit figures)."""
    with db.transaction() as s:
        order = queries.get_order(s, number)
        for shipment in s.scalars(select(Shipment).where(Shipment.order_id == order.id)):
            shipment.shipped_at -= timedelta(hours=hours)
            if shipment.estimated_delivery_at:
                shipment.estimated_delivery_at -= timedelta(hours=hours)
            track = s.get(ShipmentTracking, shipment.id)
            if track is not None:
                track.handed_over_at -= timedelta(hours=hours)
                if track.first_eta_at:
                    track.first_eta_at -= timedelta(hours=hours)
