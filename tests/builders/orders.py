"""Builders that drive state through the real use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from orderflow.auth import service as auth
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.intake import service as intake
from orderflow.inventory import service as inventory
from orderflow.orders import placement, queries
from orderflow.orders import service as orders
from orderflow.orders.lifecycle import Actor
from orderflow.orders.schemas import OrderIn
from orderflow.orders.status import Status

STAFF = Actor("staff", "tester")
# A paid order that passes review is approved at once; this remark makes review ask a
# person (risk.remark), so the order waits in awaiting_review.
NEEDS_REVIEW = {"seller_remark": "客户要开发票 / invoice wanted"}
API = Actor("api", "tests")


@dataclass
class Catalog:
    skus: dict[str, int]
    warehouses: dict[str, int]


def make_catalog(
    db: Db, stock: dict[str, int] | None = None, *, price: str = "10.00", currency: str = "CNY"
) -> Catalog:
    """Warehouses SH (priority 1) and GZ; SKUs with the given on-hand stock in SH."""
    stock = stock if stock is not None else {"SKU-1": 100, "SKU-2": 100, "SKU-3": 100}
    with db.transaction() as s:
        sh = inventory.add_warehouse(
            s, "SH", "上海仓", province="上海市", city="上海市", priority=1
        )
        gz = inventory.add_warehouse(
            s, "GZ", "广州仓", province="广东省", city="广州市", priority=2
        )
        skus = {}
        for i, (code, qty) in enumerate(stock.items()):
            sku = catalog.add_sku(
                s,
                SkuIn(
                    code=code,
                    name=f"商品 {code}",
                    name_en=f"Item {code}",
                    barcode=f"69{i:011d}",
                    weight_g=300,
                    price=price,
                    currency=currency,
                ),
            )
            inventory.set_on_hand(s, sku.id, sh.id, qty)
            skus[code] = sku.id
    return Catalog(skus, {"SH": sh.id, "GZ": gz.id})


def order_body(lines: list[tuple[str, int]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer": {"name": "张三", "phone": "13800138000", "email": "zhang@example.com"},
        "shipping_address": {
            "country": "CN",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "detail": "文三路 100 号",
        },
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in (lines or [("SKU-1", 1)])],
    }
    body.update(extra)
    return body


def pay_body(total: str, ref: str = "PAY-1", method: str = "alipay") -> dict[str, Any]:
    return {"method": method, "amount": total, "external_ref": ref}


def _approve_unless_reviewed(db: Db, number: str) -> None:
    """A paid order that passes review is approved automatically; approve the rest."""
    with db.read() as s:
        status = queries.get_order(s, number).status
    if status is not Status.APPROVED:
        orders.approve_order(db, number, actor=STAFF)


PATHS = {
    "paid": lambda db, n: None,  # handled by paying at intake
    "approved": lambda db, n: _approve_unless_reviewed(db, n),
    "allocated": lambda db, n: fulfilment.allocate_order(db, n, actor=STAFF),
    "picking": lambda db, n: fulfilment.start_picking(db, n, actor=STAFF),
    "packed": lambda db, n: fulfilment.pack_order(db, n, actor=STAFF),
    "shipped": lambda db, n: fulfilment.ship_order(
        db, n, carrier="sim", tracking_number=f"SIM{n}", actor=STAFF
    ),
    "in_transit": lambda db, n: fulfilment.record_carrier_status(
        db, n, Status.IN_TRANSIT, actor=STAFF
    ),
    "delivered": lambda db, n: fulfilment.record_carrier_status(
        db, n, Status.DELIVERED, actor=STAFF
    ),
    "completed": lambda db, n: fulfilment.complete_order(db, n, actor=STAFF),
}


def make_order(
    db: Db,
    settings: Settings,
    lines: list[tuple[str, int]] | None = None,
    path: list[str] | None = None,
    **extra: Any,
) -> str:
    """Place an order through intake, then walk it along `path` with the real use cases."""
    path = path or []
    body = order_body(lines, **extra)
    if "paid" in path or any(p in path for p in PATHS if p not in ("paid",)):
        with db.read() as s:
            skus = placement.load_skus(s, {sku for sku, _ in (lines or [("SKU-1", 1)])})
        total = sum(skus[sku].price_minor * qty for sku, qty in (lines or [("SKU-1", 1)]))
        body["payment"] = {
            "method": "alipay",
            "amount": f"{total / 100:.2f}",
            "external_ref": f"PAY-{uuid.uuid4().hex[:16]}",
        }
    placed = intake.place_order(db, OrderIn.model_validate(body), actor=API, settings=settings)
    for step in path:
        PATHS[step](db, placed.number)
    return placed.number


def make_token(db: Db, scopes: list[str] | None = None) -> str:
    return auth.create_token(db, "tests", scopes or auth.ALL_SCOPES)
