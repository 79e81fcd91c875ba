"""Order views and lists for the API and the console: reads across orders,
payments and shipments, so they sit above those domains."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from orderflow import ids, money
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.fulfilment.models import Shipment
from orderflow.orders.models import LINE_QUANTITIES, Order
from orderflow.orders.placement import Written
from orderflow.orders.queries import get_order, lines_of, timeline_of
from orderflow.orders.schemas import (
    LineOut,
    OrderOut,
    OrderPage,
    OrderSummary,
    PaymentOut,
    ShipmentOut,
    TimelineOut,
)
from orderflow.orders.status import Status
from orderflow.payments.models import Payment
from orderflow.review.queries import ClassFilter

__all__ = ["OrderFilter", "build_view", "get_order", "list_orders", "order_view", "placed_view"]


def order_view(s: Session, order: Order, *, detail: bool = True) -> OrderOut:
    if not detail:
        return build_view(order, lines_of(s, order.id))
    return build_view(
        order,
        lines_of(s, order.id),
        payments=list(s.scalars(
            select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))),
        shipments=list(s.scalars(
            select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id))),
        timeline=timeline_of(s, order.id),
    )


def placed_view(written: Written) -> OrderOut:
    """The view of an order just written by placement.create, from the rows it wrote
    (no payment, no shipment yet; the timeline in the order it was written)."""
    order = SimpleNamespace(id=written.order_id, **written.order)
    return build_view(order, [SimpleNamespace(**ln) for ln in written.lines],
                      timeline=[SimpleNamespace(**e) for e in written.events])


def build_view(order: Any, lines: Sequence[Any], *, payments: Sequence[Any] = (),
               shipments: Sequence[Any] = (), timeline: Sequence[Any] = ()) -> OrderOut:
    """OrderOut from an order and its rows: ORM objects, or anything with their attributes."""
    cur = order.currency
    return OrderOut(
        number=order.number,
        status=order.status.value,
        channel=order.channel,
        external_id=order.external_id,
        currency=cur,
        subtotal=money.to_str(order.subtotal_minor, cur),
        shipping_fee=money.to_str(order.shipping_minor, cur),
        discount=money.to_str(order.discount_minor, cur),
        total=money.to_str(order.total_minor, cur),
        paid=money.to_str(order.paid_minor, cur),
        refund_due=money.to_str(order.refund_due_minor, cur),
        cod=order.cod,
        recipient={
            "name": order.recipient_name,
            "phone": order.recipient_phone,
            "email": order.recipient_email,
            "country": order.country,
            "province": order.province,
            "city": order.city,
            "district": order.district,
            "detail": order.address_detail,
            "postal_code": order.postal_code,
            "pii_masked": order.pii_masked,
            "language": order.language,
        },
        lines=[
            LineOut(
                sku=ln.sku_code,
                name=ln.name,
                unit_price=money.to_str(ln.unit_price_minor, cur),
                line_total=money.to_str(ln.line_total_minor, cur),
                quantities={q: getattr(ln, q) for q in LINE_QUANTITIES},
            )
            for ln in lines
        ],
        payments=[
            PaymentOut(
                id=p.id,
                method=p.method.value,
                state=p.state.value,
                amount=money.to_str(p.amount_minor, p.currency),
                currency=p.currency,
                external_ref=p.external_ref,
                owed_back=p.owed_back,
                owed_back_reason=p.owed_back_reason,
                created_at=p.created_at,
            )
            for p in payments
        ],
        shipments=[
            ShipmentOut(
                carrier=sh.carrier,
                service=sh.service,
                tracking_number=sh.tracking_number,
                shipped_at=sh.shipped_at,
            )
            for sh in shipments
        ],
        timeline=[
            TimelineOut(
                at=e.at,
                actor=e.actor,
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                reason=e.reason,
                reason_params=(e.data or {}).get("reason_params") or {},
            )
            for e in timeline
        ],
        placed_at=order.placed_at,
        payment_deadline_at=order.payment_deadline_at,
        version=order.version,
    )


# --- lists -------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilter:
    status: Status | None = None
    channel: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    text: str | None = None
    # Review classification (urgency, customer type, category, payment status, outcome).
    classes: ClassFilter | None = None


def encode_cursor(order_id: int) -> str:
    return base64.urlsafe_b64encode(f"o{order_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("o"):
            raise ValueError(raw)
        return int(raw[1:])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            [FieldProblem("cursor", "cursor.invalid", "not a cursor this API returned")]
        ) from exc


def _text_filter(stmt: Select[Order], text: str) -> Select[Order]:
    needle = text.strip().lower()
    digits = ids.normalise_order_number(needle)
    if digits == needle.replace(" ", "") and ids.luhn_valid(digits) and len(digits) >= 12:
        return stmt.where(Order.number == digits)
    tracked = select(Shipment.order_id).where(Shipment.tracking_number == text.strip().upper())
    pattern = f"%{needle.replace('%', '').replace('_', '')}%"
    return stmt.where(Order.search_text.like(pattern) | Order.id.in_(tracked))


def list_orders(
    s: Session, f: OrderFilter, *, cursor: str | None = None, limit: int = 50
) -> OrderPage:
    """Newest first, keyset on id: page N costs what page 1 costs, at a million orders."""
    stmt = select(Order)
    if f.status:
        stmt = stmt.where(Order.status == f.status)
    if f.channel:
        stmt = stmt.where(Order.channel == f.channel)
    if f.placed_from:
        stmt = stmt.where(Order.placed_at >= f.placed_from)
    if f.placed_to:
        stmt = stmt.where(Order.placed_at < f.placed_to)
    if f.text:
        stmt = _text_filter(stmt, f.text)
    if f.classes is not None and f.classes.active:
        stmt = stmt.where(*f.classes.check().conditions())
    if cursor:
        stmt = stmt.where(Order.id < decode_cursor(cursor))
    rows = list(s.scalars(stmt.order_by(Order.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        OrderSummary(
            number=o.number,
            status=o.status.value,
            channel=o.channel,
            recipient_name=o.recipient_name,
            total=money.to_str(o.total_minor, o.currency),
            currency=o.currency,
            placed_at=o.placed_at,
        )
        for o in rows
    ]
    return OrderPage(items=items, next_cursor=encode_cursor(rows[-1].id) if more and rows else None)
