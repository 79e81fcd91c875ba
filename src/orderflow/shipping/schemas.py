"""Pydantic in/out shapes of the shipping API and console forms."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from orderflow.vocab import Flag

Level = Literal["standard", "express", "same_day"]


class PreferencesIn(BaseModel):
    """What the customer or staff ask of shipping; empty carrier = no designation."""

    model_config = ConfigDict(extra="forbid")

    designated_carrier: Annotated[str, Field(max_length=16)] | None = None
    designated_service: Level | None = None
    designated_by: Literal["customer", "staff"] = "staff"
    expedited: Flag = False
    promise_by: date | None = None


class SelectionOut(BaseModel):
    carrier_code: str
    service: str
    reason_code: str
    reason_zh: str
    reason_en: str
    quote_minor: int
    quote: str
    currency: str
    weight_g: int
    ship_date: date
    estimated_delivery: date
    late: bool


class ZoneRateOut(BaseModel):
    id: int
    zone: int
    first_minor: int
    extra_minor: int
    transit_days: int
    destinations: list[str]  # from any origin
    by_origin: dict[str, list[str]] = {}  # origin province ("*" = any) -> destinations


class ServiceOut(BaseModel):
    id: int
    level: str
    name_zh: str
    name_en: str
    first_weight_g: int
    extra_unit_g: int
    cutoff: str
    active: bool
    zones: list[ZoneRateOut]


class CarrierOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    adapter: str
    endpoint_url: str | None = None
    tracking_code: str
    cod_supported: bool
    international: bool
    demo_rates: bool
    active: bool
    currency: str
    services: list[ServiceOut]


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_weight_g: Annotated[int, Field(gt=0, le=100_000)]
    extra_unit_g: Annotated[int, Field(gt=0, le=100_000)]
    cutoff: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    active: Flag = True


def _parsable_url(value: str) -> str:
    """The URL must parse and name a host ('http://[' matches the pattern but is no URL)."""
    if not value:
        return value
    try:
        host = urlsplit(value).hostname
    except ValueError as exc:
        raise ValueError("not a valid URL") from exc
    if not host:
        raise ValueError("the URL names no host")
    return value


class CarrierIn(BaseModel):
    """How waybills are obtained (built-in simulation, a carrier API, or typed by staff)."""

    model_config = ConfigDict(extra="forbid")

    adapter: Literal["simulated", "http", "manual"]
    endpoint_url: Annotated[str, Field(max_length=300, pattern=r"^(https?://\S+)?$"),
                            AfterValidator(_parsable_url)] = ""
    active: Flag = True
    cod_supported: Flag = False


class ZoneRateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first: Annotated[str, Field(max_length=12)]  # yuan, e.g. "12.00"
    extra: Annotated[str, Field(max_length=12)]
    transit_days: Annotated[int, Field(ge=0, le=60)]


class WaybillOut(BaseModel):
    id: int
    order_number: str
    parcel_no: int
    parcel_count: int
    carrier_code: str
    service: str
    tracking_number: str | None
    state: str
    weight_g: int | None
    warnings: list[str]
    created_at: datetime
    issued_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None


class ManualWaybillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]
    parcel_no: Annotated[int, Field(ge=1, le=99)] = 1
    parcel_count: Annotated[int, Field(ge=1, le=99)] = 1


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parcel_count: Annotated[int, Field(ge=1, le=99)] = 1
    weight_g: Annotated[int, Field(gt=0, le=1_000_000)] | None = None


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500)]
    reissue: Flag = False


class PrintIn(BaseModel):
    """Orders in the order to print them, or a wave (printed in its pick order)."""

    model_config = ConfigDict(extra="forbid")

    orders: Annotated[list[Annotated[str, Field(min_length=1, max_length=20)]],
                      Field(max_length=2000)] = []
    wave_id: int | None = None
    format: Literal["pdf", "zpl"] = "pdf"
    size: Literal["100x150", "76x130"] = "100x150"
    privacy: Flag = False
    language: Literal["zh-CN", "en"] = "zh-CN"
    copies: Annotated[int, Field(ge=1, le=5)] = 1

    @model_validator(mode="after")
    def _one_source(self) -> PrintIn:
        if not self.orders and self.wave_id is None:
            raise ValueError("give order numbers or a wave_id")
        return self
