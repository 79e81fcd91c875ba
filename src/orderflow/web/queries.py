"""Small reads the console needs that no domain offers yet."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow.orders.models import Order
from orderflow.orders.status import Status


def counts_by_status(s: Session) -> dict[Status, int]:
    """Every status, zero included, in lifecycle order."""
    rows = s.execute(select(Order.status, func.count()).group_by(Order.status))
    found: dict[Status, int] = dict(rows.all())
    return {status: found.get(status, 0) for status in Status}


def channels(s: Session) -> list[str]:
    return list(s.scalars(select(Order.channel).distinct().order_by(Order.channel)))
