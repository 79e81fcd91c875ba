"""Finding 14: shop-webhook pushes have a timestamp window (±5 min) and are deduplicated
on a hash of the body, so the same body re-sent with a new webhook id or topic adds no
inbox row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from orderflow import clock
from orderflow.app import create_app
from orderflow.channels import service as channels
from orderflow.channels.models import ChannelDelivery
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import placement
from orderflow.orders.models import Order
from tests.channels.helpers import (
    dumps,
    make_channel_catalog,
    make_shops,
    shopify_headers,
    shopify_order,
    woo_headers,
)
from tests.channels.helpers import woo_order as woo_sample


@pytest.fixture
def hooks(db: Db, settings: Settings) -> Iterator[TestClient]:
    channels.forget_shops()
    placement.forget_skus()
    make_channel_catalog(db)
    make_shops(db)
    with TestClient(create_app(db, settings)) as client:
        yield client


def _count(db: Db, table: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_the_same_body_under_a_new_webhook_id_or_topic_adds_no_inbox_row(
        hooks: TestClient, db: Db) -> None:
    body = dumps(shopify_order())

    states = [hooks.post("/api/hooks/shopify-us", content=body,
                         headers=shopify_headers(body, topic=topic)).json()["state"]
              for topic in ("orders/create", "orders/create", "orders/updated", "orders/paid")]

    assert states == ["processed", "duplicate", "duplicate", "duplicate"]
    assert (_count(db, ChannelDelivery), _count(db, Order)) == (1, 1)


def test_a_woocommerce_body_resent_under_a_new_delivery_id_is_a_duplicate(
        hooks: TestClient, db: Db) -> None:
    body = dumps(woo_sample("727-processing"))

    first = hooks.post("/api/hooks/woo-shop", content=body, headers=woo_headers(body))
    again = hooks.post("/api/hooks/woo-shop", content=body,
                       headers=woo_headers(body, topic="order.updated"))

    assert again.json()["state"] == "duplicate"
    assert again.json()["delivery_id"] == first.json()["delivery_id"]
    assert _count(db, ChannelDelivery) == 1


def test_a_delivery_stamped_outside_five_minutes_is_refused(hooks: TestClient, db: Db) -> None:
    body = dumps(shopify_order())
    now = clock.utcnow()
    stamps = [(now - timedelta(minutes=6)).isoformat(), (now + timedelta(minutes=6)).isoformat(),
              "not a time", (now - timedelta(minutes=4)).isoformat()]

    statuses = [hooks.post("/api/hooks/shopify-us", content=body, headers={
        **shopify_headers(body), "X-Shopify-Triggered-At": stamp}).status_code
        for stamp in stamps]

    assert statuses == [401, 401, 401, 200]
    assert _count(db, ChannelDelivery) == 1
