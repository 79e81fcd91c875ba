"""Intake benchmark: orders/s through POST /api/v1/orders and through the importer,
on SQLite and on PostgreSQL.

    python bench/intake.py                 # 3,000 API orders, a 100,000-order import file
    python bench/intake.py --quick         # a short run
    python bench/intake.py --orders 5000 --import-orders 50000 --workers 2 --clients 16

Ends with ONE line of JSON with the figures (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from orderflow import migrate
from orderflow.auth import service as auth
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.intake.importer import import_orders
from orderflow.inventory import service as inventory
from orderflow.orders.lifecycle import Actor

PG_ADMIN = os.environ.get("ORDERFLOW_BENCH_PG_ADMIN",
                          "host=127.0.0.1 port=5432 dbname=test user=postgres")
PG_HOST = os.environ.get("ORDERFLOW_BENCH_PG_HOST", "postgres@127.0.0.1:5432")
SKUS = 200
STOCK = 10**8
ACTOR = Actor("staff", "bench")



def approve_unless_reviewed(db: Db, number: str, actor: Actor) -> None:
    """Review approves a paid order that passes every rule at once; approve, as staff
    would, the ones it left waiting (the benchmarks that go on to the warehouse)."""
    from sqlalchemy import select

    from orderflow.orders import service as orders
    from orderflow.orders.models import Order
    from orderflow.orders.status import Status

    with db.read() as s:
        status = s.scalar(select(Order.status).where(Order.number == number))
    if status is not Status.APPROVED:
        orders.approve_order(db, number, actor=actor)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- databases --------------------------------------------------------------------


def fresh_database(backend: str, tmp: Path, name: str = "orderflow_bench") -> str | None:
    """A migrated, empty database for one benchmark: a SQLite file in `tmp`, or the
    PostgreSQL database `name` dropped and created again (None, said, when unreachable)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / (name + '.db')}"
    else:
        try:
            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            log(f"SKIPPING PostgreSQL: not reachable ({PG_ADMIN}): {str(exc).splitlines()[0]}")
            return None
        url = f"postgresql://{PG_HOST}/{name}"
    migrate.upgrade(url)
    return url


def seed(db: Db) -> str:
    with db.transaction() as s:
        main = inventory.add_warehouse(s, "SH", "上海仓", priority=1)
        for i in range(SKUS):
            sku = catalog.add_sku(s, SkuIn(code=f"B-{i:04d}", name=f"商品 {i}", weight_g=300,
                                           price="19.90", currency="CNY"))
            inventory.set_on_hand(s, sku.id, main.id, STOCK)
    return auth.create_token(db, "bench", ["orders:write", "orders:read"])


def settings_for(url: str, tmp: Path) -> Settings:
    return Settings(database_url=url, secret_key="bench-secret", var_dir=tmp)


# --- (a) the HTTP API -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "ORDERFLOW_DATABASE_URL": url, "ORDERFLOW_VAR_DIR": str(tmp),
           "ORDERFLOW_SECRET_KEY": "bench-secret"}
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


def order_json(n: int, run: str) -> bytes:
    rnd = random.Random(n)
    lines = [{"sku": f"B-{rnd.randrange(SKUS):04d}", "quantity": rnd.randint(1, 3)}
             for _ in range(3)]
    body = {"channel": "bench", "external_id": f"{run}-{n}",
            "customer": {"name": "张三", "phone": f"138{n % 100000000:08d}",
                         "email": f"buyer{n}@example.com"},
            "shipping_address": {"country": "CN", "province": "浙江省", "city": "杭州市",
                                 "district": "西湖区", "detail": f"文三路 {n} 号"},
            "lines": lines}
    return json.dumps(body, ensure_ascii=False).encode()


@dataclass
class Tally:
    done: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


