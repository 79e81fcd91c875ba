"""Read-backs for change/merge/split tests: exact line quantities and stock figures."""

from __future__ import annotations

from sqlalchemy import func, select

from orderflow import outbox
from orderflow.db import Db
from orderflow.inventory.models import Reservation, ReservationState, StockLevel
from orderflow.orders import queries
from orderflow.orders.models import OrderLine


def lines(db: Db, number: str) -> dict[str, dict[str, int]]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return {ln.sku_code: {q: getattr(ln, q) for q in ("ordered", "reserved", "cancelled")}
                for ln in queries.lines_of(s, order.id)}


def stock(db: Db, sku_id: int) -> dict[str, int]:
    """Stock figures of one SKU summed over warehouses, and its live reservations."""
    with db.read() as s:
        on_hand, reserved, allocated = s.execute(
            select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved),
                   func.sum(StockLevel.allocated)).where(StockLevel.sku_id == sku_id)).one()
        held = s.scalar(select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
            Reservation.sku_id == sku_id, Reservation.state == ReservationState.ACTIVE))
    return {"on_hand": int(on_hand), "reserved": int(reserved), "allocated": int(allocated),
            "held_by_reservations": int(held or 0)}


def money_of(db: Db, number: str) -> tuple[int, int, int]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return order.total_minor, order.paid_minor, order.refund_due_minor


def status(db: Db, number: str) -> str:
    with db.read() as s:
        return queries.get_order(s, number).status.value


def kinds(db: Db, number: str) -> list[str]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return [e.kind for e in queries.timeline_of(s, order.id)]


def owed(db: Db, number: str) -> list[str]:
    with db.read() as s:
        return outbox.kinds_for_order(s, queries.get_order(s, number).id)


def reserved_lines_match_reservations(db: Db) -> bool:
    """Every line's `reserved` equals its live reservations (the ledger's view)."""
    with db.read() as s:
        held = dict(s.execute(select(Reservation.order_line_id, func.sum(Reservation.quantity))
                              .where(Reservation.state == ReservationState.ACTIVE)
                              .group_by(Reservation.order_line_id)).all())
        rows = s.execute(select(OrderLine.id, OrderLine.reserved, OrderLine.allocated)).all()
    return all(held.get(r.id, 0) == r.reserved - r.allocated for r in rows)

