"""Demo data for carriers and labels: the demo carrier tables (DEMO RATES), a few orders
with a designated carrier / expedited / promised date, waybills and one printed batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment.models import Wave
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.shipping import printing, service, waybills
from orderflow.shipping.demo_carriers import install_demo_carriers
from orderflow.shipping.schemas import PreferencesIn

DEMO_STAFF = Actor("staff", "demo")


@dataclass(frozen=True)
class ShippingDemo:
    carriers: int
    chosen: int
    waybills: int
    printed: int


def load_carriers(db: Db) -> int:
    """Before the warehouse demo, so its waves group by real carriers."""
    with db.transaction() as s:
        return install_demo_carriers(s)


def _numbers(db: Db, statuses: tuple[Status, ...], limit: int) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Order.number).where(Order.status.in_(statuses))
                              .order_by(Order.id).limit(limit)))


def _wishes(db: Db, settings: Settings) -> int:
    """Designated (customer, staff), expedited and promised-date orders, for the order page."""
    today = clock.local(clock.utcnow(), settings.zone).date()
    wishes = [PreferencesIn(designated_carrier="SF", designated_by="customer"),
              PreferencesIn(expedited=True),
              PreferencesIn(promise_by=today + timedelta(days=2)),
              PreferencesIn(designated_carrier="JD", designated_service="express",
                            designated_by="staff")]
    done = 0
    for number, wish in zip(_numbers(db, (Status.APPROVED, Status.AWAITING_REVIEW), 4), wishes,
                            strict=False):
        try:
            service.set_preferences(db, number, wish, actor=DEMO_STAFF)
            done += 1
        except OrderFlowError:
            continue
    return done


def load(db: Db, settings: Settings) -> ShippingDemo:
    """After the warehouse demo: waybills and one printed batch for the first wave."""
    chosen = _wishes(db, settings)
    issued = printed = 0
    with db.read() as s:
        wave_id = s.scalar(select(Wave.id).order_by(Wave.id).limit(1))
    numbers = printing.orders_of_wave(db, wave_id) if wave_id else []
    ready = (Status.APPROVED, Status.ALLOCATED, Status.PICKING, Status.PACKED)
    numbers = list(dict.fromkeys([*numbers, *_numbers(db, ready, 8)]))
    for number in numbers:
        try:
            issued += len(waybills.issue(db, number, actor=DEMO_STAFF))
        except OrderFlowError:
            continue
    if numbers:
        job = printing.PrintJob(numbers)
        batch = printing.create_batch(db, job, actor=DEMO_STAFF)
        printing.run_batch(db, batch, job, actor=DEMO_STAFF,
                           directory=Path(settings.var_dir) / "prints", zone=settings.zone)
        printed = len(numbers)
    return ShippingDemo(len(service.list_carriers(db)), chosen, issued, printed)
