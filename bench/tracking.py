"""Tracking benchmark: carrier events/s through the 快递100 push endpoint, and the lag from a
push to the order's status, on SQLite and on PostgreSQL.

    python bench/tracking.py                  # 300 parcels x 12 scans, 4 new scans per push
    python bench/tracking.py --quick          # 100 parcels
    python bench/tracking.py --parcels 500 --scans-per-push 1 --clients 16 --workers 2

It starts the real server (`orderflow serve`, like bench/intake.py) on a fresh database,
ships packed orders through the real use cases (tracking.ship_parcel), then pushes each
parcel's history as 快递100 does: form `param` (the full `lastResult`, newest first) and
`sign` = UPPER(MD5(param + salt)); each push adds `--scans-per-push` new scans, so every
scan is stored once and the older ones are duplicates. events/s = new events stored per
second. The lag is measured on the pushes that move an order (pickup -> in_transit,
out for delivery, delivered): from sending the push until its answer, which comes after
the commit, so the order's new status is visible by then (checked at the end).

Ends with ONE line of JSON: events_per_s_sqlite, events_per_s_postgres,
status_lag_p99_ms_postgres (and a few more figures).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

from intake import (  # bench/ is on sys.path: scripts run from it
    approve_unless_reviewed,
    fresh_database,
    log,
)
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.intake import service as intake
from orderflow.inventory import service as inventory
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.schemas import OrderIn
from orderflow.outbox import OutboxMessage
from orderflow.tracking import service as tracking
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import TrackingEvent

SALT = "bench-salt"
ACTOR = Actor("staff", "bench")
HUBS = ["杭州转运中心", "上海转运中心", "南京分拨中心", "合肥转运中心", "武汉转运中心",
        "郑州分拨中心", "西安转运中心", "成都转运中心"]




# --- databases and parcels --------------------------------------------------------------

def ship_parcels(db: Db, tmp: Path, count: int) -> list[tuple[str, str]]:
    """(order number, tracking number) of `count` orders shipped through the use cases."""
    settings = Settings(database_url=db.url, secret_key="bench-secret", var_dir=tmp)
    with db.transaction() as s:
        wh = inventory.add_warehouse(s, "SH", "上海仓", priority=1)
        sku = catalog.add_sku(s, SkuIn(code="T-1", name="茶叶", weight_g=300, price="19.90",
                                       currency="CNY"))
        inventory.set_on_hand(s, sku.id, wh.id, 10**8)
    tset = TrackingSettings(provider="kuaidi100")
    parcels = []
    for n in range(count):
        body = {"channel": "bench", "external_id": f"T-{n}",
                "customer": {"name": "张三", "phone": f"138{n:08d}"},
                "shipping_address": {"country": "CN", "province": "浙江省", "city": "杭州市",
                                     "district": "西湖区", "detail": f"文三路 {n} 号"},
                "lines": [{"sku": "T-1", "quantity": 1}],
                "payment": {"method": "alipay", "amount": "19.90", "external_ref": f"P-{n}"}}
        placed = intake.place_order(db, OrderIn.model_validate(body), actor=ACTOR,
                                    settings=settings)
        approve_unless_reviewed(db, placed.number, ACTOR)
        fulfilment.allocate_order(db, placed.number, actor=ACTOR)
        fulfilment.start_picking(db, placed.number, actor=ACTOR)
        fulfilment.pack_order(db, placed.number, actor=ACTOR)
        number = f"SF{7 * 10**12 + n:013d}"
        tracking.ship_parcel(db, placed.number, carrier="SF", tracking_number=number,
                             actor=ACTOR, settings=tset)
        parcels.append((placed.number, number))
        if n and n % 100 == 0:
            log(f"  shipped {n}/{count} parcels")
    return parcels


# --- 快递100 pushes ---------------------------------------------------------------------
def scans(n: int, total: int) -> list[dict[str, str]]:
    """A parcel's history, oldest first: ordered, pickup, hubs, arrival, out, delivered."""
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=n % 600)
    hubs = total - 5
    steps = [("101", "商家已下单"), ("103", "【杭州市】快递员已揽收")]
    steps += [("1002", f"快件已从【{HUBS[(n + i) % len(HUBS)]}】发出") for i in range(hubs)]
    steps += [("1001", "快件已到达【杭州西湖营业部】"), ("5", "快递员正在派件"),
              ("301", "已签收，本人签收")]
    out = []
    for i, (code, context) in enumerate(steps):
        when = (start + timedelta(hours=4 * i)).astimezone(UTC) + timedelta(hours=8)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        out.append({"context": context, "time": stamp, "ftime": stamp, "statusCode": code,
                    "areaName": "浙江省,杭州市"})
    return out


STATE_OF = {"101": "1", "103": "1", "1002": "0", "1001": "0", "5": "5", "301": "3"}
MOVES = {"103", "5", "301"}  # scans that move the order (in transit, out for delivery, delivered)


def push_body(number: str, history: list[dict[str, str]]) -> bytes:
    newest_first = list(reversed(history))
    state = STATE_OF[newest_first[0]["statusCode"]]
    param = json.dumps({"status": "shutdown" if state == "3" else "polling", "billstatus": "got",
                        "message": "", "autoCheck": "0", "comOld": "", "comNew": "",
                        "lastResult": {"message": "ok", "nu": number, "ischeck": "0",
                                       "condition": "F00", "com": "shunfeng", "status": "200",
                                       "state": state, "data": newest_first}},
                       ensure_ascii=False, separators=(",", ":"))
    sign = hashlib.md5((param + SALT).encode()).hexdigest().upper()
    return urlencode({"param": param, "sign": sign}).encode()


