"""Worker jobs: poll carriers without push (with back-off), subscribe new numbers to
快递100 push, confirm pickups whose grace window ended, and watch ETAs.

No network I/O inside a transaction: each job reads what is due, calls the provider with
no transaction open, then records the result in a transaction of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update

from orderflow import circuits, clock
from orderflow.db import Db
from orderflow.fulfilment.models import Shipment
from orderflow.orders.models import Order
from orderflow.tracking import rules
from orderflow.tracking import service as tracking
from orderflow.tracking.adapters import BadPayload
from orderflow.tracking.adapters.aftership import AfterShipClient
from orderflow.tracking.adapters.kuaidi100 import Kuaidi100Client, Kuaidi100Error
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import ShipmentTracking
from orderflow.tracking.rules import CarrierEvent

log = logging.getLogger("orderflow.tracking")
Query = Callable[[str, str, str | None], Sequence[CarrierEvent]]  # carrier, number, phone


@dataclass(frozen=True)
class Due:
    shipment_id: int
    carrier: str
    tracking_number: str
    phone: str | None
    interval_s: int


def _due(db: Db, provider: str, now: datetime, limit: int,
         *, unsubscribed_only: bool = False) -> list[Due]:
    stmt = (select(ShipmentTracking.shipment_id, Shipment.carrier, Shipment.tracking_number,
                   Order.recipient_phone, ShipmentTracking.poll_interval_s)
            .join(Shipment, Shipment.id == ShipmentTracking.shipment_id)
            .join(Order, Order.id == ShipmentTracking.order_id)
            .where(ShipmentTracking.closed.is_(False), ShipmentTracking.provider == provider,
                   ShipmentTracking.next_poll_at <= now)
            .order_by(ShipmentTracking.next_poll_at).limit(limit))
    if unsubscribed_only:
        stmt = stmt.where(ShipmentTracking.subscribed_at.is_(None))
    with db.read() as s:
        return [Due(*row) for row in s.execute(stmt).all()]


def _reschedule(db: Db, shipment_id: int, interval_s: int, *, now: datetime,
                failed: bool, subscribed: bool = False) -> None:
    with db.transaction() as s:
        values: dict[str, object] = {
            "poll_interval_s": interval_s, "next_poll_at": now + timedelta(seconds=interval_s),
            "poll_failures": ShipmentTracking.poll_failures + 1 if failed else 0}
        if subscribed:
            values["subscribed_at"] = now
        s.execute(update(ShipmentTracking)
                  .where(ShipmentTracking.shipment_id == shipment_id).values(**values))


# 快递100 answers that speak for the service, not the number: 501 server error, 502
# server busy, 503 signature (the account's key), 601 key expired or out of balance.
# 503 also locks one number queried too often ("单号已锁定"): that one is the number's.
KUAIDI100_DOWN = frozenset({"501", "502", "503", "601"})


def provider_down(exc: Exception) -> bool:
    """No answer, a garbled one (a gateway's HTML page), or a service-level refusal: the
    provider's circuit opens and the numbers keep their schedule (no back-off spent)."""
    if isinstance(exc, httpx.HTTPError | ValueError) and not isinstance(exc, BadPayload):
        return True
    return (isinstance(exc, Kuaidi100Error) and exc.code in KUAIDI100_DOWN
            and "锁定" not in str(exc))


def circuit_key(provider: str) -> str:
    return f"tracking:{provider}"


def poll_due(db: Db, provider: str, query: Query, *, now: datetime | None = None,
             limit: int = 50) -> int:
    """Query each due number; new events reset the interval to 30 min, nothing new or a
    failure doubles it (up to 6 h). Returns how many numbers were polled. While the
    provider's circuit is open only its probe polls; the numbers stay due."""
    now = now or clock.utcnow()
    key = circuit_key(provider)
    gate = circuits.gate(db, key)
    if gate == "blocked":
        return 0
    due = _due(db, provider, now, 1 if gate == "probe" else limit)
    for item in due:
        failed = changed = False
        try:
            events = query(item.carrier, item.tracking_number, item.phone)
        except (httpx.HTTPError, ValueError, Kuaidi100Error) as exc:
            if provider_down(exc):
                log.warning("%s is down (%s): polling paused", provider, exc)
                circuits.failed(db, key, f"{type(exc).__name__}: {exc}")
                break
            events, failed = [], True
            log.warning("polling %s %s failed: %s", provider, item.tracking_number, exc)
        circuits.answered(db, key, gate)
        gate = "closed"
        if not failed:
            try:
                changes = tracking.ingest(db, provider, item.tracking_number, events)
                changed = bool(changes and changes.new_events)
            except BadPayload as exc:
                failed = True
                log.warning("polling %s %s failed: %s", provider, item.tracking_number, exc)
        interval = rules.next_poll_interval(item.interval_s, changed=changed, failed=failed)
        _reschedule(db, item.shipment_id, interval, now=now, failed=failed)
    return len(due)


def subscribe_new(db: Db, settings: TrackingSettings, client: Kuaidi100Client, *,
                  now: datetime | None = None, limit: int = 50) -> int:
    """快递100 push mode: subscribe numbers not subscribed yet (and re-subscribe after an
    `abort`); afterwards a slow safety poll only. Behind 快递100's circuit, like polling."""
    now = now or clock.utcnow()
    key = circuit_key("kuaidi100")
    gate = circuits.gate(db, key)
    if gate == "blocked":
        return 0
    due = _due(db, "kuaidi100", now, 1 if gate == "probe" else limit, unsubscribed_only=True)
    callback = f"{settings.callback_base_url.rstrip('/')}/api/carrier-hooks/kuaidi100"
    for item in due:
        try:
            client.subscribe(item.carrier, item.tracking_number, callback_url=callback,
                             salt=settings.kuaidi100_salt, phone=item.phone)
        except (httpx.HTTPError, Kuaidi100Error, ValueError) as exc:
            if provider_down(exc):
                log.warning("kuaidi100 is down (%s): subscribing paused", exc)
                circuits.failed(db, key, f"{type(exc).__name__}: {exc}")
                break
            circuits.answered(db, key, gate)
            gate = "closed"
            log.warning("subscribing %s failed: %s", item.tracking_number, exc)
            interval = rules.next_poll_interval(item.interval_s, changed=False, failed=True)
            _reschedule(db, item.shipment_id, interval, now=now, failed=True)
            continue
        circuits.answered(db, key, gate)
        gate = "closed"
        _reschedule(db, item.shipment_id, rules.MAX_POLL_S, now=now, failed=False,
                    subscribed=True)
    return len(due)


def register_aftership(db: Db, client: AfterShipClient, *, now: datetime | None = None,
                       limit: int = 50) -> int:
    """AfterShip: register numbers not registered yet (it pushes their updates to our
    webhook from then on); a refusal is retried with back-off. Behind AfterShip's
    circuit: while it does not answer, numbers wait without spending their back-off."""
    now = now or clock.utcnow()
    key = circuit_key("aftership")
    gate = circuits.gate(db, key)
    if gate == "blocked":
        return 0
    due = _due(db, "aftership", now, 1 if gate == "probe" else limit, unsubscribed_only=True)
    with db.read() as s:
        numbers = dict(s.execute(select(Shipment.id, Order.number)
                                 .join(Order, Order.id == Shipment.order_id)
                                 .where(Shipment.id.in_([d.shipment_id for d in due]))).all())
    for item in due:
        try:
            ok = client.create_tracking(item.carrier, item.tracking_number,
                                        order_number=numbers.get(item.shipment_id, ""))
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("registering %s with AfterShip failed: %s", item.tracking_number, exc)
            circuits.failed(db, key, f"{type(exc).__name__}: {exc}")
            break
        circuits.answered(db, key, gate)
        gate = "closed"
        if ok:
            _reschedule(db, item.shipment_id, rules.MAX_POLL_S, now=now, failed=False,
                        subscribed=True)
        else:
            interval = rules.next_poll_interval(item.interval_s, changed=False, failed=True)
            _reschedule(db, item.shipment_id, interval, now=now, failed=True)
    return len(due)


def kuaidi100_query(client: Kuaidi100Client) -> Query:
    return lambda carrier, number, phone: client.query(carrier, number, phone=phone)


def jobs(db: Db, settings: TrackingSettings) -> list[tuple[str, float, Callable[[], int]]]:
    """(name, every_s, run) of the tracking jobs for the worker, by configuration."""
    found: list[tuple[str, float, Callable[[], int]]] = [
        ("tracking.confirm_pickups", 30.0, lambda: tracking.confirm_overdue_pickups(db)),
        ("tracking.watch_eta", 120.0, lambda: tracking.watch_eta(db)),
    ]
    if settings.kuaidi100_customer and settings.kuaidi100_key:
        client = Kuaidi100Client(settings.kuaidi100_customer, settings.kuaidi100_key,
                                 base_url=settings.kuaidi100_url)
        if settings.kuaidi100_mode == "push":
            found.append(("tracking.subscribe_kuaidi100", 60.0,
                          lambda: subscribe_new(db, settings, client)))
        found.append(("tracking.poll_kuaidi100", 60.0,
                      lambda: poll_due(db, "kuaidi100", kuaidi100_query(client))))
    if settings.aftership_api_key:
        aftership = AfterShipClient(settings.aftership_api_key, base_url=settings.aftership_url)
        found.append(("tracking.register_aftership", 60.0,
                      lambda: register_aftership(db, aftership)))
    return found
