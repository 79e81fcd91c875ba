"""Payments recorded against orders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, UTCDateTime, str_enum
from orderflow.vocab import PaymentMethod, PaymentState

__all__ = ["Payment", "PaymentMethod", "PaymentState"]


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    state: Mapped[PaymentState] = mapped_column(str_enum(PaymentState, "payment_state"))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # The provider's transaction id; the same notice twice is one payment.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    # A success the order did not need (already paid, or cancelled): kept, owed back.
    owed_back: Mapped[bool] = mapped_column(Boolean, default=False)
    owed_back_reason: Mapped[str | None] = mapped_column(String(200))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    # Refunded or being refunded (pending refunds hold their amount): never above the amount.
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("method", "external_ref"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor",
                        name="refunded_le_amount"),
    )
