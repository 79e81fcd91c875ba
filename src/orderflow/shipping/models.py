"""Carriers, their services, coverage, zone rates and transit times; per-order carrier
choice; waybills (one per parcel) and the log of every label print."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class ServiceLevel(enum.StrEnum):
    STANDARD = "standard"
    EXPRESS = "express"
    SAME_DAY = "same_day"


class AdapterKind(enum.StrEnum):
    SIMULATED = "simulated"  # built in: issues numbers in the carrier's own format, no network
    HTTP = "http"  # the simulated-carrier wire protocol over HTTP (tests/fakes/sim_carrier.py)
    MANUAL = "manual"  # staff scan or type the number from the carrier's own tool


class WaybillState(enum.StrEnum):
    REQUESTED = "requested"  # local request id written, carrier's answer not yet recorded
    ISSUED = "issued"
    VOIDED = "voided"


class Carrier(Base):
    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # 快递鸟 ShipperCode (§1.1)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    adapter: Mapped[AdapterKind] = mapped_column(str_enum(AdapterKind, "carrier_adapter"))
    tracking_code: Mapped[str] = mapped_column(String(32))  # shipping.tracking_numbers carrier
    endpoint_url: Mapped[str | None] = mapped_column(String(300))
    cod_supported: Mapped[bool] = mapped_column(Boolean, default=False)
    international: Mapped[bool] = mapped_column(Boolean, default=False)
    demo_rates: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")

    services: Mapped[list[CarrierService]] = relationship(
        back_populates="carrier", lazy="raise", order_by="CarrierService.id"
    )


class CarrierService(Base):
    """One service of a carrier: its weight steps (首重/续重), cut-off and zone tables."""

    __tablename__ = "carrier_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    level: Mapped[ServiceLevel] = mapped_column(str_enum(ServiceLevel, "service_level"))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    first_weight_g: Mapped[int] = mapped_column(Integer)
    extra_unit_g: Mapped[int] = mapped_column(Integer)
    cutoff_minute: Mapped[int] = mapped_column(Integer)  # daily cut-off, minutes after midnight
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    carrier: Mapped[Carrier] = relationship(back_populates="services", lazy="raise")

    __table_args__ = (
        UniqueConstraint("carrier_id", "level"),
        CheckConstraint("first_weight_g > 0 AND extra_unit_g > 0", name="weights_positive"),
        CheckConstraint("cutoff_minute >= 0 AND cutoff_minute < 1440", name="cutoff_in_day"),
    )


ANY_ORIGIN = "*"


class ServiceCoverage(Base):
    """A destination the service reaches (a province in China, else an ISO country) and its
    zone, counted from an origin province (the ship-from warehouse's; "*" = from anywhere)."""

    __tablename__ = "service_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("carrier_services.id"), index=True)
    origin: Mapped[str] = mapped_column(String(64), default=ANY_ORIGIN)
    destination: Mapped[str] = mapped_column(String(64))
    zone: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("service_id", "origin", "destination"),)


class ZoneRate(Base):
    """Price and transit time of one zone: first weight + each extra weight unit, in days."""

    __tablename__ = "zone_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("carrier_services.id"), index=True)
    zone: Mapped[int] = mapped_column(Integer)
    first_minor: Mapped[int] = mapped_column(Integer)
    extra_minor: Mapped[int] = mapped_column(Integer)
    transit_days: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("service_id", "zone"),
        CheckConstraint("first_minor >= 0 AND extra_minor >= 0", name="prices_nonneg"),
        CheckConstraint("transit_days >= 0", name="transit_nonneg"),
    )


class OrderShipping(Base):
    """What the order asks of shipping (designation, expedited, promise) and the carrier chosen."""

    __tablename__ = "order_shipping"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    designated_carrier: Mapped[str | None] = mapped_column(String(16))
    designated_service: Mapped[str | None] = mapped_column(String(16))
    designated_by: Mapped[str | None] = mapped_column(String(16))  # customer | staff
    expedited: Mapped[bool] = mapped_column(Boolean, default=False)
    promise_by: Mapped[date | None] = mapped_column(Date)
    carrier_code: Mapped[str | None] = mapped_column(String(16), index=True)
    service: Mapped[str | None] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_zh: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)
    quote_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))
    weight_g: Mapped[int | None] = mapped_column(Integer)
    ship_date: Mapped[date | None] = mapped_column(Date)
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chosen_by: Mapped[str | None] = mapped_column(String(120))


class Waybill(Base):
    """One parcel's waybill. The row (with its request id) exists before the carrier is asked,
    so a retry reconciles with the carrier's answer instead of asking for a second number."""

    __tablename__ = "waybills"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    parcel_no: Mapped[int] = mapped_column(Integer)
    parcel_count: Mapped[int] = mapped_column(Integer)
    carrier_code: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(16))
    weight_g: Mapped[int | None] = mapped_column(Integer)
    tracking_number: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[WaybillState] = mapped_column(str_enum(WaybillState, "waybill_state"))
    warnings: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("parcel_no >= 1 AND parcel_no <= parcel_count", name="parcel_in_range"),
        Index(
            "uq_waybills_live_parcel",
            "order_id",
            "parcel_no",
            unique=True,
            sqlite_where=text("state != 'voided'"),
            postgresql_where=text("state != 'voided'"),
        ),
    )


class WaybillPrint(Base):
    """Who printed which label, when, how many copies, in which batch; re-prints flagged."""

    __tablename__ = "waybill_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(40), index=True)
    waybill_id: Mapped[int] = mapped_column(ForeignKey("waybills.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    copies: Mapped[int] = mapped_column(Integer, default=1)
    format: Mapped[str] = mapped_column(String(8))
    size: Mapped[str] = mapped_column(String(16))
    privacy: Mapped[bool] = mapped_column(Boolean, default=False)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)


class PrintBatch(Base):
    """A batch print the console follows with a progress bar; the file lands in var/prints."""

    __tablename__ = "print_batches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # running | done | failed
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[str] = mapped_column(String(8))
    size: Mapped[str] = mapped_column(String(16))
    privacy: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str] = mapped_column(String(120))
    order_numbers: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    skipped: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    file_path: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
