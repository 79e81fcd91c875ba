"""Outage benchmark: the SMTP server is down for 30 minutes of simulated time while 2,000
orders ship; then it comes back. How many notices died, how many went out twice, and how
long after its return the last shipping email was accepted, on SQLite and PostgreSQL.

The application clock moves (`clock.advance`, 20 s a step, the dispatcher running after
each step) instead of waiting; the dispatcher runs in this process against a real local
SMTP server (aiosmtpd) that really stops listening (connections refused) and starts again
on the same port.

    python bench/outage.py                 # 2,000 orders, both databases
    python bench/outage.py --orders 500    # smaller
Ends with ONE JSON line: dead_letters_after_outage_<db>, drain_s_after_recovery_<db>,
outage_s_<db>, notices_<db>, doubles_<db>, failed_probes_<db> (the sends tried while it was down).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import approve_unless_reviewed, free_port, fresh_database, log, seed, settings_for
from notify import body, only_emails_for
from orderflow import clock
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.intake import service as intake
from orderflow.notify import fanout
from orderflow.notify import service as notify
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.models import Notice, NoticeEvent, NoticeState
from orderflow.orders.lifecycle import Actor

ACTOR = Actor("staff", "bench")
STEP = timedelta(seconds=20)


class Sink:
    """Writes each accepted email's Message-ID to a file, one a line (a repeat is a
    double). It runs in its own process (`--sink PORT FILE`), as a mail server would, so
    it does not share this process's interpreter lock with the dispatcher."""

    def __init__(self, path: Path) -> None:
        self.out = path.open("a", encoding="utf-8")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        mid = next((ln.split(":", 1)[1].strip() for ln in head.splitlines()
                    if ln.lower().startswith("message-id:")), "")
        self.out.write(mid + "\n")
        self.out.flush()
        return "250 OK"


def run_sink(port: int, path: Path) -> None:
    controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
    controller.start()
    threading.Event().wait()


def start_sink(port: int, path: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, __file__, "--sink", str(port), str(path)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def prepare(db: Db, url: str, tmp: Path, count: int) -> list[str]:
    settings = settings_for(url, tmp)
    only_emails_for(db, {"order.shipped"})
    numbers = []
    for i in range(count):
        placed = intake.place_order(db, body(i, paid=True), actor=ACTOR, settings=settings)
        approve_unless_reviewed(db, placed.number, ACTOR)
        fulfilment.allocate_order(db, placed.number, actor=ACTOR)
        fulfilment.start_picking(db, placed.number, actor=ACTOR)
        fulfilment.pack_order(db, placed.number, actor=ACTOR)
        numbers.append(placed.number)
        if i % 250 == 0:
            log(f"  packed {i}/{count} orders")
    return numbers


def pump(db: Db, settings: Any, d: Any) -> int:
    done = 0
    while True:
        n = fanout.fan_out(db, settings) + d.run_once(limit=100)
        done += n
        if n == 0:
            return done


def outage(url: str, tmp: Path, args: argparse.Namespace) -> dict[str, float]:
    db = Db(url)
    seed(db)
    numbers = prepare(db, url, tmp, args.orders)
    port, ids_file = free_port(), tmp / "accepted.txt"
    settings = replace(settings_for(url, tmp), smtp_port=port)
    d = notify.dispatcher(db, settings, {"email": SmtpChannel(settings, timeout=2.0)})
    steps = int(timedelta(seconds=args.outage_s) / STEP)
    per_step = -(-len(numbers) // steps)
    started = clock.utcnow()
    log(f"  SMTP down; shipping {len(numbers)} orders over {args.outage_s} s of app time")
    for i in range(steps):
        for number in numbers[i * per_step:(i + 1) * per_step]:
            fulfilment.ship_order(db, number, carrier="SF", tracking_number=f"SF{number}",
                                  actor=ACTOR)
        clock.advance(STEP)
        pump(db, settings, d)
        if i % 15 == 0:
            log(f"  t+{(clock.utcnow() - started).total_seconds():.0f} s: "
                f"{min(len(numbers), (i + 1) * per_step)} shipped, "
                f"{queued(db)} notices held")
    outage_s = (clock.utcnow() - started).total_seconds()
    sink = start_sink(port, ids_file)
    back = clock.utcnow()
    log(f"  SMTP back after {outage_s:.0f} s; draining {queued(db)} notices")
    wall = time.monotonic()
    for _ in range(60):  # the next probe is at most 30 s of app time away
        clock.advance(timedelta(seconds=1))
        pump(db, settings, d)
        if queued(db) == 0:
            break
    sink.terminate()
    sink.wait(timeout=30)
    ids = ids_file.read_text().split()
    log(f"  drained in {time.monotonic() - wall:.1f} s wall time")
    with db.read() as s:
        dead = s.scalar(select(func.count()).where(Notice.state == NoticeState.DEAD)) or 0
        sent = s.execute(select(func.count(), func.max(Notice.sent_at)).where(
            Notice.milestone == "order.shipped", Notice.channel == "email",
            Notice.state == NoticeState.SENT)).one()
        failures = s.scalar(select(func.count()).where(NoticeEvent.state == "held")) or 0
    last = clock.as_utc(sent[1]) if sent[1] else back
    db.dispose()
    return {"dead_letters_after_outage": dead,
            "drain_s_after_recovery": round((last - back).total_seconds(), 1),
            "outage_s": round(outage_s), "notices": int(sent[0]),
            "doubles": len(ids) - len(set(ids)), "failed_probes": int(failures)}


def queued(db: Db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).where(
            Notice.state.in_((NoticeState.QUEUED, NoticeState.SENDING)))) or 0


def main() -> None:
    if sys.argv[1:2] == ["--sink"]:
        run_sink(int(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--outage-s", type=int, default=1800)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            url = fresh_database(backend, tmp, "orderflow_bench_outage")
            if url is None:
                continue
            log(f"{backend}: {args.orders} orders, SMTP down {args.outage_s} s")
            clock.reset()
            result = outage(url, tmp, args)
            for key, value in result.items():
                figures[f"{key}_{backend}"] = value
            log(f"{backend}: {result}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
