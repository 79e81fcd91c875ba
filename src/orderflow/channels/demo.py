"""Demo data for the order desk's channel and merge screens (called by `orderflow demo`):
two channel shops, webhook deliveries built from the platforms' published sample
orders (processed, a duplicate, a stale retry and one that fails on an unknown SKU),
and two orders of one customer waiting to be merged."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from orderflow.channels import rules
from orderflow.channels import service as channels
from orderflow.channels.models import Platform
from orderflow.channels.schemas import ShopIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.intake import service as intake
from orderflow.orders.lifecycle import Actor
from orderflow.orders.schemas import OrderIn

ADMIN = Actor("staff", "demo")
SHOPIFY_SECRET = "demo-shopify-app-secret"
WOO_SECRET = "demo-woo-webhook-secret"

# Abridged from Shopify's order fixture (shopify_python_api, MIT) and WooCommerce's REST
# docs example (Apache-2.0): the shape the platforms send; our catalogue's SKUs.
SHOPIFY_ORDER: dict[str, Any] = {
    "id": 450789469, "name": "#1001", "email": "bob.norman@hostmail.com",
    "created_at": "2026-11-30T11:00:00-05:00", "updated_at": "2026-11-30T11:00:00-05:00",
    "currency": "USD", "financial_status": "paid", "gateway": "shopify_payments",
    "taxes_included": False, "total_tax": "3.00", "total_discounts": "0.00",
    "total_price": "61.00",
    "line_items": [{"id": 466157049, "sku": "", "variant_id": 39072856, "title": "Tea",
                    "quantity": 2, "price": "29.00"}],
    "shipping_lines": [{"title": "Standard", "price": "0.00"}],
    "shipping_address": {"name": "Bob Norman", "address1": "Chestnut Street 92",
                         "address2": "", "city": "Louisville", "province": "Kentucky",
                         "zip": "40202", "country_code": "US", "phone": "+1 502-555-0142"},
    "customer": {"first_name": "Bob", "last_name": "Norman"},
}
WOO_ORDER: dict[str, Any] = {
    "id": 727, "number": "727", "status": "processing", "currency": "USD",
    "date_created_gmt": "2026-11-30T19:28:02", "date_modified_gmt": "2026-11-30T19:28:08",
    "date_paid_gmt": "2026-11-30T19:28:08", "payment_method": "bacs", "discount_total": "0.00",
    "shipping_total": "10.00", "total_tax": "1.35", "prices_include_tax": False,
    "total": "29.35", "customer_note": "Please gift-wrap",
    "billing": {"first_name": "John", "last_name": "Doe", "email": "john.doe@example.com",
                "phone": "+1 415-555-0173", "address_1": "969 Market", "city": "San Francisco",
                "state": "CA", "postcode": "94103", "country": "US"},
    "shipping": {"first_name": "John", "last_name": "Doe", "address_1": "969 Market",
                 "address_2": "", "city": "San Francisco", "state": "CA", "postcode": "94103",
                 "country": "US"},
    "line_items": [{"id": 315, "name": "Tea", "product_id": 93, "variation_id": 0,
                    "quantity": 2, "total": "6.00", "price": 3, "sku": ""},
                   {"id": 316, "name": "Cup", "product_id": 22, "variation_id": 23,
                    "quantity": 1, "total": "12.00", "price": 12, "sku": ""}],
}


def _send(db: Db, settings: Settings, shop: str, platform: Platform, data: dict[str, Any],
          *, topic: str, key: str | None = None) -> None:
    body = json.dumps(data).encode()
    secret = SHOPIFY_SECRET if platform is Platform.SHOPIFY else WOO_SECRET
    signature = rules.sign(secret, body)
    key = key or uuid.uuid4().hex
    if platform is Platform.SHOPIFY:
        headers = {"x-shopify-topic": topic, "x-shopify-hmac-sha256": signature,
                   "x-shopify-webhook-id": key, "x-shopify-event-id": f"ev-{key}",
                   "x-shopify-shop-domain": "orderflow-demo.myshopify.com",
                   "content-type": "application/json"}
    else:
        headers = {"x-wc-webhook-topic": topic, "x-wc-webhook-signature": signature,
                   "x-wc-webhook-delivery-id": key, "x-wc-webhook-source": "https://shop.example/",
                   "content-type": "application/json"}
    channels.receive(db, shop, headers, body, settings=settings)


def load(db: Db, settings: Settings, skus: list[tuple[str, str]]) -> None:
    channels.create_shop(db, ShopIn(code="demo-shopify", platform=Platform.SHOPIFY,
                                    name="Shopify (US store)", secret=SHOPIFY_SECRET,
                                    shop_domain="orderflow-demo.myshopify.com"), actor=ADMIN)
    channels.create_shop(db, ShopIn(code="demo-woo", platform=Platform.WOOCOMMERCE,
                                    name="WooCommerce shop", secret=WOO_SECRET), actor=ADMIN)
    (tea, _), (cup, _) = skus[0], skus[1]
    shopify = copy.deepcopy(SHOPIFY_ORDER)
    shopify["line_items"][0]["sku"] = tea
    _send(db, settings, "demo-shopify", Platform.SHOPIFY, shopify, topic="orders/create",
          key="demo-1")
    _send(db, settings, "demo-shopify", Platform.SHOPIFY, shopify, topic="orders/create",
          key="demo-1")  # Shopify's retry of the same delivery: stored once
    newer = copy.deepcopy(shopify)
    newer["updated_at"] = "2026-11-30T12:30:00-05:00"
    newer["shipping_address"]["address1"] = "Chestnut Street 94"
    _send(db, settings, "demo-shopify", Platform.SHOPIFY, newer, topic="orders/updated")
    _send(db, settings, "demo-shopify", Platform.SHOPIFY, shopify, topic="orders/updated")
    woo = copy.deepcopy(WOO_ORDER)
    woo["line_items"][0]["sku"], woo["line_items"][1]["sku"] = tea, cup
    _send(db, settings, "demo-woo", Platform.WOOCOMMERCE, woo, topic="order.created")
    unknown = copy.deepcopy(WOO_ORDER)
    unknown.update(id=728, number="728")
    _send(db, settings, "demo-woo", Platform.WOOCOMMERCE, unknown, topic="order.created")
    _merge_candidates(db, settings, skus)


def _merge_candidates(db: Db, settings: Settings, skus: list[tuple[str, str]]) -> None:
    """Two paid orders of one customer to one address: the merge screen suggests them."""
    for i, (code, price) in enumerate(skus[2:4]):
        intake.place_order(db, OrderIn.model_validate({
            "channel": "phone", "external_id": f"DEMO-MERGE-{i}",
            "customer": {"name": "周杰", "phone": "13912340000", "language": "zh-CN"},
            "shipping_address": {"country": "CN", "province": "北京市", "city": "北京市",
                                 "district": "朝阳区", "detail": "建国路 88 号 SOHO 3 号楼"},
            "lines": [{"sku": code, "quantity": 1}],
            "payment": {"method": "wechat_pay", "amount": price,
                        "external_ref": f"DEMO-MERGE-PAY-{i}"},
        }), actor=ADMIN, settings=settings)
