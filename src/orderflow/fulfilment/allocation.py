"""Allocation steps: choose the warehouse(s) an approved order ships from, then turn its
reserved stock into allocated stock there.

Stock moves are conditional UPDATEs checked by rowcount, in ascending SKU order, backed
by the `available_nonneg` CHECK: moving a reservation to another warehouse takes the
units there only if they are available, then gives them back where they were held.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.errors import InsufficientStock
from orderflow.fulfilment import rules
from orderflow.inventory import service as inventory
from orderflow.inventory.models import Reservation, ReservationState, StockLevel, Warehouse
from orderflow.orders import placement, queries
from orderflow.orders.models import Order, OrderLine

STOCK = cast(Table, StockLevel.__table__)
AVAILABLE = STOCK.c.on_hand - STOCK.c.reserved - STOCK.c.allocated - STOCK.c.damaged


def sites(s: Session) -> list[rules.Site]:
    return [rules.Site(w.id, w.code, w.province, w.priority)
            for w in s.scalars(select(Warehouse).order_by(Warehouse.id))]


def _capacity(s: Session, held: list[Reservation]) -> dict[tuple[int, int], int]:
    skus = {r.sku_id for r in held}
    rows = s.execute(select(STOCK.c.warehouse_id, STOCK.c.sku_id, AVAILABLE)
                     .where(STOCK.c.sku_id.in_(skus))).all()
    capacity = {(int(w), int(sku)): max(int(avail), 0) for w, sku, avail in rows}
    for r in held:  # what the order already holds there is its own to take
        capacity[(r.warehouse_id, r.sku_id)] = capacity.get((r.warehouse_id, r.sku_id), 0) \
            + r.quantity
    return capacity


def _move(s: Session, r: Reservation, target: int) -> None:
    """Allocate the reservation at `target`: in place, or taken there and given back."""
    now = clock.utcnow()
    where = [STOCK.c.sku_id == r.sku_id]
    if target == r.warehouse_id:
        done = s.execute(update(STOCK).where(*where, STOCK.c.warehouse_id == target)
                         .values(reserved=STOCK.c.reserved - r.quantity,
                                 allocated=STOCK.c.allocated + r.quantity, updated_at=now))
    else:
        done = s.execute(update(STOCK)
                         .where(*where, STOCK.c.warehouse_id == target, r.quantity <= AVAILABLE)
                         .values(allocated=STOCK.c.allocated + r.quantity, updated_at=now))
        if done.rowcount == 1:  # type: ignore[attr-defined]
            done = s.execute(update(STOCK).where(*where, STOCK.c.warehouse_id == r.warehouse_id)
                             .values(reserved=STOCK.c.reserved - r.quantity, updated_at=now))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise InsufficientStock(str(r.sku_id), r.quantity)
    r.warehouse_id = target
    r.state = ReservationState.ALLOCATED


class _LostRace(Exception):
    """Another order took the planned units between the plan and the move."""


def _apply(s: Session, plan: rules.Plan, held: list[Reservation]) -> None:
    for r in sorted(held, key=lambda r: (r.sku_id, r.id)):
        try:
            _move(s, r, plan.lines[r.id])
        except InsufficientStock:
            raise _LostRace from None


def allocate(s: Session, order: Order, *, attempts: int = 3) -> tuple[rules.Plan, dict[int, str]]:
    """Reserve what is not yet reserved, plan, move. A move that loses a race to another
    order rolls back to a savepoint and the order is planned again on the new figures.
    Returns the plan and the warehouse codes by id; raises InsufficientStock naming the SKU
    no warehouse can ship."""
    lines = queries.lines_of(s, order.id)
    if any(ln.reserved < ln.ordered - ln.cancelled for ln in lines):
        placement.reserve_order(s, order, lines)
    by_id = {ln.id: ln for ln in lines}
    where = sites(s)
    for attempt in range(attempts):
        held = [r for r in inventory.live_reservations(s, order.id)
                if r.state is ReservationState.ACTIVE]
        needs = [rules.LineNeed(r.id, r.sku_id, r.quantity) for r in held]
        plan = rules.plan_allocation(needs, where, _capacity(s, held), order.province)
        if plan.short:
            r = next(r for r in held if r.id == plan.short[0])
            raise InsufficientStock(by_id[r.order_line_id].sku_code, r.quantity)
        try:
            with s.begin_nested():
                _apply(s, plan, held)
        except _LostRace:
            s.expire_all()
            if attempt + 1 == attempts:
                raise InsufficientStock(by_id[held[0].order_line_id].sku_code,
                                        held[0].quantity) from None
            continue
        for ln in lines:
            ln.allocated = ln.reserved
        return plan, {site.id: site.code for site in where}
    raise AssertionError("unreachable")


def parts_of(s: Session, order_id: int) -> dict[int, list[tuple[OrderLine, int]]]:
    """warehouse id -> [(line, allocated units there)] of an allocated order."""
    rows = s.execute(select(Reservation.warehouse_id, Reservation.order_line_id,
                            Reservation.quantity)
                     .where(Reservation.order_id == order_id,
                            Reservation.state.in_([ReservationState.ALLOCATED,
                                                   ReservationState.CONSUMED]))
                     .order_by(Reservation.warehouse_id, Reservation.id)).all()
    lines = {ln.id: ln for ln in queries.lines_of(s, order_id)}
    parts: dict[int, list[tuple[OrderLine, int]]] = {}
    for warehouse_id, line_id, qty in rows:
        parts.setdefault(int(warehouse_id), []).append((lines[line_id], int(qty)))
    return parts
