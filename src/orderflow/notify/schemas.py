from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from orderflow.vocab import Flag


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    description: Annotated[str, Field(max_length=200)] | None = None
    events: Annotated[list[str], Field(min_length=1)] = ["*"]


class EndpointOut(BaseModel):
    id: int
    url: str
    description: str | None
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    secret: str | None = Field(default=None, description="Shown once, when created or rotated")


class NoticeOut(BaseModel):
    id: int
    order_number: str | None
    milestone: str
    channel: str
    recipient: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Annotated[str, Field(max_length=300)] | None = None
    body_text: Annotated[str, Field(min_length=1, max_length=5000)]
    body_html: Annotated[str, Field(max_length=50000)] | None = None


class TemplateOut(BaseModel):
    milestone: str
    channel: str
    language: str
    version: int
    subject: str | None
    body_text: str
    body_html: str | None
    variables: list[str]


class PreviewOut(BaseModel):
    subject: str | None
    body_text: str
    body_html: str | None


class SwitchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: Flag


class AlertOut(BaseModel):
    id: int
    kind: str
    message: str
    created_at: datetime


class CoverageOut(BaseModel):
    shipped: int
    shipped_told_in_time: int
    shipping_share: float
    paid: int
    paid_confirmed: int  # by the payment notice or the confirmation that replaced it
    confirmation_share: float
    late: int = 0  # promise delay notices owed
    late_told: int = 0
    delay_share: float = 1.0
    corrected: int = 0  # corrected shipping notices owed
    corrected_told: int = 0
    correction_share: float = 1.0


Json = dict[str, Any]