@dataclass
class Push:
    body: bytes
    moves: bool


@dataclass
class Tally:
    done: int = 0
    failed: int = 0
    lags_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def build_pushes(parcels: list[tuple[str, str]], total: int, per_push: int) -> list[list[Push]]:
    """Rounds of pushes: in each round every parcel gets its next `per_push` scans."""
    rounds = []
    histories = {tn: scans(i, total) for i, (_, tn) in enumerate(parcels)}
    for end in range(per_push, total + per_push, per_push):
        batch = []
        for _, tn in parcels:
            history = histories[tn][:min(end, total)]
            fresh = history[end - per_push:]
            batch.append(Push(push_body(tn, history),
                              any(s["statusCode"] in MOVES for s in fresh)))
        rounds.append(batch)
    return rounds


async def _client(port: int, queue: asyncio.Queue[Push], tally: Tally) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST /api/carrier-hooks/kuaidi100 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n")
    while not queue.empty():
        push = queue.get_nowait()
        sent = time.perf_counter()
        writer.write(f"{head}Content-Length: {len(push.body)}\r\n\r\n".encode() + push.body)
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status == 200:
            tally.done += 1
            if push.moves:
                tally.lags_ms.append((time.perf_counter() - sent) * 1000)
        else:
            tally.failed += 1
    writer.close()


async def _drive(port: int, rounds: list[list[Push]], clients: int) -> Tally:
    tally = Tally()
    for i, batch in enumerate(rounds):
        queue: asyncio.Queue[Push] = asyncio.Queue()
        for push in batch:
            queue.put_nowait(push)
        await asyncio.gather(*(_client(port, queue, tally) for _ in range(clients)))
        log(f"  round {i + 1}/{len(rounds)}: {tally.done:,} pushes answered")
    return tally


def start_server(url: str, tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "ORDERFLOW_DATABASE_URL": url, "ORDERFLOW_VAR_DIR": str(tmp),
           "ORDERFLOW_SECRET_KEY": "bench-secret", "ORDERFLOW_KUAIDI100_SALT": SALT}
    proc = subprocess.Popen(
        [sys.executable, "-m", "orderflow.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log"], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def check(db: Db, parcels: int, scans_each: int) -> tuple[int, int, int]:
    with db.read() as s:
        stored = s.scalar(select(func.count()).select_from(TrackingEvent)) or 0
        delivered = s.scalar(select(func.count()).select_from(Order)
                             .where(Order.status == "delivered")) or 0
        notices = s.scalar(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.kind == "order.delivered")) or 0
    if (stored, delivered, notices) != (parcels * scans_each, parcels, parcels):
        log(f"  WARNING: expected {parcels * scans_each} events and {parcels} delivered orders "
            f"and notices; found {stored}, {delivered}, {notices}")
    return stored, delivered, notices


def run_backend(backend: str, args: argparse.Namespace, results: dict[str, float | None]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"orderflow-bench-tracking-{backend}-"))
    try:
        url = fresh_database(backend, tmp, "orderflow_bench_tracking")
        if url is None:
            return
        db = Db(url)
        log(f"{backend}: shipping {args.parcels} parcels through the use cases")
        parcels = ship_parcels(db, tmp, args.parcels)
        rounds = build_pushes(parcels, args.scans, args.scans_per_push)
        pushes = sum(len(r) for r in rounds)
        proc, port = start_server(url, tmp, args.workers)
        try:
            start = time.perf_counter()
            tally = asyncio.run(_drive(port, rounds, args.clients))
            elapsed = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        stored, delivered, notices = check(db, args.parcels, args.scans)
        db.dispose()
        rate = stored / elapsed
        lags = sorted(tally.lags_ms)
        p50 = statistics.median(lags) if lags else 0.0
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else 0.0
        log(f"{backend}: {stored:,} events stored from {pushes:,} pushes "
            f"({args.scans_per_push} new scans each, full history) in {elapsed:.1f}s = "
            f"{rate:,.0f} events/s, {tally.done / elapsed:,.0f} pushes/s; "
            f"push->status lag p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(lags)} moves; "
            f"{delivered} orders delivered, {notices} delivered notices owed; "
            f"statuses {tally.statuses}")
        results[f"events_per_s_{backend}"] = round(rate, 1)
        results[f"pushes_per_s_{backend}"] = round(tally.done / elapsed, 1)
        results[f"status_lag_p50_ms_{backend}"] = round(p50, 1)
        results[f"status_lag_p99_ms_{backend}"] = round(p99, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parcels", type=int, default=300)
    parser.add_argument("--scans", type=int, default=12, help="scans in a parcel's history")
    parser.add_argument("--scans-per-push", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=16, help="concurrent pushers")
    parser.add_argument("--quick", action="store_true", help="100 parcels")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if args.quick:
        args.parcels = min(args.parcels, 100)
    results: dict[str, float | None] = {"events_per_s_sqlite": None, "events_per_s_postgres": None,
                                        "status_lag_p99_ms_postgres": None}
    for backend in args.backends.split(","):
        run_backend(backend, args, results)
    log(f"load average: {os.getloadavg()}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
