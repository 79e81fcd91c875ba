"""Circuit breakers for the outside world: one row per provider the system calls.

A provider-level failure (connection refused, DNS, TLS, timeout, 5xx, SMTP 421/451,
an SMS provider's throttling) opens the provider's circuit. While it is open nothing is
sent to it and nothing spends an attempt: the work stays queued. One probe goes out on a
back-off schedule (10 s, 20 s, then every 30 s, with jitter); the first success closes the
circuit and the backlog drains. Failures that belong to one message (a refused address,
a rejected template) never touch the circuit.

Keys name the provider: ``notify:email``, ``notify:sms``, ``notify:webhook:<endpoint id>``,
``tracking:<provider>``, ``waybill:<carrier>``. The kernel owns the table so every domain
may use it; ``notify`` turns openings and closings into staff alerts.

Every change is a conditional update, so any number of workers agree: exactly one of them
opens a circuit (and owns the alert), exactly one takes each probe.
"""

from __future__ import annotations

import enum
import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Integer, String, Text, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from orderflow import clock
from orderflow.db import Base, Db, UTCDateTime, str_enum

FIRST_PROBE_S = 10.0
# The cap keeps "back within a minute of the provider's return": a probe is one
# connection attempt, cheap for us and for the provider even every 30 s for hours.
MAX_PROBE_S = float(os.environ.get("ORDERFLOW_CIRCUIT_MAX_PROBE_SECONDS", "30"))
# A worker that took a probe and died: another may probe after this long.
PROBE_LEASE = timedelta(seconds=60)
_rng = random.Random()


class CircuitState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"  # one probe is out


class Circuit(Base):
    __tablename__ = "circuits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[CircuitState] = mapped_column(str_enum(CircuitState, "circuit_state"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_probe_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Open:
    """An open circuit as callers see it."""

    key: str
    opened_at: datetime
    next_probe_at: datetime
    failures: int
    last_error: str | None

    def probe_due(self, now: datetime) -> bool:
        return clock.as_utc(self.next_probe_at) <= now

    def down_for(self, now: datetime) -> timedelta:
        return now - clock.as_utc(self.opened_at)


def probe_delay(failures: int, retry_after: float | None = None) -> float:
    """10 s, 20 s, then the cap (30 s by default), up to a quarter less at random so
    workers and providers do not probe in step; a provider's Retry-After (capped too) is
    a lower bound."""
    base: float = min(MAX_PROBE_S, FIRST_PROBE_S * 2.0 ** max(0, failures - 1))
    delay: float = base * _rng.uniform(0.75, 1.0)
    if retry_after:
        delay = max(delay, min(retry_after, MAX_PROBE_S))
    return delay


def open_circuits(s: Session, prefix: str = "") -> dict[str, Open]:
    rows = s.scalars(select(Circuit).where(Circuit.state != CircuitState.CLOSED,
                                           Circuit.key.startswith(prefix)))
    return {c.key: Open(c.key, clock.as_utc(c.opened_at or c.updated_at),
                        clock.as_utc(c.next_probe_at or c.updated_at), c.failures, c.last_error)
            for c in rows}


def take_probe(s: Session, key: str) -> bool:
    """True for exactly one caller once the probe is due (and again if that caller dies)."""
    now = clock.utcnow()
    done = s.execute(update(Circuit).where(
        Circuit.key == key, Circuit.state != CircuitState.CLOSED, Circuit.next_probe_at <= now)
        .values(state=CircuitState.HALF_OPEN, next_probe_at=now + PROBE_LEASE, updated_at=now)
        .execution_options(synchronize_session=False))
    return bool(getattr(done, "rowcount", 0))


