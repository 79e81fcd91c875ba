"""Demo data of the warehouse (`orderflow demo`, `make run`): bin locations for every SKU,
low-stock thresholds (so the dashboard shows 库存预警), a few damaged units, and waves:
one released with parcels packed and one handed over, the rest open for staff to try."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import select

from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment import handover, packing, stock, waves
from orderflow.fulfilment.desk import CarrierDesk, DefaultDesk
from orderflow.orders.lifecycle import Actor
from orderflow.shipping import waybills
from orderflow.shipping.desk import ShippingDesk
from orderflow.shipping.models import Carrier

WAREHOUSE_STAFF = Actor("staff", "warehouse")


@dataclass
class WarehouseDemo:
    waves: int
    packed: int
    shipped: int


def _desk(db: Db, settings: Settings) -> CarrierDesk:
    with db.read() as s:
        has_carriers = s.scalar(select(Carrier.id).limit(1)) is not None
    return ShippingDesk(settings.zone) if has_carriers else DefaultDesk()


def _bins_and_thresholds(db: Db) -> list[tuple[str, str]]:
    with db.read() as s:
        skus = [(code, barcode or code) for code, barcode in
                s.execute(select(Sku.code, Sku.barcode).order_by(Sku.id))]
    for i, (code, _barcode) in enumerate(skus):
        location = f"{'ABCD'[i % 4]}-{i // 4 + 1:02d}-{i % 3 + 1}"
        stock.set_bin(db, sku=code, warehouse="SH", code=location)
        stock.set_bin(db, sku=code, warehouse="GZ", code=f"G{i // 6 + 1}-{i % 6 + 1:02d}")
    stock.set_threshold(db, sku=None, warehouse="GZ", low_at=8)
    stock.set_threshold(db, sku=None, warehouse="SH", low_at=20)
    stock.set_threshold(db, sku=skus[0][0], warehouse=None, low_at=60)
    with contextlib.suppress(OrderFlowError):  # no damaged units if the orders took them all
        stock.mark_damaged(db, sku=skus[1][0], warehouse="SH", quantity=2)
    return skus


def load(db: Db, settings: Settings) -> WarehouseDemo:
    barcodes = dict(_bins_and_thresholds(db))
    desk = _desk(db, settings)
    planned = waves.plan_waves(db, actor=WAREHOUSE_STAFF, desk=desk, zone=settings.zone,
                               warehouse="SH", max_orders=12)
    packed = shipped = 0
    if planned:
        first = waves.release_wave(db, planned[0].id, actor=WAREHOUSE_STAFF)
        for number in waves.orders_in_pick_order(db, first.id)[:3]:
            try:
                opened = packing.open_pack(db, number, warehouse="SH", actor=WAREHOUSE_STAFF)
                scans = [barcodes[sku] for sku, n in opened.expected.items() for _ in range(n)]
                packing.pack_scanned(db, number, warehouse="SH", scans=scans, weight_g=800,
                                     parcel_count=1, inspection="passed", actor=WAREHOUSE_STAFF)
                packed += 1
                if packed == 1:  # the first parcel leaves: its waybill, then the hand-over
                    numbers = [f"SIM{number}"]
                    if isinstance(desk, ShippingDesk):
                        waybills.issue(db, number, actor=WAREHOUSE_STAFF, weight_g=800)
                        numbers = []  # the issued waybill's tracking number
                    handover.hand_over(db, number, warehouse="SH", tracking_numbers=numbers,
                                       desk=desk, actor=WAREHOUSE_STAFF)
                    shipped += 1
            except OrderFlowError:
                continue  # an order held or cancelled meanwhile stays as it is
    return WarehouseDemo(len(planned), packed, shipped)
