"""Classification: urgency, customer type, product category, payment status. Pure."""

from __future__ import annotations

import enum
from collections import Counter
from datetime import datetime, timedelta

from orderflow.review.config import ReviewConfig


class Urgency(enum.StrEnum):
    EXPEDITED = "expedited"
    STANDARD = "standard"
    DEFERRED = "deferred"


class CustomerType(enum.StrEnum):
    NEW = "new"
    RETURNING = "returning"
    VIP = "vip"


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PARTIAL = "partial"
    PAID = "paid"
    COD = "cod"
    REFUND_DUE = "refund_due"


URGENCY_RANK = {Urgency.EXPEDITED: 0, Urgency.STANDARD: 1, Urgency.DEFERRED: 2}


def customer_type(previous_orders: int, previous_spend_minor: int,
                  cfg: ReviewConfig) -> CustomerType:
    if previous_orders >= cfg.vip_min_orders or (
        previous_orders > 0 and previous_spend_minor >= cfg.vip_min_spend_minor
    ):
        return CustomerType.VIP
    return CustomerType.RETURNING if previous_orders > 0 else CustomerType.NEW


def urgency(service: str, ship_by: datetime | None, now: datetime, kind: CustomerType,
            cfg: ReviewConfig) -> Urgency:
    """Expedited: an express service, a VIP, or a promise due within the configured
    hours. Deferred: an economy/presale service. Otherwise standard."""
    service = service.lower()
    if service in cfg.expedited_services or kind is CustomerType.VIP:
        return Urgency.EXPEDITED
    if service in cfg.deferred_services:
        return Urgency.DEFERRED
    if ship_by is not None and ship_by - now <= timedelta(hours=cfg.expedite_within_hours):
        return Urgency.EXPEDITED
    return Urgency.STANDARD


def payment_status(total_minor: int, paid_minor: int, refund_due_minor: int,
                   cod: bool) -> PaymentStatus:
    if refund_due_minor > 0:
        return PaymentStatus.REFUND_DUE
    if paid_minor >= total_minor:
        return PaymentStatus.PAID
    if cod:
        return PaymentStatus.COD
    return PaymentStatus.PARTIAL if paid_minor > 0 else PaymentStatus.UNPAID


def category(categories: list[str | None]) -> str | None:
    """The order's product category: the one its units share, else 'mixed'."""
    known = Counter(c for c in categories if c)
    if not known:
        return None
    return next(iter(known)) if len(known) == 1 else "mixed"
