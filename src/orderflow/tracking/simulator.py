"""The simulated carrier as a process: every few seconds it looks at the parcels it
carries, works out which of their planned events have happened by now (demo time runs
faster, ORDERFLOW_TRACKING_SIM_SPEED), and pushes the new ones, signed, to our own
/api/carrier-hooks/simulated over HTTP, as a real carrier would. `orderflow run` starts it
beside the web server and the worker (`orderflow carrier-sim`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy import select

from orderflow import clock
from orderflow.db import Db
from orderflow.fulfilment.models import Shipment
from orderflow.tracking.adapters import simulated
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import ShipmentTracking

log = logging.getLogger("orderflow.tracking.simulator")
Post = Callable[[str, bytes, dict[str, str]], int]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=10).status_code


def run_once(db: Db, settings: TrackingSettings, *, base_url: str, now: datetime | None = None,
             post: Post = _post, limit: int = 500) -> int:
    """Push every parcel's newly due events; returns how many parcels were pushed."""
    now = now or clock.utcnow()
    rates = settings.sim_rates_parsed
    with db.read() as s:
        rows = s.execute(
            select(Shipment.tracking_number, Shipment.carrier, ShipmentTracking.handed_over_at,
                   ShipmentTracking.events)
            .join(ShipmentTracking, ShipmentTracking.shipment_id == Shipment.id)
            .where(ShipmentTracking.provider == "simulated", ShipmentTracking.closed.is_(False))
            .order_by(ShipmentTracking.shipment_id).limit(limit)).all()
    pushed = 0
    url = f"{base_url.rstrip('/')}/api/carrier-hooks/simulated"
    for number, carrier, handed_over_at, stored in rows:
        events = simulated.due_events(number, handed_over_at, now, rates=rates,
                                      speed=settings.sim_speed)
        if len(events) <= stored:
            continue
        body = simulated.body_for(number, carrier, events)
        headers = {"Content-Type": "application/json",
                   simulated.HEADER: simulated.signature(settings.simulated_secret, body)}
        try:
            status = post(url, body, headers)
        except httpx.HTTPError as exc:
            log.info("simulated carrier could not reach %s yet: %s", url, exc)
            return pushed
        if status != 200:
            log.warning("simulated push for %s answered %s", number, status)
        pushed += 1
    return pushed


def run_forever(db: Db, settings: TrackingSettings, *, base_url: str, every_s: float = 3.0,
                stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one log line per push
    log.info("simulated carrier pushing to %s (demo time x%s)", base_url, settings.sim_speed)
    while not stop.is_set():
        try:
            run_once(db, settings, base_url=base_url)
        except Exception:  # the demo carrier keeps going; the next round tries again
            log.exception("simulated carrier round failed")
        stop.wait(every_s)
