"""Review payloads for the API (and the console's JSON-free views share the same reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from orderflow.vocab import Flag, MoneyText


class FindingOut(BaseModel):
    rule: str
    code: str
    outcome: str
    params: dict[str, Any]
    reason_en: str
    reason_zh: str


class ReviewOut(BaseModel):
    number: str
    status: str
    outcome: str | None
    findings: list[FindingOut]
    rules: dict[str, str]
    urgency: str | None
    customer_type: str | None
    category: str | None
    payment_status: str | None
    shipping_service: str | None
    promised_ship_by: datetime | None
    address: dict[str, Any] | None
    remote: bool
    reviewed_at: datetime | None
    decision: str | None


class QueueItem(BaseModel):
    number: str
    status: str
    recipient: str | None
    total: MoneyText
    currency: str
    placed_at: datetime
    outcome: str
    findings: list[FindingOut]
    urgency: str
    customer_type: str
    category: str | None
    payment_status: str
    promised_ship_by: datetime | None


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int


class BlockerOut(BaseModel):
    code: str
    action: str
    params: dict[str, Any]
    text_en: str
    text_zh: str
    action_en: str
    action_zh: str


class ReasonIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class OptionalReasonIn(BaseModel):
    reason: Annotated[str, Field(max_length=500)] | None = None


class BulkApproveIn(BaseModel):
    numbers: Annotated[list[Annotated[str, Field(max_length=20)]], Field(min_length=1,
                                                                         max_length=500)]
    include_blocked: Flag = False


class BulkApproveOut(BaseModel):
    approved: list[str]
    skipped: dict[str, str]


class EditIn(BaseModel):
    recipient_name: Annotated[str, Field(max_length=120)] | None = None
    recipient_phone: Annotated[str, Field(max_length=40)] | None = None
    province: Annotated[str, Field(max_length=64)] | None = None
    city: Annotated[str, Field(max_length=64)] | None = None
    district: Annotated[str, Field(max_length=64)] | None = None
    address_detail: Annotated[str, Field(max_length=300)] | None = None
    postal_code: Annotated[str, Field(max_length=16)] | None = None
    seller_remark: Annotated[str, Field(max_length=1000)] | None = None
    shipping_service: Annotated[str, Field(max_length=32)] | None = None
