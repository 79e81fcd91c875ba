"""The background worker: scheduled jobs, run by any number of processes.

Jobs are idempotent and safe to run in several workers at once (each change is a
compare-and-set inside its own transaction).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from orderflow.db import Db
from orderflow.orders import service as orders

log = logging.getLogger("orderflow.worker")


@dataclass
class Job:
    name: str
    every_s: float
    run: Callable[[Db], object]
    next_at: float = 0.0


def default_jobs() -> list[Job]:
    return [Job("orders.expire_unpaid", 15.0, lambda db: orders.expire_unpaid(db))]


def run_once(db: Db, jobs: list[Job], now: float | None = None) -> None:
    now = time.monotonic() if now is None else now
    for job in jobs:
        if now < job.next_at:
            continue
        job.next_at = now + job.every_s
        try:
            result = job.run(db)
            if result:
                log.info("%s: %s", job.name, result)
        except Exception:  # a failing job must not stop the others; it retries next round
            log.exception("job %s failed", job.name)


def run_forever(
    db: Db, jobs: list[Job] | None = None, stop: threading.Event | None = None, tick_s: float = 1.0
) -> None:
    jobs = jobs or default_jobs()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    log.info("worker started with jobs: %s", ", ".join(j.name for j in jobs))
    while not stop.is_set():
        run_once(db, jobs)
        stop.wait(tick_s)
    log.info("worker stopped")
