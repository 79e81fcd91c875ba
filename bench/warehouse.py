"""Warehouse benchmark: the use cases a shift runs, timed on SQLite and PostgreSQL —
allocation (two warehouses, nearest or split), wave planning, pick lists, the whole-parcel
pack check and the hand-over.

    python bench/warehouse.py               # 600 orders on each database
    python bench/warehouse.py --quick       # 150 orders
    python bench/warehouse.py --orders 2000 --backend sqlite

Ends with ONE line of JSON (figures per database; see docs/guide/fulfilment-warehouse.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from intake import (  # bench/ is on sys.path: scripts run from it
    approve_unless_reviewed,
    fresh_database,
    log,
)
from orderflow.catalog import service as catalog
from orderflow.catalog.models import Sku
from orderflow.catalog.schemas import SkuIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import handover, packing, stock, waves
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment.desk import DefaultDesk
from orderflow.intake import service as intake
from orderflow.inventory import service as inventory
from orderflow.orders.lifecycle import Actor
from orderflow.orders.schemas import OrderIn

SKUS = 60
ACTOR = Actor("staff", "bench")
DESK = DefaultDesk()
ZONE = ZoneInfo("Asia/Shanghai")
PROVINCES = ["上海市", "浙江省", "江苏省", "广东省", "北京市", "四川省", "湖北省", "福建省"]





def seed(db: Db) -> dict[str, str]:
    """Two warehouses; SH holds every SKU, GZ every other one (so some orders split)."""
    with db.transaction() as s:
        sh = inventory.add_warehouse(s, "SH", "上海仓", province="上海市", priority=1)
        gz = inventory.add_warehouse(s, "GZ", "广州仓", province="广东省", priority=2)
        for i in range(SKUS):
            sku = catalog.add_sku(s, SkuIn(code=f"W-{i:03d}", name=f"商品 {i}", weight_g=250,
                                           barcode=f"690{i:010d}", price="9.90",
                                           currency="CNY"))
            inventory.set_on_hand(s, sku.id, sh.id, 10**6 if i % 5 else 0)
            inventory.set_on_hand(s, sku.id, gz.id, 10**6 if i % 2 == 0 or i % 5 == 0 else 0)
    for i in range(SKUS):
        for where in ("SH", "GZ"):
            stock.set_bin(db, sku=f"W-{i:03d}", warehouse=where, code=f"A-{i // 10:02d}-{i % 10}")
    with db.read() as s:
        return {row.code: row.barcode for row in s.execute(select(Sku.code, Sku.barcode))}


def place(db: Db, settings: Settings, count: int) -> None:
    rng = random.Random(4)
    for i in range(count):
        lines = {f"W-{rng.randrange(SKUS):03d}": rng.randint(1, 3)
                 for _ in range(rng.randint(1, 3))}
        total = sum(lines.values()) * 990
        body = {"channel": "bench", "external_id": f"wh-{i}",
                "customer": {"name": "张三", "phone": "13800138000"},
                "shipping_address": {"country": "CN", "province": rng.choice(PROVINCES),
                                     "city": "某市", "district": "某区", "detail": "某路 1 号"},
                "lines": [{"sku": k, "quantity": q} for k, q in lines.items()],
                "payment": {"method": "alipay", "amount": f"{total / 100:.2f}",
                            "external_ref": f"WH-{i}"}}
        placed = intake.place_order(db, OrderIn.model_validate(body), actor=ACTOR,
                                    settings=settings)
        approve_unless_reviewed(db, placed.number, ACTOR)


class Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def lap(self, label: str) -> float:
        now = time.perf_counter()
        seconds, self.started = now - self.started, now
        log(f"{label}: {seconds:.2f}s")
        return seconds


def run(backend: str, count: int) -> dict[str, float | int] | None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        url = fresh_database(backend, tmp, "orderflow_bench_wh")
        if url is None:
            return None
        db = Db(url, pool_size=4)
        settings = Settings(database_url=url, secret_key="bench", var_dir=tmp)
        codes = seed(db)
        log(f"{backend}: placing and approving {count} orders")
        place(db, settings, count)
        clock = Clock()
        done, _failed = fulfilment.allocate_approved(db, actor=ACTOR, limit=count)
        alloc_s = clock.lap("allocate")
        planned = waves.plan_waves(db, actor=ACTOR, desk=DESK, zone=ZONE, max_orders=50)
        plan_s = clock.lap("plan waves")
        lists = [waves.pick_list(db, w.id) for w in planned]
        pick_s = clock.lap("pick lists")
        for w in planned:
            waves.release_wave(db, w.id, actor=ACTOR)
        parcels = [(w.warehouse, o, [(i.sku, i.quantity) for i in pl.items if i.order_number == o])
                   for w, pl in zip(planned, lists, strict=True) for o in pl.orders]
        clock.lap("release")
        for where, number, items in parcels:
            scans = [codes[sku] for sku, qty in items for _ in range(qty)]
            packing.pack_scanned(db, number, warehouse=where, scans=scans, weight_g=500,
                                 parcel_count=1, inspection="passed", actor=ACTOR)
        pack_s = clock.lap("pack")
        for n, (where, number, _items) in enumerate(parcels):
            handover.hand_over(db, number, warehouse=where, tracking_numbers=[f"SIM{n:09d}"],
                               desk=DESK, actor=ACTOR)
        ship_s = clock.lap("hand over")
        db.dispose()
        return {"orders": len(done), "parcels": len(parcels), "waves": len(planned),
                "allocations_per_s": round(len(done) / alloc_s, 1),
                "wave_plan_ms": round(plan_s * 1000, 1),
                "pick_list_ms": round(pick_s * 1000 / max(len(planned), 1), 1),
                "packs_per_s": round(len(parcels) / pack_s, 1),
                "handovers_per_s": round(len(parcels) / ship_s, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    count = 150 if args.quick else args.orders
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    figures = {b: run(b, count) for b in backends}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**{b: f for b, f in figures.items() if f}, "peak_rss_mb": round(peak, 1),
                      "load_1m": round(os.getloadavg()[0], 2)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
