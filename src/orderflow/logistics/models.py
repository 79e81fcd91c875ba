"""Exception cases: one per problem with an order's parcel, owned by a staff user."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class CaseKind(enum.StrEnum):
    STALLED = "stalled"  # no carrier update for N hours
    DELIVERY_FAILED = "delivery_failed"  # a failed delivery attempt
    LOST = "lost"
    DAMAGED = "damaged"
    RETURNED = "returned"  # returning or returned to sender
    CARRIER_EXCEPTION = "carrier_exception"  # any other exception the carrier reports


class CaseState(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ExceptionCase(Base):
    __tablename__ = "exception_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind, "exception_kind"))
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, "exception_state"))
    # Snapshot of the parcel, so the queue filters without joins to carriers' tables.
    carrier: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(32))
    tracking_number: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)  # what the carrier or the watchdog said
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(120))
    last_action: Mapped[str | None] = mapped_column(String(32))
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actions: Mapped[int] = mapped_column(Integer, default=0)
    refund_minor: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The carrier event that opened it (the tracking adapters' table; no foreign key, so
    # this migration does not depend on theirs).
    source_event_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (
        Index("ix_exception_cases_state_due", "state", "due_at"),
        Index("ix_exception_cases_order_kind", "order_id", "kind", "state"),
        # One open case per parcel and kind: a second alert about it joins the first.
        Index("uq_exception_cases_open", "order_id", "tracking_number", "kind", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )


class ScanCursor(Base):
    """How far a worker job has read an append-only table (carrier events)."""

    __tablename__ = "logistics_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
