"""Order statuses (values are stored; labels come from i18n)."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    ON_HOLD = "on_hold"
    ALLOCATED = "allocated"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXCEPTION = "exception"


TERMINAL = frozenset({Status.COMPLETED, Status.CANCELLED})
SHIPPED_OR_LATER = frozenset(
    {Status.SHIPPED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERED,
     Status.COMPLETED, Status.EXCEPTION}
)
