"""Demo data for the exception desk: cases from the demo's carrier histories, a few
opened by staff, owners, actions and a resolution; delivered parcels spread over the
past weeks so carrier performance has transit times to show."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment.models import Shipment
from orderflow.logistics import service
from orderflow.logistics.models import CaseKind, CaseState, ExceptionCase
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.tracking import rules as tracking_rules
from orderflow.tracking.models import ShipmentTracking

DESK = Actor("staff", "service")
# Typical door-to-door hours by carrier (the demo's spread around them).
TRANSIT_HOURS = {"SF": 30, "JD": 28, "ZTO": 60, "YTO": 64, "EMS": 80}


def spread_history(db: Db, rng: random.Random) -> int:
    """Delivered demo parcels left 1 to 3 weeks ago and took their carrier's usual time."""
    now = clock.utcnow()
    with db.transaction() as s:
        rows = s.execute(select(Shipment, ShipmentTracking).join(
            ShipmentTracking, ShipmentTracking.shipment_id == Shipment.id)
            .where(ShipmentTracking.delivered_at.is_not(None))).all()
        for shipment, track in rows:
            hours = TRANSIT_HOURS.get(shipment.carrier, 60) * rng.uniform(0.7, 1.6)
            delivered = now - timedelta(days=rng.uniform(1, 20))
            shipped = delivered - timedelta(hours=hours)
            shipment.shipped_at = track.handed_over_at = shipped
            track.picked_up_at = shipped + timedelta(hours=rng.choice([2, 4, 8, 20, 30]))
            track.delivered_at = track.status_at = delivered
            days = tracking_rules.transit_days(shipment.carrier, shipment.service)
            shipment.estimated_delivery_at = track.first_eta_at = shipped + timedelta(days=days)
    return len(rows)


def load(db: Db, settings: Settings, *, seed: int = 20261203) -> int:
    """Returns the number of open cases the demo leaves in the queue."""
    rng = random.Random(seed)
    spread_history(db, rng)
    while service.scan_carrier_events(db, settings, now=clock.utcnow() + timedelta(minutes=1)):
        pass
    service.watch_silent_parcels(db, settings)
    with db.read() as s:
        unhandled = list(s.scalars(
            select(Order.number).where(Order.status == Status.EXCEPTION,
                                       ~Order.id.in_(select(ExceptionCase.order_id)))))
    for number in unhandled:  # the demo's damaged parcels, reported by the customer
        service.open_case(db, number, CaseKind.DAMAGED, actor=DESK, settings=settings,
                          detail="顾客来电：外箱破损，商品有划痕 / customer called: box crushed")
    _work_some(db, rng)
    with db.read() as s:
        return len(s.scalars(select(ExceptionCase.id)
                             .where(ExceptionCase.state == CaseState.OPEN)).all())


def _work_some(db: Db, rng: random.Random) -> None:
    """Owners on most cases, a contact, a refund, one resolved and closed."""
    with db.read() as s:
        ids = list(s.scalars(select(ExceptionCase.id).where(
            ExceptionCase.state == CaseState.OPEN).order_by(ExceptionCase.id)))
    for i, case_id in enumerate(ids):
        try:
            if i % 3 != 2:
                service.assign_case(db, case_id, "service" if i % 2 else "admin", actor=DESK)
            if i % 4 == 1:
                service.act_on_case(db, case_id, "contact_carrier", actor=DESK,
                                    note="已联系网点，等待回复 / asked the depot")
            if i % 5 == 3:
                service.act_on_case(db, case_id, "refund", actor=DESK,
                                    amount=f"{rng.choice([5, 10, 20])}.00", note="补偿运费")
            if i == 0 and len(ids) > 3:
                service.resolve_case(db, case_id, "delivered", actor=DESK,
                                     resolution="快递员再次派送成功")
                service.close_case(db, case_id, actor=DESK)
        except OrderFlowError:
            continue
