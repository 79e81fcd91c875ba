"""What a notice's template sees: the outbox snapshot plus the order as it is now.

Masked buyer data (王**, 131****1907) is never put in front of the customer:
the name is left out and the template greets generically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from itsdangerous import URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.fulfilment.models import Shipment
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.rules import is_masked

CARRIER_NAMES = {
    "SF": ("顺丰速运", "SF Express"), "ZTO": ("中通快递", "ZTO Express"),
    "YTO": ("圆通速递", "YTO Express"), "STO": ("申通快递", "STO Express"),
    "YD": ("韵达快递", "Yunda Express"), "JD": ("京东物流", "JD Logistics"),
    "EMS": ("中国邮政 EMS", "China Post EMS"), "JT": ("极兔速递", "J&T Express"),
    "DHL": ("DHL", "DHL Express"), "SIM": ("模拟快递", "Simulated carrier"),
}


def carrier_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    names = CARRIER_NAMES.get(code.upper())
    if names is None:
        return code
    return names[0] if language == "zh-CN" else names[1]


def order_link(settings: Settings, number: str) -> str:
    """A signed link to the customer's tracking page: proof enough to see this order."""
    token = URLSafeSerializer(settings.secret_key, salt="order-link").dumps(number)
    return f"{settings.base_url}/track/{number}?t={token}"


def _day(value: Any, settings: Settings, language: str) -> str:
    if value is None:
        return ""
    local = clock.local(value, settings.zone)
    return local.strftime("%Y-%m-%d") if language == "zh-CN" else local.strftime("%d %b %Y")


@dataclass(frozen=True)
class OrderFacts:
    """What a notice needs to know about its order, loaded once (or in bulk)."""

    order: Order
    customer: Customer | None
    lines: list[tuple[OrderLine, str | None]]  # line, English SKU name
    shipment: Shipment | None


def load_many(s: Session, order_ids: set[int]) -> dict[int, OrderFacts]:
    """Four queries for a whole fan-out batch."""
    if not order_ids:
        return {}
    orders = {o.id: o for o in s.scalars(select(Order).where(Order.id.in_(order_ids)))}
    customer_ids = {o.customer_id for o in orders.values()}
    customers = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
    lines: dict[int, list[tuple[OrderLine, str | None]]] = defaultdict(list)
    for line, name_en in s.execute(select(OrderLine, Sku.name_en)
                                   .join(Sku, Sku.id == OrderLine.sku_id)
                                   .where(OrderLine.order_id.in_(order_ids))
                                   .order_by(OrderLine.id)):
        lines[line.order_id].append((line, name_en))
    shipments: dict[int, Shipment] = {}
    for shipment in s.scalars(select(Shipment).where(Shipment.order_id.in_(order_ids))
                              .order_by(Shipment.id)):
        shipments[shipment.order_id] = shipment  # the latest wins
    return {oid: OrderFacts(o, customers.get(o.customer_id), lines[oid], shipments.get(oid))
            for oid, o in orders.items()}


def load(s: Session, order_id: int) -> OrderFacts | None:
    return load_many(s, {order_id}).get(order_id)


def build(facts: OrderFacts, payload: dict[str, Any], settings: Settings, *,
          language: str | None = None) -> dict[str, Any]:
    """The template variables. `language` overrides the order's (a preview in the other one)."""
    order, shipment = facts.order, facts.shipment
    language = language or order.language
    name = (order.recipient_name
            if order.recipient_name and not is_masked(order.recipient_name) else None)
    carrier = payload.get("carrier") or (shipment.carrier if shipment else None)
    tracking = payload.get("tracking_number") or (shipment.tracking_number if shipment else None)
    link = order_link(settings, order.number)
    return {
        "order_number": order.number,
        "customer_name": name,
        "shop_name": settings.shop_name,
        "service_phone": settings.service_phone,
        "order_url": link,
        "items": [{"name": name_en if language == "en" and name_en else ln.name,
                   "quantity": ln.ordered - ln.cancelled} for ln, name_en in facts.lines],
        "total": money.to_str(order.total_minor, order.currency),
        "currency": order.currency,
        "status": payload.get("status", order.status.value),
        "placed_at": _day(order.placed_at, settings, language),
        "amount": payload.get("amount", ""),
        "method": payload.get("method", ""),
        "carrier": carrier or "",
        "carrier_name": carrier_name(carrier, language),
        "tracking_number": tracking or "",
        "tracking_link": link,
        "service": payload.get("service") or (shipment.service if shipment else ""),
        "ship_date": _day(shipment.shipped_at if shipment else None, settings, language),
        "eta": _day(shipment.estimated_delivery_at if shipment else None, settings, language),
        "delivered_at": _day(clock.utcnow(), settings, language),
        # A logistics case gives the reason in each language (reason_i18n); else the text.
        "reason": (payload.get("reason_i18n") or {}).get(language) or payload.get("reason") or "",
        "refund_amount": money.to_str(order.refund_due_minor, order.currency)
        if order.refund_due_minor else "",
        "parcels": payload.get("parcels", 1),
        "case_number": payload.get("case_number") or "",
        # Domain texts in both languages (after-sales): the reader's one.
        **{k: (v.get(language) or v.get("en", "")) if isinstance(v, dict) else v
           for k, v in (payload.get("vars") or {}).items()},
    }
