"""Pure channel rules: webhook signatures, delivery identity and payload mapping.

Shopify signs the raw body with the app's secret (`X-Shopify-Hmac-Sha256`, base64
HMAC-SHA256); WooCommerce signs it with the webhook's secret
(`X-WC-Webhook-Signature`, the same construction). Both are checked on the bytes as
received, before anything is parsed or written. No I/O here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from orderflow.channels.models import Platform
from orderflow.errors import FieldProblem
from orderflow.orders import rules as order_rules

ORDER_TOPICS = {
    Platform.SHOPIFY: frozenset({"orders/create", "orders/updated", "orders/paid",
                                 "orders/cancelled", "orders/edited"}),
    Platform.WOOCOMMERCE: frozenset({"order.created", "order.updated", "order.restored"}),
}


def sign(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)): what both platforms send."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_header(platform: Platform) -> str:
    return "x-shopify-hmac-sha256" if platform is Platform.SHOPIFY else "x-wc-webhook-signature"


def signature_ok(platform: Platform, secret: str, body: bytes, headers: dict[str, str]) -> bool:
    given = headers.get(signature_header(platform), "").strip()
    if not given or not secret:
        return False
    return hmac.compare_digest(given.encode(), sign(secret, body).encode())


def domain_ok(platform: Platform, shop_domain: str | None, headers: dict[str, str]) -> bool:
    """When the shop's domain is configured, Shopify's X-Shopify-Shop-Domain must name it."""
    if platform is not Platform.SHOPIFY or not shop_domain:
        return True
    given = headers.get("x-shopify-shop-domain", "").strip().lower()
    return not given or given == shop_domain.strip().lower()


def is_woo_ping(platform: Platform, body: bytes, headers: dict[str, str]) -> bool:
    """WooCommerce pings a new webhook once with `webhook_id=N` (form-encoded)."""
    return (platform is Platform.WOOCOMMERCE and signature_header(platform) not in headers
            and body.startswith(b"webhook_id=") and body[11:].isdigit())


@dataclass(frozen=True)
class Envelope:
    """Who a delivery is, from its headers: the topic and its dedupe keys."""

    topic: str
    delivery_key: str
    event_id: str | None
    triggered_at: str | None


WINDOW = timedelta(minutes=5)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def in_window(triggered_at: str | None, now: datetime, window: timedelta = WINDOW) -> bool:
    """A delivery stamped with its trigger time (Shopify `X-Shopify-Triggered-At`) must be
    within ±window of now; an unparseable stamp is outside. Without a stamp (WooCommerce
    sends none) the body-hash dedup is the replay guard."""
    if not triggered_at:
        return True
    try:
        at = datetime.fromisoformat(triggered_at.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if at.tzinfo is None:
        return False
    return abs(now - at) <= window


def envelope(platform: Platform, headers: dict[str, str], body: bytes) -> Envelope:
    if platform is Platform.SHOPIFY:
        topic = headers.get("x-shopify-topic", "")
        event_id = headers.get("x-shopify-event-id") or None
        key = headers.get("x-shopify-webhook-id") or event_id
        triggered = headers.get("x-shopify-triggered-at") or None
    else:
        topic = headers.get("x-wc-webhook-topic", "")
        event_id = None
        key = headers.get("x-wc-webhook-delivery-id")
        triggered = None
    # Without an id header, the body itself is the identity: a resend of the same bytes
    # is a duplicate.
    key = key or "sha256:" + hashlib.sha256(body).hexdigest()
    return Envelope(topic[:64], key[:128], event_id[:128] if event_id else None, triggered)


# --- mapping ---------------------------------------------------------------------


@dataclass
class Mapped:
    """A channel order in our terms: an OrderIn body plus what the platform says
    about payment and cancellation, and the version it is."""

    external_id: str
    version_at: datetime
    platform_status: str
    paid: bool
    cancelled: bool
    body: dict[str, Any]
    gateway: str = ""
    notes: list[str] = field(default_factory=list)


class NotAnOrder(ValueError):
    """The payload is not an order we can read (named field, reason)."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 with an offset (Shopify) or a *_gmt value without one (WooCommerce)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _money(value: Any, name: str, problems: list[FieldProblem]) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        problems.append(FieldProblem(name, "money.invalid", f"'{value}' is not an amount"))
        return Decimal(0)
    if not amount.is_finite():
        problems.append(FieldProblem(name, "money.invalid", f"'{value}' is not an amount"))
        return Decimal(0)
    return amount


