"""Inventory: warehouses, stock levels and the live reservations behind them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, UTCDateTime, str_enum


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    district: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))
    # The sender on labels shipped from here (寄件人): a contact and a phone.
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    cutoff_minute: Mapped[int | None] = mapped_column(Integer)  # local minutes after midnight
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (
        CheckConstraint("cutoff_minute IS NULL OR (cutoff_minute >= 0 AND cutoff_minute < 1440)",
                        name="cutoff_in_day"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90 AND longitude "
                        ">= -180 AND longitude <= 180)", name="coordinates_valid"),
    )


class StockLevel(Base):
    """One SKU in one warehouse. available = on_hand - reserved - allocated - damaged >= 0."""

    __tablename__ = "stock_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("sku_id", "warehouse_id"),
        CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND allocated >= 0 AND damaged >= 0", name="nonneg"
        ),
        CheckConstraint("on_hand - reserved - allocated - damaged >= 0", name="available_nonneg"),
    )


class ReservationState(enum.StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    ALLOCATED = "allocated"
    CONSUMED = "consumed"


class Reservation(Base):
    """The stock an order line holds. The ledger check sums these against stock_levels."""

    __tablename__ = "reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    state: Mapped[ReservationState] = mapped_column(
        str_enum(ReservationState, "reservation_state"), default=ReservationState.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("quantity > 0", name="qty_positive"),)
