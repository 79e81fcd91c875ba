"""What staff see of an outage: an alert when a provider's circuit opens and another
when it closes, the backlog each open circuit holds and its age, and (the merchant's
choice) a fallback to another channel once a channel has been down long enough.

Circuits live in the kernel (`orderflow.circuits`) so tracking and waybill calls can use
them too; this module turns every circuit's openings and closings into staff alerts,
whichever domain opened it: the dispatcher calls `alert_changes` right after it opens or
closes a notify circuit, and the worker's `notify.watch_circuits` job sweeps the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow import circuits, clock
from orderflow.circuits import Circuit, CircuitState
from orderflow.db import Db
from orderflow.notify.health import PREFIX, split_key
from orderflow.notify.models import Alert, Notice, NoticeState

OPENED, CLOSED = "circuit.opened", "circuit.closed"


def _stamp(at: datetime) -> str:
    return clock.as_utc(at).strftime("%Y%m%dT%H%M%S")


def describe(key: str) -> str:
    """A provider key as staff read it."""
    if key.startswith(PREFIX):
        channel, endpoint = split_key(key)
        return f"webhook endpoint #{endpoint}" if endpoint is not None else f"{channel} provider"
    kind, _, name = key.partition(":")
    return {"tracking": f"tracking provider {name}",
            "waybill": f"carrier {name} waybill API"}.get(kind, key)


def _raise(s: Session, key: str, kind: str, message: str) -> bool:
    if s.scalar(select(Alert.id).where(Alert.key == key)) is not None:
        return False
    s.add(Alert(key=key, kind=kind, order_id=None, message=message, created_at=clock.utcnow()))
    s.flush()
    return True


def alert_changes(s: Session, c: Circuit) -> None:
    """Once per opening: an open alert; once per closing: the open alert resolved and a
    closed alert naming how long it was down. Idempotent (alert keys are unique)."""
    if c.opened_at is None:
        return
    opened = clock.as_utc(c.opened_at)
    episode = f"{c.key}:{_stamp(opened)}"
    what = describe(c.key)
    _raise(s, f"{OPENED}:{episode}", OPENED,
           f"{what} is down since {opened:%Y-%m-%d %H:%M:%S} UTC ({c.last_error or 'no answer'});"
           " its work is held, not failed, and goes out when it answers again")
    if c.state is CircuitState.CLOSED and c.closed_at is not None:
        closed = clock.as_utc(c.closed_at)
        minutes = max(0, int((closed - opened).total_seconds() // 60))
        if _raise(s, f"{CLOSED}:{episode}", CLOSED,
                  f"{what} answers again after {minutes} min; the held backlog is draining"):
            for alert in s.scalars(select(Alert).where(Alert.key == f"{OPENED}:{episode}",
                                                       Alert.resolved_at.is_(None))):
                alert.resolved_at = closed


def alert_key_changes(s: Session, key: str) -> None:
    c = s.get(Circuit, key)
    if c is not None:
        alert_changes(s, c)


def watch_circuits(db: Db, *, window: timedelta = timedelta(hours=1)) -> int:
    """The worker's sweep: alerts for every circuit opened or closed in the last hour.
    A read first: most of the time nothing changed and no write is needed."""
    since = clock.utcnow() - window
    with db.read() as s:
        if not circuits.reopened_since(s, since):
            return 0
    with db.transaction() as s:
        for c in circuits.reopened_since(s, since):
            alert_changes(s, c)
    return 0


@dataclass(frozen=True)
class Backlog:
    key: str
    what: str
    state: str
    opened_at: datetime | None
    next_probe_at: datetime | None
    last_error: str | None
    queued: int
    oldest_at: datetime | None

    def age_s(self, now: datetime) -> int:
        return int((now - clock.as_utc(self.oldest_at)).total_seconds()) if self.oldest_at else 0


def backlogs(db: Db) -> list[Backlog]:
    """Every circuit that is not closed, with the notices it holds and the oldest's age."""
    with db.read() as s:
        rows = [c for c in circuits.all_circuits(s) if c.state is not CircuitState.CLOSED]
        out = []
        for c in rows:
            count, oldest = 0, None
            if c.key.startswith(PREFIX):
                channel, endpoint = split_key(c.key)
                stmt = select(func.count(), func.min(Notice.created_at)).where(
                    Notice.state.in_((NoticeState.QUEUED, NoticeState.SENDING)),
                    Notice.channel == channel)
                if endpoint is not None:
                    stmt = stmt.where(Notice.endpoint_id == endpoint)
                count, oldest = s.execute(stmt).one()
            out.append(Backlog(c.key, describe(c.key), c.state.value, c.opened_at,
                               c.next_probe_at, c.last_error, int(count or 0), oldest))
    return out


def queued_backlog(db: Db) -> tuple[int, datetime | None]:
    """All notices waiting to go out (any reason) and the oldest one's creation time."""
    with db.read() as s:
        count, oldest = s.execute(select(func.count(), func.min(Notice.created_at)).where(
            Notice.state.in_((NoticeState.QUEUED, NoticeState.SENDING)),
            Notice.channel != "inbox")).one()
    return int(count or 0), oldest
