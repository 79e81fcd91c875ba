"""Warehouse builders: stock in both warehouses, bins, and orders walked through waves and
the pack station with the real use cases."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from orderflow import outbox
from orderflow.catalog.models import Sku
from orderflow.db import Db
from orderflow.fulfilment import packing, waves
from orderflow.fulfilment.desk import DefaultDesk
from orderflow.inventory import service as inventory
from orderflow.inventory.models import StockLevel, Warehouse
from orderflow.orders import queries
from tests.builders.orders import STAFF

ZONE = ZoneInfo("Asia/Shanghai")
DESK = DefaultDesk()


def put_stock(db: Db, warehouse: str, stock_by_sku: dict[str, int]) -> None:
    with db.transaction() as s:
        where = s.scalars(select(Warehouse).where(Warehouse.code == warehouse)).one()
        for code, qty in stock_by_sku.items():
            sku = s.scalars(select(Sku).where(Sku.code == code)).one()
            inventory.set_on_hand(s, sku.id, where.id, qty)


def level(db: Db, sku: str, warehouse: str) -> dict[str, int]:
    with db.read() as s:
        lv = s.execute(select(StockLevel).join(Sku, Sku.id == StockLevel.sku_id)
                       .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
                       .where(Sku.code == sku, Warehouse.code == warehouse)).scalar_one()
        return {"on_hand": lv.on_hand, "reserved": lv.reserved, "allocated": lv.allocated,
                "damaged": lv.damaged}


def status(db: Db, number: str) -> str:
    with db.read() as s:
        return queries.get_order(s, number).status.value


def kinds(db: Db, number: str) -> list[str]:
    with db.read() as s:
        return outbox.kinds_for_order(s, queries.get_order(s, number).id)


def barcode(db: Db, sku: str) -> str:
    with db.read() as s:
        code = s.scalar(select(Sku.barcode).where(Sku.code == sku))
        assert code
        return code


def released_wave(db: Db, warehouse: str = "SH") -> int:
    planned = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE, warehouse=warehouse)
    assert len(planned) == 1
    waves.release_wave(db, planned[0].id, actor=STAFF)
    return planned[0].id


def pack(db: Db, number: str, lines: dict[str, int], warehouse: str = "SH",
         parcels: int = 1) -> int:
    opened = packing.open_pack(db, number, warehouse=warehouse, actor=STAFF)
    for sku, qty in lines.items():
        for _ in range(qty):
            assert packing.scan_item(db, opened.id, barcode(db, sku), actor=STAFF).problem is None
    packing.close_pack(db, opened.id, weight_g=1200, parcel_count=parcels, inspection="passed",
                       actor=STAFF)
    return opened.id
