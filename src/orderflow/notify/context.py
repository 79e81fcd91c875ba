"""What a notice's template sees: the outbox snapshot plus the order as it is now.

Masked buyer data (王**, 131****1907) is never put in front of the customer:
the name is left out and the template greets generically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock, money, shortlinks, texts
from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.customers import links
from orderflow.customers.models import Customer
from orderflow.fulfilment.models import Shipment
from orderflow.notify.models import MerchantSetting
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.rules import is_masked
from orderflow.review.models import OrderReview

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
    """A signed link to the customer's tracking page: proof enough to see this order
    (and, as far as its contact allows, the customer's messages); it expires."""
    token = links.sign(settings, number)
    return f"{settings.base_url}/track/{number}?t={token}"


def _day(value: Any, settings: Settings, language: str) -> str:
    if value is None:
        return ""
    local = clock.local(value, settings.zone)
    return local.strftime("%Y-%m-%d") if language == "zh-CN" else local.strftime("%d %b %Y")


def _moment(value: Any, settings: Settings, language: str) -> str:
    """A day and time in the merchant's zone; ISO strings from payloads too."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = clock.local(value, settings.zone)
    return local.strftime("%Y-%m-%d %H:%M") if language == "zh-CN" \
        else local.strftime("%d %b %Y, %H:%M")


# The after-sales summary the confirmation carries; the merchant edits it (notify settings,
# key "aftersales_summary"), per language.
AFTERSALES_SUMMARY = {
    "zh-CN": "签收后 7 天内支持无理由退货（商品完好），质量问题退换运费由我们承担。",
    "en": "Return within 7 days of delivery for any reason (item intact); we pay return "
          "shipping for faulty items.",
}


def _text(payload: dict[str, Any], key: str, language: str) -> str:
    """A system-written text in the payload: a code (+ `<key>_params`), a per-language
    dict (`<key>_i18n`), or a free text shown as written."""
    localized = (payload.get(f"{key}_i18n") or {}).get(language)
    if localized:
        return str(localized)
    code = payload.get(f"{key}_code") or payload.get(key)
    if not code:
        return ""
    return texts.render(language, str(code), payload.get(f"{key}_params"))


@dataclass(frozen=True)
class OrderFacts:
    """What a notice needs to know about its order, loaded once (or in bulk)."""

    order: Order
    customer: Customer | None
    lines: list[tuple[OrderLine, str | None]]  # line, English SKU name
    shipment: Shipment | None
    review: OrderReview | None = None
    merchant: dict[str, Any] | None = None  # merchant texts (after-sales summary)


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
    reviews = {r.order_id: r for r in s.scalars(
        select(OrderReview).where(OrderReview.order_id.in_(order_ids)))}
    summary = s.get(MerchantSetting, "aftersales_summary")
    merchant = {"aftersales_summary": summary.value if summary else None}
    return {oid: OrderFacts(o, customers.get(o.customer_id), lines[oid], shipments.get(oid),
                            reviews.get(oid), merchant)
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
    review = facts.review
    service = (payload.get("service") or (shipment.service if shipment else None)
               or (review.shipping_service if review else None) or "standard")
    summaries = (facts.merchant or {}).get("aftersales_summary") or {}
    return {
        "short_link": shortlinks.link(settings, order.number),
        "promised_ship_date": _moment(payload.get("promised_ship_by")
                                      or (review.promised_ship_by if review else None),
                                      settings, language),
        "shipping_method": texts.render(language, f"service.{service}")
        if texts.known(f"service.{service}") else service,
        "remarks": order.buyer_remark or "",
        "aftersales_summary": summaries.get(language) or AFTERSALES_SUMMARY.get(
            language, AFTERSALES_SUMMARY["en"]),
        "pay_by": _moment(payload.get("pay_by") or order.payment_deadline_at, settings,
                          language),
        "new_estimate": _moment(payload.get("new_estimate"), settings, language),
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
        "service": service,
        "ship_date": _day(shipment.shipped_at if shipment else None, settings, language),
        "eta": _day(shipment.estimated_delivery_at if shipment else None, settings, language),
        "delivered_at": _day(clock.utcnow(), settings, language),
        # A code (+ reason_params) rendered in the reader's language; a logistics case
        # gives it in each language (reason_i18n); old free text as written.
        "reason": _text(payload, "reason", language),
        "refund_amount": money.to_str(order.refund_due_minor, order.currency)
        if order.refund_due_minor else "",
        "parcels": payload.get("parcels", 1),
        "case_number": payload.get("case_number") or "",
        # Domain texts in both languages (after-sales): the reader's one.
        **{k: (v.get(language) or v.get("en", "")) if isinstance(v, dict) else v
           for k, v in (payload.get("vars") or {}).items()},
    }
