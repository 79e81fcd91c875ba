"""The read side of one order: look-ups for use cases and views."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import ids
from orderflow.errors import NotFound
from orderflow.orders.models import Order, OrderLine, TimelineEvent


def find_order(s: Session, number: str) -> Order | None:
    return s.scalars(
        select(Order).where(Order.number == ids.normalise_order_number(number))
    ).first()


def get_order(s: Session, number: str) -> Order:
    order = find_order(s, number)
    if order is None:
        raise NotFound(f"no order {number}", code="order.not_found")
    return order


def get_order_for_change(s: Session, number: str) -> Order:
    """Locks the order row on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers."""
    stmt = select(Order).where(Order.number == ids.normalise_order_number(number))
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    order = s.scalars(stmt).first()
    if order is None:
        raise NotFound(f"no order {number}", code="order.not_found")
    return order


def lines_of(s: Session, order_id: int) -> list[OrderLine]:
    return list(
        s.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id))
    )


def mask_phone(phone: str | None) -> str | None:
    """138****8000 style: enough to recognise, not enough to call."""
    if not phone:
        return phone
    digits = phone.split(";")[0]
    if "*" in digits or len(digits) < 7:
        return digits
    return f"{digits[:-8]}****{digits[-4:]}" if len(digits) > 8 else f"****{digits[-4:]}"


def timeline_of(s: Session, order_id: int) -> list[TimelineEvent]:
    return list(
        s.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.order_id == order_id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )
