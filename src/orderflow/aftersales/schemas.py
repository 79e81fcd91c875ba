"""API bodies and views of after-sales cases, the policy and refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from orderflow.aftersales.models import CaseType, FreightPayer, Reason
from orderflow.vocab import Amount

Note = Annotated[str, Field(max_length=1000)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class CaseLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Code = Field(description="the SKU code of the order line")
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    exchange_sku: Code | None = Field(
        default=None, description="exchange: the SKU to send instead (another size)")


class CaseIn(BaseModel):
    """Open a case on a shipped or delivered order, per line and quantity."""

    model_config = ConfigDict(extra="forbid")

    order_number: Annotated[str, Field(min_length=6, max_length=20)]
    type: CaseType
    reason: Reason
    lines: Annotated[list[CaseLineIn], Field(min_length=1, max_length=100)]
    note: Note | None = None
    refund_shipping: bool = Field(default=False, description="refund the shipping too")
    override_policy: bool = Field(
        default=False, description="staff only: open it although the policy refuses")


class ApproveIn(BaseModel):
    note: Note | None = None


class RefuseIn(BaseModel):
    code: Literal["no_evidence", "not_intact", "used", "duplicate", "other"]
    note: Note | None = None


class ReturnShippedIn(BaseModel):
    carrier: Annotated[str, Field(min_length=1, max_length=32)]
    tracking_number: Annotated[str, Field(min_length=4, max_length=64)]


class ReceiveLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Code
    sellable: Annotated[int, Field(ge=0, le=10_000)] = 0
    damaged: Annotated[int, Field(ge=0, le=10_000)] = 0
    rejected: Annotated[int, Field(ge=0, le=10_000)] = 0
    reject_reason: Annotated[str, Field(max_length=200)] | None = None


class ReceiveIn(BaseModel):
    """The receiving station: the scanned return waybill, order or case number, and per
    line what came back. No lines: everything expected came back sellable."""

    model_config = ConfigDict(extra="forbid")

    scan: Annotated[str, Field(min_length=4, max_length=64)]
    lines: Annotated[list[ReceiveLineIn], Field(max_length=100)] = []


class RefundCaseIn(BaseModel):
    note: Note | None = None


class RefundIn(BaseModel):
    """A refund on an order: by default what is owed (cancellation, reduced lines,
    duplicate payment); an `amount` refunds that much (never more than paid less refunded)."""

    model_config = ConfigDict(extra="forbid")

    order_number: Annotated[str, Field(min_length=6, max_length=20)]
    amount: Amount | None = None
    reason: Literal["owed", "goodwill", "price_adjustment", "other"] = "owed"
    note: Note | None = None


class ManualConfirmIn(BaseModel):
    reference: Annotated[str, Field(min_length=2, max_length=100,
                                    description="the refund's reference in the payment "
                                                "provider's back office")]


class ExclusionIn(BaseModel):
    kind: Literal["category", "sku"]
    value: Annotated[str, Field(min_length=1, max_length=80)]
    reason: Literal["fresh", "custom", "digital", "hygiene", "other"]


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    no_reason_days: Annotated[int, Field(ge=7, le=90)] = 7
    quality_days: Annotated[int, Field(ge=7, le=365)] = 15
    refund_days: Annotated[int, Field(ge=1, le=30)] = 7
    exclusions: Annotated[list[ExclusionIn], Field(max_length=200)] = []
    freight: dict[Reason, FreightPayer] = {}
    auto_refund_only_under: Amount | None = None
    auto_approve_vip: bool = False
    return_address: Annotated[str, Field(max_length=300)] = ""


class PolicyOut(PolicyIn):
    updated_at: datetime | None
    updated_by: str | None


class CaseLineOut(BaseModel):
    order_line_id: int
    sku: str
    name: str
    quantity: int
    exchange_sku: str | None
    sellable: int
    damaged: int
    rejected: int
    reject_reason: str | None
    refund: str


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    text: str
    data: dict[str, object]


class CaseOut(BaseModel):
    id: int
    number: str
    order_number: str
    type: str
    reason: str
    state: str
    owner: str | None
    freight_payer: str
    refund: str
    currency: str
    refund_shipping: bool
    return_carrier: str | None
    return_tracking_number: str | None
    replacement_order_number: str | None
    refusal_code: str | None
    refusal: str | None
    opened_by: str
    opened_at: datetime
    due_at: datetime
    overdue: bool
    closed_at: datetime | None


class CaseDetailOut(CaseOut):
    lines: list[CaseLineOut]
    photos: list[dict[str, object]]
    events: list[EventOut]
    refunds: list[RefundOut]


class RefundOut(BaseModel):
    id: int
    request_no: str
    order_number: str
    case_number: str | None
    provider: str
    state: str
    amount: str
    shipping: str
    currency: str
    reason: str
    provider_ref: str | None
    attempts: int
    last_error: str | None
    failure_code: str | None
    created_by: str
    created_at: datetime
    settled_at: datetime | None


CaseDetailOut.model_rebuild()
