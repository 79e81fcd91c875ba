"""Exchanges, reships and repairs ship as a normal order: a replacement order linked to
the case (price 0, the original recipient), its stock reserved at approval, then the
usual allocation, wave, pack, label and hand-over. An exchange's replacement waits on
hold until the returned goods are received."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.aftersales import lifecycle as case_lifecycle
from orderflow.aftersales.models import AftersalesCase, AftersalesLine, CaseState
from orderflow.catalog.models import Sku
from orderflow.db import Db
from orderflow.fulfilment.models import Shipment
from orderflow.inventory import service as inventory
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.status import SHIPPED_OR_LATER, Status

ORDERS = cast(Table, Order.__table__)
_COPY_SKIP = {"id", "number", "external_id", "status", "version", "hold_resume_status",
              "subtotal_minor", "shipping_minor", "discount_minor", "total_minor", "paid_minor",
              "refund_due_minor", "refunded_minor", "updated_at", "search_text", "placed_at",
              "cod", "payment_deadline_at", "channel", "buyer_remark", "seller_remark"}


def create_order(s: Session, order: Order, case: AftersalesCase, lines: list[AftersalesLine],
                 number: str, *, actor: Actor, hold: bool) -> Order:
    """A step: the replacement order, approved (or held until the goods are back), its
    lines reserved now. InsufficientStock rolls the caller back with the SKU named."""
    now = clock.utcnow()
    status = Status.ON_HOLD if hold else Status.APPROVED
    row = {c.key: getattr(order, c.key) for c in ORDERS.columns if c.key not in _COPY_SKIP}
    row.update({"number": number, "external_id": None, "channel": "aftersales",
                "status": status, "version": 1,
                "hold_resume_status": Status.APPROVED if hold else None, "subtotal_minor": 0,
                "shipping_minor": 0, "discount_minor": 0, "total_minor": 0, "paid_minor": 0,
                "refund_due_minor": 0, "refunded_minor": 0, "cod": False,
                "payment_deadline_at": None, "placed_at": now, "updated_at": now,
                "seller_remark": f"after-sales {case.number}",
                "search_text": f"{number.lower()} {case.number.lower()} {order.search_text}"})
    new_id = s.execute(insert(ORDERS).values(row).returning(ORDERS.c.id)).scalar_one()
    new = s.get_one(Order, new_id)
    originals = {ln.id: ln for ln in queries.lines_of(s, order.id)}
    made: list[OrderLine] = []
    for item in lines:
        source = originals[item.order_line_id]
        sku_id = item.exchange_sku_id or source.sku_id
        sku = s.get_one(Sku, sku_id)
        line = OrderLine(order_id=new.id, sku_id=sku.id, sku_code=sku.code, name=sku.name,
                         unit_price_minor=0, line_total_minor=0, ordered=item.quantity,
                         reserved=item.quantity, allocated=0, picked=0, packed=0, shipped=0,
                         delivered=0, returned=0, exchanged=0, refunded=0, cancelled=0)
        s.add(line)
        made.append(line)
    s.flush()
    inventory.reserve(s, [inventory.Need(new.id, ln.id, ln.sku_id, ln.sku_code, ln.ordered)
                          for ln in made])
    lifecycle.record(s, new, "order.placed", actor=actor, to_status=status,
                     reason=f"after-sales {case.number}",
                     data={"case": case.number, "original": order.number})
    lifecycle.record(s, order, "aftersales.replacement", actor=actor,
                     data={"case": case.number, "order_number": number})
    case.replacement_order_id = new.id
    case_lifecycle.record(s, case, "case.replacement_ordered", actor=actor,
                          data={"order_number": number})
    return new


def release(s: Session, case: AftersalesCase, *, actor: Actor) -> None:
    """A step: the goods are back; the held exchange ships."""
    if case.replacement_order_id is None:
        return
    new = s.get_one(Order, case.replacement_order_id)
    if new.status is Status.ON_HOLD:
        lifecycle.transition(s, new, Status.APPROVED, actor=actor,
                             reason=f"returned goods received ({case.number})")


def sync_shipped(db: Db, *, limit: int = 200) -> int:
    """The worker's job: close cases whose replacement left the warehouse, and tell the
    customer (with the new tracking number) once."""
    with db.read() as s:
        ids = list(s.scalars(
            select(AftersalesCase.id).join(Order, Order.id == AftersalesCase.replacement_order_id)
            .where(AftersalesCase.state == CaseState.REPLACEMENT,
                   Order.status.in_(SHIPPED_OR_LATER))
            .order_by(AftersalesCase.id).limit(limit)))
    for case_id in ids:
        with db.transaction() as s:
            case = s.get_one(AftersalesCase, case_id)
            if case.state is not CaseState.REPLACEMENT or case.replacement_order_id is None:
                continue
            new = s.get_one(Order, case.replacement_order_id)
            order = queries.get_order_for_change(s, s.get_one(Order, case.order_id).number)
            shipment = s.scalars(select(Shipment).where(Shipment.order_id == new.id)
                                 .order_by(Shipment.id.desc())).first()
            tell_shipped(s, order, case, carrier=shipment.carrier if shipment else "",
                         tracking_number=shipment.tracking_number if shipment else "",
                         actor=SYSTEM)
    return len(ids)


def tell_shipped(s: Session, order: Order, case: AftersalesCase, *, carrier: str,
                 tracking_number: str, actor: Actor) -> None:
    data = {"carrier": carrier, "tracking_number": tracking_number}
    case_lifecycle.record(s, case, "case.replacement_shipped", actor=actor, data=data)
    case_lifecycle.owe(s, order, case, "aftersales.replacement_shipped", data)
    case_lifecycle.transition(s, order, case, CaseState.CLOSED, actor=actor, kind="case.closed")