async def _client(port: int, token: str, queue: asyncio.Queue[bytes], tally: Tally) -> None:
    """A lean keep-alive HTTP/1.1 client: the load generator shares the 2 cores."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n")
    while not queue.empty():
        body = queue.get_nowait()
        writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status_line = await reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status == 201:
            tally.done += 1
        else:
            tally.failed += 1
    writer.close()


async def _drive(port: int, token: str, bodies: list[bytes], clients: int) -> Tally:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    tally = Tally()
    total = len(bodies)

    async def report() -> None:
        while tally.done + tally.failed < total:
            await asyncio.sleep(2)
            log(f"  api: {tally.done + tally.failed:,}/{total:,} requests")

    reporter = asyncio.create_task(report())
    await asyncio.gather(*(_client(port, token, queue, tally) for _ in range(clients)))
    reporter.cancel()
    return tally


def bench_api(url: str, tmp: Path, token: str, args: argparse.Namespace, label: str) -> float:
    proc, port = start_server(url, tmp, args.workers)
    try:
        warm = [order_json(n, f"warm-{label}") for n in range(min(200, args.orders))]
        asyncio.run(_drive(port, token, warm, args.clients))
        bodies = [order_json(n, f"api-{label}") for n in range(args.orders)]
        start = time.perf_counter()
        tally = asyncio.run(_drive(port, token, bodies, args.clients))
        elapsed = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    rate = tally.done / elapsed
    log(f"{label} API: {tally.done:,} orders in {elapsed:.1f}s = {rate:,.0f} orders/s "
        f"({args.workers} workers, {args.clients} clients; statuses {tally.statuses})")
    return rate


# --- (b) the importer -------------------------------------------------------------


def write_import_file(path: Path, orders: int) -> None:
    """3 lines per order; 1 buyer in 2 comes back (repeat customers, like real shops)."""
    rnd = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["external_id", "customer_name", "phone", "email", "province", "city",
                      "district", "address", "sku", "quantity"])
        for n in range(orders):
            buyer = rnd.randrange(orders // 2 or 1)
            for _ in range(3):
                out.writerow([f"IMP-{n}", "李四", f"139{buyer:08d}", f"b{buyer}@example.com",
                              "广东省", "深圳市", "南山区", f"科技园 {n} 号",
                              f"B-{rnd.randrange(SKUS):04d}", rnd.randint(1, 3)])


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_import(url: str, tmp: Path, path: Path, orders: int, label: str) -> tuple[float, bool]:
    db = Db(url)
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.25):
            samples.append(rss_mb())

    last = [time.monotonic()]

    def progress(done: int, _total: int | None) -> None:
        if time.monotonic() - last[0] >= 2:
            last[0] = time.monotonic()
            log(f"  import: {done:,}/{orders:,} orders, RSS {rss_mb():.0f} MB")

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    report = import_orders(db, path, filename=path.name, actor=ACTOR,
                           settings=settings_for(url, tmp), progress=progress)
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    db.dispose()
    rate = len(report.imported) / elapsed
    flat = _flat(samples)
    log(f"{label} import: {len(report.imported):,} orders ({len(report.errors)} errors) in "
        f"{elapsed:.1f}s = {rate:,.0f} orders/s; RSS samples {_spread(samples)} -> "
        f"{'flat' if flat else 'GROWING'}")
    return rate, flat


def _spread(samples: list[float]) -> str:
    if not samples:
        return "n/a"
    quarter = samples[len(samples) // 4]
    return f"min {min(samples):.0f} / at 25% {quarter:.0f} / max {max(samples):.0f} MB"


def _flat(samples: list[float]) -> bool:
    """Flat: after the first quarter (warm-up), RSS grows by less than 40 MB."""
    if len(samples) < 4:
        return True
    return max(samples) - samples[len(samples) // 4] < 40


# --- main -------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace, import_file: Path,
                results: dict[str, float | None]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"orderflow-bench-{backend}-"))
    try:
        url = fresh_database(backend, tmp)
        if url is None:
            return
        db = Db(url)
        token = seed(db)
        db.dispose()
        log(f"{backend}: migrated and seeded {SKUS} SKUs")
        results[f"api_orders_per_s_{backend}"] = round(bench_api(url, tmp, token, args, backend), 1)
        rate, flat = bench_import(url, tmp, import_file, args.import_orders, backend)
        results[f"import_orders_per_s_{backend}"] = round(rate, 1)
        results[f"import_memory_flat_{backend}"] = flat
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000, help="API orders per backend")
    parser.add_argument("--import-orders", type=int, default=100_000, help="orders in the file")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=16, help="concurrent API clients")
    parser.add_argument("--quick", action="store_true", help="300 API orders, 5,000 imported")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.import_orders = min(args.orders, 300), min(args.import_orders, 5000)
    work = Path(tempfile.mkdtemp(prefix="orderflow-bench-"))
    results: dict[str, float | None] = {"api_orders_per_s_sqlite": None,
                                        "api_orders_per_s_postgres": None,
                                        "import_orders_per_s_sqlite": None,
                                        "import_orders_per_s_postgres": None}
    try:
        import_file = work / "orders.csv"
        write_import_file(import_file, args.import_orders)
        log(f"wrote {args.import_orders:,} orders x 3 lines to {import_file} "
            f"({import_file.stat().st_size / 2**20:.1f} MB)")
        for backend in args.backends.split(","):
            run_backend(backend, args, import_file, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    log(f"peak RSS: this process {own:.0f} MB, largest child (server worker) {children:.0f} MB")
    results["peak_rss_mb"] = round(max(own, children), 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
