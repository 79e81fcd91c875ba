"""The stock ledger check: stock figures against the live reservations and order lines.

Reservations are the source of truth for what orders hold. `stock_levels.reserved`
must equal the sum of ACTIVE reservations for that SKU and warehouse, `allocated`
the sum of ALLOCATED ones; each order line's `reserved` must equal what its
reservations hold (live or already shipped). `repair` resets stock figures to
the reservations' sums, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.catalog.models import Sku
from orderflow.inventory.models import Reservation, ReservationState, StockLevel, Warehouse
from orderflow.orders import rules as order_rules
from orderflow.orders.models import Order, OrderLine


@dataclass(frozen=True)
class Drift:
    sku: str
    warehouse: str
    column: str
    recorded: int
    expected: int

    def explain(self) -> str:
        diff = self.recorded - self.expected
        more = "more" if diff > 0 else "less"
        return (
            f"{self.sku} @ {self.warehouse}: stock says {self.column}={self.recorded}, "
            f"live reservations hold {self.expected} ({abs(diff)} {more} than they should)"
        )


@dataclass(frozen=True)
class LineDrift:
    order_line_id: int
    sku: str
    recorded: int
    expected: int

    def explain(self) -> str:
        return (
            f"order line {self.order_line_id} ({self.sku}): line says reserved={self.recorded}, "
            f"its reservations hold {self.expected}"
        )


def _sums(s: Session) -> dict[tuple[int, int], tuple[int, int]]:
    active = func.sum(
        case((Reservation.state == ReservationState.ACTIVE, Reservation.quantity), else_=0)
    )
    allocated = func.sum(
        case((Reservation.state == ReservationState.ALLOCATED, Reservation.quantity), else_=0)
    )
    rows = s.execute(
        select(Reservation.sku_id, Reservation.warehouse_id, active, allocated).group_by(
            Reservation.sku_id, Reservation.warehouse_id
        )
    ).all()
    return {(r[0], r[1]): (int(r[2] or 0), int(r[3] or 0)) for r in rows}


def check_stock(s: Session) -> list[Drift]:
    sums = _sums(s)
    rows = s.execute(
        select(StockLevel, Sku.code, Warehouse.code)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .order_by(Sku.code, Warehouse.code)
    ).all()
    drifts = []
    for level, sku, wh in rows:
        reserved, allocated = sums.pop((level.sku_id, level.warehouse_id), (0, 0))
        if level.reserved != reserved:
            drifts.append(Drift(sku, wh, "reserved", level.reserved, reserved))
        if level.allocated != allocated:
            drifts.append(Drift(sku, wh, "allocated", level.allocated, allocated))
    for (sku_id, wh_id), (reserved, allocated) in sums.items():
        if reserved or allocated:
            drifts.append(
                Drift(
                    f"sku#{sku_id}",
                    f"warehouse#{wh_id}",
                    "missing stock row",
                    0,
                    reserved + allocated,
                )
            )
    return drifts


def check_lines(s: Session) -> list[LineDrift]:
    held = func.coalesce(
        func.sum(
            case((Reservation.state != ReservationState.RELEASED, Reservation.quantity), else_=0)
        ),
        0,
    )
    sub = (
        select(Reservation.order_line_id, held.label("held"))
        .group_by(Reservation.order_line_id)
        .subquery()
    )
    rows = s.execute(
        select(OrderLine.id, OrderLine.sku_code, OrderLine.reserved, func.coalesce(sub.c.held, 0))
        .outerjoin(sub, sub.c.order_line_id == OrderLine.id)
        .where(OrderLine.reserved != func.coalesce(sub.c.held, 0))
        .order_by(OrderLine.id)
        .limit(1000)
    ).all()
    return [LineDrift(r[0], r[1], int(r[2]), int(r[3])) for r in rows]


@dataclass(frozen=True)
class StatusDrift:
    number: str
    problem: str

    def explain(self) -> str:
        return f"order {self.number}: {self.problem}"


def check_statuses(s: Session) -> list[StatusDrift]:
    """Orders whose status disagrees with their lines' quantities (orders.rules)."""
    allocated = func.coalesce(func.sum(OrderLine.allocated), 0)
    rows = s.execute(
        select(Order.number, Order.status, Order.hold_resume_status, allocated)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.status.in_([*order_rules.BEFORE_WAREHOUSE, "on_hold"]))
        .group_by(Order.id, Order.number, Order.status, Order.hold_resume_status)
        .having(allocated > 0)
        .order_by(Order.id)
        .limit(1000)
    ).all()
    drifts = []
    for number, status, resume, units in rows:
        problem = order_rules.status_disagreement(
            str(status), str(resume) if resume else None, int(units))
        if problem:
            drifts.append(StatusDrift(number, problem))
    return drifts


def repair_stock(s: Session) -> int:
    """Set reserved/allocated to what live reservations hold. Returns rows changed."""
    sums = _sums(s)
    changed = 0
    for level in s.scalars(select(StockLevel).order_by(StockLevel.id)):
        reserved, allocated = sums.get((level.sku_id, level.warehouse_id), (0, 0))
        if (level.reserved, level.allocated) != (reserved, allocated):
            s.execute(
                update(StockLevel)
                .where(StockLevel.id == level.id)
                .values(reserved=reserved, allocated=allocated, updated_at=clock.utcnow())
                .execution_options(synchronize_session=False)
            )
            changed += 1
    return changed
