"""The same channel + external id twice: identical content is "already present";
different content (customer, address, lines, amounts) is a conflict that names the
fields that differ. One comparison for the API and the importer, over the values as
stored (E.164 phones, minor units), so `138-1234-5678` and `13812345678` agree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.errors import Conflict, FieldProblem
from orderflow.orders import rules
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.placement import Checked
from orderflow.orders.schemas import OrderIn

Key = tuple[str, str]
Lines = tuple[tuple[str, int, int], ...]  # (sku, quantity, unit price minor), sorted


@dataclass(frozen=True)
class Content:
    """What a second copy of an order must repeat exactly, by API field name."""

    customer_name: str | None
    customer_phone: str | None
    customer_email: str | None
    country: str
    province: str | None
    city: str | None
    district: str | None
    detail: str
    postal_code: str | None
    currency: str
    total_minor: int
    shipping_minor: int
    discount_minor: int
    cod: bool
    lines: Lines


# Content attribute -> the API field it comes from (problem+json `field`).
API_FIELDS = {
    "customer_name": "customer.name", "customer_phone": "customer.phone",
    "customer_email": "customer.email", "country": "shipping_address.country",
    "province": "shipping_address.province", "city": "shipping_address.city",
    "district": "shipping_address.district", "detail": "shipping_address.detail",
    "postal_code": "shipping_address.postal_code", "currency": "currency",
    "total_minor": "total", "shipping_minor": "shipping_fee", "discount_minor": "discount",
    "cod": "cod", "lines": "lines",
}


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def of_checked(c: Checked) -> Content:
    addr = c.cmd.shipping_address
    lines = tuple(sorted((ln.sku, ln.quantity, price)
                         for ln, price in zip(c.cmd.lines, c.unit_prices, strict=True)))
    return Content(
        _blank(c.cmd.customer.name), c.phone.value if c.phone else None, c.email,
        (addr.country or "CN").upper(), _blank(addr.province), _blank(addr.city),
        _blank(addr.district), (addr.detail or "").strip(), _blank(addr.postal_code),
        c.currency, c.totals.total_minor, c.totals.shipping_minor, c.totals.discount_minor,
        c.cmd.cod, lines)


def differences(a: Content, b: Content) -> list[str]:
    """The API field names whose values differ, in a stable order."""
    return [API_FIELDS[f.name] for f in fields(Content)
            if getattr(a, f.name) != getattr(b, f.name)]


def visible_differences(cmd: OrderIn, stored: Content) -> list[str]:
    """For a copy that no longer validates (a SKU retired since): the buyer, the address
    and the lines' SKUs and quantities, which need no catalogue to compare."""
    addr = cmd.shipping_address
    phone = None
    if cmd.customer.phone:
        parsed, _problem = rules.check_phone(cmd.customer.phone, addr.country or "CN", "phone")
        phone = parsed.value if parsed else cmd.customer.phone
    mine = {
        "customer.name": _blank(cmd.customer.name), "customer.phone": phone,
        "shipping_address.province": _blank(addr.province),
        "shipping_address.city": _blank(addr.city),
        "shipping_address.district": _blank(addr.district),
        "shipping_address.detail": (addr.detail or "").strip(),
        "lines": sorted((ln.sku, ln.quantity) for ln in cmd.lines)}
    theirs = {
        "customer.name": stored.customer_name, "customer.phone": stored.customer_phone,
        "shipping_address.province": stored.province, "shipping_address.city": stored.city,
        "shipping_address.district": stored.district, "shipping_address.detail": stored.detail,
        "lines": sorted((sku, qty) for sku, qty, _price in stored.lines)}
    return [name for name, value in mine.items() if value != theirs[name]]


@dataclass(frozen=True)
class Stored:
    number: str
    content: Content


def find_stored(s: Session, keys: set[Key]) -> dict[Key, Stored]:
    """Orders already present by channel + external id, with their content."""
    by_channel: dict[str, set[str]] = defaultdict(set)
    for channel, external_id in keys:
        by_channel[channel].add(external_id)
    orders: dict[int, tuple[Key, Order]] = {}
    for channel, external_ids in by_channel.items():
        for order in s.scalars(select(Order).where(Order.channel == channel,
                                                   Order.external_id.in_(external_ids))):
            orders[order.id] = ((channel, str(order.external_id)), order)
    lines: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    if orders:
        rows = s.execute(select(OrderLine.order_id, OrderLine.sku_code, OrderLine.ordered,
                                OrderLine.unit_price_minor)
                         .where(OrderLine.order_id.in_(list(orders))))
        for order_id, sku, ordered, price in rows:
            lines[order_id].append((sku, int(ordered), int(price)))
    return {key: Stored(o.number, _content_of_order(o, tuple(sorted(lines[oid]))))
            for oid, (key, o) in orders.items()}


def _content_of_order(o: Order, lines: Lines) -> Content:
    return Content(
        _blank(o.recipient_name), o.recipient_phone, o.recipient_email, o.country,
        _blank(o.province), _blank(o.city), _blank(o.district), (o.address_detail or "").strip(),
        _blank(o.postal_code), o.currency, o.total_minor, o.shipping_minor, o.discount_minor,
        o.cod, lines)


class ChangedCopy(Conflict):
    """The same channel + external id came again with different content."""

    code = "order.external_id_conflict"
    title = "An order with this channel and external id exists with different content"

    def __init__(self, number: str, differing: list[str]):
        super().__init__(
            f"order {number} already has this channel and external id with different "
            f"{', '.join(differing)}; to change it, POST /api/v1/orders/{number}/address or "
            f"/api/v1/orders/{number}/lines (an explicit update); a new order needs a new "
            "external id",
            fields=[FieldProblem(name, "order.external_id_conflict",
                                 f"differs from order {number}") for name in differing])
        self.number = number
        self.differing = differing
