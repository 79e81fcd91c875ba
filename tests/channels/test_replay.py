"""The done-when replay: 2,000 channel deliveries built from the platforms' samples,
sent over real HTTP to a running server, with 30% duplicates, 10% reordered, 5%
tampered bodies and 5% stale retries. The orders table must end equal to the model
computed from the deliveries; no tampered body is accepted; no order exists twice."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from orderflow import money
from orderflow.app import create_app
from orderflow.channels import service as channel_service
from orderflow.channels.models import ChannelDelivery
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.inventory.models import Reservation, ReservationState, StockLevel
from orderflow.orders.models import Order
from tests.channels.helpers import (
    dumps,
    paid_shopify_order,
    shopify_headers,
    woo_headers,
    woo_order,
)
from tests.support.server import running

TOTAL = 2000
BASE = 1200  # + 600 duplicates + 100 tampered + 100 stale retries = 2000
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@dataclass
class Delivery:
    shop: str
    external_id: str
    version: int
    body: bytes
    headers: dict[str, str]
    tampered: bool = False


@dataclass
class Version:
    at: datetime
    paid: bool
    cancelled: bool
    street: str


def _histories(rng: random.Random, orders: int) -> dict[tuple[str, str], list[Version]]:
    """Each channel order: created (paid or not), then updates (paid, new street),
    some cancelled at the end. Versions are strictly newer, one a minute apart."""
    out = {}
    for i in range(orders):
        shop = "shopify-us" if i % 2 == 0 else "woo-shop"
        ext = str(820982911946154508 + i) if shop == "shopify-us" else str(5000 + i)
        created = START + timedelta(minutes=i)
        paid = rng.random() < 0.4
        versions = [Version(created, paid, False, f"{100 + i} Market Street")]
        for step in range(rng.choice([1, 2, 3])):
            prev = versions[-1]
            cancel = step == 2 and rng.random() < 0.5
            street = prev.street if rng.random() < 0.5 else f"{i} Ocean Avenue {step}"
            versions.append(Version(prev.at + timedelta(minutes=1 + step),
                                    prev.paid or rng.random() < 0.7, cancel, street))
        out[shop, ext] = versions
    return out


def _payload(shop: str, ext: str, v: Version) -> dict[str, Any]:
    if shop == "shopify-us":
        o = paid_shopify_order()
        o.update(id=int(ext), name=f"#{ext[-5:]}", updated_at=v.at.isoformat(),
                 financial_status="paid" if v.paid else "pending",
                 cancelled_at=v.at.isoformat() if v.cancelled else None)
        o["shipping_address"]["address1"] = v.street
        o["shipping_address"]["phone"] = None
        return o
    o = woo_order("727-processing")
    o.update(id=int(ext), number=ext, date_modified_gmt=v.at.replace(tzinfo=None).isoformat(),
             status="cancelled" if v.cancelled else ("processing" if v.paid else "pending"),
             date_paid_gmt=v.at.replace(tzinfo=None).isoformat() if v.paid else None)
    o["shipping"]["address_1"] = v.street
    return o


def _signed(shop: str, ext: str, index: int, v: Version, *, key: str) -> Delivery:
    body = dumps(_payload(shop, ext, v))
    topic_first = index == 0
    if shop == "shopify-us":
        topic = "orders/create" if topic_first else (
            "orders/cancelled" if v.cancelled else "orders/updated")
        headers = shopify_headers(body, topic=topic, webhook_id=key, event_id=f"ev-{key}")
    else:
        headers = woo_headers(body, topic="order.created" if topic_first else "order.updated",
                              delivery_id=key)
    return Delivery(shop, ext, index, body, headers)


def build(seed: int = 6) -> tuple[list[Delivery], dict[tuple[str, str], Version]]:
    rng = random.Random(seed)
    histories: dict[tuple[str, str], list[Version]] = {}
    orders = 0
    while sum(len(v) for v in histories.values()) < BASE:
        orders += 10
        histories = _histories(random.Random(seed), orders)
    base = [_signed(shop, ext, i, v, key=f"{ext}-v{i}")
            for (shop, ext), versions in histories.items() for i, v in enumerate(versions)]
    base = base[:BASE]
    kept = {(d.shop, d.external_id) for d in base}
    histories = {k: v for k, v in histories.items() if k in kept}
    seen_versions: dict[tuple[str, str], int] = {}
    for d in base:
        seen_versions[d.shop, d.external_id] = max(seen_versions.get((d.shop, d.external_id), -1),
                                                   d.version)
    stream = list(base)
    # 10% reordered: a newer delivery of the same order jumps ahead of an older one.
    for _ in range(TOTAL // 10):
        i = rng.randrange(len(stream) - 1)
        stream[i], stream[i + 1] = stream[i + 1], stream[i]
    # 5% stale retries: an older version re-sent late under a delivery id never seen
    # (its first attempt never reached us), after the newer ones.
    older = [d for d in base if d.version < seen_versions[d.shop, d.external_id]]
    for n, d in enumerate(rng.choices(older, k=TOTAL // 20)):
        versions = histories[d.shop, d.external_id]
        stream.append(_signed(d.shop, d.external_id, d.version, versions[d.version],
                              key=f"retry-{n}-{d.external_id}"))
    # 30% duplicates: the same bytes and headers again, anywhere later in the stream.
    for d in rng.choices(list(stream), k=TOTAL * 3 // 10):
        stream.insert(rng.randrange(stream.index(d) + 1, len(stream) + 1), d)
    # 5% tampered: a delivery's body changed after it was signed.
    for d in rng.choices(base, k=TOTAL // 20):
        forged = d.body.replace(b"Market Street", b"Attacker Road").replace(b"Ocean Avenue",
                                                                             b"Attacker Road")
        forged = forged if forged != d.body else d.body + b" "
        stream.insert(rng.randrange(len(stream) + 1),
                      Delivery(d.shop, d.external_id, d.version, forged, d.headers, tampered=True))
    assert len(stream) == TOTAL
    latest = {k: v[seen_versions[k]] for k, v in histories.items()}
    return stream, latest


def _send(client: httpx.Client, d: Delivery) -> int:
    return client.post(f"/api/hooks/{d.shop}", content=d.body, headers=d.headers).status_code


@pytest.mark.slow
def test_2000_channel_deliveries_end_in_exactly_the_expected_orders(
        db: Db, settings: Settings, shops: None) -> None:
    stream, latest = build()

    with (running(create_app(db, settings)) as url,
          httpx.Client(base_url=url, timeout=60) as client,
          ThreadPoolExecutor(max_workers=6) as pool):
        statuses = list(pool.map(lambda d: _send(client, d), stream))
    # Past a few at once a delivery is stored and answered, and the worker applies it.
    while channel_service.process_pending(db, settings, older_than_s=0):
        pass

    assert [s for s, d in zip(statuses, stream, strict=True) if d.tampered] == [401] * 100
    assert {s for s, d in zip(statuses, stream, strict=True) if not d.tampered} == {200}
    expected = {key: _expected(key[0], v) for key, v in latest.items()}
    with db.read() as s:
        rows = s.execute(select(Order.channel, Order.external_id, Order.status,
                                Order.paid_minor, Order.total_minor, Order.refund_due_minor,
                                Order.address_detail, Order.currency)).all()
        inbox = s.scalar(select(func.count()).select_from(ChannelDelivery))
        stored_bodies = set(s.scalars(select(ChannelDelivery.body)))
        held = dict(s.execute(select(Reservation.sku_id, func.sum(Reservation.quantity))
                              .where(Reservation.state == ReservationState.ACTIVE)
                              .group_by(Reservation.sku_id)).all())
        reserved = dict(s.execute(select(StockLevel.sku_id, func.sum(StockLevel.reserved))
                                  .group_by(StockLevel.sku_id)).all())
    actual = {(r.channel, r.external_id): _actual(r) for r in rows}
    assert len(rows) == len(actual) == len(latest)  # no order twice, none missing
    assert actual == expected
    # Duplicates stored once (by delivery id, and by body: a stale retry re-sends a body
    # already stored under a new id); tampered never.
    unique_bodies = {(d.shop, d.body) for d in stream if not d.tampered}
    assert inbox == len(unique_bodies)
    assert not {d.body.decode() for d in stream if d.tampered} & stored_bodies
    assert {k: v for k, v in reserved.items() if v} == {k: v for k, v in held.items() if v}


def _expected(shop: str, v: Version) -> tuple[str, int, int, int, str]:
    total = money.to_minor("409.94" if shop == "shopify-us" else "29.35", "USD")
    paid = total if v.paid else 0
    if v.cancelled:
        return ("cancelled", paid, total, paid, v.street)
    return ("paid" if v.paid else "pending_payment", paid, total, 0, v.street)


def _actual(r: Any) -> tuple[str, int, int, int, str]:
    status = r.status.value
    if status in ("awaiting_review", "approved", "on_hold", "paid"):
        status = "paid"
    return (status, r.paid_minor, r.total_minor, r.refund_due_minor, r.address_detail)

