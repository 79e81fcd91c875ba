"""Hand-over to the carrier (交接) and shipping: a closed parcel leaves with its carrier,
service and tracking number(s); stock leaves the building; the order is `shipped` once
every part has left, and the shipping notice is owed in the same transaction. A part of a
split order owes the customer an `order.split_shipment` notice of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.fulfilment import allocation, stock
from orderflow.fulfilment.desk import CarrierDesk
from orderflow.fulfilment.models import Pack, PackState, Shipment, Wave, WaveOrder, WaveState
from orderflow.inventory import service as inventory
from orderflow.inventory.models import Warehouse
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status

SHIPPABLE = (Status.PICKING, Status.PACKED)


@dataclass(frozen=True)
class Shipped:
    order_number: str
    warehouse: str
    carrier: str
    service: str
    tracking_numbers: list[str]
    order_shipped: bool  # every part has left: the order is now `shipped`
    estimated_delivery_at: datetime | None


@dataclass
class WaveShipping:
    wave: str
    shipped: list[Shipped] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # order number -> why


def clean_tracking_numbers(raw: list[str]) -> list[str]:
    numbers = [n.strip().upper() for n in raw if n.strip()]
    problems = [FieldProblem(f"tracking_numbers[{i}]", "tracking.invalid",
                             "letters and digits only, at most 64")
                for i, n in enumerate(numbers)
                if len(n) > 64 or not n.isascii() or not n.replace("-", "").isalnum()]
    if len(set(numbers)) != len(numbers):
        problems.append(FieldProblem("tracking_numbers", "tracking.repeated",
                                     "a tracking number is given twice"))
    if problems:
        raise ValidationFailed(problems)
    return numbers


def _ship_part(s: Session, order: Order, pack: Pack, numbers: list[str], *, desk: CarrierDesk,
               actor: Actor) -> Shipped:
    """The step: ship one closed parcel (all of one part) with these tracking numbers."""
    if order.status not in SHIPPABLE or pack.state is not PackState.CLOSED:
        raise Conflict(f"order {order.number} cannot ship: it is {order.status.value} and its "
                       f"parcel is {pack.state.value}", code="handover.not_ready")
    if len(numbers) != pack.parcel_count:
        raise ValidationFailed([FieldProblem(
            "tracking_numbers", "tracking.count",
            f"{pack.parcel_count} parcel(s) need {pack.parcel_count} tracking number(s)")])
    used = s.scalar(select(Shipment.tracking_number).where(Shipment.tracking_number.in_(numbers)))
    if used:
        raise Conflict(f"tracking number {used} is already on a shipment",
                       code="tracking.used",
                       fields=[FieldProblem("tracking_numbers", "tracking.used", used)])
    choice = desk.choice(s, order)
    now = clock.utcnow()
    eta = desk.estimated_delivery(s, order, choice, now)
    warehouse = s.get(Warehouse, pack.warehouse_id)
    code = warehouse.code if warehouse else str(pack.warehouse_id)
    s.add_all(Shipment(order_id=order.id, warehouse_id=pack.warehouse_id, carrier=choice.carrier,
                       service=choice.service, tracking_number=n, shipped_at=now,
                       estimated_delivery_at=eta) for n in numbers)
    inventory.consume(s, order.id, pack.warehouse_id)
    parts = allocation.parts_of(s, order.id)
    for line, _qty in parts[pack.warehouse_id]:
        line.shipped = line.packed
    order.search_text = f"{order.search_text} {' '.join(n.lower() for n in numbers)}"
    pack.state = PackState.SHIPPED
    pack.shipped_at = now
    data = {"carrier": choice.carrier, "service": choice.service, "tracking_number": numbers[0],
            "tracking_numbers": numbers, "warehouse": code,
            "estimated_delivery_at": eta.isoformat() if eta else None}
    if len(parts) > 1:
        lifecycle.owe(s, order, "order.split_shipment", {**data, "parcels": len(parts)},
                      key_suffix=f":{code}")
    s.flush()
    done = all(ln.shipped == ln.ordered - ln.cancelled for ln in queries.lines_of(s, order.id))
    if done:
        lifecycle.transition(s, order, Status.SHIPPED, actor=actor, data=data)
    else:
        lifecycle.record(s, order, "parcel.shipped", actor=actor, data=data)
    if pack.wave_id:
        _close_wave_if_done(s, pack.wave_id)
    return Shipped(order.number, code, choice.carrier, choice.service, numbers, done, eta)


def _close_wave_if_done(s: Session, wave_id: int) -> None:
    waiting = s.scalar(
        select(func.count()).select_from(WaveOrder)
        .join(Order, Order.id == WaveOrder.order_id)
        .outerjoin(Pack, (Pack.order_id == WaveOrder.order_id)
                   & (Pack.warehouse_id == WaveOrder.warehouse_id))
        .where(WaveOrder.wave_id == wave_id, Order.status != Status.CANCELLED,
               (Pack.id.is_(None)) | (Pack.state != PackState.SHIPPED)))
    if not waiting:
        s.execute(update(Wave).where(Wave.id == wave_id, Wave.state == WaveState.RELEASED)
                  .values(state=WaveState.SHIPPED, closed_at=clock.utcnow())
                  .execution_options(synchronize_session=False))


def _closed_pack(s: Session, order: Order, warehouse_id: int) -> Pack:
    pack = s.scalars(select(Pack).where(Pack.order_id == order.id,
                                        Pack.warehouse_id == warehouse_id)).first()
    if pack is None:
        raise NotFound(f"order {order.number} has no parcel packed here", code="handover.no_pack",
                       fields=[FieldProblem("order_number", "handover.no_pack", order.number)])
    return pack


def hand_over(db: Db, order_number: str, *, warehouse: str, tracking_numbers: list[str],
              desk: CarrierDesk, actor: Actor) -> Shipped:
    """Hand one packed parcel over: with the scanned tracking numbers, or (none given) the
    waybills already issued for it."""
    numbers = clean_tracking_numbers(tracking_numbers)
    with db.transaction() as s:
        where = stock.get_warehouse(s, warehouse)
        order = queries.get_order_for_change(s, order_number)
        pack = _closed_pack(s, order, where.id)
        numbers = numbers or clean_tracking_numbers(
            desk.issued_tracking_numbers(s, order, where.id))
        return _ship_part(s, order, pack, numbers, desk=desk, actor=actor)


def pack_waiting(db: Db, order_number: str, *, warehouse: str) -> tuple[str, int]:
    """(order number, parcels) of a closed parcel waiting for hand-over; raises otherwise."""
    with db.read() as s:
        where = stock.get_warehouse(s, warehouse)
        order = queries.get_order(s, order_number)
        pack = _closed_pack(s, order, where.id)
        if pack.state is not PackState.CLOSED:
            raise Conflict(f"the parcel of {order.number} is {pack.state.value}",
                           code="handover.not_ready",
                           fields=[FieldProblem("scan", "handover.not_ready",
                                                pack.state.value)])
        return order.number, pack.parcel_count or 1


def ship_wave(db: Db, wave_id: int, *, desk: CarrierDesk, actor: Actor) -> WaveShipping:
    """Bulk "mark shipped": every closed parcel of the wave leaves with the tracking numbers
    of its issued waybills. One transaction, a savepoint per order: an order that cannot
    ship (no waybill yet, held since) is reported and the others go."""
    with db.transaction() as s:
        wave = s.get(Wave, wave_id)
        if wave is None:
            raise NotFound(f"no wave {wave_id}", code="wave.not_found")
        report = WaveShipping(wave.code)
        packs = s.scalars(select(Pack).where(Pack.wave_id == wave.id,
                                             Pack.state == PackState.CLOSED)
                          .order_by(Pack.order_id)).all()
        for pack in packs:
            order = s.get(Order, pack.order_id)
            assert order is not None
            try:
                with s.begin_nested():
                    numbers = clean_tracking_numbers(
                        desk.issued_tracking_numbers(s, order, pack.warehouse_id))
                    report.shipped.append(_ship_part(s, order, pack, numbers, desk=desk,
                                                     actor=actor))
            except OrderFlowError as exc:
                report.skipped[order.number] = exc.detail
        return report
