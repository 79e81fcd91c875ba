"""Orders, their lines (quantities by state), the timeline, and idempotency records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orderflow.db import Base, JSONType, UTCDateTime, str_enum
from orderflow.orders.status import Status

LINE_QUANTITIES = (
    "ordered",
    "reserved",
    "allocated",
    "picked",
    "packed",
    "shipped",
    "delivered",
    "returned",
    "exchanged",
    "refunded",
    "cancelled",
)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[Status] = mapped_column(str_enum(Status, "order_status"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    hold_resume_status: Mapped[Status | None] = mapped_column(
        str_enum(Status, "order_resume_status")
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    # Recipient snapshot, as it must be printed on the label.
    recipient_name: Mapped[str | None] = mapped_column(String(120))
    recipient_phone: Mapped[str | None] = mapped_column(String(32))
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    pii_masked: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str] = mapped_column(String(2))
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    address_detail: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(Integer)
    shipping_minor: Mapped[int] = mapped_column(Integer, default=0)
    discount_minor: Mapped[int] = mapped_column(Integer, default=0)
    total_minor: Mapped[int] = mapped_column(Integer)
    paid_minor: Mapped[int] = mapped_column(Integer, default=0)
    refund_due_minor: Mapped[int] = mapped_column(Integer, default=0)
    # Refunds that succeeded (after-sales); what is owed still is refund_due_minor.
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cod: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    buyer_remark: Mapped[str | None] = mapped_column(Text)
    seller_remark: Mapped[str | None] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Lower-cased search text (number, name, phone digits, tracking numbers).
    search_text: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.id"
    )

    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint("total_minor >= 0", name="total_nonneg"),
        CheckConstraint("paid_minor >= 0", name="paid_nonneg"),
        CheckConstraint("refunded_minor >= 0 AND refund_due_minor >= 0", name="refunds_nonneg"),
        Index("ix_orders_status_id", "status", "id"),
        Index("ix_orders_placed_id", "placed_at", "id"),
        Index("ix_orders_channel_id", "channel", "id"),
    )


class OrderLine(Base):
    """Quantities are cumulative: the number of units that reached each stage.

    0 <= delivered <= shipped <= packed <= picked <= allocated <= reserved
      <= ordered - cancelled;  returned <= shipped (a refused parcel comes back undelivered);
    exchanged <= returned;  refunded + exchanged <= ordered (refund-only keeps no return).
    The database checks the same, so no code path can store a line that disagrees.
    """

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    sku_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit_price_minor: Mapped[int] = mapped_column(Integer)
    line_total_minor: Mapped[int] = mapped_column(Integer)
    ordered: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    picked: Mapped[int] = mapped_column(Integer, default=0)
    packed: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    exchanged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refunded: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")

    __table_args__ = (
        CheckConstraint("ordered > 0", name="ordered_positive"),
        CheckConstraint(
            "delivered >= 0 AND returned >= 0 AND refunded >= 0 AND cancelled >= 0", name="nonneg"
        ),
        CheckConstraint(
            "delivered <= shipped AND shipped <= packed AND packed <= picked "
            "AND picked <= allocated AND allocated <= reserved "
            "AND reserved <= ordered - cancelled",
            name="pipeline",
        ),
        CheckConstraint("returned <= shipped", name="returned_le_shipped"),
        CheckConstraint("exchanged >= 0 AND exchanged <= returned", name="exchanged_le_returned"),
        CheckConstraint("refunded + exchanged <= ordered", name="refunded_le_ordered"),
    )


class TimelineEvent(Base):
    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class IdempotencyRecord(Base):
    """Idempotency-Key bookkeeping for POSTs (IETF draft / Stripe semantics)."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # in_flight | done
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The answer byte for byte (body text, media type, the headers that matter), so a
    # replay is the same answer, problem+json included.
    response_text: Mapped[str | None] = mapped_column(Text)
    response_media_type: Mapped[str | None] = mapped_column(String(80))
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (UniqueConstraint("scope", "key"),)


class OrderNumberBlock(Base):
    """Per-day order-number counter, handed out to processes in blocks."""

    __tablename__ = "order_number_counters"

    day: Mapped[str] = mapped_column(String(6), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