def _text(*parts: Any) -> str:
    return " ".join(str(p).strip() for p in parts if p not in (None, "") and str(p).strip())


def _contact(phone: str | None, email: str | None, country: str,
             notes: list[str]) -> tuple[str | None, str | None]:
    """A phone we cannot read is dropped (kept in a note) when there is an email to
    tell the customer by; otherwise it goes on and placement names it."""
    phone = (phone or "").strip() or None
    if phone:
        _parsed, problem = order_rules.check_phone(phone, country, "customer.phone")
        if problem and email:
            notes.append(f"channel phone '{phone}' is not a valid number; not used")
            phone = None
    return phone, (email or "").strip() or None


def _check_total(total: Decimal, lines: list[dict[str, Any]], extra: Decimal,
                 discount: Decimal, currency: str, notes: list[str]) -> None:
    """Our total is lines + shipping (+ tax) - discount; a platform total that differs
    is kept in a note for the reviewer (the payment records what was really paid)."""
    ours = sum((Decimal(ln["unit_price"]) * ln["quantity"] for ln in lines), Decimal(0))
    ours += extra - discount
    if lines and ours != total:
        notes.append(f"platform total {total:.2f} {currency} differs from lines + shipping "
                     f"- discount {ours:.2f}")


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAnOrder([FieldProblem("body", "json.invalid", f"not JSON: {exc}")]) from exc
    if isinstance(data, dict) and isinstance(data.get("order"), dict):
        data = data["order"]  # the REST shape {"order": {...}}
    if not isinstance(data, dict) or "id" not in data:
        raise NotAnOrder([FieldProblem("id", "required", "the payload has no order id")])
    return data


def map_order(platform: Platform, shop_code: str, body: bytes, *,
              language: str = "en") -> Mapped:
    data = _load(body)
    if platform is Platform.SHOPIFY:
        return _shopify(data, shop_code, language)
    return _woocommerce(data, shop_code, language)


def _lines(items: Any, problems: list[FieldProblem], sku_of: Any) -> list[dict[str, Any]]:
    lines = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or quantity <= 0:
            problems.append(FieldProblem(f"line_items[{i}].quantity", "quantity.invalid",
                                         f"'{quantity}' is not a positive whole number"))
            continue
        price = _money(item.get("price"), f"line_items[{i}].price", problems)
        lines.append({"sku": sku_of(item), "quantity": quantity, "unit_price": f"{price:.2f}"})
    if not lines and not problems:
        problems.append(FieldProblem("line_items", "required", "the order has no line items"))
    return lines


def _shopify(o: dict[str, Any], shop: str, language: str) -> Mapped:
    problems: list[FieldProblem] = []
    notes: list[str] = []
    addr = o.get("shipping_address") or o.get("billing_address") or {}
    country = (addr.get("country_code") or "").upper() or "US"
    customer = o.get("customer") or {}
    email = o.get("email") or o.get("contact_email") or customer.get("email")
    phone, email = _contact(addr.get("phone") or o.get("phone") or customer.get("phone"),
                            email, country, notes)
    lines = _lines(o.get("line_items"), problems,
                   lambda it: str(it.get("sku") or f"shopify-{it.get('variant_id')}"))
    shipping = sum((_money(s.get("price"), "shipping_lines.price", problems)
                    for s in o.get("shipping_lines") or []), Decimal(0))
    tax = _money(o.get("total_tax"), "total_tax", problems)
    if o.get("taxes_included") or not tax:
        tax = Decimal(0)
    elif tax:
        notes.append(f"tax {tax:.2f} {o.get('currency')} charged by the shop, in the shipping fee")
    discount = _money(o.get("total_discounts"), "total_discounts", problems)
    total = _money(o.get("total_price"), "total_price", problems)
    _check_total(total, lines, shipping + tax, discount, str(o.get("currency")), notes)
    version = parse_time(o.get("updated_at")) or parse_time(o.get("created_at"))
    if version is None:
        problems.append(FieldProblem("updated_at", "required", "the order has no updated_at"))
    if problems:
        raise NotAnOrder(problems)
    assert version is not None
    financial = str(o.get("financial_status") or "pending")
    note = o.get("note") or None
    body = {
        "channel": shop, "external_id": str(o["id"]), "currency": o.get("currency") or "USD",
        "customer": {"name": _text(addr.get("name")) or _text(customer.get("first_name"),
                                                               customer.get("last_name")) or None,
                     "phone": phone, "email": email, "language": language},
        "shipping_address": {"country": country, "province": addr.get("province") or None,
                             "city": addr.get("city") or None,
                             "detail": _text(addr.get("address1"), addr.get("address2")) or None,
                             "postal_code": addr.get("zip") or None},
        "lines": lines, "shipping_fee": f"{shipping + tax:.2f}", "discount": f"{discount:.2f}",
        "buyer_remark": note,
        "seller_remark": "; ".join([f"Shopify {o.get('name') or o['id']}", *notes]),
    }
    body["platform_total"] = f"{total:.2f}"
    paid = financial in ("paid", "partially_refunded", "refunded")
    return Mapped(str(o["id"]), version, financial if not o.get("cancelled_at") else "cancelled",
                  paid, bool(o.get("cancelled_at")), body, str(o.get("gateway") or ""), notes)