def record_failure(s: Session, key: str, error: str, *, retry_after: float | None = None,
                   threshold: int = 1) -> bool:
    """A provider-level failure. True when this call opened the circuit. With a
    `threshold`, a closed circuit opens at that many failures less than a minute apart
    (for calls a person waits on, where one retry right away is worth making)."""
    now = clock.utcnow()
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(insert(Circuit).values(key=key, state=CircuitState.CLOSED, failures=0,
                                     updated_at=now).on_conflict_do_nothing())
    if threshold > 1 and _below_threshold(s, key, error, now, threshold):
        return False
    opened = s.execute(update(Circuit).where(Circuit.key == key,
                                             Circuit.state == CircuitState.CLOSED)
                       .values(state=CircuitState.OPEN, opened_at=now, closed_at=None,
                               failures=1, last_error=error[:2000], updated_at=now,
                               next_probe_at=now + timedelta(
                                   seconds=probe_delay(1, retry_after)))
                       .execution_options(synchronize_session=False))
    if getattr(opened, "rowcount", 0):
        return True
    failures = (s.scalar(select(Circuit.failures).where(Circuit.key == key)) or 0) + 1
    s.execute(update(Circuit).where(Circuit.key == key, Circuit.state != CircuitState.CLOSED)
              .values(state=CircuitState.OPEN, failures=Circuit.failures + 1,
                      last_error=error[:2000], updated_at=now,
                      next_probe_at=now + timedelta(seconds=probe_delay(failures, retry_after)))
              .execution_options(synchronize_session=False))
    return False


def _below_threshold(s: Session, key: str, error: str, now: datetime, threshold: int) -> bool:
    row = s.execute(select(Circuit.state, Circuit.failures, Circuit.updated_at)
                    .where(Circuit.key == key)).one()
    if row.state is not CircuitState.CLOSED:
        return False
    recent = row.failures > 0 and now - clock.as_utc(row.updated_at) < timedelta(minutes=1)
    count = row.failures + 1 if recent else 1
    if count >= threshold:
        return False
    s.execute(update(Circuit).where(Circuit.key == key, Circuit.state == CircuitState.CLOSED)
              .values(failures=count, last_error=error[:2000], updated_at=now)
              .execution_options(synchronize_session=False))
    return True


def record_success(s: Session, key: str) -> bool:
    """The provider answered. True when this call closed the circuit."""
    now = clock.utcnow()
    closed = s.execute(update(Circuit).where(Circuit.key == key,
                                             Circuit.state != CircuitState.CLOSED)
                       .values(state=CircuitState.CLOSED, closed_at=now, next_probe_at=None,
                               failures=0, updated_at=now)
                       .execution_options(synchronize_session=False))
    return bool(getattr(closed, "rowcount", 0))


Gate = Literal["closed", "probe", "blocked"]


def gate(db: Db, key: str) -> Gate:
    """Before calling a provider: "closed" (go ahead), "probe" (this caller took the one
    probe: make one call, then record its outcome), "blocked" (open; leave the work due).
    A closed circuit costs one read, no write."""
    with db.read() as s:
        state = s.scalar(select(Circuit.state).where(Circuit.key == key))
    if state is None or state is CircuitState.CLOSED:
        return "closed"
    with db.transaction() as s:
        return "probe" if take_probe(s, key) else "blocked"


def answered(db: Db, key: str, gate_was: Gate) -> None:
    """The provider answered (even with a refusal of that one item): a probe closes it."""
    if gate_was == "probe":
        with db.transaction() as s:
            record_success(s, key)


def failed(db: Db, key: str, error: str, *, threshold: int = 1) -> None:
    with db.transaction() as s:
        record_failure(s, key, error, threshold=threshold)


def next_probe(s: Session, key: str) -> datetime:
    at = s.scalar(select(Circuit.next_probe_at).where(Circuit.key == key))
    return clock.as_utc(at) if at else clock.utcnow()


def all_circuits(s: Session) -> list[Circuit]:
    return list(s.scalars(select(Circuit).order_by(Circuit.key)))


def reopened_since(s: Session, since: datetime) -> list[Circuit]:
    """Circuits opened or closed since `since` (for the alert watchdog)."""
    return list(s.scalars(select(Circuit).where(or_(Circuit.opened_at >= since,
                                                    Circuit.closed_at >= since))))
