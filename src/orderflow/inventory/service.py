"""Stock steps. Every change is a conditional UPDATE checked by rowcount, never
read-then-write; the CHECK constraints on stock_levels back it up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.errors import InsufficientStock, NotFound
from orderflow.inventory.models import Reservation, ReservationState, StockLevel, Warehouse

AVAILABLE = StockLevel.on_hand - StockLevel.reserved - StockLevel.allocated - StockLevel.damaged


@dataclass(frozen=True)
class Need:
    order_id: int
    line_id: int
    sku_id: int
    sku_code: str
    quantity: int
    field: str = "lines"


def reserve(s: Session, needs: list[Need]) -> list[Reservation]:
    """Reserve every need or raise InsufficientStock naming the SKU (the caller's
    transaction then rolls back whole). Needs are taken in ascending SKU id order so
    concurrent orders lock stock rows in one order and cannot deadlock."""
    now = clock.utcnow()
    made = []
    for need in sorted(needs, key=lambda n: (n.sku_id, n.line_id)):
        warehouse_id = _take(s, need.sku_id, need.quantity)
        if warehouse_id is None:
            raise InsufficientStock(need.sku_code, need.quantity, field=need.field)
        made.append(Reservation(
            order_id=need.order_id, order_line_id=need.line_id, sku_id=need.sku_id,
            warehouse_id=warehouse_id, quantity=need.quantity, state=ReservationState.ACTIVE,
            created_at=now,
        ))
    s.add_all(made)
    return made


def _take(s: Session, sku_id: int, quantity: int) -> int | None:
    """Reserve the whole quantity in one warehouse, best priority first.

    One round trip in the usual case: the best warehouse is chosen and reserved in one
    conditional UPDATE; only if that loses a race are the candidates tried in turn."""
    best = (select(StockLevel.id)
            .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
            .where(StockLevel.sku_id == sku_id, AVAILABLE >= quantity)
            .order_by(Warehouse.priority, StockLevel.id)
            .limit(1)
            .scalar_subquery())
    taken = s.execute(
        update(StockLevel)
        .where(StockLevel.id == best, AVAILABLE >= quantity)
        .values(reserved=StockLevel.reserved + quantity, updated_at=clock.utcnow())
        .returning(StockLevel.warehouse_id)
        .execution_options(synchronize_session=False)
    ).first()
    if taken is not None:
        return int(taken[0])
    return _take_any(s, sku_id, quantity)


def _take_any(s: Session, sku_id: int, quantity: int) -> int | None:
    candidates = s.execute(
        select(StockLevel.id, StockLevel.warehouse_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.sku_id == sku_id, AVAILABLE >= quantity)
        .order_by(Warehouse.priority, StockLevel.id)
    ).all()
    for level_id, warehouse_id in candidates:
        result = s.execute(
            update(StockLevel)
            .where(StockLevel.id == level_id, AVAILABLE >= quantity)
            .values(reserved=StockLevel.reserved + quantity, updated_at=clock.utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return int(warehouse_id)
    return None


def live_reservations(s: Session, order_id: int) -> list[Reservation]:
    return list(s.scalars(
        select(Reservation)
        .where(Reservation.order_id == order_id,
               Reservation.state.in_([ReservationState.ACTIVE, ReservationState.ALLOCATED]))
        .order_by(Reservation.sku_id, Reservation.id)
    ))


def _shift(s: Session, r: Reservation, **deltas: int) -> None:
    values = {name: getattr(StockLevel, name) + delta for name, delta in deltas.items()}
    result = s.execute(
        update(StockLevel)
        .where(StockLevel.sku_id == r.sku_id, StockLevel.warehouse_id == r.warehouse_id)
        .values(**values, updated_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"no stock level for reservation {r.id}")


def release(s: Session, order_id: int) -> list[Reservation]:
    """Give back every unshipped unit the order holds (reserved or allocated)."""
    released = live_reservations(s, order_id)
    for r in released:
        column = "reserved" if r.state is ReservationState.ACTIVE else "allocated"
        _shift(s, r, **{column: -r.quantity})
        r.state = ReservationState.RELEASED
        r.released_at = clock.utcnow()
    return released


def allocate(s: Session, order_id: int) -> list[Reservation]:
    """Reserved stock becomes allocated stock in the same warehouse."""
    active = [r for r in live_reservations(s, order_id) if r.state is ReservationState.ACTIVE]
    for r in active:
        _shift(s, r, reserved=-r.quantity, allocated=r.quantity)
        r.state = ReservationState.ALLOCATED
    return active


def consume(s: Session, order_id: int) -> list[Reservation]:
    """Allocated stock leaves the building: on hand and allocated both go down."""
    allocated = [r for r in live_reservations(s, order_id) if r.state is ReservationState.ALLOCATED]
    for r in allocated:
        _shift(s, r, on_hand=-r.quantity, allocated=-r.quantity)
        r.state = ReservationState.CONSUMED
    return allocated


def set_on_hand(s: Session, sku_id: int, warehouse_id: int, on_hand: int) -> StockLevel:
    """Stock count: refused by the CHECK if it would leave less than is held."""
    level = s.scalar(select(StockLevel).where(
        StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id))
    if level is None:
        level = StockLevel(sku_id=sku_id, warehouse_id=warehouse_id, on_hand=0, reserved=0,
                           allocated=0, damaged=0, updated_at=clock.utcnow())
        s.add(level)
    level.on_hand = on_hand
    level.updated_at = clock.utcnow()
    s.flush()
    return level


def add_warehouse(s: Session, code: str, name: str, *, province: str | None = None,
                  city: str | None = None, priority: int = 100) -> Warehouse:
    warehouse = Warehouse(code=code, name=name, province=province, city=city, priority=priority)
    s.add(warehouse)
    s.flush()
    return warehouse
