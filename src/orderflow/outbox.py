"""The transactional outbox: what a state change owes the outside world.

Domains write owed messages with `add(s, ...)` inside their own transaction, so
the change and the message commit together or not at all. Only `notify/` sends
them. The idempotency key is unique in the database: owing the same milestone
twice for the same order is a no-op, not a second message.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from orderflow import clock, ids
from orderflow.db import Base, JSONType, UTCDateTime, str_enum


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    LEASED = "leased"
    DONE = "done"
    DEAD = "dead"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[OutboxState] = mapped_column(
        str_enum(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fence: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_outbox_due", "state", "available_at"),)


def add(
    s: Session,
    kind: str,
    *,
    key: str,
    payload: dict[str, Any],
    order_id: int | None = None,
    available_at: datetime | None = None,
) -> None:
    """Owe one message. A second `add` with the same key is silently a no-op."""
    now = clock.utcnow()
    values = {
        "kind": kind,
        "idempotency_key": key,
        "message_id": ids.message_id(),
        "order_id": order_id,
        "payload": payload,
        "state": OutboxState.PENDING,
        "available_at": available_at or now,
        "attempts": 0,
        "fence": 0,
        "created_at": now,
    }
    dialect = s.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(OutboxMessage).values(**values)
    s.execute(stmt.on_conflict_do_nothing(index_elements=["idempotency_key"]))


def kinds_for_order(s: Session, order_id: int) -> list[str]:
    rows = s.scalars(
        select(OutboxMessage.kind)
        .where(OutboxMessage.order_id == order_id)
        .order_by(OutboxMessage.id)
    )
    return list(rows)


def pending_count(s: Session) -> int:
    stmt = select(func.count()).where(OutboxMessage.state == OutboxState.PENDING)
    return int(s.scalar(stmt) or 0)
