"""After-sales (售后): cases per order line and quantity, the policy row, refunds.

A case (售后单) asks for something to happen to some units of a shipped order: a return
and refund, a refund only, an exchange, a reship or a repair. Its state moves only through
`aftersales.lifecycle`. A refund is a money movement with its own state and an
idempotency key (the `out_request_no` sent to the provider), committed before the
provider is asked; the payment it draws on keeps `refunded_minor <= amount_minor`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class CaseType(enum.StrEnum):
    RETURN_REFUND = "return_refund"  # 退货退款
    REFUND_ONLY = "refund_only"  # 仅退款
    EXCHANGE = "exchange"  # 换货
    RESHIP = "reship"  # 补发
    REPAIR = "repair"  # 维修


class Reason(enum.StrEnum):
    QUALITY_DAMAGED = "quality_damaged"
    QUALITY_DEFECTIVE = "quality_defective"
    QUALITY_NOT_WORKING = "quality_not_working"
    WRONG_SIZE = "wrong_size"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    NO_REASON = "no_reason"  # 七天无理由
    TRANSPORT_DAMAGE = "transport_damage"
    TRANSPORT_LOST = "transport_lost"
    REFUSED_DELIVERY = "refused_delivery"  # 拒收 / returned to sender: opened by receiving
    OTHER = "other"


class CaseState(enum.StrEnum):
    REQUESTED = "requested"
    AWAITING_RETURN = "awaiting_return"  # approved; the goods are to come back
    IN_TRANSIT_BACK = "in_transit_back"  # the customer sent them (return waybill known)
    RECEIVED = "received"  # the warehouse checked them in
    REFUNDING = "refunding"  # money is owed back for the case
    REPLACEMENT = "replacement"  # an exchange, reship or repaired item is to ship
    CLOSED = "closed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class FreightPayer(enum.StrEnum):
    CUSTOMER = "customer"
    MERCHANT = "merchant"


class LineOutcome(enum.StrEnum):
    SELLABLE = "sellable"
    DAMAGED = "damaged"
    REJECTED = "rejected"


class AftersalesPolicy(Base):
    """One row (id 1): what the merchant set in the console."""

    __tablename__ = "aftersales_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    no_reason_days: Mapped[int] = mapped_column(Integer, default=7)
    quality_days: Mapped[int] = mapped_column(Integer, default=15)
    # [{"kind": "category"|"sku", "value": "...", "reason": "fresh|custom|digital|hygiene|other"}]
    exclusions: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    # {reason: "customer"|"merchant"}; reasons not listed: merchant pays, except no_reason.
    freight: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    auto_refund_only_under_minor: Mapped[int | None] = mapped_column(Integer)
    auto_approve_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    return_address: Mapped[str] = mapped_column(Text, default="")
    refund_days: Mapped[int] = mapped_column(Integer, default=7)  # refund within N days of receipt
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        CheckConstraint("no_reason_days >= 0 AND quality_days >= 0 AND refund_days >= 0",
                        name="days_nonneg"),
    )


class AftersalesCase(Base):
    __tablename__ = "aftersales_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    type: Mapped[CaseType] = mapped_column(str_enum(CaseType, "aftersales_type"))
    reason: Mapped[Reason] = mapped_column(str_enum(Reason, "aftersales_reason"))
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, "aftersales_state"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    customer_note: Mapped[str | None] = mapped_column(Text)
    refusal_code: Mapped[str | None] = mapped_column(String(64))
    refusal_note: Mapped[str | None] = mapped_column(Text)
    freight_payer: Mapped[FreightPayer] = mapped_column(
        str_enum(FreightPayer, "aftersales_freight"))
    refund_shipping: Mapped[bool] = mapped_column(Boolean, default=False)
    # Money owed back for the case (prorated lines, plus shipping when it applies).
    refund_minor: Mapped[int] = mapped_column(Integer, default=0)
    return_carrier: Mapped[str | None] = mapped_column(String(32))
    return_tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    replacement_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    exception_case_id: Mapped[int | None] = mapped_column(ForeignKey("exception_cases.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    opened_by: Mapped[str] = mapped_column(String(120))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_aftersales_cases_state_due", "state", "due_at"),
    )


class AftersalesLine(Base):
    """Units of one order line in a case, and what the warehouse found when they came back."""

    __tablename__ = "aftersales_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("aftersales_cases.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    exchange_sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"))
    sellable: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    refund_minor: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("sellable >= 0 AND damaged >= 0 AND rejected >= 0", name="nonneg"),
        CheckConstraint("sellable + damaged + rejected <= quantity", name="received_le_quantity"),
    )


class CaseEvent(Base):
    """The case's timeline: a code and parameters, rendered in the reader's language."""

    __tablename__ = "aftersales_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("aftersales_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class RefundState(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Refund(Base):
    """Money back, against one payment. `request_no` is the idempotency key sent to the
    provider (Alipay `out_request_no`); the row commits before the provider is asked."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_no: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("aftersales_cases.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    state: Mapped[RefundState] = mapped_column(str_enum(RefundState, "refund_state"))
    amount_minor: Mapped[int] = mapped_column(Integer)
    shipping_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))  # a code: cancelled, case, duplicate...
    note: Mapped[str | None] = mapped_column(Text)
    units: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)  # order_line_id -> n
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failure_code: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("shipping_minor >= 0 AND shipping_minor <= amount_minor",
                        name="shipping_le_amount"),
        Index("ix_refunds_state_next", "state", "next_attempt_at"),
        # A case is refunded once per payment: a second live refund is refused by the database.
        Index("uq_refunds_case_live", "case_id", "payment_id", unique=True,
              sqlite_where=text("case_id IS NOT NULL AND state != 'failed'"),
              postgresql_where=text("case_id IS NOT NULL AND state != 'failed'")),
    )