def _woocommerce(o: dict[str, Any], shop: str, language: str) -> Mapped:
    problems: list[FieldProblem] = []
    notes: list[str] = []
    ship = o.get("shipping") or {}
    bill = o.get("billing") or {}
    addr = ship if ship.get("address_1") or ship.get("city") else bill
    country = (addr.get("country") or "").upper() or "US"
    phone, email = _contact(ship.get("phone") or bill.get("phone"), bill.get("email"),
                            country, notes)

    def sku_of(item: dict[str, Any]) -> str:
        if item.get("sku"):
            return str(item["sku"])
        variation = item.get("variation_id") or 0
        return f"wc-{item.get('product_id')}" + (f"-{variation}" if variation else "")

    lines = _lines(o.get("line_items"), problems, sku_of)
    for line, item in zip(lines, o.get("line_items") or [], strict=False):
        # `price` is a float in the REST shape; the exact unit price is total / quantity.
        exact = _money(item.get("total"), "line_items.total", problems) / line["quantity"]
        line["unit_price"] = f"{exact:.2f}"
    shipping = _money(o.get("shipping_total"), "shipping_total", problems)
    tax = _money(o.get("total_tax"), "total_tax", problems)
    if o.get("prices_include_tax") or not tax:
        tax = Decimal(0)
    else:
        notes.append(f"tax {tax:.2f} {o.get('currency')} charged by the shop, in the shipping fee")
    discount = _money(o.get("discount_total"), "discount_total", problems)
    total = _money(o.get("total"), "total", problems)
    _check_total(total, lines, shipping + tax, discount, str(o.get("currency")), notes)
    version = (parse_time(o.get("date_modified_gmt")) or parse_time(o.get("date_created_gmt")))
    if version is None:
        problems.append(FieldProblem("date_modified_gmt", "required", "the order has no date"))
    if problems:
        raise NotAnOrder(problems)
    assert version is not None
    status = str(o.get("status") or "pending")
    body = {
        "channel": shop, "external_id": str(o["id"]), "currency": o.get("currency") or "USD",
        "customer": {"name": _text(addr.get("first_name"), addr.get("last_name")) or None,
                     "phone": phone, "email": email, "language": language},
        "shipping_address": {"country": country, "province": addr.get("state") or None,
                             "city": addr.get("city") or None,
                             "detail": _text(addr.get("address_1"), addr.get("address_2")) or None,
                             "postal_code": addr.get("postcode") or None},
        "lines": lines, "shipping_fee": f"{shipping + tax:.2f}", "discount": f"{discount:.2f}",
        "buyer_remark": o.get("customer_note") or None,
        "seller_remark": "; ".join([f"WooCommerce #{o.get('number') or o['id']}", *notes]),
    }
    body["platform_total"] = f"{total:.2f}"
    # Paid then cancelled still counts as paid: the money is owed back.
    paid = status in ("processing", "completed", "refunded") or bool(o.get("date_paid_gmt"))
    cancelled = status in ("cancelled", "refunded", "failed", "trash")
    return Mapped(str(o["id"]), version, status, paid, cancelled, body,
                  str(o.get("payment_method") or ""), notes)
