"""Stock read side."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.catalog.models import Sku
from orderflow.catalog.schemas import StockOut
from orderflow.inventory.models import StockLevel, Warehouse


def stock_levels(s: Session, sku_code: str | None = None) -> list[StockOut]:
    stmt = (
        select(StockLevel, Sku.code, Warehouse.code)
        .join(Sku, Sku.id == StockLevel.sku_id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .order_by(Sku.code, Warehouse.code)
    )
    if sku_code:
        stmt = stmt.where(Sku.code == sku_code)
    return [
        StockOut(
            sku=sku,
            warehouse=wh,
            on_hand=lv.on_hand,
            reserved=lv.reserved,
            allocated=lv.allocated,
            damaged=lv.damaged,
            available=lv.on_hand - lv.reserved - lv.allocated - lv.damaged,
        )
        for lv, sku, wh in s.execute(stmt).all()
    ]


def get_warehouse(s: Session, code: str) -> Warehouse | None:
    return s.scalars(select(Warehouse).where(Warehouse.code == code)).first()
