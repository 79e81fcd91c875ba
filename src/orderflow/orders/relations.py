"""Merged and split orders (合单 / 拆单): which order ships with which, and which
order was split off which. Kept beside the orders table, not in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, UTCDateTime


class OrderMerge(Base):
    """`order_id` ships in one parcel with `into_id` (the group's first order)."""

    __tablename__ = "order_merges"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    into_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderSplit(Base):
    """`order_id` was split off `parent_id` (by warehouse or by availability)."""

    __tablename__ = "order_splits"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # warehouse | availability
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
