"""The background worker: fans owed milestones out into notices, delivers them,
runs the watchdogs and the unpaid-order deadline. Any number of worker processes
may run, on any number of machines: every job is safe to run concurrently.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from orderflow.aftersales import replacements as aftersales_replacements
from orderflow.aftersales.refunds import service as refunds
from orderflow.channels import service as channel_intake
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.logistics import service as logistics
from orderflow.notify import fanout, outage_fallback, outages, watchdogs
from orderflow.notify import service as notify
from orderflow.notify.channels import Channel
from orderflow.orders import merging
from orderflow.orders import service as orders
from orderflow.tracking import config as tracking_config
from orderflow.tracking import tasks as tracking_tasks

log = logging.getLogger("orderflow.worker")


@dataclass
class Job:
    name: str
    every_s: float
    run: Callable[[], int]
    next_at: float = 0.0


def default_jobs(db: Db, settings: Settings,
                 channels: dict[str, Channel] | None = None) -> list[Job]:
    dispatcher = notify.dispatcher(db, settings, channels)
    return [
        Job("notify.fan_out", 0.0, lambda: fanout.fan_out(db, settings)),
        Job("notify.deliver", 0.0, lambda: dispatcher.run_once()),
        Job("orders.expire_unpaid", 15.0, lambda: len(orders.expire_unpaid(db))),
        Job("channels.process_pending", 5.0, lambda: channel_intake.process_pending(db, settings)),
        Job("notify.watch_circuits", 5.0, lambda: outages.watch_circuits(db)),
        Job("notify.outage_fallback", 30.0, lambda: outage_fallback.fall_back(
            db, lambda s, n: notify.make_fallback(s, n, settings))),
        Job("notify.watch_shipping", 60.0, lambda: watchdogs.unsent_shipping_notices(db)),
        Job("notify.watch_late", 60.0, lambda: watchdogs.late_orders(db, settings)),
        Job("notify.remind_unpaid", 30.0, lambda: watchdogs.remind_unpaid(db)),
        *([Job("orders.auto_merge", 60.0, lambda: len(merging.auto_merge(db)))]
          if settings.auto_merge else []),
        Job("logistics.scan_carrier_events", 10.0,
            lambda: logistics.scan_carrier_events(db, settings)),
        Job("logistics.watch_silent_parcels", 600.0,
            lambda: logistics.watch_silent_parcels(db, settings)),
        Job("logistics.complete_delivered", 900.0,
            lambda: len(logistics.complete_delivered(db, settings))),
        Job("refunds.execute_due", 15.0, lambda: refunds.execute_due(db)),
        Job("refunds.settle_owed", 60.0, lambda: refunds.settle_owed(db)),
        Job("aftersales.sync_replacements", 60.0,
            lambda: aftersales_replacements.sync_shipped(db)),
        Job("notify.watch_overdue_exceptions", 300.0,
            lambda: watchdogs.overdue_exceptions(db)),
        *(Job(name, every, run)
          for name, every, run in tracking_tasks.jobs(db, tracking_config.load())),
    ]


def run_once(jobs: list[Job], now: float | None = None) -> int:
    """Run every due job; returns how much work was done (0: nothing to do)."""
    now = time.monotonic() if now is None else now
    done = 0
    for job in jobs:
        if now < job.next_at:
            continue
        job.next_at = now + job.every_s
        try:
            done += job.run()
        except Exception:  # a failing job must not stop the others; it runs again next round
            log.exception("job %s failed", job.name)
    return done


def run_forever(jobs: list[Job], stop: threading.Event | None = None,
                idle_s: float = 0.2) -> None:
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    log.info("worker started with jobs: %s", ", ".join(j.name for j in jobs))
    while not stop.is_set():
        if run_once(jobs) == 0:
            stop.wait(idle_s)
    log.info("worker stopped")
