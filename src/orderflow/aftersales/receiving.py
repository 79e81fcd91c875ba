"""The receiving station (退货入库): scan the return waybill, the case number or the order
number; per line the units go back to sellable stock, to damaged stock, or are rejected
with a reason. A parcel the buyer refused (拒收) or the carrier returned to sender comes
back through the same step: a case is opened for it on the spot and its stock restocked.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.aftersales import lifecycle as case_lifecycle
from orderflow.aftersales import replacements, service
from orderflow.aftersales.errors import CaseNotFound
from orderflow.aftersales.models import (
    AftersalesCase,
    AftersalesLine,
    CaseState,
    CaseType,
    Reason,
)
from orderflow.aftersales.schemas import CaseIn, CaseLineIn, ReceiveIn, ReceiveLineIn
from orderflow.config import Settings, get_settings
from orderflow.db import Db
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.fulfilment.models import Shipment
from orderflow.inventory.models import StockLevel, Warehouse
from orderflow.logistics.models import CaseKind, ExceptionCase
from orderflow.logistics.models import CaseState as ExceptionState
from orderflow.orders import queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.status import Status
from orderflow.shipping import tracking_numbers

EXPECTING = (CaseState.AWAITING_RETURN, CaseState.IN_TRANSIT_BACK)


def _find_case(s: Session, scan: str) -> AftersalesCase | None:
    """By case number (…-R1), order number, or return waybill: the likeliest first."""
    text = scan.strip().upper()
    by_number = select(AftersalesCase).where(AftersalesCase.number == text,
                                             AftersalesCase.state.in_(EXPECTING))
    by_waybill = select(AftersalesCase).where(
        AftersalesCase.return_tracking_number == tracking_numbers.normalise(scan),
        AftersalesCase.state.in_(EXPECTING))
    if "-R" in text:
        return s.scalars(by_number).first()
    if text.isdigit():
        order_id = s.scalar(select(Order.id).where(Order.number == text))
        if order_id is not None:
            found = s.scalars(select(AftersalesCase).where(
                AftersalesCase.order_id == order_id, AftersalesCase.state.in_(EXPECTING))
                .order_by(AftersalesCase.id)).first()
            if found is not None:
                return found
    found = s.scalars(by_waybill).first()
    if found is None and not text.isdigit():
        order = _find_order(s, scan)
        if order is not None:
            found = s.scalars(select(AftersalesCase).where(
                AftersalesCase.order_id == order.id, AftersalesCase.state.in_(EXPECTING))
                .order_by(AftersalesCase.id)).first()
    return found


def _find_order(s: Session, scan: str) -> Order | None:
    """By order number, or by the outbound tracking number (a parcel coming back)."""
    try:
        order = queries.find_order(s, scan.strip())
    except ValueError:
        order = None
    if order is not None:
        return order
    plain = tracking_numbers.normalise(scan)
    order_id = s.scalar(select(Shipment.order_id).where(Shipment.tracking_number == plain)
                        .order_by(Shipment.id.desc()))
    return s.get(Order, order_id) if order_id else None


def _refused_parcel(s: Session, order: Order) -> bool:
    """拒收 / returned to sender: the carrier said so (order exception or an open
    'returned' logistics case)."""
    if order.status is Status.EXCEPTION:
        return True
    return s.scalar(select(ExceptionCase.id).where(
        ExceptionCase.order_id == order.id, ExceptionCase.kind == CaseKind.RETURNED,
        ExceptionCase.state == ExceptionState.OPEN)) is not None


def _open_for_refused(s: Session, order: Order, *, actor: Actor,
                      settings: Settings) -> AftersalesCase:
    taken = service.taken_units(s, order.id)
    items = [CaseLineIn(sku=ln.sku_code, quantity=ln.shipped - taken.get(ln.id, 0))
             for ln in queries.lines_of(s, order.id) if ln.shipped - taken.get(ln.id, 0) > 0]
    if not items:
        raise ValidationFailed([FieldProblem("scan", "receiving.nothing_expected",
                                             f"nothing of order {order.number} is expected "
                                             "back")])
    body = CaseIn(order_number=order.number, type=CaseType.RETURN_REFUND,
                  reason=Reason.REFUSED_DELIVERY, lines=items, override_policy=True)
    case, _rule = service.open_step(s, order, body, actor=Actor("staff", actor.name)
                                    if actor.kind not in ("staff", "api") else actor,
                                    settings=settings)
    returned = s.scalar(select(ExceptionCase.id).where(
        ExceptionCase.order_id == order.id, ExceptionCase.kind == CaseKind.RETURNED)
        .order_by(ExceptionCase.id.desc()))
    case.exception_case_id = returned
    case_lifecycle.transition(s, order, case, CaseState.IN_TRANSIT_BACK, actor=actor,
                              kind="case.approved", notice={})
    return case


def _restock(s: Session, order: Order, sku_id: int, sellable: int, damaged: int) -> None:
    warehouse_id = s.scalar(select(Shipment.warehouse_id).where(Shipment.order_id == order.id)
                            .order_by(Shipment.id.desc()))
    if warehouse_id is None:
        warehouse_id = s.scalar(select(Warehouse.id).order_by(Warehouse.priority, Warehouse.id))
    if warehouse_id is None:
        return
    now = clock.utcnow()
    done = s.execute(update(StockLevel)
                     .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
                     .values(on_hand=StockLevel.on_hand + sellable + damaged,
                             damaged=StockLevel.damaged + damaged, updated_at=now)
                     .execution_options(synchronize_session=False))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        s.add(StockLevel(sku_id=sku_id, warehouse_id=warehouse_id, on_hand=sellable + damaged,
                         reserved=0, allocated=0, damaged=damaged, updated_at=now))
        s.flush()


def _counts(case_lines: list[AftersalesLine], lines: dict[int, OrderLine],
            given: list[ReceiveLineIn]) -> dict[int, ReceiveLineIn]:
    """Per case line what came back; nothing given: everything sellable."""
    if not given:
        return {cl.id: ReceiveLineIn(sku=lines[cl.order_line_id].sku_code, sellable=cl.quantity)
                for cl in case_lines}
    by_sku = {lines[cl.order_line_id].sku_code: cl for cl in case_lines}
    problems: list[FieldProblem] = []
    out: dict[int, ReceiveLineIn] = {}
    for i, item in enumerate(given):
        cl = by_sku.get(item.sku)
        if cl is None:
            problems.append(FieldProblem(f"lines[{i}].sku", "receiving.unexpected",
                                         f"{item.sku} is not expected in this return"))
            continue
        if item.sellable + item.damaged + item.rejected > cl.quantity:
            problems.append(FieldProblem(f"lines[{i}]", "receiving.too_many",
                                         f"{cl.quantity} unit(s) of {item.sku} were expected"))
        if item.rejected and not (item.reject_reason or "").strip():
            problems.append(FieldProblem(f"lines[{i}].reject_reason", "required",
                                         "say why the units are rejected"))
        out[cl.id] = item
    if problems:
        raise ValidationFailed(problems)
    return out


def receive_step(s: Session, order: Order, case: AftersalesCase, given: list[ReceiveLineIn], *,
                 actor: Actor) -> None:
    case_lines = list(s.scalars(select(AftersalesLine).where(AftersalesLine.case_id == case.id)
                                .order_by(AftersalesLine.id)))
    lines = {ln.id: ln for ln in queries.lines_of(s, order.id)}
    counts = _counts(case_lines, lines, given)
    totals = {"sellable": 0, "damaged": 0, "rejected": 0}
    accepted: dict[int, int] = {}
    for cl in case_lines:
        got = counts.get(cl.id, ReceiveLineIn(sku=lines[cl.order_line_id].sku_code))
        cl.sellable, cl.damaged, cl.rejected = got.sellable, got.damaged, got.rejected
        cl.reject_reason = got.reject_reason
        line = lines[cl.order_line_id]
        line.returned += got.sellable + got.damaged
        if case.type is CaseType.EXCHANGE:
            line.exchanged += got.sellable + got.damaged
        _restock(s, order, line.sku_id, got.sellable, got.damaged)
        accepted[line.id] = got.sellable + got.damaged
        for key in totals:
            totals[key] += getattr(got, key)
    case_lifecycle.transition(s, order, case, CaseState.RECEIVED, actor=actor,
                              kind="case.received", data=totals, notice={"vars": {
                                  k: str(v) for k, v in totals.items()}})
    _after_receipt(s, order, case, accepted, actor=actor)


def _after_receipt(s: Session, order: Order, case: AftersalesCase, accepted: dict[int, int], *,
                   actor: Actor) -> None:
    if not any(accepted.values()):
        case_lifecycle.transition(s, order, case, CaseState.CLOSED, actor=actor,
                                  kind="case.closed")
    elif case.type is CaseType.RETURN_REFUND:
        case_lifecycle.transition(s, order, case, CaseState.REFUNDING, actor=actor,
                                  kind="case.refund_due")
        service.owe_refund(s, order, case, accepted, actor=actor)
    else:  # exchange ships its held replacement; a repair waits to be sent back
        case_lifecycle.transition(s, order, case, CaseState.REPLACEMENT, actor=actor,
                                  kind="case.replacement_due")
        replacements.release(s, case, actor=actor)


def receive(db: Db, body: ReceiveIn, *, actor: Actor, settings: Settings | None = None) -> int:
    """Check a returned parcel in; returns the case id."""
    settings = settings or get_settings()
    with db.transaction() as s:
        case = _find_case(s, body.scan)
        if case is not None:
            order, case = service.get_case_for_change(s, case.id)
        else:
            found = _find_order(s, body.scan)
            if found is None or not _refused_parcel(s, found):
                raise CaseNotFound(f"nothing is expected back for {body.scan!r}",
                                   code="receiving.not_expected",
                                   fields=[FieldProblem("scan", "receiving.not_expected",
                                                        "no open return for this number")])
            order = queries.get_order_for_change(s, found.number)
            case = _open_for_refused(s, order, actor=actor, settings=settings)
        receive_step(s, order, case, body.lines, actor=actor)
        return case.id

