"""Build the review's facts for one order from the database (read-only steps)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.catalog.models import Product, Sku
from orderflow.customers.models import Customer
from orderflow.inventory.models import StockLevel
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.status import Status
from orderflow.review import rules
from orderflow.review.config import ReviewConfig
from orderflow.review.facts import LineFacts, Neighbour, OrderFacts, StockFacts

# Orders whose stock is still wanted and not yet out of the building.
OPEN = (Status.PENDING_PAYMENT, Status.PAID, Status.AWAITING_REVIEW, Status.APPROVED,
        Status.ON_HOLD, Status.ALLOCATED, Status.PICKING, Status.PACKED)


def load_facts(s: Session, order: Order, cfg: ReviewConfig, *, service: str = "standard",
               ) -> tuple[OrderFacts, list[str | None]]:
    """The facts, and the category of each line (for classification)."""
    lines = s.execute(
        select(OrderLine, Product.category)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    customer = s.get_one(Customer, order.customer_id)
    previous, spend = s.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.total_minor), 0)).where(
            Order.customer_id == order.customer_id, Order.id != order.id,
            Order.placed_at < order.placed_at, Order.status != Status.CANCELLED)
    ).one()
    line_facts = tuple(
        LineFacts(line.sku_code, line.ordered - line.cancelled, line.unit_price_minor,
                  line.line_total_minor, category,
                  max(0, line.ordered - line.cancelled - line.reserved))
        for line, category in lines
    )
    facts = OrderFacts(
        number=order.number, country=order.country, province=order.province, city=order.city,
        district=order.district, detail=order.address_detail, postal_code=order.postal_code,
        recipient_name=order.recipient_name, recipient_phone=order.recipient_phone,
        pii_masked=order.pii_masked, currency=order.currency,
        subtotal_minor=order.subtotal_minor, shipping_minor=order.shipping_minor,
        discount_minor=order.discount_minor, total_minor=order.total_minor,
        paid_minor=order.paid_minor, cod=order.cod, buyer_remark=order.buyer_remark,
        seller_remark=order.seller_remark, placed_at=clock.as_utc(order.placed_at),
        paid_at=paid_at(s, order), lines=line_facts,
        customer_blocked=customer.blocked, customer_blocked_reason=customer.blocked_reason,
        previous_orders=int(previous), previous_spend_minor=int(spend),
        wants_sms=not customer.channel_prefs or "sms" in customer.channel_prefs,
        shipping_service=service,
        reservation_failed=reservation_failed(s, order.id),
        neighbours=tuple(neighbours(s, order, cfg)),
        stock=stock_facts(s, order.id, [ln.sku_id for ln, _ in lines if ln.ordered > ln.reserved]),
    )
    return facts, [category for _, category in lines]


def paid_at(s: Session, order: Order) -> datetime | None:
    """When the order became payable-to-ship: paid, or sent to review as COD."""
    at = s.scalar(
        select(func.min(TimelineEvent.at)).where(
            TimelineEvent.order_id == order.id, TimelineEvent.kind == "status.changed",
            TimelineEvent.to_status.in_([Status.PAID.value, Status.AWAITING_REVIEW.value]))
    )
    return clock.as_utc(at) if at else None


def reservation_failed(s: Session, order_id: int) -> str | None:
    """The reason of the last reservation failure, unless stock was reserved after it."""
    last = s.execute(
        select(TimelineEvent.kind, TimelineEvent.reason)
        .where(TimelineEvent.order_id == order_id,
               TimelineEvent.kind.in_(["stock.reservation_failed", "stock.reserved"]))
        .order_by(TimelineEvent.id.desc()).limit(1)
    ).first()
    if last is None or last.kind != "stock.reservation_failed":
        return None
    return last.reason or "stock.insufficient"


def neighbours(s: Session, order: Order, cfg: ReviewConfig) -> list[Neighbour]:
    window = timedelta(hours=cfg.duplicate_window_hours)
    placed = clock.as_utc(order.placed_at)
    same = [Order.customer_id == order.customer_id]
    if order.recipient_phone and "*" not in order.recipient_phone:
        same.append(Order.recipient_phone == order.recipient_phone)
    others = list(s.scalars(
        select(Order).where(
            or_(*same), Order.id != order.id, Order.status != Status.CANCELLED,
            Order.placed_at >= placed - window, Order.placed_at <= placed + window)
        .limit(50)
    ))
    if not others:
        return []
    items: dict[int, list[tuple[str, int]]] = {o.id: [] for o in others}
    for order_id, sku, qty in s.execute(
        select(OrderLine.order_id, OrderLine.sku_code, OrderLine.ordered - OrderLine.cancelled)
        .where(OrderLine.order_id.in_(list(items)))
    ):
        items[order_id].append((sku, qty))
    return [
        Neighbour(o.number, clock.as_utc(o.placed_at), o.customer_id == order.customer_id,
                  bool(order.recipient_phone) and o.recipient_phone == order.recipient_phone,
                  rules.address_key(o.country, o.province, o.city, o.district, o.address_detail),
                  rules.items_key(items[o.id]))
        for o in others
    ]


def stock_facts(s: Session, order_id: int, sku_ids: list[int]) -> dict[str, StockFacts]:
    """For SKUs this order still needs: available stock and the other open orders'
    unreserved demand."""
    if not sku_ids:
        return {}
    available = dict(s.execute(
        select(Sku.code, func.coalesce(func.sum(
            StockLevel.on_hand - StockLevel.reserved - StockLevel.allocated - StockLevel.damaged
        ), 0))
        .select_from(Sku).outerjoin(StockLevel, StockLevel.sku_id == Sku.id)
        .where(Sku.id.in_(sku_ids)).group_by(Sku.code)
    ).all())
    unreserved = OrderLine.ordered - OrderLine.cancelled - OrderLine.reserved
    demand = {
        sku: (int(units), int(orders))
        for sku, units, orders in s.execute(
            select(OrderLine.sku_code, func.sum(unreserved),
                   func.count(OrderLine.order_id.distinct()))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.sku_id.in_(sku_ids), OrderLine.order_id != order_id,
                   Order.status.in_(OPEN), unreserved > 0)
            .group_by(OrderLine.sku_code)
        )
    }
    return {
        sku: StockFacts(int(avail), *demand.get(sku, (0, 0)))
        for sku, avail in available.items()
    }
