"""库存预警 and the warehouse's own stock records: low-stock thresholds and the alerts
they raise, damaged stock kept apart (never available, so never allocated), bins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.catalog.models import Sku
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from orderflow.fulfilment.models import BinLocation, StockThreshold
from orderflow.inventory.models import StockLevel, Warehouse

STOCK = cast(Table, StockLevel.__table__)
AVAILABLE = STOCK.c.on_hand - STOCK.c.reserved - STOCK.c.allocated - STOCK.c.damaged


@dataclass(frozen=True, slots=True)
class Alert:
    sku: str
    name: str
    warehouse: str
    available: int
    low_at: int
    damaged: int

    @property
    def level(self) -> str:
        return "out" if self.available <= 0 else "low"


def get_sku(s: Session, code: str, field: str = "sku") -> Sku:
    sku = s.scalars(select(Sku).where(Sku.code == code.strip())).first()
    if sku is None:
        raise NotFound(f"no SKU {code}", code="sku.not_found",
                       fields=[FieldProblem(field, "sku.not_found", f"no SKU {code}")])
    return sku


def get_warehouse(s: Session, code: str, field: str = "warehouse") -> Warehouse:
    found = s.scalars(select(Warehouse).where(Warehouse.code == code.strip())).first()
    if found is None:
        raise NotFound(f"no warehouse {code}", code="warehouse.not_found",
                       fields=[FieldProblem(field, "warehouse.not_found",
                                            f"no warehouse {code}")])
    return found


def _quantity(value: int, field: str, *, allow_zero: bool = False) -> int:
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed([FieldProblem(field, "quantity.invalid",
                                             "must be 0 or more" if allow_zero
                                             else "must be 1 or more")])
    return value


def set_threshold(db: Db, *, sku: str | None, warehouse: str | None, low_at: int) -> None:
    """Per SKU, per warehouse, or per SKU in one warehouse (the most specific wins)."""
    _quantity(low_at, "low_at", allow_zero=True)
    if not sku and not warehouse:
        raise ValidationFailed([FieldProblem("sku", "threshold.scope",
                                             "name a SKU, a warehouse, or both")])
    with db.transaction() as s:
        sku_id = get_sku(s, sku).id if sku else None
        warehouse_id = get_warehouse(s, warehouse).id if warehouse else None
        row = s.scalars(select(StockThreshold).where(
            StockThreshold.sku_id.is_(None) if sku_id is None else StockThreshold.sku_id == sku_id,
            StockThreshold.warehouse_id.is_(None) if warehouse_id is None
            else StockThreshold.warehouse_id == warehouse_id)).first()
        if row is None:
            row = StockThreshold(sku_id=sku_id, warehouse_id=warehouse_id, low_at=low_at,
                                 updated_at=clock.utcnow())
            s.add(row)
        row.low_at = low_at
        row.updated_at = clock.utcnow()


def alerts(s: Session) -> list[Alert]:
    """Every SKU in every warehouse at or below its threshold, emptiest first."""
    limits: dict[tuple[int | None, int | None], int] = {
        (t.sku_id, t.warehouse_id): t.low_at for t in s.scalars(select(StockThreshold))}
    if not limits:
        return []
    rows = s.execute(select(StockLevel, Sku.code, Sku.name, Warehouse.code)
                     .join(Sku, Sku.id == StockLevel.sku_id)
                     .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)).all()
    found = []
    for level, code, name, warehouse in rows:
        low_at = next((limits[k] for k in ((level.sku_id, level.warehouse_id),
                                           (level.sku_id, None), (None, level.warehouse_id))
                       if k in limits), None)
        available = level.on_hand - level.reserved - level.allocated - level.damaged
        if low_at is not None and available <= low_at:
            found.append(Alert(code, name, warehouse, available, low_at, level.damaged))
    return sorted(found, key=lambda a: (a.available - a.low_at, a.sku, a.warehouse))


def mark_damaged(db: Db, *, sku: str, warehouse: str, quantity: int) -> None:
    """Set units apart as damaged: taken from what is available (conditional UPDATE), so
    they can never be reserved or allocated."""
    _quantity(quantity, "quantity")
    with db.transaction() as s:
        sku_id, warehouse_id = get_sku(s, sku).id, get_warehouse(s, warehouse).id
        done = s.execute(update(STOCK)
                         .where(STOCK.c.sku_id == sku_id, STOCK.c.warehouse_id == warehouse_id,
                                quantity <= AVAILABLE)
                         .values(damaged=STOCK.c.damaged + quantity, updated_at=clock.utcnow()))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"fewer than {quantity} units of {sku} are available in {warehouse}",
                           code="stock.insufficient",
                           fields=[FieldProblem("quantity", "stock.insufficient",
                                                "more than is available")])


def write_off_damaged(db: Db, *, sku: str, warehouse: str, quantity: int) -> None:
    """Damaged units leave the stock: on hand and damaged both go down."""
    _quantity(quantity, "quantity")
    with db.transaction() as s:
        sku_id, warehouse_id = get_sku(s, sku).id, get_warehouse(s, warehouse).id
        done = s.execute(update(STOCK)
                         .where(STOCK.c.sku_id == sku_id, STOCK.c.warehouse_id == warehouse_id,
                                STOCK.c.damaged >= quantity)
                         .values(damaged=STOCK.c.damaged - quantity,
                                 on_hand=STOCK.c.on_hand - quantity, updated_at=clock.utcnow()))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"fewer than {quantity} damaged units of {sku} in {warehouse}",
                           code="stock.not_damaged",
                           fields=[FieldProblem("quantity", "stock.not_damaged",
                                                "more than is damaged")])


def set_bin(db: Db, *, sku: str, warehouse: str, code: str) -> None:
    location = code.strip().upper()
    if not location or len(location) > 32:
        raise ValidationFailed([FieldProblem("bin", "bin.invalid", "1 to 32 characters")])
    with db.transaction() as s:
        sku_id, warehouse_id = get_sku(s, sku).id, get_warehouse(s, warehouse).id
        row = s.scalars(select(BinLocation).where(BinLocation.sku_id == sku_id,
                                                  BinLocation.warehouse_id == warehouse_id)).first()
        if row is None:
            s.add(BinLocation(sku_id=sku_id, warehouse_id=warehouse_id, code=location))
        else:
            row.code = location
