"""Order payloads in and out (API bodies, import rows, views)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from orderflow import text
from orderflow.orders.status import Status
from orderflow.vocab import Amount, Flag, MoneyText, PaymentMethod, PaymentState

Quantity = Annotated[int, Field(strict=True, gt=0, le=100_000)]
Text = Annotated[str, Field(max_length=300)]
# Free text: control characters and bidi overrides are stripped, line breaks kept.
Remark = Annotated[str, Field(max_length=1000), AfterValidator(text.clean_free_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LineIn(Strict):
    sku: Annotated[str, Field(min_length=1, max_length=64)]
    quantity: Quantity
    unit_price: Amount | None = Field(
        default=None, description="Defaults to the SKU's catalogue price"
    )


class AddressIn(Strict):
    country: Annotated[str, Field(min_length=2, max_length=2)] = "CN"
    province: Annotated[str, Field(max_length=64)] | None = None
    city: Annotated[str, Field(max_length=64)] | None = None
    district: Annotated[str, Field(max_length=64)] | None = None
    detail: Annotated[str, Field(max_length=300)] | None = None
    postal_code: Annotated[str, Field(max_length=16)] | None = None
    text: Annotated[str, Field(max_length=300)] | None = Field(
        default=None,
        description="The whole address as one line (张三 13800138000 广东省深圳市南山区…): "
                    "parsed into the fields left blank, and the customer's name and phone")


class CustomerIn(Strict):
    name: Annotated[str, Field(max_length=120)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    language: Literal["zh-CN", "en"] = "zh-CN"


class PaymentIn(Strict):
    method: PaymentMethod
    amount: Amount
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    state: PaymentState = PaymentState.SUCCEEDED
    external_ref: Annotated[str, Field(max_length=100)] | None = None
    failure_reason: Annotated[str, Field(max_length=200)] | None = None


class OrderIn(Strict):
    channel: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_.-]+$")] = "api"
    external_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "CNY"
    customer: CustomerIn
    shipping_address: AddressIn
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    shipping_fee: Amount = "0"
    discount: Amount = "0"
    total: Amount | None = Field(
        default=None, description="If given, must equal the computed total"
    )
    cod: Flag = False
    buyer_remark: Remark | None = None
    seller_remark: Remark | None = None
    payment: PaymentIn | None = None


class LineOut(BaseModel):
    sku: str
    name: str
    unit_price: MoneyText
    line_total: MoneyText
    quantities: dict[str, int]


class PaymentOut(BaseModel):
    id: int
    method: str
    state: str
    amount: MoneyText
    currency: str
    external_ref: str | None
    owed_back: bool
    owed_back_reason: str | None
    created_at: datetime


class TimelineOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    # A system reason is a code (`reason.payment_received`) with these parameters;
    # `orderflow.texts.render` gives it in a language. A person's reason is free text.
    reason: str | None
    reason_params: dict[str, Any] = {}


class ShipmentOut(BaseModel):
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime


class OrderOut(BaseModel):
    number: str
    status: Status
    channel: str
    external_id: str | None
    currency: str
    subtotal: MoneyText
    shipping_fee: MoneyText
    discount: MoneyText
    total: MoneyText
    paid: MoneyText
    refund_due: MoneyText
    cod: bool
    recipient: dict[str, Any]
    lines: list[LineOut]
    payments: list[PaymentOut] = []
    shipments: list[ShipmentOut] = []
    timeline: list[TimelineOut] = []
    placed_at: datetime
    payment_deadline_at: datetime | None
    version: int


class OrderSummary(BaseModel):
    number: str
    status: Status
    channel: str
    recipient_name: str | None
    total: MoneyText
    currency: str
    placed_at: datetime


class OrderPage(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None
