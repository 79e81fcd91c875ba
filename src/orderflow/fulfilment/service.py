"""Fulfilment use cases: allocation, and the direct pick / pack / ship / deliver steps.

Warehouse staff go through waves (`waves`), the pack station (`packing`) and the
hand-over (`handover`); the direct steps here move a whole order at once (demo data,
integrations that report a shipment made elsewhere).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.fulfilment import allocation, rules
from orderflow.fulfilment.models import Shipment
from orderflow.inventory import service as inventory
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status


def _lines_to(s: Session, order: Order, stage: str, source: str) -> None:
    for line in queries.lines_of(s, order.id):
        setattr(line, stage, getattr(line, source))


def allocate_order(db: Db, number: str, *, actor: Actor) -> rules.Plan:
    """Allocate to one warehouse that can ship every line (the nearest the destination
    if several can), else split across warehouses; reserved stock becomes allocated."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.check(order, Status.ALLOCATED)
        plan, codes = allocation.allocate(s, order)
        lifecycle.transition(
            s,
            order,
            Status.ALLOCATED,
            actor=actor,
            data={"warehouses": [codes[w] for w in plan.warehouses], "allocation": plan.kind},
        )
        return plan


def start_picking(db: Db, number: str, *, actor: Actor) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.PICKING, actor=actor)
        _lines_to(s, order, "picked", "allocated")


def pack_order(db: Db, number: str, *, actor: Actor) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.PACKED, actor=actor)
        _lines_to(s, order, "packed", "picked")


def ship_order(
    db: Db,
    number: str,
    *,
    carrier: str,
    tracking_number: str,
    actor: Actor,
    service: str = "standard",
    transit_days: int = 3,
) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        now = clock.utcnow()
        shipment = add_shipment(s, order, carrier=carrier, tracking_number=tracking_number,
                                service=service, eta=now + timedelta(days=transit_days))
        mark_shipped(s, order, shipment, actor=actor)


def add_shipment(
    s: Session,
    order: Order,
    *,
    carrier: str,
    tracking_number: str,
    service: str,
    eta: datetime | None,
) -> Shipment:
    """Step: the parcel is handed over (label on it, number known); the order may still
    wait for the carrier's pickup scan before it counts as shipped (tracking decides)."""
    if not tracking_number.strip():
        raise ValidationFailed([FieldProblem("tracking_number", "required", "is required")])
    lifecycle.check(order, Status.SHIPPED)
    shipment = Shipment(
        order_id=order.id,
        carrier=carrier,
        service=service,
        tracking_number=tracking_number.strip().upper(),
        shipped_at=clock.utcnow(),
        estimated_delivery_at=eta,
    )
    s.add(shipment)
    s.flush()
    return shipment


def mark_shipped(s: Session, order: Order, shipment: Shipment, *, actor: Actor) -> None:
    """Step: the order counts as shipped: stock consumed, lines shipped, notice owed."""
    inventory.consume(s, order.id)
    _lines_to(s, order, "shipped", "packed")
    order.search_text = f"{order.search_text} {shipment.tracking_number.lower()}"
    lifecycle.transition(
        s,
        order,
        Status.SHIPPED,
        actor=actor,
        data={
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "service": shipment.service,
        },
    )


def mark_delivered(s: Session, order: Order, *, actor: Actor, reason: str | None = None,
                   data: dict[str, Any] | None = None) -> None:
    """Step: the carrier delivered every parcel."""
    lifecycle.transition(s, order, Status.DELIVERED, actor=actor, reason=reason, data=data)
    _lines_to(s, order, "delivered", "shipped")


def record_carrier_status(
    db: Db, number: str, to: Status, *, actor: Actor, reason: str | None = None
) -> None:
    """in_transit, out_for_delivery, delivered or exception, as a carrier reported it."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, to, actor=actor, reason=reason)
        if to is Status.DELIVERED:
            _lines_to(s, order, "delivered", "shipped")


def complete_order(db: Db, number: str, *, actor: Actor) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.COMPLETED, actor=actor,
                             reason="reason.delivery_confirmed")


def allocate_approved(db: Db, *, actor: Actor,
                      limit: int = 200) -> tuple[list[str], dict[str, str]]:
    """Allocate every approved order, oldest first, each in its own transaction. Returns
    the numbers allocated and, for the others, why not (out of stock, changed meanwhile)."""
    with db.read() as s:
        numbers = list(s.scalars(select(Order.number).where(Order.status == Status.APPROVED)
                                 .order_by(Order.id).limit(limit)))
    done: list[str] = []
    failed: dict[str, str] = {}
    for number in numbers:
        try:
            allocate_order(db, number, actor=actor)
            done.append(number)
        except OrderFlowError as exc:
            failed[number] = exc.detail
    return done, failed
