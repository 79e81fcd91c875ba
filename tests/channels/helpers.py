"""Channel test helpers: the platforms' published sample orders, signed as the
platforms sign them, and a catalog holding their SKUs."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.channels import rules
from orderflow.channels import service as channels
from orderflow.channels.models import Platform
from orderflow.channels.schemas import ShopIn
from orderflow.db import Db
from orderflow.inventory import service as inventory
from orderflow.orders.lifecycle import Actor

SAMPLES = Path(__file__).resolve().parent / "samples"
ADMIN = Actor("staff", "admin")
SHOPIFY_SECRET = "shpss_test_app_secret_0123456789"
WOO_SECRET = "woo-webhook-secret-abcdef"
SAMPLE_SKUS = {"IPOD2008GREEN": "199.00", "IPOD2008RED": "199.00", "IPOD2008BLACK": "199.00",
               "wc-93": "3.00", "Bar3": "12.00", "wc-87": "9.00", "wc-34": "20.00"}


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return data


def shopify_order() -> dict[str, Any]:
    """The Shopify order fixture as an orders/create webhook body (unwrapped)."""
    return copy.deepcopy(sample("shopify-order-450789469.json")["order"])


def paid_shopify_order() -> dict[str, Any]:
    """The fixture made consistent (its totals count two of its three items: 2 x 199.00
    + 11.94 tax = 409.94) and paid."""
    order = shopify_order()
    order["line_items"] = order["line_items"][:2]
    order["financial_status"] = "paid"
    return order


def woo_order(which: str = "727-processing") -> dict[str, Any]:
    return copy.deepcopy(sample(f"woocommerce-order-{which}.json"))


def make_channel_catalog(db: Db, stock: int = 100_000) -> None:
    with db.transaction() as s:
        warehouse = inventory.add_warehouse(s, "US1", "US warehouse", priority=1)
        for i, (code, price) in enumerate(SAMPLE_SKUS.items()):
            sku = catalog.add_sku(s, SkuIn(code=code, name=f"Item {code}", name_en=f"Item {code}",
                                          barcode=f"0{i:012d}", weight_g=200, price=price,
                                          currency="USD"))
            inventory.set_on_hand(s, sku.id, warehouse.id, stock)


def make_shops(db: Db) -> None:
    channels.create_shop(db, ShopIn(code="shopify-us", platform=Platform.SHOPIFY,
                                    name="Shopify US", secret=SHOPIFY_SECRET,
                                    shop_domain="johns-apparel.myshopify.com"), actor=ADMIN)
    channels.create_shop(db, ShopIn(code="woo-shop", platform=Platform.WOOCOMMERCE,
                                    name="Woo shop", secret=WOO_SECRET), actor=ADMIN)


def shopify_headers(body: bytes, *, topic: str = "orders/create", webhook_id: str | None = None,
                    event_id: str | None = None, secret: str = SHOPIFY_SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": rules.sign(secret, body),
        "X-Shopify-Shop-Domain": "johns-apparel.myshopify.com",
        "X-Shopify-API-Version": "2025-01",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
    }


def woo_headers(body: bytes, *, topic: str = "order.created", delivery_id: str | None = None,
                secret: str = WOO_SECRET) -> dict[str, str]:
    resource, event = topic.split(".")
    return {
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": "https://example.com/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": rules.sign(secret, body),
        "X-WC-Webhook-ID": "3",
        "X-WC-Webhook-Delivery-ID": delivery_id or uuid.uuid4().hex,
    }


def dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()
