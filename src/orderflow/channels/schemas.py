"""Channel shop settings and inbox views (API bodies and console forms)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from orderflow.channels.models import DeliveryState, Platform
from orderflow.orders.schemas import Strict
from orderflow.vocab import Flag

ShopCode = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class ShopIn(Strict):
    code: ShopCode
    platform: Platform
    name: Annotated[str, Field(min_length=1, max_length=120)]
    secret: Annotated[str, Field(min_length=8, max_length=200)]
    shop_domain: Annotated[str, Field(max_length=200)] | None = None
    language: Literal["zh-CN", "en"] = "en"
    active: Flag = True


class ShopUpdate(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    secret: Annotated[str, Field(min_length=8, max_length=200)] | None = None
    shop_domain: Annotated[str, Field(max_length=200)] | None = None
    language: Literal["zh-CN", "en"] | None = None
    active: Flag | None = None


class ShopOut(BaseModel):
    code: str
    platform: Platform
    name: str
    shop_domain: str | None
    language: str
    active: bool
    webhook_path: str
    secret_hint: str  # the last 4 characters: enough to tell which secret is set
    created_at: datetime


class DeliveryOut(BaseModel):
    id: int
    shop: str
    topic: str
    delivery_key: str
    event_id: str | None
    external_id: str | None
    resource_updated_at: datetime | None
    state: DeliveryState
    detail: str | None
    problems: list[dict[str, Any]]
    order_number: str | None
    attempts: int
    received_at: datetime
    processed_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: int | None


class Receipt(BaseModel):
    """What the webhook endpoint answers (2xx): stored, and what became of it."""

    delivery_id: int | None
    state: str
    order_number: str | None = None
