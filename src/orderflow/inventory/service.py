"""Stock steps. Every change is a conditional UPDATE checked by rowcount, never
read-then-write; the CHECK constraints on stock_levels back it up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.errors import InsufficientStock, NotFound
from orderflow.inventory.models import Reservation, ReservationState, StockLevel, Warehouse

STOCK = cast(Table, StockLevel.__table__)
RESERVATIONS = cast(Table, Reservation.__table__)
WAREHOUSES = cast(Table, Warehouse.__table__)
AVAILABLE = STOCK.c.on_hand - STOCK.c.reserved - STOCK.c.allocated - STOCK.c.damaged


@dataclass(frozen=True)
class Need:
    order_id: int
    line_id: int
    sku_id: int
    sku_code: str
    quantity: int
    field: str = "lines"


def reserve(s: Session, needs: list[Need]) -> list[dict[str, Any]]:
    """Reserve every need or raise InsufficientStock naming the SKU (the caller's
    transaction then rolls back whole). Needs are taken in ascending SKU id order so
    concurrent orders lock stock rows in one order and cannot deadlock. Returns the
    reservation rows written (Core, one executemany)."""
    conn = s.connection()
    now = clock.utcnow()
    made = []
    for need in sorted(needs, key=lambda n: (n.sku_id, n.line_id)):
        warehouse_id = _take(conn, need.sku_id, need.quantity)
        if warehouse_id is None:
            raise InsufficientStock(need.sku_code, need.quantity, field=need.field)
        made.append({"order_id": need.order_id, "order_line_id": need.line_id,
                     "sku_id": need.sku_id, "warehouse_id": warehouse_id,
                     "quantity": need.quantity, "state": ReservationState.ACTIVE,
                     "created_at": now, "released_at": None})
    if made:
        conn.execute(insert(RESERVATIONS).values(made))  # one multi-row INSERT
    return made


# Built once: the conditional UPDATEs below run for every order line.
_QTY = bindparam("b_qty", type_=Integer())
_AT = bindparam("b_at", type_=STOCK.c.updated_at.type)
_ENOUGH = _QTY <= AVAILABLE
_RESERVE = {"reserved": STOCK.c.reserved + _QTY, "updated_at": _AT}
_CANDIDATES = (select(STOCK.c.id, STOCK.c.warehouse_id)
               .join(WAREHOUSES, WAREHOUSES.c.id == STOCK.c.warehouse_id)
               .where(STOCK.c.sku_id == bindparam("b_sku"), _ENOUGH,
                      WAREHOUSES.c.active.is_(True))  # a retired warehouse takes no more
               .order_by(WAREHOUSES.c.priority, STOCK.c.id))
_TAKE_BEST = (update(STOCK)
              .where(STOCK.c.id == _CANDIDATES.with_only_columns(STOCK.c.id).limit(1)
                     .scalar_subquery(), _ENOUGH)
              .values(_RESERVE)
              .returning(STOCK.c.warehouse_id))
_TAKE_LEVEL = update(STOCK).where(STOCK.c.id == bindparam("b_level"), _ENOUGH).values(_RESERVE)


def _take(conn: Connection, sku_id: int, quantity: int) -> int | None:
    """Reserve the whole quantity in one warehouse, best priority first.

    One round trip in the usual case: the best warehouse is chosen and reserved in one
    conditional UPDATE; only if that loses a race are the candidates tried in turn."""
    args = {"b_sku": sku_id, "b_qty": quantity, "b_at": clock.utcnow()}
    taken = conn.execute(_TAKE_BEST, args).first()
    if taken is not None:
        return int(taken[0])
    for level_id, warehouse_id in conn.execute(_CANDIDATES, args).all():
        if conn.execute(_TAKE_LEVEL, {**args, "b_level": level_id}).rowcount == 1:
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


def consume(s: Session, order_id: int, warehouse_id: int | None = None) -> list[Reservation]:
    """Allocated stock leaves the building: on hand and allocated both go down (only at
    `warehouse_id` when given: one part of a split order)."""
    allocated = [r for r in live_reservations(s, order_id) if r.state is ReservationState.ALLOCATED
                 and warehouse_id in (None, r.warehouse_id)]
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
