"""Corrections to a shipment after it left: the carrier or the tracking number.

A correction comes from the carrier's aggregator (快递100 `comNew`), from a re-issued
waybill, or from staff. The shipment is changed, the timeline says who and why (a
reason code), and when the customer was already owed the shipping notice they get ONE
corrected shipping notice per distinct correction (the outbox key names it).
"""

from __future__ import annotations

import re

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from orderflow.db import Db
from orderflow.errors import FieldProblem, NotFound, ValidationFailed
from orderflow.fulfilment.models import Shipment
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.outbox import OutboxMessage

SOURCES = ("carrier", "waybill", "staff")
TRACKING = re.compile(r"^[A-Za-z0-9]{6,32}$")  # 快递100's own rule (DOMAIN-CN §1.2)


def _shipping_notice_owed(s: Session, order_id: int) -> bool:
    key = f"order:{order_id}:order.shipped"
    return bool(s.scalar(select(exists().where(OutboxMessage.idempotency_key == key))))


def correct_shipment(s: Session, order: Order, shipment: Shipment, *, carrier: str | None,
                     tracking_number: str | None, source: str, actor: Actor) -> bool:
    """A step: apply a correction; False when nothing changed."""
    new_carrier = carrier or shipment.carrier
    new_number = tracking_number or shipment.tracking_number
    if (new_carrier, new_number) == (shipment.carrier, shipment.tracking_number):
        return False
    before = {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number}
    shipment.carrier, shipment.tracking_number = new_carrier, new_number
    s.flush()
    lifecycle.record(s, order, "shipment.corrected", actor=actor,
                     reason=f"correction.{source}",
                     data={"shipment_id": shipment.id, "before": before,
                           "after": {"carrier": new_carrier, "tracking_number": new_number}})
    if _shipping_notice_owed(s, order.id):
        lifecycle.owe(s, order, "order.shipment_corrected",
                      {"carrier": new_carrier, "tracking_number": new_number,
                       "reason": f"correction.{source}", "shipment_id": shipment.id},
                      key_suffix=f":{shipment.id}:{new_carrier}:{new_number}")
    return True


def correct_tracking(db: Db, number: str, *, carrier: str | None, tracking_number: str | None,
                     actor: Actor, source: str = "staff") -> bool:
    """Staff (or a re-issued waybill) correct the latest shipment of an order."""
    problems = []
    if tracking_number is not None and not TRACKING.match(tracking_number.strip()):
        problems.append(FieldProblem("tracking_number", "tracking.invalid",
                                     "6 to 32 letters and digits"))
    if carrier is not None and not re.match(r"^[A-Za-z0-9_-]{1,32}$", carrier.strip()):
        problems.append(FieldProblem("carrier", "carrier.invalid", "a carrier code"))
    if carrier is None and tracking_number is None:
        problems.append(FieldProblem("tracking_number", "correction.empty",
                                     "give the corrected carrier or tracking number"))
    if source not in SOURCES:
        problems.append(FieldProblem("source", "correction.source", "carrier, waybill or staff"))
    if problems:
        raise ValidationFailed(problems)
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        shipment = s.scalars(select(Shipment).where(Shipment.order_id == order.id)
                             .order_by(Shipment.id.desc()).limit(1)).first()
        if shipment is None:
            raise NotFound(f"order {number} has no shipment", code="shipment.not_found")
        return correct_shipment(s, order, shipment, carrier=carrier and carrier.strip(),
                                tracking_number=tracking_number and tracking_number.strip(),
                                source=source, actor=actor)
