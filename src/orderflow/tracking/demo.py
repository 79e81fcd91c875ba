"""Demo data for tracking: carrier histories for the demo's shipped orders, and fresh
parcels that the simulated carrier (`orderflow carrier-sim`, started by `make run`) moves
while you watch: on time, delayed, a failed attempt, lost, damaged, refused and returned."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from orderflow import clock
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment.models import Shipment
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.tracking import service as tracking
from orderflow.tracking.adapters import simulated
from orderflow.tracking.adapters.simulated import Rates
from orderflow.tracking.config import TrackingSettings

WAREHOUSE = Actor("staff", "demo")
LIVE = ["normal", "delayed", "failed_attempt", "lost", "damaged", "returned", "normal",
        "normal", "delayed", "normal"]
CARRIERS = ["SF", "ZTO", "YTO", "JD", "EMS"]
SETTLED = {Status.DELIVERED: Rates(0, 0, 0, 0, 0), Status.COMPLETED: Rates(0, 0, 0, 0, 0),
           Status.EXCEPTION: Rates(0, 0, 0, 1.0, 0)}


def number_for(kind: str, seed: int) -> str:
    """A simulated tracking number whose plan (at the default rates) shows `kind`."""
    for n in range(seed * 10_000, seed * 10_000 + 200_000):
        number = f"SIM{n:012d}"
        if simulated.scenario(simulated.plan(number)) == kind:
            return number
    raise RuntimeError(f"no simulated number found for {kind}")


def _backfill(db: Db, settings: TrackingSettings, now: datetime) -> int:
    """Shipments made before tracking: a carrier history up to where the order already is."""
    with db.read() as s:
        rows = s.execute(select(Shipment, Order.status).join(Order, Order.id == Shipment.order_id)
                         .order_by(Shipment.id)).all()
    for shipment, status in rows:
        with db.transaction() as s:
            row = s.get_one(Shipment, shipment.id)
            tracking.register(s, row, settings)
            rates = SETTLED.get(status)
            if rates is None:  # still on the way: the simulated carrier carries on from here
                continue
            span = max(now - row.shipped_at, timedelta(milliseconds=1))
            events = simulated.due_events(row.tracking_number, row.shipped_at, now, rates=rates,
                                          speed=timedelta(hours=48 * 2.6) / span)
            tracking.record_events(s, row, events, source="simulated")
    return len(rows)


def load(db: Db, settings: TrackingSettings) -> int:
    """Backfill histories, then hand packed demo orders to the simulated carrier."""
    now = clock.utcnow()
    made = _backfill(db, settings, now)
    with db.read() as s:
        packed = list(s.scalars(select(Order.number).where(Order.status == Status.PACKED)
                                .order_by(Order.id).limit(len(LIVE))))
    for i, (number, kind) in enumerate(zip(packed, LIVE, strict=False)):
        try:
            tracking.ship_parcel(db, number, carrier=CARRIERS[i % len(CARRIERS)],
                                 tracking_number=number_for(kind, i), actor=WAREHOUSE,
                                 settings=settings)
            made += 1
        except OrderFlowError:
            continue
    return made
