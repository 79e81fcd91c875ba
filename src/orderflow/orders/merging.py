"""Merge (合单) and split (拆单).

Merge: orders of one customer to one address that the warehouse has not taken yet
ship as one parcel. Each order keeps its lines, money and payments; the group is
recorded in `order_merges` (members point at the group's first order), so nothing
about stock or totals changes.

Split: part of an order becomes a new order (a child, recorded in `order_splits`):
by warehouse (each other warehouse's reserved units go to a child, their
reservations move with them) or by availability (what can be reserved now stays and
ships; the rest goes to a child that waits on hold for stock). Line quantities,
reservations and stock figures stay exact: units move, nothing is created or lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.db import Db
from orderflow.errors import FieldProblem, IllegalTransition, InsufficientStock, ValidationFailed
from orderflow.inventory import service as inventory
from orderflow.inventory.models import ReservationState, StockLevel, Warehouse
from orderflow.orders import changes, lifecycle, queries, rules
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.numbering import allocator_for
from orderflow.orders.relations import OrderMerge, OrderSplit
from orderflow.orders.status import Status

S = Status
UNALLOCATED = frozenset({S.PAID, S.AWAITING_REVIEW, S.APPROVED})
ORDERS = cast(Table, Order.__table__)
SPLIT_MILESTONE = "order.split"
SplitKind = Literal["warehouse", "availability"]


def _effective(order: Order) -> Status:
    return order.hold_resume_status or order.status if order.status is S.ON_HOLD else order.status


def _norm(value: str | None) -> str:
    return "".join((value or "").split()).lower()


def merge_key(order: Order) -> tuple[Any, ...]:
    """Same customer, same recipient phone and address, same currency and payment kind."""
    return (order.customer_id, _norm(order.recipient_phone), order.country, _norm(order.province),
            _norm(order.city), _norm(order.district), _norm(order.address_detail),
            order.currency, order.cod)


# --- merge -----------------------------------------------------------------------


@dataclass(frozen=True)
class MergeSuggestion:
    numbers: list[str]  # the group's first order first
    recipient: str | None
    address: str
    orders: int


def _members(s: Session) -> set[int]:
    return set(s.scalars(select(OrderMerge.order_id)))


def suggestions(s: Session, *, limit: int = 200) -> list[MergeSuggestion]:
    """Groups of two or more unallocated orders that could ship as one parcel (orders
    already in a group count with their group's first order)."""
    members = _members(s)
    orders = [o for o in s.scalars(select(Order).where(Order.status.in_(UNALLOCATED))
                                   .order_by(Order.id)) if o.id not in members]
    groups: dict[tuple[Any, ...], list[Order]] = defaultdict(list)
    for order in orders:
        groups[merge_key(order)].append(order)
    grouped = set(s.scalars(select(OrderMerge.into_id)))
    found = []
    for group in groups.values():
        if len(group) < 2 or all(o.id in grouped for o in group):
            continue
        first = group[0]
        address = " ".join(p for p in (first.province, first.city, first.district,
                                       first.address_detail) if p)
        found.append(MergeSuggestion([o.number for o in group], first.recipient_name,
                                     address, len(group)))
    return found[:limit]


def merge_step(s: Session, orders: list[Order], *, actor: Actor, reason: str) -> Order:
    problems = []
    if len(orders) < 2:
        problems.append(FieldProblem("numbers", "merge.too_few", "choose two or more orders"))
    members = _members(s)
    for i, order in enumerate(orders):
        if _effective(order) not in UNALLOCATED or order.status is S.ON_HOLD:
            problems.append(FieldProblem(f"numbers[{i}]", "merge.status",
                                         f"order {order.number} is {order.status.value}; only "
                                         "paid or approved orders not yet allocated merge"))
        elif order.id in members:
            problems.append(FieldProblem(f"numbers[{i}]", "merge.already",
                                         f"order {order.number} is already merged"))
        elif merge_key(order) != merge_key(orders[0]):
            problems.append(FieldProblem(f"numbers[{i}]", "merge.different",
                                         f"order {order.number} is for another customer or "
                                         f"address than {orders[0].number}"))
    if problems:
        raise ValidationFailed(problems)
    grouped = set(s.scalars(select(OrderMerge.into_id)))
    first = next((o for o in orders if o.id in grouped), min(orders, key=lambda o: o.id))
    now = clock.utcnow()
    for order in orders:
        if order is first:
            continue
        s.add(OrderMerge(order_id=order.id, into_id=first.id, actor=str(actor), created_at=now))
        lifecycle.record(s, order, "order.merged", actor=actor, reason=reason,
                         data={"into": first.number})
    lifecycle.record(s, first, "order.merge_group", actor=actor, reason=reason,
                     data={"members": [o.number for o in orders if o is not first]})
    s.flush()
    return first


def _locked(s: Session, numbers: list[str]) -> list[Order]:
    seen: list[str] = []
    for number in numbers:
        if number not in seen:
            seen.append(number)
    return sorted((queries.get_order_for_change(s, n) for n in seen), key=lambda o: o.id)


def merge_orders(db: Db, numbers: list[str], *, actor: Actor,
                 reason: str = "same customer and address") -> str:
    """Staff (or the rule) merge these orders into one parcel; returns the group's number."""
    with db.transaction() as s:
        return merge_step(s, _locked(s, numbers), actor=actor, reason=reason).number


def unmerge_order(db: Db, number: str, *, actor: Actor, reason: str) -> list[str]:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        ids = changes.unmerge_step(s, order, actor=actor, reason=reason)
        if not ids:
            raise IllegalTransition(f"order {number} is not merged", code="merge.not_merged")
        return list(s.scalars(select(Order.number).where(Order.id.in_(ids)).order_by(Order.id)))


def auto_merge(db: Db, *, actor: Actor = SYSTEM) -> list[str]:
    """The merge rule: merge every suggestion; returns the groups' numbers."""
    with db.read() as s:
        groups = suggestions(s, limit=10_000)
    merged = []
    for group in groups:
        try:
            merged.append(merge_orders(db, group.numbers, actor=actor,
                                       reason="reason.merge_rule"))
        except (ValidationFailed, IllegalTransition):
            continue  # changed in the meantime: the next run sees it again
    return merged


# --- split -----------------------------------------------------------------------


def group_of(s: Session, order: Order) -> list[str]:
    """The numbers of the orders that ship with this one (itself included)."""
    into = s.scalar(select(OrderMerge.into_id).where(OrderMerge.order_id == order.id)) or order.id
    ids = {into, *s.scalars(select(OrderMerge.order_id).where(OrderMerge.into_id == into))}
    return list(s.scalars(select(Order.number).where(Order.id.in_(ids)).order_by(Order.id)))


def relations(s: Session, order: Order) -> dict[str, Any]:
    """What the order page shows: the parcel it ships in, the order it was split from,
    the orders split off it."""
    group = group_of(s, order)
    parent = s.scalar(select(Order.number).join(OrderSplit, OrderSplit.parent_id == Order.id)
                      .where(OrderSplit.order_id == order.id))
    children = list(s.scalars(select(Order.number)
                              .join(OrderSplit, OrderSplit.order_id == Order.id)
                              .where(OrderSplit.parent_id == order.id).order_by(Order.id)))
    return {"group": group if len(group) > 1 else [], "split_from": parent,
            "split_into": children}


def _child(s: Session, parent: Order, number: str, status: Status, *,
           resume: Status | None) -> Order:
    """A new order for the split-off part: the parent's recipient and terms, no lines yet."""
    now = clock.utcnow()
    skip = {"id", "number", "external_id", "status", "version", "hold_resume_status",
            "subtotal_minor", "shipping_minor", "discount_minor", "total_minor", "paid_minor",
            "refund_due_minor", "updated_at", "search_text"}
    row = {c.key: getattr(parent, c.key) for c in ORDERS.columns if c.key not in skip}
    row.update({"number": number, "external_id": None, "status": status, "version": 1,
                "hold_resume_status": resume, "subtotal_minor": 0, "shipping_minor": 0,
                "discount_minor": 0, "total_minor": 0, "paid_minor": 0, "refund_due_minor": 0,
                "updated_at": now,
                "search_text": f"{number} {parent.search_text}"})
    child_id = s.execute(insert(ORDERS).values(row).returning(ORDERS.c.id)).scalar_one()
    return s.get_one(Order, child_id)


def _new_line(s: Session, child: Order, line: OrderLine, quantity: int, reserved: int
              ) -> OrderLine:
    moved = OrderLine(order_id=child.id, sku_id=line.sku_id, sku_code=line.sku_code,
                      name=line.name, unit_price_minor=line.unit_price_minor,
                      line_total_minor=line.unit_price_minor * quantity, ordered=quantity,
                      reserved=reserved, allocated=0, picked=0, packed=0, shipped=0,
                      delivered=0, returned=0, refunded=0, cancelled=0)
    s.add(moved)
    s.flush()
    return moved


def _move(s: Session, child: Order, line: OrderLine, quantity: int, reserved: int
          ) -> OrderLine:
    """Move `quantity` units of a line (`reserved` of them reserved) to the child: the
    whole line row when all of it goes, else a new line and a smaller old one."""
    if quantity == line.ordered and line.cancelled == 0:
        line.order_id = child.id
        return line
    line.ordered -= quantity
    line.reserved -= reserved
    line.line_total_minor = line.unit_price_minor * (line.ordered - line.cancelled)
    return _new_line(s, child, line, quantity, reserved)


def _totals(s: Session, order: Order) -> None:
    lines = queries.lines_of(s, order.id)
    totals = rules.compute_totals([ln.line_total_minor for ln in lines], order.shipping_minor,
                                  order.discount_minor)
    if totals.total_minor < 0:
        raise ValidationFailed([FieldProblem("kind", "split.discount",
                                             "the discount is larger than what would remain")])
    order.subtotal_minor, order.total_minor = totals.subtotal_minor, totals.total_minor


def _share_payment(parent: Order, children: list[Order]) -> None:
    """What was paid covers the parent first, then each child in turn."""
    for child in children:
        excess = max(parent.paid_minor - parent.total_minor, 0)
        child.paid_minor = min(excess, child.total_minor)
        parent.paid_minor -= child.paid_minor


def _best_available(s: Session, sku_id: int) -> int:
    available = StockLevel.on_hand - StockLevel.reserved - StockLevel.allocated - StockLevel.damaged
    return int(s.scalar(select(func.max(available)).where(StockLevel.sku_id == sku_id)) or 0)


def _reserve_what_is_there(s: Session, order: Order, line: OrderLine, missing: int) -> int:
    """Reserve as many of the missing units as one warehouse has now (conditional
    update; a lost race reserves nothing)."""
    take = min(_best_available(s, line.sku_id), missing)
    if take <= 0:
        return 0
    try:
        with s.begin_nested():
            inventory.reserve(s, [inventory.Need(order.id, line.id, line.sku_id, line.sku_code,
                                                 take)])
    except InsufficientStock:
        return 0
    line.reserved += take
    return take


def _split_availability(s: Session, order: Order, number: str, status: Status,
                        resume: Status | None) -> list[Order]:
    lines = queries.lines_of(s, order.id)
    plan = []
    for line in lines:
        missing = line.ordered - line.cancelled - line.reserved
        if missing > 0:
            missing -= _reserve_what_is_there(s, order, line, missing)
        if missing > 0:
            plan.append((line, missing))
    if not plan:
        raise IllegalTransition(f"order {order.number}: every unit is in stock; nothing to split",
                                code="split.nothing")
    if all(line.reserved == 0 and line.ordered - line.cancelled == missing
           for line, missing in plan) and len(plan) == len(lines):
        raise IllegalTransition(f"order {order.number}: nothing is in stock to ship now; "
                                "the whole order waits", code="split.nothing_in_stock")
    child = _child(s, order, number, S.ON_HOLD, resume=resume or status)
    for line, missing in plan:
        _move(s, child, line, missing, 0)
    return [child]


def _split_warehouse(s: Session, order: Order, numbers: list[str], status: Status,
                     resume: Status | None) -> list[Order]:
    live = [r for r in inventory.live_reservations(s, order.id)
            if r.state is ReservationState.ACTIVE]
    units: dict[int, int] = defaultdict(int)
    for r in live:
        units[r.warehouse_id] += r.quantity
    if len(units) < 2:
        raise IllegalTransition(f"order {order.number}: its stock is in one warehouse; "
                                "nothing to split", code="split.nothing")
    keep = max(units, key=lambda w: (units[w], -w))
    lines = {ln.id: ln for ln in queries.lines_of(s, order.id)}
    children = []
    for warehouse_id, number in zip(sorted(w for w in units if w != keep), numbers, strict=False):
        child = _child(s, order, number, order.status, resume=resume)
        for r in [r for r in live if r.warehouse_id == warehouse_id]:
            moved = _move(s, child, lines[r.order_line_id], r.quantity, r.quantity)
            r.order_id, r.order_line_id = child.id, moved.id
        children.append(child)
    s.flush()
    return children


def split_step(s: Session, order: Order, kind: SplitKind, numbers: list[str], *,
               actor: Actor, reason: str | None = None) -> list[Order]:
    status = _effective(order)
    if status not in UNALLOCATED:
        raise IllegalTransition(
            f"order {order.number} is {order.status.value}; only orders not yet allocated "
            "can be split", code="split.status")
    resume = order.hold_resume_status if order.status is S.ON_HOLD else None
    if kind == "availability":
        children = _split_availability(s, order, numbers[0], status, resume)
    else:
        children = _split_warehouse(s, order, numbers, status, resume)
    s.flush()
    for child in children:
        _totals(s, child)
    _totals(s, order)
    _share_payment(order, children)
    _record_split(s, order, children, kind, actor=actor, reason=reason)
    return children


def _record_split(s: Session, order: Order, children: list[Order], kind: SplitKind, *,
                  actor: Actor, reason: str | None) -> None:
    now = clock.utcnow()
    why = reason or ("reason.backorder" if kind == "availability"
                     else "reason.other_warehouse")
    for child in children:
        s.add(OrderSplit(order_id=child.id, parent_id=order.id, kind=kind, actor=str(actor),
                         created_at=now))
        lines = {ln.sku_code: ln.ordered for ln in queries.lines_of(s, child.id)}
        lifecycle.record(s, child, "order.split_from", actor=actor, reason=why,
                         to_status=child.status, data={"parent": order.number, "kind": kind,
                                                       "lines": lines})
    later = [c.number for c in children]
    lifecycle.record(s, order, "order.split", actor=actor, reason=why,
                     data={"kind": kind, "children": later})
    lifecycle.owe(s, order, SPLIT_MILESTONE,
                  {"parcels": len(children) + 1, "kind": kind, "later_orders": later,
                   "reason": why}, key_suffix=f":{children[0].id}")


def split_order(db: Db, number: str, kind: SplitKind, *, actor: Actor, zone: str,
                reason: str | None = None) -> list[str]:
    """Split an order; returns the new orders' numbers."""
    if kind not in ("warehouse", "availability"):
        raise ValidationFailed([FieldProblem("kind", "split.kind",
                                             "split by 'warehouse' or 'availability'")])
    with db.read() as s:
        warehouses = int(s.scalar(select(func.count()).select_from(Warehouse)) or 1)
    numbers = allocator_for(db, zone).take(1 if kind == "availability" else min(warehouses, 20))
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        return [c.number for c in split_step(s, order, kind, numbers, actor=actor,
                                             reason=reason)]
