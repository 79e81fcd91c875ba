"""Tracking tables: every carrier event once, and each shipment's tracking state."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class TrackingStatus(enum.StrEnum):
    """The normalised status of a carrier event; the raw code is kept beside it."""

    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"


class TrackingEvent(Base):
    """One carrier scan. `dedupe_key` is a digest of what the carrier said (time, code,
    text, place), unique per shipment: the same event pushed twice is stored once."""

    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))  # simulated | kuaidi100 | aftership
    dedupe_key: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[TrackingStatus] = mapped_column(str_enum(TrackingStatus, "tracking_status"))
    raw_code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str | None] = mapped_column(String(200))
    pickup: Mapped[bool] = mapped_column(Boolean, default=False)  # the 揽收 scan
    # lost | damaged | refused | address | delayed | customs | other (for exceptions)
    problem: Mapped[str | None] = mapped_column(String(32))
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        UniqueConstraint("shipment_id", "dedupe_key"),
        Index("ix_tracking_events_shipment_time", "shipment_id", "occurred_at"),
    )


class ShipmentTracking(Base):
    """Per shipment: the newest status by event time, pickup, delivery, ETA watch and the
    polling schedule. One row per shipment, created when the parcel ships (or, for
    shipments made before tracking existed, on their first event)."""

    __tablename__ = "shipment_tracking"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[TrackingStatus | None] = mapped_column(
        str_enum(TrackingStatus, "shipment_tracking_status")
    )
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # newest event's time
    status_rank: Mapped[int] = mapped_column(Integer, default=-1)
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    events: Mapped[int] = mapped_column(Integer, default=0)
    handed_over_at: Mapped[datetime] = mapped_column(UTCDateTime)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The order stays `packed` until the pickup scan or the grace window (merchant setting).
    awaiting_pickup: Mapped[bool] = mapped_column(Boolean, default=False)
    pickup_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_eta_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delay_owed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Polling (carriers without push) and subscription (Kuaidi100 push).
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    poll_failures: Mapped[int] = mapped_column(Integer, default=0)
    poll_interval_s: Mapped[int] = mapped_column(Integer, default=1800)
    subscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)  # delivered/returned/aborted

    __table_args__ = (
        Index("ix_shipment_tracking_poll", "closed", "next_poll_at"),
        Index("ix_shipment_tracking_pickup", "awaiting_pickup", "pickup_deadline_at"),
    )
