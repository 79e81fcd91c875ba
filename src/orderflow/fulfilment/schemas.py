"""API bodies of the warehouse: waves, pick lists, packs, hand-over, stock alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Code = Annotated[str, Field(min_length=1, max_length=64)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AllocationOut(Out):
    order_number: str
    allocation: str = Field(description="single, nearest or split")
    warehouses: list[str]


class WavePlanIn(In):
    warehouse: Code | None = None
    max_orders: Annotated[int, Field(ge=1, le=500)] = 50


class WaveOut(Out):
    id: int
    code: str
    warehouse: str
    carrier: str
    priority: str
    cutoff_at: datetime | None
    state: str
    order_count: int
    created_by: str
    created_at: datetime
    released_at: datetime | None
    rerun_of: int | None


class PickRowOut(Out):
    sku: str
    name: str
    quantity: int
    bins: list[str]
    order_count: int


class PickListOut(BaseModel):
    wave: WaveOut
    rows: list[PickRowOut]
    orders: list[str] = Field(description="Order numbers in pick order (for batch printing)")


class ReasonIn(In):
    reason: Annotated[str, Field(max_length=500)] | None = None


class RequiredReasonIn(In):
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class PackIn(In):
    order_number: Code
    warehouse: Code
    scans: Annotated[list[Code], Field(max_length=2000,
                                       description="Item barcodes (or SKU codes) as scanned")]
    weight_g: Annotated[int, Field(ge=1, le=1_000_000)]
    parcel_count: Annotated[int, Field(ge=1, le=20)] = 1
    inspection: Literal["passed", "failed"] = "passed"
    inspection_note: Annotated[str, Field(max_length=300)] = ""


class PackOut(Out):
    id: int
    order_number: str
    warehouse: str
    wave: str | None
    state: str
    expected: dict[str, int]
    scanned: dict[str, int]
    parcel_count: int | None
    weight_g: int | None
    inspection: str | None
    inspection_note: str | None


class HandoverIn(In):
    order_number: Code
    warehouse: Code
    tracking_numbers: Annotated[list[Code], Field(
        max_length=20, description="One per parcel; empty: use the waybills already issued")] = []


class ShippedOut(Out):
    order_number: str
    warehouse: str
    carrier: str
    service: str
    tracking_numbers: list[str]
    order_shipped: bool
    estimated_delivery_at: datetime | None


class WaveShippingOut(BaseModel):
    wave: str
    shipped: list[ShippedOut]
    skipped: dict[str, str]


class AlertOut(Out):
    sku: str
    name: str
    warehouse: str
    available: int
    low_at: int
    damaged: int
    level: Literal["low", "out"]


class ThresholdIn(In):
    sku: Code | None = None
    warehouse: Code | None = None
    low_at: Annotated[int, Field(ge=0, le=10_000_000)]


class DamagedIn(In):
    warehouse: Code
    quantity: Annotated[int, Field(ge=1, le=10_000_000)]
    action: Literal["mark", "write_off"] = "mark"


class BinIn(In):
    # Checked as sent (not trimmed first), so the documented length and pattern hold.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    bin: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^\S(.*\S)?$")]
