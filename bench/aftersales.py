"""After-sales benchmark: cases driven through the HTTP API from request to refund
(open -> approve -> receive by scan -> refund, four requests a case) against a real
`orderflow serve`, on SQLite and on PostgreSQL. Refunds go to the simulated provider.

    python bench/aftersales.py             # 1,000 cases per database
    python bench/aftersales.py --quick     # 200 cases
    python bench/aftersales.py --cases 2000 --clients 8 --workers 2

The delivered orders are set up before the clock starts (placed through intake, then
moved to delivered set-based). Ends with ONE line of JSON: `aftersales_cases_per_s_<db>`
and `refund_p99_ms_<db>` (the refund request's 99th percentile latency).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from intake import free_port, fresh_database, log, seed, settings_for
from orderflow import clock
from orderflow.auth import service as auth
from orderflow.db import Db
from orderflow.intake import service as intake
from orderflow.orders.lifecycle import Actor
from orderflow.orders.schemas import OrderIn

ACTOR = Actor("api", "bench")


def delivered_orders(db: Db, url: str, tmp: Path, count: int) -> list[tuple[str, str]]:
    """Paid orders placed through intake, then marked shipped and delivered set-based."""
    settings = settings_for(url, tmp)
    numbers = []
    for n in range(count):
        body = {"channel": "bench", "external_id": f"as-{n}",
                "customer": {"name": "张三", "phone": f"138{n:08d}"},
                "shipping_address": {"country": "CN", "province": "浙江省", "city": "杭州市",
                                     "district": "西湖区", "detail": f"文三路 {n} 号"},
                "lines": [{"sku": f"B-{n % 200:04d}", "quantity": 2}],
                "payment": {"method": "alipay", "amount": "39.80",
                            "external_ref": f"AS-PAY-{n}"}}
        numbers.append((intake.place_order(db, OrderIn.model_validate(body), actor=ACTOR,
                                           settings=settings).number, f"B-{n % 200:04d}"))
    now = clock.utcnow()
    with db.transaction() as s:
        s.execute(text("UPDATE order_lines SET reserved = ordered, allocated = ordered, "
                       "picked = ordered, packed = ordered, shipped = ordered, "
                       "delivered = ordered"))
        s.execute(text("UPDATE orders SET status = 'delivered', version = version + 1"))
        s.execute(text("INSERT INTO timeline_events (order_id, at, actor, kind, to_status, "
                       "data) SELECT id, :now, 'system:bench', 'status.changed', 'delivered', "
                       "'{}' FROM orders"), {"now": now})
    return numbers


def start_server(url: str, tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """`orderflow serve` on a free port; up to two minutes to start on a busy machine."""
    port = free_port()
    env = {**os.environ, "ORDERFLOW_DATABASE_URL": url, "ORDERFLOW_VAR_DIR": str(tmp),
           "ORDERFLOW_SECRET_KEY": "bench-secret", "ORDERFLOW_REFUND_PROVIDER": "simulated"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "orderflow.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log"], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def _one_case(client: httpx.Client, item: tuple[str, str], refund_ms: list[float]) -> bool:
    number, sku = item
    r = client.post("/api/v1/aftersales/cases", json={
        "order_number": number, "type": "return_refund", "reason": "quality_damaged",
        "lines": [{"sku": sku, "quantity": 2}]})
    if r.status_code != 201:
        log(f"  open {number}: {r.status_code} {r.text[:200]}")
        return False
    cid = r.json()["id"]
    if client.post(f"/api/v1/aftersales/cases/{cid}/approve", json={}).status_code != 200:
        return False
    if client.post("/api/v1/aftersales/receiving", json={"scan": number}).status_code != 200:
        return False
    start = time.perf_counter()
    refund = client.post(f"/api/v1/aftersales/cases/{cid}/refund", json={})
    refund_ms.append((time.perf_counter() - start) * 1000)
    return refund.status_code == 200 and refund.json()[0]["state"] == "succeeded"


def drive(port: int, token: str, numbers: list[tuple[str, str]], clients: int
          ) -> tuple[int, int, float, list[float]]:
    queue = list(reversed(numbers))
    lock = threading.Lock()
    done, failed = [0], [0]
    refund_ms: list[float] = []

    def worker() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    number = queue.pop()
                ok = _one_case(client, number, refund_ms)
                with lock:
                    (done if ok else failed)[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], failed[0], time.perf_counter() - start, refund_ms


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def run_backend(backend: str, args: argparse.Namespace, results: dict[str, float | None]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"orderflow-bench-as-{backend}-"))
    os.environ["ORDERFLOW_REFUND_PROVIDER"] = "simulated"
    try:
        url = fresh_database(backend, tmp, "orderflow_bench_aftersales")
        if url is None:
            return
        db = Db(url)
        seed(db)
        token = auth.create_token(db, "bench-as", ["aftersales:read", "aftersales:write",
                                                   "refunds:read", "refunds:write"])
        log(f"{backend}: placing {args.cases + 50:,} delivered orders")
        numbers = delivered_orders(db, url, tmp, args.cases + 50)
        db.dispose()
        proc, port = start_server(url, tmp, args.workers)
        try:
            drive(port, token, numbers[:50], args.clients)  # warm-up
            done, failed, elapsed, refund_ms = drive(port, token, numbers[50:], args.clients)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        rate = done / elapsed
        log(f"{backend}: {done:,} cases ({failed} failed) request->refund in {elapsed:.1f}s = "
            f"{rate:,.1f} cases/s; refund p50 {sorted(refund_ms)[len(refund_ms) // 2]:.1f} ms, "
            f"p99 {p99(refund_ms):.1f} ms ({args.workers} workers, {args.clients} clients)")
        results[f"aftersales_cases_per_s_{backend}"] = round(rate, 1)
        results[f"refund_p99_ms_{backend}"] = round(p99(refund_ms), 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases per database")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    parser.add_argument("--quick", action="store_true", help="200 cases")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if args.quick:
        args.cases = min(args.cases, 200)
    results: dict[str, float | None] = {
        "aftersales_cases_per_s_sqlite": None, "refund_p99_ms_sqlite": None,
        "aftersales_cases_per_s_postgres": None, "refund_p99_ms_postgres": None}
    for backend in args.backends.split(","):
        run_backend(backend, args, results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
