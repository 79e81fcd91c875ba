"""The API equivalents: channel shops and inbox, changes, merges and splits (problem+json
naming the field; after shipping, a 409 that points to after-sales)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from orderflow.app import create_app
from orderflow.channels import service as channels
from orderflow.config import Settings
from orderflow.db import Db
from tests.builders.orders import make_catalog, make_order, make_token
from tests.channels.helpers import dumps, make_channel_catalog, woo_headers, woo_order


@pytest.fixture
def api(db: Db, settings: Settings) -> TestClient:
    channels.forget_shops()
    client = TestClient(create_app(db, settings))
    client.headers["Authorization"] = f"Bearer {make_token(db)}"
    return client


def test_a_shop_is_added_its_deliveries_listed_and_a_failed_one_retried(
        api: TestClient, db: Db, settings: Settings) -> None:
    bad = api.post("/api/v1/channels/shops", json={"code": "Bad Code", "platform": "woo",
                                                   "name": "", "secret": "x"})
    made = api.post("/api/v1/channels/shops", json={
        "code": "woo-shop", "platform": "woocommerce", "name": "Woo",
        "secret": "woo-webhook-secret-abcdef"})
    body = dumps(woo_order())
    failed = api.post("/api/hooks/woo-shop", content=body, headers=woo_headers(body)).json()
    make_channel_catalog(db)  # the SKUs arrive
    retried = api.post(f"/api/v1/channels/deliveries/{failed['delivery_id']}/retry")
    listed = api.get("/api/v1/channels/deliveries", params={"shop": "woo-shop"}).json()

    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"code", "platform", "name", "secret"}
    assert made.status_code == 201 and made.json()["webhook_path"] == "/api/hooks/woo-shop"
    assert "secret" not in made.json()
    assert failed["state"] == "failed"
    assert retried.status_code == 200 and retried.json()["state"] == "processed"
    assert [d["state"] for d in listed["items"]] == ["processed"]


def test_a_stored_delivery_left_unprocessed_is_picked_up_by_the_worker(
        db: Db, settings: Settings, shops: None) -> None:
    body = dumps(woo_order())
    headers = {k.lower(): v for k, v in woo_headers(body).items()}
    stored = channels.receive(db, "woo-shop", headers, body, settings=settings, inline=False)

    done = channels.process_pending(db, settings, older_than_s=0)

    assert (stored.state, done) == ("received", 1)
    with db.read() as s:
        row = channels.get_delivery(s, stored.delivery_id or 0)[0]
    assert (row.state.value, row.order_number is not None) == ("processed", True)


def test_changes_merge_and_split_over_the_api(api: TestClient, db: Db,
                                              settings: Settings) -> None:
    make_catalog(db, {"SKU-1": 3, "SKU-2": 100})
    a = make_order(db, settings, [("SKU-2", 1)], path=["paid"])
    b = make_order(db, settings, [("SKU-2", 2)], path=["paid"])
    backorder = make_order(db, replace(settings, reserve_at="payment"), [("SKU-1", 4)],
                           path=["paid"], customer={"name": "李雷", "phone": "13700137000"})
    shipped = make_order(db, settings, [("SKU-2", 1)],
                         path=["paid", "approved", "allocated", "picking", "packed", "shipped"])

    lines = api.post(f"/api/v1/orders/{a}/lines", json={
        "lines": [{"sku": "SKU-2", "quantity": 3}], "reason": "customer wants three"})
    unknown = api.post(f"/api/v1/orders/{a}/lines", json={
        "lines": [{"sku": "NOPE", "quantity": 1}], "reason": "x"})
    address = api.post(f"/api/v1/orders/{b}/address", json={"postal_code": "31", "reason": "x"})
    late = api.post(f"/api/v1/orders/{shipped}/address", json={"detail": "x 1", "reason": "x"})
    suggested = api.get("/api/v1/merges/suggestions").json()
    merged = api.post("/api/v1/merges", json={"numbers": [a, b]})
    split = api.post(f"/api/v1/orders/{backorder}/split", json={"kind": "availability"})

    assert lines.status_code == 200 and lines.json()["total"] == "30.00"
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lines[0].sku"
    assert address.status_code == 422
    assert address.json()["errors"][0]["field"] == "shipping_address.postal_code"
    assert late.status_code == 409 and late.json()["code"] == "order.already_shipped"
    assert "after-sales" in late.json()["detail"]
    assert [g["numbers"] for g in suggested] == [[a, b]]
    assert merged.status_code == 201 and merged.json() == {"group": a, "numbers": [a, b]}
    assert split.status_code == 200 and len(split.json()["new_orders"]) == 1
    assert [ln["quantities"]["ordered"] for ln in split.json()["order"]["lines"]] == [3]
