"""Notification benchmark: emails/s into a local SMTP server with 1 and 2 worker
processes, and latency from the "shipped" commit to SMTP acceptance under a steady
50 shipments/s, on SQLite and PostgreSQL.

    python bench/notify.py                 # 3,000 emails per throughput run, 20 s steady load
    python bench/notify.py --quick         # 600 emails, 8 s steady load
Ends with ONE JSON line: emails_per_s_{1_worker,2_workers}_<db>, latency_p{50,99}_ms_<db>.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import approve_unless_reviewed, free_port, fresh_database, log, seed, settings_for
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.intake import service as intake
from orderflow.notify import prefs
from orderflow.orders.lifecycle import Actor
from orderflow.orders.schemas import OrderIn

ACTOR = Actor("staff", "bench")



class Sink:
    """Counts accepted messages and when each order's shipping email arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.first = self.last = 0.0
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        order = next((ln.split(":", 1)[1].strip() for ln in head.splitlines()
                      if ln.lower().startswith("x-orderflow-order:")), "")
        with self.lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
            self.arrived.setdefault(order, now)
        return "250 OK"


def body(i: int, paid: bool) -> OrderIn:
    data: dict[str, Any] = {
        "customer": {"name": f"Buyer {i}", "email": f"b{i}@example.com", "language": "en"},
        "shipping_address": {"country": "CN", "province": "浙江省", "city": "杭州市",
                             "district": "西湖区", "detail": "文三路 1 号"},
        "lines": [{"sku": "B-0001", "quantity": 1}],
    }
    if paid:
        data["payment"] = {"method": "alipay", "amount": "19.90", "external_ref": f"P{i}"}
    return OrderIn.model_validate(data)


def only_emails_for(db: Db, milestones_on: set[str]) -> None:
    with db.transaction() as s:
        for m in ("order.received", "order.paid", "order.shipped"):
            prefs.set_switch(s, m, "email", m in milestones_on)
            prefs.set_switch(s, m, "inbox", False)


def spawn_workers(n: int, url: str, smtp_port: int, tmp: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "ORDERFLOW_DATABASE_URL": url, "ORDERFLOW_SMTP_PORT": str(smtp_port),
           "ORDERFLOW_VAR_DIR": str(tmp), "ORDERFLOW_SECRET_KEY": "bench-secret" * 4}
    return [subprocess.Popen([sys.executable, "-m", "orderflow.cli", "worker"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(n)]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        w.terminate()
    for w in workers:
        w.wait(timeout=30)


def throughput(url: str, tmp: Path, workers: int, emails: int) -> float:
    """Orders placed with the workers stopped, then N 'order received' emails drained."""
    db = Db(url)
    settings = settings_for(url, tmp)
    only_emails_for(db, {"order.received"})
    log(f"  placing {emails} orders (workers stopped)")
    for i in range(emails):
        intake.place_order(db, body(i + workers * 10**6, paid=False), actor=ACTOR,
                           settings=settings)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    procs = spawn_workers(workers, url, port, tmp)
    deadline = time.monotonic() + 600
    while sink.count < emails and time.monotonic() < deadline:
        time.sleep(0.5)
        log(f"  {workers} worker(s): {sink.count}/{emails} emails")
    stop(procs)
    controller.stop()
    db.dispose()
    elapsed = max(1e-9, sink.last - sink.first)
    return round((sink.count - 1) / elapsed, 1)


def latency(url: str, tmp: Path, rate: float, seconds: float) -> tuple[float, float]:
    db = Db(url)
    settings = settings_for(url, tmp)
    only_emails_for(db, {"order.shipped"})
    count = int(rate * seconds)
    log(f"  preparing {count} packed orders")
    numbers = []
    for i in range(count):
        placed = intake.place_order(db, body(i + 9 * 10**6, paid=True), actor=ACTOR,
                                    settings=settings)
        approve_unless_reviewed(db, placed.number, ACTOR)
        fulfilment.allocate_order(db, placed.number, actor=ACTOR)
        fulfilment.start_picking(db, placed.number, actor=ACTOR)
        fulfilment.pack_order(db, placed.number, actor=ACTOR)
        numbers.append(placed.number)
        if i % 200 == 0:
            log(f"  prepared {i}/{count}")
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    procs = spawn_workers(2, url, port, tmp)
    time.sleep(3)  # workers up
    committed: dict[str, float] = {}
    start = time.monotonic()
    for i, number in enumerate(numbers):
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
        fulfilment.ship_order(db, number, carrier="SF", tracking_number=f"SF{number}", actor=ACTOR)
        committed[number] = time.time()
        if i % 100 == 0:
            log(f"  shipped {i}/{count}, emails {sink.count}")
    deadline = time.monotonic() + 120
    while sink.count < count and time.monotonic() < deadline:
        time.sleep(0.2)
    stop(procs)
    controller.stop()
    db.dispose()
    lat = sorted((sink.arrived[n] - committed[n]) * 1000 for n in numbers if n in sink.arrived)
    missing = count - len(lat)
    if missing:
        log(f"  WARNING: {missing} shipping emails did not arrive")
    p50 = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return round(p50, 1), round(p99, 1)


def run(backend: str, args: argparse.Namespace, figures: dict[str, float]) -> None:
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            url = fresh_database(backend, tmp, "orderflow_bench_notify")
            if url is None:
                return
            seed(Db(url))
            log(f"{backend}: throughput with {workers} worker(s)")
            key = f"emails_per_s_{workers}_worker{'s' if workers > 1 else ''}_{backend}"
            figures[key] = throughput(url, tmp, workers, args.emails)
            log(f"{backend}: {figures[key]} emails/s with {workers} worker(s)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = fresh_database(backend, tmp, "orderflow_bench_notify")
        assert url
        seed(Db(url))
        log(f"{backend}: latency at {args.rate} shipments/s for {args.seconds} s")
        p50, p99 = latency(url, tmp, args.rate, args.seconds)
        figures[f"latency_p50_ms_{backend}"], figures[f"latency_p99_ms_{backend}"] = p50, p99
        log(f"{backend}: latency p50 {p50} ms, p99 {p99} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.emails, args.seconds = 600, 8.0
    figures: dict[str, float] = {}
    for backend in args.backends.split(","):
        run(backend, args, figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
