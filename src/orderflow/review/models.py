"""The review's tables: the merchant's settings, and one review row per order.

The row keeps the verdict with every finding, the normalised address, the
classification and the promised ship-by time, so the queue and the order list can
filter and sort on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, JSONType, UTCDateTime


class ReviewSettings(Base):
    __tablename__ = "review_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class OrderReview(Base):
    __tablename__ = "order_reviews"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(8))  # pass | warn | block
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    rules: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str] = mapped_column(String(120))
    # The address as the division table reads it (province/city/district/detail/adcode).
    address: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    adcode: Mapped[str | None] = mapped_column(String(12))
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency: Mapped[str] = mapped_column(String(16))
    customer_type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(80))
    payment_status: Mapped[str] = mapped_column(String(16))
    shipping_service: Mapped[str] = mapped_column(String(32), default="standard")
    promised_ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Past its promise without shipping: the customer was told a new estimate (late_until);
    # told again only when that passes too. late_rounds counts the delay notices.
    late_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_rounds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The last staff decision on the review (approved / held / cancelled / edited).
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_order_reviews_queue", "urgency", "promised_ship_by"),
        Index("ix_order_reviews_outcome", "outcome"),
        Index("ix_order_reviews_customer_type", "customer_type"),
        Index("ix_order_reviews_category", "category"),
        Index("ix_order_reviews_payment_status", "payment_status"),
        Index("ix_order_reviews_promised", "promised_ship_by"),
    )
