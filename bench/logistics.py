"""Logistics benchmark: the exception desk's worker jobs and its queue, on SQLite and
PostgreSQL.

    python bench/logistics.py            # 600 shipped orders, 5 carrier events each
    python bench/logistics.py --quick    # 150 orders

Per backend: (1) the carrier-event scan (cases opened from failed attempts, exceptions
and returns) in events/s; (2) the silent-parcel watchdog in parcels/s; (3) the
exceptions queue page query (200 open cases by due time) p50/p99 in ms; (4) the
delivered -> completed job in orders/s. Ends with ONE line of JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from intake import (  # bench/ is on sys.path: scripts run from it
    approve_unless_reviewed,
    fresh_database,
    log,
)
from orderflow import clock
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment.models import Shipment
from orderflow.intake import service as intake
from orderflow.inventory import service as inventory
from orderflow.logistics import queries
from orderflow.logistics import service as logistics
from orderflow.logistics.models import ScanCursor
from orderflow.orders.lifecycle import Actor
from orderflow.orders.schemas import OrderIn
from orderflow.tracking import service as tracking
from orderflow.tracking.models import TrackingEvent, TrackingStatus
from orderflow.tracking.rules import CarrierEvent

ACTOR = Actor("staff", "bench")
CARRIERS = ["SF", "ZTO", "YTO", "JD", "EMS"]
T = TrackingStatus





def ship_orders(db: Db, settings: Settings, count: int) -> list[str]:
    with db.transaction() as s:
        sh = inventory.add_warehouse(s, "SH", "上海仓", priority=1)
        sku = catalog.add_sku(s, SkuIn(code="B-1", name="商品", weight_g=300, price="19.90",
                                       currency="CNY"))
        inventory.set_on_hand(s, sku.id, sh.id, 10**7)
    numbers = []
    for i in range(count):
        body = {"customer": {"name": "张三", "phone": f"138{i:08d}"},
                "shipping_address": {"country": "CN", "province": "浙江省", "city": "杭州市",
                                     "district": "西湖区", "detail": f"文三路 {i} 号"},
                "lines": [{"sku": "B-1", "quantity": 1}],
                "payment": {"method": "alipay", "amount": "19.90",
                            "external_ref": uuid.uuid4().hex}}
        number = intake.place_order(db, OrderIn.model_validate(body), actor=ACTOR,
                                    settings=settings).number
        approve_unless_reviewed(db, number, ACTOR)
        fulfilment.allocate_order(db, number, actor=ACTOR)
        fulfilment.start_picking(db, number, actor=ACTOR)
        fulfilment.pack_order(db, number, actor=ACTOR)
        fulfilment.ship_order(db, number, carrier=CARRIERS[i % 5], actor=ACTOR,
                              tracking_number=f"BENCH{i:010d}", service="standard")
        numbers.append(number)
    return numbers


def story(i: int, shipped: Any) -> list[CarrierEvent]:
    """Five events per parcel; one in ten fails delivery, one in twenty is damaged or
    returned, one in five is delivered, the rest stay in transit (some go silent)."""
    rnd = random.Random(i)
    at = clock.as_utc(shipped)
    kinds = [T.INFO_RECEIVED, T.IN_TRANSIT, T.IN_TRANSIT, T.OUT_FOR_DELIVERY]
    roll = rnd.random()
    last = (T.DELIVERY_ATTEMPTED if roll < 0.1 else T.EXCEPTION if roll < 0.13
            else T.RETURNING if roll < 0.15 else T.DELIVERED if roll < 0.35 else T.IN_TRANSIT)
    return [CarrierEvent(occurred_at=at + timedelta(minutes=10 * (n + 1)), status=st,
                         raw_code=f"{st.value}-{n}", description=f"scan {n}",
                         problem="damaged" if st is T.EXCEPTION else None)
            for n, st in enumerate([*kinds, last])]


def push_events(db: Db, numbers: list[str]) -> int:
    with db.read() as s:
        shipments = list(s.scalars(select(Shipment).order_by(Shipment.id)))
    pushed = 0
    for i, shipment in enumerate(shipments):
        with db.transaction() as s:
            row = s.get_one(Shipment, shipment.id)
            events = story(i, row.shipped_at)
            tracking.record_events(s, row, events, source="bench")
            pushed += len(events)
    with db.transaction() as s:  # past the scan's settling window
        s.execute(update(TrackingEvent).values(
            received_at=clock.utcnow() - timedelta(minutes=1)))
    return pushed


def run_backend(backend: str, count: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-logistics-{backend}-"))
    url = fresh_database(backend, tmp, "orderflow_bench_logistics")
    if url is None:
        return {}
    db = Db(url, pool_size=4)
    settings = Settings(database_url=url, secret_key="bench", var_dir=tmp)
    log(f"{backend}: shipping {count} orders through the use cases")
    numbers = ship_orders(db, settings, count)
    pushed = push_events(db, numbers)
    log(f"{backend}: {pushed} carrier events stored; scanning")

    started = time.perf_counter()
    opened = 0
    while True:
        done = logistics.scan_carrier_events(db, settings, limit=500)
        if not done:
            with db.read() as s:
                left = s.scalar(select(TrackingEvent.id).order_by(TrackingEvent.id.desc()))
            with db.read() as s:
                at = s.scalar(select(ScanCursor.position))
            if at == left:
                break
        opened += done
    scan_s = time.perf_counter() - started

    started = time.perf_counter()
    silent = logistics.watch_silent_parcels(db, settings, now=clock.utcnow() + timedelta(
        hours=49), limit=10**6)
    watch_s = time.perf_counter() - started

    timings = []
    f = queries.case_filter()
    for _ in range(50):
        t0 = time.perf_counter()
        with db.read() as s:
            queries.list_cases(s, f, limit=200)
            queries.counts(s)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()

    started = time.perf_counter()
    completed = logistics.complete_delivered(db, settings, now=clock.utcnow() + timedelta(
        days=8), limit=10**6)
    complete_s = time.perf_counter() - started
    db.dispose()
    figures = {
        "scan_events_per_s": pushed / scan_s,
        "watchdog_parcels_per_s": count / watch_s,
        "queue_p50_ms": statistics.median(timings),
        "queue_p99_ms": timings[int(len(timings) * 0.99) - 1],
        "complete_orders_per_s": len(completed) / complete_s if completed else 0.0,
    }
    log(f"{backend}: scanned {pushed} events in {scan_s:.2f} s ({figures['scan_events_per_s']:.0f}"
        f"/s), {opened} handled; watchdog opened {silent} cases over {count} parcels in "
        f"{watch_s:.2f} s; queue p50 {figures['queue_p50_ms']:.1f} ms p99 "
        f"{figures['queue_p99_ms']:.1f} ms; completed {len(completed)} in {complete_s:.2f} s")
    return {f"{k}_{backend}": round(v, 1) for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 150 if args.quick else args.orders
    results: dict[str, float] = {}
    for backend in ("sqlite", "postgres"):
        results.update(run_backend(backend, count))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
