"""Channel shops, the inbox of raw webhook deliveries, and the link from a channel
order to ours (with the newest platform version applied)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class Platform(enum.StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"


class DeliveryState(enum.StrEnum):
    RECEIVED = "received"  # stored, not processed yet (the worker picks it up)
    PROCESSED = "processed"  # applied to an order
    DUPLICATE = "duplicate"  # the same event was applied before
    STALE = "stale"  # an older version than the one applied: ignored
    IGNORED = "ignored"  # a topic we do not act on
    FAILED = "failed"  # could not be mapped or placed: staff look at it


class ChannelShop(Base):
    __tablename__ = "channel_shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    platform: Mapped[Platform] = mapped_column(str_enum(Platform, "channel_platform"))
    name: Mapped[str] = mapped_column(String(120))
    secret: Mapped[str] = mapped_column(String(200))  # the HMAC key: must be kept readable
    shop_domain: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChannelDelivery(Base):
    """One webhook delivery as it arrived (raw body kept byte for byte)."""

    __tablename__ = "channel_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("channel_shops.id"))
    topic: Mapped[str] = mapped_column(String(64))
    delivery_key: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[str | None] = mapped_column(String(128))
    external_id: Mapped[str | None] = mapped_column(String(64))
    resource_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState, "channel_delivery_state"))
    detail: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the raw body: the same body re-sent under a new id or topic is a duplicate.
    body_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("shop_id", "delivery_key"),
        UniqueConstraint("shop_id", "body_hash"),
        Index("ix_channel_deliveries_state_id", "state", "id"),
        Index("ix_channel_deliveries_shop_event", "shop_id", "event_id"),
        Index("ix_channel_deliveries_shop_external", "shop_id", "external_id"),
    )


class ChannelOrder(Base):
    """A channel order and ours; `version_at` is the platform's updated_at we applied."""

    __tablename__ = "channel_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("channel_shops.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    version_at: Mapped[datetime] = mapped_column(UTCDateTime)
    platform_status: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("channel_deliveries.id"))

    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)
