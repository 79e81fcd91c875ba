"""API bodies and views of exception cases and carrier performance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from orderflow.logistics.models import CaseKind
from orderflow.vocab import MoneyText

Note = Annotated[str, Field(max_length=500)]


class CaseOut(BaseModel):
    id: int
    order_number: str
    order_status: str
    kind: str
    state: str
    carrier: str
    service: str
    tracking_number: str
    detail: str | None
    owner: str | None
    opened_at: datetime
    due_at: datetime
    overdue: bool
    last_action: str | None
    last_action_at: datetime | None
    refund: MoneyText
    currency: str
    outcome: str | None
    resolution: str | None


class HistoryOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    reason: str | None
    data: dict[str, object]


class CaseDetailOut(CaseOut):
    history: list[HistoryOut]


class CaseIn(BaseModel):
    """Open a case by hand: the customer called about a broken or missing parcel."""

    order_number: Annotated[str, Field(min_length=6, max_length=20)]
    kind: CaseKind
    detail: Note | None = None
    tracking_number: Annotated[str, Field(max_length=64)] | None = None


class AssignIn(BaseModel):
    owner: Annotated[str, Field(max_length=64)] | None = Field(
        description="a staff user name; null takes the case from its owner")


class ActionIn(BaseModel):
    action: Literal["contact_carrier", "reship", "refund", "note"]
    note: Note | None = None
    amount: Annotated[str, Field(max_length=20, description="refund: e.g. '12.30'")] | None = None
    carrier: Annotated[str, Field(max_length=32)] | None = None
    tracking_number: Annotated[str, Field(max_length=64)] | None = None
    service: Annotated[str, Field(max_length=32)] = "standard"


class ResolveIn(BaseModel):
    outcome: Literal["carrier_resolved", "delivered", "reshipped", "refunded", "no_action"]
    resolution: Note | None = None


class CloseIn(BaseModel):
    note: Note | None = None


class PerformanceOut(BaseModel):
    carrier: str
    service: str
    shipments: int
    delivered: int
    median_transit_hours: float | None
    on_time_rate: float | None
    exception_rate: float | None
    pickup_rate: float | None = Field(description="揽收及时率: picked up in time")


class ScanOut(BaseModel):
    occurred_at: datetime
    status: str
    description: str
    location: str | None
    raw_code: str
    source: str


class ParcelOut(BaseModel):
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    eta: datetime | None
    status: str | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    events: list[ScanOut]


class OrderTrackingOut(BaseModel):
    order_number: str
    parcels: list[ParcelOut]
    exceptions: list[CaseOut]
