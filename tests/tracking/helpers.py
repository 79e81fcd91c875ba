"""Builders for tracking tests: a parcel shipped through the real use cases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment.models import Shipment
from orderflow.orders.models import Order
from orderflow.outbox import OutboxMessage
from orderflow.tracking import service as tracking
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import TrackingEvent, TrackingStatus
from orderflow.tracking.rules import CarrierEvent
from tests.builders.orders import STAFF, make_order

PACKED = ["paid", "approved", "allocated", "picking", "packed"]
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
TRACKING = TrackingSettings(simulated_secret="sim-test-secret")


@dataclass
class Parcel:
    number: str  # order number
    tracking_number: str
    shipment_id: int


def ship(db: Db, settings: Settings, *, carrier: str = "SF", tracking_number: str | None = None,
         tracking_settings: TrackingSettings = TRACKING) -> Parcel:
    number = make_order(db, settings, path=PACKED)
    tn = tracking_number or f"SF{number}0"
    shipment_id = tracking.ship_parcel(db, number, carrier=carrier, tracking_number=tn,
                                       actor=STAFF, settings=tracking_settings)
    return Parcel(number, tn, shipment_id)


def pickup_mode(hours: float = 24.0) -> TrackingSettings:
    return replace(TRACKING, shipped_at="pickup", pickup_grace_hours=hours)


def event(status: TrackingStatus, minutes: int, code: str = "", text: str = "",
          **kw: object) -> CarrierEvent:
    return CarrierEvent(T0 + timedelta(minutes=minutes), status, code or status.value,
                        text or f"{status.value} at +{minutes}m", **kw)  # type: ignore[arg-type]


def order_status(db: Db, number: str) -> str:
    with db.read() as s:
        return s.scalars(select(Order.status).where(Order.number == number)).one().value


def outbox_kinds(db: Db, number: str) -> list[str]:
    with db.read() as s:
        order_id = s.scalars(select(Order.id).where(Order.number == number)).one()
        return list(s.scalars(select(OutboxMessage.kind).where(OutboxMessage.order_id == order_id)
                              .order_by(OutboxMessage.id)))


def stored_events(db: Db, shipment_id: int) -> list[tuple[str, str]]:
    with db.read() as s:
        rows = s.execute(select(TrackingEvent.status, TrackingEvent.raw_code)
                         .where(TrackingEvent.shipment_id == shipment_id)
                         .order_by(TrackingEvent.occurred_at, TrackingEvent.id)).all()
    return [(st.value, code) for st, code in rows]


def shipment(db: Db, shipment_id: int) -> Shipment:
    with db.read() as s:
        return s.get_one(Shipment, shipment_id)
