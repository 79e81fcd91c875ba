"""Fulfilment tables: shipments (what left, with which carrier and tracking number),
bin locations, low-stock thresholds, waves and packs."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    carrier: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(32), default="standard")
    tracking_number: Mapped[str] = mapped_column(String(64), index=True)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    estimated_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BinLocation(Base):
    """Where a SKU sits in one warehouse (货位): the pick list walks these in order."""

    __tablename__ = "bin_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("sku_id", "warehouse_id"),)


class StockThreshold(Base):
    """库存预警: alert when available stock falls to `low_at` or below.

    A row names a SKU, a warehouse, or both; the most specific row wins
    (SKU + warehouse, then SKU, then warehouse)."""

    __tablename__ = "stock_thresholds"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    low_at: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("sku_id", "warehouse_id"),
        CheckConstraint("low_at >= 0", name="low_at_nonneg"),
        CheckConstraint("sku_id IS NOT NULL OR warehouse_id IS NOT NULL", name="names_something"),
    )


class WaveState(enum.StrEnum):
    OPEN = "open"  # planned, pick list printable, nothing moved yet
    RELEASED = "released"  # handed to pickers: its orders are picking
    CANCELLED = "cancelled"
    SHIPPED = "shipped"  # every pack of the wave has left


class Wave(Base):
    """A batch of allocated orders picked together: one warehouse, carrier, priority, cut-off."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    cutoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[WaveState] = mapped_column(str_enum(WaveState, "wave_state"))
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rerun_of: Mapped[int | None] = mapped_column(ForeignKey("waves.id"))


class WaveOrder(Base):
    """An order's part at one warehouse in one live wave. The unique key keeps a part in
    at most one live wave; cancelling a wave deletes its rows."""

    __tablename__ = "wave_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))

    __table_args__ = (UniqueConstraint("order_id", "warehouse_id"),)


class PackState(enum.StrEnum):
    OPEN = "open"  # scanning
    CLOSED = "closed"  # checked, weighed, inspected: ready for hand-over
    SHIPPED = "shipped"


class Inspection(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class Pack(Base):
    """An order's part at one warehouse at the pack station: the scans so far, then the
    parcel's weight and count and the outbound inspection (出库质检)."""

    __tablename__ = "packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)
    state: Mapped[PackState] = mapped_column(str_enum(PackState, "pack_state"))
    scanned: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    parcel_count: Mapped[int | None] = mapped_column(Integer)
    weight_g: Mapped[int | None] = mapped_column(Integer)
    inspection: Mapped[Inspection | None] = mapped_column(str_enum(Inspection, "inspection"))
    inspection_note: Mapped[str | None] = mapped_column(String(300))
    packed_by: Mapped[str | None] = mapped_column(String(120))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("order_id", "warehouse_id"),
        CheckConstraint("parcel_count IS NULL OR parcel_count >= 1", name="parcels_positive"),
        CheckConstraint("weight_g IS NULL OR weight_g > 0", name="weight_positive"),
    )
